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
    // The cluster numbers updates: stored as given, in order, repeats and older offsets refused, gaps
    // kept (recovery across one is refused as lost).
    void insertKeepsTheClustersNumbers()
    {
        ManualClock clock;
        ChannelHistory history(10, 60'000, clock);
        const auto encode = [](qint64 offset) { return u"frame %1"_s.arg(offset); };
        const std::optional<HistoryEntry> first = history.insert(7, 3, 100, u"m3"_s, clock.nowMs(), encode);
        QVERIFY(first);
        QCOMPARE(first->offset, 3);
        QCOMPARE(first->sequence, 100);
        QCOMPARE(first->frame, u"frame 3"_s);
        QCOMPARE(history.currentOffset(7), 3);
        QCOMPARE(history.currentSequence(), 100);
        QVERIFY(!history.insert(7, 3, 101, u"again"_s, clock.nowMs(), encode)); // a repeat
        QVERIFY(!history.insert(7, 2, 99, u"older"_s, clock.nowMs(), encode));
        QVERIFY(history.insert(7, 4, 105, u"m4"_s, clock.nowMs(), encode));
        QVERIFY(history.insert(7, 6, 107, u"m6"_s, clock.nowMs(), encode)); // 5 never came
        QVERIFY(history.insert(8, 1, 106, u"b8"_s, clock.nowMs(), encode));
        QCOMPARE(history.currentSequence(), 107);
        QCOMPARE(history.entryCount(), 4);
        const ChannelHistory::Recovery fromThree = history.since(7, 3);
        QVERIFY(!fromThree.recoverable); // 5 is missing
        const ChannelHistory::Recovery fromFive = history.since(7, 5);
        QVERIFY(fromFive.recoverable);
        QCOMPARE(fromFive.entries.size(), 1);
        QCOMPARE(fromFive.entries.at(0).messageId, u"m6"_s);
        QCOMPARE(history.lastOffsets(), (QHash<qint64, qint64>{{7, 6}, {8, 1}}));
        // A local append continues after the cluster's numbers.
        QCOMPARE(history.append(7, u"local"_s, clock.nowMs(), encode).offset, 7);
    }

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

    void sequenceOrdersUpdatesAcrossBills()
    {
        ManualClock clock;
        ChannelHistory history(10, 60'000, clock);
        QCOMPARE(history.currentSequence(), 0);
        QCOMPARE(add(history, 1, clock).sequence, 1);
        QCOMPARE(add(history, 2, clock).sequence, 2);
        QCOMPARE(add(history, 1, clock).sequence, 3);
        QCOMPARE(history.currentSequence(), 3);
    }

    void recoveryBySequenceReplaysWhatCameAfterIt()
    {
        ManualClock clock;
        ChannelHistory history(10, 60'000, clock);
        add(history, 1, clock); // seq 1, bill 1 offset 1
        add(history, 2, clock); // seq 2, bill 2 offset 1
        add(history, 1, clock); // seq 3, bill 1 offset 2
        add(history, 2, clock); // seq 4, bill 2 offset 2
        add(history, 1, clock); // seq 5, bill 1 offset 3

        ChannelHistory::Recovery bill1 = history.sinceSequence(1, 2);
        QVERIFY(bill1.recoverable);
        QCOMPARE(bill1.currentOffset, 3);
        QCOMPARE(bill1.entries.size(), 2);
        QCOMPARE(bill1.entries.at(0).sequence, 3);
        QCOMPARE(bill1.entries.at(1).sequence, 5);

        const ChannelHistory::Recovery bill2 = history.sinceSequence(2, 2);
        QVERIFY(bill2.recoverable);
        QCOMPARE(bill2.entries.size(), 1);
        QCOMPARE(bill2.entries.at(0).offset, 2);

        QVERIFY(history.sinceSequence(1, 5).recoverable);
        QVERIFY(history.sinceSequence(1, 5).entries.isEmpty());
        QCOMPARE(history.sinceSequence(1, 0).entries.size(), 3);
        QVERIFY(history.sinceSequence(7, 3).recoverable); // a bill nothing was published to
    }

    void recoveryBySequenceRefusesUnknownOrEvictedPositions()
    {
        ManualClock clock;
        ChannelHistory history(2, 60'000, clock);
        add(history, 1, clock); // seq 1 (evicted below)
        add(history, 2, clock); // seq 2
        add(history, 1, clock); // seq 3
        add(history, 1, clock); // seq 4: evicts seq 1
        QVERIFY(!history.sinceSequence(1, 0).recoverable);
        QVERIFY(history.sinceSequence(1, 1).recoverable);
        QCOMPARE(history.sinceSequence(1, 1).entries.size(), 2);
        QVERIFY(history.sinceSequence(2, 0).recoverable);
        // A position the node never handed out (it restarted): the client must resync.
        QVERIFY(!history.sinceSequence(1, 99).recoverable);
        QVERIFY(!history.sinceSequence(1, -1).recoverable);
    }

    void recoveryBySequenceTreatsExpiredUpdatesAsLost()
    {
        ManualClock clock;
        ChannelHistory history(10, 1'000, clock);
        add(history, 1, clock); // seq 1
        clock.advanceMs(600);
        add(history, 1, clock); // seq 2
        clock.advanceMs(600);   // seq 1 expired, not yet pruned
        QVERIFY(!history.sinceSequence(1, 0).recoverable);
        QVERIFY(history.sinceSequence(1, 1).recoverable);
        history.pruneExpired();
        QVERIFY(!history.sinceSequence(1, 0).recoverable);
        QCOMPARE(history.sinceSequence(1, 1).entries.size(), 1);
    }

    // A node numbered updates itself while Redis was away (sequences 2..4); the cluster meanwhile gave
    // sequence 3 to an update of another bill, which the node learns only when it catches up. A
    // Socket.IO client at position 3 or 4 never saw it: recovery must not say it did (it resyncs).
    void recoveryBySequenceRefusesAPositionAnUpdateCameLateFor()
    {
        ManualClock clock;
        ChannelHistory history(10, 60'000, clock);
        const auto encode = [](qint64 offset) { return u"frame %1"_s.arg(offset); };
        QVERIFY(history.insert(1, 1, 1, u"shared"_s, clock.nowMs(), encode)); // seq 1, bill 1 offset 1
        add(history, 2, clock);                                               // local: seq 2, 3, 4 of bill 2
        add(history, 2, clock);
        add(history, 2, clock);
        const std::optional<HistoryEntry> late = history.insert(1, 2, 3, u"late"_s, clock.nowMs(), encode);
        QVERIFY(late);
        QCOMPARE(late->lateUntil, 4);
        QCOMPARE(history.currentSequence(), 4);

        const ChannelHistory::Recovery before = history.sinceSequence(1, 2);
        QVERIFY(before.recoverable);
        QCOMPARE(before.entries.size(), 1);
        QCOMPARE(before.entries.at(0).messageId, u"late"_s);
        QVERIFY(!history.sinceSequence(1, 3).recoverable);
        QVERIFY(!history.sinceSequence(1, 4).recoverable);
        QVERIFY(history.sinceSequence(2, 4).recoverable); // nothing came late for bill 2
        QCOMPARE(history.since(1, 1).entries.size(), 1);  // a per-bill offset is unambiguous

        // A position handed out after it came: the client was sent it first.
        add(history, 1, clock); // seq 5, bill 1 offset 3
        const ChannelHistory::Recovery after = history.sinceSequence(1, 5);
        QVERIFY(after.recoverable);
        QVERIFY(after.entries.isEmpty());
        QCOMPARE(history.sinceSequence(1, 4).recoverable, false);

        // In order, an update is not late: insert() after the node's own sequence leaves it unmarked.
        const std::optional<HistoryEntry> inOrder = history.insert(1, 4, 6, u"next"_s, clock.nowMs(), encode);
        QVERIFY(inOrder);
        QCOMPARE(inOrder->lateUntil, 0);
    }

    // Evicted, a late update still makes the positions it came late for unrecoverable.
    void recoveryBySequenceRemembersAnEvictedLateUpdate()
    {
        ManualClock clock;
        ChannelHistory history(2, 60'000, clock);
        const auto encode = [](qint64 offset) { return u"frame %1"_s.arg(offset); };
        QVERIFY(history.insert(1, 1, 1, u"shared"_s, clock.nowMs(), encode)); // seq 1
        add(history, 2, clock);                                               // seq 2, 3, 4
        add(history, 2, clock);
        add(history, 2, clock);
        QVERIFY(history.insert(1, 2, 3, u"late"_s, clock.nowMs(), encode)); // late until 4
        add(history, 1, clock);                                             // seq 5: evicts offset 1
        add(history, 1, clock);                                             // seq 6: evicts the late one
        QVERIFY(!history.sinceSequence(1, 3).recoverable);
        QVERIFY(!history.sinceSequence(1, 4).recoverable);
        const ChannelHistory::Recovery fromFive = history.sinceSequence(1, 5);
        QVERIFY(fromFive.recoverable);
        QCOMPARE(fromFive.entries.size(), 1);
        QCOMPARE(fromFive.entries.at(0).offset, 4);
    }
};

QTEST_GUILESS_MAIN(TestChannelHistory)
#include "tst_channelhistory.moc"
