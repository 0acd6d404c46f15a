#include "control/controlserver.h"

#include "core/eventlog.h"
#include "core/service.h"
#include "protocol/clientmessage.h"
#include "protocol/codes.h"
#include "protocol/controlmessage.h"
#include "util/constanttime.h"
#include "util/utf8.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsinfra {

Q_LOGGING_CATEGORY(lcControl, "wsinfra.control", QtWarningMsg)

namespace {

namespace Close {
constexpr int BadRequest = 4400;
constexpr int InvalidToken = 4401;
constexpr int UnsupportedVersion = 4406;
constexpr int Throttled = 4429;
} // namespace Close

constexpr int SnapshotEvents = 100; // the latest events a snapshot carries
constexpr int DeltaEvents = 1000;   // at most, per delta

QJsonObject rowJson(const ConnectionRow &row)
{
    QJsonArray bills;
    for (qint64 billId : row.bills)
        bills.append(billId);
    return {{u"id"_s, row.id},
            {u"user"_s, row.userId},
            {u"address"_s, row.address},
            {u"transport"_s, row.transport},
            {u"since"_s, row.connectedAtMs},
            {u"last_seen"_s, row.lastSeenMs},
            {u"queued_bytes"_s, row.queuedBytes},
            {u"messages_in"_s, row.messagesIn},
            {u"messages_out"_s, row.messagesOut},
            {u"bills"_s, bills}};
}

QJsonObject subscriptionJson(qint64 billId, const QStringList &users)
{
    return {{u"bill_id"_s, billId}, {u"users"_s, QJsonArray::fromStringList(users)}};
}

QJsonArray eventsJson(const QList<EventLog::Event> &events)
{
    QJsonArray items;
    for (const EventLog::Event &event : events)
        items.append(event.toJson());
    return items;
}

} // namespace

struct ControlServer::Session
{
    QWebSocket *socket = nullptr;
    QString id; ///< "c-N", in the event log
    QString address;
    bool open = false;
    QTimer helloTimer;
    qint64 seq = 0;
    bool needsSnapshot = true;
    qint64 backlogBytes = 0; ///< sent and not yet written to the socket (about: framing is not counted)
    int protocolErrors = 0;
    qint64 lastEventId = 0;
    // What this console was last told, to send it only what changed.
    QHash<QString, QJsonObject> connections;
    QHash<qint64, QStringList> subscriptions;
};

ControlServer::ControlServer(const Settings &settings, Service &service, const Clock &clock, QObject *parent)
    : QObject(parent), m_settings(settings), m_service(service), m_clock(clock)
{
    m_server = new QWebSocketServer(
        u"wsinfra-control"_s, settings.tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this);
    if (settings.tls)
        m_server->setSslConfiguration(settings.tlsConfiguration);
    connect(m_server, &QWebSocketServer::newConnection, this, &ControlServer::onNewConnection);
    m_pushTimer.setInterval(std::max(10, settings.intervalMs));
    connect(&m_pushTimer, &QTimer::timeout, this, &ControlServer::pushAll);
}

ControlServer::~ControlServer()
{
    for (const auto &session : m_sessions)
        session->socket->disconnect(this);
}

bool ControlServer::listen(const QHostAddress &address, quint16 port)
{
    if (!m_settings.tls && !address.isLoopback()) {
        m_error =
            u"the control port may only listen on a loopback address without TLS (got %1)"_s.arg(address.toString());
        return false;
    }
    if (!m_server->listen(address, port)) {
        m_error = m_server->errorString();
        return false;
    }
    m_pushTimer.start();
    return true;
}

void ControlServer::setTlsConfiguration(const QSslConfiguration &configuration)
{
    if (m_settings.tls)
        m_server->setSslConfiguration(configuration);
}

quint16 ControlServer::serverPort() const
{
    return m_server->serverPort();
}

int ControlServer::sessionCount() const
{
    return int(std::count_if(m_sessions.cbegin(), m_sessions.cend(), [](const auto &s) { return s->open; }));
}

void ControlServer::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        auto session = std::make_unique<Session>();
        Session *raw = session.get();
        raw->socket = socket;
        socket->setParent(this);
        raw->id = u"c-%1"_s.arg(++m_nextSession);
        raw->address = socket->peerAddress().toString();
        socket->setMaxAllowedIncomingMessageSize(quint64(m_settings.maxFrameBytes));
        socket->setMaxAllowedIncomingFrameSize(quint64(m_settings.maxFrameBytes));
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, raw](const QString &text) { onText(raw, text); });
        connect(socket, &QWebSocket::binaryMessageReceived, this, [this, raw] {
            protocolError(raw, QJsonValue::Undefined, u"binary frames are not part of the protocol"_s);
        });
        connect(socket, &QWebSocket::bytesWritten, this,
                [raw](qint64 written) { raw->backlogBytes = std::max<qint64>(0, raw->backlogBytes - written); });
        connect(
            socket, &QWebSocket::disconnected, this, [this, raw] { remove(raw); }, Qt::QueuedConnection);
        raw->helloTimer.setSingleShot(true);
        raw->helloTimer.setInterval(m_settings.helloTimeoutMs);
        connect(&raw->helloTimer, &QTimer::timeout, this, [this, raw] {
            refuse(raw, QString(ErrorCode::BadRequest), Close::BadRequest,
                   u"no hello within %1 ms"_s.arg(m_settings.helloTimeoutMs));
        });
        raw->helloTimer.start();
        m_sessions.push_back(std::move(session));
    }
}

void ControlServer::remove(Session *session)
{
    const auto it =
        std::find_if(m_sessions.begin(), m_sessions.end(), [session](const auto &s) { return s.get() == session; });
    if (it == m_sessions.end())
        return;
    if (session->open)
        m_service.logEvent(EventLog::Level::Info, u"control"_s, u"console %1 left"_s.arg(session->id));
    session->socket->disconnect(this);
    session->socket->deleteLater();
    m_sessions.erase(it);
}

void ControlServer::send(Session *session, const QJsonObject &frame)
{
    const QString text = QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact));
    session->backlogBytes += utf8Length(text);
    session->socket->sendTextMessage(text);
}

void ControlServer::refuse(Session *session, const QString &code, int closeCode, const QString &message)
{
    qCInfo(lcControl).noquote() << "refused console" << session->id << "from" << session->address << code << message;
    session->helloTimer.stop();
    send(session, {{u"type"_s, u"error"_s}, {u"code"_s, code}, {u"message"_s, message}});
    session->socket->close(QWebSocketProtocol::CloseCode(closeCode), message.left(120));
}

void ControlServer::onText(Session *session, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    ClientMessageLimits limits;
    limits.maxBytes = m_settings.maxFrameBytes;
    const Result<QJsonObject> frame = parseJsonObject(utf8, limits);
    if (!session->open) {
        if (!frame) {
            recordFailure(session->address);
            refuse(session, QString(ErrorCode::BadRequest), Close::BadRequest, frame.error().message);
            return;
        }
        handleHello(session, *frame);
        return;
    }
    if (!frame) {
        protocolError(session, QJsonValue::Undefined, frame.error().message);
        return;
    }
    handleCommand(session, *frame);
}

bool ControlServer::isBlocked(const QString &address)
{
    const auto it = m_failures.find(address);
    return it != m_failures.end() && it->blockedUntilMs > m_clock.nowMs();
}

void ControlServer::recordFailure(const QString &address)
{
    const qint64 now = m_clock.nowMs();
    // Forget what is old, so the table stays as small as the recent failures.
    for (auto it = m_failures.begin(); it != m_failures.end();) {
        it->times.removeIf([&](qint64 at) { return at <= now - m_settings.failureWindowMs; });
        if (it->times.isEmpty() && it->blockedUntilMs <= now)
            it = m_failures.erase(it);
        else
            ++it;
    }
    Failures &failures = m_failures[address];
    failures.times.append(now);
    if (failures.times.size() >= m_settings.maxFailures) {
        failures.blockedUntilMs = now + m_settings.blockMs;
        failures.times.clear();
        m_service.logEvent(
            EventLog::Level::Warning, u"control"_s,
            u"%1 failed hellos from %2: the control port refuses it for %3 s"_s.arg(m_settings.maxFailures)
                .arg(address)
                .arg(m_settings.blockMs / 1000));
    }
}

void ControlServer::handleHello(Session *session, const QJsonObject &frame)
{
    if (isBlocked(session->address)) {
        refuse(session, u"throttled"_s, Close::Throttled, u"too many failed hellos from this address; try later"_s);
        return;
    }
    const Result<ControlHello> hello = parseControlHello(frame);
    if (!hello) {
        recordFailure(session->address);
        // A hello without a token is refused like a wrong one (docs/control-protocol.md: "wrong or missing").
        if (frame.value("type"_L1) == "hello"_L1 && !frame.contains("token"_L1))
            refuse(session, QString(ErrorCode::InvalidToken), Close::InvalidToken, u"no control token"_s);
        else
            refuse(session, hello.error().code, Close::BadRequest, hello.error().message);
        return;
    }
    if (m_settings.token.isEmpty() || !constantTimeEquals(hello->token.toUtf8(), m_settings.token.toUtf8())) {
        recordFailure(session->address);
        refuse(session, QString(ErrorCode::InvalidToken), Close::InvalidToken, u"wrong control token"_s);
        return;
    }
    if (hello->version != ControlProtocolVersion) {
        refuse(session, u"unsupported_version"_s, Close::UnsupportedVersion,
               u"this service speaks control protocol version %1"_s.arg(ControlProtocolVersion));
        return;
    }
    session->helloTimer.stop();
    session->open = true;
    m_service.logEvent(EventLog::Level::Info, u"control"_s,
                       u"console %1 (%2) connected from %3"_s.arg(session->id, hello->client, session->address));
    send(session, {{u"type"_s, u"welcome"_s},
                   {u"version"_s, ControlProtocolVersion},
                   {u"node_id"_s, m_service.nodeId()},
                   {u"session"_s, session->id},
                   {u"interval_ms"_s, m_settings.intervalMs}});
    push(session, captureState());
}

void ControlServer::protocolError(Session *session, const QJsonValue &id, const QString &message)
{
    if (!session->open) {
        recordFailure(session->address);
        refuse(session, QString(ErrorCode::BadRequest), Close::BadRequest, message);
        return;
    }
    if (++session->protocolErrors >= m_settings.maxProtocolErrors) {
        refuse(session, QString(ErrorCode::BadRequest), Close::BadRequest, u"too many protocol errors"_s);
        return;
    }
    replyError(session, id, QString(ErrorCode::BadRequest), message);
}

void ControlServer::reply(Session *session, const QJsonValue &id, const QJsonObject &result)
{
    send(session, {{u"type"_s, u"reply"_s}, {u"id"_s, id}, {u"ok"_s, true}, {u"result"_s, result}});
}

void ControlServer::replyError(Session *session, const QJsonValue &id, const QString &code, const QString &message)
{
    QJsonObject frame{{u"type"_s, u"reply"_s},
                      {u"ok"_s, false},
                      {u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}};
    if (!id.isUndefined())
        frame.insert(u"id"_s, id);
    send(session, frame);
}

void ControlServer::handleCommand(Session *session, const QJsonObject &frame)
{
    const Result<ControlCommand> command = parseControlCommand(frame);
    if (!command) {
        protocolError(session, controlCommandIdOf(frame), command.error().message);
        return;
    }
    const QJsonValue id = command->id;
    const auto log = [this, session](const QString &what) {
        m_service.logEvent(EventLog::Level::Info, u"control"_s, u"console %1: %2"_s.arg(session->id, what));
    };
    // The answer may come after the console left: the session is looked up again then.
    QPointer<QWebSocket> socket(session->socket);
    const auto answer = [this, socket, id](const QJsonObject &extra) {
        return [this, socket, id, extra](const Result<Service::PublishResult> &outcome) {
            Session *alive = nullptr;
            for (const auto &s : m_sessions)
                alive = s->socket == socket ? s.get() : alive;
            if (!alive || !socket)
                return;
            if (!outcome) {
                replyError(alive, id, outcome.error().code, outcome.error().message);
                return;
            }
            QJsonObject result = outcome->toJson();
            for (auto it = extra.begin(); it != extra.end(); ++it)
                result.insert(it.key(), it.value());
            if (extra.contains(u"bill_id"_s))
                result.insert(u"offset"_s, outcome->offset);
            if (extra.contains(u"user_id"_s))
                result.insert(u"stored"_s, outcome->stored);
            reply(alive, id, result);
        };
    };
    switch (command->type) {
    case ControlCommand::Type::Publish:
        switch (command->target) {
        case ControlCommand::Target::Bill:
            log(u"publish an update of bill %1"_s.arg(command->billId));
            m_service.broadcastBillUpdate(command->billId, command->data, answer({{u"bill_id"_s, command->billId}}),
                                          command->idempotencyKey);
            return;
        case ControlCommand::Target::User:
            log(u"notify user %1"_s.arg(command->userId));
            m_service.sendUserNotification(command->userId, command->data, answer({{u"user_id"_s, command->userId}}),
                                           command->idempotencyKey);
            return;
        case ControlCommand::Target::All:
            log(u"broadcast to everyone"_s);
            m_service.broadcastToAll(command->data, answer({}), command->idempotencyKey);
            return;
        }
        return;
    case ControlCommand::Type::Disconnect: {
        log(u"disconnect %1"_s.arg(command->connectionId));
        if (!m_service.closeConnection(command->connectionId, CloseCode::DisconnectedByOperator,
                                       u"closed by an operator"_s)) {
            replyError(session, id, QString(ErrorCode::NotFound),
                       u"no connection %1 on this node"_s.arg(command->connectionId));
            return;
        }
        reply(session, id, {{u"closed"_s, true}});
        return;
    }
    case ControlCommand::Type::Analyse:
        log(u"memory analysis"_s);
        reply(session, id, m_service.forceMemoryAnalysis());
        return;
    case ControlCommand::Type::Metrics:
        log(u"metrics"_s);
        reply(session, id, m_service.getMetrics());
        return;
    case ControlCommand::Type::Events:
        log(u"events since %1"_s.arg(command->since));
        reply(session, id, m_service.eventLog().page(command->since, command->limit));
        return;
    case ControlCommand::Type::Resync:
        session->needsSnapshot = true;
        return;
    }
}

ControlServer::State ControlServer::captureState() const
{
    State state;
    state.atMs = m_clock.nowMs();
    state.stats = m_service.getStats().toJson();
    state.health = m_service.getHealthStatus().toJson();
    const QJsonObject metrics = m_service.getMetrics();
    for (const char *part : {"traffic", "memory", "degradation", "performance", "cluster", "inbox", "history"})
        state.metrics.insert(QLatin1StringView(part), metrics.value(QLatin1StringView(part)));
    const QList<ConnectionRow> rows = m_service.connectionRows();
    for (const ConnectionRow &row : rows)
        state.connections.insert(row.id, rowJson(row));
    const QHash<qint64, QSet<QString>> map = m_service.subscriptionMap();
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        QStringList users(it->cbegin(), it->cend());
        users.sort();
        state.subscriptions.insert(it.key(), users);
    }
    return state;
}

void ControlServer::pushAll()
{
    bool any = false;
    for (const auto &session : m_sessions)
        any = any || session->open;
    if (!any)
        return;
    const State state = captureState();
    for (const auto &session : m_sessions) {
        if (session->open)
            push(session.get(), state);
    }
}

void ControlServer::push(Session *session, const State &state)
{
    if (session->backlogBytes > m_settings.maxBacklogBytes) {
        // Behind: nothing more until it has read; then a snapshot, not a delta on top of a gap.
        session->needsSnapshot = true;
        return;
    }
    QJsonObject frame{{u"seq"_s, ++session->seq},
                      {u"at"_s, state.atMs},
                      {u"stats"_s, state.stats},
                      {u"health"_s, state.health},
                      {u"metrics"_s, state.metrics}};
    const EventLog &log = m_service.eventLog();
    if (session->needsSnapshot) {
        session->needsSnapshot = false;
        frame.insert(u"type"_s, u"snapshot"_s);
        QJsonArray connections;
        for (const QJsonObject &row : state.connections)
            connections.append(row);
        frame.insert(u"connections"_s, connections);
        QJsonArray subscriptions;
        QList<qint64> bills = state.subscriptions.keys();
        std::sort(bills.begin(), bills.end());
        for (qint64 billId : bills)
            subscriptions.append(subscriptionJson(billId, state.subscriptions.value(billId)));
        frame.insert(u"subscriptions"_s, subscriptions);
        qint64 lastId = 0;
        const qint64 latest = log.lastId();
        const QList<EventLog::Event> events =
            log.since(std::max<qint64>(0, latest - SnapshotEvents), SnapshotEvents, &lastId);
        frame.insert(u"events"_s, eventsJson(events));
        session->lastEventId = events.isEmpty() ? lastId : events.last().id;
    } else {
        frame.insert(u"type"_s, u"delta"_s);
        QJsonArray added;
        QJsonArray changed;
        QJsonArray removed;
        for (auto it = state.connections.cbegin(); it != state.connections.cend(); ++it) {
            const auto before = session->connections.constFind(it.key());
            if (before == session->connections.cend())
                added.append(it.value());
            else if (before.value() != it.value())
                changed.append(it.value());
        }
        for (auto it = session->connections.cbegin(); it != session->connections.cend(); ++it) {
            if (!state.connections.contains(it.key()))
                removed.append(it.key());
        }
        frame.insert(u"connections"_s,
                     QJsonObject{{u"added"_s, added}, {u"changed"_s, changed}, {u"removed"_s, removed}});
        QJsonArray billsChanged;
        QJsonArray billsRemoved;
        for (auto it = state.subscriptions.cbegin(); it != state.subscriptions.cend(); ++it) {
            if (session->subscriptions.value(it.key()) != it.value())
                billsChanged.append(subscriptionJson(it.key(), it.value()));
        }
        for (auto it = session->subscriptions.cbegin(); it != session->subscriptions.cend(); ++it) {
            if (!state.subscriptions.contains(it.key()))
                billsRemoved.append(it.key());
        }
        frame.insert(u"subscriptions"_s, QJsonObject{{u"changed"_s, billsChanged}, {u"removed"_s, billsRemoved}});
        qint64 lastId = 0;
        const QList<EventLog::Event> events = log.since(session->lastEventId, DeltaEvents, &lastId);
        frame.insert(u"events"_s, eventsJson(events));
        session->lastEventId = events.isEmpty() ? std::max(session->lastEventId, lastId) : events.last().id;
    }
    session->connections = state.connections;
    session->subscriptions = state.subscriptions;
    send(session, frame);
}

} // namespace wsinfra
