#pragma once

#include <QList>
#include <QString>

namespace wsinfra {

/// The arithmetic of leak detection, kept free of clocks, I/O and service state so that it can be
/// tested with made-up series: a least-squares line through a series, how well the line explains
/// it (R²), and the decision whether the series grows in a way the load does not explain.
class GrowthAnalyzer
{
public:
    struct Point
    {
        double x = 0.0; ///< time, in any unit (the slope is per unit)
        double y = 0.0;
    };

    struct Fit
    {
        int samples = 0;
        double slope = 0.0; ///< y per x unit
        double intercept = 0.0;
        /// Coefficient of determination of the line, 0..1; 0 with fewer than 3 points or a constant series.
        double rSquared = 0.0;
        double fittedStart = 0.0; ///< the line at the first x
        double fittedEnd = 0.0;   ///< the line at the last x
        double span = 0.0;        ///< last x - first x
        /// Growth of the line over the span, in percent of its start (of 1 when the start is below 1).
        double growthPercent = 0.0;
        double growth() const { return fittedEnd - fittedStart; }
    };

    struct Criteria
    {
        int minSamples = 10;
        double minRSquared = 0.8;          ///< below: too noisy to call a trend
        double minGrowthPercent = 10.0;    ///< over the window
        double minGrowth = 0.0;            ///< absolute, in y units, over the window
        double maxLoadGrowthPercent = 5.0; ///< the load grew more: the growth may follow it
    };

    enum class Verdict {
        NotEnoughData, ///< fewer than minSamples points
        Flat,          ///< no significant growth (including shrinking)
        Noisy,         ///< grows, but R² is below minRSquared
        FollowsLoad,   ///< grows, but so does the load
        Growing,       ///< grows steadily while the load does not: a leak suspect
    };

    struct Judgement
    {
        Verdict verdict = Verdict::NotEnoughData;
        Fit fit;
        Fit load;
    };

    /// The least-squares line through `points` (in any order of x; points with equal x are fine).
    static Fit fit(const QList<Point> &points);
    /// Judges `series` against `load` (the connection count sampled at the same moments; empty: no load).
    static Judgement judge(const QList<Point> &series, const QList<Point> &load, const Criteria &criteria);
    /// "not_enough_data", "flat", "noisy", "follows_load", "growing".
    static QString verdictName(Verdict verdict);
};

} // namespace wsinfra
