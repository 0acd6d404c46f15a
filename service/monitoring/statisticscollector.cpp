#include "monitoring/statisticscollector.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace wsinfra {

namespace {
constexpr auto Relaxed = std::memory_order_relaxed;
}

StatisticsCollector::StatisticsCollector(const Clock &clock, qsizetype maxLatencySamples, int shardCount)
    : m_clock(clock), m_startTime(clock.nowMs())
{
    for (int block = 0; block <= std::max(0, shardCount); ++block) {
        m_blocks.push_back(std::make_unique<StatisticsCounters>(*this, maxLatencySamples));
        m_blocks.back()->m_lastActivity.store(m_startTime, Relaxed);
    }
}

StatisticsCollector::~StatisticsCollector() = default;

StatisticsCounters &StatisticsCollector::forShard(int index)
{
    const auto slot = std::size_t(index) + 1;
    return index >= 0 && slot < m_blocks.size() ? *m_blocks[slot] : common();
}

void StatisticsCollector::connectionOpened()
{
    const qint64 active = m_activeConnections.fetch_add(1, Relaxed) + 1;
    qint64 peak = m_peakConnections.load(Relaxed);
    while (active > peak && !m_peakConnections.compare_exchange_weak(peak, active, Relaxed))
        ;
}

void StatisticsCollector::connectionClosed()
{
    m_activeConnections.fetch_sub(1, Relaxed);
}

qint64 StatisticsCollector::sum(std::atomic<qint64> StatisticsCounters::*counter) const
{
    qint64 total = 0;
    for (const auto &block : m_blocks)
        total += ((*block).*counter).load(Relaxed);
    return total;
}

ServiceStats StatisticsCollector::snapshot(qint64 uniqueUsers, qint64 memoryBytes) const
{
    using C = StatisticsCounters;
    ServiceStats stats;
    stats.totalConnections = sum(&C::m_totalConnections);
    stats.activeConnections = m_activeConnections.load(Relaxed);
    stats.totalMessages = sum(&C::m_totalMessages);
    stats.totalBroadcasts = sum(&C::m_totalBroadcasts);
    stats.droppedMessages = sum(&C::m_droppedMessages);
    stats.duplicateMessages = sum(&C::m_duplicateMessages);
    stats.queueOverflows = sum(&C::m_queueOverflows);
    stats.reconnections = sum(&C::m_reconnections);
    stats.startTime = m_startTime;
    for (const auto &block : m_blocks)
        stats.lastActivity = std::max(stats.lastActivity, block->m_lastActivity.load(Relaxed));
    stats.peakConnections = m_peakConnections.load(Relaxed);
    stats.uptime = m_clock.nowMs() - m_startTime;
    stats.memoryUsage = memoryBytes;
    stats.uniqueUsers = uniqueUsers;
    const qint64 samples = sum(&C::m_latencySamples);
    stats.averageLatency = samples == 0 ? 0.0 : double(sum(&C::m_latencySumMs)) / double(samples);
    stats.deliveredMessages = sum(&C::m_deliveredMessages);
    return stats;
}

StatisticsCollector::Totals StatisticsCollector::totals() const
{
    using C = StatisticsCounters;
    Totals totals;
    totals.rateLimited = sum(&C::m_rateLimited);
    totals.protocolErrors = sum(&C::m_protocolErrors);
    totals.authenticationFailures = sum(&C::m_authenticationFailures);
    totals.refusedConnections = sum(&C::m_refusedConnections);
    totals.slowConsumers = sum(&C::m_slowConsumers);
    totals.httpRequests = sum(&C::m_httpRequests);
    totals.bytesReceived = sum(&C::m_bytesReceived);
    totals.bytesSent = sum(&C::m_bytesSent);
    for (const auto &block : m_blocks) {
        for (std::size_t i = 0; i < totals.received.size(); ++i)
            totals.received[i] += block->m_received[i].load(Relaxed);
        for (std::size_t i = 0; i < totals.sent.size(); ++i)
            totals.sent[i] += block->m_sent[i].load(Relaxed);
        for (std::size_t i = 0; i < totals.latencyBuckets.size(); ++i)
            totals.latencyBuckets[i] += block->m_latencyBuckets[i].load(Relaxed);
    }
    std::partial_sum(totals.latencyBuckets.begin(), totals.latencyBuckets.end(), totals.latencyBuckets.begin());
    return totals;
}

StatisticsCollector::LatencySummary StatisticsCollector::latencySummary() const
{
    std::vector<qint64> samples;
    for (const auto &block : m_blocks) {
        // Copied out so that the shards wait for a copy, not for the sorting.
        const QMutexLocker locker(&block->m_latencyMutex);
        samples.insert(samples.end(), block->m_latestLatencies.begin(), block->m_latestLatencies.end());
    }
    LatencySummary summary;
    summary.p50 = percentile(samples, 0.5);
    summary.p99 = percentile(samples, 0.99);
    summary.count = sum(&StatisticsCounters::m_latencySamples);
    summary.sumMs = sum(&StatisticsCounters::m_latencySumMs);
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
