#include "transport/frontdoor.h"

#include "auth/jwtverifier.h"
#include "core/connectionmanager.h"
#include "core/shardpool.h"
#include "monitoring/statisticscollector.h"
#include "protocol/codes.h"
#include "transport/clientaddress.h"
#include "transport/httpresponse.h"
#include "transport/lingeringclose.h"
#include "transport/tcplistener.h"

#include <QHostAddress>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimer>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFrontDoor, "wsinfra.transport.frontdoor", QtWarningMsg)

namespace wsinfra {

namespace {

constexpr int MaxRetryDelayMs = 100;
const QList<QPair<QByteArray, QByteArray>> BearerChallenge{{"WWW-Authenticate", "Bearer"}};

QString peerAddressOf(qintptr socketDescriptor)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (::getpeername(int(socketDescriptor), reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return {};
    return clientAddressText(QHostAddress(reinterpret_cast<const sockaddr *>(&storage)));
}

} // namespace

FrontDoor::FrontDoor(const Settings &settings, const JwtVerifier &verifier, ConnectionManager &connections,
                     ShardPool &shards, StatisticsCollector &statistics, HttpHandoff toHttpApi, QObject *parent)
    : QObject(parent), m_settings(settings), m_verifier(verifier), m_connections(connections), m_shards(shards),
      m_statistics(statistics), m_toHttpApi(std::move(toHttpApi)),
      m_listener(new TcpListener([this](qintptr socketDescriptor) { incomingConnection(socketDescriptor); }, this))
{
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

FrontDoor::~FrontDoor()
{
    const QList<qintptr> open = m_inspections.keys();
    for (qintptr socketDescriptor : open) {
        finishInspection(socketDescriptor);
        ::close(int(socketDescriptor));
    }
}

void FrontDoor::stopAccepting()
{
    m_accepting = false;
    m_listener->close();
}

void FrontDoor::incomingConnection(qintptr socketDescriptor)
{
    Inspection inspection;
    inspection.notifier = new QSocketNotifier(socketDescriptor, QSocketNotifier::Read, this);
    connect(inspection.notifier, &QSocketNotifier::activated, this,
            [this, socketDescriptor] { inspect(socketDescriptor); });
    inspection.retry = new QTimer(this);
    inspection.retry->setSingleShot(true);
    connect(inspection.retry, &QTimer::timeout, this, [this, socketDescriptor] { inspect(socketDescriptor); });
    // Also for a client that connects and sends nothing at all: it must not hold a socket forever.
    inspection.deadline = new QTimer(this);
    inspection.deadline->setSingleShot(true);
    connect(inspection.deadline, &QTimer::timeout, this, [this, socketDescriptor] {
        finishInspection(socketDescriptor);
        reject(socketDescriptor, 0, 408, ErrorCode::BadRequest, u"request head not received in time"_s);
    });
    inspection.deadline->start(std::chrono::milliseconds(m_settings.headTimeoutMs));
    m_inspections.insert(socketDescriptor, inspection);
}

void FrontDoor::finishInspection(qintptr socketDescriptor)
{
    const Inspection inspection = m_inspections.take(socketDescriptor);
    delete inspection.notifier;
    delete inspection.retry;
    delete inspection.deadline;
}

void FrontDoor::inspect(qintptr socketDescriptor)
{
    const auto found = m_inspections.find(socketDescriptor);
    if (found == m_inspections.end())
        return;
    QByteArray buffer(m_settings.headLimits.maxHeadBytes + 1, Qt::Uninitialized);
    const ssize_t peeked = ::recv(int(socketDescriptor), buffer.data(), size_t(buffer.size()), MSG_PEEK | MSG_DONTWAIT);
    if (peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        finishInspection(socketDescriptor);
        ::close(int(socketDescriptor));
        return;
    }
    const QByteArrayView data(buffer.constData(), qMax<qsizetype>(0, peeked));
    const HttpRequestParser::HeadResult head = HttpRequestParser::parseHead(data, m_settings.headLimits);
    switch (head.status) {
    case HttpRequestParser::Status::Complete:
        finishInspection(socketDescriptor);
        route(socketDescriptor, head.request, head.headLength);
        return;
    case HttpRequestParser::Status::Failed:
        finishInspection(socketDescriptor);
        reject(socketDescriptor, data.size(), head.errorStatus, head.error.code, head.error.message);
        return;
    case HttpRequestParser::Status::Incomplete:
        break;
    }
    // The head is still arriving. Peeking leaves the bytes in the socket, so a level-triggered
    // notifier would fire at once again: look again after a short, growing delay instead (the
    // deadline timer bounds the whole wait).
    Inspection &inspection = found.value();
    inspection.notifier->setEnabled(false);
    inspection.retry->start(inspection.retryDelayMs);
    inspection.retryDelayMs = qMin(inspection.retryDelayMs * 2, MaxRetryDelayMs);
}

void FrontDoor::route(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength)
{
    if ((head.path == "/ws" || head.path == "/ws/") && head.isWebSocketUpgrade()) {
        upgrade(socketDescriptor, head, headLength);
        return;
    }
    m_toHttpApi(socketDescriptor);
}

void FrontDoor::upgrade(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength)
{
    if (!m_accepting) {
        reject(socketDescriptor, headLength, 503, ErrorCode::Unavailable, u"the service is shutting down"_s);
        return;
    }
    AdmissionTicket ticket;
    ticket.address = peerAddressOf(socketDescriptor);

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
    // Consume what was peeked; LingeringClose discards whatever else the peer sends.
    QByteArray sink(qMax<qsizetype>(consume, 1), Qt::Uninitialized);
    [[maybe_unused]] const ssize_t consumed = ::recv(int(socketDescriptor), sink.data(), size_t(consume), MSG_DONTWAIT);
    HttpResponse answer = HttpResponse::error(status, code, message);
    answer.headers = headers;
    LingeringClose::start(socketDescriptor, answer.serialize(false), this);
}

} // namespace wsinfra
