#include "core/deliveryqueue.h"

#include <QtGlobal>

namespace wsinfra {

void DeliveryQueue::push(OutboundMessage message)
{
    if (message.counted())
        m_bytes += message.bytes();
    ++m_count;
    m_lanes[std::size_t(message.priority)].push_back(std::move(message));
}

OutboundMessage DeliveryQueue::pop()
{
    for (auto &lane : m_lanes) {
        if (lane.empty())
            continue;
        OutboundMessage message = std::move(lane.front());
        lane.pop_front();
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
        while (!lane.empty() && m_bytes + externalBytes > maxBytes) {
            m_bytes -= lane.front().bytes();
            --m_count;
            lane.pop_front();
            ++result.dropped;
            result.billUpdates = result.billUpdates || priority == OutboundMessage::Priority::BillUpdate;
        }
    }
    return result;
}

} // namespace wsinfra
