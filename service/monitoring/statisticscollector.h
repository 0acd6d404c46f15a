#pragma once

#include "protocol/servicestats.h"
#include "util/clock.h"

#include <atomic>

namespace wsinfra {

/// The service's counters, incremented where each event happens, from any thread, without locks
/// (relaxed atomics: each counter is exact, a snapshot is not a transaction).
class StatisticsCollector
{
public:
    explicit StatisticsCollector(const Clock &clock);

    void connectionOpened();
    void connectionClosed();
    void messageReceived();
    /// A publish accepted from the API (bill update, notification or broadcast to all).
    void messagePublished(bool toEveryone);
    void messagesDelivered(qint64 count);
    void messageDropped();
    void duplicateMessage();
    void queueOverflow();
    void reconnection();
    /// Time from a publish to its hand-over to a client socket.
    void latencySample(qint64 milliseconds);
    void rateLimited();
    void protocolError();
    void authenticationFailed();
    void connectionRefused();
    void httpRequest();

    qint64 rateLimitedCount() const { return m_rateLimited.load(std::memory_order_relaxed); }
    qint64 protocolErrorCount() const { return m_protocolErrors.load(std::memory_order_relaxed); }
    qint64 authenticationFailureCount() const { return m_authenticationFailures.load(std::memory_order_relaxed); }
    qint64 refusedConnectionCount() const { return m_refusedConnections.load(std::memory_order_relaxed); }
    qint64 httpRequestCount() const { return m_httpRequests.load(std::memory_order_relaxed); }
    qint64 activeConnections() const { return m_activeConnections.load(std::memory_order_relaxed); }
    qint64 startTime() const { return m_startTime; }

    /// The ServiceStats of now; `uniqueUsers` and `memoryBytes` come from their owners.
    ServiceStats snapshot(qint64 uniqueUsers, qint64 memoryBytes) const;

private:
    void touch();

    const Clock &m_clock;
    const qint64 m_startTime;
    std::atomic<qint64> m_totalConnections{0};
    std::atomic<qint64> m_activeConnections{0};
    std::atomic<qint64> m_peakConnections{0};
    std::atomic<qint64> m_totalMessages{0};
    std::atomic<qint64> m_totalBroadcasts{0};
    std::atomic<qint64> m_deliveredMessages{0};
    std::atomic<qint64> m_droppedMessages{0};
    std::atomic<qint64> m_duplicateMessages{0};
    std::atomic<qint64> m_queueOverflows{0};
    std::atomic<qint64> m_reconnections{0};
    std::atomic<qint64> m_latencySumMs{0};
    std::atomic<qint64> m_latencySamples{0};
    std::atomic<qint64> m_rateLimited{0};
    std::atomic<qint64> m_protocolErrors{0};
    std::atomic<qint64> m_authenticationFailures{0};
    std::atomic<qint64> m_refusedConnections{0};
    std::atomic<qint64> m_httpRequests{0};
    std::atomic<qint64> m_lastActivity{0};
};

} // namespace wsinfra
