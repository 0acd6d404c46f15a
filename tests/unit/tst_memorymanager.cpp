// The memory manager: where the budget comes from (flag, cgroup v2, cgroup v1, physical memory), the
// levels at the configured thresholds, and the hysteresis that keeps a level from flapping. RSS comes
// from a fake reader because a test cannot steer the real one; the budget files are real files.

#include "memory/memorymanager.h"
#include "memory/memoryreader.h"
#include "memory/processmemory.h"
#include "util/clock.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

class FakeMemoryReader final : public MemoryReader
{
public:
    qint64 residentBytes() const override { return bytes; }
    qint64 bytes = 0;
};

using Level = MemoryManager::Level;

} // namespace

class TestMemoryManager : public QObject
{
    Q_OBJECT

private:
    /// Writes `text` to a file in the test's directory and returns its path ("" = no file).
    QString writeFile(const QString &name, const QByteArray &text)
    {
        if (text.isNull())
            return m_dir.filePath(u"missing-"_s + name);
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        file.write(text);
        return path;
    }

    /// A manager over a fixed 1000-byte budget, so that RSS in bytes is pressure in tenths of a percent.
    struct Fixture
    {
        ManualClock clock;
        FakeMemoryReader reader;
        MemoryManager manager;
        explicit Fixture(qint64 checkIntervalMs = 10'000) : manager(settings(checkIntervalMs), reader, clock) {}
        static MemoryManager::Settings settings(qint64 checkIntervalMs)
        {
            MemoryManager::Settings s;
            s.limitBytes = 1000;
            s.warningPercent = 70;
            s.criticalPercent = 85;
            s.emergencyPercent = 95;
            s.checkIntervalMs = checkIntervalMs;
            return s;
        }
        Level at(double percent)
        {
            reader.bytes = qRound64(percent * 10);
            return manager.check().level;
        }
    };

    QTemporaryDir m_dir;

private slots:
    void budgetResolution_data()
    {
        QTest::addColumn<qint64>("configured");
        QTest::addColumn<QByteArray>("v2");
        QTest::addColumn<QByteArray>("v1");
        QTest::addColumn<qint64>("expected");
        const qint64 physical = 8LL << 30;
        const QByteArray none; // null: the file does not exist
        QTest::newRow("flag wins over cgroups") << qint64(123456) << "1000\n"_ba
                                                << "2000\n"_ba << qint64(123456);
        QTest::newRow("cgroup v2 limit") << qint64(0) << "536870912\n"_ba
                                         << "2000\n"_ba << qint64(536870912);
        QTest::newRow("cgroup v2 max falls to v1") << qint64(0) << "max\n"_ba
                                                   << "268435456\n"_ba << qint64(268435456);
        QTest::newRow("cgroup v2 max, no v1: physical") << qint64(0) << "max\n"_ba << none << physical;
        QTest::newRow("only cgroup v1") << qint64(0) << none << "268435456"_ba << qint64(268435456);
        QTest::newRow("cgroup v1 unlimited (2^63-4096)") << qint64(0) << none << "9223372036854771712\n"_ba << physical;
        QTest::newRow("cgroup v1 at 2^60 is unlimited") << qint64(0) << none << "1152921504606846976"_ba << physical;
        QTest::newRow("cgroup v1 just below 2^60")
            << qint64(0) << none << "1152921504606846975"_ba << qint64(1152921504606846975);
        QTest::newRow("no cgroup files: physical") << qint64(0) << none << none << physical;
        QTest::newRow("empty files: physical") << qint64(0) << ""_ba
                                               << ""_ba << physical;
        QTest::newRow("garbage: physical") << qint64(0) << "12abc"_ba
                                           << "-5"_ba << physical;
        QTest::newRow("zero: physical") << qint64(0) << "0"_ba
                                        << "0"_ba << physical;
        QTest::newRow("overflowing number: physical") << qint64(0) << none << "99999999999999999999999"_ba << physical;
    }

    void budgetResolution()
    {
        QFETCH(qint64, configured);
        QFETCH(QByteArray, v2);
        QFETCH(QByteArray, v1);
        QFETCH(qint64, expected);
        QVERIFY(m_dir.isValid());
        MemoryManager::BudgetSources sources;
        sources.cgroupV2Limit = writeFile(u"memory.max"_s, v2);
        sources.cgroupV1Limit = writeFile(u"memory.limit_in_bytes"_s, v1);
        sources.physicalBytes = 8LL << 30;
        QCOMPARE(MemoryManager::resolveBudget(configured, sources), expected);
    }

    void ownCgroup_data()
    {
        QTest::addColumn<QByteArray>("procCgroup");
        QTest::addColumn<QString>("expected");
        QTest::newRow("systemd unit") << "0::/system.slice/wsinfra-service.service\n"_ba
                                      << u"/cg/system.slice/wsinfra-service.service/memory.max"_s;
        QTest::newRow("hybrid v1 lines first")
            << "4:memory:/x\n1:cpu:/\n0::/a.slice/b.service\n"_ba << u"/cg/a.slice/b.service/memory.max"_s;
        QTest::newRow("namespace root") << "0::/\n"_ba << u"/cg/memory.max"_s;
        QTest::newRow("v1 only") << "4:memory:/x\n"_ba << u"/cg/memory.max"_s;
        QTest::newRow("empty") << ""_ba << u"/cg/memory.max"_s;
        QTest::newRow("no file") << QByteArray() << u"/cg/memory.max"_s;
        QTest::newRow("climbs out") << "0::/../../etc\n"_ba << u"/cg/memory.max"_s;
        QTest::newRow("ends in dotdot") << "0::/a/..\n"_ba << u"/cg/memory.max"_s;
        QTest::newRow("relative") << "0::x.service\n"_ba << u"/cg/memory.max"_s;
        QTest::newRow("no newline") << "0::/u.service"_ba << u"/cg/u.service/memory.max"_s;
    }

    void ownCgroup()
    {
        QFETCH(QByteArray, procCgroup);
        QFETCH(QString, expected);
        QVERIFY(m_dir.isValid());
        const QString file = procCgroup.isNull() ? m_dir.filePath(u"absent"_s) : writeFile(u"cgroup"_s, procCgroup);
        QCOMPARE(MemoryManager::ownCgroupV2Limit(file, u"/cg"_s), expected);
    }

    void budgetFallsBackToTheMachinesMemory()
    {
        MemoryManager::BudgetSources sources;
        sources.cgroupV2Limit = m_dir.filePath(u"nothing-here"_s);
        sources.cgroupV1Limit = m_dir.filePath(u"nothing-there"_s);
        const qint64 physical = MemoryManager::resolveBudget(0, sources);
        // Whatever the machine has: more than 64 MiB, and what /proc/meminfo reports within a few percent.
        QVERIFY2(physical > (64LL << 20), qPrintable(QString::number(physical)));
        const qint64 memTotal = ProcessMemory().physicalBytes();
        if (memTotal > 0)
            QVERIFY(qAbs(physical - memTotal) < physical / 10);
    }

    void sampleCarriesPressureAndBudget()
    {
        Fixture f;
        f.clock.setNowMs(42'000);
        f.reader.bytes = 731;
        const MemoryManager::Sample sample = f.manager.check();
        QCOMPARE(sample.timestampMs, 42'000);
        QCOMPARE(sample.residentBytes, 731);
        QCOMPARE(sample.budgetBytes, 1000);
        QCOMPARE(sample.pressurePercent, 73.1);
        QCOMPARE(sample.level, Level::Warning);
        QCOMPARE(f.manager.latest().pressurePercent, 73.1);
        QCOMPARE(f.manager.level(), Level::Warning);
    }

    void unreadableMemoryIsNormal()
    {
        Fixture f;
        f.reader.bytes = 0;
        QCOMPARE(f.manager.check().pressurePercent, 0.0);
        QCOMPARE(f.manager.level(), Level::Normal);
    }

    void levelsAtTheThresholds_data()
    {
        QTest::addColumn<double>("percent");
        QTest::addColumn<Level>("level");
        QTest::newRow("0") << 0.0 << Level::Normal;
        QTest::newRow("69.9") << 69.9 << Level::Normal;
        QTest::newRow("70") << 70.0 << Level::Warning;
        QTest::newRow("84.9") << 84.9 << Level::Warning;
        QTest::newRow("85") << 85.0 << Level::Critical;
        QTest::newRow("94.9") << 94.9 << Level::Critical;
        QTest::newRow("95") << 95.0 << Level::Emergency;
        QTest::newRow("over budget") << 250.0 << Level::Emergency;
    }

    void levelsAtTheThresholds()
    {
        QFETCH(double, percent);
        QFETCH(Level, level);
        Fixture f; // from normal: the level is the highest threshold reached
        QCOMPARE(f.at(percent), level);
    }

    void hysteresisOnTheWayDown()
    {
        Fixture f;
        QCOMPARE(f.at(96), Level::Emergency);
        QCOMPARE(f.at(94), Level::Emergency);  // below 95 but not by 5 points
        QCOMPARE(f.at(90), Level::Emergency);  // exactly 5 below: still in
        QCOMPARE(f.at(89.9), Level::Critical); // left emergency; 89.9 is above critical
        QCOMPARE(f.at(84), Level::Critical);   // below 85 but not by 5
        QCOMPARE(f.at(79.9), Level::Warning);  // left critical
        QCOMPARE(f.at(66), Level::Warning);    // below 70 but not by 5
        QCOMPARE(f.at(64.9), Level::Normal);   // left warning
        QCOMPARE(f.at(69), Level::Normal);     // below warning: stays normal
    }

    void fallingFarSkipsLevels()
    {
        Fixture f;
        QCOMPARE(f.at(99), Level::Emergency);
        QCOMPARE(f.at(79), Level::Warning); // out of emergency and critical, not out of warning (65)
        QCOMPARE(f.at(99), Level::Emergency);
        QCOMPARE(f.at(10), Level::Normal);
    }

    void risingIsImmediate()
    {
        Fixture f;
        QCOMPARE(f.at(96), Level::Emergency);
        QCOMPARE(f.at(89), Level::Critical);
        QCOMPARE(f.at(95), Level::Emergency); // back at the threshold: back in at once
        QCOMPARE(f.at(60), Level::Normal);
        QCOMPARE(f.at(70), Level::Warning);
        QCOMPARE(f.at(85), Level::Critical);
    }

    void signalOncePerChange()
    {
        Fixture f;
        QSignalSpy spy(&f.manager, &MemoryManager::levelChanged);
        QVERIFY(spy.isValid());
        f.at(50);
        f.at(60);
        QCOMPARE(spy.size(), 0);
        f.at(72);
        f.at(75);
        f.at(68); // within the hysteresis: no change
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(0).value<Level>(), Level::Warning);
        QCOMPARE(spy.at(0).at(1).value<Level>(), Level::Normal);
        f.at(97);
        f.at(99);
        f.at(91);
        QCOMPARE(spy.size(), 2);
        QCOMPARE(spy.at(1).at(0).value<Level>(), Level::Emergency);
        QCOMPARE(spy.at(1).at(1).value<Level>(), Level::Warning);
        f.at(30);
        f.at(30);
        QCOMPARE(spy.size(), 3);
        QCOMPARE(spy.at(2).at(0).value<Level>(), Level::Normal);
        QCOMPARE(spy.at(2).at(1).value<Level>(), Level::Emergency);
    }

    void startChecksNowAndEveryInterval()
    {
        Fixture f(20);
        f.reader.bytes = 960;
        QSignalSpy spy(&f.manager, &MemoryManager::levelChanged);
        f.manager.start();
        QCOMPARE(spy.size(), 1); // the first check runs inside start()
        QCOMPARE(f.manager.level(), Level::Emergency);
        f.reader.bytes = 100;
        QTRY_COMPARE(f.manager.level(), Level::Normal); // the timer's check
        QCOMPARE(spy.size(), 2);
    }

    void levelNames()
    {
        QCOMPARE(MemoryManager::levelName(Level::Normal), u"normal"_s);
        QCOMPARE(MemoryManager::levelName(Level::Warning), u"warning"_s);
        QCOMPARE(MemoryManager::levelName(Level::Critical), u"critical"_s);
        QCOMPARE(MemoryManager::levelName(Level::Emergency), u"emergency"_s);
    }
};

QTEST_GUILESS_MAIN(TestMemoryManager)
#include "tst_memorymanager.moc"
