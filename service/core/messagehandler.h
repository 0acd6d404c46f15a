#pragma once

#include "core/connection.h"

#include <QJsonValue>

namespace wsinfra {

class ChannelHistory;
class Clock;
class NotificationInbox;
class StatisticsCounters;
class SubscriptionManager;
struct ClientMessage;

/// Handles the envelopes a client sends (subscribe, unsubscribe, ping, ack) for the connections of
/// one shard: rate limit, parsing, replies with the request's `id`, recovery from history, and the
/// closes that repeated abuse earns (4002, 4501).
class MessageHandler
{
public:
    /// `inbox` (may be null) is where acknowledged notifications are removed.
    MessageHandler(SubscriptionManager &subscriptions, const ChannelHistory &history, StatisticsCounters &statistics,
                   const ShardSettings &settings, const Clock &clock, NotificationInbox *inbox = nullptr);

    void handleText(Connection &connection, const QString &text);
    /// Resumes a recovered Socket.IO session: follows `bills` again and sends, in publish order, the
    /// updates after the node-wide `sequence` the client last saw.
    void resume(Connection &connection, const QList<qint64> &bills, qint64 sequence);
    /// A frame the protocol does not carry (binary): answered with bad_request.
    void handleUnsupported(Connection &connection);
    /// Under memory pressure a subscribe that would take a connection past `floor` bills is refused
    /// (too_many_subscriptions); what a connection already follows is kept. 0: the configured limit only.
    void setSubscriptionFloor(int floor) { m_subscriptionFloor = floor; }

private:
    void subscribe(Connection &connection, const ClientMessage &message);
    void unsubscribe(Connection &connection, const ClientMessage &message);
    void protocolError(Connection &connection, const QJsonValue &requestId, const QString &code,
                       const QString &message);
    bool admitByRateLimit(Connection &connection);

    SubscriptionManager &m_subscriptions;
    const ChannelHistory &m_history;
    StatisticsCounters &m_statistics;
    const ShardSettings &m_settings;
    const Clock &m_clock;
    NotificationInbox *const m_inbox;
    int m_subscriptionFloor = 0;
};

} // namespace wsinfra
