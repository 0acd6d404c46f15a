#include "core/messagehandler.h"

#include "core/channelhistory.h"
#include "core/notificationinbox.h"
#include "core/subscriptionmanager.h"
#include "monitoring/statisticscounters.h"
#include "protocol/clientmessage.h"
#include "protocol/codes.h"
#include "protocol/servermessage.h"
#include "util/clock.h"

#include <QJsonObject>
#include <QLoggingCategory>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMessages, "wsinfra.core.messages", QtWarningMsg)

namespace wsinfra {

MessageHandler::MessageHandler(SubscriptionManager &subscriptions, const ChannelHistory &history,
                               StatisticsCounters &statistics, const ShardSettings &settings, const Clock &clock,
                               NotificationInbox *inbox)
    : m_subscriptions(subscriptions), m_history(history), m_statistics(statistics), m_settings(settings),
      m_clock(clock), m_inbox(inbox)
{
}

bool MessageHandler::admitByRateLimit(Connection &connection)
{
    if (connection.inboundBudget.tryTake(m_clock.nowMs())) {
        if (connection.rateLimitViolations > 0)
            --connection.rateLimitViolations;
        return true;
    }
    m_statistics.rateLimited();
    if (++connection.rateLimitViolations >= m_settings.rateLimitMaxViolations) {
        qCInfo(lcMessages) << "closing" << connection.publicId << "after repeated rate limit violations";
        connection.close(CloseCode::RateLimited, u"rate limit exceeded repeatedly"_s);
        return false;
    }
    connection.reply(ServerMessage::Type::Error,
                     ServerMessage::encode(ServerMessage::error(
                         QJsonValue::Undefined, ErrorCode::RateLimited,
                         u"too many messages: at most %1 per second"_s.arg(m_settings.messagesPerSecond))));
    return false;
}

void MessageHandler::protocolError(Connection &connection, const QJsonValue &requestId, const QString &code,
                                   const QString &message)
{
    m_statistics.protocolError();
    if (++connection.protocolErrors > m_settings.maxProtocolErrors) {
        connection.close(CloseCode::TooManyProtocolErrors, u"too many protocol errors"_s);
        return;
    }
    connection.reply(ServerMessage::Type::Error, ServerMessage::encode(ServerMessage::error(requestId, code, message)));
}

void MessageHandler::handleUnsupported(Connection &connection)
{
    if (admitByRateLimit(connection))
        protocolError(connection, QJsonValue::Undefined, ErrorCode::BadRequest,
                      u"binary frames are not supported: send JSON text frames"_s);
}

namespace {

StatisticsCounters::Inbound inboundOf(ClientMessageType type)
{
    switch (type) {
    case ClientMessageType::Subscribe:
        return StatisticsCounters::Inbound::Subscribe;
    case ClientMessageType::Unsubscribe:
        return StatisticsCounters::Inbound::Unsubscribe;
    case ClientMessageType::Ping:
        return StatisticsCounters::Inbound::Ping;
    case ClientMessageType::Ack:
        return StatisticsCounters::Inbound::Ack;
    }
    return StatisticsCounters::Inbound::Invalid;
}

} // namespace

void MessageHandler::handleText(Connection &connection, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    m_statistics.bytesReceived(utf8.size());
    if (connection.closing || !admitByRateLimit(connection))
        return;
    ++connection.messagesIn;
    m_statistics.messageReceived();

    const Result<QJsonObject> object = parseJsonObject(utf8);
    if (!object) {
        m_statistics.requestParsed(StatisticsCounters::Inbound::Invalid);
        protocolError(connection, QJsonValue::Undefined, object.error().code, object.error().message);
        return;
    }
    const Result<ClientMessage> message = parseClientMessage(*object);
    if (!message) {
        m_statistics.requestParsed(StatisticsCounters::Inbound::Invalid);
        protocolError(connection, requestIdOf(*object), message.error().code, message.error().message);
        return;
    }
    m_statistics.requestParsed(inboundOf(message->type));
    switch (message->type) {
    case ClientMessageType::Subscribe:
        subscribe(connection, *message);
        break;
    case ClientMessageType::Unsubscribe:
        unsubscribe(connection, *message);
        break;
    case ClientMessageType::Ping:
        connection.reply(ServerMessage::Type::Pong, ServerMessage::encode(ServerMessage::pong(message->id)));
        break;
    case ClientMessageType::Ack:
        // No reply: an id the inbox does not know (expired, dropped, acknowledged by another client
        // of the user) is not an error, the notification is delivered either way.
        if (m_inbox)
            m_inbox->acknowledge(connection.userId(), message->messageIds);
        break;
    }
}

void MessageHandler::subscribe(Connection &connection, const ClientMessage &message)
{
    qsizetype newBills = 0;
    for (qint64 billId : message.billIds) {
        if (!m_subscriptions.isSubscribed(connection.id, billId))
            ++newBills;
    }
    if (m_subscriptions.subscriptionCountOf(connection.id) + newBills > m_settings.maxSubscriptionsPerConnection) {
        connection.reply(ServerMessage::Type::Error,
                         ServerMessage::encode(ServerMessage::error(message.id, ErrorCode::TooManySubscriptions,
                                                                    u"a connection may follow at most %1 bills"_s.arg(
                                                                        m_settings.maxSubscriptionsPerConnection))));
        return;
    }
    if (m_subscriptionFloor > 0 && newBills > 0 &&
        m_subscriptions.subscriptionCountOf(connection.id) + newBills > m_subscriptionFloor) {
        connection.reply(ServerMessage::Type::Error,
                         ServerMessage::encode(ServerMessage::error(
                             message.id, ErrorCode::TooManySubscriptions,
                             u"the service is short of memory: a connection may follow at most %1 bills until it "
                             u"recovers"_s.arg(m_subscriptionFloor))));
        return;
    }
    if (!message.since.isEmpty())
        m_statistics.reconnection();

    QHash<qint64, qint64> offsets;
    QList<HistoryEntry> recovered;
    QList<QJsonObject> unrecoverable;
    for (qint64 billId : message.billIds) {
        qint64 lastOffset = 0;
        const auto since = message.since.constFind(billId);
        if (since == message.since.cend()) {
            lastOffset = m_history.currentOffset(billId);
        } else {
            const ChannelHistory::Recovery recovery = m_history.since(billId, *since);
            lastOffset = recovery.currentOffset;
            if (recovery.recoverable) {
                recovered.append(recovery.entries);
            } else {
                unrecoverable.append(
                    ServerMessage::error(message.id, ErrorCode::UnrecoverablePosition,
                                         u"updates of bill %1 after offset %2 are no longer in history; resync and "
                                         u"subscribe from offset %3"_s.arg(billId)
                                             .arg(*since)
                                             .arg(recovery.currentOffset),
                                         {{u"bill_id"_s, billId}, {u"offset"_s, recovery.currentOffset}}));
            }
        }
        // Live updates up to lastOffset were either recovered above or predate the subscription.
        if (!m_subscriptions.subscribe(connection.id, billId, lastOffset))
            m_subscriptions.advance(connection.id, billId, lastOffset);
        offsets.insert(billId, lastOffset);
    }

    connection.reply(ServerMessage::Type::Subscribed,
                     ServerMessage::encode(ServerMessage::subscribed(message.id, message.billIds, offsets)));
    for (const HistoryEntry &entry : std::as_const(recovered))
        connection.replay(entry.frame, entry.sequence);
    if (!recovered.isEmpty())
        m_statistics.messagesDelivered(recovered.size());
    for (const QJsonObject &error : std::as_const(unrecoverable))
        connection.send(ServerMessage::Type::Error, ServerMessage::encode(error));
}

void MessageHandler::resume(Connection &connection, const QList<qint64> &bills, qint64 sequence)
{
    QList<HistoryEntry> missed;
    for (qint64 billId : bills) {
        const ChannelHistory::Recovery recovery = m_history.sinceSequence(billId, sequence);
        if (!m_subscriptions.subscribe(connection.id, billId, recovery.currentOffset))
            m_subscriptions.advance(connection.id, billId, recovery.currentOffset);
        if (recovery.recoverable) {
            missed.append(recovery.entries);
            continue;
        }
        // Recoverability was checked before recovery was promised; history moved on in between.
        connection.send(ServerMessage::Type::Error,
                        ServerMessage::encode(ServerMessage::error(
                            QJsonValue::Undefined, ErrorCode::UnrecoverablePosition,
                            u"updates of bill %1 missed while disconnected are no longer in history; resync and "
                            u"subscribe from offset %2"_s.arg(billId)
                                .arg(recovery.currentOffset),
                            {{u"bill_id"_s, billId}, {u"offset"_s, recovery.currentOffset}})));
    }
    std::sort(missed.begin(), missed.end(),
              [](const HistoryEntry &a, const HistoryEntry &b) { return a.sequence < b.sequence; });
    for (const HistoryEntry &entry : std::as_const(missed))
        connection.replay(entry.frame, entry.sequence);
    if (!missed.isEmpty())
        m_statistics.messagesDelivered(missed.size());
    m_statistics.reconnection();
}

void MessageHandler::unsubscribe(Connection &connection, const ClientMessage &message)
{
    for (qint64 billId : message.billIds)
        m_subscriptions.unsubscribe(connection.id, billId);
    connection.reply(ServerMessage::Type::Unsubscribed,
                     ServerMessage::encode(ServerMessage::unsubscribed(message.id, message.billIds)));
}

} // namespace wsinfra
