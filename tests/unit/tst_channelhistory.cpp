// ChannelHistory: per-bill offsets, bounded history, TTL, and what recovery may and may not promise.

#include "core/channelhistory.h"
#include "util/clock.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

class TestChannelHistory : public QObject
{
    Q_OBJECT

private:
    static HistoryEntry add(ChannelHistory &history, qint64 billId, const ManualClock &clock)
    {
        return history.append(billId, u"m"_s, clock.nowMs(),
                              [billId](qint64 offset) { return u"%1:%2"_s.arg(billId).arg(offset); });
    }

private slots:
    void offsetsStartAtOneAndGrowPerBill()
    {
        ManualClock clock;
        ChannelHistory history(10, 60'000, clock);
        QCOMPARE(history.currentOffset(1), 0);
        QCOMPARE(add(history, 1, clock).offset, 1);
        QCOMPARE(add(history, 1, clock).offset, 2);
        QCOMPARE(add(history, 2, clock).offset, 1);
        QCOMPARE(history.currentOffset(1), 2);
        QCOMPARE(history.currentOffset(2), 1);
        QCOMPARE(history.billCount(), 2);
        QCOMPARE(history.entryCount(), 3);
    }

    void frameIsBuiltWithTheAssignedOffset()
    {
        ManualClock clock;
        ChannelHistory history(10, 60'000, clock);
        add(history, 7, clock);
        QCOMPARE(add(history, 7, clock).frame, u"7:2"_s);
    }

    void recoveryReturnsMissedEntriesInOrder()
    {
        ManualClock clock;
        ChannelHistory history(10, 60'000, clock);
        for (int i = 0; i < 5; ++i)
            add(history, 1, clock);
        const ChannelHistory::Recovery recovery = history.since(1, 2);
        QVERIFY(recovery.recoverable);
        QCOMPARE(recovery.currentOffset, 5);
        QCOMPARE(recovery.entries.size(), 3);
        QCOMPARE(recovery.entries.at(0).offset, 3);
        QCOMPARE(recovery.entries.at(2).offset, 5);
    }

    void recoveryFromCurrentOffsetIsEmptyButRecoverable()
    {
        ManualClock clock;
        ChannelHistory history(10, 60'000, clock);
        add(history, 1, clock);
        const ChannelHistory::Recovery recovery = history.since(1, 1);
        QVERIFY(recovery.recoverable);
        QVERIFY(recovery.entries.isEmpty());
        QVERIFY(history.since(99, 0).recoverable); // unknown bill, nothing missed
    }

    void evictedPositionIsUnrecoverable()
    {
        ManualClock clock;
        ChannelHistory history(3, 60'000, clock);
        for (int i = 0; i < 6; ++i)
            add(history, 1, clock); // keeps 4, 5, 6
        QVERIFY(!history.since(1, 2).recoverable);
        QVERIFY(history.since(1, 2).entries.isEmpty());
        QCOMPARE(history.since(1, 2).currentOffset, 6);
        QVERIFY(history.since(1, 3).recoverable);
        QCOMPARE(history.since(1, 3).entries.size(), 3);
    }

    void futureOrNegativePositionIsUnrecoverable()
    {
        ManualClock clock;
        ChannelHistory history(3, 60'000, clock);
        add(history, 1, clock);
        QVERIFY(!history.since(1, 2).recoverable);
        QVERIFY(!history.since(1, -1).recoverable);
        QVERIFY(!history.since(5, 1).recoverable);
    }

    void expiredEntriesAreNotRecoveredAndArePruned()
    {
        ManualClock clock;
        ChannelHistory history(10, 1'000, clock);
        add(history, 1, clock);
        add(history, 1, clock);
        clock.advanceMs(600);
        add(history, 1, clock);
        clock.advanceMs(600); // entries 1-2 are 1200 ms old, entry 3 600 ms
        QVERIFY(!history.since(1, 0).recoverable);
        QVERIFY(history.since(1, 2).recoverable);
        QCOMPARE(history.pruneExpired(), 2);
        QCOMPARE(history.entryCount(), 1);
        // Offsets survive pruning: the next update is 4.
        QCOMPARE(add(history, 1, clock).offset, 4);
    }

    void zeroSizeHistoryKeepsOffsetsOnly()
    {
        ManualClock clock;
        ChannelHistory history(0, 1'000, clock);
        add(history, 1, clock);
        QCOMPARE(history.currentOffset(1), 1);
        QCOMPARE(history.entryCount(), 0);
        QVERIFY(!history.since(1, 0).recoverable);
        QVERIFY(history.since(1, 1).recoverable);
    }
};

QTEST_GUILESS_MAIN(TestChannelHistory)
#include "tst_channelhistory.moc"
