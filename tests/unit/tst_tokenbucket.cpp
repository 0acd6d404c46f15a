#include "util/tokenbucket.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace wsinfra;

class TestTokenBucket : public QObject
{
    Q_OBJECT

private slots:
    void startsFull();
    void refillsContinuously();
    void capsAtBurst();
    void firstCallDoesNotOverfill();
    void fractionalTokens();
    void refusedTakeConsumesNothing();
    void moreThanBurstNeverSucceeds();
    void invalidRequests_data();
    void invalidRequests();
    void nonPositiveRateNeverRefills_data();
    void nonPositiveRateNeverRefills();
    void zeroBurst();
    void timeGoingBackwardsAddsNothing();
    void extremeTimes();
    void reset();
    void slowRateRoundsWell();
    void sustainedRateMatches();
};

void TestTokenBucket::startsFull()
{
    TokenBucket bucket(1.0, 5.0);
    QCOMPARE(bucket.rate(), 1.0);
    QCOMPARE(bucket.burst(), 5.0);
    QCOMPARE(bucket.available(1000), 5.0);
    for (int i = 0; i < 5; ++i)
        QVERIFY(bucket.tryTake(1000));
    QVERIFY(!bucket.tryTake(1000));
    QCOMPARE(bucket.available(1000), 0.0);
}

void TestTokenBucket::refillsContinuously()
{
    TokenBucket bucket(10.0, 5.0); // one token per 100 ms
    QVERIFY(bucket.tryTake(1000, 5.0));
    QVERIFY(!bucket.tryTake(1000));
    QCOMPARE(bucket.available(1050), 0.5);
    QVERIFY(!bucket.tryTake(1050));
    QCOMPARE(bucket.available(1100), 1.0);
    QVERIFY(bucket.tryTake(1100));
    QVERIFY(!bucket.tryTake(1100));
    QCOMPARE(bucket.available(1350), 2.5);
    QVERIFY(bucket.tryTake(1350, 2.5));
    QCOMPARE(bucket.available(1350), 0.0);
}

void TestTokenBucket::capsAtBurst()
{
    TokenBucket bucket(10.0, 5.0);
    QVERIFY(bucket.tryTake(0, 5.0));
    QCOMPARE(bucket.available(1'000'000), 5.0);
    QVERIFY(bucket.tryTake(1'000'000, 5.0));
    QVERIFY(!bucket.tryTake(1'000'000, 0.001));
}

void TestTokenBucket::firstCallDoesNotOverfill()
{
    // The bucket has no reference time before its first use; a late first call must not count from the epoch.
    TokenBucket bucket(1000.0, 3.0);
    QCOMPARE(bucket.available(1'700'000'000'000), 3.0);
    QVERIFY(bucket.tryTake(1'700'000'000'000, 3.0));
    QVERIFY(!bucket.tryTake(1'700'000'000'000));
}

void TestTokenBucket::fractionalTokens()
{
    TokenBucket bucket(0.0, 1.0);
    for (int i = 0; i < 4; ++i)
        QVERIFY(bucket.tryTake(0, 0.25));
    QVERIFY(!bucket.tryTake(0, 0.25));
}

void TestTokenBucket::refusedTakeConsumesNothing()
{
    TokenBucket bucket(1.0, 5.0);
    QVERIFY(bucket.tryTake(0, 3.0));
    QVERIFY(!bucket.tryTake(0, 2.5));
    QCOMPARE(bucket.available(0), 2.0);
    QVERIFY(bucket.tryTake(0, 2.0));
}

void TestTokenBucket::moreThanBurstNeverSucceeds()
{
    TokenBucket bucket(100.0, 2.0);
    QVERIFY(!bucket.tryTake(0, 3.0));
    QVERIFY(!bucket.tryTake(1'000'000, 3.0));
    QCOMPARE(bucket.available(1'000'000), 2.0);
}

void TestTokenBucket::invalidRequests_data()
{
    QTest::addColumn<double>("tokens");
    QTest::addColumn<bool>("granted");

    QTest::newRow("zero") << 0.0 << true;
    QTest::newRow("negative") << -1.0 << false;
    QTest::newRow("negative infinity") << -std::numeric_limits<double>::infinity() << false;
    QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN() << false;
    QTest::newRow("infinity") << std::numeric_limits<double>::infinity() << false;
    QTest::newRow("max double") << std::numeric_limits<double>::max() << false;
}

void TestTokenBucket::invalidRequests()
{
    QFETCH(double, tokens);
    QFETCH(bool, granted);

    TokenBucket bucket(1.0, 2.0);
    QVERIFY(bucket.tryTake(0));
    QCOMPARE(bucket.tryTake(0, tokens), granted);
    // Whatever was asked, the bucket neither gained nor lost tokens.
    QCOMPARE(bucket.available(0), 1.0);
    QVERIFY(bucket.tryTake(0));
    QVERIFY(!bucket.tryTake(0));
}

void TestTokenBucket::nonPositiveRateNeverRefills_data()
{
    QTest::addColumn<double>("rate");

    QTest::newRow("zero") << 0.0;
    QTest::newRow("negative") << -5.0;
    QTest::newRow("negative infinity") << -std::numeric_limits<double>::infinity();
    QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN();
}

void TestTokenBucket::nonPositiveRateNeverRefills()
{
    QFETCH(double, rate);

    TokenBucket bucket(rate, 2.0);
    QCOMPARE(bucket.rate(), 0.0);
    QVERIFY(bucket.tryTake(0));
    QVERIFY(bucket.tryTake(1000));
    QVERIFY(!bucket.tryTake(2000));
    QCOMPARE(bucket.available(std::numeric_limits<qint64>::max()), 0.0);
    QVERIFY(!bucket.tryTake(std::numeric_limits<qint64>::max()));
}

void TestTokenBucket::zeroBurst()
{
    for (const double burst : {0.0, -3.0, std::numeric_limits<double>::quiet_NaN()}) {
        TokenBucket bucket(100.0, burst);
        QCOMPARE(bucket.burst(), 0.0);
        QCOMPARE(bucket.available(0), 0.0);
        QVERIFY(!bucket.tryTake(0));
        QVERIFY(!bucket.tryTake(60'000));
        QVERIFY(bucket.tryTake(60'000, 0.0));
    }
}

void TestTokenBucket::timeGoingBackwardsAddsNothing()
{
    TokenBucket bucket(1.0, 5.0);
    QVERIFY(bucket.tryTake(10'000, 3.0));
    QCOMPARE(bucket.available(9'000), 2.0);
    QCOMPARE(bucket.available(0), 2.0);
    QCOMPARE(bucket.available(std::numeric_limits<qint64>::min()), 2.0);

    // A take in the past neither refills nor refuses what is there.
    QVERIFY(bucket.tryTake(4'000, 2.0));
    QCOMPARE(bucket.available(4'000), 0.0);
    QVERIFY(!bucket.tryTake(3'000));
    QCOMPARE(bucket.available(3'000), 0.0);

    // The earlier time is the new reference: refills resume from there instead of stalling until 10'000.
    QCOMPARE(bucket.available(4'000), 1.0);
    QVERIFY(bucket.tryTake(4'000));
    QVERIFY(!bucket.tryTake(4'000));
}

void TestTokenBucket::extremeTimes()
{
    // Differences of extreme timestamps overflow qint64; the bucket must stay finite and capped (UBSan watches).
    TokenBucket bucket(1.0, 2.0);
    QVERIFY(bucket.tryTake(std::numeric_limits<qint64>::min(), 2.0));
    QCOMPARE(bucket.available(std::numeric_limits<qint64>::max()), 2.0);
    QVERIFY(bucket.tryTake(std::numeric_limits<qint64>::max(), 2.0));
    QVERIFY(!bucket.tryTake(std::numeric_limits<qint64>::max()));
    QVERIFY(!bucket.tryTake(std::numeric_limits<qint64>::min()));
    QCOMPARE(bucket.available(std::numeric_limits<qint64>::max()), 2.0);

    TokenBucket infinite(std::numeric_limits<double>::infinity(), 3.0);
    QVERIFY(infinite.tryTake(0, 3.0));
    QCOMPARE(infinite.available(0), 0.0);
    QCOMPARE(infinite.available(1), 3.0);
}

void TestTokenBucket::reset()
{
    TokenBucket bucket(1.0, 4.0);
    QVERIFY(bucket.tryTake(5'000, 4.0));
    bucket.reset(5'000);
    QCOMPARE(bucket.available(5'000), 4.0);
    QVERIFY(bucket.tryTake(5'000, 4.0));

    // reset() also moves the reference point, so refills count from there.
    bucket.reset(1'000);
    QVERIFY(bucket.tryTake(1'000, 4.0));
    QCOMPARE(bucket.available(3'000), 2.0);
}

void TestTokenBucket::slowRateRoundsWell()
{
    // 0.1 * 10'000 / 1000 is not exactly 1.0 in every evaluation order; a whole token must still be there.
    TokenBucket bucket(0.1, 1.0);
    QVERIFY(bucket.tryTake(0));
    QVERIFY(!bucket.tryTake(9'999));
    QVERIFY(bucket.tryTake(10'000));
    for (int i = 0; i < 30; ++i) {
        const qint64 start = 10'000 + qint64(i) * 10'000;
        QVERIFY(!bucket.tryTake(start + 3'333));
        QVERIFY(bucket.tryTake(start + 10'000));
    }
}

void TestTokenBucket::sustainedRateMatches()
{
    // Polled every millisecond for 10 s, a 100/s bucket with burst 1 grants its initial token plus 1000 refills.
    TokenBucket bucket(100.0, 1.0);
    int granted = 0;
    for (qint64 now = 0; now <= 10'000; ++now) {
        if (bucket.tryTake(now))
            ++granted;
    }
    QVERIFY2(std::abs(granted - 1001) <= 1, qPrintable(QString::number(granted)));
}

QTEST_GUILESS_MAIN(TestTokenBucket)
#include "tst_tokenbucket.moc"
