#pragma once

#include "core/publication.h"
#include "protocol/result.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>

namespace wsinfra {

/// A publication as nodes share it: the publisher's JSON, not the frame (each node encodes its own),
/// with the cluster's offset and sequence for bill updates.
struct SharedPublication
{
    Publication::Kind kind = Publication::Kind::Broadcast;
    QString messageId;
    qint64 timestampMs = 0;
    qint64 billId = 0;   ///< BillUpdate
    qint64 offset = 0;   ///< BillUpdate: agreed cluster-wide
    qint64 sequence = 0; ///< BillUpdate: cluster-wide order of every update of every bill
    QString userId;      ///< Notification
    QByteArray payload;  ///< the update, notification or message as compact JSON
};

/// What one node knows of a user: its live connections there and the bills they follow.
struct UserPresence
{
    int connections = 0;
    QSet<qint64> bills;
};
/// A node's users (with at least one connection), by user id.
using PresenceSnapshot = QHash<QString, UserPresence>;

/// A small change the other nodes mirror: "ack" (a user acknowledged notifications: payload the
/// message ids, one per line), "session-kept" and "session-resumed" (Socket.IO connection state
/// recovery: payload JSON).
struct ClusterEvent
{
    QString name; ///< printable ASCII
    QString userId;
    QByteArray payload;
};

/// A bill update to be given its cluster-wide offset.
struct BillUpdateRequest
{
    SharedPublication publication; ///< offset and sequence are assigned by the cluster
    QString dedupeKey;             ///< empty: none; else a repeat within dedupeWindowMs is a duplicate
    qint64 dedupeWindowMs = 0;
};

/// What the cluster made of a BillUpdateRequest.
struct BillUpdateOutcome
{
    bool duplicate = false; ///< the key was used before: messageId and offset are the original's
    QString messageId;
    qint64 offset = 0;
    qint64 sequence = 0;
};

/// How a node shares publishes with the other nodes of its cluster. The single-node build uses
/// LocalBroker (there is no one else to tell); RedisBroker shares them through Redis.
///
/// Bill updates of a clustered node are not numbered locally: publishBillUpdate() has the cluster
/// assign offset and sequence, and every node, the publisher included, then receives the update
/// through sharedPublication() in offset order per bill, exactly once.
class Broker : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    using BillUpdateCallback = std::function<void(const Result<BillUpdateOutcome> &)>;

    /// Whether this node is part of a cluster at all (false for the single-node broker).
    virtual bool isClustered() const = 0;
    /// Whether the broker can currently reach the rest of the cluster.
    virtual bool isConnected() const = 0;
    /// Why it cannot (empty when connected or not clustered).
    virtual QString lastError() const { return {}; }
    /// Tells the other nodes about a notification or broadcast this node has already delivered
    /// locally; returns whether it was handed to the cluster.
    virtual bool publish(const SharedPublication &publication) = 0;
    /// Clustered brokers: assigns the update its offset and stores it in the shared history;
    /// `done` runs on the broker's thread unless `context` is gone.
    virtual void publishBillUpdate(const BillUpdateRequest &request, QObject *context, BillUpdateCallback done) = 0;
    /// At every connection: the numbers this node has seen (`offsets`: bill -> last offset,
    /// `sequence`: the last sequence), its own of an outage included, must not be given again by the
    /// cluster (a Redis that restarted empty would start again at 1).
    virtual void reserveLocalNumbers(const QHash<qint64, qint64> &offsets, qint64 sequence) = 0;

    /// Tells the other nodes; returns whether it was handed to the cluster.
    virtual bool shareEvent(const ClusterEvent &event)
    {
        Q_UNUSED(event)
        return false;
    }
    /// The message id that first claimed an idempotency key: nullopt when this claim (for `messageId`,
    /// kept `windowMs`) is the first. Clustered brokers; `done` runs unless `context` is gone.
    using ClaimCallback = std::function<void(const Result<std::optional<QString>> &original)>;
    virtual void claimIdempotencyKey(const QString &scopeKey, const QString &messageId, qint64 windowMs,
                                     QObject *context, ClaimCallback done)
    {
        Q_UNUSED(scopeKey)
        Q_UNUSED(messageId)
        Q_UNUSED(windowMs)
        Q_UNUSED(context)
        Q_UNUSED(done)
    }

    /// This node's users now, for the other nodes (sent when it changed, at most about once a second).
    virtual void updatePresence(const PresenceSnapshot &local) { Q_UNUSED(local) }
    /// The user on the other live nodes of the cluster, as they last reported (about a second old).
    virtual UserPresence remoteUser(const QString &userId) const
    {
        Q_UNUSED(userId)
        return {};
    }
    /// The users connected to the other live nodes.
    virtual QStringList remoteUsers() const { return {}; }
    /// The users following `billId` on the other live nodes.
    virtual QSet<QString> remoteSubscribers(qint64 billId) const
    {
        Q_UNUSED(billId)
        return {};
    }

signals:
    /// A publication of the cluster to deliver on this node (bill updates: also this node's own, in
    /// offset order per bill). `deliver` false: a bill update for the history only (one published
    /// before this node knew the bill).
    void sharedPublication(const wsinfra::SharedPublication &publication, bool deliver);
    /// Another node shared an event.
    void sharedEvent(const wsinfra::ClusterEvent &event);
    /// The connection to the cluster came or went.
    void connectionChanged(bool connected);
};

/// The broker of a single node: nothing to share.
class LocalBroker final : public Broker
{
    Q_OBJECT
public:
    using Broker::Broker;
    bool isClustered() const override { return false; }
    bool isConnected() const override { return true; }
    bool publish(const SharedPublication &) override { return false; }
    void publishBillUpdate(const BillUpdateRequest &, QObject *, BillUpdateCallback) override {}
    void reserveLocalNumbers(const QHash<qint64, qint64> &, qint64) override {}
};

} // namespace wsinfra

Q_DECLARE_METATYPE(wsinfra::SharedPublication)
Q_DECLARE_METATYPE(wsinfra::ClusterEvent)
