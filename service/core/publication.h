#pragma once

#include <QMetaType>
#include <QString>

namespace wsinfra {

/// One message on its way to clients, encoded once: every recipient is sent the same `frame`.
struct Publication
{
    enum class Kind { BillUpdate, Notification, Broadcast };
    Kind kind = Kind::Broadcast;
    qint64 billId = 0;   ///< BillUpdate
    qint64 offset = 0;   ///< BillUpdate: position in the bill's stream
    qint64 sequence = 0; ///< BillUpdate: node-wide position (ChannelHistory), the Socket.IO recovery offset
    QString userId;      ///< Notification
    QString messageId;
    qint64 timestampMs = 0;
    QString frame; ///< the JSON envelope as sent on a native WebSocket
};

} // namespace wsinfra

Q_DECLARE_METATYPE(wsinfra::Publication)
