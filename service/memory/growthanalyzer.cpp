#include "memory/growthanalyzer.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace wsinfra {

GrowthAnalyzer::Fit GrowthAnalyzer::fit(const QList<Point> &points)
{
    Fit result;
    result.samples = int(points.size());
    if (points.isEmpty())
        return result;
    // Centred sums: timestamps in milliseconds since the epoch squared would lose the precision of a double.
    double meanX = 0.0;
    double meanY = 0.0;
    double minX = points.first().x;
    double maxX = points.first().x;
    for (const Point &point : points) {
        meanX += point.x;
        meanY += point.y;
        minX = std::min(minX, point.x);
        maxX = std::max(maxX, point.x);
    }
    meanX /= double(points.size());
    meanY /= double(points.size());
    double sxx = 0.0;
    double sxy = 0.0;
    double syy = 0.0;
    for (const Point &point : points) {
        const double dx = point.x - meanX;
        const double dy = point.y - meanY;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    result.slope = sxx > 0.0 ? sxy / sxx : 0.0;
    result.intercept = meanY - result.slope * meanX;
    // Two points always lie on a line: R² means something from three on.
    if (points.size() >= 3 && sxx > 0.0 && syy > 0.0)
        result.rSquared = std::clamp(sxy * sxy / (sxx * syy), 0.0, 1.0);
    result.span = maxX - minX;
    result.fittedStart = result.intercept + result.slope * minX;
    result.fittedEnd = result.intercept + result.slope * maxX;
    result.growthPercent = 100.0 * result.growth() / std::max(std::abs(result.fittedStart), 1.0);
    return result;
}

GrowthAnalyzer::Judgement GrowthAnalyzer::judge(const QList<Point> &series, const QList<Point> &load,
                                                const Criteria &criteria)
{
    Judgement judgement;
    judgement.fit = fit(series);
    judgement.load = fit(load);
    if (series.size() < std::max(3, criteria.minSamples)) {
        judgement.verdict = Verdict::NotEnoughData;
        return judgement;
    }
    const Fit &line = judgement.fit;
    if (line.slope <= 0.0 || line.growthPercent < criteria.minGrowthPercent || line.growth() < criteria.minGrowth) {
        judgement.verdict = Verdict::Flat;
        return judgement;
    }
    if (line.rSquared < criteria.minRSquared) {
        judgement.verdict = Verdict::Noisy;
        return judgement;
    }
    // A load that fell or stayed flat explains no growth; one that grew may explain it all.
    if (load.size() >= 2 && judgement.load.growthPercent > criteria.maxLoadGrowthPercent) {
        judgement.verdict = Verdict::FollowsLoad;
        return judgement;
    }
    judgement.verdict = Verdict::Growing;
    return judgement;
}

QString GrowthAnalyzer::verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::NotEnoughData:
        return u"not_enough_data"_s;
    case Verdict::Flat:
        return u"flat"_s;
    case Verdict::Noisy:
        return u"noisy"_s;
    case Verdict::FollowsLoad:
        return u"follows_load"_s;
    case Verdict::Growing:
        return u"growing"_s;
    }
    return u"flat"_s;
}

} // namespace wsinfra
