#include "core/connectionmanager.h"

#include "monitoring/statisticscounters.h"

using namespace Qt::StringLiterals;

namespace wsinfra {

ConnectionManager::ConnectionManager(const Limits &limits, StatisticsCounters &statistics, QObject *parent)
    : QObject(parent), m_statistics(statistics), m_limits(limits)
{
}

ConnectionManager::Limits ConnectionManager::limits() const
{
    const QMutexLocker locker(&m_mutex);
    return m_limits;
}

void ConnectionManager::setLimits(const Limits &limits)
{
    const QMutexLocker locker(&m_mutex);
    m_limits = limits;
}

ConnectionManager::Decision ConnectionManager::admit(const QString &address, const QString &userId)
{
    if (refusingNewConnections()) {
        m_statistics.connectionRefused();
        return {Verdict::RefuseFull, lowMemoryReason()};
    }
    const QMutexLocker locker(&m_mutex);
    if (m_total >= m_limits.maxConnections) {
        m_statistics.connectionRefused();
        return {Verdict::RefuseFull, u"the service is at its connection limit (%1)"_s.arg(m_limits.maxConnections)};
    }
    if (m_limits.maxConnectionsPerAddress > 0 && m_byAddress.value(address) >= m_limits.maxConnectionsPerAddress) {
        m_statistics.connectionRefused();
        return {Verdict::RefuseOverLimit,
                u"too many connections from this address (limit %1)"_s.arg(m_limits.maxConnectionsPerAddress)};
    }
    if (m_limits.maxConnectionsPerUser > 0 && !userId.isEmpty() &&
        m_byUser.value(userId) >= m_limits.maxConnectionsPerUser) {
        m_statistics.connectionRefused();
        return {Verdict::RefuseOverLimit,
                u"too many connections for this user (limit %1)"_s.arg(m_limits.maxConnectionsPerUser)};
    }
    ++m_total;
    ++m_byAddress[address];
    if (!userId.isEmpty())
        ++m_byUser[userId];
    return {};
}

void ConnectionManager::setRefusingNewConnections(bool refusing)
{
    m_refusingNewConnections.store(refusing, std::memory_order_relaxed);
}

QString ConnectionManager::lowMemoryReason()
{
    return u"the service is low on memory (emergency level): new connections are refused"_s;
}

void ConnectionManager::decrement(QHash<QString, int> &counts, const QString &key)
{
    auto it = counts.find(key);
    if (it == counts.end())
        return;
    if (--*it <= 0)
        counts.erase(it);
}

void ConnectionManager::release(const QString &address, const QString &userId)
{
    const QMutexLocker locker(&m_mutex);
    if (m_total > 0)
        --m_total;
    decrement(m_byAddress, address);
    if (!userId.isEmpty())
        decrement(m_byUser, userId);
}

int ConnectionManager::totalConnections() const
{
    const QMutexLocker locker(&m_mutex);
    return m_total;
}

bool ConnectionManager::isUserConnected(const QString &userId) const
{
    const QMutexLocker locker(&m_mutex);
    return m_byUser.contains(userId);
}

int ConnectionManager::connectionCount(const QString &userId) const
{
    const QMutexLocker locker(&m_mutex);
    return m_byUser.value(userId);
}

int ConnectionManager::uniqueUsers() const
{
    const QMutexLocker locker(&m_mutex);
    return int(m_byUser.size());
}

QStringList ConnectionManager::connectedUsers() const
{
    const QMutexLocker locker(&m_mutex);
    QStringList users = m_byUser.keys();
    users.sort();
    return users;
}

} // namespace wsinfra
