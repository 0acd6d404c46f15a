#include "monitoring/statisticscollector.h"

namespace wsinfra {

namespace {
constexpr auto Relaxed = std::memory_order_relaxed;
}

StatisticsCollector::StatisticsCollector(const Clock &clock) : m_clock(clock), m_startTime(clock.nowMs())
{
    m_lastActivity.store(m_startTime, Relaxed);
}

void StatisticsCollector::touch()
{
    m_lastActivity.store(m_clock.nowMs(), Relaxed);
}

void StatisticsCollector::connectionOpened()
{
    m_totalConnections.fetch_add(1, Relaxed);
    const qint64 active = m_activeConnections.fetch_add(1, Relaxed) + 1;
    qint64 peak = m_peakConnections.load(Relaxed);
    while (active > peak && !m_peakConnections.compare_exchange_weak(peak, active, Relaxed))
        ;
    touch();
}

void StatisticsCollector::connectionClosed()
{
    m_activeConnections.fetch_sub(1, Relaxed);
    touch();
}

void StatisticsCollector::messageReceived()
{
    m_totalMessages.fetch_add(1, Relaxed);
    touch();
}

void StatisticsCollector::messagePublished(bool toEveryone)
{
    m_totalMessages.fetch_add(1, Relaxed);
    if (toEveryone)
        m_totalBroadcasts.fetch_add(1, Relaxed);
    touch();
}

void StatisticsCollector::messagesDelivered(qint64 count)
{
    m_deliveredMessages.fetch_add(count, Relaxed);
}

void StatisticsCollector::messageDropped()
{
    m_droppedMessages.fetch_add(1, Relaxed);
}

void StatisticsCollector::duplicateMessage()
{
    m_duplicateMessages.fetch_add(1, Relaxed);
}

void StatisticsCollector::queueOverflow()
{
    m_queueOverflows.fetch_add(1, Relaxed);
}

void StatisticsCollector::reconnection()
{
    m_reconnections.fetch_add(1, Relaxed);
}

void StatisticsCollector::latencySample(qint64 milliseconds)
{
    m_latencySumMs.fetch_add(milliseconds < 0 ? 0 : milliseconds, Relaxed);
    m_latencySamples.fetch_add(1, Relaxed);
}

void StatisticsCollector::rateLimited()
{
    m_rateLimited.fetch_add(1, Relaxed);
}

void StatisticsCollector::protocolError()
{
    m_protocolErrors.fetch_add(1, Relaxed);
}

void StatisticsCollector::authenticationFailed()
{
    m_authenticationFailures.fetch_add(1, Relaxed);
}

void StatisticsCollector::connectionRefused()
{
    m_refusedConnections.fetch_add(1, Relaxed);
}

void StatisticsCollector::httpRequest()
{
    m_httpRequests.fetch_add(1, Relaxed);
}

ServiceStats StatisticsCollector::snapshot(qint64 uniqueUsers, qint64 memoryBytes) const
{
    ServiceStats stats;
    stats.totalConnections = m_totalConnections.load(Relaxed);
    stats.activeConnections = m_activeConnections.load(Relaxed);
    stats.totalMessages = m_totalMessages.load(Relaxed);
    stats.totalBroadcasts = m_totalBroadcasts.load(Relaxed);
    stats.droppedMessages = m_droppedMessages.load(Relaxed);
    stats.duplicateMessages = m_duplicateMessages.load(Relaxed);
    stats.queueOverflows = m_queueOverflows.load(Relaxed);
    stats.reconnections = m_reconnections.load(Relaxed);
    stats.startTime = m_startTime;
    stats.lastActivity = m_lastActivity.load(Relaxed);
    stats.peakConnections = m_peakConnections.load(Relaxed);
    stats.uptime = m_clock.nowMs() - m_startTime;
    stats.memoryUsage = memoryBytes;
    stats.uniqueUsers = uniqueUsers;
    const qint64 samples = m_latencySamples.load(Relaxed);
    stats.averageLatency = samples == 0 ? 0.0 : double(m_latencySumMs.load(Relaxed)) / double(samples);
    stats.deliveredMessages = m_deliveredMessages.load(Relaxed);
    return stats;
}

} // namespace wsinfra
