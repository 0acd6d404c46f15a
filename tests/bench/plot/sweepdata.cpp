// sweepdata.cpp: reading the sweep file of run-bench.sh, strictly.
#include "sweepdata.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsinfra::bench {

std::optional<SweepData> SweepData::fromJson(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = u"not JSON: %1 at offset %2"_s.arg(parseError.errorString()).arg(parseError.offset);
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = u"not a JSON object"_s;
        return std::nullopt;
    }
    const QJsonObject root = document.object();
    SweepData data;
    if (!root.value(u"date"_s).isString() || root.value(u"date"_s).toString().isEmpty()) {
        *error = u"no string 'date'"_s;
        return std::nullopt;
    }
    data.m_date = root.value(u"date"_s).toString();
    // Optional: only the title uses it.
    const QJsonValue connections = root.value(u"connections"_s);
    if (!connections.isUndefined()) {
        if (!connections.isDouble() || connections.toDouble() < 0 || connections.toDouble() > 1e9) {
            *error = u"'connections' is not a number of connections"_s;
            return std::nullopt;
        }
        data.m_connections = connections.toInt();
    }
    if (!root.value(u"runs"_s).isArray()) {
        *error = u"no array 'runs'"_s;
        return std::nullopt;
    }
    const QJsonArray runs = root.value(u"runs"_s).toArray();
    if (runs.isEmpty()) {
        *error = u"'runs' is empty: nothing to plot"_s;
        return std::nullopt;
    }
    for (qsizetype index = 0; index < runs.size(); ++index) {
        const QString where = u"runs[%1]"_s.arg(index);
        if (!runs.at(index).isObject()) {
            *error = where + u": not an object"_s;
            return std::nullopt;
        }
        const QJsonObject run = runs.at(index).toObject();
        const QString target = run.value(u"target"_s).toString();
        if (target.isEmpty()) {
            *error = where + u": no string 'target'"_s;
            return std::nullopt;
        }
        SweepPoint point;
        // A latency of -1 is the load tool's "nothing arrived": kept, and left out of the plot.
        const auto number = [&](const QString &key, double minimum, double *target) {
            const QJsonValue value = run.value(key);
            if (!value.isDouble() || value.toDouble() < minimum) {
                *error = where + u": '%1' is missing or not a number of at least %2"_s.arg(key).arg(minimum);
                return false;
            }
            *target = value.toDouble();
            return true;
        };
        if (!number(u"deliveredPerSecond"_s, 0, &point.deliveredPerSecond) || !number(u"p50Ms"_s, -1, &point.p50Ms) ||
            !number(u"p99Ms"_s, -1, &point.p99Ms))
            return std::nullopt;
        const QJsonValue keptUp = run.value(u"keptUp"_s);
        if (!keptUp.isUndefined() && !keptUp.isBool()) {
            *error = where + u": 'keptUp' is not true or false"_s;
            return std::nullopt;
        }
        point.keptUp = keptUp.toBool(true);
        auto series = std::find_if(data.m_series.begin(), data.m_series.end(),
                                   [&](const SweepSeries &candidate) { return candidate.target == target; });
        if (series == data.m_series.end()) {
            data.m_series.append(SweepSeries{target, {}});
            series = data.m_series.end() - 1;
        }
        series->points.append(point);
    }
    return data;
}

} // namespace wsinfra::bench
