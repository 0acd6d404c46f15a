#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace wsinfra {

/// Counters of the service, field for field the ServiceStats of the original design
/// (camelCase names on the wire), plus `deliveredMessages`: frames handed to client sockets.
/// Times are milliseconds since the epoch, durations milliseconds, memory bytes.
struct ServiceStats
{
    qint64 totalConnections = 0;
    qint64 activeConnections = 0;
    qint64 totalMessages = 0;
    qint64 totalBroadcasts = 0;
    qint64 droppedMessages = 0;
    qint64 duplicateMessages = 0;
    qint64 queueOverflows = 0;
    qint64 reconnections = 0;
    qint64 startTime = 0;
    qint64 lastActivity = 0;
    qint64 peakConnections = 0;
    qint64 uptime = 0;
    qint64 memoryUsage = 0;
    qint64 uniqueUsers = 0;
    double averageLatency = 0.0;
    qint64 deliveredMessages = 0;

    QJsonObject toJson() const;
    static ServiceStats fromJson(const QJsonObject &object);
};

/// Health as the original design's HealthStatus: `status` is "healthy", "degraded" or "unhealthy";
/// `memoryUsage` is a percentage of the memory budget.
struct HealthStatus
{
    bool isHealthy = true;
    QString status;
    qint64 uptime = 0;
    double memoryUsage = 0.0;
    bool connectionHealth = true;
    bool queueHealth = true;
    QStringList warnings;
    QStringList errors;
    qint64 lastCheck = 0;

    QJsonObject toJson() const;
    static HealthStatus fromJson(const QJsonObject &object);
};

} // namespace wsinfra
