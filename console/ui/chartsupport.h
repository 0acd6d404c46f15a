#pragma once

#include "consolestate.h"

#include <QColor>
#include <QString>

class QLabel;
class QXYSeries;

namespace wsinfra {

// What the console's chart pages share: the memory levels' names and colours, round axis scales, and
// the bookkeeping of time series that slide with the pushes.

/// The colours of the memory levels and of health: green, amber, orange, red; grey for unknown.
namespace LevelColour {
inline const QColor Normal(0x2e, 0x7d, 0x32);
inline const QColor Warning(0xf5, 0x9e, 0x0b);
inline const QColor Critical(0xea, 0x58, 0x0c);
inline const QColor Emergency(0xc6, 0x28, 0x28);
inline const QColor Unknown(0x75, 0x75, 0x75);
} // namespace LevelColour

/// 0 normal, 1 warning, 2 critical, 3 emergency for a memory level's name; -1 for another.
int memoryLevelIndex(const QString &level);
/// The colour of a level by index (0-3); LevelColour::Unknown otherwise.
QColor memoryLevelColour(int index);
/// A level's name for people, translated ("Normal", "Warning", ...); "-" for an empty one, the name itself
/// for one this console does not know.
QString memoryLevelText(const QString &level);

/// Sets a label's text colour through its palette: a style sheet would re-polish it at every push.
void setTextColour(QLabel *label, const QColor &colour);

/// A round axis top at or above `value` (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten), so that an
/// axis moves seldom and reads well.
double niceTop(double value);
/// Ticks for an axis from 0 to a niceTop() value, so that the labels fall on round numbers.
int tickCountFor(double top);

/// The index of the first point of `series` later than `afterMs` (series.size() when none is).
qsizetype firstPointAfter(const CircularBuffer<ConsoleState::Point> &series, qint64 afterMs);
/// Removes the points before `x` from the front of `series`; true when any went.
bool dropPointsBefore(QXYSeries *series, double x);
/// The largest y of `series`, at least 0.
double maxY(const QXYSeries *series);

} // namespace wsinfra
