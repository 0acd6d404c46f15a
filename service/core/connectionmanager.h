#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

namespace wsinfra {

class StatisticsCollector;

/// Admission and the user registry of the node, on the orchestrator's thread: enforces the
/// connection limits (total, per address, per user) before a client reaches a shard, and knows
/// which users are connected and how often. Shards report every departure back to it.
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

    ConnectionManager(const Limits &limits, StatisticsCollector &statistics, QObject *parent = nullptr);

    /// Decides on a new client; an admitted one is counted until release() is called for it.
    Decision admit(const QString &address, const QString &userId);
    /// A client that admit() let in is gone.
    void release(const QString &address, const QString &userId);

    int totalConnections() const { return m_total; }
    bool isUserConnected(const QString &userId) const { return m_byUser.contains(userId); }
    int connectionCount(const QString &userId) const { return m_byUser.value(userId); }
    QStringList connectedUsers() const;
    int uniqueUsers() const { return int(m_byUser.size()); }

private:
    static void decrement(QHash<QString, int> &counts, const QString &key);

    const Limits m_limits;
    StatisticsCollector &m_statistics;
    int m_total = 0;
    QHash<QString, int> m_byAddress;
    QHash<QString, int> m_byUser;
};

} // namespace wsinfra
