#pragma once

#include "protocol/servicestats.h"

namespace wsinfra {

/// Turns what the service measures into its HealthStatus. A pure function of its inputs, so every
/// rule is testable without a running service.
class HealthChecker
{
public:
    struct Thresholds
    {
        int memoryWarning = 70;
        int memoryCritical = 85;
        int memoryEmergency = 95;
        int connectionWarningPercent = 90;
        int slowConsumerPercent = 5; ///< of the active connections, at least one
    };
    struct Inputs
    {
        qint64 nowMs = 0;
        qint64 uptimeMs = 0;
        double memoryPercent = 0.0;
        /// The memory level (0 normal .. 3 emergency) the memory manager settled on, with its
        /// hysteresis; -1: derived from memoryPercent alone.
        int memoryLevel = -1;
        qint64 activeConnections = 0;
        qint64 maxConnections = 1;
        qint64 slowConsumers = 0; ///< connections over their outbound budget now
        bool brokerConnected = true;
        QString brokerError; ///< why the broker cannot reach the cluster (shown in the warning)
        bool shuttingDown = false;
    };

    explicit HealthChecker(const Thresholds &thresholds) : m_thresholds(thresholds) {}

    /// healthy: all fine; degraded: serving, with warnings; unhealthy: should not get new traffic
    /// (memory at emergency, or shutting down).
    HealthStatus evaluate(const Inputs &inputs) const;

private:
    Thresholds m_thresholds;
};

} // namespace wsinfra
