#pragma once

#include "protocol/result.h"

#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace wsinfra {

/// The requests a client may send (PROTOCOL.md, "Client protocol").
enum class ClientMessageType { Subscribe, Unsubscribe, Ping, Ack };

/// One validated client request. Only the fields of its type are filled.
struct ClientMessage
{
    ClientMessageType type = ClientMessageType::Ping;
    QJsonValue id = QJsonValue(QJsonValue::Undefined); // the request's "id" (string or number) or Undefined
    QList<qint64> billIds;                             // subscribe/unsubscribe: deduplicated, in first-seen order
    QHash<qint64, qint64> since;                       // subscribe: bill id -> last offset the client has (>= 0)
    QStringList messageIds;                            // ack: deduplicated, in first-seen order
};

/// Bounds on what one client frame may ask for.
struct ClientMessageLimits
{
    int maxBillIds = 1000;
    qsizetype maxBytes = 1024 * 1024;
    int maxMessageIds = 1000; ///< per ack
};

/// Text frame -> JSON object. Errors: bad_request (not JSON / not an object / too large).
Result<QJsonObject> parseJsonObject(QByteArrayView text, const ClientMessageLimits &limits = {});

/// JSON object -> message. Errors: bad_request with a message naming the field. Unknown extra fields are
/// ignored so that newer clients keep working.
Result<ClientMessage> parseClientMessage(const QJsonObject &object, const ClientMessageLimits &limits = {});

/// The "id" of a request if it is a string (<= 256 chars) or a finite number; Undefined otherwise. Used to
/// correlate error replies even when the rest of the message is bad.
QJsonValue requestIdOf(const QJsonObject &object);

} // namespace wsinfra
