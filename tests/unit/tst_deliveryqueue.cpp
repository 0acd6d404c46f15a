// DeliveryQueue: priority order, byte accounting, and what shedding may and may not drop.

#include "core/deliveryqueue.h"
#include "protocol/servermessage.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

using Priority = OutboundMessage::Priority;

OutboundMessage message(Priority priority, const QString &text)
{
    return OutboundMessage{priority, ServerMessage::Type::BillUpdate, text, 0};
}

QStringList drain(DeliveryQueue &queue)
{
    QStringList texts;
    while (!queue.isEmpty())
        texts.append(queue.pop().text);
    return texts;
}

} // namespace

class TestDeliveryQueue : public QObject
{
    Q_OBJECT

private slots:
    void popsByPriorityThenInOrder()
    {
        DeliveryQueue queue;
        queue.push(message(Priority::Broadcast, u"b1"_s));
        queue.push(message(Priority::BillUpdate, u"u1"_s));
        queue.push(message(Priority::Notification, u"n1"_s));
        queue.push(message(Priority::BillUpdate, u"u2"_s));
        queue.push(message(Priority::Replay, u"r1"_s));
        queue.push(message(Priority::Control, u"c1"_s));
        QCOMPARE(queue.size(), 6);
        QCOMPARE(drain(queue), (QStringList{u"c1"_s, u"n1"_s, u"r1"_s, u"u1"_s, u"u2"_s, u"b1"_s}));
        QCOMPARE(queue.bytes(), 0);
    }

    void popsInAConfiguredOrder()
    {
        DeliveryQueue queue;
        queue.setOrder(DeliveryQueue::orderOf({u"broadcast"_s, u" bill_update"_s, u"notification"_s}));
        queue.push(message(Priority::Notification, u"n1"_s));
        queue.push(message(Priority::BillUpdate, u"u1"_s));
        queue.push(message(Priority::Broadcast, u"b1"_s));
        queue.push(message(Priority::Replay, u"r1"_s));
        queue.push(message(Priority::Control, u"c1"_s));
        QCOMPARE(drain(queue), (QStringList{u"c1"_s, u"b1"_s, u"r1"_s, u"u1"_s, u"n1"_s}));
    }

    void orderOfFillsInWhatIsMissing()
    {
        QCOMPARE(DeliveryQueue::orderOf({}), DeliveryQueue::DefaultOrder);
        const DeliveryQueue::Order order = DeliveryQueue::orderOf({u"broadcast"_s, u"shout"_s, u"broadcast"_s});
        QCOMPARE(order[0], Priority::Control);
        QCOMPARE(order[1], Priority::Broadcast);
        QCOMPARE(order[2], Priority::Notification);
        QCOMPARE(order[3], Priority::Replay);
        QCOMPARE(order[4], Priority::BillUpdate);
    }

    void countsBytesExceptReplay()
    {
        DeliveryQueue queue;
        queue.push(message(Priority::BillUpdate, QString(100, u'x')));
        const qint64 one = queue.bytes();
        QVERIFY(one >= 100);
        queue.push(message(Priority::Replay, QString(1000, u'x')));
        QCOMPARE(queue.bytes(), one);                     // shared with history: costs the queue a reference only
        QCOMPARE(queue.pop().priority, Priority::Replay); // ahead of live updates
        QCOMPARE(queue.bytes(), one);
        queue.pop();
        QCOMPARE(queue.bytes(), 0);
        QVERIFY(queue.isEmpty());
    }

    void shedsBillUpdatesOldestFirstThenBroadcasts()
    {
        DeliveryQueue queue;
        const QString payload(100, u'x');
        queue.push(message(Priority::Broadcast, u"b1"_s + payload));
        queue.push(message(Priority::BillUpdate, u"u1"_s + payload));
        queue.push(message(Priority::BillUpdate, u"u2"_s + payload));
        queue.push(message(Priority::Notification, u"n1"_s + payload));
        const qint64 each = queue.bytes() / 4;

        // Room for three: the oldest bill update goes.
        DeliveryQueue::Shed shed = queue.shed(3 * each, 0);
        QCOMPARE(shed.dropped, 1);
        QVERIFY(shed.billUpdates);
        // Room for one, counting what the socket still holds: the other update, then the broadcast.
        shed = queue.shed(2 * each, each);
        QCOMPARE(shed.dropped, 2);
        QCOMPARE(queue.size(), 1);
        QVERIFY(queue.pop().text.startsWith(u"n1"_s));
    }

    void neverShedsNotificationsControlOrReplay()
    {
        DeliveryQueue queue;
        queue.push(message(Priority::Notification, u"n"_s));
        queue.push(message(Priority::Control, u"c"_s));
        queue.push(message(Priority::Replay, u"r"_s));
        const DeliveryQueue::Shed shed = queue.shed(0, 1'000'000);
        QCOMPARE(shed.dropped, 0);
        QVERIFY(!shed.billUpdates);
        QCOMPARE(queue.size(), 3);
    }

    void shedsNothingWithinBudget()
    {
        DeliveryQueue queue;
        queue.push(message(Priority::BillUpdate, u"u"_s));
        QCOMPARE(queue.shed(1'000, 0).dropped, 0);
        QCOMPARE(queue.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestDeliveryQueue)
#include "tst_deliveryqueue.moc"
