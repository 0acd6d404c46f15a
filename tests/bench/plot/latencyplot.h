#pragma once

#include "sweepdata.h"

#include <QColor>
#include <QImage>
#include <QSize>

namespace wsinfra::bench {

/// The figure of docs/benchmarks.md: p99 latency (log scale) against delivered deliveries per second, one
/// solid line per target, its p50 dashed in the same colour, the point that ended a target's sweep circled.
/// Rendered with Qt Charts into an image, so that it runs without a display (QT_QPA_PLATFORM=offscreen);
/// needs a QApplication.
class LatencyPlot
{
public:
    explicit LatencyPlot(SweepData data);

    /// The plot at `size` pixels, white background.
    QImage render(QSize size) const;

    /// The line colour of a target: fixed for the four targets of run-bench.sh, so that figures of
    /// different runs compare at a glance; from a spare list for another.
    static QColor colourOf(const QString &target, int index);

private:
    SweepData m_data;
};

} // namespace wsinfra::bench
