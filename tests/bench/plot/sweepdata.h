#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace wsinfra::bench {

/// One point of a latency-vs-rate sweep: what one target delivered at one offered rate, and how late.
struct SweepPoint
{
    double deliveredPerSecond = 0;
    double p50Ms = -1; ///< -1: no delivery measured
    double p99Ms = -1;
    bool keptUp = true; ///< false on the point that ended the target's sweep (loss, too slow or too late)
};

/// The points of one target (a server and a transport, "wsinfra-native"), in the order they were measured.
struct SweepSeries
{
    QString target;
    QList<SweepPoint> points;
};

/// The sweep file that `tests/bench/run-bench.sh sweep` writes (build/bench/sweep-DATE.json):
/// `{"date": ..., "connections": N, "runs": [{"target", "deliveredPerSecond", "p50Ms", "p99Ms", "keptUp"}, ...]}`.
/// Runs group by target in the order targets first appear; other fields are ignored.
class SweepData
{
public:
    /// Parses a sweep file; on a malformed one returns nothing and says in `error` which field of which run
    /// is wrong, so that a hand-edited or truncated file is a clear error, not a wrong plot.
    static std::optional<SweepData> fromJson(const QByteArray &json, QString *error);

    QString date() const { return m_date; }
    /// Connections of the sweep; 0 when the file does not say.
    int connections() const { return m_connections; }
    QList<SweepSeries> series() const { return m_series; }

private:
    QString m_date;
    int m_connections = 0;
    QList<SweepSeries> m_series;
};

} // namespace wsinfra::bench
