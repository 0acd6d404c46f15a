#pragma once

#include "core/deliveryqueue.h"
#include "core/subscriptionmanager.h"
#include "transport/originpolicy.h"
#include "util/tokenbucket.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QPointer>
#include <QString>

namespace wsinfra {

class ClientTransport;
class StatisticsCounters;

/// What the front door learned about a client before handing it to a shard: who it is (from the
/// verified token) and whether it may stay.
struct AdmissionTicket
{
    QString userId;            ///< empty for an anonymous client
    QString address;           ///< the peer's IP address, as the per-address limit counts it
    qint64 tokenExpiresAt = 0; ///< seconds since the epoch, 0 = never
    int refuseCloseCode = 0;   ///< non-zero: upgrade, then close with this code (the client learns why)
    QString refuseReason;
    bool batch = false; ///< the client asked for `batch` frames (?batch=1, Socket.IO auth batch: true)
};

/// Limits and timings a shard applies to each of its connections.
struct ShardSettings
{
    qint64 heartbeatIntervalMs = 30'000;
    qint64 connectionTimeoutMs = 60'000;
    qint64 maxPayloadBytes = 64 * 1024;
    int messagesPerSecond = 100;
    int messageBurst = 200;
    int rateLimitMaxViolations = 20;
    int maxSubscriptionsPerConnection = 1000;
    int maxProtocolErrors = 50;
    qint64 maxQueuedBytes = 1024 * 1024; ///< outbound bytes a connection may hold (queue + socket buffer)
    qint64 slowConsumerGraceMs = 10'000; ///< over the cap this long: closed with 4001
    int messageBatchSize = 50;
    qint64 messageBatchDelayMs = 10;
    DeliveryQueue::Order deliveryOrder = DeliveryQueue::DefaultOrder;
    bool allowAnonymous = false;
    // Socket.IO (Engine.IO v4) on the same port
    qint64 socketIoPingIntervalMs = 25'000;
    qint64 socketIoPingTimeoutMs = 20'000;
    qint64 socketIoConnectTimeoutMs = 45'000;
    OriginPolicy corsOrigins;        ///< origins given CORS headers on polling; empty = no cross-origin access
    bool refuseOtherOrigins = false; ///< a request with an Origin not in corsOrigins is answered 403
};

struct Connection;

/// Where a connection's messages wait for its socket: the shard queues, batches and sheds them.
class DeliveryScheduler
{
public:
    virtual void enqueue(Connection &connection, OutboundMessage message) = 0;

protected:
    ~DeliveryScheduler() = default;
};

/// One live client of a shard. Owned by its shard and touched only on the shard's thread.
struct Connection
{
    ConnectionId id = 0;
    QString publicId; ///< the connection_id clients and operators see
    AdmissionTicket ticket;
    QPointer<ClientTransport> transport;
    TokenBucket inboundBudget{1.0, 1.0}; // replaced by the shard with the configured rate
    int rateLimitViolations = 0;
    int protocolErrors = 0;
    qint64 lastSeenMs = 0;
    qint64 connectedAtMs = 0;
    qint64 messagesIn = 0;          ///< frames received and admitted by the rate limit
    mutable qint64 messagesOut = 0; ///< envelopes written (each of a batch); counted on the const write path
    bool closing = false;
    DeliveryScheduler *scheduler = nullptr;   ///< none: every message goes straight to the transport
    StatisticsCounters *statistics = nullptr; ///< where what is written is counted (none: not counted)
    DeliveryQueue queue;
    bool batching = false;
    bool lostUpdates = false;  ///< a bill update was shed: recovery offsets stop advancing
    qint64 overCapSinceMs = 0; ///< 0 = within its byte budget
    qint64 closingSinceMs = 0; ///< when the heartbeat check first saw it closing

    const QString &userId() const { return ticket.userId; }
    /// Sends unless the connection is closing; returns whether it was sent. `type` is the envelope's
    /// type; `sequence` the node-wide position of a bill update (0 for other envelopes).
    bool send(QLatin1StringView type, const QString &text, qint64 sequence = 0);
    /// Sends a bill update from history to a recovering client (queued ahead of live updates, never shed).
    bool replay(const QString &text, qint64 sequence);
    /// Sends the answer to the request being handled (a Socket.IO acknowledgement when asked for).
    bool reply(QLatin1StringView type, const QString &text) const;
    /// Hands an envelope to the transport now, counting it (a batch's messages are counted by whoever
    /// built it; the batch adds its bytes).
    void write(QLatin1StringView type, const QString &text, qint64 sequence = 0) const;
    /// Closes once; later calls are ignored so that a connection is never closed twice.
    void close(int code, const QString &reason);

private:
    void count(QLatin1StringView type, const QString &text) const;
};

} // namespace wsinfra

Q_DECLARE_METATYPE(wsinfra::AdmissionTicket)
