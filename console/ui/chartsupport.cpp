#include "ui/chartsupport.h"

#include <QCoreApplication>
#include <QLabel>
#include <QXYSeries>

#include <algorithm>
#include <array>
#include <cmath>

using namespace Qt::StringLiterals;

namespace wsinfra {

int memoryLevelIndex(const QString &level)
{
    static constexpr std::array<QLatin1StringView, 4> names{"normal"_L1, "warning"_L1, "critical"_L1, "emergency"_L1};
    const auto found = std::find(names.cbegin(), names.cend(), level);
    return found == names.cend() ? -1 : int(found - names.cbegin());
}

QColor memoryLevelColour(int index)
{
    switch (index) {
    case 0:
        return LevelColour::Normal;
    case 1:
        return LevelColour::Warning;
    case 2:
        return LevelColour::Critical;
    case 3:
        return LevelColour::Emergency;
    default:
        return LevelColour::Unknown;
    }
}

QString memoryLevelText(const QString &level)
{
    switch (memoryLevelIndex(level)) {
    case 0:
        return QCoreApplication::translate("wsinfra::MemoryLevel", "Normal");
    case 1:
        return QCoreApplication::translate("wsinfra::MemoryLevel", "Warning");
    case 2:
        return QCoreApplication::translate("wsinfra::MemoryLevel", "Critical");
    case 3:
        return QCoreApplication::translate("wsinfra::MemoryLevel", "Emergency");
    default:
        return level.isEmpty() ? u"-"_s : level;
    }
}

void setTextColour(QLabel *label, const QColor &colour)
{
    if (label->palette().color(QPalette::WindowText) == colour)
        return;
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, colour);
    label->setPalette(palette);
}

double niceTop(double value)
{
    const double magnitude = std::pow(10.0, std::floor(std::log10(std::max(value, 1e-9))));
    for (const double step : {1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0}) {
        if (step * magnitude >= value)
            return step * magnitude;
    }
    return 10.0 * magnitude;
}

int tickCountFor(double top)
{
    const double step = top / std::pow(10.0, std::floor(std::log10(std::max(top, 1e-9))));
    const auto near = [step](double value) { return std::abs(step - value) < 0.01; };
    if (near(1.5) || near(3.0) || near(6.0))
        return 4;
    if (near(2.0) || near(4.0) || near(8.0))
        return 5;
    return 6;
}

qsizetype firstPointAfter(const CircularBuffer<ConsoleState::Point> &series, qint64 afterMs)
{
    qsizetype low = 0;
    qsizetype high = series.size();
    while (low < high) {
        const qsizetype middle = low + (high - low) / 2;
        if (series.at(middle).atMs > afterMs)
            high = middle;
        else
            low = middle + 1;
    }
    return low;
}

bool dropPointsBefore(QXYSeries *series, double x)
{
    int count = 0;
    while (count < series->count() && series->at(count).x() < x)
        ++count;
    if (count > 0)
        series->removePoints(0, count);
    return count > 0;
}

double maxY(const QXYSeries *series)
{
    double max = 0.0;
    const QList<QPointF> points = series->points();
    for (const QPointF &point : points)
        max = std::max(max, point.y());
    return max;
}

} // namespace wsinfra
