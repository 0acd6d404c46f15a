#include "memory/leakdetector.h"

using namespace Qt::StringLiterals;

namespace wsinfra {

LeakDetector::LeakDetector() : LeakDetector(Settings{}) {}

LeakDetector::LeakDetector(const Settings &settings) : m_settings(settings), m_samples(settings.capacity) {}

void LeakDetector::record(const Sample &sample)
{
    m_samples.push(sample);
}

QList<GrowthAnalyzer::Point> LeakDetector::pointsOf(Series series) const
{
    QList<GrowthAnalyzer::Point> points;
    points.reserve(m_samples.size());
    if (m_samples.isEmpty())
        return points;
    // Seconds since the first kept sample: the slope is per second.
    const qint64 origin = m_samples.front().timestampMs;
    for (const Sample &sample : m_samples)
        points.append({double(sample.timestampMs - origin) / 1000.0, double(sample[series])});
    return points;
}

GrowthAnalyzer::Judgement LeakDetector::judge(Series series) const
{
    GrowthAnalyzer::Criteria criteria = m_settings.criteria;
    if (series == Series::Rss)
        criteria.minGrowth = std::max(criteria.minGrowth, double(m_settings.minRssGrowthBytes));
    const Series load = loadOf(series);
    return GrowthAnalyzer::judge(pointsOf(series), load == series ? QList<GrowthAnalyzer::Point>() : pointsOf(load),
                                 criteria);
}

QList<LeakDetector::Growth> LeakDetector::growth() const
{
    QList<Growth> found;
    for (int index = 0; index < SeriesCount; ++index) {
        const Series series = Series(index);
        if (loadOf(series) == series) // a load itself
            continue;
        const GrowthAnalyzer::Judgement judgement = judge(series);
        if (judgement.verdict == GrowthAnalyzer::Verdict::Growing)
            found.append(Growth{series, judgement.fit, judgement.load});
    }
    return found;
}

QStringList LeakDetector::newFindings(const QStringList &current)
{
    QStringList fresh;
    QSet<QString> now;
    for (const QString &key : current) {
        now.insert(key);
        if (!m_reported.contains(key))
            fresh.append(key);
    }
    m_reported = now;
    return fresh;
}

LeakDetector::Series LeakDetector::loadOf(Series series)
{
    switch (series) {
    case Series::Connections:
    case Series::Messages:
        return series;
    case Series::HistoryEntries: // fills as publishes come, up to its bounds, whoever is connected
    case Series::InboxEntries:
        return Series::Messages;
    default:
        return Series::Connections;
    }
}

bool LeakDetector::isStructure(Series series)
{
    return series != Series::Rss && series != Series::Messages;
}

QString LeakDetector::seriesName(Series series)
{
    switch (series) {
    case Series::Rss:
        return u"rss"_s;
    case Series::Connections:
        return u"connections"_s;
    case Series::EngineIoSessions:
        return u"engineIoSessions"_s;
    case Series::Subscriptions:
        return u"subscriptions"_s;
    case Series::QueuedMessages:
        return u"queuedMessages"_s;
    case Series::HistoryEntries:
        return u"historyEntries"_s;
    case Series::InboxEntries:
        return u"inboxEntries"_s;
    case Series::RecoverySessions:
        return u"recoverySessions"_s;
    case Series::Messages:
        return u"messages"_s;
    }
    return u"rss"_s;
}

qint64 LeakDetector::estimatedBytesPerEntry(Series series)
{
    switch (series) {
    case Series::Rss:
    case Series::Messages:
        return 0;
    case Series::Connections: // Connection, QWebSocket + QTcpSocket with their buffers, transport, hashes
        return 16 * 1024;
    case Series::EngineIoSessions: // session object, timers, its polling buffers
        return 4 * 1024;
    case Series::Subscriptions: // an entry in both indexes of SubscriptionManager
        return 96;
    case Series::QueuedMessages: // OutboundMessage and its list slot, without the text
        return 64;
    case Series::HistoryEntries: // HistoryEntry, its message id and an average bill-update frame
        return 512;
    case Series::InboxEntries: // map, user-set and message-id entries, without the frame
        return 192;
    case Series::RecoverySessions: // Session, its ids and bill list, the expiry entry
        return 256;
    }
    return 0;
}

} // namespace wsinfra
