#pragma once

#include "transport/socketio/socketioserver.h"

#include <QObject>

namespace wsinfra {

class EngineIoServer;

/// The --socketio mode of the conformance server: the Socket.IO layer set up like the reference server of the
/// official test suite (socketio/socket.io-protocol, test-suite/): namespaces "/" and "/custom"; every socket gets
/// "auth" with its handshake auth on connect, "message" is answered with "message-back" and the same arguments
/// (binary included), "message-with-ack" is acknowledged with the same arguments; every other namespace is
/// invalid.
class SocketIoConformance : public QObject
{
    Q_OBJECT
public:
    /// The path the suite talks to.
    static constexpr QLatin1StringView Path{"/socket.io/"};
    /// The Socket.IO settings the suite expects: connectTimeout 1000 ms.
    static SocketIoServer::Settings settings();

    SocketIoConformance(EngineIoServer &engine, QObject *parent = nullptr);

    SocketIoServer &server() { return *m_server; }

private:
    static void onConnected(SocketIoSocket *socket);

    SocketIoServer *m_server;
};

} // namespace wsinfra
