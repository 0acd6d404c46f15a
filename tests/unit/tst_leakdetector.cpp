// The leak detector: the least-squares trend and its confidence (GrowthAnalyzer), the decision to
// report growth only when it is steady, large enough and not explained by the connection count, the
// bounded series and the once-per-finding bookkeeping (LeakDetector), the orphan cross-check of a
// shard's indexes (OrphanCheck, with orphans planted in real SubscriptionManager indexes) and the
// MemoryAnalysis answer's shape.

#include "core/subscriptionmanager.h"
#include "memory/growthanalyzer.h"
#include "memory/leakdetector.h"
#include "memory/memoryanalysis.h"
#include "memory/orphancheck.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <functional>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

using Series = LeakDetector::Series;
using Verdict = GrowthAnalyzer::Verdict;

constexpr qint64 IntervalMs = 10'000;

/// Feeds `count` samples, IntervalMs apart from sample number `first` on, with the value of every
/// series given by `valueAt(series, i)`.
void feed(LeakDetector &detector, int count, const std::function<qint64(Series, int)> &valueAt, int first = 0)
{
    for (int i = first; i < first + count; ++i) {
        LeakDetector::Sample sample;
        sample.timestampMs = 1'700'000'000'000 + i * IntervalMs; // real epoch times: no precision loss
        for (int index = 0; index < LeakDetector::SeriesCount; ++index)
            sample[Series(index)] = valueAt(Series(index), i);
        detector.record(sample);
    }
}

/// Every series flat at a plausible level, connections at 3.
qint64 baseline(Series series)
{
    switch (series) {
    case Series::Rss:
        return 64LL * 1024 * 1024;
    case Series::Connections:
        return 3;
    default:
        return 100;
    }
}

QList<Series> growingSeries(const LeakDetector &detector)
{
    QList<Series> found;
    const QList<LeakDetector::Growth> growth = detector.growth();
    for (const LeakDetector::Growth &entry : growth)
        found.append(entry.series);
    return found;
}

} // namespace

class TestLeakDetector : public QObject
{
    Q_OBJECT

private slots:
    void fitOfAnExactLine();
    void fitOfTooFewOrConstantPoints();
    void judgeVerdicts_data();
    void judgeVerdicts();
    void steadyGrowthIsReportedWithSlopeAndConfidence();
    void flatSeriesAreNotReported();
    void noisyButFlatSeriesAreNotReported_data();
    void noisyButFlatSeriesAreNotReported();
    void growthThatFollowsConnectionsIsNotReported();
    void growthWhileConnectionsFallIsReported();
    void cachesFillingWithPublishesAreNotReported();
    void smallRssGrowthIsNotReported();
    void tooFewSamplesReportNothing();
    void seriesAreBounded();
    void findingsAreNewOncePerAppearance();
    void cleanIndexesHaveNoOrphans();
    void plantedOrphansAreFound();
    void orphanListIsBounded();
    void analysisJsonHasTheDesignShape();
};

void TestLeakDetector::fitOfAnExactLine()
{
    QList<GrowthAnalyzer::Point> points;
    for (int x = 0; x < 10; ++x)
        points.append({double(x), 100.0 + 5.0 * x});
    const GrowthAnalyzer::Fit fit = GrowthAnalyzer::fit(points);
    QCOMPARE(fit.samples, 10);
    QVERIFY(qFuzzyCompare(fit.slope, 5.0));
    QVERIFY(qFuzzyCompare(fit.intercept, 100.0));
    QVERIFY(qFuzzyCompare(fit.rSquared, 1.0));
    QVERIFY(qFuzzyCompare(fit.fittedStart, 100.0));
    QVERIFY(qFuzzyCompare(fit.fittedEnd, 145.0));
    QVERIFY(qFuzzyCompare(fit.span, 9.0));
    QVERIFY(qFuzzyCompare(fit.growthPercent, 45.0));

    // A falling line fits as well: negative slope, full confidence.
    QList<GrowthAnalyzer::Point> falling;
    for (int x = 0; x < 5; ++x)
        falling.append({double(x), 50.0 - 2.0 * x});
    const GrowthAnalyzer::Fit down = GrowthAnalyzer::fit(falling);
    QVERIFY(qFuzzyCompare(down.slope, -2.0));
    QVERIFY(qFuzzyCompare(down.rSquared, 1.0));
    QVERIFY(down.growthPercent < 0.0);
}

void TestLeakDetector::fitOfTooFewOrConstantPoints()
{
    QCOMPARE(GrowthAnalyzer::fit({}).samples, 0);
    QCOMPARE(GrowthAnalyzer::fit({}).slope, 0.0);
    const GrowthAnalyzer::Fit one = GrowthAnalyzer::fit({{5.0, 7.0}});
    QCOMPARE(one.slope, 0.0);
    QCOMPARE(one.rSquared, 0.0);
    QCOMPARE(one.fittedStart, 7.0);
    // Two points are always on a line: no confidence from them.
    QCOMPARE(GrowthAnalyzer::fit({{0.0, 1.0}, {1.0, 2.0}}).rSquared, 0.0);
    // Constant: no trend, and R² is not a division by zero.
    const GrowthAnalyzer::Fit constant = GrowthAnalyzer::fit({{0, 4}, {1, 4}, {2, 4}, {3, 4}});
    QCOMPARE(constant.slope, 0.0);
    QCOMPARE(constant.rSquared, 0.0);
    QVERIFY(!std::isnan(constant.growthPercent));
    // All at one x: no slope rather than infinity.
    const GrowthAnalyzer::Fit vertical = GrowthAnalyzer::fit({{3, 1}, {3, 5}, {3, 9}});
    QCOMPARE(vertical.slope, 0.0);
    QVERIFY(!std::isnan(vertical.rSquared));
}

void TestLeakDetector::judgeVerdicts_data()
{
    QTest::addColumn<QList<double>>("series");
    QTest::addColumn<QList<double>>("load");
    QTest::addColumn<int>("verdict");

    const auto line = [](double start, double step, int count) {
        QList<double> values;
        for (int i = 0; i < count; ++i)
            values.append(start + step * i);
        return values;
    };
    QTest::newRow("steady growth, flat load") << line(100, 5, 12) << line(3, 0, 12) << int(Verdict::Growing);
    QTest::newRow("steady growth, no load given") << line(100, 5, 12) << QList<double>() << int(Verdict::Growing);
    QTest::newRow("growth from zero") << line(0, 1, 12) << line(3, 0, 12) << int(Verdict::Growing);
    QTest::newRow("constant") << line(100, 0, 12) << line(3, 0, 12) << int(Verdict::Flat);
    QTest::newRow("shrinking") << line(200, -5, 12) << line(3, 0, 12) << int(Verdict::Flat);
    QTest::newRow("steady but under 10 %") << line(1000, 5, 12) << line(3, 0, 12) << int(Verdict::Flat);
    QTest::newRow("growth with load") << line(100, 5, 12) << line(3, 1, 12) << int(Verdict::FollowsLoad);
    QTest::newRow("growth while load falls") << line(100, 5, 12) << line(20, -1, 12) << int(Verdict::Growing);
    QTest::newRow("too few samples") << line(100, 50, 9) << line(3, 0, 9) << int(Verdict::NotEnoughData);
    QTest::newRow("empty") << QList<double>() << QList<double>() << int(Verdict::NotEnoughData);
    // The trend grows by 55 %, but jumps of +-100 around it explain most of the variance: not a trend.
    QList<double> sawtooth;
    for (int i = 0; i < 12; ++i)
        sawtooth.append(200.0 + 10.0 * i + (i % 2 == 0 ? -100.0 : 100.0));
    QTest::newRow("rising, but mostly jumping") << sawtooth << line(3, 0, 12) << int(Verdict::Noisy);
}

void TestLeakDetector::judgeVerdicts()
{
    QFETCH(QList<double>, series);
    QFETCH(QList<double>, load);
    QFETCH(int, verdict);
    const auto points = [](const QList<double> &values) {
        QList<GrowthAnalyzer::Point> result;
        for (int i = 0; i < values.size(); ++i)
            result.append({double(i) * 10.0, values.at(i)});
        return result;
    };
    const GrowthAnalyzer::Judgement judgement = GrowthAnalyzer::judge(points(series), points(load), {});
    QCOMPARE(GrowthAnalyzer::verdictName(judgement.verdict), GrowthAnalyzer::verdictName(Verdict(verdict)));
}

void TestLeakDetector::steadyGrowthIsReportedWithSlopeAndConfidence()
{
    LeakDetector detector;
    // Subscriptions gain 6 a sample (10 s): 0.6 per second, 36 a minute, while 3 clients stay connected.
    feed(detector, 30,
         [](Series series, int i) { return series == Series::Subscriptions ? 100 + 6 * i : baseline(series); });
    const QList<LeakDetector::Growth> growth = detector.growth();
    QCOMPARE(growth.size(), 1);
    QCOMPARE(growth.first().series, Series::Subscriptions);
    QVERIFY(std::abs(growth.first().fit.slope - 0.6) < 1e-9);
    QVERIFY(growth.first().fit.rSquared > 0.999);
    QVERIFY(std::abs(growth.first().fit.growthPercent - 174.0) < 1e-6); // 100 -> 274
    QCOMPARE(growth.first().fit.samples, 30);
    QVERIFY(std::abs(growth.first().load.slope) < 1e-12);
    QCOMPARE(detector.judge(Series::Subscriptions).verdict, Verdict::Growing);

    // RSS leaking 1 MiB a sample from 64 MiB: reported too.
    LeakDetector rss;
    feed(rss, 20, [](Series series, int i) {
        return series == Series::Rss ? baseline(series) + i * 1024LL * 1024 : baseline(series);
    });
    QCOMPARE(growingSeries(rss), QList<Series>{Series::Rss});
}

void TestLeakDetector::flatSeriesAreNotReported()
{
    LeakDetector detector;
    feed(detector, 60, [](Series series, int) { return baseline(series); });
    QVERIFY(detector.growth().isEmpty());
    for (int index = 0; index < LeakDetector::SeriesCount; ++index)
        QCOMPARE(detector.judge(Series(index)).verdict, Verdict::Flat);
}

void TestLeakDetector::noisyButFlatSeriesAreNotReported_data()
{
    QTest::addColumn<quint32>("seed");
    QTest::addColumn<int>("noisePercent");
    for (quint32 seed : {1u, 7u, 42u, 1234u, 99999u}) {
        for (int noise : {5, 20, 50}) {
            QTest::addRow("seed %u, +-%d %%", seed, noise) << seed << noise;
        }
    }
}

void TestLeakDetector::noisyButFlatSeriesAreNotReported()
{
    QFETCH(quint32, seed);
    QFETCH(int, noisePercent);
    QRandomGenerator random(seed);
    LeakDetector detector;
    // Every series jitters around its level, the load too; nothing trends.
    feed(detector, 60, [&random, noisePercent](Series series, int) {
        const qint64 level = series == Series::Connections ? 1000 : baseline(series);
        const double jitter = (random.generateDouble() * 2.0 - 1.0) * noisePercent / 100.0;
        return qint64(double(level) * (1.0 + jitter));
    });
    const QList<Series> growing = growingSeries(detector);
    QVERIFY2(growing.isEmpty(), qPrintable(LeakDetector::seriesName(growing.value(0))));
}

void TestLeakDetector::growthThatFollowsConnectionsIsNotReported()
{
    LeakDetector detector;
    // Clients arrive, each with its subscriptions, queue and session: everything grows with them.
    feed(detector, 30, [](Series series, int i) {
        const qint64 connections = 10 + 2 * i;
        switch (series) {
        case Series::Rss:
            return baseline(series) + connections * 200 * 1024;
        case Series::Connections:
            return connections;
        default:
            return 4 * connections;
        }
    });
    QVERIFY(detector.growth().isEmpty());
    QCOMPARE(detector.judge(Series::Subscriptions).verdict, Verdict::FollowsLoad);
    QCOMPARE(detector.judge(Series::Rss).verdict, Verdict::FollowsLoad);
}

void TestLeakDetector::growthWhileConnectionsFallIsReported()
{
    LeakDetector detector;
    feed(detector, 20, [](Series series, int i) {
        if (series == Series::Connections)
            return qint64(50 - i);
        return series == Series::RecoverySessions ? qint64(10 + 3 * i) : baseline(series);
    });
    QCOMPARE(growingSeries(detector), QList<Series>{Series::RecoverySessions});
}

// After a start the bill history and the inbox fill as publishes arrive, with the same clients
// connected: that follows the message load (a false alarm before). Growing without messages, they
// are reported; the load series themselves never are.
void TestLeakDetector::cachesFillingWithPublishesAreNotReported()
{
    LeakDetector publishing;
    feed(publishing, 30, [](Series series, int i) {
        switch (series) {
        case Series::Messages:
            return qint64(1000 + 500 * i);
        case Series::HistoryEntries:
            return qint64(100 + 40 * i);
        case Series::InboxEntries:
            return qint64(100 + 7 * i);
        default:
            return baseline(series);
        }
    });
    QVERIFY(publishing.growth().isEmpty());
    QCOMPARE(publishing.judge(Series::HistoryEntries).verdict, Verdict::FollowsLoad);
    QCOMPARE(publishing.judge(Series::InboxEntries).verdict, Verdict::FollowsLoad);

    LeakDetector quiet;
    feed(quiet, 30, [](Series series, int i) {
        return series == Series::HistoryEntries ? qint64(100 + 40 * i) : baseline(series);
    });
    QCOMPARE(growingSeries(quiet), QList<Series>{Series::HistoryEntries});
    QCOMPARE(LeakDetector::loadOf(Series::HistoryEntries), Series::Messages);
    QCOMPARE(LeakDetector::loadOf(Series::Subscriptions), Series::Connections);
    QCOMPARE(LeakDetector::loadOf(Series::Messages), Series::Messages);
    QVERIFY(!LeakDetector::isStructure(Series::Messages));
    QVERIFY(!LeakDetector::isStructure(Series::Rss));
    QVERIFY(LeakDetector::isStructure(Series::InboxEntries));
}

void TestLeakDetector::smallRssGrowthIsNotReported()
{
    // A small process growing 50 % steadily, but by 2 MiB in all: allocator noise, not reported.
    LeakDetector detector;
    feed(detector, 20, [](Series series, int i) {
        return series == Series::Rss ? qint64(4 * 1024 * 1024 + i * 100 * 1024) : baseline(series);
    });
    QVERIFY(detector.growth().isEmpty());
    QCOMPARE(detector.judge(Series::Rss).verdict, Verdict::Flat);
}

void TestLeakDetector::tooFewSamplesReportNothing()
{
    LeakDetector detector;
    feed(detector, detector.settings().criteria.minSamples - 1,
         [](Series series, int i) { return series == Series::Subscriptions ? 100 + 100 * i : baseline(series); });
    QVERIFY(detector.growth().isEmpty());
    QCOMPARE(detector.judge(Series::Subscriptions).verdict, Verdict::NotEnoughData);
    feed(
        detector, 1,
        [](Series series, int i) { return series == Series::Subscriptions ? 100 + 100 * i : baseline(series); },
        detector.settings().criteria.minSamples - 1);
    QCOMPARE(growingSeries(detector), QList<Series>{Series::Subscriptions});
}

void TestLeakDetector::seriesAreBounded()
{
    LeakDetector::Settings settings;
    settings.capacity = 20;
    LeakDetector detector(settings);
    // A leak long ago, flat since: only the window counts, so it is no longer reported.
    feed(detector, 500, [](Series series, int i) {
        return series == Series::InboxEntries ? qint64(qMin(i, 400) * 10) : baseline(series);
    });
    QCOMPARE(detector.sampleCount(), 20);
    QCOMPARE(detector.latest()[Series::InboxEntries], 4000);
    QVERIFY(detector.growth().isEmpty());
}

void TestLeakDetector::findingsAreNewOncePerAppearance()
{
    LeakDetector detector;
    QCOMPARE(detector.newFindings({u"a"_s, u"b"_s}), (QStringList{u"a"_s, u"b"_s}));
    QVERIFY(detector.newFindings({u"a"_s, u"b"_s}).isEmpty());
    QCOMPARE(detector.newFindings({u"b"_s, u"c"_s}), QStringList{u"c"_s});
    QVERIFY(detector.newFindings({}).isEmpty());
    QCOMPARE(detector.newFindings({u"a"_s}), QStringList{u"a"_s}); // gone and back: new again
}

void TestLeakDetector::cleanIndexesHaveNoOrphans()
{
    const QSet<ConnectionId> live{1, 2, 3};
    SubscriptionManager subscriptions;
    subscriptions.subscribe(1, 10);
    subscriptions.subscribe(2, 10);
    subscriptions.subscribe(2, 11);
    subscriptions.removeConnection(3);
    const QHash<QString, QSet<ConnectionId>> byUser{{u"alice"_s, {1, 2}}, {u"bob"_s, {3}}};
    const OrphanCheck::Report report =
        OrphanCheck::find([&live](ConnectionId id) { return live.contains(id); }, subscriptions, byUser, {2});
    QCOMPARE(report.total, 0);
    QVERIFY(report.orphans.isEmpty());
}

void TestLeakDetector::plantedOrphansAreFound()
{
    QSet<ConnectionId> live{1, 2};
    SubscriptionManager subscriptions;
    subscriptions.subscribe(1, 10);
    subscriptions.subscribe(2, 10);
    subscriptions.subscribe(2, 11);
    const QHash<QString, QSet<ConnectionId>> byUser{{u"alice"_s, {1, 2}}, {u"bob"_s, {}}};
    // Connection 2 is dropped from the table without the cleanup of its other entries.
    live.remove(2);
    const QSet<ConnectionId> pendingOutput{1, 2};
    const OrphanCheck::Report report =
        OrphanCheck::find([&live](ConnectionId id) { return live.contains(id); }, subscriptions, byUser, pendingOutput);
    QCOMPARE(report.total, 4);
    QCOMPARE(report.orphans.size(), 4);
    QHash<QString, QList<ConnectionId>> byStructure;
    for (const OrphanCheck::Orphan &orphan : report.orphans)
        byStructure[orphan.structure].append(orphan.connectionId);
    QCOMPARE(byStructure.value(u"subscriptions"_s), QList<ConnectionId>{2});
    QCOMPARE(byStructure.value(u"pending_output"_s), QList<ConnectionId>{2});
    QList<ConnectionId> users = byStructure.value(u"user_index"_s);
    std::sort(users.begin(), users.end());
    QCOMPARE(users, (QList<ConnectionId>{0, 2})); // bob indexed without a connection; alice's 2
    for (const OrphanCheck::Orphan &orphan : report.orphans) {
        if (orphan.structure == u"subscriptions"_s)
            QVERIFY2(orphan.detail.startsWith(u"2 subscriptions"_s), qPrintable(orphan.detail));
        QVERIFY(!orphan.detail.isEmpty());
    }
}

void TestLeakDetector::orphanListIsBounded()
{
    SubscriptionManager subscriptions;
    for (ConnectionId id = 1; id <= 500; ++id)
        subscriptions.subscribe(id, 7);
    const OrphanCheck::Report report = OrphanCheck::find([](ConnectionId) { return false; }, subscriptions, {}, {});
    QCOMPARE(report.total, 500);
    QCOMPARE(report.orphans.size(), OrphanCheck::MaxListed);
}

void TestLeakDetector::analysisJsonHasTheDesignShape()
{
    LeakDetector detector;
    feed(detector, 12,
         [](Series series, int i) { return series == Series::HistoryEntries ? 100 + 50 * i : baseline(series); });
    MemoryAnalysis::Census census;
    census.sample = detector.latest();
    census.queuedBytes = 1000;
    census.orphans.append({1, OrphanCheck::Orphan{u"subscriptions"_s, (ConnectionId(1) << 48) | 5, u"gone"_s}});
    census.orphanTotal = 1;
    MemoryManager::Sample memory;
    memory.budgetBytes = 256LL * 1024 * 1024;
    memory.level = MemoryManager::Level::Warning;

    const QJsonObject json = MemoryAnalysis::toJson(census, memory, detector);
    const QJsonObject process = json.value("process"_L1).toObject();
    QCOMPARE(process.value("rssBytes"_L1).toInteger(), 64LL * 1024 * 1024);
    QCOMPARE(process.value("budgetBytes"_L1).toInteger(), 256LL * 1024 * 1024);
    QCOMPARE(process.value("percent"_L1).toDouble(), 25.0);
    QCOMPARE(process.value("level"_L1).toString(), u"warning"_s);

    const QJsonObject service = json.value("service"_L1).toObject();
    QCOMPARE(service.value("connections"_L1).toInteger(), 3);
    QCOMPARE(service.value("historyEntries"_L1).toInteger(), 650);
    QCOMPARE(service.value("queuedBytes"_L1).toInteger(), 1000);
    const QJsonObject estimates = service.value("estimates"_L1).toObject();
    const QJsonObject history = estimates.value("structures"_L1).toObject().value("historyEntries"_L1).toObject();
    QCOMPARE(history.value("bytes"_L1).toInteger(), 650 * LeakDetector::estimatedBytesPerEntry(Series::HistoryEntries));
    const QJsonObject queued = estimates.value("structures"_L1).toObject().value("queuedMessages"_L1).toObject();
    QCOMPARE(queued.value("bytes"_L1).toInteger(),
             100 * LeakDetector::estimatedBytesPerEntry(Series::QueuedMessages) + 2000);
    QVERIFY(estimates.value("totalBytes"_L1).toInteger() > history.value("bytes"_L1).toInteger());
    QVERIFY(estimates.value("note"_L1).toString().contains(u"estimate"_s));

    const QJsonObject analysis = json.value("analysis"_L1).toObject();
    const QJsonArray orphans = analysis.value("orphans"_L1).toArray();
    QCOMPARE(orphans.size(), 1);
    QCOMPARE(orphans.at(0).toObject().value("connectionId"_L1).toString(), u"281474976710661"_s);
    QCOMPARE(orphans.at(0).toObject().value("shard"_L1).toInt(), 1);
    const QJsonArray growth = analysis.value("growth"_L1).toArray();
    QCOMPARE(growth.size(), 1);
    const QJsonObject grown = growth.at(0).toObject();
    QCOMPARE(grown.value("series"_L1).toString(), u"historyEntries"_s);
    QVERIFY(std::abs(grown.value("slopePerMinute"_L1).toDouble() - 300.0) < 1e-6); // 50 per 10 s
    QVERIFY(grown.value("confidence"_L1).toDouble() > 0.999);
    QCOMPARE(grown.value("samples"_L1).toInt(), 12);
    QCOMPARE(grown.value("windowMs"_L1).toInteger(), 110'000);
    QCOMPARE(analysis.value("warnings"_L1).toArray().size(), 2); // the orphan and the growth
    QCOMPARE(analysis.value("samples"_L1).toInt(), 12);
}

QTEST_GUILESS_MAIN(TestLeakDetector)
#include "tst_leakdetector.moc"
