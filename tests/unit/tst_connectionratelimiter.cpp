// ConnectionRateLimiter: the burst, the refill, Retry-After, one bucket per address (per /64 for
// IPv6), and a table that stays bounded however many addresses come.
#include "transport/connectionratelimiter.h"
#include "util/clock.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

class TestConnectionRateLimiter : public QObject
{
    Q_OBJECT

private slots:
    void burstThenRefusedUntilRefilled();
    void refusalSays429WithRetryAfter();
    void addressesAreIndependent();
    void zeroRateIsNoLimit();
    void ipv6IsLimitedPerPrefix_data();
    void ipv6IsLimitedPerPrefix();
    void idleAddressesAreForgotten();
    void theTableStaysBounded();
};

void TestConnectionRateLimiter::burstThenRefusedUntilRefilled()
{
    ManualClock clock;
    ConnectionRateLimiter limiter({2, 5}, clock);
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.admit(u"10.0.0.1"_s).admitted);
    const ConnectionRateLimiter::Verdict refused = limiter.admit(u"10.0.0.1"_s);
    QVERIFY(!refused.admitted);
    QCOMPARE(refused.retryAfterMs, 500); // one token at 2 per second
    clock.advanceMs(499);
    QVERIFY(!limiter.admit(u"10.0.0.1"_s).admitted);
    clock.advanceMs(1);
    QVERIFY(limiter.admit(u"10.0.0.1"_s).admitted);
    QVERIFY(!limiter.admit(u"10.0.0.1"_s).admitted);
}

void TestConnectionRateLimiter::refusalSays429WithRetryAfter()
{
    const HttpResponse response = ConnectionRateLimiter::refusal({false, 1'200});
    QCOMPARE(response.status, 429);
    QCOMPARE(response.headers, (QList<QPair<QByteArray, QByteArray>>{{"Retry-After", "2"}}));
    QVERIFY(response.body.contains(R"("code":"rate_limited")"));
    QCOMPARE(ConnectionRateLimiter::refusal({false, 1}).headers.value(0).second, "1");
}

void TestConnectionRateLimiter::addressesAreIndependent()
{
    ManualClock clock;
    ConnectionRateLimiter limiter({1, 1}, clock);
    QVERIFY(limiter.admit(u"10.0.0.1"_s).admitted);
    QVERIFY(!limiter.admit(u"10.0.0.1"_s).admitted);
    QVERIFY(limiter.admit(u"10.0.0.2"_s).admitted);
    QVERIFY(limiter.admit(u"::ffff:10.0.0.3"_s).admitted);
    QVERIFY(!limiter.admit(u"10.0.0.3"_s).admitted); // the same client, spelled as IPv4
}

void TestConnectionRateLimiter::zeroRateIsNoLimit()
{
    ManualClock clock;
    ConnectionRateLimiter limiter({0, 1}, clock);
    QVERIFY(!limiter.isEnabled());
    for (int i = 0; i < 1000; ++i)
        QVERIFY(limiter.admit(u"10.0.0.1"_s).admitted);
    QCOMPARE(limiter.trackedAddresses(), 0);
}

void TestConnectionRateLimiter::ipv6IsLimitedPerPrefix_data()
{
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::addColumn<bool>("sameBucket");
    QTest::newRow("same /64") << u"2001:db8:1:2::1"_s << u"2001:db8:1:2:ffff::9"_s << true;
    QTest::newRow("other /64") << u"2001:db8:1:2::1"_s << u"2001:db8:1:3::1"_s << false;
    QTest::newRow("IPv4") << u"192.0.2.1"_s << u"192.0.2.2"_s << false;
}

void TestConnectionRateLimiter::ipv6IsLimitedPerPrefix()
{
    QFETCH(QString, first);
    QFETCH(QString, second);
    QFETCH(bool, sameBucket);
    QCOMPARE(ConnectionRateLimiter::keyOf(first) == ConnectionRateLimiter::keyOf(second), sameBucket);
    ManualClock clock;
    ConnectionRateLimiter limiter({1, 1}, clock);
    QVERIFY(limiter.admit(first).admitted);
    QCOMPARE(limiter.admit(second).admitted, !sameBucket);
}

void TestConnectionRateLimiter::idleAddressesAreForgotten()
{
    ManualClock clock;
    ConnectionRateLimiter limiter({10, 10}, clock);
    for (int i = 0; i < 100; ++i)
        QVERIFY(limiter.admit(u"10.0.1.%1"_s.arg(i)).admitted);
    QCOMPARE(limiter.trackedAddresses(), 100);
    clock.advanceMs(60'000); // every bucket has refilled
    QVERIFY(limiter.admit(u"10.0.2.1"_s).admitted);
    QCOMPARE(limiter.trackedAddresses(), 1);
}

void TestConnectionRateLimiter::theTableStaysBounded()
{
    ManualClock clock;
    ConnectionRateLimiter limiter({1, 2, 50}, clock);
    // A busy address, then a flood of others: the busy one stays limited.
    QVERIFY(limiter.admit(u"10.0.0.1"_s).admitted);
    QVERIFY(limiter.admit(u"10.0.0.1"_s).admitted);
    for (int i = 0; i < 1000; ++i) {
        clock.advanceMs(1);
        QVERIFY(limiter.admit(u"10.9.%1.%2"_s.arg(i / 256).arg(i % 256)).admitted);
        QVERIFY(limiter.trackedAddresses() <= 50);
        if (i % 10 == 0)
            QVERIFY(!limiter.admit(u"10.0.0.1"_s).admitted); // seen again: among the newest
    }
}

QTEST_GUILESS_MAIN(TestConnectionRateLimiter)
#include "tst_connectionratelimiter.moc"
