#include "core/subscriptionmanager.h"

namespace wsinfra {

bool SubscriptionManager::subscribe(ConnectionId connection, qint64 billId, qint64 lastOffset)
{
    QSet<qint64> &bills = m_billsByConnection[connection];
    if (bills.contains(billId))
        return false;
    bills.insert(billId);
    m_subscribersByBill[billId].insert(connection, lastOffset);
    ++m_subscriptionCount;
    m_changes.fetch_add(1, std::memory_order_relaxed);
    return true;
}

bool SubscriptionManager::unsubscribe(ConnectionId connection, qint64 billId)
{
    auto bills = m_billsByConnection.find(connection);
    if (bills == m_billsByConnection.end() || !bills->remove(billId))
        return false;
    if (bills->isEmpty())
        m_billsByConnection.erase(bills);
    auto subscribers = m_subscribersByBill.find(billId);
    subscribers->remove(connection);
    if (subscribers->isEmpty())
        m_subscribersByBill.erase(subscribers);
    --m_subscriptionCount;
    m_changes.fetch_add(1, std::memory_order_relaxed);
    return true;
}

QList<qint64> SubscriptionManager::removeConnection(ConnectionId connection)
{
    const QList<qint64> bills = billsOf(connection);
    for (qint64 billId : bills)
        unsubscribe(connection, billId);
    return bills;
}

bool SubscriptionManager::isSubscribed(ConnectionId connection, qint64 billId) const
{
    const auto bills = m_billsByConnection.constFind(connection);
    return bills != m_billsByConnection.cend() && bills->contains(billId);
}

QSet<ConnectionId> SubscriptionManager::subscribers(qint64 billId) const
{
    QSet<ConnectionId> connections;
    const auto bill = m_subscribersByBill.constFind(billId);
    if (bill == m_subscribersByBill.cend())
        return connections;
    connections.reserve(bill->size());
    for (auto follower = bill->cbegin(); follower != bill->cend(); ++follower)
        connections.insert(follower.key());
    return connections;
}

QList<qint64> SubscriptionManager::billsOf(ConnectionId connection) const
{
    return m_billsByConnection.value(connection).values();
}

qsizetype SubscriptionManager::subscriptionCountOf(ConnectionId connection) const
{
    const auto bills = m_billsByConnection.constFind(connection);
    return bills == m_billsByConnection.cend() ? 0 : bills->size();
}

qint64 SubscriptionManager::lastOffset(ConnectionId connection, qint64 billId) const
{
    return m_subscribersByBill.value(billId).value(connection, 0);
}

bool SubscriptionManager::advance(ConnectionId connection, qint64 billId, qint64 offset)
{
    auto bill = m_subscribersByBill.find(billId);
    if (bill == m_subscribersByBill.end())
        return false;
    auto last = bill->find(connection);
    if (last == bill->end() || offset <= *last)
        return false;
    *last = offset;
    return true;
}

bool SubscriptionManager::isConsistent() const
{
    qsizetype forward = 0;
    for (auto bill = m_subscribersByBill.cbegin(); bill != m_subscribersByBill.cend(); ++bill) {
        if (bill->isEmpty())
            return false;
        for (auto follower = bill->cbegin(); follower != bill->cend(); ++follower) {
            if (!isSubscribed(follower.key(), bill.key()))
                return false;
        }
        forward += bill->size();
    }
    qsizetype backward = 0;
    for (auto connection = m_billsByConnection.cbegin(); connection != m_billsByConnection.cend(); ++connection) {
        if (connection->isEmpty())
            return false;
        for (qint64 billId : *connection) {
            if (!m_subscribersByBill.value(billId).contains(connection.key()))
                return false;
        }
        backward += connection->size();
    }
    return forward == backward && forward == m_subscriptionCount;
}

} // namespace wsinfra
