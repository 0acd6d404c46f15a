#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <set>

namespace wsinfra {

class EngineIoSession;
class SocketIoClient;
struct SocketIoPacket;

/// One Socket.IO client in one namespace. Created by SocketIoServer when a CONNECT is accepted; after
/// disconnected() it sends nothing more and deletes itself (deleteLater). Holding a QPointer to it is the safe
/// way to keep it.
class SocketIoSocket : public QObject
{
    Q_OBJECT
public:
    /// How many acknowledgements of emitEventTextWithAck a socket awaits at most; beyond, the oldest is forgotten
    /// (its late ACK is then ignored), so a client that never answers costs a bounded amount of memory.
    static constexpr qsizetype MaxAwaitedAcks = 1000;

    ~SocketIoSocket() override;

    /// The Socket.IO id sent in the CONNECT answer ("sid").
    QString id() const { return m_id; }
    QString nsp() const { return m_nsp; }
    /// The Engine.IO session the socket lives on; null once that session is gone.
    EngineIoSession *engine() const;
    /// The CONNECT payload (an empty object when the client sent none).
    QJsonObject handshakeAuth() const { return m_auth; }
    /// Until disconnected() was emitted.
    bool isConnected() const { return m_connected; }

    /// An EVENT: arguments are [name, args...]; with attachments it goes out as BINARY_EVENT and the arguments
    /// must hold the placeholders {"_placeholder":true,"num":N}. Ignored once disconnected.
    void emitEvent(const QJsonArray &arguments, const QList<QByteArray> &attachments = {});
    /// Fast path: an EVENT whose arguments array is already serialised JSON text (see encodeEventText).
    void emitEventText(QByteArrayView jsonArrayText);
    /// Emits an EVENT already encoded for this namespace (SocketIoEventCache): `packet` and the WebSocket
    /// frame of its Engine.IO message.
    void emitSharedEvent(const QByteArray &packet, const QByteArray &webSocketFrame);
    /// The same as an EVENT that asks the client for an acknowledgement: returns the ack id allocated for it (0, 1,
    /// 2, ... per socket), whose ACK is reported with ackReceived(), or -1 (nothing sent) once disconnected.
    qint64 emitEventTextWithAck(QByteArrayView jsonArrayText);
    /// Answers the client's event that carried ackId.
    void sendAck(qint64 ackId, const QJsonArray &arguments, const QList<QByteArray> &attachments = {});
    void sendAckText(qint64 ackId, QByteArrayView jsonArrayText);
    /// Server-side namespace disconnect: DISCONNECT packet, then disconnected("server namespace disconnect").
    /// The Engine.IO session stays open.
    void disconnect();
    /// QObject's disconnect() overloads stay usable (e.g. socket->disconnect(receiver)); a call without
    /// arguments on a non-const socket is the namespace disconnect above.
    using QObject::disconnect;

signals:
    /// An EVENT/BINARY_EVENT from the client: arguments[0] is the event name; ackId -1 = no ack requested.
    void eventReceived(const QJsonArray &arguments, const QList<QByteArray> &attachments, qint64 ackId);
    /// The client's ACK/BINARY_ACK for an id emitEventTextWithAck returned and still awaited; each id is reported
    /// at most once. ACKs for any other id are ignored.
    void ackReceived(qint64 ackId, const QJsonArray &arguments, const QList<QByteArray> &attachments);
    /// Once. reason as Socket.IO names them: "client namespace disconnect", "server namespace disconnect",
    /// "transport close", "transport error", "ping timeout", "parse error", "server shutting down", "forced close"
    void disconnected(const QString &reason);

private:
    friend class SocketIoClient;

    SocketIoSocket(SocketIoClient *client, const QString &id, const QString &nsp, const QJsonObject &auth);
    /// Emits disconnected(reason) once and schedules deletion; sends nothing.
    void finish(const QString &reason);
    void sendMessages(const QList<QByteArray> &messages);
    /// An ACK/BINARY_ACK the client sent in this namespace.
    void receiveAck(const SocketIoPacket &packet);

    QPointer<SocketIoClient> m_client;
    const QString m_id;
    const QString m_nsp;
    const QJsonObject m_auth;
    bool m_connected = true;
    qint64 m_nextAckId = 0;
    std::set<qint64> m_awaitedAcks; ///< ids only grow, so the first is the oldest
};

} // namespace wsinfra
