#pragma once

#include "core/clienttransport.h"

#include <QJsonArray>
#include <QPointer>
#include <QString>

#include <map>

namespace wsinfra {

class SocketIoEventCache;
class SocketIoSocket;

/// The native protocol's envelopes as Socket.IO events (PROTOCOL.md "Socket.IO"): each server envelope
/// is emitted as the event named after its type with the envelope as its argument; a bill update
/// carries its node-wide sequence as a last string argument, the offset Socket.IO's connection state
/// recovery sends back. The client's `message` event carries an envelope; `subscribe`, `unsubscribe`,
/// `ping` and `ack` events carry an envelope's data. An acknowledgement callback gets the reply the
/// native protocol would send, or no arguments where it sends none (ack). A `notification` event asks
/// for an acknowledgement: the client calling it acknowledges the notification as the `ack` envelope does.
class SocketIoTransport final : public ClientTransport
{
    Q_OBJECT
public:
    /// How long the notice of a close precedes the end of the Engine.IO session.
    static constexpr int CloseNoticeDelayMs = 100;

    /// `events` (the shard's, may be nullptr) outlives the transport: publications are encoded once there.
    SocketIoTransport(SocketIoSocket *socket, SocketIoEventCache *events, QObject *parent = nullptr);
    ~SocketIoTransport() override;

    void sendText(QLatin1StringView type, const QString &text, qint64 sequence) override;
    void sendReply(QLatin1StringView type, const QString &text) override;
    /// Tells the client why in an `error` event (with `close_code`), then ends the Engine.IO session for
    /// codes below 4500 (the client reconnects, and recovers) or leaves the namespace for the others
    /// (the client does not reconnect by itself).
    void close(int code, const QString &reason) override;
    /// Engine.IO runs its own heartbeat and closes a silent session; as long as the socket is there,
    /// the client is alive.
    void ping() override;
    void abort() override;
    /// What the Engine.IO session holds for the client (a polling session between two GETs).
    qint64 bufferedBytes() const override;
    QLatin1StringView name() const override { return QLatin1StringView("socket.io"); }

    /// The envelope text a client event stands for (public for tests).
    static QString envelopeOf(const QJsonArray &arguments);

private:
    void onEvent(const QJsonArray &arguments, const QList<QByteArray> &attachments, qint64 ackId);
    void onAck(qint64 ackId);

    QPointer<SocketIoSocket> m_socket;
    SocketIoEventCache *m_events;
    qint64 m_pendingAck = -1; ///< the acknowledgement the event being handled asked for
    /// The message_id of each notification whose acknowledgement the socket awaits, by ack id; bounded
    /// like the socket's own set (ids only grow, so the first is the oldest).
    std::map<qint64, QString> m_notificationAcks;
    bool m_closing = false;
    bool m_closed = false;
};

} // namespace wsinfra
