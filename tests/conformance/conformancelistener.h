#pragma once

#include "transport/httprequestparser.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>

namespace wsinfra {

class EngineIoServer;
class HttpServerConnection;
class RequestSniffer;
class TcpListener;
class WriteBatcher;

/// The public port of the conformance server: accepts connections, peeks at each request head and routes
/// WebSocket upgrades at the Engine.IO path to a ServerWebSocket and then to EngineIoServer::handleWebSocket,
/// other requests at the path over HttpServerConnection to EngineIoServer::handleHttp, and answers anything else
/// with 404. Reusable by in-process tests.
class ConformanceListener : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QHostAddress address = QHostAddress(QHostAddress::LocalHost);
        quint16 port = 0;
        HttpLimits limits;             // request heads and bodies
        qint64 headTimeoutMs = 10'000; // for the request head of a new connection, and for a WebSocket handshake
        qint64 idleTimeoutMs = 30'000; // a kept-alive HTTP connection without a request
    };

    /// Serves `engine` (not owned) at `path`, e.g. "/engine.io/": that path with or without the trailing slash,
    /// and everything below it.
    ConformanceListener(const Settings &settings, const QByteArray &path, EngineIoServer *engine,
                        QObject *parent = nullptr);
    ~ConformanceListener() override;

    /// Listens on the address and port of the settings; false with errorString() set on failure.
    bool listen();
    QHostAddress address() const;
    quint16 port() const;
    QString errorString() const;
    /// Stops accepting and closes HTTP connections once their request in flight is answered (shutdown).
    void close();
    /// Whether `path` (percent-decoded, without the query) is served by the Engine.IO server.
    bool servesPath(const QByteArray &path) const;

private:
    void route(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength);
    void serveHttp(qintptr socketDescriptor);
    void upgrade(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength);

    const Settings m_settings;
    QByteArray m_base; // the path without its trailing slash
    QPointer<EngineIoServer> m_engine;
    TcpListener *m_listener;
    RequestSniffer *m_sniffer;
    WriteBatcher *m_writeBatcher;
    QList<QPointer<HttpServerConnection>> m_connections;
};

} // namespace wsinfra
