#pragma once

#include "protocol/servicestats.h"
#include "util/circularbuffer.h"
#include "util/clock.h"

#include <QMutex>

#include <atomic>
#include <vector>

namespace wsinfra {

/// The service's counters, incremented where each event happens, from any thread, without locks
/// (relaxed atomics: each counter is exact, a snapshot is not a transaction). The latest latency
/// samples, for percentiles, are the one thing behind a mutex: one lock per publish and shard.
class StatisticsCollector
{
public:
    /// Delivery latency: percentiles over the latest samples, sum and count over all of them.
    struct LatencySummary
    {
        double p50 = 0.0; ///< 0 without samples
        double p99 = 0.0;
        qint64 count = 0; ///< samples since start
        qint64 sumMs = 0;
    };

    /// Percentiles are computed over the latest `maxLatencySamples` samples (at least 1).
    explicit StatisticsCollector(const Clock &clock, qsizetype maxLatencySamples = 1000);

    void connectionOpened();
    void connectionClosed();
    void messageReceived();
    /// A publish accepted from the API (bill update, notification or broadcast to all).
    void messagePublished(bool toEveryone);
    void messagesDelivered(qint64 count);
    void messageDropped();
    void duplicateMessage();
    void queueOverflow();
    /// A connection went over its outbound budget (+1) or is back within it or gone (-1).
    void slowConsumersChanged(int delta);
    qint64 slowConsumerCount() const { return m_slowConsumers.load(std::memory_order_relaxed); }
    void reconnection();
    /// Time from a publish to its hand-over to a client socket (negative counts as 0).
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
    /// p50 and p99 of the latest samples, and sum and count of all.
    LatencySummary latencySummary() const;

    /// The `quantile` (0..1) of `samples` by the nearest-rank method: the smallest sample that at
    /// least that fraction of the samples is less than or equal to, so always a measured value. 0 when
    /// there are none. Reorders `samples`.
    static double percentile(std::vector<qint64> &samples, double quantile);

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
    std::atomic<qint64> m_slowConsumers{0};
    std::atomic<qint64> m_reconnections{0};
    std::atomic<qint64> m_latencySumMs{0};
    std::atomic<qint64> m_latencySamples{0};
    std::atomic<qint64> m_rateLimited{0};
    std::atomic<qint64> m_protocolErrors{0};
    std::atomic<qint64> m_authenticationFailures{0};
    std::atomic<qint64> m_refusedConnections{0};
    std::atomic<qint64> m_httpRequests{0};
    std::atomic<qint64> m_lastActivity{0};
    mutable QMutex m_latencyMutex;
    CircularBuffer<qint64> m_latestLatencies; // guarded by m_latencyMutex
};

} // namespace wsinfra
