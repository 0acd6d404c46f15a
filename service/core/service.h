#pragma once

#include "core/broker.h"
#include "core/connectionrow.h"
#include "core/eventlog.h"
#include "core/publication.h"
#include "core/serviceconfig.h"
#include "monitoring/metricsreporter.h"
#include "protocol/result.h"
#include "protocol/servicestats.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace wsinfra {

struct HttpRequest;
struct HttpResponse;
class ChannelHistory;
class Clock;
class ConnectionManager;
class ConnectionRateLimiter;
class Deduplicator;
class LeakDetector;
class FrontDoor;
class HttpApi;
class ControlServer;
class JwtVerifier;
class MemoryManager;
class NotificationInbox;
class RecoveryStore;
class ProcessMemory;
class ProgressiveDegradation;
class ShardPool;
class StatisticsCollector;
struct TlsCredentials;

/// The orchestrator and public C++ API of wsinfra, mirroring the original design's service
/// (initialize, shutdown, broadcastBillUpdate, ...). It lives on the main thread; the HTTP API
/// calls it, and it reaches the clients through the shards.
class Service : public QObject
{
    Q_OBJECT
public:
    Service(const ServiceConfig &config, const Clock &clock, QObject *parent = nullptr);
    ~Service() override;

    /// Starts the shards and listens on the public port. On failure returns false and sets errorString().
    bool initialize();
    /// Graceful stop: refuses new clients, closes every client with 1001, lets in-flight HTTP finish,
    /// then calls `done` (at the latest after the configured shutdown timeout).
    void shutdown(std::function<void()> done);

    QString errorString() const { return m_errorString; }
    QHostAddress serverAddress() const;
    quint16 serverPort() const;
    /// The control port's (0 when it is not open: no control token).
    quint16 controlPort() const;
    /// The configuration in effect: options a reload() applied carry their new values, the others the
    /// values the service started with.
    const ServiceConfig &config() const { return m_config; }

    /// What a reload() did, as option keys of the schema ("jwtSecret", "maxConnections").
    struct ReloadOutcome
    {
        QStringList reloaded;      ///< changed and in effect now
        QStringList restartNeeded; ///< changed, but kept as they were until the next start
    };
    /// Applies a re-read configuration (SIGHUP) without dropping anybody: the JWT secret, the API key,
    /// the control token (when the control port is open), the rate and subscription limits of clients,
    /// the connection limits (for new admissions) and the memory budget and thresholds take effect at
    /// once; every other option that differs is logged as needing a restart. Both lists go to the
    /// event log (category "config").
    ReloadOutcome reload(const ServiceConfig &config);
    /// This node's id (random per start): in message ids, connection ids and the cluster.
    const QString &nodeId() const { return m_nodeId; }

    struct PublishResult
    {
        QString messageId;
        qint64 offset = 0;      ///< bill updates only
        bool duplicate = false; ///< a repeated idempotency key: the original answer, nothing was sent
        bool stored = false;    ///< notifications only: kept in the user's inbox until acknowledged
        int delivered = 0;      ///< connections of this node it was handed to
        /// Nodes of a cluster: whether the other nodes got it too (false: Redis was unreachable and
        /// only this node's clients did). Unset on a single node.
        std::optional<bool> shared;

        /// {"message_id","delivered","duplicate"} and "cluster" when shared is set: what the HTTP API
        /// and the control port answer (they add the target's fields).
        QJsonObject toJson() const;
    };
    /// The outcome of a publish, on the service's thread after the call returned: the result once
    /// this node's shards have handed it on, or why it could not be published (a clustered node whose
    /// Redis did not confirm a bill update: error code "unavailable"; it may have been published).
    using PublishedCallback = std::function<void(const Result<PublishResult> &outcome)>;

    // The publishes take an optional idempotency key (empty: none). A key already used for the same
    // target within the dedupe window (DEDUPE_WINDOW; at most DEDUPE_CACHE_SIZE keys on each node,
    // and for bill updates of a cluster in Redis) answers the original message id and offset with
    // `duplicate` set, and nothing is delivered or stored.

    /// Sends an update to every subscriber of the bill (on every node of a cluster) and stores it in
    /// the bill's history; a cluster agrees on its offset.
    void broadcastBillUpdate(qint64 billId, const QJsonValue &update, PublishedCallback done = {},
                             const QString &idempotencyKey = {});
    /// Sends a notification to every live connection of the user and, unless the inbox is off, keeps it
    /// in the user's inbox until a client acknowledges it: each new connection of the user gets it again.
    void sendUserNotification(const QString &userId, const QJsonValue &notification, PublishedCallback done = {},
                              const QString &idempotencyKey = {});
    /// Sends a message to every connection.
    void broadcastToAll(const QJsonValue &message, PublishedCallback done = {}, const QString &idempotencyKey = {});

    /// An Engine.IO long-polling request of a Socket.IO client, answered by the shard of its session.
    void handleEngineIoHttp(const HttpRequest &request, const QString &peerAddress,
                            std::function<void(const HttpResponse &)> respond);
    // Queries about users answer for the whole cluster on a clustered node: this node as it is now,
    // the other live nodes as they last reported (every second, when something changed).
    bool isUserConnected(const QString &userId) const;
    QList<qint64> getUserSubscriptions(const QString &userId) const;
    int getConnectionCount(const QString &userId) const;
    QStringList getAllConnectedUsers() const;
    QStringList getBillSubscribers(qint64 billId) const;
    ServiceStats getStats() const;
    /// The latest health evaluation: every HEALTH_CHECK_INTERVAL, and at once when the memory level,
    /// the broker's connection or shutdown changes it.
    HealthStatus getHealthStatus() const { return m_health; }
    /// ServiceMetrics: stats, health, and the sizes of the service's structures.
    QJsonObject getMetrics() const;
    /// The Prometheus text exposition of getMetrics().
    QByteArray prometheusMetrics() const;
    /// MemoryAnalysis: {process: {rssBytes, budgetBytes, percent, level}, service: {the counts of the
    /// service's structures and their estimated memory}, analysis: {orphans, growth, warnings}}, from
    /// a census taken now and the series sampled every MEMORY_CHECK_INTERVAL. Findings reach the event
    /// log (category "leak") from that sampling, once each.
    QJsonObject forceMemoryAnalysis() const;

    StatisticsCollector &statistics() { return *m_statistics; }
    /// Every admitted connection of this node (the console's Connections page).
    QList<ConnectionRow> connectionRows() const;
    /// Bill -> the users following it on this node.
    QHash<qint64, QSet<QString>> subscriptionMap() const;
    /// Closes this node's connection with that public id; false when there is none.
    bool closeConnection(const QString &publicId, int code, const QString &reason);
    /// Appends to the event log: what operators did through the control port.
    void logEvent(EventLog::Level level, const QString &category, const QString &message);
    /// What an operator must see: memory level changes, start, shutdown (GET /api/events).
    const EventLog &eventLog() const { return *m_events; }

signals:
    /// Health changed status (healthy, degraded, unhealthy) at an evaluation.
    void healthChanged(const wsinfra::HealthStatus &health);

private:
    MetricsReporter::Figures collectFigures() const;
    /// Re-reads the TLS files (reload); a file that does not load keeps the credentials in use.
    void reloadTls();
    QString nextMessageId();
    /// A publication of `kind` with `messageId` (empty: a fresh one) and a timestamp, counted as published.
    Publication newPublication(Publication::Kind kind, bool toEveryone, const QString &messageId = {});
    /// Hands `publication` to the shards; `done` gets `result` with the delivered count.
    void deliverLocally(const Publication &publication, PublishResult result, PublishedCallback done);
    /// Whether `scopeKey` (empty: no idempotency key) was published within the dedupe window; if so
    /// it is counted and `done` gets the original answer.
    bool answerDuplicate(const QString &scopeKey, const PublishedCallback &done);
    void rememberPublish(const QString &scopeKey, const Publication &publication);
    /// Notifications and broadcasts: tells the cluster, if any; the result's `shared`.
    std::optional<bool> share(const Publication &publication, const QJsonValue &payload);
    /// A publication of the cluster: stored (bill updates) and delivered to this node's clients.
    void deliverShared(const SharedPublication &publication, bool deliver);
    /// Redis came or went.
    void clusterConnectionChanged(bool connected);
    /// Clustered nodes: acknowledgements and Socket.IO sessions are mirrored on every node.
    void mirrorAcrossTheCluster();
    void applySharedEvent(const ClusterEvent &event);
    /// Runs `proceed` once the idempotency key (if any) is claimed cluster-wide; a repeat answers `done`
    /// with the original message id instead.
    void claimThen(const QString &scopeKey, const PublishedCallback &done,
                   std::function<void(const QString &claimedId)> proceed);
    /// Clustered nodes, every PresenceIntervalMs: this node's users to the broker when they changed.
    void sharePresence();
    /// Memory emergency refuses new clients; every change is logged.
    void memoryLevelChanged(int level, int previous);
    /// Evaluates health now; a change of status is logged to the event log and signalled.
    void evaluateHealth();
    /// Every MEMORY_CHECK_INTERVAL: a census of the structures into the leak detector, findings logged.
    void sampleMemory();

    ServiceConfig m_config; ///< changed by reload() only
    const Clock &m_clock;
    const QString m_nodeId;
    quint64 m_messageSerial = 0;
    std::unique_ptr<StatisticsCollector> m_statistics;
    std::unique_ptr<ChannelHistory> m_history;
    std::unique_ptr<JwtVerifier> m_jwtVerifier;
    std::unique_ptr<RecoveryStore> m_recovery;
    std::unique_ptr<ProcessMemory> m_processMemory;
    std::unique_ptr<Deduplicator> m_deduplicator;
    std::unique_ptr<NotificationInbox> m_inbox;
    std::unique_ptr<EventLog> m_events;
    std::unique_ptr<LeakDetector> m_leaks;
    std::unique_ptr<ConnectionRateLimiter> m_connectionRate; ///< used by the front door and the HTTP API
    MemoryManager *m_memory = nullptr;
    ProgressiveDegradation *m_degradation = nullptr;
    ConnectionManager *m_connections = nullptr;
    ShardPool *m_shards = nullptr;
    Broker *m_broker = nullptr;
    HttpApi *m_httpApi = nullptr;
    ControlServer *m_control = nullptr; ///< null when no control token is configured
    FrontDoor *m_frontDoor = nullptr;
    std::unique_ptr<TlsCredentials> m_tls; ///< null when the public port speaks plain HTTP
    QString m_errorString;
    bool m_shuttingDown = false;
    HealthStatus m_health;
    /// Bill updates of this node waiting to come back from the cluster with their offset.
    struct AwaitedUpdate
    {
        PublishedCallback done;
        QString scopeKey;
    };
    QHash<QString, AwaitedUpdate> m_awaitedUpdates;
    /// While Redis is away: bills numbered here (bill -> last offset) and the last sequence, to be
    /// reserved in the cluster when it is back; and how many publishes reached this node only.
    qint64 m_unsharedPublishes = 0;
    quint64 m_presenceChanges = 0;
    bool m_presenceShared = false;
};

} // namespace wsinfra
