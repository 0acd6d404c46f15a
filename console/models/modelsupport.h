#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>

#include <utility>

namespace wsinfra {

// Small helpers the console's item models share: display text for times and sizes, tolerant reading of
// the numbers of a push row, and grouping of rows into the contiguous runs that model signals take.

/// `ms` since the epoch as local time "hh:mm:ss"; empty for 0 (a field the row did not have).
QString displayTime(qint64 ms);
/// `ms` since the epoch as local "yyyy-MM-dd hh:mm:ss.zzz", for tool tips; empty for 0.
QString displayDateTime(qint64 ms);
/// A byte count as short human text in powers of 1024 ("900 bytes", "1.2 KB"), in the default locale.
QString displayBytes(qint64 bytes);
/// A JSON number as an integer, clamped to ±2^53; 0 for anything that is not a finite number.
qint64 jsonCount(const QJsonValue &value);
/// `rows` (in any order, without duplicates) as inclusive [first, last] runs of consecutive rows, ascending.
QList<std::pair<qsizetype, qsizetype>> contiguousRuns(QList<qsizetype> rows);

} // namespace wsinfra
