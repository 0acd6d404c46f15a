#pragma once

#include "transport/httprequestparser.h"
#include "transport/httpserverconnection.h"
#include "transport/trustedproxies.h"

#include <QHash>
#include <QObject>
#include <QSet>

namespace wsinfra {

class ConnectionRateLimiter;
class Service;

/// The HTTP API of the public port (PROTOCOL.md "HTTP API"): the backend publishes and queries
/// through it; /health and /metrics serve load balancers and Prometheus. Routes map one to one to
/// the C++ API of Service.
class HttpApi : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        HttpLimits limits;
        qint64 idleTimeoutMs = 30'000;
        QByteArray apiKey;                               ///< empty: only loopback clients may use /api
        TrustedProxies trustedProxies;                   ///< whose X-Forwarded-For names the client
        ConnectionRateLimiter *connectionRate = nullptr; ///< new Engine.IO sessions per client; null: none
    };

    HttpApi(const Settings &settings, Service &service, QObject *parent = nullptr);

    /// Serves a connection whose request the front door has peeked at but not consumed.
    void adopt(const IncomingSocket &incoming);
    /// Lets answers in flight finish, closes idle connections; `done` runs when none is left.
    void drain(std::function<void()> done);
    /// Connections the API holds now (reading a request, answering one, or kept alive).
    int connectionCount() const { return int(m_connections.size()); }
    /// Those of them from this peer address (clientAddressText() form; the peer, not a forwarded client).
    int connectionsFrom(const QString &peerAddress) const { return m_connectionsByPeer.value(peerAddress); }

    /// Replaces the API key (a configuration reload): requests from now on need the new one.
    void setApiKey(const QByteArray &apiKey) { m_settings.apiKey = apiKey; }

    /// Handles one request from the connection's `peer` address (public for tests of routing without a socket).
    void handle(const HttpRequest &request, const QString &peer, const HttpServerConnection::Respond &respond);

private:
    bool authorized(const HttpRequest &request, const QString &peerAddress) const;
    void handleApi(const HttpRequest &request, const QList<QByteArray> &segments,
                   const HttpServerConnection::Respond &respond);
    void publish(const HttpRequest &request, const QList<QByteArray> &segments,
                 const HttpServerConnection::Respond &respond);

    Settings m_settings;
    Service &m_service;
    QSet<HttpServerConnection *> m_connections;
    QHash<QString, int> m_connectionsByPeer;
    std::function<void()> m_drained;
};

} // namespace wsinfra
