#include "core/deliveryqueue.h"

#include <QtGlobal>

using namespace Qt::StringLiterals;

namespace wsinfra {

void DeliveryQueue::push(OutboundMessage message)
{
    if (message.counted())
        m_bytes += message.bytes();
    ++m_count;
    m_lanes[std::size_t(message.priority)].append(std::move(message));
}

DeliveryQueue::Order DeliveryQueue::orderOf(const QStringList &types)
{
    using Priority = OutboundMessage::Priority;
    QList<Priority> order{Priority::Control};
    const auto add = [&order](Priority priority) {
        if (!order.contains(priority))
            order.append(priority);
    };
    for (const QString &type : types) {
        const QString name = type.trimmed();
        if (name == "notification"_L1) {
            add(Priority::Notification);
        } else if (name == "bill_update"_L1) {
            add(Priority::Replay);
            add(Priority::BillUpdate);
        } else if (name == "broadcast"_L1) {
            add(Priority::Broadcast);
        }
    }
    for (Priority priority : DefaultOrder)
        add(priority);
    Order result{};
    for (int i = 0; i < OutboundMessage::PriorityCount; ++i)
        result[std::size_t(i)] = order.at(i);
    return result;
}

void DeliveryQueue::popFront(QList<OutboundMessage> &lane)
{
    lane.removeFirst();
    if (lane.isEmpty())
        lane = {}; // give the storage back: an idle connection holds no buffer
}

OutboundMessage DeliveryQueue::pop()
{
    for (const OutboundMessage::Priority priority : m_order) {
        auto &lane = m_lanes[std::size_t(priority)];
        if (lane.isEmpty())
            continue;
        OutboundMessage message = std::move(lane.front());
        popFront(lane);
        if (message.counted())
            m_bytes -= message.bytes();
        --m_count;
        return message;
    }
    Q_UNREACHABLE();
    return {};
}

DeliveryQueue::Shed DeliveryQueue::shed(qint64 maxBytes, qint64 externalBytes)
{
    Shed result;
    for (const auto priority : {OutboundMessage::Priority::BillUpdate, OutboundMessage::Priority::Broadcast}) {
        auto &lane = m_lanes[std::size_t(priority)];
        while (!lane.isEmpty() && m_bytes + externalBytes > maxBytes) {
            m_bytes -= lane.front().bytes();
            --m_count;
            popFront(lane);
            ++result.dropped;
            result.billUpdates = result.billUpdates || priority == OutboundMessage::Priority::BillUpdate;
        }
    }
    return result;
}

} // namespace wsinfra
