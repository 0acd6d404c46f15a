#include "cluster/redisclient.h"

#include "cluster/redistlstunnel.h"

#include <QFile>
#include <QHostAddress>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QVarLengthArray>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsinfra {

Q_LOGGING_CATEGORY(lcRedis, "wsinfra.cluster.redis", QtWarningMsg)

/// One connection: the hiredis context and the two notifiers that drive it. hiredis points at the
/// Link (context->data, context->ev.data) until it frees the context, so the Link outlives it;
/// `client` is cleared when the client gives up on the link, and whatever hiredis still calls back
/// (replies as NULL while it frees the context) is then ignored.
struct RedisClient::Link
{
    RedisClient *client = nullptr;
    /// Null once hiredis has freed the context (its cleanup hook ran).
    redisAsyncContext *context = nullptr;
    QSocketNotifier *readNotifier = nullptr;
    QSocketNotifier *writeNotifier = nullptr;
    /// What hiredis said when the connection failed or closed.
    QString error;
};

namespace {

// Commands that would change what hiredis expects on the wire (pushes without a request, RESP3,
// or a silent exit from subscriber mode): its 0.14 parser asserts on some of them.
bool isRefusedCommand(const QByteArray &name)
{
    static const QByteArrayList refused{"SUBSCRIBE",    "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE",
                                        "SUNSUBSCRIBE", "MONITOR",    "RESET",      "HELLO"};
    return refused.contains(name);
}

int sendArguments(redisAsyncContext *context, redisCallbackFn *callback, void *privateData,
                  const QList<QByteArray> &arguments)
{
    QVarLengthArray<const char *, 8> values;
    QVarLengthArray<size_t, 8> lengths;
    for (const QByteArray &argument : arguments) {
        values.append(argument.constData());
        lengths.append(size_t(argument.size()));
    }
    // hiredis copies the arguments into its output buffer before returning.
    return redisAsyncCommandArgv(context, callback, privateData, int(values.size()), values.data(), lengths.data());
}

QByteArray watchdogChannel()
{
    return QByteArray(RedisClient::WatchdogChannel.data(), RedisClient::WatchdogChannel.size());
}

QString errorText(const RedisReply &reply)
{
    return QString::fromUtf8(reply.string);
}

} // namespace

RedisClient::RedisClient(Options options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    m_options.connectTimeoutMs = qMax(1, m_options.connectTimeoutMs);
    m_options.commandTimeoutMs = qMax(1, m_options.commandTimeoutMs);
    m_options.pingIntervalMs = qMax(1, m_options.pingIntervalMs);
    m_options.reconnectInitialDelayMs = qMax(1, m_options.reconnectInitialDelayMs);
    m_options.reconnectMaxDelayMs = qMax(m_options.reconnectInitialDelayMs, m_options.reconnectMaxDelayMs);

    // Redis refuses client names with blanks or anything outside printable ASCII.
    m_clientName = m_options.name.toUtf8();
    for (char &c : m_clientName) {
        if (c < '!' || c > '~')
            c = '_';
    }

    m_pingTimer.setInterval(m_options.pingIntervalMs);
    connect(&m_pingTimer, &QTimer::timeout, this, &RedisClient::sendProbe);
    m_deadlineTimer.setSingleShot(true);
    m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &RedisClient::checkDeadlines);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisClient::connectToServer);

    if (m_options.endpoint.tls) {
        m_tunnel =
            new RedisTlsTunnel({m_options.endpoint.host, m_options.endpoint.port, m_options.tlsCaCertificates}, this);
    }
}

RedisClient::~RedisClient()
{
    Q_ASSERT(m_hiredisDepth == 0);
    m_running = false;
    // The owner is going away: nothing more is called back.
    m_deliveries.clear();
    m_pending.clear();
    abortHostLookup();
    if (m_link) {
        m_link->client = nullptr;
        if (m_link->context)
            redisAsyncFree(m_link->context); // runs the cleanup hook; the notifiers die with this object
    }
}

void RedisClient::start()
{
    if (m_running)
        return;
    m_running = true;
    m_reconnectAttempt = 0;
    connectToServer();
}

void RedisClient::stop()
{
    Q_ASSERT(m_hiredisDepth == 0);
    m_running = false;
    m_reconnectTimer.stop();
    abortHostLookup();
    if (m_link)
        dropLink(u"stopped"_s);
    else
        setState(State::Disconnected);
}

void RedisClient::connectToServer()
{
    if (!m_running || m_link || m_hostLookupId >= 0)
        return;
    setState(State::Connecting);
    // The deadline covers the name lookup, the TCP connect and the handshake (TLS's too).
    m_handshakeDeadline = QDeadlineTimer(m_options.connectTimeoutMs);
    const QString &host = m_options.endpoint.host;
    if (m_tunnel) {
        // The tunnel's QSslSocket resolves the name without blocking.
        if (!m_tunnel->listen())
            connectionLost(m_tunnel->errorString());
        else
            connectToAddress(m_tunnel->socketPath());
    } else if (!QHostAddress(host).isNull()) {
        connectToAddress(host);
    } else {
        // hiredis would resolve the name with a blocking getaddrinfo().
        const quint64 generation = ++m_lookupGeneration;
        m_hostLookupId = QHostInfo::lookupHost(host, this, [this, generation](const QHostInfo &info) {
            if (generation != m_lookupGeneration)
                return;
            m_hostLookupId = -1;
            if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
                connectionLost(u"cannot resolve %1: %2"_s.arg(m_options.endpoint.host, info.errorString()));
                return;
            }
            // Many redis servers listen on IPv4 only; an IPv4 address is the safer first choice.
            const QList<QHostAddress> addresses = info.addresses();
            const auto ipv4 = std::find_if(addresses.begin(), addresses.end(), [](const QHostAddress &address) {
                return address.protocol() == QAbstractSocket::IPv4Protocol;
            });
            connectToAddress((ipv4 != addresses.end() ? *ipv4 : addresses.constFirst()).toString());
        });
    }
    armDeadlineTimer();
}

void RedisClient::connectToAddress(const QString &address)
{
    const QByteArray target = m_tunnel ? QFile::encodeName(address) : address.toLatin1();
    redisAsyncContext *context = m_tunnel ? redisAsyncConnectUnix(target.constData())
                                          : redisAsyncConnect(target.constData(), int(m_options.endpoint.port));
    if (!context) {
        connectionLost(u"cannot create a hiredis context"_s);
        return;
    }
    if (context->err) {
        const QString error = QString::fromLocal8Bit(context->errstr);
        redisAsyncFree(context);
        connectionLost(u"cannot connect: "_s + error);
        return;
    }

    auto link = std::make_unique<Link>();
    link->client = this;
    link->context = context;
    const qintptr fd = context->c.fd;
    link->readNotifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    link->readNotifier->setEnabled(false);
    link->writeNotifier = new QSocketNotifier(fd, QSocketNotifier::Write, this);
    link->writeNotifier->setEnabled(false);
    Link *const raw = link.get();
    connect(link->readNotifier, &QSocketNotifier::activated, this, [this, raw] { handleSocketActivity(raw, true); });
    connect(link->writeNotifier, &QSocketNotifier::activated, this, [this, raw] { handleSocketActivity(raw, false); });

    // The hooks first: setting the connect callback already asks for a write event.
    context->data = raw;
    context->ev.data = raw;
    context->ev.addRead = &RedisClient::addRead;
    context->ev.delRead = &RedisClient::delRead;
    context->ev.addWrite = &RedisClient::addWrite;
    context->ev.delWrite = &RedisClient::delWrite;
    context->ev.cleanup = &RedisClient::cleanup;
    redisAsyncSetConnectCallback(context, &RedisClient::onConnect);
    redisAsyncSetDisconnectCallback(context, &RedisClient::onDisconnect);

    m_link = std::move(link);
    qCDebug(lcRedis).noquote() << describe() << "connecting to" << address;
    sendHandshake();
}

void RedisClient::sendHandshake()
{
    redisAsyncContext *context = m_link->context;
    const RedisEndpoint &endpoint = m_options.endpoint;
    m_handshakeAnswered = 0;
    m_handshakeFailed = false;
    m_handshakeSubscriptionsPending = 0;

    // All of it is pipelined, written as soon as the TCP connection is up; the replies come in order.
    const auto send = [context](HandshakeStep step, const QList<QByteArray> &arguments) {
        sendArguments(context, &RedisClient::onHandshakeReply, reinterpret_cast<void *>(quintptr(step)), arguments);
    };
    if (!endpoint.password.isEmpty()) {
        if (endpoint.username.isEmpty())
            send(HandshakeStep::Auth, {"AUTH"_ba, endpoint.password.toUtf8()});
        else
            send(HandshakeStep::Auth, {"AUTH"_ba, endpoint.username.toUtf8(), endpoint.password.toUtf8()});
    }
    if (endpoint.database != 0)
        send(HandshakeStep::Select, {"SELECT"_ba, QByteArray::number(endpoint.database)});
    if (!m_clientName.isEmpty())
        send(HandshakeStep::SetName, {"CLIENT"_ba, "SETNAME"_ba, m_clientName});
    send(HandshakeStep::Ping, {"PING"_ba});
    // Connected means subscribed again: a message published after connected() is not missed.
    if (!m_channels.isEmpty()) {
        sendSubscriptionCommand("SUBSCRIBE"_ba, m_channels.values());
        m_handshakeSubscriptionsPending += int(m_channels.size());
    }
    if (!m_patterns.isEmpty()) {
        sendSubscriptionCommand("PSUBSCRIBE"_ba, m_patterns.values());
        m_handshakeSubscriptionsPending += int(m_patterns.size());
    }
}

void RedisClient::handleHandshakeReply(HandshakeStep step, const RedisReply &reply)
{
    // hiredis 0.14 may hand a reply to the callback it ran last; an answered step ignores it.
    if (m_state != State::Connecting || m_handshakeFailed || (m_handshakeAnswered & quintptr(step)))
        return;
    m_handshakeAnswered |= quintptr(step);
    if (reply.isError()) {
        const QString text = errorText(reply);
        QString reason;
        // A server that wants a password answers every command before AUTH with NOAUTH.
        if (text.startsWith(u"NOAUTH"_s)) {
            m_handshakeFailed = true;
            requestDrop(u"authentication required: "_s + text);
            return;
        }
        switch (step) {
        case HandshakeStep::Auth:
            reason = u"authentication failed: "_s + text;
            break;
        case HandshakeStep::Select:
            reason = u"SELECT %1 failed: "_s.arg(m_options.endpoint.database) + text;
            break;
        case HandshakeStep::SetName:
            reason = u"CLIENT SETNAME failed: "_s + text;
            break;
        case HandshakeStep::Ping:
            reason = u"PING failed: "_s + text;
            break;
        }
        m_handshakeFailed = true;
        requestDrop(reason);
        return;
    }
    finishHandshakeIfDone();
}

void RedisClient::finishHandshakeIfDone()
{
    if (m_state != State::Connecting || m_handshakeFailed || !(m_handshakeAnswered & quintptr(HandshakeStep::Ping)) ||
        m_handshakeSubscriptionsPending > 0) {
        return;
    }
    m_reconnectAttempt = 0;
    qCInfo(lcRedis).noquote() << describe() << "connected";
    setState(State::Connected);
    m_pingTimer.start();
    deliverLater([this] { emit connected(); });
}

void RedisClient::handleSocketActivity(Link *link, bool readable)
{
    if (link != m_link.get() || !link->context)
        return;
    ++m_hiredisDepth;
    if (readable)
        redisAsyncHandleRead(link->context);
    else
        redisAsyncHandleWrite(link->context);
    --m_hiredisDepth;
    afterHiredis();
}

void RedisClient::afterHiredis()
{
    if (m_link && !m_link->context) {
        // hiredis gave up on the connection and freed the context. While connecting through the
        // tunnel, the tunnel knows better why (a certificate that is not trusted, say).
        const QString tunnelError = m_tunnel && m_state == State::Connecting ? m_tunnel->lastError() : QString();
        const QString reason = !m_dropRequested.isEmpty() ? m_dropRequested
                               : !tunnelError.isEmpty()   ? tunnelError
                               : !m_link->error.isEmpty() ? m_link->error
                                                          : u"connection closed"_s;
        m_dropRequested.clear();
        dropLink(reason);
    } else if (!m_dropRequested.isEmpty()) {
        const QString reason = std::exchange(m_dropRequested, QString());
        dropLink(reason);
    }
    armDeadlineTimer();
}

void RedisClient::requestDrop(const QString &reason)
{
    if (m_hiredisDepth > 0) {
        if (m_dropRequested.isEmpty())
            m_dropRequested = reason;
        return;
    }
    dropLink(reason);
}

void RedisClient::dropLink(const QString &reason)
{
    Q_ASSERT(m_hiredisDepth == 0);
    if (std::unique_ptr<Link> link = std::move(m_link)) {
        link->client = nullptr;
        if (link->context)
            redisAsyncFree(link->context); // calls back with NULL replies, then the cleanup hook
        // We may be inside one of these notifiers' activated(): never delete them here.
        for (QSocketNotifier *notifier : {link->readNotifier, link->writeNotifier}) {
            notifier->setEnabled(false);
            QObject::disconnect(notifier, nullptr, this, nullptr);
            notifier->deleteLater();
        }
    }
    connectionLost(reason);
}

void RedisClient::connectionLost(const QString &reason)
{
    const bool wasConnected = m_state == State::Connected;
    m_lastError = reason;
    m_pingTimer.stop();
    m_probeOutstanding = false;
    m_watchdogSubscribed = false;
    m_handshakeFailed = false;
    m_handshakeAnswered = 0;
    m_handshakeSubscriptionsPending = 0;

    std::deque<PendingCommand> pending;
    pending.swap(m_pending);
    for (PendingCommand &command : pending)
        complete(std::move(command), Error{QString(UnavailableError), u"connection to redis lost: "_s + reason});

    if (wasConnected) {
        if (m_running)
            qCWarning(lcRedis).noquote() << describe() << "disconnected:" << reason;
        else
            qCInfo(lcRedis).noquote() << describe() << "disconnected:" << reason;
        deliverLater([this, reason] { emit disconnected(reason); });
    } else if (m_reconnectAttempt == 0 && m_running) {
        qCWarning(lcRedis).noquote() << describe() << "connection attempt failed:" << reason;
    } else {
        qCDebug(lcRedis).noquote() << describe() << "connection attempt failed:" << reason;
    }
    setState(State::Disconnected);
    if (m_running)
        scheduleReconnect();
    armDeadlineTimer();
}

void RedisClient::abortHostLookup()
{
    if (m_hostLookupId < 0)
        return;
    QHostInfo::abortHostLookup(m_hostLookupId);
    m_hostLookupId = -1;
    ++m_lookupGeneration;
}

void RedisClient::scheduleReconnect()
{
    const qint64 initial = m_options.reconnectInitialDelayMs;
    const qint64 maximum = m_options.reconnectMaxDelayMs;
    const qint64 delay = std::min(maximum, initial << std::min(m_reconnectAttempt, 30));
    // Equal jitter: at least half the delay, so that retries still back off, and the other half at
    // random, so that the nodes of a cluster do not all come back in the same millisecond.
    const qint64 jittered = delay / 2 + qint64(QRandomGenerator::global()->bounded(quint64(delay / 2 + 1)));
    ++m_reconnectAttempt;
    m_reconnectTimer.start(int(jittered));
}

void RedisClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    deliverLater([this, state] { emit stateChanged(state); });
}

void RedisClient::command(const QList<QByteArray> &arguments, QObject *context, Callback callback)
{
    PendingCommand pending{0, QDeadlineTimer(m_options.commandTimeoutMs), context, context != nullptr,
                           std::move(callback)};
    const auto refuse = [&](QLatin1StringView code, const QString &message) {
        complete(std::move(pending), Error{QString(code), message});
    };
    if (arguments.isEmpty())
        return refuse(ReplyError, u"empty command"_s);
    if (m_state != State::Connected || !m_link || !m_link->context) {
        return refuse(UnavailableError, m_lastError.isEmpty() ? u"not connected to redis"_s
                                                              : u"not connected to redis: "_s + m_lastError);
    }
    const QByteArray name = arguments.constFirst().toUpper();
    if (isRefusedCommand(name)) {
        return refuse(ReplyError, QString::fromLatin1(name) +
                                      u" cannot be sent with command(); pub/sub goes through subscribe()"_s);
    }
    if (isSubscriberMode())
        return refuse(ReplyError, u"this client is in subscriber mode; use another RedisClient for commands"_s);

    pending.id = ++m_nextCommandId;
    if (sendArguments(m_link->context, &RedisClient::onCommandReply, reinterpret_cast<void *>(pending.id), arguments) !=
        REDIS_OK) {
        return refuse(UnavailableError, u"the connection to redis is closing"_s);
    }
    m_pending.push_back(std::move(pending));
    armDeadlineTimer();
}

void RedisClient::handleCommandReply(quintptr id, const redisReply *reply)
{
    // Replies come in order; one for a command that timed out already finds it gone.
    const auto found = std::find_if(m_pending.begin(), m_pending.end(),
                                    [id](const PendingCommand &pending) { return pending.id == id; });
    if (found == m_pending.end())
        return;
    PendingCommand pending = std::move(*found);
    m_pending.erase(found);
    RedisReply copy = RedisReply::fromHiredis(reply);
    if (copy.isError())
        complete(std::move(pending), Error{QString(ReplyError), errorText(copy)});
    else
        complete(std::move(pending), std::move(copy));
}

void RedisClient::subscribe(const QByteArray &channel)
{
    if (m_channels.contains(channel))
        return;
    m_channels.insert(channel);
    if (m_link && m_link->context)
        sendSubscriptionCommand("SUBSCRIBE"_ba, {channel});
}

void RedisClient::unsubscribe(const QByteArray &channel)
{
    if (!m_channels.remove(channel))
        return;
    if (m_link && m_link->context) {
        sendSubscriptionCommand("UNSUBSCRIBE"_ba, {channel});
        leaveSubscriberModeIfIdle();
    }
}

void RedisClient::psubscribe(const QByteArray &pattern)
{
    if (m_patterns.contains(pattern))
        return;
    m_patterns.insert(pattern);
    if (m_link && m_link->context)
        sendSubscriptionCommand("PSUBSCRIBE"_ba, {pattern});
}

void RedisClient::punsubscribe(const QByteArray &pattern)
{
    if (!m_patterns.remove(pattern))
        return;
    if (m_link && m_link->context) {
        sendSubscriptionCommand("PUNSUBSCRIBE"_ba, {pattern});
        leaveSubscriberModeIfIdle();
    }
}

void RedisClient::sendSubscriptionCommand(const QByteArray &command, const QList<QByteArray> &names)
{
    QList<QByteArray> arguments;
    arguments.reserve(names.size() + 1);
    arguments.append(command);
    arguments.append(names);
    // hiredis keeps one callback per channel or pattern; (P)UNSUBSCRIBE registers none.
    sendArguments(m_link->context, &RedisClient::onPubSubReply, nullptr, arguments);
}

void RedisClient::leaveSubscriberModeIfIdle()
{
    if (!m_channels.isEmpty() || !m_patterns.isEmpty() || !m_watchdogSubscribed)
        return;
    m_watchdogSubscribed = false;
    sendSubscriptionCommand("UNSUBSCRIBE"_ba, {watchdogChannel()});
}

bool RedisClient::isSubscriberMode() const
{
    return !m_channels.isEmpty() || !m_patterns.isEmpty() ||
           (m_link && m_link->context && (m_link->context->c.flags & REDIS_SUBSCRIBED));
}

void RedisClient::handlePubSubReply(const RedisReply &reply)
{
    if (!reply.isArray() || reply.elements.size() < 2 || !reply.elements.at(0).isString())
        return;
    const QByteArray &kind = reply.elements.at(0).string;
    const QByteArray &name = reply.elements.at(1).string;
    if (kind == "message" && reply.elements.size() >= 3) {
        // A message still on its way after unsubscribe() is not wanted any more.
        if (!m_channels.contains(name))
            return;
        const QByteArray payload = reply.elements.at(2).string;
        deliverLater([this, name, payload] { emit message(name, payload); });
    } else if (kind == "pmessage" && reply.elements.size() >= 4) {
        if (!m_patterns.contains(name))
            return;
        const QByteArray channel = reply.elements.at(2).string;
        const QByteArray payload = reply.elements.at(3).string;
        deliverLater([this, name, channel, payload] { emit patternMessage(name, channel, payload); });
    } else if (kind == "subscribe" && name == watchdogChannel()) {
        m_probeOutstanding = false;
    } else if (kind == "subscribe" || kind == "psubscribe") {
        if (m_state == State::Connecting && m_handshakeSubscriptionsPending > 0) {
            --m_handshakeSubscriptionsPending;
            finishHandshakeIfDone();
        }
    } else if (kind == "pong") {
        m_probeOutstanding = false;
    }
}

void RedisClient::sendProbe()
{
    if (m_state != State::Connected || !m_link || !m_link->context || m_probeOutstanding)
        return;
    redisAsyncContext *context = m_link->context;
    int status = REDIS_OK;
    if (!m_channels.isEmpty() || !m_patterns.isEmpty()) {
        // In subscriber mode hiredis 0.14 drops PING's reply (["pong", ""] matches no channel) and keeps
        // its callback forever; a SUBSCRIBE of a channel we hold is answered, and costs nothing.
        m_watchdogSubscribed = true;
        status = sendArguments(context, &RedisClient::onPubSubReply, nullptr, {"SUBSCRIBE"_ba, watchdogChannel()});
    } else if (context->c.flags & REDIS_SUBSCRIBED) {
        // Leaving subscriber mode: the last UNSUBSCRIBE is on its way. Probe on the next tick.
        return;
    } else {
        status = sendArguments(context, &RedisClient::onPingReply, nullptr, {"PING"_ba});
    }
    if (status != REDIS_OK)
        return;
    m_probeOutstanding = true;
    m_probeDeadline = QDeadlineTimer(m_options.commandTimeoutMs);
    armDeadlineTimer();
}

void RedisClient::checkDeadlines()
{
    Q_ASSERT(m_hiredisDepth == 0);
    if (m_state == State::Connecting && m_handshakeDeadline.hasExpired()) {
        const QString reason = u"no connection within %1 ms"_s.arg(m_options.connectTimeoutMs);
        if (m_link) {
            dropLink(reason);
        } else if (m_hostLookupId >= 0) {
            abortHostLookup();
            connectionLost(reason);
        }
    }

    // Replies come in order, so the oldest command is the first to time out; those behind it that
    // are past their deadline too go with it.
    int timedOut = 0;
    while (!m_pending.empty() && m_pending.front().deadline.hasExpired()) {
        PendingCommand pending = std::move(m_pending.front());
        m_pending.pop_front();
        complete(std::move(pending),
                 Error{QString(TimeoutError), u"no reply from redis within %1 ms"_s.arg(m_options.commandTimeoutMs)});
        ++timedOut;
    }
    if (timedOut > 0)
        qCWarning(lcRedis).noquote() << describe() << timedOut << "command(s) timed out";

    if (m_probeOutstanding && m_probeDeadline.hasExpired())
        dropLink(u"no reply to PING within %1 ms"_s.arg(m_options.commandTimeoutMs));
    armDeadlineTimer();
}

void RedisClient::armDeadlineTimer()
{
    QDeadlineTimer next(QDeadlineTimer::Forever);
    if (m_state == State::Connecting && (m_link || m_hostLookupId >= 0))
        next = std::min(next, m_handshakeDeadline);
    if (!m_pending.empty())
        next = std::min(next, m_pending.front().deadline);
    if (m_probeOutstanding)
        next = std::min(next, m_probeDeadline);
    if (next.isForever()) {
        m_deadlineTimer.stop();
        return;
    }
    if (m_deadlineTimer.isActive() && m_armedDeadline <= next)
        return;
    m_armedDeadline = next;
    m_deadlineTimer.start(int(std::min<qint64>(next.remainingTime(), std::numeric_limits<int>::max())));
}

void RedisClient::complete(PendingCommand pending, Result<RedisReply> result)
{
    deliverLater([callback = std::move(pending.callback), context = pending.context, hasContext = pending.hasContext,
                  result = std::move(result)] {
        if ((hasContext && !context) || !callback)
            return;
        callback(result);
    });
}

void RedisClient::deliverLater(std::function<void()> delivery)
{
    m_deliveries.push_back(std::move(delivery));
    if (m_deliveryScheduled)
        return;
    m_deliveryScheduled = true;
    QMetaObject::invokeMethod(this, &RedisClient::deliver, Qt::QueuedConnection);
}

void RedisClient::deliver()
{
    m_deliveryScheduled = false;
    std::deque<std::function<void()>> batch;
    batch.swap(m_deliveries);
    const QPointer<RedisClient> alive(this);
    for (const std::function<void()> &delivery : batch) {
        delivery();
        if (!alive)
            return; // a callback deleted the client; the rest is not delivered
    }
}

QString RedisClient::describe() const
{
    const QString endpoint = m_options.endpoint.toDisplayString();
    return m_options.name.isEmpty() ? endpoint : m_options.name + u" ("_s + endpoint + u")"_s;
}

// hiredis' callbacks. `context->data` is the Link; a detached Link (client null) ignores everything.

void RedisClient::onConnect(const redisAsyncContext *context, int status)
{
    auto *link = static_cast<Link *>(context->data);
    if (link && status != REDIS_OK)
        link->error = u"cannot connect: "_s + QString::fromLocal8Bit(context->errstr);
}

void RedisClient::onDisconnect(const redisAsyncContext *context, int status)
{
    auto *link = static_cast<Link *>(context->data);
    if (!link)
        return;
    link->error = status != REDIS_OK && context->errstr && context->errstr[0] ? QString::fromLocal8Bit(context->errstr)
                                                                              : u"connection closed"_s;
}

void RedisClient::onCommandReply(redisAsyncContext *context, void *reply, void *privateData)
{
    auto *link = static_cast<Link *>(context->data);
    if (link && link->client && reply)
        link->client->handleCommandReply(reinterpret_cast<quintptr>(privateData), static_cast<redisReply *>(reply));
}

void RedisClient::onHandshakeReply(redisAsyncContext *context, void *reply, void *privateData)
{
    auto *link = static_cast<Link *>(context->data);
    if (link && link->client && reply) {
        link->client->handleHandshakeReply(HandshakeStep(reinterpret_cast<quintptr>(privateData)),
                                           RedisReply::fromHiredis(static_cast<redisReply *>(reply)));
    }
}

void RedisClient::onPingReply(redisAsyncContext *context, void *reply, void *)
{
    auto *link = static_cast<Link *>(context->data);
    if (link && link->client && reply)
        link->client->m_probeOutstanding = false;
}

void RedisClient::onPubSubReply(redisAsyncContext *context, void *reply, void *)
{
    auto *link = static_cast<Link *>(context->data);
    if (link && link->client && reply)
        link->client->handlePubSubReply(RedisReply::fromHiredis(static_cast<redisReply *>(reply)));
}

void RedisClient::addRead(void *data)
{
    static_cast<Link *>(data)->readNotifier->setEnabled(true);
}

void RedisClient::delRead(void *data)
{
    static_cast<Link *>(data)->readNotifier->setEnabled(false);
}

void RedisClient::addWrite(void *data)
{
    static_cast<Link *>(data)->writeNotifier->setEnabled(true);
}

void RedisClient::delWrite(void *data)
{
    static_cast<Link *>(data)->writeNotifier->setEnabled(false);
}

void RedisClient::cleanup(void *data)
{
    // hiredis is about to close the socket and free the context.
    auto *link = static_cast<Link *>(data);
    link->readNotifier->setEnabled(false);
    link->writeNotifier->setEnabled(false);
    link->context = nullptr;
}

} // namespace wsinfra
