// Progressive degradation under memory pressure: the caches it shrinks (bill history, dedupe keys,
// notification inboxes) give way oldest first and grow back, history keeps recovery honest about what
// a shrink dropped, and ProgressiveDegradation takes and undoes its steps one at a time, logged and
// counted.

#include "auth/jwtverifier.h"
#include "core/channelhistory.h"
#include "core/connectionmanager.h"
#include "core/deduplicator.h"
#include "core/eventlog.h"
#include "core/notificationinbox.h"
#include "core/recoverystore.h"
#include "core/shardpool.h"
#include "memory/progressivedegradation.h"
#include "monitoring/statisticscollector.h"
#include "util/clock.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

HistoryEntry add(ChannelHistory &history, qint64 billId, const ManualClock &clock)
{
    return history.append(billId, u"m"_s, clock.nowMs(), [](qint64 offset) { return QString::number(offset); });
}

QList<qint64> offsetsOf(const ChannelHistory::Recovery &recovery)
{
    QList<qint64> offsets;
    for (const HistoryEntry &entry : recovery.entries)
        offsets.append(entry.offset);
    return offsets;
}

QStringList idsOf(const QList<NotificationInbox::Notification> &notifications)
{
    QStringList ids;
    for (const NotificationInbox::Notification &notification : notifications)
        ids.append(notification.messageId);
    return ids;
}

QStringList memoryMessagesOf(const EventLog &events)
{
    QStringList messages;
    const QList<EventLog::Event> all = events.since(0, 1000);
    for (const EventLog::Event &event : all) {
        if (event.category == "memory"_L1)
            messages.append(event.message);
    }
    return messages;
}

} // namespace

class TestProgressiveDegradation : public QObject
{
    Q_OBJECT

private slots:
    void historyShrinkDropsTheOldestAndRecoveryKnowsIt()
    {
        ManualClock clock(1'000'000);
        ChannelHistory history(8, 60'000, clock);
        for (int i = 0; i < 8; ++i)
            add(history, 1, clock);
        const HistoryEntry other = add(history, 2, clock); // sequence 9
        for (int i = 0; i < 2; ++i)
            add(history, 2, clock); // sequences 10, 11
        QCOMPARE(history.entryCount(), 11);

        history.setMaxEntriesPerBill(3);
        QCOMPARE(history.maxEntriesPerBill(), 3);
        QCOMPARE(history.entryCount(), 6); // bill 1: offsets 6-8; bill 2: all three
        // By offset: what was dropped is unrecoverable, what is left is replayed.
        QVERIFY(!history.since(1, 4).recoverable);
        QCOMPARE(history.since(1, 4).currentOffset, 8);
        QVERIFY(history.since(1, 5).recoverable);
        QCOMPARE(offsetsOf(history.since(1, 5)), (QList<qint64>{6, 7, 8}));
        // By sequence (Socket.IO recovery): a client that saw up to sequence 4 (bill 1 offset 4)
        // missed offset 5, which the shrink dropped.
        QVERIFY(!history.sinceSequence(1, 4).recoverable);
        QVERIFY(history.sinceSequence(1, 5).recoverable);
        QCOMPARE(offsetsOf(history.sinceSequence(1, 5)), (QList<qint64>{6, 7, 8}));
        // Bill 2 lost nothing.
        QVERIFY(history.sinceSequence(2, other.sequence - 1).recoverable);
        QCOMPARE(offsetsOf(history.sinceSequence(2, other.sequence - 1)), (QList<qint64>{1, 2, 3}));

        // New updates respect the smaller bound, and the evicted one is lost too.
        add(history, 1, clock); // offset 9 evicts offset 6
        QCOMPARE(offsetsOf(history.since(1, 6)), (QList<qint64>{7, 8, 9}));
        QVERIFY(!history.since(1, 5).recoverable);

        // Restored: nothing comes back, but the bill keeps its full bound again.
        history.setMaxEntriesPerBill(8);
        for (int i = 0; i < 5; ++i)
            add(history, 1, clock); // offsets 10-14
        QCOMPARE(offsetsOf(history.since(1, 6)), (QList<qint64>{7, 8, 9, 10, 11, 12, 13, 14}));
        QVERIFY(!history.since(1, 5).recoverable);
    }

    void historyShrinkToZeroKeepsOffsets()
    {
        ManualClock clock(1'000'000);
        ChannelHistory history(4, 60'000, clock);
        add(history, 1, clock);
        add(history, 1, clock);
        history.setMaxEntriesPerBill(-5);
        QCOMPARE(history.maxEntriesPerBill(), 0);
        QCOMPARE(history.entryCount(), 0);
        QCOMPARE(history.currentOffset(1), 2);
        QVERIFY(!history.since(1, 1).recoverable);
        QVERIFY(!history.sinceSequence(1, 1).recoverable);
        QVERIFY(history.since(1, 2).recoverable); // up to date
    }

    void deduplicatorCapacityShrinksAndGrows()
    {
        ManualClock clock(1'000'000);
        Deduplicator deduplicator(8, 60'000, clock);
        for (int i = 0; i < 8; ++i)
            deduplicator.remember(QString::number(i), {u"m%1"_s.arg(i), 0, 0});
        QVERIFY(deduplicator.find(u"0"_s)); // 0 becomes the most recently used
        deduplicator.setCapacity(2);
        QCOMPARE(deduplicator.capacity(), 2);
        QCOMPARE(deduplicator.size(), 2);
        QVERIFY(deduplicator.find(u"0"_s));
        QVERIFY(deduplicator.find(u"7"_s));
        QVERIFY(!deduplicator.find(u"1"_s));
        deduplicator.setCapacity(8);
        for (int i = 10; i < 16; ++i)
            deduplicator.remember(QString::number(i), {u"m"_s, 0, 0});
        QCOMPARE(deduplicator.size(), 8);

        Deduplicator off(8, 0, clock); // no window: stays off whatever the capacity
        off.setCapacity(100);
        QCOMPARE(off.capacity(), 0);
    }

    void inboxPerUserBoundShrinksAndGrows()
    {
        ManualClock clock(1'000'000);
        StatisticsCollector statistics(clock);
        NotificationInbox inbox(NotificationInbox::Settings{8, 60'000, 1000}, clock, &statistics.common());
        for (int i = 0; i < 6; ++i)
            inbox.store(u"amy"_s, u"a%1"_s.arg(i), 0, u"x"_s);
        inbox.store(u"bob"_s, u"b0"_s, 0, u"x"_s);

        inbox.setMaxPerUser(2);
        QCOMPARE(inbox.maxPerUser(), 2);
        QCOMPARE(idsOf(inbox.pending(u"amy"_s)), (QStringList{u"a4"_s, u"a5"_s}));
        QCOMPARE(idsOf(inbox.pending(u"bob"_s)), QStringList{u"b0"_s});
        QCOMPARE(inbox.entryCount(), 3);
        QCOMPARE(statistics.snapshot(0, 0).droppedMessages, 4);
        inbox.store(u"amy"_s, u"a6"_s, 0, u"x"_s);
        QCOMPARE(idsOf(inbox.pending(u"amy"_s)), (QStringList{u"a5"_s, u"a6"_s}));

        inbox.setMaxPerUser(0); // at least one is kept
        QCOMPARE(inbox.maxPerUser(), 1);
        QCOMPARE(idsOf(inbox.pending(u"amy"_s)), QStringList{u"a6"_s});

        inbox.setMaxPerUser(8);
        for (int i = 7; i < 12; ++i)
            inbox.store(u"amy"_s, u"a%1"_s.arg(i), 0, u"x"_s);
        QCOMPARE(inbox.pending(u"amy"_s).size(), 6);

        NotificationInbox off(NotificationInbox::Settings{0, 60'000, 1000}, clock);
        off.setMaxPerUser(10);
        QVERIFY(!off.isEnabled());
        QVERIFY(!off.store(u"amy"_s, u"a"_s, 0, u"x"_s));
    }

    void floors_data()
    {
        QTest::addColumn<int>("configured");
        QTest::addColumn<int>("history");
        QTest::addColumn<int>("quarter");
        QTest::newRow("0") << 0 << 0 << 0;
        QTest::newRow("1") << 1 << 1 << 1;
        QTest::newRow("3") << 3 << 3 << 1;
        QTest::newRow("10") << 10 << 10 << 2;
        QTest::newRow("39") << 39 << 10 << 9;
        QTest::newRow("40") << 40 << 10 << 10;
        QTest::newRow("1000") << 1000 << 250 << 250;
    }

    void floors()
    {
        QFETCH(int, configured);
        QFETCH(int, history);
        QFETCH(int, quarter);
        QCOMPARE(ProgressiveDegradation::historyFloorOf(configured, 25), history);
        QCOMPARE(ProgressiveDegradation::shrunk(configured, 25), quarter);
        // Other fractions: never above what is configured, never below the floors.
        QCOMPARE(ProgressiveDegradation::historyFloorOf(configured, 100), configured);
        QCOMPARE(ProgressiveDegradation::shrunk(configured, 100), configured);
        QCOMPARE(ProgressiveDegradation::historyFloorOf(configured, 1), qMin(configured, 10));
        QCOMPARE(ProgressiveDegradation::shrunk(configured, 1), configured > 0 ? qMax(1, configured / 100) : 0);
    }

    void stepsAreTakenAndUndoneOneAtATime()
    {
        ManualClock clock(1'000'000);
        StatisticsCollector statistics(clock);
        ChannelHistory history(100, 60'000, clock);
        Deduplicator deduplicator(1000, 60'000, clock);
        NotificationInbox inbox(NotificationInbox::Settings{100, 60'000, 1000}, clock, &statistics.common());
        EventLog events(clock);
        JwtVerifier verifier(QByteArray("secret"), clock);
        ConnectionManager connections({100, 100, 100}, statistics.common());
        RecoveryStore recovery(60'000, 100, clock);
        ShardContext context{u"node"_s, ShardSettings{}, &history,  &statistics, &clock,
                             &verifier, &connections,    &recovery, &inbox};
        ShardPool shards(1, context);
        shards.start();
        for (int i = 0; i < 100; ++i)
            add(history, 1, clock);

        ProgressiveDegradation degradation({100, 1000, 100, 1 << 20}, history, deduplicator, inbox, shards, events);
        QCOMPARE(degradation.step(), 0);
        degradation.update(MemoryManager::Level::Warning);
        QCOMPARE(degradation.step(), 1);
        QCOMPARE(history.maxEntriesPerBill(), 25);
        QCOMPARE(history.entryCount(), 25);
        QCOMPARE(deduplicator.capacity(), 250);
        QCOMPARE(inbox.maxPerUser(), 25);
        degradation.update(MemoryManager::Level::Warning); // no change: nothing taken again
        QCOMPARE(degradation.timesTaken(1), 1);

        // Straight to emergency: critical is taken on the way; no connection to shed.
        degradation.update(MemoryManager::Level::Emergency);
        QCOMPARE(degradation.step(), 3);
        QCOMPARE(degradation.timesTaken(2), 1);
        QCOMPARE(degradation.timesTaken(3), 1);
        QCOMPARE(degradation.shedConnections(), 0);

        // Down to warning: critical and emergency undone, the caches stay small.
        degradation.update(MemoryManager::Level::Warning);
        QCOMPARE(degradation.step(), 1);
        QCOMPARE(history.maxEntriesPerBill(), 25);
        degradation.update(MemoryManager::Level::Normal);
        QCOMPARE(degradation.step(), 0);
        QCOMPARE(history.maxEntriesPerBill(), 100);
        QCOMPARE(deduplicator.capacity(), 1000);
        QCOMPARE(inbox.maxPerUser(), 100);
        QCOMPARE(degradation.timesTaken(1), 1);
        QCOMPARE(degradation.timesTaken(0), 0);
        QCOMPARE(degradation.timesTaken(4), 0);

        const QStringList messages = memoryMessagesOf(events);
        QCOMPARE(messages.size(), 6);
        QVERIFY2(messages.at(0).startsWith("degradation step 1 (warning)"_L1) &&
                     messages.at(0).contains("100 -> 25"_L1),
                 qPrintable(messages.at(0)));
        QVERIFY2(messages.at(1).startsWith("degradation step 2 (critical)"_L1) && messages.at(1).contains("262144"_L1),
                 qPrintable(messages.at(1)));
        QVERIFY(messages.at(2).startsWith("degradation step 3 (emergency)"_L1));
        QVERIFY(messages.at(3).startsWith("degradation step 3 undone"_L1));
        QVERIFY(messages.at(4).startsWith("degradation step 2 undone"_L1));
        QVERIFY(messages.at(5).startsWith("degradation step 1 undone"_L1));
        shards.stop();
    }
};

QTEST_GUILESS_MAIN(TestProgressiveDegradation)
#include "tst_progressivedegradation.moc"
