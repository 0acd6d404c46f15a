#include "monitoring/statisticscounters.h"

#include "monitoring/statisticscollector.h"
#include "protocol/servermessage.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr auto Relaxed = std::memory_order_relaxed;

constexpr std::array<QLatin1StringView, StatisticsCounters::InboundCount> InboundNames{
    "subscribe"_L1, "unsubscribe"_L1, "ping"_L1, "ack"_L1, "invalid"_L1};
constexpr std::array<QLatin1StringView, StatisticsCounters::OutboundCount> OutboundNames{
    ServerMessage::Type::Connected, ServerMessage::Type::BillUpdate, ServerMessage::Type::Notification,
    ServerMessage::Type::Broadcast, ServerMessage::Type::Subscribed, ServerMessage::Type::Unsubscribed,
    ServerMessage::Type::Pong,      ServerMessage::Type::Error,      "other"_L1};

} // namespace

StatisticsCounters::StatisticsCounters(StatisticsCollector &collector, qsizetype maxLatencySamples)
    : m_collector(collector), m_latestLatencies(std::max<qsizetype>(1, maxLatencySamples))
{
}

void StatisticsCounters::touch()
{
    m_lastActivity.store(m_collector.m_clock.nowMs(), Relaxed);
}

void StatisticsCounters::connectionOpened()
{
    m_totalConnections.fetch_add(1, Relaxed);
    m_collector.connectionOpened();
    touch();
}

void StatisticsCounters::connectionClosed()
{
    m_collector.connectionClosed();
    touch();
}

void StatisticsCounters::bytesReceived(qint64 bytes)
{
    m_bytesReceived.fetch_add(bytes, Relaxed);
}

void StatisticsCounters::messageReceived()
{
    m_totalMessages.fetch_add(1, Relaxed);
    touch();
}

void StatisticsCounters::requestParsed(Inbound type)
{
    m_received[std::size_t(type)].fetch_add(1, Relaxed);
}

void StatisticsCounters::messageSent(QLatin1StringView type)
{
    m_sent[std::size_t(outboundOf(type))].fetch_add(1, Relaxed);
}

void StatisticsCounters::bytesSent(qint64 bytes)
{
    m_bytesSent.fetch_add(bytes, Relaxed);
}

void StatisticsCounters::messagePublished(bool toEveryone)
{
    m_totalMessages.fetch_add(1, Relaxed);
    if (toEveryone)
        m_totalBroadcasts.fetch_add(1, Relaxed);
    touch();
}

void StatisticsCounters::messagesDelivered(qint64 count)
{
    m_deliveredMessages.fetch_add(count, Relaxed);
}

void StatisticsCounters::messageDropped()
{
    m_droppedMessages.fetch_add(1, Relaxed);
}

void StatisticsCounters::duplicateMessage()
{
    m_duplicateMessages.fetch_add(1, Relaxed);
}

void StatisticsCounters::queueOverflow()
{
    m_queueOverflows.fetch_add(1, Relaxed);
}

void StatisticsCounters::slowConsumersChanged(int delta)
{
    m_slowConsumers.fetch_add(delta, Relaxed);
}

void StatisticsCounters::reconnection()
{
    m_reconnections.fetch_add(1, Relaxed);
}

void StatisticsCounters::latencySample(qint64 milliseconds)
{
    milliseconds = std::max<qint64>(0, milliseconds);
    m_latencySumMs.fetch_add(milliseconds, Relaxed);
    m_latencySamples.fetch_add(1, Relaxed);
    const auto bucket = std::lower_bound(LatencyBucketsMs.begin(), LatencyBucketsMs.end(), milliseconds);
    m_latencyBuckets[std::size_t(bucket - LatencyBucketsMs.begin())].fetch_add(1, Relaxed);
    const QMutexLocker locker(&m_latencyMutex);
    m_latestLatencies.push(milliseconds);
}

void StatisticsCounters::rateLimited()
{
    m_rateLimited.fetch_add(1, Relaxed);
}

void StatisticsCounters::protocolError()
{
    m_protocolErrors.fetch_add(1, Relaxed);
}

void StatisticsCounters::authenticationFailed()
{
    m_authenticationFailures.fetch_add(1, Relaxed);
}

void StatisticsCounters::connectionRefused()
{
    m_refusedConnections.fetch_add(1, Relaxed);
}

void StatisticsCounters::httpRequest()
{
    m_httpRequests.fetch_add(1, Relaxed);
}

StatisticsCounters::Outbound StatisticsCounters::outboundOf(QLatin1StringView type)
{
    for (int i = 0; i < int(Outbound::Other); ++i) {
        if (OutboundNames[std::size_t(i)] == type)
            return Outbound(i);
    }
    return Outbound::Other;
}

QLatin1StringView StatisticsCounters::nameOf(Inbound type)
{
    return InboundNames[std::size_t(type)];
}

QLatin1StringView StatisticsCounters::nameOf(Outbound type)
{
    return OutboundNames[std::size_t(type)];
}

} // namespace wsinfra
