// The event log: consecutive ids, a bounded ring (the oldest give way), reading what followed an id
// in pages, and appends from several threads at once.

#include "core/eventlog.h"
#include "util/clock.h"

#include <QSet>
#include <QTest>
#include <QThread>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace wsinfra;

class TestEventLog : public QObject
{
    Q_OBJECT

private slots:
    void idsIncreaseAndEventsKeepTheirFields()
    {
        ManualClock clock(5'000);
        EventLog log(clock);
        QCOMPARE(log.lastId(), 0);
        QVERIFY(log.since(0, 10).isEmpty());
        QCOMPARE(log.append(EventLog::Level::Info, u"service"_s, u"started"_s), 1);
        clock.advanceMs(250);
        QCOMPARE(log.append(EventLog::Level::Error, u"memory"_s, u"emergency"_s), 2);
        QCOMPARE(log.lastId(), 2);

        const QList<EventLog::Event> events = log.since(0, 10);
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.at(0).id, 1);
        QCOMPARE(events.at(0).timestampMs, 5'000);
        QCOMPARE(events.at(0).level, EventLog::Level::Info);
        QCOMPARE(events.at(0).category, u"service"_s);
        QCOMPARE(events.at(0).message, u"started"_s);
        QCOMPARE(events.at(1).id, 2);
        QCOMPARE(events.at(1).timestampMs, 5'250);

        const QJsonObject json = events.at(1).toJson();
        QCOMPARE(json.value("id"_L1).toInteger(), 2);
        QCOMPARE(json.value("timestamp"_L1).toInteger(), 5'250);
        QCOMPARE(json.value("level"_L1).toString(), u"error"_s);
        QCOMPARE(json.value("category"_L1).toString(), u"memory"_s);
        QCOMPARE(json.value("message"_L1).toString(), u"emergency"_s);
        QCOMPARE(EventLog::levelName(EventLog::Level::Warning), u"warning"_s);
        QCOMPARE(EventLog::levelName(EventLog::Level::Info), u"info"_s);
    }

    void sinceAndLimit_data()
    {
        QTest::addColumn<qint64>("afterId");
        QTest::addColumn<int>("limit");
        QTest::addColumn<qint64>("firstId"); // 0: none
        QTest::addColumn<int>("count");
        // Ten events, ids 1..10.
        QTest::newRow("all") << qint64(0) << 100 << qint64(1) << 10;
        QTest::newRow("first page") << qint64(0) << 3 << qint64(1) << 3;
        QTest::newRow("next page") << qint64(3) << 3 << qint64(4) << 3;
        QTest::newRow("last partial page") << qint64(8) << 3 << qint64(9) << 2;
        QTest::newRow("at the end") << qint64(10) << 3 << qint64(0) << 0;
        QTest::newRow("beyond the end") << qint64(1'000'000) << 3 << qint64(0) << 0;
        QTest::newRow("huge id") << std::numeric_limits<qint64>::max() << 3 << qint64(0) << 0;
        QTest::newRow("negative id") << qint64(-5) << 100 << qint64(1) << 10;
        QTest::newRow("most negative id") << std::numeric_limits<qint64>::min() << 2 << qint64(1) << 2;
        QTest::newRow("zero limit") << qint64(0) << 0 << qint64(0) << 0;
        QTest::newRow("negative limit") << qint64(0) << -1 << qint64(0) << 0;
        QTest::newRow("huge limit") << qint64(5) << std::numeric_limits<int>::max() << qint64(6) << 5;
    }

    void sinceAndLimit()
    {
        QFETCH(qint64, afterId);
        QFETCH(int, limit);
        QFETCH(qint64, firstId);
        QFETCH(int, count);
        ManualClock clock;
        EventLog log(clock);
        for (int i = 1; i <= 10; ++i)
            log.append(EventLog::Level::Info, u"test"_s, QString::number(i));
        qint64 lastId = -1;
        const QList<EventLog::Event> events = log.since(afterId, limit, &lastId);
        QCOMPARE(lastId, 10);
        QCOMPARE(events.size(), count);
        for (int i = 0; i < events.size(); ++i) {
            QCOMPARE(events.at(i).id, firstId + i);
            QCOMPARE(events.at(i).message, QString::number(firstId + i));
        }
    }

    void boundedRingDropsTheOldest()
    {
        ManualClock clock;
        EventLog log(clock, 5);
        QCOMPARE(log.capacity(), 5);
        for (int i = 1; i <= 12; ++i)
            log.append(EventLog::Level::Warning, u"test"_s, QString::number(i));
        QCOMPARE(log.size(), 5);
        QCOMPARE(log.lastId(), 12);
        // Asking from before the oldest kept event gives what is kept, from the oldest on.
        QList<EventLog::Event> events = log.since(0, 100);
        QCOMPARE(events.size(), 5);
        QCOMPARE(events.first().id, 8);
        QCOMPARE(events.last().id, 12);
        events = log.since(9, 100);
        QCOMPARE(events.size(), 3);
        QCOMPARE(events.first().id, 10);
    }

    void defaultCapacityIsAThousand()
    {
        ManualClock clock;
        EventLog log(clock);
        for (int i = 0; i < 2500; ++i)
            log.append(EventLog::Level::Info, u"test"_s, u"x"_s);
        QCOMPARE(log.size(), 1000);
        QCOMPARE(log.since(0, 5000).size(), 1000);
        QCOMPARE(log.since(0, 5000).first().id, 1501);
    }

    void nonPositiveCapacityKeepsOne()
    {
        ManualClock clock;
        EventLog log(clock, 0);
        log.append(EventLog::Level::Info, u"a"_s, u"1"_s);
        log.append(EventLog::Level::Info, u"a"_s, u"2"_s);
        QCOMPARE(log.size(), 1);
        QCOMPARE(log.since(0, 10).first().message, u"2"_s);
    }

    void appendsFromManyThreads()
    {
        SystemClock clock;
        EventLog log(clock, 100'000);
        constexpr int Threads = 4;
        constexpr int PerThread = 2000;
        std::vector<std::unique_ptr<QThread>> threads;
        for (int t = 0; t < Threads; ++t) {
            threads.emplace_back(QThread::create([&log, t] {
                for (int i = 0; i < PerThread; ++i)
                    log.append(EventLog::Level::Info, QString::number(t), QString::number(i));
            }));
        }
        // A reader at the same time sees consecutive ids only.
        std::unique_ptr<QThread> reader(QThread::create([&log] {
            for (int round = 0; round < 200; ++round) {
                const QList<EventLog::Event> events = log.since(0, 100'000);
                for (int i = 1; i < events.size(); ++i) {
                    if (events.at(i).id != events.at(i - 1).id + 1)
                        qFatal("ids not consecutive");
                }
            }
        }));
        reader->start();
        for (auto &thread : threads)
            thread->start();
        for (auto &thread : threads)
            QVERIFY(thread->wait(30'000));
        QVERIFY(reader->wait(30'000));

        QCOMPARE(log.lastId(), Threads * PerThread);
        const QList<EventLog::Event> events = log.since(0, Threads * PerThread);
        QCOMPARE(events.size(), Threads * PerThread);
        QSet<QString> seen;
        for (int i = 0; i < events.size(); ++i) {
            QCOMPARE(events.at(i).id, i + 1);
            seen.insert(events.at(i).category + u'/' + events.at(i).message);
        }
        QCOMPARE(seen.size(), Threads * PerThread); // every append kept, none twice
    }
};

QTEST_GUILESS_MAIN(TestEventLog)
#include "tst_eventlog.moc"
