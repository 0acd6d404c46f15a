#pragma once

#include "monitoring/statisticscollector.h"
#include "protocol/servicestats.h"

#include <QByteArray>
#include <QJsonObject>

#include <array>

namespace wsinfra {

/// Formats what the service measures: the ServiceMetrics JSON of `getMetrics()` and the same
/// figures in the Prometheus text exposition format for /metrics.
class MetricsReporter
{
public:
    struct Figures
    {
        ServiceStats stats;
        HealthStatus health;
        qint64 subscriptions = 0;
        qint64 subscribedBills = 0;
        qint64 historyEntries = 0;
        qint64 historyBills = 0;
        qint64 inboxEntries = 0; ///< unacknowledged notifications kept
        qint64 inboxUsers = 0;
        qint64 memoryBudgetBytes = 0;
        int memoryLevel = 0; ///< MemoryManager::Level: 0 normal, 1 warning, 2 critical, 3 emergency
        std::array<double, 4> memoryThresholds{};      ///< percent of the budget entering each level (index 0 unused)
        int degradationStep = 0;                       ///< ProgressiveDegradation: 0 none to 3 emergency
        std::array<qint64, 4> degradationStepsTaken{}; ///< per step 1-3 (index 0 unused)
        qint64 shedConnections = 0;                    ///< closed with 4004 under memory pressure
        StatisticsCollector::Totals totals;            ///< counters by type, bytes, security, latency buckets
        bool brokerEnabled = false;                    ///< a cluster broker (Redis) is configured
        bool brokerConnected = true;                   ///< ... and reaches the cluster
        bool tls = false;                              ///< the public port speaks TLS
        qint64 tlsHandshakeFailures = 0;               ///< failed or timed-out handshakes since the start
        qint64 tlsCertificateExpiresAt = 0;            ///< seconds since the epoch (0 without TLS)
        int ioThreads = 0;
        QString eventDispatcher; ///< "epoll" or "qt" on every event-loop thread, "mixed" when they differ
        // Delivery latency: percentiles of the latest samples (0 without any), sum and count of all.
        double latencyP50 = 0.0;
        double latencyP99 = 0.0;
        qint64 latencyCount = 0;
        qint64 latencySumMs = 0;
    };

    static QJsonObject toJson(const Figures &figures);
    static QByteArray toPrometheus(const Figures &figures);
};

} // namespace wsinfra
