#pragma once

#include <QHash>
#include <QList>
#include <QSet>

#include <atomic>

namespace wsinfra {

using ConnectionId = quint64;

/// The bill subscriptions of one shard, indexed both ways so that fan-out (bill -> connections) and
/// cleanup (connection -> bills) are O(1) per entry. For each subscription it keeps the last offset
/// the connection was sent, so that an update already delivered by recovery is never sent twice.
class SubscriptionManager
{
public:
    /// Returns false when the connection already follows the bill (its last offset is then kept).
    bool subscribe(ConnectionId connection, qint64 billId, qint64 lastOffset = 0);
    /// Returns false when the connection did not follow the bill.
    bool unsubscribe(ConnectionId connection, qint64 billId);
    /// Forgets every subscription of the connection; returns the bills it followed.
    QList<qint64> removeConnection(ConnectionId connection);

    bool isSubscribed(ConnectionId connection, qint64 billId) const;
    QSet<ConnectionId> subscribers(qint64 billId) const;
    qsizetype subscriberCount(qint64 billId) const { return m_subscribersByBill.value(billId).size(); }
    QList<qint64> billsOf(ConnectionId connection) const;
    qsizetype subscriptionCountOf(ConnectionId connection) const;

    /// The offset last sent to the connection for the bill.
    qint64 lastOffset(ConnectionId connection, qint64 billId) const;
    /// Records that `offset` was sent; returns false (and changes nothing) when it was sent already.
    bool advance(ConnectionId connection, qint64 billId, qint64 offset);
    /// Fan-out: advances every follower of the bill that was not sent `offset` yet to it and calls
    /// `deliver(connection)` for each, in one pass over the bill's followers. `deliver` must not change
    /// the subscriptions.
    template <typename Deliver> void advanceAll(qint64 billId, qint64 offset, Deliver &&deliver)
    {
        const auto bill = m_subscribersByBill.find(billId);
        if (bill == m_subscribersByBill.end())
            return;
        for (auto follower = bill->begin(); follower != bill->end(); ++follower) {
            if (offset <= follower.value())
                continue; // already sent through recovery
            follower.value() = offset;
            deliver(follower.key());
        }
    }

    qsizetype billCount() const { return m_subscribersByBill.size(); }
    qsizetype connectionCount() const { return m_billsByConnection.size(); }
    qsizetype subscriptionCount() const { return m_subscriptionCount; }
    QList<qint64> bills() const { return m_subscribersByBill.keys(); }
    /// The connections with at least one subscription.
    QList<ConnectionId> connections() const { return m_billsByConnection.keys(); }

    /// Whether both indexes describe the same set of subscriptions (for tests and leak checks).
    bool isConsistent() const;
    /// Grows with every change of the subscriptions; any thread may read it.
    quint64 changes() const { return m_changes.load(std::memory_order_relaxed); }

private:
    // The last offset sent lives with the bill's followers: fan-out reads and advances it in the same
    // pass, without a lookup per follower.
    QHash<qint64, QHash<ConnectionId, qint64>> m_subscribersByBill; // bill -> connection -> last offset sent
    QHash<ConnectionId, QSet<qint64>> m_billsByConnection;
    qsizetype m_subscriptionCount = 0;
    std::atomic<quint64> m_changes{0};
};

} // namespace wsinfra
