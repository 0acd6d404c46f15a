#pragma once

#include <QLatin1StringView>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>

namespace wsinfra {

/// One envelope waiting for its connection's socket. The text is shared with every other recipient
/// of the same publish (QString is implicitly shared), so queueing it copies nothing.
struct OutboundMessage
{
    /// In delivery order: control (replies, greetings, errors) first, broadcasts last. Replay is
    /// history sent to a recovering client: ahead of live updates (which follow it), never shed, and
    /// outside the byte budget, since its text is shared with ChannelHistory and costs the queue only
    /// a reference.
    enum class Priority { Control, Notification, Replay, BillUpdate, Broadcast };
    static constexpr int PriorityCount = 5;

    Priority priority = Priority::Control;
    QLatin1StringView type;
    QString text;
    qint64 sequence = 0; ///< BillUpdate: the node-wide sequence (Socket.IO recovery offset)

    qint64 bytes() const { return qint64(text.size()) + 16; }
    bool counted() const { return priority != Priority::Replay; }
    /// Recoverable messages may be dropped under pressure: a client gets missed bill updates back
    /// from history (`since`, or Socket.IO recovery after the slow-consumer close).
    bool droppable() const { return priority == Priority::BillUpdate || priority == Priority::Broadcast; }
};

/// The messages a connection's socket has not accepted yet, by priority, FIFO within a priority,
/// accounted in bytes. The queue itself never refuses: the owner sheds with shed() to stay within
/// its byte budget, dropping bill updates (recoverable from history) before broadcasts, and never
/// notifications or control messages.
class DeliveryQueue
{
public:
    using Order = std::array<OutboundMessage::Priority, OutboundMessage::PriorityCount>;
    /// The default: control, notifications, replay, bill updates, broadcasts.
    static constexpr Order DefaultOrder{OutboundMessage::Priority::Control, OutboundMessage::Priority::Notification,
                                        OutboundMessage::Priority::Replay, OutboundMessage::Priority::BillUpdate,
                                        OutboundMessage::Priority::Broadcast};
    /// The order for envelope types named in delivery order ("notification", "bill_update", "broadcast",
    /// as the deliveryPriorities option has them): control always first, replay right before live
    /// bill updates. Unknown names are ignored and missing ones go last, in the default order.
    static Order orderOf(const QStringList &types);

    /// The order pop() serves the priorities in; shedding order does not change (recoverable first).
    void setOrder(const Order &order) { m_order = order; }

    void push(OutboundMessage message);
    /// The next message in priority order; the queue must not be empty.
    OutboundMessage pop();
    /// Drops droppable messages, oldest bill updates first, then oldest broadcasts, until the queued
    /// bytes plus `externalBytes` (what the socket still buffers) are within `maxBytes`. Returns how
    /// many were dropped and whether any dropped message was a bill update.
    struct Shed
    {
        int dropped = 0;
        bool billUpdates = false;
    };
    Shed shed(qint64 maxBytes, qint64 externalBytes);

    bool isEmpty() const { return m_count == 0; }
    int size() const { return m_count; }
    /// Bytes that count against the budget (all but replay).
    qint64 bytes() const { return m_bytes; }

private:
    void popFront(QList<OutboundMessage> &lane);

    // QList rather than std::deque: an empty QList allocates nothing (libstdc++'s deque allocates a
    // block on construction), and most connections' queues are empty almost all the time.
    std::array<QList<OutboundMessage>, OutboundMessage::PriorityCount> m_lanes;
    Order m_order = DefaultOrder;
    qint64 m_bytes = 0;
    int m_count = 0;
};

} // namespace wsinfra
