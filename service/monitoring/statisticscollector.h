#pragma once

#include "monitoring/statisticscounters.h"
#include "protocol/servicestats.h"
#include "util/clock.h"

#include <array>
#include <atomic>
#include <memory>
#include <vector>

namespace wsinfra {

/// The service's statistics: one StatisticsCounters block per shard, where the shard's events are
/// counted, and one common block for everything else (HTTP API, front door, admission). Reads merge the
/// blocks. The number of open connections and its peak are node-wide by nature and kept here.
class StatisticsCollector
{
public:
    /// Delivery latency: percentiles over the latest samples of each shard, sum and count over all of them.
    struct LatencySummary
    {
        double p50 = 0.0; ///< 0 without samples
        double p99 = 0.0;
        qint64 count = 0; ///< samples since start
        qint64 sumMs = 0;
    };
    /// The counters ServiceStats has no field for, merged over the blocks.
    struct Totals
    {
        qint64 rateLimited = 0;
        qint64 protocolErrors = 0;
        qint64 authenticationFailures = 0;
        qint64 refusedConnections = 0;
        qint64 slowConsumers = 0;
        qint64 httpRequests = 0;
        qint64 bytesReceived = 0;
        qint64 bytesSent = 0;
        std::array<qint64, StatisticsCounters::InboundCount> received{};
        std::array<qint64, StatisticsCounters::OutboundCount> sent{};
        /// Cumulative, as Prometheus wants them: samples at or below each bound, the last one all.
        std::array<qint64, StatisticsCounters::LatencyBucketsMs.size() + 1> latencyBuckets{};
    };

    /// Percentiles are computed over the latest `maxLatencySamples` samples of each block (at least 1).
    /// `shardCount` blocks are made for forShard(), plus the common one.
    explicit StatisticsCollector(const Clock &clock, qsizetype maxLatencySamples = 1000, int shardCount = 0);
    ~StatisticsCollector();

    /// The block of everything that is not a shard (any thread may use it).
    StatisticsCounters &common() { return *m_blocks.front(); }
    /// The block shard `index` counts in; the common one for an index without a block of its own.
    StatisticsCounters &forShard(int index);

    qint64 slowConsumerCount() const { return sum(&StatisticsCounters::m_slowConsumers); }
    qint64 activeConnections() const { return m_activeConnections.load(std::memory_order_relaxed); }
    qint64 startTime() const { return m_startTime; }

    /// The ServiceStats of now; `uniqueUsers` and `memoryBytes` come from their owners.
    ServiceStats snapshot(qint64 uniqueUsers, qint64 memoryBytes) const;
    Totals totals() const;
    /// p50 and p99 of the latest samples, and sum and count of all.
    LatencySummary latencySummary() const;

    /// The `quantile` (0..1) of `samples` by the nearest-rank method: the smallest sample that at
    /// least that fraction of the samples is less than or equal to, so always a measured value. 0 when
    /// there are none. Reorders `samples`.
    static double percentile(std::vector<qint64> &samples, double quantile);

private:
    friend class StatisticsCounters;
    qint64 sum(std::atomic<qint64> StatisticsCounters::*counter) const;
    void connectionOpened();
    void connectionClosed();

    const Clock &m_clock;
    const qint64 m_startTime;
    std::vector<std::unique_ptr<StatisticsCounters>> m_blocks; // [0] common, then one per shard
    alignas(64) std::atomic<qint64> m_activeConnections{0};
    std::atomic<qint64> m_peakConnections{0};
};

} // namespace wsinfra
