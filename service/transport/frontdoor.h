#pragma once

#include "transport/httprequestparser.h"
#include "transport/originpolicy.h"
#include "transport/trustedproxies.h"

#include <QHostAddress>
#include <QObject>

#include <functional>

namespace wsinfra {

class ConnectionManager;
class RequestSniffer;
class TcpListener;
class JwtVerifier;
class ShardPool;
class StatisticsCounters;

/// Accepts every TCP connection of the public port, peeks at the request head without consuming
/// it, and routes: WebSocket upgrades on /ws are authenticated, admitted and handed to a shard with
/// their request still unread; everything else goes to the HTTP API. A rejected upgrade never
/// reaches the managers: 403 for an Origin not in allowedOrigins, 401 for a bad token, 503 when full
/// or shutting down. The client's address is the peer's, or what a trusted proxy forwarded.
class FrontDoor : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        HttpLimits headLimits;
        qint64 headTimeoutMs = 10'000;
        bool allowAnonymous = false;
        OriginPolicy allowedOrigins;   ///< empty: Origin is not checked
        TrustedProxies trustedProxies; ///< whose X-Forwarded-For names the client
    };
    using HttpHandoff = std::function<void(qintptr socketDescriptor)>;

    FrontDoor(const Settings &settings, const JwtVerifier &verifier, ConnectionManager &connections, ShardPool &shards,
              StatisticsCounters &statistics, HttpHandoff toHttpApi, QObject *parent = nullptr);
    ~FrontDoor() override;

    /// Listens on the public port; false with errorString() set on failure.
    bool listen(const QHostAddress &address, quint16 port);
    QHostAddress serverAddress() const;
    quint16 serverPort() const;
    QString errorString() const;
    /// Stops accepting (shutdown).
    void stopAccepting();

private:
    void incomingConnection(qintptr socketDescriptor);
    void route(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength);
    void upgrade(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength);
    /// A WebSocket at the Socket.IO path: to the shard that owns its Engine.IO session (or a new one).
    void upgradeEngineIo(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength);
    /// Consumes the head, answers with a short JSON error and closes the socket.
    void reject(qintptr socketDescriptor, qsizetype consume, int status, const QString &code, const QString &message,
                const QList<QPair<QByteArray, QByteArray>> &headers = {});

    const Settings m_settings;
    const JwtVerifier &m_verifier;
    ConnectionManager &m_connections;
    ShardPool &m_shards;
    StatisticsCounters &m_statistics;
    HttpHandoff m_toHttpApi;
    TcpListener *m_listener;
    RequestSniffer *m_sniffer;
    bool m_accepting = true;
};

} // namespace wsinfra
