#include "core/deduplicator.h"
#include "util/clock.h"

#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

Deduplicator::Remembered answer(const QString &messageId, qint64 offset = 0, qint64 timestampMs = 0)
{
    return {messageId, offset, timestampMs};
}

} // namespace

class TestDeduplicator : public QObject
{
    Q_OBJECT

private slots:
    void unknownKeyIsNotFound()
    {
        ManualClock clock;
        Deduplicator deduplicator(10, 1000, clock);
        QVERIFY(!deduplicator.find(u"bill:1:k"_s));
        QCOMPARE(deduplicator.size(), 0);
    }

    void rememberedAnswerComesBackWhole()
    {
        ManualClock clock;
        Deduplicator deduplicator(10, 1000, clock);
        deduplicator.remember(u"bill:1:k"_s, answer(u"node-1"_s, 7, 1234));
        const auto found = deduplicator.find(u"bill:1:k"_s);
        QVERIFY(found);
        QCOMPARE(found->messageId, u"node-1"_s);
        QCOMPARE(found->offset, 7);
        QCOMPARE(found->timestampMs, 1234);
        // Finding does not consume: a third try gets the same answer.
        QVERIFY(deduplicator.find(u"bill:1:k"_s));
    }

    // The window counts from remember(), on the injected clock; its end is excluded.
    void window_data()
    {
        QTest::addColumn<qint64>("windowMs");
        QTest::addColumn<qint64>("elapsedMs");
        QTest::addColumn<bool>("found");
        QTest::newRow("at once") << qint64(1000) << qint64(0) << true;
        QTest::newRow("within") << qint64(1000) << qint64(500) << true;
        QTest::newRow("last millisecond") << qint64(1000) << qint64(999) << true;
        QTest::newRow("at the end") << qint64(1000) << qint64(1000) << false;
        QTest::newRow("after") << qint64(1000) << qint64(60'000) << false;
        QTest::newRow("clock set back") << qint64(1000) << qint64(-5000) << true;
        QTest::newRow("window 0 is off") << qint64(0) << qint64(0) << false;
        QTest::newRow("negative window is off") << qint64(-1) << qint64(0) << false;
        QTest::newRow("5 minutes, 4:59") << qint64(300'000) << qint64(299'000) << true;
        QTest::newRow("5 minutes, 5:01") << qint64(300'000) << qint64(301'000) << false;
    }

    void window()
    {
        QFETCH(qint64, windowMs);
        QFETCH(qint64, elapsedMs);
        QFETCH(bool, found);
        ManualClock clock;
        Deduplicator deduplicator(10, windowMs, clock);
        deduplicator.remember(u"broadcast:k"_s, answer(u"m1"_s));
        clock.advanceMs(elapsedMs);
        QCOMPARE(deduplicator.find(u"broadcast:k"_s).has_value(), found);
    }

    void expiredEntryIsForgotten()
    {
        ManualClock clock;
        Deduplicator deduplicator(10, 1000, clock);
        deduplicator.remember(u"broadcast:k"_s, answer(u"m1"_s));
        clock.advanceMs(1000);
        QVERIFY(!deduplicator.find(u"broadcast:k"_s));
        QCOMPARE(deduplicator.size(), 0);
        // Setting the clock back does not bring it back.
        clock.advanceMs(-1000);
        QVERIFY(!deduplicator.find(u"broadcast:k"_s));
    }

    void rememberingAgainRestartsTheWindow()
    {
        ManualClock clock;
        Deduplicator deduplicator(10, 1000, clock);
        deduplicator.remember(u"broadcast:k"_s, answer(u"m1"_s));
        clock.advanceMs(1000);
        QVERIFY(!deduplicator.find(u"broadcast:k"_s));
        deduplicator.remember(u"broadcast:k"_s, answer(u"m2"_s));
        clock.advanceMs(600);
        QCOMPARE(deduplicator.find(u"broadcast:k"_s)->messageId, u"m2"_s);
        clock.advanceMs(400);
        QVERIFY(!deduplicator.find(u"broadcast:k"_s));
    }

    void findDoesNotExtendTheWindow()
    {
        ManualClock clock;
        Deduplicator deduplicator(10, 1000, clock);
        deduplicator.remember(u"broadcast:k"_s, answer(u"m1"_s));
        clock.advanceMs(900);
        QVERIFY(deduplicator.find(u"broadcast:k"_s));
        clock.advanceMs(100);
        QVERIFY(!deduplicator.find(u"broadcast:k"_s));
    }

    void capacityEvictsTheLeastRecentlyUsed()
    {
        ManualClock clock;
        Deduplicator deduplicator(3, 60'000, clock);
        QCOMPARE(deduplicator.capacity(), 3);
        deduplicator.remember(u"a"_s, answer(u"ma"_s));
        deduplicator.remember(u"b"_s, answer(u"mb"_s));
        deduplicator.remember(u"c"_s, answer(u"mc"_s));
        QVERIFY(deduplicator.find(u"a"_s)); // a is now more recent than b
        deduplicator.remember(u"d"_s, answer(u"md"_s));
        QCOMPARE(deduplicator.size(), 3);
        QVERIFY(!deduplicator.find(u"b"_s));
        QCOMPARE(deduplicator.find(u"a"_s)->messageId, u"ma"_s);
        QCOMPARE(deduplicator.find(u"c"_s)->messageId, u"mc"_s);
        QCOMPARE(deduplicator.find(u"d"_s)->messageId, u"md"_s);
    }

    void manyKeysStayBounded()
    {
        ManualClock clock;
        Deduplicator deduplicator(100, 60'000, clock);
        for (int i = 0; i < 10'000; ++i)
            deduplicator.remember(Deduplicator::broadcastScope(QString::number(i)), answer(QString::number(i)));
        QCOMPARE(deduplicator.size(), 100);
        QVERIFY(!deduplicator.find(Deduplicator::broadcastScope(u"9899"_s)));
        QCOMPARE(deduplicator.find(Deduplicator::broadcastScope(u"9900"_s))->messageId, u"9900"_s);
    }

    void capacityZeroIsOff()
    {
        ManualClock clock;
        Deduplicator deduplicator(0, 60'000, clock);
        deduplicator.remember(u"a"_s, answer(u"ma"_s));
        QVERIFY(!deduplicator.find(u"a"_s));
        QCOMPARE(deduplicator.size(), 0);
    }

    void scopesAreDistinct_data()
    {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("second");
        const QString key = u"order-17"_s;
        QTest::newRow("two bills") << Deduplicator::billScope(7, key) << Deduplicator::billScope(8, key);
        QTest::newRow("bill 1 and bill 11")
            << Deduplicator::billScope(1, u"1:k"_s) << Deduplicator::billScope(11, u"k"_s);
        QTest::newRow("two users") << Deduplicator::userScope(u"alice"_s, key)
                                   << Deduplicator::userScope(u"bob"_s, key);
        QTest::newRow("colon in user id or key")
            << Deduplicator::userScope(u"a:b"_s, u"c"_s) << Deduplicator::userScope(u"a"_s, u"b:c"_s);
        QTest::newRow("user id that looks like a length")
            << Deduplicator::userScope(u"1:x"_s, u"k"_s) << Deduplicator::userScope(u"1"_s, u"x:k"_s);
        QTest::newRow("bill and user") << Deduplicator::billScope(7, key) << Deduplicator::userScope(u"7"_s, key);
        QTest::newRow("bill and broadcast")
            << Deduplicator::billScope(7, key) << Deduplicator::broadcastScope(u"7:"_s + key);
        QTest::newRow("user and broadcast")
            << Deduplicator::userScope(u"alice"_s, key) << Deduplicator::broadcastScope(key);
        QTest::newRow("two keys") << Deduplicator::broadcastScope(u"a"_s) << Deduplicator::broadcastScope(u"b"_s);
    }

    void scopesAreDistinct()
    {
        QFETCH(QString, first);
        QFETCH(QString, second);
        QVERIFY2(first != second, qPrintable(first));
        ManualClock clock;
        Deduplicator deduplicator(10, 1000, clock);
        deduplicator.remember(first, answer(u"m1"_s));
        QVERIFY(!deduplicator.find(second));
        QVERIFY(deduplicator.find(first));
    }

    void scopesAreStable()
    {
        QCOMPARE(Deduplicator::billScope(7, u"k"_s), u"bill:7:k"_s);
        QCOMPARE(Deduplicator::userScope(u"alice"_s, u"k"_s), u"user:5:alice:k"_s);
        QCOMPARE(Deduplicator::broadcastScope(u"k"_s), u"broadcast:k"_s);
    }
};

QTEST_GUILESS_MAIN(TestDeduplicator)
#include "tst_deduplicator.moc"
