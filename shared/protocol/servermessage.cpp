#include "protocol/servermessage.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace wsinfra::ServerMessage {

namespace {

QJsonObject withId(QJsonObject envelope, const QJsonValue &requestId)
{
    if (!requestId.isUndefined() && !requestId.isNull())
        envelope.insert(u"id"_s, requestId);
    return envelope;
}

QJsonArray toArray(const QList<qint64> &billIds)
{
    QJsonArray array;
    for (qint64 billId : billIds)
        array.append(billId);
    return array;
}

} // namespace

QJsonObject connected(const QString &connectionId, const QString &userId, qint64 heartbeatIntervalMs)
{
    return {{u"type"_s, QString(Type::Connected)},
            {u"data"_s, QJsonObject{{u"connection_id"_s, connectionId},
                                    {u"user_id"_s, userId.isEmpty() ? QJsonValue() : QJsonValue(userId)},
                                    {u"heartbeat_interval"_s, heartbeatIntervalMs}}}};
}

QJsonObject billUpdate(qint64 billId, qint64 offset, const QString &messageId, qint64 timestampMs,
                       const QJsonValue &data)
{
    return {{u"type"_s, QString(Type::BillUpdate)}, {u"bill_id"_s, billId}, {u"offset"_s, offset},
            {u"message_id"_s, messageId},           {u"ts"_s, timestampMs}, {u"data"_s, data}};
}

QJsonObject notification(const QString &messageId, qint64 timestampMs, const QJsonValue &data)
{
    return {{u"type"_s, QString(Type::Notification)},
            {u"message_id"_s, messageId},
            {u"ts"_s, timestampMs},
            {u"data"_s, data}};
}

QJsonObject broadcast(const QString &messageId, qint64 timestampMs, const QJsonValue &data)
{
    return {
        {u"type"_s, QString(Type::Broadcast)}, {u"message_id"_s, messageId}, {u"ts"_s, timestampMs}, {u"data"_s, data}};
}

QJsonObject subscribed(const QJsonValue &requestId, const QList<qint64> &billIds, const QHash<qint64, qint64> &offsets)
{
    QJsonObject offsetObject;
    for (auto it = offsets.cbegin(); it != offsets.cend(); ++it)
        offsetObject.insert(QString::number(it.key()), it.value());
    return withId({{u"type"_s, QString(Type::Subscribed)},
                   {u"data"_s, QJsonObject{{u"bill_ids"_s, toArray(billIds)}, {u"offsets"_s, offsetObject}}}},
                  requestId);
}

QJsonObject unsubscribed(const QJsonValue &requestId, const QList<qint64> &billIds)
{
    return withId(
        {{u"type"_s, QString(Type::Unsubscribed)}, {u"data"_s, QJsonObject{{u"bill_ids"_s, toArray(billIds)}}}},
        requestId);
}

QJsonObject pong(const QJsonValue &requestId)
{
    return withId({{u"type"_s, QString(Type::Pong)}}, requestId);
}

QJsonObject error(const QJsonValue &requestId, const QString &code, const QString &message, const QJsonObject &extra)
{
    QJsonObject envelope = extra;
    envelope.insert(u"type"_s, QString(Type::Error));
    envelope.insert(u"code"_s, code);
    envelope.insert(u"message"_s, message);
    return withId(envelope, requestId);
}

QString encode(const QJsonObject &envelope)
{
    return QString::fromUtf8(QJsonDocument(envelope).toJson(QJsonDocument::Compact));
}

} // namespace wsinfra::ServerMessage
