#pragma once

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QList>
#include <QString>

namespace wsinfra {

/// Builders of the server-to-client envelopes of the wire contract (PROTOCOL.md). Each returns the
/// JSON object; transports frame it (a native text frame, a Socket.IO event). `encode` makes the
/// compact UTF-8 text once, so a publish is serialised once for every recipient.
namespace ServerMessage {

/// The `type` of each server envelope; Socket.IO sends each as the event of that name.
namespace Type {
inline constexpr QLatin1StringView Connected{"connected"};
inline constexpr QLatin1StringView BillUpdate{"bill_update"};
inline constexpr QLatin1StringView Notification{"notification"};
inline constexpr QLatin1StringView Broadcast{"broadcast"};
inline constexpr QLatin1StringView Subscribed{"subscribed"};
inline constexpr QLatin1StringView Unsubscribed{"unsubscribed"};
inline constexpr QLatin1StringView Pong{"pong"};
inline constexpr QLatin1StringView Error{"error"};
inline constexpr QLatin1StringView Batch{"batch"};
} // namespace Type

QJsonObject connected(const QString &connectionId, const QString &userId, qint64 heartbeatIntervalMs);
QJsonObject billUpdate(qint64 billId, qint64 offset, const QString &messageId, qint64 timestampMs,
                       const QJsonValue &data);
QJsonObject notification(const QString &messageId, qint64 timestampMs, const QJsonValue &data);
QJsonObject broadcast(const QString &messageId, qint64 timestampMs, const QJsonValue &data);
QJsonObject subscribed(const QJsonValue &requestId, const QList<qint64> &billIds, const QHash<qint64, qint64> &offsets);
QJsonObject unsubscribed(const QJsonValue &requestId, const QList<qint64> &billIds);
QJsonObject pong(const QJsonValue &requestId);
/// An `error` frame; `extra` fields (e.g. bill_id and offset of unrecoverable_position) are merged in.
QJsonObject error(const QJsonValue &requestId, const QString &code, const QString &message,
                  const QJsonObject &extra = {});

/// Compact JSON text of an envelope.
QString encode(const QJsonObject &envelope);

} // namespace ServerMessage
} // namespace wsinfra
