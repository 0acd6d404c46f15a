// ConnectionManager: admission limits (total, per address, per user) and the user registry.

#include "core/connectionmanager.h"
#include "monitoring/statisticscollector.h"
#include "util/clock.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

class TestConnectionManager : public QObject
{
    Q_OBJECT

private slots:
    void admitsWithinLimitsAndCountsUsers()
    {
        ManualClock clock;
        StatisticsCollector statistics(clock);
        ConnectionManager manager({10, 0, 0}, statistics.common());
        QCOMPARE(manager.admit(u"1.1.1.1"_s, u"alice"_s).verdict, ConnectionManager::Verdict::Admit);
        QCOMPARE(manager.admit(u"1.1.1.1"_s, u"alice"_s).verdict, ConnectionManager::Verdict::Admit);
        QCOMPARE(manager.admit(u"2.2.2.2"_s, QString()).verdict, ConnectionManager::Verdict::Admit);
        QCOMPARE(manager.totalConnections(), 3);
        QCOMPARE(manager.connectionCount(u"alice"_s), 2);
        QCOMPARE(manager.uniqueUsers(), 1); // anonymous clients are no user
        QCOMPARE(manager.connectedUsers(), QStringList{u"alice"_s});
        manager.release(u"1.1.1.1"_s, u"alice"_s);
        QVERIFY(manager.isUserConnected(u"alice"_s));
        manager.release(u"1.1.1.1"_s, u"alice"_s);
        QVERIFY(!manager.isUserConnected(u"alice"_s));
        QCOMPARE(manager.totalConnections(), 1);
    }

    void refusesWhenFull()
    {
        ManualClock clock;
        StatisticsCollector statistics(clock);
        ConnectionManager manager({2, 0, 0}, statistics.common());
        manager.admit(u"a"_s, u"u1"_s);
        manager.admit(u"b"_s, u"u2"_s);
        const ConnectionManager::Decision decision = manager.admit(u"c"_s, u"u3"_s);
        QCOMPARE(decision.verdict, ConnectionManager::Verdict::RefuseFull);
        QVERIFY(decision.reason.contains(u"2"_s));
        QCOMPARE(statistics.totals().refusedConnections, 1);
        QCOMPARE(manager.totalConnections(), 2);
        manager.release(u"a"_s, u"u1"_s);
        QCOMPARE(manager.admit(u"c"_s, u"u3"_s).verdict, ConnectionManager::Verdict::Admit);
    }

    void perAddressAndPerUserLimits()
    {
        ManualClock clock;
        StatisticsCollector statistics(clock);
        ConnectionManager manager({100, 2, 1}, statistics.common());
        QCOMPARE(manager.admit(u"a"_s, u"u1"_s).verdict, ConnectionManager::Verdict::Admit);
        QCOMPARE(manager.admit(u"a"_s, u"u1"_s).verdict, ConnectionManager::Verdict::RefuseOverLimit);
        QCOMPARE(manager.admit(u"a"_s, u"u2"_s).verdict, ConnectionManager::Verdict::Admit);
        QCOMPARE(manager.admit(u"a"_s, u"u3"_s).verdict, ConnectionManager::Verdict::RefuseOverLimit);
        QCOMPARE(manager.admit(u"b"_s, u"u3"_s).verdict, ConnectionManager::Verdict::Admit);
        // Anonymous clients are limited by address only.
        QCOMPARE(manager.admit(u"c"_s, QString()).verdict, ConnectionManager::Verdict::Admit);
        QCOMPARE(manager.admit(u"c"_s, QString()).verdict, ConnectionManager::Verdict::Admit);
        QCOMPARE(manager.totalConnections(), 5);
        QCOMPARE(statistics.totals().refusedConnections, 2);
    }

    void releaseOfUnknownIsHarmless()
    {
        ManualClock clock;
        StatisticsCollector statistics(clock);
        ConnectionManager manager({10, 0, 0}, statistics.common());
        manager.release(u"x"_s, u"nobody"_s);
        QCOMPARE(manager.totalConnections(), 0);
        QCOMPARE(manager.uniqueUsers(), 0);
    }
};

QTEST_GUILESS_MAIN(TestConnectionManager)
#include "tst_connectionmanager.moc"
