#include "core/shard.h"

#include "core/channelhistory.h"
#include "core/notificationinbox.h"
#include "monitoring/statisticscollector.h"
#include "protocol/codes.h"
#include "protocol/servermessage.h"
#include "transport/nativewebsocketadapter.h"
#include "transport/socketioendpoint.h"
#include "transport/websocket/serverwebsocket.h"
#include "transport/websocket/writebatcher.h"
#include "util/clock.h"

#include <QLoggingCategory>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcShard, "wsinfra.core.shard", QtWarningMsg)

namespace wsinfra {

namespace {

// Connection ids carry their shard in the top bits so that they are unique across shards.
constexpr int ShardIdShift = 48;
// Below this many buffered bytes a transport is given more; above, messages wait in the queue.
constexpr qint64 LowWaterBytes = 64 * 1024;
constexpr qint64 MaxFlushIntervalMs = 20;

} // namespace

Shard::Shard(int index, const ShardContext &context)
    : m_index(index), m_context(context), m_settings(m_context.settings), m_history(*context.history),
      m_statistics(context.statistics->forShard(index)), m_clock(*context.clock),
      m_messageHandler(m_subscriptions, m_history, m_statistics, m_settings, m_clock, context.inbox)
{
}

Shard::~Shard() = default;

void Shard::start()
{
    m_writeBatcher = new WriteBatcher(this);
    m_writeBatcher->setHoldWhile([this] { return m_postedDeliveries.load(std::memory_order_relaxed) > 0; });
    m_socketIo = new SocketIoEndpoint(*this, m_index, this);

    m_flushTimer = new QTimer(this);
    m_flushTimer->setSingleShot(true);
    // Batches wait at most the batch delay; a congested socket is retried at least this often even
    // when its transport cannot say that it drained (a polling session).
    m_flushTimer->setInterval(
        std::chrono::milliseconds(qBound<qint64>(1, m_settings.messageBatchDelayMs, MaxFlushIntervalMs)));
    connect(m_flushTimer, &QTimer::timeout, this, &Shard::flushPending);

    m_heartbeatTimer = new QTimer(this);
    // Checking more often than the interval keeps timeouts close to their configured value.
    m_heartbeatTimer->setInterval(std::chrono::milliseconds(qMax<qint64>(50, m_settings.heartbeatIntervalMs / 2)));
    connect(m_heartbeatTimer, &QTimer::timeout, this, &Shard::checkConnections);
    m_heartbeatTimer->start();
}

ServerWebSocket *Shard::upgrade(const IncomingSocket &incoming)
{
    auto *socket = new ServerWebSocket(incoming, incoming.headLength(), incoming.acceptKey(), m_writeBatcher, this);
    if (!socket->isOpen()) {
        delete socket;
        return nullptr;
    }
    socket->setMaxIncomingMessageBytes(m_settings.maxPayloadBytes);
    return socket;
}

void Shard::adoptWebSocket(const IncomingSocket &incoming, const AdmissionTicket &ticket)
{
    ServerWebSocket *socket = upgrade(incoming);
    if (!socket) {
        emit connectionReleased(ticket);
        checkDrained();
        return;
    }
    if (Connection *connection = attach(new NativeWebSocketAdapter(socket, &m_frameCache, this), ticket))
        greet(*connection);
}

void Shard::adoptEngineIoWebSocket(const IncomingSocket &incoming, const QString &clientAddress, const QUrlQuery &query)
{
    if (ServerWebSocket *socket = upgrade(incoming))
        m_socketIo->handleWebSocket(socket, clientAddress, query);
}

void Shard::handleEngineIoHttp(const HttpRequest &request, const QString &peerAddress,
                               std::function<void(const HttpResponse &)> respond)
{
    m_socketIo->handleHttp(request, peerAddress, std::move(respond));
}

Connection *Shard::attach(ClientTransport *transport, const AdmissionTicket &ticket, const QString &publicId)
{
    transport->setParent(this);
    auto connection = std::make_shared<Connection>();
    connection->id = (ConnectionId(m_index) << ShardIdShift) | ++m_nextSerial;
    connection->publicId =
        publicId.isEmpty() ? m_context.nodeId + u'-' + QString::number(m_index) + u'-' + QString::number(m_nextSerial)
                           : publicId;
    connection->ticket = ticket;
    connection->transport = transport;
    connection->inboundBudget = TokenBucket(m_settings.messagesPerSecond, m_settings.messageBurst);
    connection->lastSeenMs = m_clock.nowMs();
    connection->connectedAtMs = connection->lastSeenMs;
    connection->scheduler = this;
    connection->statistics = &m_statistics;
    connection->queue.setOrder(m_settings.deliveryOrder);
    connection->batching = ticket.batch;
    const ConnectionId id = connection->id;
    m_connections.insert(id, connection);
    if (!ticket.userId.isEmpty())
        m_connectionsByUser[ticket.userId].insert(id);
    m_presenceChanges.fetch_add(1, std::memory_order_relaxed);
    // A client refused over a limit is upgraded only to be told why: it is counted as refused
    // (ConnectionManager), never as an accepted connection.
    if (ticket.refuseCloseCode == 0)
        m_statistics.connectionOpened();

    Connection *raw = connection.get();
    connect(transport, &ClientTransport::textReceived, this,
            [this, raw](const QString &text) { m_messageHandler.handleText(*raw, text); });
    connect(transport, &ClientTransport::unsupportedReceived, this,
            [this, raw] { m_messageHandler.handleUnsupported(*raw); });
    connect(transport, &ClientTransport::alive, this, [this, raw] { raw->lastSeenMs = m_clock.nowMs(); });
    // Later, from the event loop: a transport may report its end from inside a close that a loop over
    // this shard's connections or subscriptions decided on (a slow consumer shed while delivering).
    connect(
        transport, &ClientTransport::closed, this, [this, id] { removeConnection(id); }, Qt::QueuedConnection);
    connect(transport, &ClientTransport::writable, this, [this, raw] {
        // Also when only over its budget: flush() is where a client that caught up stops counting as slow.
        if (!raw->queue.isEmpty() || raw->lostUpdates || raw->overCapSinceMs != 0)
            flush(*raw);
    });

    if (ticket.refuseCloseCode != 0 || m_draining) {
        connection->close(m_draining ? CloseCode::GoingAway : ticket.refuseCloseCode,
                          m_draining ? u"server shutting down"_s : ticket.refuseReason);
        return nullptr;
    }
    return raw;
}

void Shard::greet(Connection &connection)
{
    connection.send(ServerMessage::Type::Connected,
                    ServerMessage::encode(ServerMessage::connected(connection.publicId, connection.userId(),
                                                                   m_settings.heartbeatIntervalMs)));
    // What the user has not acknowledged yet, oldest first, as first sent (same message_id): stored
    // before the live delivery was posted, so a notification is never missed in between, at worst
    // received twice.
    if (!m_context.inbox || connection.userId().isEmpty())
        return;
    const QList<NotificationInbox::Notification> kept = m_context.inbox->pending(connection.userId());
    qint64 sent = 0;
    for (const NotificationInbox::Notification &notification : kept) {
        if (connection.send(ServerMessage::Type::Notification, notification.frame))
            ++sent;
    }
    if (sent > 0)
        m_statistics.messagesDelivered(sent);
}

void Shard::resume(Connection &connection, const QList<qint64> &bills, qint64 sequence)
{
    m_messageHandler.resume(connection, bills, sequence);
}

void Shard::removeConnection(ConnectionId id)
{
    const std::shared_ptr<Connection> connection = m_connections.take(id);
    if (!connection)
        return;
    m_subscriptions.removeConnection(id);
    m_pendingOutput.remove(id);
    m_presenceChanges.fetch_add(1, std::memory_order_relaxed);
    if (connection->overCapSinceMs != 0)
        m_statistics.slowConsumersChanged(-1);
    const QString &userId = connection->userId();
    if (!userId.isEmpty()) {
        auto byUser = m_connectionsByUser.find(userId);
        if (byUser != m_connectionsByUser.end()) {
            byUser->remove(id);
            if (byUser->isEmpty())
                m_connectionsByUser.erase(byUser);
        }
    }
    if (connection->transport) {
        // Nothing the transport still emits may reach the Connection destroyed here.
        connection->transport->disconnect(this);
        connection->transport->deleteLater();
    }
    if (connection->ticket.refuseCloseCode == 0)
        m_statistics.connectionClosed();
    emit connectionReleased(connection->ticket);
    checkDrained();
}

int Shard::deliver(const Publication &publication)
{
    if (m_postedDeliveries.load(std::memory_order_relaxed) > 0)
        m_postedDeliveries.fetch_sub(1, std::memory_order_relaxed);
    int delivered = 0;
    switch (publication.kind) {
    case Publication::Kind::BillUpdate: {
        // Skips what a connection already received through recovery.
        m_subscriptions.advanceAll(publication.billId, publication.offset, [&](ConnectionId id) {
            const auto connection = m_connections.constFind(id);
            if (connection != m_connections.cend() &&
                (*connection)->send(ServerMessage::Type::BillUpdate, publication.frame, publication.sequence))
                ++delivered;
        });
        break;
    }
    case Publication::Kind::Notification: {
        const QSet<ConnectionId> ids = m_connectionsByUser.value(publication.userId);
        for (ConnectionId id : ids) {
            const auto connection = m_connections.value(id);
            if (connection && connection->send(ServerMessage::Type::Notification, publication.frame))
                ++delivered;
        }
        break;
    }
    case Publication::Kind::Broadcast:
        for (const auto &connection : std::as_const(m_connections)) {
            // Critical memory pressure: a congested client would only queue it.
            if (m_degradation.shedBroadcasts && !connection->closing && isCongested(*connection)) {
                m_statistics.messageDropped();
                continue;
            }
            if (connection->send(ServerMessage::Type::Broadcast, publication.frame))
                ++delivered;
        }
        break;
    }
    if (delivered > 0) {
        m_statistics.messagesDelivered(delivered);
        m_statistics.latencySample(m_clock.nowMs() - publication.timestampMs);
    }
    return delivered;
}

void Shard::enqueue(Connection &connection, OutboundMessage message)
{
    if (connection.lostUpdates && message.priority == OutboundMessage::Priority::BillUpdate)
        message.sequence = 0; // the client's recovery offset must not move past what it never got
    const qint64 buffered = connection.transport->bufferedBytes();
    if (!connection.batching && connection.queue.isEmpty() && buffered < LowWaterBytes) {
        connection.write(message.type, message.text, message.sequence);
        return;
    }
    connection.queue.push(std::move(message));
    if (connection.queue.bytes() + buffered > maxQueuedBytes())
        enforceBudget(connection, buffered);
    if (connection.closing)
        return;
    if (connection.batching && (connection.queue.size() >= m_settings.messageBatchSize || m_degradation.flushAtOnce) &&
        buffered < LowWaterBytes) {
        flush(connection);
        return;
    }
    m_pendingOutput.insert(connection.id);
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void Shard::enforceBudget(Connection &connection, qint64 buffered)
{
    const qint64 nowMs = m_clock.nowMs();
    if (connection.overCapSinceMs == 0) {
        connection.overCapSinceMs = nowMs;
        m_statistics.queueOverflow();
        m_statistics.slowConsumersChanged(+1);
    }
    const DeliveryQueue::Shed shed = connection.queue.shed(maxQueuedBytes(), buffered);
    for (int i = 0; i < shed.dropped; ++i)
        m_statistics.messageDropped();
    connection.lostUpdates = connection.lostUpdates || shed.billUpdates;
    // Shedding keeps the connection at its budget, not under it: it counts as over until the client
    // has caught up (its queue ran empty), and past the grace period it is closed.
    if (connection.overCapSinceMs != 0 && nowMs - connection.overCapSinceMs >= m_settings.slowConsumerGraceMs) {
        qCInfo(lcShard) << "closing slow consumer" << connection.publicId;
        connection.close(
            CloseCode::SlowConsumer,
            u"slow consumer: more than %1 bytes waited for %2 ms; reconnect and recover"_s.arg(maxQueuedBytes())
                .arg(nowMs - connection.overCapSinceMs));
    }
}

qint64 Shard::maxQueuedBytes() const
{
    return m_degradation.maxQueuedBytes > 0 ? m_degradation.maxQueuedBytes : m_settings.maxQueuedBytes;
}

bool Shard::isCongested(const Connection &connection) const
{
    return !connection.queue.isEmpty() ||
           (connection.transport && connection.transport->bufferedBytes() >= LowWaterBytes);
}

void Shard::flush(Connection &connection)
{
    while (!connection.queue.isEmpty() && !connection.closing &&
           connection.transport->bufferedBytes() < LowWaterBytes) {
        if (connection.batching) {
            sendBatch(connection);
        } else {
            const OutboundMessage message = connection.queue.pop();
            connection.write(message.type, message.text, message.sequence);
        }
    }
    const qint64 buffered = connection.transport->bufferedBytes();
    if (connection.queue.bytes() + buffered > maxQueuedBytes() || connection.overCapSinceMs != 0)
        enforceBudget(connection, buffered);
    if (connection.queue.isEmpty() && buffered < LowWaterBytes && !connection.closing) {
        // Caught up. If bill updates were shed on the way, the client has a gap it may not see
        // (nothing newer may come): close so that it reconnects and recovers it from history.
        if (connection.lostUpdates) {
            // Still a slow consumer (counted) until it is gone.
            connection.close(CloseCode::SlowConsumer,
                             u"bill updates were shed while this connection was slow; reconnect and recover"_s);
        } else if (connection.overCapSinceMs != 0) {
            m_statistics.slowConsumersChanged(-1);
            connection.overCapSinceMs = 0;
        }
    }
    // A connection that lost updates stays watched until it has caught up (and is closed) or its grace ends.
    if ((connection.queue.isEmpty() && !connection.lostUpdates) || connection.closing) {
        m_pendingOutput.remove(connection.id);
        return;
    }
    m_pendingOutput.insert(connection.id);
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void Shard::sendBatch(Connection &connection)
{
    const int count = qMin(connection.queue.size(), m_settings.messageBatchSize);
    if (count == 1) { // a lone message goes as itself
        const OutboundMessage message = connection.queue.pop();
        connection.write(message.type, message.text, message.sequence);
        return;
    }
    QString text = u"{\"messages\":["_s;
    qint64 sequence = 0;
    for (int i = 0; i < count; ++i) {
        const OutboundMessage message = connection.queue.pop();
        if (i > 0)
            text += u',';
        text += message.text;
        m_statistics.messageSent(message.type);
        ++connection.messagesOut;
        sequence = qMax(sequence, message.sequence);
    }
    text += u"],\"type\":\"batch\"}"_s;
    connection.write(ServerMessage::Type::Batch, text, sequence);
}

void Shard::flushPending()
{
    const QList<ConnectionId> pending = m_pendingOutput.values();
    for (ConnectionId id : pending) {
        const auto connection = m_connections.value(id);
        if (connection)
            flush(*connection);
        else
            m_pendingOutput.remove(id);
    }
}

void Shard::closeAll(int code, const QString &reason)
{
    m_draining = true;
    const auto connections = m_connections.values();
    for (const auto &connection : connections)
        connection->close(code, reason);
    // Sessions that never joined a namespace (connections told their clients why, above).
    if (m_socketIo)
        m_socketIo->closeAll();
    checkDrained();
}

void Shard::setDegradation(const ShardDegradation &degradation)
{
    m_degradation = degradation;
    m_messageHandler.setSubscriptionFloor(degradation.subscriptionFloor);
    // What waits now: sent at once (no batching delay) and held to the new budget.
    if (degradation.flushAtOnce || degradation.maxQueuedBytes > 0)
        flushPending();
}

void Shard::setClientLimits(int messagesPerSecond, int messageBurst, int rateLimitMaxViolations,
                            int maxSubscriptionsPerConnection)
{
    // The message handler reads these through its reference to m_context.settings.
    ShardSettings &settings = m_context.settings;
    settings.messagesPerSecond = messagesPerSecond;
    settings.messageBurst = messageBurst;
    settings.rateLimitMaxViolations = rateLimitMaxViolations;
    settings.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection;
    for (const auto &connection : std::as_const(m_connections))
        connection->inboundBudget = TokenBucket(messagesPerSecond, messageBurst);
}

QList<std::pair<ConnectionId, qint64>> Shard::outboundBytes() const
{
    QList<std::pair<ConnectionId, qint64>> sizes;
    sizes.reserve(m_connections.size());
    for (const auto &connection : m_connections) {
        if (connection->closing)
            continue;
        const qint64 buffered = connection->transport ? connection->transport->bufferedBytes() : 0;
        sizes.append({connection->id, connection->queue.bytes() + buffered});
    }
    return sizes;
}

bool Shard::closeConnection(ConnectionId id, int code, const QString &reason)
{
    const auto connection = m_connections.value(id);
    if (!connection || connection->closing)
        return false;
    connection->close(code, reason);
    return true;
}

int Shard::shardOf(ConnectionId id)
{
    return int(id >> ShardIdShift);
}

void Shard::checkConnections()
{
    const qint64 nowMs = m_clock.nowMs();
    const qint64 nowSeconds = nowMs / 1000;
    const auto connections = m_connections.values();
    for (const auto &connection : connections) {
        // A close waits for the client to take what was queued before it and to answer; a client
        // that never reads again would hold its socket forever.
        if (connection->closing) {
            if (connection->closingSinceMs == 0)
                connection->closingSinceMs = nowMs;
            else if (nowMs - connection->closingSinceMs > m_settings.connectionTimeoutMs && connection->transport)
                connection->transport->abort();
            continue;
        }
        if (connection->ticket.tokenExpiresAt > 0 && nowSeconds >= connection->ticket.tokenExpiresAt) {
            connection->close(CloseCode::TokenExpired, u"token expired: reconnect with a fresh token"_s);
        } else if (nowMs - connection->lastSeenMs > m_settings.connectionTimeoutMs) {
            qCInfo(lcShard) << "heartbeat timeout for" << connection->publicId;
            connection->close(CloseCode::HeartbeatTimeout, u"heartbeat timeout"_s);
        } else if (nowMs - connection->lastSeenMs >= m_settings.heartbeatIntervalMs / 2 && connection->transport) {
            connection->transport->ping();
        }
    }
}

void Shard::checkDrained()
{
    if (m_draining && m_connections.isEmpty())
        emit drained();
}

QSet<qint64> Shard::subscriptionsOfUser(const QString &userId) const
{
    QSet<qint64> bills;
    const QSet<ConnectionId> ids = m_connectionsByUser.value(userId);
    for (ConnectionId id : ids) {
        const QList<qint64> ofConnection = m_subscriptions.billsOf(id);
        for (qint64 billId : ofConnection)
            bills.insert(billId);
    }
    return bills;
}

OrphanCheck::Report Shard::orphanReport() const
{
    return OrphanCheck::find([this](ConnectionId id) { return m_connections.contains(id); }, m_subscriptions,
                             m_connectionsByUser, m_pendingOutput);
}

Shard::MemoryCensus Shard::memoryCensus() const
{
    MemoryCensus census;
    census.connections = m_connections.size();
    census.engineIoSessions = m_socketIo ? m_socketIo->sessionCount() : 0;
    census.subscriptions = m_subscriptions.subscriptionCount();
    for (const auto &connection : m_connections) {
        census.queuedMessages += connection->queue.size();
        census.queuedBytes += connection->queue.bytes();
    }
    census.orphans = orphanReport();
    return census;
}

QList<ConnectionRow> Shard::connectionRows() const
{
    QList<ConnectionRow> rows;
    rows.reserve(m_connections.size());
    for (const auto &connection : m_connections) {
        if (connection->ticket.refuseCloseCode != 0)
            continue;
        ConnectionRow row;
        row.id = connection->publicId;
        row.userId = connection->userId();
        row.address = connection->ticket.address;
        row.transport = connection->transport ? QString(connection->transport->name()) : QString();
        row.connectedAtMs = connection->connectedAtMs;
        row.lastSeenMs = connection->lastSeenMs;
        row.messagesIn = connection->messagesIn;
        row.messagesOut = connection->messagesOut;
        row.queuedBytes =
            connection->queue.bytes() + (connection->transport ? connection->transport->bufferedBytes() : 0);
        row.bills = m_subscriptions.billsOf(connection->id);
        std::sort(row.bills.begin(), row.bills.end());
        rows.append(row);
    }
    return rows;
}

QHash<qint64, QSet<QString>> Shard::subscriptionMap() const
{
    QHash<qint64, QSet<QString>> map;
    const QList<qint64> bills = m_subscriptions.bills();
    for (qint64 billId : bills) {
        const QSet<QString> users = subscribersOf(billId);
        if (!users.isEmpty())
            map.insert(billId, users);
    }
    return map;
}

std::optional<ConnectionId> Shard::findConnection(const QString &publicId) const
{
    for (const auto &connection : m_connections) {
        if (connection->publicId == publicId && connection->ticket.refuseCloseCode == 0)
            return connection->id;
    }
    return std::nullopt;
}

PresenceSnapshot Shard::presence() const
{
    PresenceSnapshot users;
    for (auto it = m_connectionsByUser.cbegin(); it != m_connectionsByUser.cend(); ++it) {
        UserPresence &user = users[it.key()];
        for (ConnectionId id : it.value()) {
            const auto connection = m_connections.value(id);
            if (!connection || connection->ticket.refuseCloseCode != 0)
                continue; // told why it is refused, never admitted
            ++user.connections;
            const QList<qint64> bills = m_subscriptions.billsOf(id);
            for (qint64 billId : bills)
                user.bills.insert(billId);
        }
        if (user.connections == 0)
            users.remove(it.key());
    }
    return users;
}

QSet<QString> Shard::subscribersOf(qint64 billId) const
{
    QSet<QString> users;
    const QSet<ConnectionId> ids = m_subscriptions.subscribers(billId);
    for (ConnectionId id : ids) {
        const auto connection = m_connections.value(id);
        if (connection && !connection->userId().isEmpty())
            users.insert(connection->userId());
    }
    return users;
}

} // namespace wsinfra
