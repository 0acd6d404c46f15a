#pragma once

#include "cluster/clustermessage.h"
#include "cluster/redisclient.h"
#include "core/broker.h"

#include <QElapsedTimer>
#include <QHash>
#include <QTimer>

#include <functional>
#include <map>
#include <optional>

namespace wsinfra {

/// The broker of a node in a cluster: shares publications through Redis.
///
/// - Bill updates are numbered by a script inside Redis (one counter per bill, one sequence for all),
///   stored in a stream per bill (bounded by size and TTL) and published on one channel, all in one
///   atomic step, so every node sees them in the order they were numbered. Each node hands them on
///   in offset order per bill, once: the publisher's own update arrives both as the script's answer
///   and from the channel, whichever comes first counts. A gap (an update lost by pub/sub, e.g.
///   while this node's subscription was reconnecting) is filled from the stream after a short wait.
/// - Notifications and broadcasts are published on the channel; the publisher delivered them itself
///   and skips its own.
/// - A bill this node knew nothing of is learnt from its stream first, for the history only: at the
///   first connection every stream is read (so a client may recover on any node), and later when an
///   update of an unknown bill arrives.
///
/// Two RedisClients: one for commands, one subscribed to the channel. Never blocks: Redis slow or
/// away means isConnected() false and delivery on this node only (the service decides).
class RedisBroker final : public Broker
{
    Q_OBJECT
public:
    struct Settings
    {
        RedisEndpoint endpoint;
        QList<QSslCertificate> tlsCaCertificates; ///< rediss://: trusted instead of the system's CAs
        QString nodeId;
        int timeoutMs = 2000;       ///< per command and per watchdog PING
        int reconnectDelayMs = 100; ///< first reconnect delay, doubling up to 5 s
        int historySize = 100;      ///< updates kept per bill stream (approximately, at least this many)
        qint64 historyTtlMs = 86'400'000;
        ClusterMessage::Compression compression;
        qsizetype maxPayloadBytes = 1024 * 1024;
        int gapWaitMs = 100; ///< how long a missing update may take to arrive before it is fetched
        QByteArray keyPrefix = "wsinfra:";
    };
    /// The last offset of a bill this node has stored (its history).
    using CurrentOffset = std::function<qint64(qint64 billId)>;

    RedisBroker(const Settings &settings, CurrentOffset currentOffset, QObject *parent = nullptr);
    ~RedisBroker() override;

    /// How often a node renews its place in the cluster and reads what changed on the others.
    static constexpr int PresenceIntervalMs = 1000;

    /// Starts connecting (and reconnecting until destroyed).
    void start();

    bool isClustered() const override { return true; }
    bool isConnected() const override { return m_connected; }
    QString lastError() const override;
    bool publish(const SharedPublication &publication) override;
    void publishBillUpdate(const BillUpdateRequest &request, QObject *context, BillUpdateCallback done) override;
    void reserveLocalNumbers(const QHash<qint64, qint64> &offsets, qint64 sequence) override;
    bool shareEvent(const ClusterEvent &event) override;
    void claimIdempotencyKey(const QString &scopeKey, const QString &messageId, qint64 windowMs, QObject *context,
                             ClaimCallback done) override;
    void updatePresence(const PresenceSnapshot &local) override;
    UserPresence remoteUser(const QString &userId) const override;
    QStringList remoteUsers() const override;
    QSet<QString> remoteSubscribers(qint64 billId) const override;
    /// The other nodes alive at the last heartbeat.
    QStringList otherNodes() const { return m_remote.keys(); }
    /// A node that misses its heartbeats this long is dead: its users are forgotten by everyone.
    qint64 nodeTtlMs() const;

    /// "count:bill,bill,..." (what a node stores per user) and back; nullopt for anything else.
    static QByteArray encodePresence(const UserPresence &user);
    static std::optional<UserPresence> decodePresence(QByteArrayView value);

    /// Messages from the channel that did not parse (counted, logged once in a while).
    qint64 malformedMessages() const { return m_malformed; }
    /// Updates found missing and fetched from a stream, and those that were gone from it too.
    qint64 gapsFilled() const { return m_gapsFilled; }
    qint64 updatesLost() const { return m_updatesLost; }

    QByteArray channel() const { return m_settings.keyPrefix + "publications"; }
    QByteArray historyKey(qint64 billId) const;

private:
    struct BillState
    {
        qint64 delivered = 0;  ///< the last offset handed on
        bool known = false;    ///< this node has history of the bill (else it is learnt first)
        bool busy = false;     ///< a fetch from the stream is under way
        qint64 gapSinceMs = 0; ///< when the oldest waiting update found a gap (0: none)
        std::map<qint64, SharedPublication> waiting;
    };

    void updateConnected();
    void onChannelMessage(const QByteArray &channel, const QByteArray &payload);
    BillState &stateOf(qint64 billId);
    void ingest(const SharedPublication &publication);
    void drain(qint64 billId);
    void checkGaps();
    void fetch(qint64 billId, qint64 from, qint64 to, bool deliver, std::function<void()> then);
    void skipped(qint64 billId, qint64 from, qint64 to); // counted and logged: what the stream lacks
    void learnAllBills(const QByteArray &cursor);
    void catchUp();
    void heartbeat();
    void writePresence();
    void readPresence(const QString &node, const QByteArray &version);
    void mergeRemotePresence();
    QByteArray presenceKey(const QString &node) const;

    Settings m_settings;
    CurrentOffset m_currentOffset;
    RedisClient *m_commands = nullptr;
    RedisClient *m_subscriber = nullptr;
    bool m_connected = false;
    bool m_learntAll = false;
    QHash<qint64, BillState> m_bills;
    QTimer m_gapTimer;
    QElapsedTimer m_clock;
    PresenceSnapshot m_localPresence;
    quint64 m_presenceVersion = 0;
    struct RemoteNode
    {
        QByteArray version;
        PresenceSnapshot users;
    };
    QHash<QString, RemoteNode> m_remote;
    PresenceSnapshot m_remoteUsers;                   // merged over m_remote
    QHash<qint64, QSet<QString>> m_remoteSubscribers; // merged over m_remote
    QTimer m_presenceTimer;
    qint64 m_malformed = 0;
    qint64 m_gapsFilled = 0;
    qint64 m_updatesLost = 0;
};

} // namespace wsinfra
