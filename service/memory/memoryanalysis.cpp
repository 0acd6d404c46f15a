#include "memory/memoryanalysis.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

using Series = LeakDetector::Series;

QString growthMessage(const LeakDetector::Growth &growth)
{
    return u"%1 grew by %2% (%3 to %4) over %5 s with a steady trend (R² %6) while connections did not"_s.arg(
        LeakDetector::seriesName(growth.series), QString::number(growth.fit.growthPercent, 'f', 1),
        QString::number(growth.fit.fittedStart, 'f', 0), QString::number(growth.fit.fittedEnd, 'f', 0),
        QString::number(growth.fit.span, 'f', 0), QString::number(growth.fit.rSquared, 'f', 2));
}

/// Payload bytes the service knows on top of the per-entry estimate (QString text: 2 bytes a character).
qint64 knownPayloadBytes(const MemoryAnalysis::Census &census, Series series)
{
    switch (series) {
    case Series::QueuedMessages:
        return 2 * census.queuedBytes;
    case Series::InboxEntries:
        return census.inboxBytes;
    default:
        return 0;
    }
}

} // namespace

QList<MemoryAnalysis::Finding> MemoryAnalysis::findings(const Census &census, const QList<LeakDetector::Growth> &growth)
{
    QList<Finding> found;
    for (const Census::ShardOrphan &entry : census.orphans) {
        found.append({u"orphan:%1:%2:%3"_s.arg(entry.shard).arg(entry.orphan.structure).arg(entry.orphan.connectionId),
                      u"orphaned %1 entry on shard %2: %3"_s.arg(entry.orphan.structure)
                          .arg(entry.shard)
                          .arg(entry.orphan.detail)});
    }
    for (const LeakDetector::Growth &series : growth)
        found.append({u"growth:"_s + LeakDetector::seriesName(series.series), growthMessage(series)});
    return found;
}

QJsonObject MemoryAnalysis::toJson(const Census &census, const MemoryManager::Sample &memory, const LeakDetector &leaks)
{
    const LeakDetector::Sample &counts = census.sample;
    const qint64 rss = counts[Series::Rss];
    const double percent = memory.budgetBytes > 0 ? 100.0 * double(rss) / double(memory.budgetBytes) : 0.0;
    const QJsonObject process{{u"rssBytes"_s, rss},
                              {u"budgetBytes"_s, memory.budgetBytes},
                              {u"percent"_s, percent},
                              {u"level"_s, MemoryManager::levelName(memory.level)}};

    QJsonObject service{{u"subscribedBills"_s, census.subscribedBills},
                        {u"historyBills"_s, census.historyBills},
                        {u"inboxUsers"_s, census.inboxUsers},
                        {u"queuedBytes"_s, census.queuedBytes},
                        {u"inboxBytes"_s, census.inboxBytes}};
    QJsonObject structures;
    qint64 totalBytes = 0;
    for (int index = 0; index < LeakDetector::SeriesCount; ++index) {
        const Series series = Series(index);
        if (!LeakDetector::isStructure(series))
            continue;
        const QString name = LeakDetector::seriesName(series);
        const qint64 perEntry = LeakDetector::estimatedBytesPerEntry(series);
        const qint64 bytes = counts[series] * perEntry + knownPayloadBytes(census, series);
        service.insert(name, counts[series]);
        structures.insert(name, QJsonObject{{u"bytesPerEntry"_s, perEntry}, {u"bytes"_s, bytes}});
        totalBytes += bytes;
    }
    service.insert(u"estimates"_s,
                   QJsonObject{{u"structures"_s, structures},
                               {u"totalBytes"_s, totalBytes},
                               {u"note"_s, u"estimates: count times a typical entry size, plus the payload bytes "
                                           "the service counts; not measured"_s}});

    QJsonArray orphans;
    for (const Census::ShardOrphan &entry : census.orphans) {
        orphans.append(QJsonObject{{u"shard"_s, entry.shard},
                                   {u"structure"_s, entry.orphan.structure},
                                   {u"connectionId"_s, QString::number(entry.orphan.connectionId)},
                                   {u"detail"_s, entry.orphan.detail}});
    }
    const QList<LeakDetector::Growth> growing = leaks.growth();
    QJsonArray growth;
    for (const LeakDetector::Growth &series : growing) {
        growth.append(QJsonObject{{u"series"_s, LeakDetector::seriesName(series.series)},
                                  {u"slopePerMinute"_s, series.fit.slope * 60.0},
                                  {u"confidence"_s, series.fit.rSquared},
                                  {u"growthPercent"_s, series.fit.growthPercent},
                                  {u"start"_s, series.fit.fittedStart},
                                  {u"end"_s, series.fit.fittedEnd},
                                  {u"windowMs"_s, qint64(series.fit.span * 1000.0)},
                                  {u"samples"_s, series.fit.samples},
                                  {u"connectionsGrowthPercent"_s, series.load.growthPercent}});
    }
    QJsonArray warnings;
    const QList<Finding> found = findings(census, growing);
    for (const Finding &finding : found)
        warnings.append(finding.message);
    if (census.orphanTotal > census.orphans.size())
        warnings.append(u"%1 orphaned entries in all, only the first are listed"_s.arg(census.orphanTotal));
    const int needed = leaks.settings().criteria.minSamples;
    if (leaks.sampleCount() < needed)
        warnings.append(
            u"growth analysis needs %1 samples (one per memory check), has %2"_s.arg(needed).arg(leaks.sampleCount()));
    const QJsonObject analysis{{u"orphans"_s, orphans},
                               {u"orphanCount"_s, census.orphanTotal},
                               {u"growth"_s, growth},
                               {u"warnings"_s, warnings},
                               {u"samples"_s, leaks.sampleCount()},
                               {u"windowSamples"_s, leaks.settings().capacity}};
    return {{u"process"_s, process}, {u"service"_s, service}, {u"analysis"_s, analysis}};
}

} // namespace wsinfra
