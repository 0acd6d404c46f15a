#pragma once

#include "core/broker.h"
#include "core/connection.h"
#include "core/connectionrow.h"
#include "core/messagehandler.h"
#include "core/publication.h"
#include "core/shardcontext.h"
#include "core/subscriptionmanager.h"
#include "memory/orphancheck.h"
#include "transport/incomingsocket.h"
#include "transport/websocket/textframecache.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

class QTimer;
class QUrlQuery;

namespace wsinfra {

class ChannelHistory;
class ClientTransport;
class ServerWebSocket;
class WriteBatcher;
class Clock;
class SocketIoEndpoint;
class StatisticsCollector;
class StatisticsCounters;
struct HttpRequest;
struct HttpResponse;

/// What a shard gives up under critical memory pressure (ProgressiveDegradation); the default gives
/// up nothing.
struct ShardDegradation
{
    bool flushAtOnce = false;    ///< batching delay 0: queued messages go out at once
    qint64 maxQueuedBytes = 0;   ///< the per-connection budget; 0: the configured one
    int subscriptionFloor = 0;   ///< new subscriptions refused beyond this many bills; 0: none
    bool shedBroadcasts = false; ///< broadcasts for congested connections are dropped, not queued
};

/// One I/O thread's share of the clients: it owns their connections, their subscriptions and their
/// heartbeats, and nothing it owns is touched from another thread. Every public function runs on the
/// shard's thread (ShardPool posts the calls there).
class Shard : public QObject, private DeliveryScheduler
{
    Q_OBJECT
public:
    Shard(int index, const ShardContext &context);
    ~Shard() override;

    /// Creates the shard's timers and Socket.IO endpoint; call once on the shard's thread.
    void start();
    /// Takes a connection whose WebSocket upgrade request is still unread (in the kernel, or decrypted in
    /// a TLS socket already moved to this thread).
    void adoptWebSocket(const IncomingSocket &incoming, const AdmissionTicket &ticket);
    /// The same for an Engine.IO WebSocket (a new Socket.IO session or the upgrade of a polling one);
    /// the client is admitted later, when its Socket.IO CONNECT names the user. `clientAddress` is the
    /// client's address (the peer's, or what a trusted proxy forwarded).
    void adoptEngineIoWebSocket(const IncomingSocket &incoming, const QString &clientAddress, const QUrlQuery &query);
    /// An Engine.IO long-polling request (or handshake) for a session of this shard; `respond` is
    /// called on this shard's thread, once.
    void handleEngineIoHttp(const HttpRequest &request, const QString &peerAddress,
                            std::function<void(const HttpResponse &)> respond);

    /// Makes an admitted client a connection of this shard: counts it, wires its transport to the
    /// message handler. A client refused over a limit, or arriving while the shard drains, is closed
    /// at once and nullptr returned. `publicId` empty = a fresh one.
    Connection *attach(ClientTransport *transport, const AdmissionTicket &ticket, const QString &publicId = {});
    /// The `connected` greeting of the wire contract, then the user's unacknowledged notifications.
    void greet(Connection &connection);
    /// Resumes a recovered session: follows its bills again and replays what it missed.
    void resume(Connection &connection, const QList<qint64> &bills, qint64 sequence);
    /// Bills the connection follows.
    QList<qint64> billsOf(ConnectionId id) const { return m_subscriptions.billsOf(id); }
    bool isDraining() const { return m_draining; }
    const ShardContext &context() const { return m_context; }
    /// The counters of this shard's thread.
    StatisticsCounters &statistics() { return m_statistics; }
    /// Hands a publication to the local recipients; returns how many connections it was sent to.
    int deliver(const Publication &publication);
    /// A publication was posted to this shard and waits for deliver() (any thread may call it): while
    /// some wait, the sockets' writes wait for them too, so that a burst leaves in one write per socket.
    void notePostedDelivery() { m_postedDeliveries.fetch_add(1, std::memory_order_relaxed); }
    /// Closes every connection (shutdown: 1001).
    void closeAll(int code, const QString &reason);
    /// Applies (or, with the default, lifts) what memory pressure makes the shard give up.
    void setDegradation(const ShardDegradation &degradation);
    /// Replaces the inbound rate limit and the subscription limit (a configuration reload). Open
    /// connections get a fresh budget at the new rate; no connection is closed for it.
    void setClientLimits(int messagesPerSecond, int messageBurst, int rateLimitMaxViolations,
                         int maxSubscriptionsPerConnection);
    /// Outbound bytes of each open connection: its queue plus what its transport still buffers.
    QList<std::pair<ConnectionId, qint64>> outboundBytes() const;
    /// Closes the connection if it is still open here; returns whether it was.
    bool closeConnection(ConnectionId id, int code, const QString &reason);
    /// The shard whose connection `id` is.
    static int shardOf(ConnectionId id);

    /// Bills followed by any connection of the user on this shard.
    QSet<qint64> subscriptionsOfUser(const QString &userId) const;
    /// User ids of this shard's connections that follow the bill (anonymous ones excluded).
    QSet<QString> subscribersOf(qint64 billId) const;
    QList<ConnectionRow> connectionRows() const;
    /// Bill -> users following it on this shard (authenticated connections).
    QHash<qint64, QSet<QString>> subscriptionMap() const;
    /// The internal id of the admitted connection with this public id.
    std::optional<ConnectionId> findConnection(const QString &publicId) const;
    /// The users of this shard's authenticated connections: how many each has, the bills they follow.
    PresenceSnapshot presence() const;
    /// Grows whenever a connection comes or goes or a subscription changes (any thread may read it).
    quint64 presenceChanges() const
    {
        return m_presenceChanges.load(std::memory_order_relaxed) + m_subscriptions.changes();
    }
    qsizetype subscriptionCount() const { return m_subscriptions.subscriptionCount(); }
    QList<qint64> subscribedBills() const { return m_subscriptions.bills(); }

    /// Entries of the shard's indexes that refer to a connection that is gone (a leak).
    OrphanCheck::Report orphanReport() const;
    /// What the shard holds, for the leak detector.
    struct MemoryCensus
    {
        qint64 connections = 0;
        qint64 engineIoSessions = 0;
        qint64 subscriptions = 0;
        qint64 queuedMessages = 0;
        qint64 queuedBytes = 0; ///< as the delivery queues count them (text length + overhead)
        OrphanCheck::Report orphans;
    };
    MemoryCensus memoryCensus() const;

signals:
    /// A connection admitted by the front door is gone (or never completed its handshake).
    void connectionReleased(const wsinfra::AdmissionTicket &ticket);
    /// The shard has no connection and no handshake left (drain finished).
    void drained();

private:
    /// Completes the upgrade of `incoming`; nullptr when the connection is gone already.
    ServerWebSocket *upgrade(const IncomingSocket &incoming);
    void removeConnection(ConnectionId id);
    void checkConnections();
    void checkDrained();
    // DeliveryScheduler: what a connection's socket cannot take now waits in its DeliveryQueue.
    void enqueue(Connection &connection, OutboundMessage message) override;
    /// Hands queued messages to the transport while it takes them; batches for batching clients.
    void flush(Connection &connection);
    void flushPending();
    void sendBatch(Connection &connection);
    /// Over the byte budget: shed what history can give back; past the grace period, close (4001).
    void enforceBudget(Connection &connection, qint64 buffered);
    qint64 maxQueuedBytes() const;
    /// Has messages waiting, or a socket that holds more than the low-water mark.
    bool isCongested(const Connection &connection) const;

    const int m_index;
    ShardContext m_context; ///< its settings change only on this shard's thread (setClientLimits)
    const ShardSettings &m_settings;
    ChannelHistory &m_history;
    StatisticsCounters &m_statistics;
    const Clock &m_clock;
    SubscriptionManager m_subscriptions;
    MessageHandler m_messageHandler;
    WriteBatcher *m_writeBatcher = nullptr;
    TextFrameCache m_frameCache;
    SocketIoEndpoint *m_socketIo = nullptr;
    QTimer *m_heartbeatTimer = nullptr;
    QTimer *m_flushTimer = nullptr;
    QSet<ConnectionId> m_pendingOutput; ///< connections with queued messages
    quint64 m_nextSerial = 0;
    QHash<ConnectionId, std::shared_ptr<Connection>> m_connections;
    QHash<QString, QSet<ConnectionId>> m_connectionsByUser;
    bool m_draining = false;
    std::atomic<quint64> m_presenceChanges{0}; ///< connections attached and removed
    std::atomic<int> m_postedDeliveries{0};    ///< notePostedDelivery() not yet delivered
    ShardDegradation m_degradation;
};

} // namespace wsinfra
