#include "monitoring/healthchecker.h"

using namespace Qt::StringLiterals;

namespace wsinfra {

HealthStatus HealthChecker::evaluate(const Inputs &inputs) const
{
    HealthStatus health;
    health.uptime = inputs.uptimeMs;
    health.memoryUsage = inputs.memoryPercent;
    health.lastCheck = inputs.nowMs;

    const QString memory = QString::number(inputs.memoryPercent, 'f', 1);
    int memoryLevel = inputs.memoryLevel;
    if (memoryLevel < 0)
        memoryLevel = inputs.memoryPercent >= m_thresholds.memoryEmergency  ? 3
                      : inputs.memoryPercent >= m_thresholds.memoryCritical ? 2
                      : inputs.memoryPercent >= m_thresholds.memoryWarning  ? 1
                                                                            : 0;
    if (memoryLevel >= 3)
        health.errors.append(
            u"memory at %1% of budget (emergency threshold %2%): new connections are refused"_s.arg(memory).arg(
                m_thresholds.memoryEmergency));
    else if (memoryLevel == 2)
        health.warnings.append(
            u"memory at %1% of budget (critical threshold %2%)"_s.arg(memory).arg(m_thresholds.memoryCritical));
    else if (memoryLevel == 1)
        health.warnings.append(
            u"memory at %1% of budget (warning threshold %2%)"_s.arg(memory).arg(m_thresholds.memoryWarning));

    const qint64 maxConnections = qMax<qint64>(1, inputs.maxConnections);
    const qint64 connectionPercent = inputs.activeConnections * 100 / maxConnections;
    if (inputs.activeConnections >= maxConnections) {
        health.connectionHealth = false;
        health.warnings.append(u"at the connection limit (%1): new clients are refused"_s.arg(maxConnections));
    } else if (connectionPercent >= m_thresholds.connectionWarningPercent) {
        health.warnings.append(u"connections at %1% of the limit (%2)"_s.arg(connectionPercent).arg(maxConnections));
    }
    // One slow phone is normal life; many connections over their budget mean the service cannot
    // keep up with its publishers (or the network is failing).
    if (inputs.slowConsumers > 0 &&
        inputs.slowConsumers * 100 >= qMax<qint64>(1, inputs.activeConnections) * m_thresholds.slowConsumerPercent) {
        health.queueHealth = false;
        health.warnings.append(
            u"%1 of %2 connections are over their outbound budget (slow consumers)"_s.arg(inputs.slowConsumers)
                .arg(inputs.activeConnections));
    }
    if (!inputs.brokerConnected)
        health.warnings.append((inputs.brokerError.isEmpty() ? u"cluster broker unreachable"_s : inputs.brokerError) +
                               u": publishes reach this node's clients only"_s);
    if (inputs.shuttingDown)
        health.errors.append(u"shutting down"_s);

    if (!health.errors.isEmpty())
        health.status = u"unhealthy"_s;
    else if (!health.warnings.isEmpty())
        health.status = u"degraded"_s;
    else
        health.status = u"healthy"_s;
    health.isHealthy = health.errors.isEmpty();
    return health;
}

} // namespace wsinfra
