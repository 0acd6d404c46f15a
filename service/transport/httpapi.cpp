#include "transport/httpapi.h"

#include "core/eventlog.h"
#include "core/service.h"
#include "monitoring/statisticscollector.h"
#include "protocol/codes.h"
#include "transport/clientaddress.h"
#include "transport/connectionratelimiter.h"
#include "transport/socketioendpoint.h"
#include "util/constanttime.h"
#include "util/decimal.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// 200 with what a publish did ({message_id, delivered, duplicate}, `extra`, and `cluster` on a
// clustered node), or 503 when the cluster could not take it.
void respondPublished(const HttpServerConnection::Respond &respond, const Result<Service::PublishResult> &outcome,
                      QJsonObject extra)
{
    if (!outcome) {
        respond(HttpResponse::error(503, outcome.error().code, outcome.error().message));
        return;
    }
    const QJsonObject answer = outcome->toJson();
    for (auto it = answer.begin(); it != answer.end(); ++it)
        extra.insert(it.key(), it.value());
    respond(HttpResponse::json(200, extra));
}

constexpr int DefaultPageSize = 100;
constexpr int MaxPageSize = 1000;
constexpr qint64 MaxBillId = (qint64(1) << 53) - 1;

/// A bill id in a path: decimal digits only, 1 .. 2^53-1 (what JSON numbers carry exactly).
qint64 billIdOf(const QByteArray &segment)
{
    const std::optional<qint64> value = parseDecimal(segment);
    return value && *value >= 1 && *value <= MaxBillId ? *value : 0;
}

struct Page
{
    int offset = 0;
    int limit = DefaultPageSize;
    QString error;
};

Page pageOf(const HttpRequest &request)
{
    Page page;
    const auto number = [&request, &page](const QString &name, int fallback, int minimum, int maximum) {
        if (!request.query.hasQueryItem(name))
            return fallback;
        bool ok = false;
        const int value = request.query.queryItemValue(name).toInt(&ok);
        if (!ok || value < minimum || value > maximum) {
            page.error = u"query parameter %1 must be an integer from %2 to %3"_s.arg(name).arg(minimum).arg(maximum);
            return fallback;
        }
        return value;
    };
    page.offset = number(u"offset"_s, 0, 0, std::numeric_limits<int>::max());
    page.limit = number(u"limit"_s, DefaultPageSize, 1, MaxPageSize);
    return page;
}

QJsonObject pageObject(const QString &listName, const QStringList &all, const Page &page)
{
    QJsonArray items;
    for (qsizetype i = page.offset; i < all.size() && items.size() < page.limit; ++i)
        items.append(all.at(i));
    return {{listName, items}, {u"total"_s, all.size()}, {u"offset"_s, page.offset}, {u"limit"_s, page.limit}};
}

/// GET /api/events?since=ID&limit=N: {"events":[...],"last_id"}; `last_id` is what to pass as `since` next.
HttpResponse eventsAnswer(const EventLog &log, const HttpRequest &request)
{
    const auto number = [&request](const QString &name, qint64 fallback, qint64 minimum,
                                   qint64 maximum) -> std::optional<qint64> {
        if (!request.query.hasQueryItem(name))
            return fallback;
        const QString text = request.query.queryItemValue(name);
        const bool digits = !text.isEmpty() && text.size() <= 16 &&
                            std::all_of(text.begin(), text.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
        const qint64 value = digits ? text.toLongLong() : -1;
        if (value < minimum || value > maximum)
            return std::nullopt;
        return value;
    };
    const std::optional<qint64> since = number(u"since"_s, 0, 0, MaxBillId);
    if (!since)
        return HttpResponse::error(400, ErrorCode::BadRequest,
                                   u"query parameter since must be an integer from 0 to 2^53-1"_s);
    const std::optional<qint64> limit = number(u"limit"_s, DefaultPageSize, 1, MaxPageSize);
    if (!limit)
        return HttpResponse::error(400, ErrorCode::BadRequest,
                                   u"query parameter limit must be an integer from 1 to %1"_s.arg(MaxPageSize));
    return HttpResponse::json(200, log.page(*since, int(*limit)));
}

HttpResponse notFound(const HttpRequest &request)
{
    return HttpResponse::error(
        404, ErrorCode::NotFound,
        u"no such endpoint: %1 %2"_s.arg(QString::fromLatin1(request.method), QString::fromUtf8(request.path)));
}

constexpr qsizetype MaxIdempotencyKeyLength = 255;

bool isValidIdempotencyKey(QStringView key)
{
    if (key.isEmpty() || key.size() > MaxIdempotencyKeyLength)
        return false;
    return std::all_of(key.begin(), key.end(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() <= 0x7e; });
}

/// The idempotency key of a publish: the Idempotency-Key header, else the body's "idempotency_key",
/// which is taken out of the body either way (it is addressed to the service, not to the clients).
/// Empty when there is none.
Result<QString> idempotencyKeyOf(const HttpRequest &request, QJsonObject &body)
{
    const QString rule = u"1 to %1 printable ASCII characters"_s.arg(MaxIdempotencyKeyLength);
    const QJsonValue field = body.take(u"idempotency_key"_s);
    int headers = 0;
    QByteArray header;
    for (const auto &[name, value] : request.headers) {
        if (name.compare("idempotency-key", Qt::CaseInsensitive) == 0) {
            ++headers;
            header = value;
        }
    }
    if (headers > 1)
        return Result<QString>::failure(ErrorCode::BadRequest, u"send at most one Idempotency-Key header"_s);
    if (headers == 1) {
        // Latin-1 keeps every byte one character, so non-ASCII bytes fail the check below.
        const QString key = QString::fromLatin1(header);
        if (!isValidIdempotencyKey(key))
            return Result<QString>::failure(ErrorCode::BadRequest, u"the Idempotency-Key header must be "_s + rule);
        return key;
    }
    if (field.isUndefined())
        return QString();
    if (!field.isString() || !isValidIdempotencyKey(field.toString()))
        return Result<QString>::failure(ErrorCode::BadRequest, u"idempotency_key must be a string of "_s + rule);
    return field.toString();
}

HttpResponse methodNotAllowed(const QByteArray &allowed)
{
    HttpResponse response = HttpResponse::error(405, ErrorCode::MethodNotAllowed,
                                                u"method not allowed; use %1"_s.arg(QLatin1StringView(allowed)));
    response.headers.append(qMakePair(QByteArray("Allow"), allowed));
    return response;
}

} // namespace

HttpApi::HttpApi(const Settings &settings, Service &service, QObject *parent)
    : QObject(parent), m_settings(settings), m_service(service)
{
}

void HttpApi::adopt(const IncomingSocket &incoming)
{
    auto *connection = new HttpServerConnection(
        incoming, m_settings.limits, m_settings.idleTimeoutMs,
        [this](const HttpRequest &request, const QString &peer, const HttpServerConnection::Respond &respond) {
            handle(request, peer, respond);
        },
        this);
    m_connections.insert(connection);
    const QString peer = clientAddressText(incoming.peerAddress());
    ++m_connectionsByPeer[peer];
    connect(connection, &HttpServerConnection::finished, this, [this, connection, peer] {
        m_connections.remove(connection);
        if (--m_connectionsByPeer[peer] <= 0)
            m_connectionsByPeer.remove(peer);
        if (m_connections.isEmpty() && m_drained)
            std::exchange(m_drained, {})();
    });
}

void HttpApi::drain(std::function<void()> done)
{
    if (m_connections.isEmpty()) {
        done();
        return;
    }
    m_drained = std::move(done);
    const auto connections = m_connections.values();
    for (HttpServerConnection *connection : connections)
        connection->closeWhenIdle();
}

bool HttpApi::authorized(const HttpRequest &request, const QString &peerAddress) const
{
    if (m_settings.apiKey.isEmpty())
        return QHostAddress(peerAddress).isLoopback();
    QByteArray presented = request.header("x-api-key");
    if (presented.isEmpty())
        presented = request.bearerToken();
    return !presented.isEmpty() && constantTimeEquals(presented, m_settings.apiKey);
}

void HttpApi::handle(const HttpRequest &request, const QString &peer, const HttpServerConnection::Respond &respond)
{
    m_service.statistics().common().httpRequest();
    // Behind a trusted proxy the client is the one it names: a forwarded request is loopback only when
    // its client is, and a Socket.IO session counts against the client's address, not the proxy's.
    const QString peerAddress = m_settings.trustedProxies.clientAddress(QHostAddress(peer), request);
    const QByteArray &path = request.path;
    if (path == "/health") {
        if (request.method != "GET" && request.method != "HEAD")
            return respond(methodNotAllowed("GET, HEAD"));
        const HealthStatus health = m_service.getHealthStatus();
        return respond(HttpResponse::json(health.isHealthy ? 200 : 503, health.toJson()));
    }
    if (path == "/metrics") {
        if (request.method != "GET")
            return respond(methodNotAllowed("GET"));
        return respond(HttpResponse::text(200, m_service.prometheusMetrics(), "text/plain; version=0.0.4"));
    }
    if (path == "/ws" || path == "/ws/") {
        HttpResponse response = HttpResponse::error(426, ErrorCode::BadRequest,
                                                    u"this endpoint speaks WebSocket: send an upgrade request"_s);
        // RFC 9110 15.5.22: a 426 must name the protocol to upgrade to.
        response.headers.append(qMakePair(QByteArray("Upgrade"), QByteArray("websocket")));
        return respond(response);
    }
    if (path.startsWith(SocketIoEndpoint::Path.data())) { // Engine.IO long-polling, answered by a shard
        // A handshake (a GET without sid) opens a session: it counts like a new WebSocket.
        if (m_settings.connectionRate && request.method == "GET" && !request.query.hasQueryItem(u"sid"_s)) {
            const ConnectionRateLimiter::Verdict verdict = m_settings.connectionRate->admit(peerAddress);
            if (!verdict.admitted) {
                m_service.statistics().common().connectionRefused();
                return respond(ConnectionRateLimiter::refusal(verdict));
            }
        }
        return m_service.handleEngineIoHttp(request, peerAddress, respond);
    }
    if (path.startsWith("/api/")) {
        if (!authorized(request, peerAddress)) {
            HttpResponse response = HttpResponse::error(
                401, ErrorCode::NotAuthorized,
                m_settings.apiKey.isEmpty()
                    ? u"no API key is configured (WSINFRA_API_KEY): the API only answers loopback clients"_s
                    : u"missing or wrong API key: send Authorization: Bearer <key> or X-API-Key"_s);
            response.headers.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Bearer")));
            return respond(response);
        }
        QList<QByteArray> segments = path.mid(5).split('/');
        if (!segments.isEmpty() && segments.last().isEmpty())
            segments.removeLast();
        return handleApi(request, segments, respond);
    }
    respond(notFound(request));
}

void HttpApi::handleApi(const HttpRequest &request, const QList<QByteArray> &segments,
                        const HttpServerConnection::Respond &respond)
{
    const bool isGet = request.method == "GET";
    const bool isPost = request.method == "POST";
    const qsizetype count = segments.size();
    const QByteArray first = segments.value(0);

    const bool billUpdates = first == "bills" && count == 3 && segments.at(2) == "updates";
    const bool userNotifications = first == "users" && count == 3 && segments.at(2) == "notifications";
    if (billUpdates || userNotifications || (first == "broadcast" && count == 1)) {
        if (!isPost)
            return respond(methodNotAllowed("POST"));
        return publish(request, segments, respond);
    }

    if (first == "memory" && count == 2 && segments.at(1) == "analysis") {
        if (!isPost) // it takes a census of every shard: not for crawlers and prefetchers
            return respond(methodNotAllowed("POST"));
        return respond(HttpResponse::json(200, m_service.forceMemoryAnalysis()));
    }

    if (first == "events" && count == 1) {
        if (!isGet)
            return respond(methodNotAllowed("GET"));
        return respond(eventsAnswer(m_service.eventLog(), request));
    }

    const bool known = (count == 1 && (first == "stats" || first == "metrics" || first == "users")) ||
                       (count == 2 && first == "users") ||
                       (count == 3 && first == "bills" && segments.at(2) == "subscribers");
    if (!known)
        return respond(notFound(request));
    if (!isGet)
        return respond(methodNotAllowed("GET"));

    if (first == "stats")
        return respond(HttpResponse::json(200, m_service.getStats().toJson()));
    if (first == "metrics")
        return respond(HttpResponse::json(200, m_service.getMetrics()));

    const Page page = pageOf(request);
    if (!page.error.isEmpty())
        return respond(HttpResponse::error(400, ErrorCode::BadRequest, page.error));

    if (first == "users" && count == 1)
        return respond(HttpResponse::json(200, pageObject(u"users"_s, m_service.getAllConnectedUsers(), page)));
    if (first == "users") {
        const QString userId = QString::fromUtf8(segments.at(1));
        if (userId.isEmpty())
            return respond(notFound(request));
        QJsonArray bills;
        const QList<qint64> subscriptions = m_service.getUserSubscriptions(userId);
        for (qint64 billId : subscriptions)
            bills.append(billId);
        return respond(HttpResponse::json(200, QJsonObject{{u"user_id"_s, userId},
                                                           {u"connected"_s, m_service.isUserConnected(userId)},
                                                           {u"connections"_s, m_service.getConnectionCount(userId)},
                                                           {u"subscriptions"_s, bills}}));
    }
    const qint64 billId = billIdOf(segments.at(1));
    if (billId == 0)
        return respond(
            HttpResponse::error(400, ErrorCode::BadRequest, u"bill id must be an integer from 1 to 2^53-1"_s));
    QJsonObject answer = pageObject(u"subscribers"_s, m_service.getBillSubscribers(billId), page);
    answer.insert(u"bill_id"_s, billId);
    respond(HttpResponse::json(200, answer));
}

void HttpApi::publish(const HttpRequest &request, const QList<QByteArray> &segments,
                      const HttpServerConnection::Respond &respond)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        return respond(HttpResponse::error(
            400, ErrorCode::BadRequest,
            parseError.error != QJsonParseError::NoError
                ? u"body is not valid JSON: %1 at offset %2"_s.arg(parseError.errorString()).arg(parseError.offset)
                : u"body must be a JSON object"_s));
    }
    QJsonObject body = document.object();
    const Result<QString> idempotencyKey = idempotencyKeyOf(request, body);
    if (!idempotencyKey)
        return respond(HttpResponse::error(400, ErrorCode::BadRequest, idempotencyKey.error().message));
    const QByteArray first = segments.at(0);
    if (first == "bills") {
        const qint64 billId = billIdOf(segments.at(1));
        if (billId == 0)
            return respond(
                HttpResponse::error(400, ErrorCode::BadRequest, u"bill id must be an integer from 1 to 2^53-1"_s));
        m_service.broadcastBillUpdate(
            billId, body,
            [respond, billId](const Result<Service::PublishResult> &outcome) {
                respondPublished(respond, outcome,
                                 {{u"bill_id"_s, billId}, {u"offset"_s, outcome ? outcome->offset : 0}});
            },
            *idempotencyKey);
        return;
    }
    if (first == "users") {
        const QString userId = QString::fromUtf8(segments.at(1));
        if (userId.isEmpty())
            return respond(notFound(request));
        m_service.sendUserNotification(
            userId, body,
            [respond](const Result<Service::PublishResult> &outcome) {
                respondPublished(respond, outcome, {{u"stored"_s, outcome ? outcome->stored : false}});
            },
            *idempotencyKey);
        return;
    }
    m_service.broadcastToAll(
        body, [respond](const Result<Service::PublishResult> &outcome) { respondPublished(respond, outcome, {}); },
        *idempotencyKey);
}

} // namespace wsinfra
