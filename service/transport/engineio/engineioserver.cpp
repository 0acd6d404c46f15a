#include "transport/engineio/engineioserver.h"

#include "protocol/codes.h"
#include "transport/websocket/serverwebsocket.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QUrlQuery>

#include <array>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcEngineIo, "wsinfra.transport.engineio", QtWarningMsg)

namespace wsinfra {

EngineIoServer::EngineIoServer(const Settings &settings, const QString &sidPrefix, QObject *parent)
    : QObject(parent), m_settings(settings), m_sidPrefix(sidPrefix)
{
}

EngineIoServer::~EngineIoServer() = default;

void EngineIoServer::setHandshakeGuard(HandshakeGuard guard)
{
    m_guard = std::move(guard);
}

EngineIoSession *EngineIoServer::session(const QString &sid) const
{
    return m_sessions.value(sid);
}

int EngineIoServer::sessionCount() const
{
    return int(m_sessions.size());
}

void EngineIoServer::closeAll()
{
    const QList<EngineIoSession *> open = m_sessions.values();
    for (EngineIoSession *session : open)
        session->close();
}

QString EngineIoServer::newSid() const
{
    while (true) {
        std::array<quint32, 4> words{};
        QRandomGenerator::system()->fillRange(words.data(), qsizetype(words.size()));
        const QByteArray raw(reinterpret_cast<const char *>(words.data()), qsizetype(sizeof(words)));
        const QString sid = m_sidPrefix + QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding |
                                                                           QByteArray::OmitTrailingEquals));
        if (!m_sessions.contains(sid) && !m_lingering.contains(sid))
            return sid;
    }
}

QByteArray EngineIoServer::openPacket(const QString &sid, bool upgradable) const
{
    const QJsonObject handshake{
        {u"sid"_s, sid},
        {u"upgrades"_s, upgradable ? QJsonArray{u"websocket"_s} : QJsonArray{}},
        {u"pingInterval"_s, m_settings.pingIntervalMs},
        {u"pingTimeout"_s, m_settings.pingTimeoutMs},
        {u"maxPayload"_s, m_settings.maxPayload},
    };
    return char(EnginePacket::Type::Open) + QJsonDocument(handshake).toJson(QJsonDocument::Compact);
}

EngineIoSession *EngineIoServer::createSession(const QString &peerAddress, ServerWebSocket *webSocket)
{
    EngineIoSession::Limits limits;
    limits.pingIntervalMs = m_settings.pingIntervalMs;
    limits.pingTimeoutMs = m_settings.pingTimeoutMs;
    limits.maxPayload = m_settings.maxPayload;
    limits.upgradeTimeoutMs = m_settings.upgradeTimeoutMs;
    limits.maxQueuedBytes = m_settings.maxQueuedBytes;
    limits.maxPacketsPerPayload = m_settings.maxPacketsPerPayload;
    auto *session = new EngineIoSession(
        newSid(), peerAddress, limits, webSocket, [this](EngineIoSession *done) { onSessionFinished(done); }, this);
    // Connected before anyone else can connect: the server's maps are right when the others hear of the close.
    connect(session, &EngineIoSession::closed, this, [this, session] { onSessionClosed(session); });
    m_sessions.insert(session->id(), session);
    return session;
}

void EngineIoServer::onSessionClosed(EngineIoSession *session)
{
    if (m_sessions.value(session->id()) == session)
        m_sessions.remove(session->id());
    if (session->isLingering())
        m_lingering.insert(session->id(), session);
}

void EngineIoServer::onSessionFinished(EngineIoSession *session)
{
    if (m_sessions.value(session->id()) == session)
        m_sessions.remove(session->id());
    if (m_lingering.value(session->id()) == session)
        m_lingering.remove(session->id());
    session->deleteLater();
}

QList<QPair<QByteArray, QByteArray>> EngineIoServer::corsHeaders(const HttpRequest &request) const
{
    // admits() as well: a request with two Origin headers gets none.
    const QByteArray origin = request.header("Origin");
    if (origin.isEmpty() || !m_settings.allowedOrigins.allows(origin) || !m_settings.allowedOrigins.admits(request))
        return {};
    // The origin itself rather than "*": browsers refuse "*" on requests with credentials.
    return {{"Access-Control-Allow-Origin", origin}, {"Access-Control-Allow-Credentials", "true"}, {"Vary", "Origin"}};
}

void EngineIoServer::handleHttp(const HttpRequest &request, const QString &peerAddress, Respond respond)
{
    handleHttp(request, peerAddress, std::move(respond), nullptr);
}

void EngineIoServer::handleHttp(const HttpRequest &request, const QString &peerAddress, Respond respond,
                                QObject *connection)
{
    const QList<QPair<QByteArray, QByteArray>> cors = corsHeaders(request);
    // A page of another site, when origins are enforced: refused before anything else, preflight included.
    if (m_settings.refuseOtherOrigins && !m_settings.allowedOrigins.admits(request)) {
        qCDebug(lcEngineIo) << "refusing a request from origin" << request.header("Origin") << "of" << peerAddress;
        respond(engineErrorResponse(EngineError::Forbidden));
        return;
    }
    Respond answer = std::move(respond);
    if (!cors.isEmpty()) {
        answer = [inner = std::move(answer), cors](const HttpResponse &response) {
            HttpResponse withCors = response;
            withCors.headers += cors;
            inner(withCors);
        };
    }

    if (request.method == "OPTIONS") {
        if (cors.isEmpty()) {
            answer(engineErrorResponse(EngineError::Forbidden));
            return;
        }
        HttpResponse preflight = HttpResponse::text(204, {}, {});
        preflight.headers.emplaceBack("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        const QByteArray requestedHeaders = request.header("Access-Control-Request-Headers");
        if (!requestedHeaders.isEmpty())
            preflight.headers.emplaceBack("Access-Control-Allow-Headers", requestedHeaders);
        answer(preflight);
        return;
    }

    const Result<EngineRequest> parsed = parseEngineRequest(request);
    if (!parsed) {
        answer(engineErrorResponse(parsed.error().code.toInt()));
        return;
    }
    // A WebSocket request that is not an upgrade.
    if (parsed->transport != EngineRequest::Transport::Polling) {
        answer(engineErrorResponse(EngineError::BadRequest));
        return;
    }

    if (parsed->sid.isEmpty()) {
        if (request.method != "GET") {
            answer(engineErrorResponse(EngineError::BadHandshakeMethod));
            return;
        }
        if (m_guard) {
            if (const std::optional<HttpResponse> refusal = m_guard(peerAddress)) {
                answer(*refusal);
                return;
            }
        }
        EngineIoSession *session = createSession(peerAddress, nullptr);
        answer(HttpResponse::text(200, openPacket(session->id(), true), "text/plain; charset=UTF-8"));
        emit sessionOpened(session);
        return;
    }

    if (EngineIoSession *lingering = m_lingering.value(parsed->sid)) {
        if (request.method == "GET")
            lingering->handlePoll(answer, connection);
        else
            answer(engineErrorResponse(EngineError::UnknownSid));
        return;
    }
    EngineIoSession *session = m_sessions.value(parsed->sid);
    if (session && session->checkHeartbeat())
        session = nullptr;
    if (!session) {
        answer(engineErrorResponse(EngineError::UnknownSid));
        return;
    }
    if (session->isWebSocket()) {
        // Upgraded: polling is over for this session.
        answer(engineErrorResponse(EngineError::BadRequest));
        return;
    }
    if (request.method == "GET")
        session->handlePoll(answer, connection);
    else if (request.method == "POST")
        session->handlePost(request.body, answer);
    else
        answer(engineErrorResponse(EngineError::BadRequest));
}

void EngineIoServer::handleWebSocket(ServerWebSocket *socket, const QString &peerAddress, const QUrlQuery &query)
{
    // The Origin of an upgrade is checked by whoever accepted it (the front door), before the upgrade.
    socket->setParent(this);
    HttpRequest request;
    request.query = query;
    const Result<EngineRequest> parsed = parseEngineRequest(request);
    if (!parsed || parsed->transport != EngineRequest::Transport::WebSocket) {
        qCDebug(lcEngineIo) << "refusing a WebSocket with a bad query from" << peerAddress;
        EngineIoSession::retireWebSocket(socket, this, this, CloseCode::ProtocolError,
                                         parsed ? engineErrorMessage(EngineError::BadRequest) : parsed.error().message);
        return;
    }

    if (!parsed->sid.isEmpty()) {
        EngineIoSession *session = m_sessions.value(parsed->sid);
        if (session && session->checkHeartbeat())
            session = nullptr;
        if (!session || !session->startProbe(socket)) {
            qCDebug(lcEngineIo) << "refusing an upgrade for" << parsed->sid << "from" << peerAddress;
            EngineIoSession::retireWebSocket(
                socket, this, this, CloseCode::PolicyViolation,
                engineErrorMessage(session ? EngineError::BadRequest : EngineError::UnknownSid));
        }
        return;
    }

    if (m_guard) {
        if (const std::optional<HttpResponse> refusal = m_guard(peerAddress)) {
            // What an HTTP client would read in the refusal's status, a WebSocket reads in its close frame.
            EngineIoSession::retireWebSocket(socket, this, this, CloseCode::TryAgainLater,
                                             u"refused: HTTP "_s + QString::number(refusal->status));
            return;
        }
    }
    EngineIoSession *session = createSession(peerAddress, socket);
    socket->sendText(openPacket(session->id(), false));
    emit sessionOpened(session);
}

} // namespace wsinfra
