#include "conformancelistener.h"

#include "protocol/codes.h"
#include "transport/clientaddress.h"
#include "transport/engineio/engineioserver.h"
#include "transport/httpserverconnection.h"
#include "transport/incomingsocket.h"
#include "transport/requestsniffer.h"
#include "transport/tcplistener.h"
#include "transport/websocket/serverwebsocket.h"
#include "transport/websocket/websockethandshake.h"
#include "transport/websocket/writebatcher.h"

#include <memory>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

HttpResponse notFound()
{
    return HttpResponse::error(404, ErrorCode::NotFound, u"nothing is served at this path"_s);
}

} // namespace

ConformanceListener::ConformanceListener(const Settings &settings, const QByteArray &path, EngineIoServer *engine,
                                         QObject *parent)
    : QObject(parent), m_settings(settings), m_base(path), m_engine(engine),
      m_listener(new TcpListener([this](qintptr socketDescriptor) { m_sniffer->sniff(socketDescriptor); }, this)),
      m_sniffer(new RequestSniffer(
          {settings.limits, settings.headTimeoutMs},
          [this](qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength) {
              route(socketDescriptor, head, headLength);
          },
          this)),
      m_writeBatcher(new WriteBatcher(this))
{
    while (m_base.endsWith('/'))
        m_base.chop(1);
}

ConformanceListener::~ConformanceListener() = default;

bool ConformanceListener::listen()
{
    return m_listener->listen(m_settings.address, m_settings.port, 1024);
}

QHostAddress ConformanceListener::address() const
{
    return m_listener->address();
}

quint16 ConformanceListener::port() const
{
    return m_listener->port();
}

QString ConformanceListener::errorString() const
{
    return m_listener->errorString();
}

void ConformanceListener::close()
{
    m_listener->close();
    const QList<QPointer<HttpServerConnection>> connections = m_connections;
    for (const QPointer<HttpServerConnection> &connection : connections) {
        if (connection)
            connection->closeWhenIdle();
    }
}

bool ConformanceListener::servesPath(const QByteArray &path) const
{
    return path == m_base || path.startsWith(QByteArray(m_base + '/'));
}

void ConformanceListener::route(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength)
{
    if (!m_engine || !servesPath(head.path)) {
        IncomingSocket::fromDescriptor(socketDescriptor).answerAndClose(headLength, notFound(), this);
        return;
    }
    if (head.isWebSocketUpgrade())
        upgrade(socketDescriptor, head, headLength);
    else
        serveHttp(socketDescriptor);
}

void ConformanceListener::serveHttp(qintptr socketDescriptor)
{
    // The handler needs the connection (its end tells the engine that a long-poll was given up), which exists
    // only once constructed; requests are handled from the event loop, never in the constructor.
    auto self = std::make_shared<QPointer<HttpServerConnection>>();
    auto *connection = new HttpServerConnection(
        IncomingSocket::fromDescriptor(socketDescriptor), m_settings.limits, m_settings.idleTimeoutMs,
        [this, self](const HttpRequest &request, const QString &peerAddress, HttpServerConnection::Respond respond) {
            if (!m_engine || !servesPath(request.path)) {
                respond(notFound());
                return;
            }
            m_engine->handleHttp(request, peerAddress, std::move(respond), self->data());
        },
        this);
    *self = connection;
    m_connections.append(connection);
    connect(connection, &HttpServerConnection::finished, this, [this] {
        m_connections.removeIf([](const QPointer<HttpServerConnection> &entry) { return entry.isNull(); });
    });
}

void ConformanceListener::upgrade(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength)
{
    const IncomingSocket incoming = IncomingSocket::fromDescriptor(socketDescriptor);
    if (const std::optional<HttpResponse> refusal = WebSocketHandshake::refusal(head)) {
        incoming.answerAndClose(headLength, *refusal, this);
        return;
    }
    const QString peerAddress = clientAddressText(incoming.peerAddress());
    auto *socket = new ServerWebSocket(incoming, headLength,
                                       WebSocketHandshake::acceptKey(head.header("Sec-WebSocket-Key").trimmed()),
                                       m_writeBatcher, this);
    if (!socket->isOpen() || !m_engine) {
        delete socket;
        return;
    }
    m_engine->handleWebSocket(socket, peerAddress, head.query);
}

} // namespace wsinfra
