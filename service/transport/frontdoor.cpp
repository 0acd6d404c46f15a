#include "transport/frontdoor.h"

#include "auth/jwtverifier.h"
#include "core/configvalue.h"
#include "core/connectionmanager.h"
#include "core/shardpool.h"
#include "monitoring/statisticscounters.h"
#include "protocol/codes.h"
#include "transport/engineio/enginepacket.h"
#include "transport/httpresponse.h"
#include "transport/requestsniffer.h"
#include "transport/socketioendpoint.h"
#include "transport/tcplistener.h"

#include <QHostAddress>
#include <QLoggingCategory>

#include <netinet/in.h>
#include <sys/socket.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFrontDoor, "wsinfra.transport.frontdoor", QtWarningMsg)

namespace wsinfra {

namespace {

const QList<QPair<QByteArray, QByteArray>> BearerChallenge{{"WWW-Authenticate", "Bearer"}};

QHostAddress peerAddressOf(qintptr socketDescriptor)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (::getpeername(int(socketDescriptor), reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return {};
    return QHostAddress(reinterpret_cast<const sockaddr *>(&storage));
}

} // namespace

FrontDoor::FrontDoor(const Settings &settings, const JwtVerifier &verifier, ConnectionManager &connections,
                     ShardPool &shards, StatisticsCounters &statistics, HttpHandoff toHttpApi, QObject *parent)
    : QObject(parent), m_settings(settings), m_verifier(verifier), m_connections(connections), m_shards(shards),
      m_statistics(statistics), m_toHttpApi(std::move(toHttpApi)),
      m_listener(new TcpListener([this](qintptr socketDescriptor) { incomingConnection(socketDescriptor); }, this)),
      m_sniffer(new RequestSniffer(
          {settings.headLimits, settings.headTimeoutMs},
          [this](qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength) {
              route(socketDescriptor, head, headLength);
          },
          this))
{
    // What the sniffer answers itself (a malformed head, 408) counts as a request like the rejects below.
    m_sniffer->setRejectedHandler([this](int) { m_statistics.httpRequest(); });
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
    m_sniffer->sniff(socketDescriptor);
}

void FrontDoor::route(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength)
{
    if ((head.path == "/ws" || head.path == "/ws/") && head.isWebSocketUpgrade()) {
        upgrade(socketDescriptor, head, headLength);
        return;
    }
    if (head.path.startsWith(SocketIoEndpoint::Path.data()) && head.isWebSocketUpgrade()) {
        upgradeEngineIo(socketDescriptor, head, headLength);
        return;
    }
    m_toHttpApi(socketDescriptor);
}

void FrontDoor::upgradeEngineIo(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength)
{
    if (!m_accepting) {
        reject(socketDescriptor, headLength, 503, ErrorCode::Unavailable, u"the service is shutting down"_s);
        return;
    }
    // A page of another site: refused the way Engine.IO refuses a request (403, code 4), as polling is.
    if (!m_settings.allowedOrigins.admits(head)) {
        qCDebug(lcFrontDoor) << "refusing a Socket.IO WebSocket from origin" << head.header("Origin");
        m_statistics.connectionRefused();
        m_statistics.httpRequest();
        RequestSniffer::answerAndClose(socketDescriptor, headLength, engineErrorResponse(EngineError::Forbidden), this);
        return;
    }
    // Socket.IO authenticates in its CONNECT packet, on the shard; here only the Engine.IO query is
    // checked, so that a bad one is answered the way the protocol says instead of upgraded.
    const Result<EngineRequest> request = parseEngineRequest(head);
    if (!request || request->transport != EngineRequest::Transport::WebSocket) {
        m_statistics.httpRequest();
        RequestSniffer::answerAndClose(socketDescriptor, headLength,
                                       engineErrorResponse(request ? 3 : request.error().code.toInt()), this);
        return;
    }
    m_shards.adoptEngineIoWebSocket(socketDescriptor, request->sid,
                                    m_settings.trustedProxies.clientAddress(peerAddressOf(socketDescriptor), head));
}

void FrontDoor::upgrade(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength)
{
    if (!m_accepting) {
        reject(socketDescriptor, headLength, 503, ErrorCode::Unavailable, u"the service is shutting down"_s);
        return;
    }
    // Before the token: a hijacking page rides on the user's cookies, not on a token of its own.
    if (!m_settings.allowedOrigins.admits(head)) {
        m_statistics.connectionRefused();
        reject(socketDescriptor, headLength, 403, ErrorCode::ForbiddenOrigin,
               u"this origin may not open connections to the service (allowedOrigins)"_s);
        return;
    }
    AdmissionTicket ticket;
    ticket.address = m_settings.trustedProxies.clientAddress(peerAddressOf(socketDescriptor), head);
    ticket.batch = ConfigValue::parseBool(head.query.queryItemValue(u"batch"_s)).value_or(false);

    QByteArray token = head.query.queryItemValue(u"token"_s, QUrl::FullyDecoded).toUtf8();
    if (token.isEmpty())
        token = head.bearerToken();
    if (!token.isEmpty()) {
        const Result<JwtClaims> claims = m_verifier.verify(token);
        if (!claims) {
            m_statistics.authenticationFailed();
            reject(socketDescriptor, headLength, 401, claims.error().code, claims.error().message, BearerChallenge);
            return;
        }
        ticket.userId = claims->userId;
        ticket.tokenExpiresAt = claims->expiresAt;
    } else if (!m_settings.allowAnonymous) {
        m_statistics.authenticationFailed();
        reject(socketDescriptor, headLength, 401, ErrorCode::InvalidToken,
               u"a token is required: pass ?token=JWT or an Authorization: Bearer header"_s, BearerChallenge);
        return;
    }

    const ConnectionManager::Decision decision = m_connections.admit(ticket.address, ticket.userId);
    switch (decision.verdict) {
    case ConnectionManager::Verdict::RefuseFull:
        reject(socketDescriptor, headLength, 503, ErrorCode::Unavailable, decision.reason);
        return;
    case ConnectionManager::Verdict::RefuseOverLimit:
        ticket.refuseCloseCode = CloseCode::ConnectionLimit;
        ticket.refuseReason = decision.reason;
        break;
    case ConnectionManager::Verdict::Admit:
        break;
    }
    m_shards.adoptWebSocket(socketDescriptor, ticket);
}

void FrontDoor::reject(qintptr socketDescriptor, qsizetype consume, int status, const QString &code,
                       const QString &message, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    qCDebug(lcFrontDoor) << "rejecting with" << status << message;
    m_statistics.httpRequest();
    HttpResponse answer = HttpResponse::error(status, code, message);
    answer.headers = headers;
    RequestSniffer::answerAndClose(socketDescriptor, consume, answer, this);
}

} // namespace wsinfra
