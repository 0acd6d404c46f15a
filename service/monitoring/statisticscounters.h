#pragma once

#include "util/circularbuffer.h"

#include <QLatin1StringView>
#include <QMutex>

#include <array>
#include <atomic>

namespace wsinfra {

class StatisticsCollector;

/// The counters one thread increments: each shard has its own block, on its own cache lines, and
/// everything else (HTTP API, front door, admission) shares one. StatisticsCollector merges the
/// blocks on read, so counting never bounces a cache line between cores. Counters are relaxed atomics:
/// each is exact, a merged snapshot is not a transaction.
class alignas(64) StatisticsCounters
{
public:
    /// What a client sent, by the envelope's type (Invalid: a frame that did not parse).
    enum class Inbound { Subscribe, Unsubscribe, Ping, Ack, Invalid, Count };
    /// What the service sent, by the envelope's type; Other for a type not listed here.
    enum class Outbound {
        Connected,
        BillUpdate,
        Notification,
        Broadcast,
        Subscribed,
        Unsubscribed,
        Pong,
        Error,
        Other,
        Count
    };
    static constexpr int InboundCount = int(Inbound::Count);
    static constexpr int OutboundCount = int(Outbound::Count);
    /// Upper bounds (milliseconds) of the delivery-latency histogram's buckets; +Inf follows.
    static constexpr std::array<qint64, 12> LatencyBucketsMs{1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};

    StatisticsCounters(StatisticsCollector &collector, qsizetype maxLatencySamples);
    StatisticsCounters(const StatisticsCounters &) = delete;
    StatisticsCounters &operator=(const StatisticsCounters &) = delete;

    void connectionOpened();
    void connectionClosed();
    /// A client text frame of `bytes` (UTF-8) arrived, admitted or not by the rate limit.
    void bytesReceived(qint64 bytes);
    /// A client frame was admitted for processing, before it is parsed.
    void messageReceived();
    /// The type of a client frame that was parsed (or Invalid).
    void requestParsed(Inbound type);
    /// An envelope of `type` was handed to a client's transport.
    void messageSent(QLatin1StringView type);
    /// Payload bytes (the JSON envelopes, before WebSocket or Engine.IO framing) handed to transports.
    void bytesSent(qint64 bytes);
    /// A publish accepted from the API (bill update, notification or broadcast to all).
    void messagePublished(bool toEveryone);
    void messagesDelivered(qint64 count);
    void messageDropped();
    void duplicateMessage();
    void queueOverflow();
    /// A connection went over its outbound budget (+1) or is back within it or gone (-1).
    void slowConsumersChanged(int delta);
    void reconnection();
    /// Time from a publish to its hand-over to a client socket (negative counts as 0).
    void latencySample(qint64 milliseconds);
    void rateLimited();
    void protocolError();
    void authenticationFailed();
    void connectionRefused();
    void httpRequest();

    static Outbound outboundOf(QLatin1StringView type);
    static QLatin1StringView nameOf(Inbound type);
    static QLatin1StringView nameOf(Outbound type);

private:
    friend class StatisticsCollector;
    using Counter = std::atomic<qint64>;

    void touch();

    StatisticsCollector &m_collector;
    Counter m_totalConnections{0};
    Counter m_totalMessages{0};
    Counter m_totalBroadcasts{0};
    Counter m_deliveredMessages{0};
    Counter m_droppedMessages{0};
    Counter m_duplicateMessages{0};
    Counter m_queueOverflows{0};
    Counter m_slowConsumers{0};
    Counter m_reconnections{0};
    Counter m_latencySumMs{0};
    Counter m_latencySamples{0};
    Counter m_rateLimited{0};
    Counter m_protocolErrors{0};
    Counter m_authenticationFailures{0};
    Counter m_refusedConnections{0};
    Counter m_httpRequests{0};
    Counter m_bytesReceived{0};
    Counter m_bytesSent{0};
    Counter m_lastActivity{0};
    std::array<Counter, InboundCount> m_received{};
    std::array<Counter, OutboundCount> m_sent{};
    std::array<Counter, LatencyBucketsMs.size() + 1> m_latencyBuckets{}; // not cumulative; the last is +Inf
    mutable QMutex m_latencyMutex;
    CircularBuffer<qint64> m_latestLatencies; // guarded by m_latencyMutex
};

} // namespace wsinfra
