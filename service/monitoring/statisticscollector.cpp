#include "monitoring/statisticscollector.h"

#include <algorithm>
#include <cmath>

namespace wsinfra {

namespace {
constexpr auto Relaxed = std::memory_order_relaxed;
}

StatisticsCollector::StatisticsCollector(const Clock &clock, qsizetype maxLatencySamples)
    : m_clock(clock), m_startTime(clock.nowMs()), m_latestLatencies(std::max<qsizetype>(1, maxLatencySamples))
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

void StatisticsCollector::slowConsumersChanged(int delta)
{
    m_slowConsumers.fetch_add(delta, Relaxed);
}

void StatisticsCollector::reconnection()
{
    m_reconnections.fetch_add(1, Relaxed);
}

void StatisticsCollector::latencySample(qint64 milliseconds)
{
    milliseconds = std::max<qint64>(0, milliseconds);
    m_latencySumMs.fetch_add(milliseconds, Relaxed);
    m_latencySamples.fetch_add(1, Relaxed);
    const QMutexLocker locker(&m_latencyMutex);
    m_latestLatencies.push(milliseconds);
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

StatisticsCollector::LatencySummary StatisticsCollector::latencySummary() const
{
    std::vector<qint64> samples;
    {
        // Copied out so that the shards wait for a copy, not for the sorting.
        const QMutexLocker locker(&m_latencyMutex);
        samples.assign(m_latestLatencies.begin(), m_latestLatencies.end());
    }
    LatencySummary summary;
    summary.p50 = percentile(samples, 0.5);
    summary.p99 = percentile(samples, 0.99);
    summary.count = m_latencySamples.load(Relaxed);
    summary.sumMs = m_latencySumMs.load(Relaxed);
    return summary;
}

double StatisticsCollector::percentile(std::vector<qint64> &samples, double quantile)
{
    if (samples.empty())
        return 0.0;
    const auto count = qint64(samples.size());
    // The rank is ceil(quantile * count); the small slack keeps 0.99 * 100 from rounding up to rank 100.
    const auto rank =
        std::clamp<qint64>(qint64(std::ceil(std::clamp(quantile, 0.0, 1.0) * double(count) - 1e-9)), 1, count);
    const auto nth = samples.begin() + (rank - 1);
    std::nth_element(samples.begin(), nth, samples.end());
    return double(*nth);
}

} // namespace wsinfra
