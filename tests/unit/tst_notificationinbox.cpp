// NotificationInbox: unacknowledged notifications are kept per user, oldest first, until acknowledged,
// expired or pushed out by the per-user or node-wide bound.

#include "core/notificationinbox.h"
#include "monitoring/statisticscollector.h"
#include "util/clock.h"

#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

QString frameOf(const QString &messageId)
{
    return u"{\"type\":\"notification\",\"message_id\":\"%1\"}"_s.arg(messageId);
}

QStringList idsOf(const QList<NotificationInbox::Notification> &notifications)
{
    QStringList ids;
    for (const NotificationInbox::Notification &notification : notifications)
        ids.append(notification.messageId);
    return ids;
}

NotificationInbox::Settings settings(int maxPerUser, qint64 ttlMs, qsizetype maxEntries)
{
    return NotificationInbox::Settings{maxPerUser, ttlMs, maxEntries};
}

qint64 droppedOf(const StatisticsCollector &statistics)
{
    return statistics.snapshot(0, 0).droppedMessages;
}

} // namespace

class TestNotificationInbox : public QObject
{
    Q_OBJECT

private slots:
    void keepsEachUsersNotificationsOldestFirst()
    {
        ManualClock clock;
        NotificationInbox inbox(settings(10, 60'000, 100), clock);
        QVERIFY(inbox.isEnabled());
        QVERIFY(inbox.store(u"alice"_s, u"m-1"_s, 111, frameOf(u"m-1"_s)));
        clock.advanceMs(5);
        QVERIFY(inbox.store(u"bob"_s, u"m-2"_s, 222, frameOf(u"m-2"_s)));
        QVERIFY(inbox.store(u"alice"_s, u"m-3"_s, 333, frameOf(u"m-3"_s)));
        QVERIFY(inbox.store(u"alice"_s, u"m-4"_s, 444, frameOf(u"m-4"_s)));

        const QList<NotificationInbox::Notification> alice = inbox.pending(u"alice"_s);
        QCOMPARE(idsOf(alice), (QStringList{u"m-1"_s, u"m-3"_s, u"m-4"_s}));
        QCOMPARE(alice.at(0).timestampMs, 111);
        QCOMPARE(alice.at(0).frame, frameOf(u"m-1"_s));
        QCOMPARE(alice.at(2).frame, frameOf(u"m-4"_s));
        QCOMPARE(idsOf(inbox.pending(u"bob"_s)), QStringList{u"m-2"_s});
        QVERIFY(inbox.pending(u"carol"_s).isEmpty());
        // User ids are compared exactly.
        QVERIFY(inbox.pending(u"Alice"_s).isEmpty());
        QCOMPARE(inbox.entryCount(), 4);
        QCOMPARE(inbox.userCount(), 2);

        // Reading redelivers; it removes nothing.
        QCOMPARE(inbox.pending(u"alice"_s).size(), 3);
    }

    void acknowledgedNotificationsAreNotRedelivered()
    {
        ManualClock clock;
        NotificationInbox inbox(settings(10, 60'000, 100), clock);
        for (const QString &id : {u"a"_s, u"b"_s, u"c"_s})
            QVERIFY(inbox.store(u"alice"_s, id, 1, frameOf(id)));
        QVERIFY(inbox.store(u"bob"_s, u"x"_s, 1, frameOf(u"x"_s)));

        QCOMPARE(inbox.acknowledge(u"alice"_s, {u"b"_s}), 1);
        QCOMPARE(idsOf(inbox.pending(u"alice"_s)), (QStringList{u"a"_s, u"c"_s}));
        // Again, unknown, or another user's: ignored, nothing changes.
        QCOMPARE(inbox.acknowledge(u"alice"_s, {u"b"_s}), 0);
        QCOMPARE(inbox.acknowledge(u"alice"_s, {u"no-such-id"_s}), 0);
        QCOMPARE(inbox.acknowledge(u"alice"_s, {u"x"_s}), 0);
        QCOMPARE(idsOf(inbox.pending(u"bob"_s)), QStringList{u"x"_s});
        QCOMPARE(inbox.acknowledge(u""_s, {u"x"_s}), 0);
        QCOMPARE(inbox.acknowledge(u"alice"_s, {}), 0);
        QCOMPARE(inbox.entryCount(), 3);

        // Several at once, mixed with ids that are not hers.
        QCOMPARE(inbox.acknowledge(u"alice"_s, {u"c"_s, u"x"_s, u"gone"_s, u"a"_s}), 2);
        QVERIFY(inbox.pending(u"alice"_s).isEmpty());
        QCOMPARE(inbox.userCount(), 1);
        QCOMPARE(inbox.entryCount(), 1);

        // An acknowledged id is free: the user's later notifications are kept as usual.
        QVERIFY(inbox.store(u"alice"_s, u"d"_s, 2, frameOf(u"d"_s)));
        QCOMPARE(idsOf(inbox.pending(u"alice"_s)), QStringList{u"d"_s});
    }

    void oldestGiveWayBeyondThePerUserBound()
    {
        ManualClock clock;
        StatisticsCollector statistics(clock);
        NotificationInbox inbox(settings(3, 60'000, 100), clock, &statistics.common());
        QVERIFY(inbox.store(u"bob"_s, u"bob-1"_s, 1, frameOf(u"bob-1"_s)));
        for (int i = 1; i <= 5; ++i)
            QVERIFY(inbox.store(u"alice"_s, u"m-%1"_s.arg(i), i, frameOf(u"m-%1"_s.arg(i))));
        QCOMPARE(idsOf(inbox.pending(u"alice"_s)), (QStringList{u"m-3"_s, u"m-4"_s, u"m-5"_s}));
        QCOMPARE(droppedOf(statistics), 2);
        // Another user's notifications are not touched by her bound.
        QCOMPARE(idsOf(inbox.pending(u"bob"_s)), QStringList{u"bob-1"_s});
        QCOMPARE(inbox.entryCount(), 4);
        // A dropped one can no longer be acknowledged; a kept one can.
        QCOMPARE(inbox.acknowledge(u"alice"_s, {u"m-1"_s, u"m-4"_s}), 1);
        QCOMPARE(idsOf(inbox.pending(u"alice"_s)), (QStringList{u"m-3"_s, u"m-5"_s}));
    }

    void expiredNotificationsAreNeitherRedeliveredNorKept()
    {
        ManualClock clock;
        StatisticsCollector statistics(clock);
        NotificationInbox inbox(settings(10, 1'000, 100), clock, &statistics.common());
        QVERIFY(inbox.store(u"alice"_s, u"early"_s, 1, frameOf(u"early"_s)));
        clock.advanceMs(500);
        QVERIFY(inbox.store(u"alice"_s, u"late"_s, 2, frameOf(u"late"_s)));
        QVERIFY(inbox.store(u"bob"_s, u"bobs"_s, 2, frameOf(u"bobs"_s)));
        clock.advanceMs(499);
        QCOMPARE(idsOf(inbox.pending(u"alice"_s)), (QStringList{u"early"_s, u"late"_s}));

        clock.advanceMs(1); // "early" is exactly 1 s old
        QCOMPARE(idsOf(inbox.pending(u"alice"_s)), QStringList{u"late"_s});
        QCOMPARE(inbox.entryCount(), 3); // still held until pruned
        QCOMPARE(inbox.pruneExpired(), 1);
        QCOMPARE(inbox.entryCount(), 2);
        QCOMPARE(inbox.acknowledge(u"alice"_s, {u"early"_s}), 0);

        clock.advanceMs(500);
        QVERIFY(inbox.pending(u"alice"_s).isEmpty());
        QVERIFY(inbox.pending(u"bob"_s).isEmpty());
        // A store prunes too, so an idle node does not have to wait for the timer.
        QVERIFY(inbox.store(u"carol"_s, u"c"_s, 3, frameOf(u"c"_s)));
        QCOMPARE(inbox.entryCount(), 1);
        QCOMPARE(inbox.userCount(), 1);
        QCOMPARE(inbox.pruneExpired(), 0);
        // Expiry is the configured policy, not a loss to a bound.
        QCOMPARE(droppedOf(statistics), 0);
    }

    void oldestGiveWayBeyondTheByteBound()
    {
        ManualClock clock;
        StatisticsCollector statistics(clock);
        NotificationInbox inbox(NotificationInbox::Settings{10, 60'000, 100, 3 * (2 * 1000 + 128)}, clock,
                                &statistics.common());
        const QString big(1000, u'x');
        for (const QString &id : {u"a"_s, u"b"_s, u"c"_s})
            QVERIFY(inbox.store(u"u1"_s, id, 1, big));
        QCOMPARE(inbox.entryCount(), 3);
        QCOMPARE(inbox.byteCount(), 3 * (2 * 1000 + 128));
        QVERIFY(inbox.store(u"u2"_s, u"d"_s, 1, big));
        QCOMPARE(inbox.entryCount(), 3);
        QCOMPARE(idsOf(inbox.pending(u"u1"_s)), (QStringList{u"b"_s, u"c"_s}));
        QCOMPARE(droppedOf(statistics), 1);
        // One notification bigger than the whole bound is still kept (alone): it is the newest.
        QVERIFY(inbox.store(u"u3"_s, u"e"_s, 1, QString(10'000, u'y')));
        QCOMPARE(inbox.entryCount(), 1);
        inbox.acknowledge(u"u3"_s, {u"e"_s});
        QCOMPARE(inbox.byteCount(), 0);
    }

    void oldestOfAnyUserGiveWayBeyondTheNodeWideBound()
    {
        ManualClock clock;
        StatisticsCollector statistics(clock);
        NotificationInbox inbox(settings(10, 60'000, 3), clock, &statistics.common());
        QVERIFY(inbox.store(u"u1"_s, u"a"_s, 1, frameOf(u"a"_s)));
        QVERIFY(inbox.store(u"u2"_s, u"b"_s, 1, frameOf(u"b"_s)));
        QVERIFY(inbox.store(u"u3"_s, u"c"_s, 1, frameOf(u"c"_s)));
        QVERIFY(inbox.store(u"u1"_s, u"d"_s, 1, frameOf(u"d"_s)));
        QCOMPARE(inbox.entryCount(), 3);
        QCOMPARE(idsOf(inbox.pending(u"u1"_s)), QStringList{u"d"_s});
        QCOMPARE(droppedOf(statistics), 1);

        QVERIFY(inbox.store(u"u4"_s, u"e"_s, 1, frameOf(u"e"_s)));
        QVERIFY(inbox.pending(u"u2"_s).isEmpty());
        QCOMPARE(inbox.userCount(), 3);
        QCOMPARE(droppedOf(statistics), 2);

        // Many users, one notification each: the node holds no more than its bound.
        for (int i = 0; i < 1000; ++i)
            QVERIFY(inbox.store(u"user-%1"_s.arg(i), u"n-%1"_s.arg(i), 1, frameOf(u"n-%1"_s.arg(i))));
        QCOMPARE(inbox.entryCount(), 3);
        QCOMPARE(inbox.userCount(), 3);
        QCOMPARE(idsOf(inbox.pending(u"user-999"_s)), QStringList{u"n-999"_s});
        QCOMPARE(droppedOf(statistics), 1002);
    }

    void anonymousUsersAreNeverStored()
    {
        ManualClock clock;
        NotificationInbox inbox(settings(10, 60'000, 100), clock);
        QVERIFY(!inbox.store(QString(), u"m-1"_s, 1, frameOf(u"m-1"_s)));
        QVERIFY(!inbox.store(u""_s, u"m-2"_s, 1, frameOf(u"m-2"_s)));
        QCOMPARE(inbox.entryCount(), 0);
        QCOMPARE(inbox.userCount(), 0);
        QVERIFY(inbox.pending(QString()).isEmpty());
        QCOMPARE(inbox.acknowledge(QString(), {u"m-1"_s}), 0);
    }

    void offWhenTheSizeIsZero()
    {
        ManualClock clock;
        NotificationInbox inbox(settings(0, 60'000, 100), clock);
        QVERIFY(!inbox.isEnabled());
        QVERIFY(!inbox.store(u"alice"_s, u"m-1"_s, 1, frameOf(u"m-1"_s)));
        QVERIFY(inbox.pending(u"alice"_s).isEmpty());
        QCOMPARE(inbox.entryCount(), 0);
        // Nonsense settings are off, not a crash.
        NotificationInbox negative(settings(-5, -1, -1), clock);
        QVERIFY(!negative.isEnabled());
        QVERIFY(!negative.store(u"alice"_s, u"m-1"_s, 1, frameOf(u"m-1"_s)));
    }

    void theSameMessageIdIsKeptOnce()
    {
        ManualClock clock;
        NotificationInbox inbox(settings(10, 60'000, 100), clock);
        QVERIFY(inbox.store(u"alice"_s, u"m-1"_s, 1, frameOf(u"m-1"_s)));
        QVERIFY(inbox.store(u"alice"_s, u"m-1"_s, 2, u"other"_s));
        QVERIFY(!inbox.store(u"alice"_s, QString(), 2, u"no id"_s));
        const QList<NotificationInbox::Notification> pending = inbox.pending(u"alice"_s);
        QCOMPARE(pending.size(), 1);
        QCOMPARE(pending.at(0).frame, frameOf(u"m-1"_s));
        QCOMPARE(inbox.entryCount(), 1);
    }

    void sharedByThreads()
    {
        // Stores, acknowledgements and reads from several threads at once, as shards and the orchestrator
        // do; every thread acknowledges all it stored, so the inbox ends empty.
        ManualClock clock;
        StatisticsCollector statistics(clock);
        NotificationInbox inbox(settings(50, 60'000, 100'000), clock, &statistics.common());
        constexpr int Threads = 4;
        constexpr int PerThread = 2'000;
        std::atomic<int> failures{0};
        std::vector<std::unique_ptr<QThread>> threads;
        for (int t = 0; t < Threads; ++t) {
            threads.emplace_back(QThread::create([&inbox, &failures, t] {
                const QString user = u"user-%1"_s.arg(t);
                QStringList stored;
                for (int i = 0; i < PerThread; ++i) {
                    const QString id = u"t%1-%2"_s.arg(t).arg(i);
                    if (!inbox.store(user, id, i, id))
                        ++failures;
                    stored.append(id);
                    if (i % 10 == 9) {
                        if (inbox.pending(user).size() > 50)
                            ++failures;
                        inbox.acknowledge(user, stored);
                        stored.clear();
                    }
                }
                inbox.acknowledge(user, stored);
            }));
            threads.back()->start();
        }
        for (const auto &thread : threads)
            QVERIFY(thread->wait(30'000));
        QCOMPARE(failures.load(), 0);
        QCOMPARE(inbox.entryCount(), 0);
        QCOMPARE(inbox.userCount(), 0);
        QCOMPARE(droppedOf(statistics), 0);
    }
};

QTEST_GUILESS_MAIN(TestNotificationInbox)
#include "tst_notificationinbox.moc"
