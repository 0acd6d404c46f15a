#include "transport/socketioendpoint.h"

#include "auth/jwtverifier.h"
#include "core/channelhistory.h"
#include "core/connectionmanager.h"
#include "core/recoverystore.h"
#include "core/shard.h"
#include "monitoring/statisticscollector.h"
#include "protocol/codes.h"
#include "transport/engineio/engineioserver.h"
#include "transport/engineio/engineiosession.h"
#include "transport/httpresponse.h"
#include "transport/socketio/socketioserver.h"
#include "transport/socketio/socketiosocket.h"
#include "transport/socketiotransport.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSet>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSocketIoEndpoint, "wsinfra.transport.socketio", QtWarningMsg)

namespace wsinfra {

namespace {

// Why a Socket.IO socket went away, as Socket.IO names it, for which the client may resume its session.
bool isRecoverable(const QString &reason)
{
    static const QSet<QString> reasons{u"transport close"_s, u"transport error"_s,      u"ping timeout"_s,
                                       u"forced close"_s,    u"server shutting down"_s, u"server close"_s};
    return reasons.contains(reason);
}

QString randomPid()
{
    quint32 words[4];
    QRandomGenerator::system()->generate(std::begin(words), std::end(words));
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof(words))
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

SocketIoServer::ConnectDecision refuse(const QString &message, const QString &code)
{
    SocketIoServer::ConnectDecision decision;
    decision.errorMessage = message;
    decision.errorData = QJsonObject{{u"code"_s, code}};
    return decision;
}

} // namespace

SocketIoEndpoint::SocketIoEndpoint(Shard &shard, int shardIndex, QObject *parent) : QObject(parent), m_shard(shard)
{
    const ShardContext &context = shard.context();
    const ShardSettings &settings = context.settings;
    EngineIoServer::Settings engineSettings;
    engineSettings.pingIntervalMs = settings.socketIoPingIntervalMs;
    engineSettings.pingTimeoutMs = settings.socketIoPingTimeoutMs;
    engineSettings.maxPayload = settings.maxPayloadBytes;
    engineSettings.allowedOrigins = settings.corsOrigins;
    engineSettings.refuseOtherOrigins = settings.refuseOtherOrigins;
    m_engine = new EngineIoServer(engineSettings, sidPrefix(shardIndex), this);
    m_engine->setHandshakeGuard([this, &context](const QString &) -> std::optional<HttpResponse> {
        if (m_shard.isDraining())
            return HttpResponse::error(503, ErrorCode::Unavailable, u"the service is shutting down"_s);
        if (context.connections->refusingNewConnections())
            return HttpResponse::error(503, ErrorCode::Unavailable, ConnectionManager::lowMemoryReason());
        if (context.connections->totalConnections() >= context.connections->limits().maxConnections)
            return HttpResponse::error(503, ErrorCode::Unavailable, u"the service is at its connection limit"_s);
        return std::nullopt;
    });

    SocketIoServer::Settings serverSettings;
    serverSettings.connectTimeoutMs = settings.socketIoConnectTimeoutMs;
    m_server = new SocketIoServer(serverSettings, *m_engine, this);
    m_server->addNamespace(
        u"/"_s,
        [this, &context](const SocketIoServer::ConnectRequest &request) -> SocketIoServer::ConnectDecision {
            Admitted admitted;
            admitted.ticket.address = request.peerAddress;
            admitted.ticket.batch = request.auth.value(u"batch"_s).toBool();
            const QJsonValue token = request.auth.value(u"token"_s);
            if (token.isString() && !token.toString().isEmpty()) {
                const Result<JwtClaims> claims = context.verifier->verify(token.toString().toUtf8());
                if (!claims) {
                    m_shard.statistics().authenticationFailed();
                    return refuse(claims.error().message, claims.error().code);
                }
                admitted.ticket.userId = claims->userId;
                admitted.ticket.tokenExpiresAt = claims->expiresAt;
            } else if (!context.settings.allowAnonymous) {
                m_shard.statistics().authenticationFailed();
                return refuse(u"a token is required: connect with auth: { token: JWT }"_s,
                              QString(ErrorCode::InvalidToken));
            }

            const ConnectionManager::Decision decision =
                context.connections->admit(admitted.ticket.address, admitted.ticket.userId);
            if (decision.verdict == ConnectionManager::Verdict::RefuseFull)
                return refuse(decision.reason, QString(ErrorCode::Unavailable));
            if (decision.verdict == ConnectionManager::Verdict::RefuseOverLimit)
                return refuse(decision.reason, QString(ErrorCode::ConnectionLimit));

            SocketIoServer::ConnectDecision accepted;
            accepted.accepted = true;
            if (context.recovery->keepMs() > 0) {
                const QString pid = request.auth.value(u"pid"_s).toString();
                bool offsetOk = false;
                const qint64 sequence = request.auth.value(u"offset"_s).toString().toLongLong(&offsetOk);
                std::optional<RecoveryStore::Session> session;
                if (!pid.isEmpty())
                    session = context.recovery->take(pid);
                bool recoverable = session && offsetOk && session->userId == admitted.ticket.userId;
                for (qsizetype i = 0; recoverable && i < session->bills.size(); ++i)
                    recoverable = context.history->sinceSequence(session->bills.at(i), sequence).recoverable;
                if (recoverable) {
                    admitted.pid = pid;
                    admitted.connectionId = session->connectionId;
                    admitted.resumeBills = session->bills;
                    admitted.resumeSequence = sequence;
                    accepted.socketId = session->connectionId;
                } else {
                    admitted.pid = randomPid();
                }
                accepted.pid = admitted.pid;
            }
            const auto previous = m_admitted.constFind(request.engine);
            if (previous != m_admitted.cend()) // a CONNECT that never reached connected(): undo its admission
                context.connections->release(previous->ticket.address, previous->ticket.userId);
            m_admitted.insert(request.engine, admitted);
            return accepted;
        },
        [this](SocketIoSocket *socket) { connected(socket); });
}

SocketIoEndpoint::~SocketIoEndpoint() = default;

void SocketIoEndpoint::handleHttp(const HttpRequest &request, const QString &peerAddress,
                                  std::function<void(const HttpResponse &)> respond)
{
    m_engine->handleHttp(request, peerAddress, std::move(respond));
}

void SocketIoEndpoint::handleWebSocket(ServerWebSocket *socket, const QString &peerAddress, const QUrlQuery &query)
{
    m_engine->handleWebSocket(socket, peerAddress, query);
}

void SocketIoEndpoint::closeAll()
{
    // After the connections, which close a moment after telling their clients why.
    QTimer::singleShot(SocketIoTransport::CloseNoticeDelayMs, m_server, &SocketIoServer::closeAll);
}

QString SocketIoEndpoint::sidPrefix(int shardIndex)
{
    return QString::number(shardIndex) + u'.';
}

int SocketIoEndpoint::sessionCount() const
{
    return m_engine->sessionCount();
}

int SocketIoEndpoint::shardOfSid(QStringView sid)
{
    const qsizetype dot = sid.indexOf(u'.');
    if (dot <= 0 || dot > 3)
        return -1;
    bool ok = false;
    const int shard = sid.first(dot).toInt(&ok);
    return ok && shard >= 0 ? shard : -1;
}

void SocketIoEndpoint::connected(SocketIoSocket *socket)
{
    const auto found = m_admitted.find(socket->engine());
    if (found == m_admitted.end()) {
        qCWarning(lcSocketIoEndpoint) << "Socket.IO socket without admission";
        socket->disconnect();
        return;
    }
    const Admitted admitted = found.value();
    m_admitted.erase(found);

    // Keep the session for recovery when its transport is lost. Connected before the transport so
    // that the connection's subscriptions are still there to be read.
    auto connectionId = std::make_shared<ConnectionId>(0);
    RecoveryStore *recovery = m_shard.context().recovery;
    if (!admitted.pid.isEmpty()) {
        connect(
            socket, &SocketIoSocket::disconnected, this,
            [this, recovery, connectionId, admitted, socket](const QString &reason) {
                if (*connectionId == 0 || !isRecoverable(reason))
                    return;
                recovery->keep(admitted.pid, {admitted.ticket.userId, socket->id(), m_shard.billsOf(*connectionId)});
            });
    }
    Connection *connection = m_shard.attach(new SocketIoTransport(socket, &m_events), admitted.ticket, socket->id());
    if (!connection)
        return;
    *connectionId = connection->id;
    m_shard.greet(*connection);
    if (admitted.resumeSequence >= 0)
        m_shard.resume(*connection, admitted.resumeBills, admitted.resumeSequence);
}

} // namespace wsinfra
