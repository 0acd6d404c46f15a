#pragma once

#include "memory/growthanalyzer.h"
#include "util/circularbuffer.h"

#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <array>

namespace wsinfra {

/// Keeps bounded series of the service's own object counts and RSS, sampled by the service every
/// MEMORY_CHECK_INTERVAL, and finds the ones that grow steadily while the connection count does not
/// (GrowthAnalyzer decides). It also remembers which findings were already reported, so that each is
/// logged once. No clock and no I/O: samples come with their timestamps.
class LeakDetector
{
public:
    enum class Series {
        Rss,
        Connections, ///< the load the others are judged against
        EngineIoSessions,
        Subscriptions,
        QueuedMessages,
        HistoryEntries,
        InboxEntries,
        RecoverySessions,
        /// Client messages and publishes processed since start: the load history and inbox follow.
        Messages,
    };
    static constexpr int SeriesCount = int(Series::Messages) + 1;

    struct Sample
    {
        qint64 timestampMs = 0;
        std::array<qint64, SeriesCount> values{};
        qint64 &operator[](Series series) { return values[std::size_t(series)]; }
        qint64 operator[](Series series) const { return values[std::size_t(series)]; }
    };

    struct Settings
    {
        int capacity = 60; ///< samples kept per series (the analysis window)
        GrowthAnalyzer::Criteria criteria;
        /// RSS moves by whole allocator arenas: growth below this is not reported however steady.
        qint64 minRssGrowthBytes = 4 * 1024 * 1024;
    };

    struct Growth
    {
        Series series = Series::Rss;
        GrowthAnalyzer::Fit fit;
        GrowthAnalyzer::Fit load;
    };

    LeakDetector();
    explicit LeakDetector(const Settings &settings);

    /// Appends a sample to every series (the oldest gives way beyond the capacity).
    void record(const Sample &sample);
    qsizetype sampleCount() const { return m_samples.size(); }
    const Settings &settings() const { return m_settings; }
    /// The latest sample (all zero before the first).
    Sample latest() const { return m_samples.isEmpty() ? Sample{} : m_samples.back(); }

    /// The series that grow while the load does not, over the kept samples.
    QList<Growth> growth() const;
    /// The judgement of one series, whatever it is.
    GrowthAnalyzer::Judgement judge(Series series) const;

    /// Of `current` (keys of the findings now), those not reported before; they count as reported
    /// from now on. A finding that went away is forgotten, so it is reported again if it comes back.
    QStringList newFindings(const QStringList &current);

    /// "rss", "connections", "engineIoSessions", "subscriptions", ...
    static QString seriesName(Series series);
    /// The load `series` is judged against: messages for the caches publishes fill (bill history, the
    /// inbox), connections for the rest; the loads themselves have none (returned as themselves).
    static Series loadOf(Series series);
    /// Whether `series` counts entries of a structure of the service (not RSS, not a load).
    static bool isStructure(Series series);
    /// Estimated bytes one entry of the structure takes (0 for RSS): rough figures of the entry's
    /// objects and its index entries on 64-bit Linux, not measurements. Payloads known to the
    /// service (queued text, inbox frames) are added by the caller.
    static qint64 estimatedBytesPerEntry(Series series);

private:
    QList<GrowthAnalyzer::Point> pointsOf(Series series) const;

    const Settings m_settings;
    CircularBuffer<Sample> m_samples;
    QSet<QString> m_reported;
};

} // namespace wsinfra
