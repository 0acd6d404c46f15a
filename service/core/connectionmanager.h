#pragma once

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>

namespace wsinfra {

class StatisticsCounters;

/// Admission and the user registry of the node: enforces the connection limits (total, per address,
/// per user) before a client reaches a shard, and knows which users are connected and how often.
/// The front door admits native clients; a shard admits a Socket.IO client when its CONNECT packet
/// names the user, so every function is thread-safe (one short lock per connection, never on the
/// message path). Shards report every departure back through release().
class ConnectionManager : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        int maxConnections = 10'000;
        int maxConnectionsPerAddress = 0; ///< 0 = unlimited
        int maxConnectionsPerUser = 0;    ///< 0 = unlimited
    };

    enum class Verdict {
        Admit,
        /// Refused before the upgrade: the node is full (HTTP 503).
        RefuseFull,
        /// Upgraded, then closed with 4504 so that a browser client learns why.
        RefuseOverLimit,
    };
    struct Decision
    {
        Verdict verdict = Verdict::Admit;
        QString reason;
    };

    ConnectionManager(const Limits &limits, StatisticsCounters &statistics, QObject *parent = nullptr);

    /// Decides on a new client; an admitted one is counted until release() is called for it.
    Decision admit(const QString &address, const QString &userId);
    /// A client that admit() let in is gone.
    void release(const QString &address, const QString &userId);

    /// While on, admit() refuses every new client as RefuseFull (memory emergency). Set by the
    /// orchestrator; read by every thread.
    void setRefusingNewConnections(bool refusing);
    bool refusingNewConnections() const { return m_refusingNewConnections.load(std::memory_order_relaxed); }
    /// Why admit() refuses while refusingNewConnections() is on.
    static QString lowMemoryReason();

    Limits limits() const;
    /// Replaces the limits (a configuration reload). They apply to the next admit(): clients already
    /// admitted stay, even where they now exceed a lowered limit.
    void setLimits(const Limits &limits);
    int totalConnections() const;
    bool isUserConnected(const QString &userId) const;
    int connectionCount(const QString &userId) const;
    QStringList connectedUsers() const;
    int uniqueUsers() const;

private:
    static void decrement(QHash<QString, int> &counts, const QString &key);

    StatisticsCounters &m_statistics;
    std::atomic<bool> m_refusingNewConnections{false};
    mutable QMutex m_mutex;
    Limits m_limits; ///< guarded by m_mutex
    int m_total = 0;
    QHash<QString, int> m_byAddress;
    QHash<QString, int> m_byUser;
};

} // namespace wsinfra
