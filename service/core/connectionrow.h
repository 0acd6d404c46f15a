#pragma once

#include <QList>
#include <QString>

namespace wsinfra {

/// One admitted connection as operators see it (the console's Connections page).
struct ConnectionRow
{
    QString id; ///< the public connection id
    QString userId;
    QString address;
    QString transport; ///< "websocket" or "socket.io"
    qint64 connectedAtMs = 0;
    qint64 lastSeenMs = 0;
    qint64 queuedBytes = 0; ///< waiting in its queue and its transport
    qint64 messagesIn = 0;  ///< client messages received (after the rate limit)
    qint64 messagesOut = 0; ///< envelopes sent to it (each message of a batch)
    QList<qint64> bills;    ///< ascending
};

} // namespace wsinfra
