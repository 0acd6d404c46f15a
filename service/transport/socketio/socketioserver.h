#pragma once

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace wsinfra {

class EngineIoServer;
class EngineIoSession;
class SocketIoSocket;

/// The Socket.IO v5 server over one EngineIoServer: a SocketIoClient per Engine.IO session decodes its packets,
/// answers CONNECT for the registered namespaces and hands out a SocketIoSocket per joined namespace. Generic:
/// what a namespace means (authentication, events) is up to its Authorize and Connected functions.
///
/// A client that joins no namespace within connectTimeoutMs is closed; a malformed packet closes the Engine.IO
/// session (its sockets get disconnected("parse error")); an EVENT for a namespace the client has not joined is
/// ignored; a client DISCONNECT gives disconnected("client namespace disconnect") and the session stays; when the
/// Engine.IO session closes, every socket of it gets disconnected(<reason>).
class SocketIoServer : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        qint64 connectTimeoutMs = 45'000; // <= 0: no timeout
        int maxAttachments = 10;
    };
    struct ConnectRequest
    {
        QString nsp;
        QJsonObject auth;
        QString peerAddress;
        EngineIoSession *engine = nullptr;
    };
    struct ConnectDecision
    {
        bool accepted = false;
        QString errorMessage; // CONNECT_ERROR {"message": errorMessage, "data": errorData if not undefined}
        QJsonValue errorData = QJsonValue(QJsonValue::Undefined);
        QString socketId; // empty: a fresh random id
        QString pid;      // non-empty: sent as "pid" in the CONNECT answer (connection state recovery)
    };
    /// Decides a CONNECT to the namespace, synchronously.
    using Authorize = std::function<ConnectDecision(const ConnectRequest &request)>;
    /// Called right AFTER the CONNECT answer went out.
    using Connected = std::function<void(SocketIoSocket *socket)>;

    SocketIoServer(const Settings &settings, EngineIoServer &engine, QObject *parent = nullptr);
    ~SocketIoServer() override;

    /// Namespaces not registered answer CONNECT_ERROR {"message":"Invalid namespace"}. A null Authorize accepts
    /// every CONNECT. Registering a namespace again replaces its functions.
    void addNamespace(const QString &nsp, Authorize authorize, Connected connected);
    /// Shutdown: every socket gets disconnected("server shutting down"), then EngineIoServer::closeAll().
    void closeAll();
    /// Engine.IO sessions the server currently follows.
    int clientCount() const;

private:
    friend class SocketIoClient;
    struct Namespace
    {
        Authorize authorize;
        Connected connected;
    };

    std::optional<Namespace> findNamespace(const QString &nsp) const;
    void onSessionOpened(EngineIoSession *session);

    const Settings m_settings;
    EngineIoServer &m_engine;
    QHash<QString, Namespace> m_namespaces;
};

} // namespace wsinfra
