#include "core/connection.h"

#include "core/clienttransport.h"
#include "monitoring/statisticscounters.h"
#include "protocol/servermessage.h"
#include "util/utf8.h"

namespace wsinfra {

namespace {

OutboundMessage::Priority priorityOf(QLatin1StringView type)
{
    if (type == ServerMessage::Type::BillUpdate)
        return OutboundMessage::Priority::BillUpdate;
    if (type == ServerMessage::Type::Notification)
        return OutboundMessage::Priority::Notification;
    if (type == ServerMessage::Type::Broadcast)
        return OutboundMessage::Priority::Broadcast;
    return OutboundMessage::Priority::Control;
}

} // namespace

bool Connection::send(QLatin1StringView type, const QString &text, qint64 sequence)
{
    if (closing || !transport)
        return false;
    const OutboundMessage::Priority priority = priorityOf(type);
    // Replies, greetings and errors answer the client's own (rate-limited) requests: never queued.
    if (priority == OutboundMessage::Priority::Control || !scheduler) {
        write(type, text, sequence);
        return true;
    }
    scheduler->enqueue(*this, OutboundMessage{priority, type, text, sequence});
    return true;
}

bool Connection::replay(const QString &text, qint64 sequence)
{
    if (closing || !transport)
        return false;
    if (!scheduler) {
        write(ServerMessage::Type::BillUpdate, text, sequence);
        return true;
    }
    scheduler->enqueue(
        *this, OutboundMessage{OutboundMessage::Priority::Replay, ServerMessage::Type::BillUpdate, text, sequence});
    return true;
}

bool Connection::reply(QLatin1StringView type, const QString &text) const
{
    if (closing || !transport)
        return false;
    count(type, text);
    transport->sendReply(type, text);
    return true;
}

void Connection::write(QLatin1StringView type, const QString &text, qint64 sequence) const
{
    count(type, text);
    transport->sendText(type, text, sequence);
}

void Connection::count(QLatin1StringView type, const QString &text) const
{
    if (type != ServerMessage::Type::Batch)
        ++messagesOut; // a batch's messages were counted one by one as it was built
    if (!statistics)
        return;
    if (type != ServerMessage::Type::Batch)
        statistics->messageSent(type);
    statistics->bytesSent(utf8Length(text));
}

void Connection::close(int code, const QString &reason)
{
    if (closing)
        return;
    closing = true;
    if (transport)
        transport->close(code, reason);
}

} // namespace wsinfra
