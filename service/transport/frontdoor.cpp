#include "transport/frontdoor.h"

#include "auth/jwtverifier.h"
#include "core/connectionmanager.h"
#include "core/shardpool.h"
#include "monitoring/statisticscounters.h"
#include "protocol/codes.h"
#include "transport/clientaddress.h"
#include "transport/connectionratelimiter.h"
#include "transport/engineio/enginepacket.h"
#include "transport/httpresponse.h"
#include "transport/requestsniffer.h"
#include "transport/socketioendpoint.h"
#include "transport/tcplistener.h"
#include "transport/tlsacceptor.h"
#include "transport/websocket/websockethandshake.h"
#include "util/booleanword.h"

#include <QHostAddress>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFrontDoor, "wsinfra.transport.frontdoor", QtWarningMsg)

namespace wsinfra {

namespace {

const QList<QPair<QByteArray, QByteArray>> BearerChallenge{{"WWW-Authenticate", "Bearer"}};

} // namespace

FrontDoor::FrontDoor(const Settings &settings, const JwtVerifier &verifier, ConnectionManager &connections,
                     ShardPool &shards, StatisticsCounters &statistics, HttpHandoff toHttpApi, QObject *parent)
    : QObject(parent), m_settings(settings), m_verifier(verifier), m_connections(connections), m_shards(shards),
      m_statistics(statistics), m_toHttpApi(std::move(toHttpApi)),
      m_listener(new TcpListener([this](qintptr socketDescriptor) { incomingConnection(socketDescriptor); }, this)),
      m_sniffer(new RequestSniffer(
          {settings.headLimits, settings.headTimeoutMs},
          [this](qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength) {
              route(IncomingSocket::fromDescriptor(socketDescriptor), head, headLength);
          },
          this))
{
    // What the sniffer answers itself (a malformed head, 408) counts as a request like the rejects below.
    m_sniffer->setRejectedHandler([this](int) { m_statistics.httpRequest(); });
    if (settings.tls) {
        m_tls = new TlsAcceptor(
            {settings.headLimits, settings.headTimeoutMs}, settings.tlsConfiguration,
            [this](QSslSocket *socket, const HttpRequest &head, qsizetype headLength) {
                route(IncomingSocket::fromSocket(socket), head, headLength);
            },
            this);
        m_tls->setRejectedHandler([this](int) { m_statistics.httpRequest(); });
    }
}

void FrontDoor::setTlsConfiguration(const QSslConfiguration &configuration)
{
    if (m_tls)
        m_tls->setConfiguration(configuration);
}

qint64 FrontDoor::tlsHandshakeFailures() const
{
    return m_tls ? m_tls->handshakeFailures() : 0;
}

bool FrontDoor::listen(const QHostAddress &address, quint16 port)
{
    // Every client is accepted at once; the kernel's queue only absorbs bursts.
    return m_listener->listen(address, port, 4096);
}

QHostAddress FrontDoor::serverAddress() const
{
    return m_listener->address();
}

quint16 FrontDoor::serverPort() const
{
    return m_listener->port();
}

QString FrontDoor::errorString() const
{
    return m_listener->errorString();
}

FrontDoor::~FrontDoor() = default;

void FrontDoor::stopAccepting()
{
    m_accepting = false;
    m_listener->close();
}

void FrontDoor::incomingConnection(qintptr socketDescriptor)
{
    // Refused at once rather than held: a flood of slow heads must not take every descriptor.
    const QString peer = clientAddressText(IncomingSocket::fromDescriptor(socketDescriptor).peerAddress());
    if (const QString refusal = pendingRefusal(peer); !refusal.isEmpty()) {
        m_statistics.connectionRefused();
        // A TLS client could not read a plain answer: it is only closed.
        if (m_tls)
            IncomingSocket::fromDescriptor(socketDescriptor).discard();
        else
            reject(IncomingSocket::fromDescriptor(socketDescriptor), 0, 503, ErrorCode::Unavailable, refusal);
        return;
    }
    if (m_tls)
        m_tls->accept(socketDescriptor, peer);
    else
        m_sniffer->sniff(socketDescriptor, peer);
}

QString FrontDoor::pendingRefusal(const QString &peerAddress) const
{
    // A trusted proxy carries many clients (and sends each head at once): only the total bounds it.
    if (m_settings.maxPendingRequestsPerIp > 0 && !m_settings.trustedProxies.trusts(QHostAddress(peerAddress))) {
        const int fromPeer = m_sniffer->pendingFrom(peerAddress) + (m_tls ? m_tls->pendingFrom(peerAddress) : 0) +
                             (m_httpLoad.from ? m_httpLoad.from(peerAddress) : 0);
        if (fromPeer >= m_settings.maxPendingRequestsPerIp)
            return u"too many HTTP connections from this address are open or waiting for their request"_s;
    }
    const int held =
        m_sniffer->pendingCount() + (m_tls ? m_tls->pendingCount() : 0) + (m_httpLoad.total ? m_httpLoad.total() : 0);
    if (held >= m_settings.maxPendingRequests)
        return u"too many HTTP requests are pending; try again shortly"_s;
    return {};
}

bool FrontDoor::withinConnectionRate(const IncomingSocket &incoming, qsizetype headLength, const QString &clientAddress)
{
    if (!m_settings.connectionRate)
        return true;
    const ConnectionRateLimiter::Verdict verdict = m_settings.connectionRate->admit(clientAddress);
    if (verdict.admitted)
        return true;
    qCDebug(lcFrontDoor) << "refusing a connection over the rate of" << clientAddress;
    m_statistics.connectionRefused();
    m_statistics.httpRequest();
    incoming.answerAndClose(headLength, ConnectionRateLimiter::refusal(verdict), this);
    return false;
}

void FrontDoor::route(const IncomingSocket &incoming, const HttpRequest &head, qsizetype headLength)
{
    const bool native = head.path == "/ws" || head.path == "/ws/";
    if (!(native || head.path.startsWith(SocketIoEndpoint::Path.data())) || !head.isWebSocketUpgrade()) {
        m_toHttpApi(incoming);
        return;
    }
    if (const std::optional<HttpResponse> refusal = WebSocketHandshake::refusal(head)) {
        m_statistics.httpRequest();
        incoming.answerAndClose(headLength, *refusal, this);
        return;
    }
    const IncomingSocket upgrading =
        incoming.withUpgrade(headLength, WebSocketHandshake::acceptKey(head.header("Sec-WebSocket-Key").trimmed()));
    if (native)
        upgrade(upgrading, head, headLength);
    else
        upgradeEngineIo(upgrading, head, headLength);
}

void FrontDoor::upgradeEngineIo(const IncomingSocket &incoming, const HttpRequest &head, qsizetype headLength)
{
    if (!m_accepting) {
        reject(incoming, headLength, 503, ErrorCode::Unavailable, u"the service is shutting down"_s);
        return;
    }
    // A page of another site: refused the way Engine.IO refuses a request (403, code 4), as polling is.
    if (!m_settings.allowedOrigins.admits(head)) {
        qCDebug(lcFrontDoor) << "refusing a Socket.IO WebSocket from origin" << head.header("Origin");
        m_statistics.connectionRefused();
        m_statistics.httpRequest();
        incoming.answerAndClose(headLength, engineErrorResponse(EngineError::Forbidden), this);
        return;
    }
    // Socket.IO authenticates in its CONNECT packet, on the shard; here only the Engine.IO query is
    // checked, so that a bad one is answered the way the protocol says instead of upgraded.
    const Result<EngineRequest> request = parseEngineRequest(head);
    if (!request || request->transport != EngineRequest::Transport::WebSocket) {
        m_statistics.httpRequest();
        incoming.answerAndClose(headLength, engineErrorResponse(request ? 3 : request.error().code.toInt()), this);
        return;
    }
    const QString clientAddress = m_settings.trustedProxies.clientAddress(incoming.peerAddress(), head);
    // Only a new session counts: a polling session's upgrade was counted at its handshake.
    if (request->sid.isEmpty() && !withinConnectionRate(incoming, headLength, clientAddress))
        return;
    m_shards.adoptEngineIoWebSocket(incoming, request->sid, clientAddress, head.query);
}

void FrontDoor::upgrade(const IncomingSocket &incoming, const HttpRequest &head, qsizetype headLength)
{
    if (!m_accepting) {
        reject(incoming, headLength, 503, ErrorCode::Unavailable, u"the service is shutting down"_s);
        return;
    }
    // Before the token: a hijacking page rides on the user's cookies, not on a token of its own.
    if (!m_settings.allowedOrigins.admits(head)) {
        m_statistics.connectionRefused();
        reject(incoming, headLength, 403, ErrorCode::ForbiddenOrigin,
               u"this origin may not open connections to the service (allowedOrigins)"_s);
        return;
    }
    AdmissionTicket ticket;
    ticket.address = m_settings.trustedProxies.clientAddress(incoming.peerAddress(), head);
    if (!withinConnectionRate(incoming, headLength, ticket.address)) // before the cost of a token check
        return;
    ticket.batch = parseBooleanWord(head.query.queryItemValue(u"batch"_s)).value_or(false);

    QByteArray token = head.query.queryItemValue(u"token"_s, QUrl::FullyDecoded).toUtf8();
    if (token.isEmpty())
        token = head.bearerToken();
    if (!token.isEmpty()) {
        const Result<JwtClaims> claims = m_verifier.verify(token);
        if (!claims) {
            m_statistics.authenticationFailed();
            reject(incoming, headLength, 401, claims.error().code, claims.error().message, BearerChallenge);
            return;
        }
        ticket.userId = claims->userId;
        ticket.tokenExpiresAt = claims->expiresAt;
    } else if (!m_settings.allowAnonymous) {
        m_statistics.authenticationFailed();
        reject(incoming, headLength, 401, ErrorCode::InvalidToken,
               u"a token is required: pass ?token=JWT or an Authorization: Bearer header"_s, BearerChallenge);
        return;
    }

    const ConnectionManager::Decision decision = m_connections.admit(ticket.address, ticket.userId);
    switch (decision.verdict) {
    case ConnectionManager::Verdict::RefuseFull:
        reject(incoming, headLength, 503, ErrorCode::Unavailable, decision.reason);
        return;
    case ConnectionManager::Verdict::RefuseOverLimit:
        ticket.refuseCloseCode = CloseCode::ConnectionLimit;
        ticket.refuseReason = decision.reason;
        break;
    case ConnectionManager::Verdict::Admit:
        break;
    }
    m_shards.adoptWebSocket(incoming, ticket);
}

void FrontDoor::reject(const IncomingSocket &incoming, qsizetype consume, int status, const QString &code,
                       const QString &message, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    qCDebug(lcFrontDoor) << "rejecting with" << status << message;
    m_statistics.httpRequest();
    HttpResponse answer = HttpResponse::error(status, code, message);
    answer.headers = headers;
    incoming.answerAndClose(consume, answer, this);
}

} // namespace wsinfra
