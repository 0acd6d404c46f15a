#pragma once

#include "transport/engineio/engineiosession.h"
#include "transport/socketio/socketiopacket.h"
#include "transport/socketio/socketioserver.h"

#include <QHash>
#include <QObject>
#include <QPointer>

class QTimer;

namespace wsinfra {

class SocketIoSocket;

/// Internal to SocketIoServer: the Socket.IO side of one Engine.IO session. Decodes what the client sends,
/// answers CONNECT, routes events to the socket of their namespace and disconnects every socket when the session
/// ends. Deletes itself (deleteLater) once the session has closed.
class SocketIoClient : public QObject
{
    Q_OBJECT
public:
    SocketIoClient(SocketIoServer &server, EngineIoSession *engine, const SocketIoServer::Settings &settings);

    EngineIoSession *engine() const { return m_engine; }
    /// Sends the encoded messages of a packet: the first as text, the rest as binary. Nothing once closing.
    void sendMessages(const QList<QByteArray> &messages);
    /// One text message that many clients are sent (EngineIoSession::sendSharedMessage).
    void sendSharedMessage(const QByteArray &packet, const QByteArray &webSocketFrame);
    /// A socket of this client disconnected on the server's side: forget it.
    void forget(SocketIoSocket *socket);
    /// Shutdown of the server: every socket gets disconnected("server shutting down"); the Engine.IO server
    /// closes the session.
    void shutdown();

private:
    void onMessage(const QByteArray &utf8);
    void onBinary(const QByteArray &bytes);
    void onClosed(const QString &engineReason);
    void onConnectTimeout();
    void handlePacket(const SocketIoPacket &packet);
    void handleConnect(const SocketIoPacket &packet);
    void failParse(const Error &error);
    void disconnectAll(const QString &reason);
    void send(const SocketIoPacket &packet);

    SocketIoServer &m_server;
    QPointer<EngineIoSession> m_engine;
    SocketIoDecoder m_decoder;
    QHash<QString, SocketIoSocket *> m_sockets; // by namespace
    QTimer *m_connectTimer = nullptr;
    bool m_closing = false;
};

} // namespace wsinfra
