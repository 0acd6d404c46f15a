#pragma once

#include "transport/httprequestparser.h"
#include "transport/incomingsocket.h"
#include "transport/originpolicy.h"
#include "transport/trustedproxies.h"

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>

#include <functional>

namespace wsinfra {

class ConnectionManager;
class ConnectionRateLimiter;
class RequestSniffer;
class TcpListener;
class TlsAcceptor;
class JwtVerifier;
class ShardPool;
class StatisticsCounters;

/// Accepts every TCP connection of the public port (through TlsAcceptor when the port speaks TLS),
/// peeks at the request head without consuming it, and routes: WebSocket upgrades on /ws are
/// authenticated, admitted and handed to a shard with their request still unread; everything else goes
/// to the HTTP API. A rejected upgrade never
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
        bool tls = false;              ///< the port speaks TLS only (https, wss)
        QSslConfiguration tlsConfiguration;
        /// Connections whose head has not arrived plus those the HTTP API holds; beyond: 503 at once.
        int maxPendingRequests = 4096;
        int maxPendingRequestsPerIp = 128;               ///< the same from one peer (not a trusted proxy); 0 = no limit
        ConnectionRateLimiter *connectionRate = nullptr; ///< new WebSockets per client address; null: none
    };
    using HttpHandoff = std::function<void(const IncomingSocket &incoming)>;

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
    /// The connections the HTTP API holds, in all and from one peer address: counted against
    /// maxPendingRequests and maxPendingRequestsPerIp.
    struct HttpLoad
    {
        std::function<int()> total;
        std::function<int(const QString &peerAddress)> from;
    };
    void setHttpLoad(HttpLoad load) { m_httpLoad = std::move(load); }
    /// New TLS credentials for the connections that arrive from now on (reload); no-op without TLS.
    void setTlsConfiguration(const QSslConfiguration &configuration);
    /// TLS handshakes that failed or timed out since the start.
    qint64 tlsHandshakeFailures() const;

private:
    void incomingConnection(qintptr socketDescriptor);
    /// Why a new connection from `peerAddress` is refused at once (empty: it is not).
    QString pendingRefusal(const QString &peerAddress) const;
    /// Whether a new WebSocket or Engine.IO session of `clientAddress` is within the connection rate;
    /// if not, answers 429 and closes.
    bool withinConnectionRate(const IncomingSocket &incoming, qsizetype headLength, const QString &clientAddress);
    void route(const IncomingSocket &incoming, const HttpRequest &head, qsizetype headLength);
    void upgrade(const IncomingSocket &incoming, const HttpRequest &head, qsizetype headLength);
    /// A WebSocket at the Socket.IO path: to the shard that owns its Engine.IO session (or a new one).
    void upgradeEngineIo(const IncomingSocket &incoming, const HttpRequest &head, qsizetype headLength);
    /// Consumes the head, answers with a short JSON error and closes the socket.
    void reject(const IncomingSocket &incoming, qsizetype consume, int status, const QString &code,
                const QString &message, const QList<QPair<QByteArray, QByteArray>> &headers = {});

    const Settings m_settings;
    const JwtVerifier &m_verifier;
    ConnectionManager &m_connections;
    ShardPool &m_shards;
    StatisticsCounters &m_statistics;
    HttpHandoff m_toHttpApi;
    HttpLoad m_httpLoad;
    TcpListener *m_listener;
    RequestSniffer *m_sniffer;
    TlsAcceptor *m_tls = nullptr; ///< only when the port speaks TLS
    bool m_accepting = true;
};

} // namespace wsinfra
