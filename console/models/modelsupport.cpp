#include "models/modelsupport.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <array>
#include <cmath>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// The largest integer a JavaScript writer of the same JSON can hold exactly.
constexpr qint64 MaxSafeInteger = (qint64(1) << 53) - 1;

} // namespace

QString displayTime(qint64 ms)
{
    return ms == 0 ? QString() : QDateTime::fromMSecsSinceEpoch(ms).toString(u"hh:mm:ss"_s);
}

QString displayDateTime(qint64 ms)
{
    return ms == 0 ? QString() : QDateTime::fromMSecsSinceEpoch(ms).toString(u"yyyy-MM-dd hh:mm:ss.zzz"_s);
}

QString displayBytes(qint64 bytes)
{
    // Not QLocale::formattedDataSize(): its traditional format writes "kB" where operators expect "KB".
    static constexpr std::array<QLatin1StringView, 6> Units{"KB"_L1, "MB"_L1, "GB"_L1, "TB"_L1, "PB"_L1, "EB"_L1};
    const QLocale locale;
    if (bytes > -1024 && bytes < 1024)
        return QCoreApplication::translate("wsinfra::displayBytes", "%1 bytes").arg(locale.toString(bytes));
    double value = double(bytes);
    std::size_t unit = 0;
    for (value /= 1024; std::abs(value) >= 1024 && unit + 1 < Units.size(); value /= 1024)
        ++unit;
    return locale.toString(value, 'f', 1) + u' ' + Units.at(unit);
}

qint64 jsonCount(const QJsonValue &value)
{
    if (!value.isDouble())
        return 0;
    const double number = value.toDouble();
    if (!std::isfinite(number))
        return 0;
    // Clamp as a double first: converting a double beyond qint64 is undefined behaviour.
    return qint64(std::clamp(std::trunc(number), -double(MaxSafeInteger), double(MaxSafeInteger)));
}

QList<std::pair<qsizetype, qsizetype>> contiguousRuns(QList<qsizetype> rows)
{
    std::sort(rows.begin(), rows.end());
    QList<std::pair<qsizetype, qsizetype>> runs;
    for (qsizetype row : std::as_const(rows)) {
        if (!runs.isEmpty() && runs.back().second + 1 == row)
            runs.back().second = row;
        else
            runs.append({row, row});
    }
    return runs;
}

} // namespace wsinfra
