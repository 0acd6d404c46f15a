#pragma once

#include "core/connection.h"
#include "transport/socketioeventcache.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

class QUrlQuery;

namespace wsinfra {

class ServerWebSocket;

class EngineIoServer;
class EngineIoSession;
class Shard;
class SocketIoServer;
class SocketIoSocket;
struct HttpRequest;
struct HttpResponse;

/// Socket.IO on one shard: the shard's Engine.IO server (sessions whose sid carries the shard's
/// prefix) and the Socket.IO server on it, whose default namespace "/" is the service. A CONNECT is
/// authenticated with the JWT of its auth payload, admitted by the node's connection limits, and
/// may resume a session that lost its transport (connection state recovery); the socket then
/// becomes a Connection of the shard like any native WebSocket.
class SocketIoEndpoint : public QObject
{
    Q_OBJECT
public:
    /// The path Socket.IO clients use by default.
    static constexpr QLatin1StringView Path{"/socket.io/"};

    SocketIoEndpoint(Shard &shard, int shardIndex, QObject *parent = nullptr);
    ~SocketIoEndpoint() override;

    void handleHttp(const HttpRequest &request, const QString &peerAddress,
                    std::function<void(const HttpResponse &)> respond);
    /// Takes an upgraded WebSocket at the Socket.IO path.
    void handleWebSocket(ServerWebSocket *socket, const QString &peerAddress, const QUrlQuery &query);
    /// Shutdown: ends every session (connections were closed by the shard first).
    void closeAll();

    /// The sid prefix of a shard's sessions, and the shard a sid belongs to (-1 if none).
    static QString sidPrefix(int shardIndex);
    static int shardOfSid(QStringView sid);
    /// Open Engine.IO sessions of the shard (with or without a Socket.IO connection).
    int sessionCount() const;

private:
    struct Admitted
    {
        AdmissionTicket ticket;
        QString pid;
        QString connectionId;
        QList<qint64> resumeBills;
        qint64 resumeSequence = -1; ///< >= 0: a recovered session
    };

    void connected(SocketIoSocket *socket);

    Shard &m_shard;
    EngineIoServer *m_engine;
    SocketIoServer *m_server;
    SocketIoEventCache m_events;
    QHash<EngineIoSession *, Admitted> m_admitted; ///< between an accepted CONNECT and connected()
};

} // namespace wsinfra
