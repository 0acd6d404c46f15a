// RecoveryStore: Socket.IO sessions kept for recovery are returned once, expire, and stay bounded.

#include "core/recoverystore.h"
#include "util/clock.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

class TestRecoveryStore : public QObject
{
    Q_OBJECT

private slots:
    void keptSessionIsTakenOnce()
    {
        ManualClock clock;
        RecoveryStore store(1'000, 10, clock);
        store.keep(u"pid-1"_s, {u"alice"_s, u"node-0-1"_s, {7, 9}});
        QCOMPARE(store.size(), 1);
        const std::optional<RecoveryStore::Session> session = store.take(u"pid-1"_s);
        QVERIFY(session.has_value());
        QCOMPARE(session->userId, u"alice"_s);
        QCOMPARE(session->connectionId, u"node-0-1"_s);
        QCOMPARE(session->bills, (QList<qint64>{7, 9}));
        QVERIFY(!store.take(u"pid-1"_s).has_value());
        QVERIFY(!store.take(u"unknown"_s).has_value());
        QCOMPARE(store.size(), 0);
    }

    void sessionExpiresAfterKeepTime()
    {
        ManualClock clock;
        RecoveryStore store(1'000, 10, clock);
        store.keep(u"a"_s, {u"alice"_s, u"c1"_s, {}});
        clock.advanceMs(999);
        store.keep(u"b"_s, {u"bob"_s, u"c2"_s, {}});
        QVERIFY(store.take(u"a"_s).has_value());
        store.keep(u"c"_s, {u"carol"_s, u"c3"_s, {}});
        clock.advanceMs(1'000);
        QVERIFY(!store.take(u"b"_s).has_value()); // expired exactly now
        // Expired sessions are dropped by the next keep, not kept forever.
        store.keep(u"d"_s, {u"dave"_s, u"c4"_s, {}});
        QCOMPARE(store.size(), 1);
    }

    void oldestSessionsGiveWayBeyondTheBound()
    {
        ManualClock clock;
        RecoveryStore store(60'000, 3, clock);
        for (int i = 0; i < 5; ++i) {
            store.keep(u"pid-%1"_s.arg(i), {u"u%1"_s.arg(i), u"c%1"_s.arg(i), {i}});
            clock.advanceMs(1);
        }
        QCOMPARE(store.size(), 3);
        QVERIFY(!store.take(u"pid-0"_s).has_value());
        QVERIFY(!store.take(u"pid-1"_s).has_value());
        QVERIFY(store.take(u"pid-4"_s).has_value());
    }

    void keptAgainUnderTheSamePidReplacesTheSession()
    {
        ManualClock clock;
        RecoveryStore store(1'000, 10, clock);
        store.keep(u"p"_s, {u"alice"_s, u"c1"_s, {1}});
        clock.advanceMs(800);
        store.keep(u"p"_s, {u"alice"_s, u"c1"_s, {2}});
        clock.advanceMs(800); // the first expiry passed; the second keep still holds
        store.keep(u"other"_s, {u"bob"_s, u"c2"_s, {}});
        const std::optional<RecoveryStore::Session> session = store.take(u"p"_s);
        QVERIFY(session.has_value());
        QCOMPARE(session->bills, QList<qint64>{2});
    }

    void disabledStoreKeepsNothing()
    {
        ManualClock clock;
        RecoveryStore store(0, 10, clock);
        store.keep(u"p"_s, {u"alice"_s, u"c1"_s, {1}});
        QCOMPARE(store.size(), 0);
        QVERIFY(!store.take(u"p"_s).has_value());
    }
};

QTEST_GUILESS_MAIN(TestRecoveryStore)
#include "tst_recoverystore.moc"
