#include "protocol/servicestats.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QStringList toStringList(const QJsonValue &value)
{
    QStringList list;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &item : array)
        list.append(item.toString());
    return list;
}

qint64 integer(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).toInteger();
}

} // namespace

QJsonObject ServiceStats::toJson() const
{
    return {{u"totalConnections"_s, totalConnections},
            {u"activeConnections"_s, activeConnections},
            {u"totalMessages"_s, totalMessages},
            {u"totalBroadcasts"_s, totalBroadcasts},
            {u"droppedMessages"_s, droppedMessages},
            {u"duplicateMessages"_s, duplicateMessages},
            {u"queueOverflows"_s, queueOverflows},
            {u"reconnections"_s, reconnections},
            {u"startTime"_s, startTime},
            {u"lastActivity"_s, lastActivity},
            {u"peakConnections"_s, peakConnections},
            {u"uptime"_s, uptime},
            {u"memoryUsage"_s, memoryUsage},
            {u"uniqueUsers"_s, uniqueUsers},
            {u"averageLatency"_s, averageLatency},
            {u"deliveredMessages"_s, deliveredMessages}};
}

ServiceStats ServiceStats::fromJson(const QJsonObject &object)
{
    ServiceStats stats;
    stats.totalConnections = integer(object, "totalConnections"_L1);
    stats.activeConnections = integer(object, "activeConnections"_L1);
    stats.totalMessages = integer(object, "totalMessages"_L1);
    stats.totalBroadcasts = integer(object, "totalBroadcasts"_L1);
    stats.droppedMessages = integer(object, "droppedMessages"_L1);
    stats.duplicateMessages = integer(object, "duplicateMessages"_L1);
    stats.queueOverflows = integer(object, "queueOverflows"_L1);
    stats.reconnections = integer(object, "reconnections"_L1);
    stats.startTime = integer(object, "startTime"_L1);
    stats.lastActivity = integer(object, "lastActivity"_L1);
    stats.peakConnections = integer(object, "peakConnections"_L1);
    stats.uptime = integer(object, "uptime"_L1);
    stats.memoryUsage = integer(object, "memoryUsage"_L1);
    stats.uniqueUsers = integer(object, "uniqueUsers"_L1);
    stats.averageLatency = object.value("averageLatency"_L1).toDouble();
    stats.deliveredMessages = integer(object, "deliveredMessages"_L1);
    return stats;
}

QJsonObject HealthStatus::toJson() const
{
    return {{u"isHealthy"_s, isHealthy},
            {u"status"_s, status},
            {u"uptime"_s, uptime},
            {u"memoryUsage"_s, memoryUsage},
            {u"connectionHealth"_s, connectionHealth},
            {u"queueHealth"_s, queueHealth},
            {u"warnings"_s, toArray(warnings)},
            {u"errors"_s, toArray(errors)},
            {u"lastCheck"_s, lastCheck}};
}

HealthStatus HealthStatus::fromJson(const QJsonObject &object)
{
    HealthStatus health;
    health.isHealthy = object.value("isHealthy"_L1).toBool();
    health.status = object.value("status"_L1).toString();
    health.uptime = integer(object, "uptime"_L1);
    health.memoryUsage = object.value("memoryUsage"_L1).toDouble();
    health.connectionHealth = object.value("connectionHealth"_L1).toBool();
    health.queueHealth = object.value("queueHealth"_L1).toBool();
    health.warnings = toStringList(object.value("warnings"_L1));
    health.errors = toStringList(object.value("errors"_L1));
    health.lastCheck = integer(object, "lastCheck"_L1);
    return health;
}

} // namespace wsinfra
