#include "core/shard.h"

#include "core/channelhistory.h"
#include "monitoring/statisticscollector.h"
#include "protocol/codes.h"
#include "protocol/servermessage.h"
#include "transport/clientaddress.h"
#include "transport/nativewebsocketadapter.h"
#include "transport/socketioendpoint.h"
#include "util/clock.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcShard, "wsinfra.core.shard", QtWarningMsg)

namespace wsinfra {

namespace {

QString peerKeyOf(const QHostAddress &address, quint16 port)
{
    return address.toString() + u'|' + QString::number(port);
}

// Connection ids carry their shard in the top bits so that they are unique across shards.
constexpr int ShardIdShift = 48;

} // namespace

Shard::Shard(int index, const ShardContext &context)
    : m_index(index), m_context(context), m_settings(m_context.settings), m_history(*context.history),
      m_statistics(*context.statistics), m_clock(*context.clock),
      m_messageHandler(m_subscriptions, m_history, m_statistics, m_settings, m_clock)
{
}

Shard::~Shard() = default;

void Shard::start()
{
    m_server = new QWebSocketServer(u"wsinfra"_s, QWebSocketServer::NonSecureMode, this);
    m_server->setHandshakeTimeout(std::chrono::milliseconds(qMin<qint64>(m_settings.connectionTimeoutMs, 10'000)));
    connect(m_server, &QWebSocketServer::newConnection, this, &Shard::onNewConnection);
    m_socketIo = new SocketIoEndpoint(*this, m_index, this);

    m_heartbeatTimer = new QTimer(this);
    // Checking more often than the interval keeps timeouts close to their configured value.
    m_heartbeatTimer->setInterval(std::chrono::milliseconds(qMax<qint64>(50, m_settings.heartbeatIntervalMs / 2)));
    connect(m_heartbeatTimer, &QTimer::timeout, this, &Shard::checkConnections);
    m_heartbeatTimer->start();
}

QTcpSocket *Shard::adoptSocket(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        qCWarning(lcShard) << "cannot adopt socket:" << socket->errorString();
        delete socket;
        return nullptr;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    return socket;
}

void Shard::adoptWebSocket(qintptr socketDescriptor, const AdmissionTicket &ticket)
{
    QTcpSocket *socket = adoptSocket(socketDescriptor);
    if (!socket) {
        emit connectionReleased(ticket);
        return;
    }
    const QString peerKey = peerKeyOf(socket->peerAddress(), socket->peerPort());
    m_pendingHandshakes.insert(peerKey, PendingHandshake{socket, ticket, false});
    // A client that leaves (or is dropped by the handshake timeout) before the upgrade completes.
    connect(socket, &QTcpSocket::disconnected, this, [this, peerKey] { releasePending(peerKey); });
    m_server->handleConnection(socket);
}

void Shard::adoptEngineIoWebSocket(qintptr socketDescriptor)
{
    QTcpSocket *socket = adoptSocket(socketDescriptor);
    if (!socket)
        return;
    const QString peerKey = peerKeyOf(socket->peerAddress(), socket->peerPort());
    AdmissionTicket ticket;
    ticket.address = clientAddressText(socket->peerAddress());
    m_pendingHandshakes.insert(peerKey, PendingHandshake{socket, ticket, true});
    connect(socket, &QTcpSocket::disconnected, this, [this, peerKey] { releasePending(peerKey); });
    m_server->handleConnection(socket);
}

void Shard::handleEngineIoHttp(const HttpRequest &request, const QString &peerAddress,
                               std::function<void(const HttpResponse &)> respond)
{
    m_socketIo->handleHttp(request, peerAddress, std::move(respond));
}

void Shard::releasePending(const QString &peerKey)
{
    const auto pending = m_pendingHandshakes.find(peerKey);
    if (pending == m_pendingHandshakes.end())
        return;
    if (pending->socket)
        pending->socket->deleteLater();
    const AdmissionTicket ticket = pending->ticket;
    const bool admitted = !pending->engineIo;
    m_pendingHandshakes.erase(pending);
    if (admitted)
        emit connectionReleased(ticket);
    checkDrained();
}

void Shard::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        const QString peerKey = peerKeyOf(socket->peerAddress(), socket->peerPort());
        const auto pending = m_pendingHandshakes.find(peerKey);
        if (pending == m_pendingHandshakes.end()) {
            qCWarning(lcShard) << "upgraded socket without admission ticket from" << peerKey;
            socket->abort();
            socket->deleteLater();
            continue;
        }
        if (pending->socket) {
            pending->socket->disconnect(this);
            pending->socket->setParent(socket);
        }
        const AdmissionTicket ticket = pending->ticket;
        const bool engineIo = pending->engineIo;
        m_pendingHandshakes.erase(pending);

        socket->setMaxAllowedIncomingMessageSize(quint64(m_settings.maxPayloadBytes));
        socket->setMaxAllowedIncomingFrameSize(quint64(m_settings.maxPayloadBytes));
        if (engineIo) {
            m_socketIo->handleWebSocket(socket, ticket.address);
            continue;
        }
        if (Connection *connection = attach(new NativeWebSocketAdapter(socket, this), ticket))
            greet(*connection);
    }
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
    const ConnectionId id = connection->id;
    m_connections.insert(id, connection);
    if (!ticket.userId.isEmpty())
        m_connectionsByUser[ticket.userId].insert(id);
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
    connect(transport, &ClientTransport::closed, this, [this, id] { removeConnection(id); });

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
    int delivered = 0;
    switch (publication.kind) {
    case Publication::Kind::BillUpdate: {
        const QSet<ConnectionId> &subscribers = m_subscriptions.subscribers(publication.billId);
        for (ConnectionId id : subscribers) {
            // Skips what this connection already received through recovery.
            if (!m_subscriptions.advance(id, publication.billId, publication.offset))
                continue;
            const auto connection = m_connections.value(id);
            if (connection &&
                connection->send(ServerMessage::Type::BillUpdate, publication.frame, publication.sequence))
                ++delivered;
        }
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

void Shard::closeAll(int code, const QString &reason)
{
    m_draining = true;
    if (m_server)
        m_server->close();
    const auto connections = m_connections.values();
    for (const auto &connection : connections)
        connection->close(code, reason);
    // Sessions that never joined a namespace (connections told their clients why, above).
    if (m_socketIo)
        m_socketIo->closeAll();
    const auto pending = m_pendingHandshakes.values();
    for (const PendingHandshake &handshake : pending) {
        if (handshake.socket)
            handshake.socket->abort();
    }
    checkDrained();
}

void Shard::checkConnections()
{
    const qint64 nowMs = m_clock.nowMs();
    const qint64 nowSeconds = nowMs / 1000;
    const auto connections = m_connections.values();
    for (const auto &connection : connections) {
        // QWebSocket drops the TCP connection itself right after sending a close frame.
        if (connection->closing)
            continue;
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
    if (m_draining && m_connections.isEmpty() && m_pendingHandshakes.isEmpty())
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

QSet<QString> Shard::subscribersOf(qint64 billId) const
{
    QSet<QString> users;
    const QSet<ConnectionId> &ids = m_subscriptions.subscribers(billId);
    for (ConnectionId id : ids) {
        const auto connection = m_connections.value(id);
        if (connection && !connection->userId().isEmpty())
            users.insert(connection->userId());
    }
    return users;
}

} // namespace wsinfra
