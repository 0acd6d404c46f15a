#include "snapshotexporter.h"

#include "consolestate.h"
#include "protocol/codes.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSaveFile>
#include <QStringList>

#include <cmath>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr qint64 MaxSafeInteger = (qint64(1) << 53) - 1;

// One cell for a JSON value: numbers as written (integers without a decimal point), arrays of scalars
// joined with ';' as the users of a bill are, anything deeper as compact JSON.
QString cellOf(const QJsonValue &value);

QString scalarOf(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: {
        const double number = value.toDouble();
        if (std::isfinite(number) && number == std::floor(number) && std::abs(number) <= double(MaxSafeInteger))
            return QString::number(value.toInteger(qint64(number)));
        return QString::number(number, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return {};
    case QJsonValue::Array:
    case QJsonValue::Object:
        break;
    }
    return cellOf(value);
}

QString cellOf(const QJsonValue &value)
{
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        QStringList parts;
        bool flat = true;
        for (const QJsonValue &item : array) {
            flat = flat && !item.isArray() && !item.isObject();
            parts.append(flat ? scalarOf(item) : QString());
        }
        if (flat)
            return parts.join(u';');
        return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
    }
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    return scalarOf(value);
}

void appendRow(QString &out, const QStringList &fields)
{
    bool first = true;
    for (const QString &field : fields) {
        if (!first)
            out += u',';
        first = false;
        out += SnapshotExporter::csvField(field);
    }
    out += "\r\n"_L1;
}

QString timeOf(qint64 atMs)
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(atMs, Qt::UTC);
    return time.isValid() ? time.toString(Qt::ISODateWithMs) : QString();
}

Result<bool> save(const QString &path, const QByteArray &data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        return Error{QString(ErrorCode::Unavailable), u"cannot write %1: %2"_s.arg(path, file.errorString())};
    }
    return true;
}

} // namespace

Result<SnapshotExporter::Format> SnapshotExporter::formatOf(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == "json"_L1)
        return Format::Json;
    if (suffix == "csv"_L1)
        return Format::Csv;
    return Error{QString(ErrorCode::BadRequest),
                 u"unknown extension of %1: the export is written as .json or .csv"_s.arg(path)};
}

Result<bool> SnapshotExporter::write(const ConsoleState &state, const QString &path)
{
    const Result<Format> format = formatOf(path);
    if (!format)
        return format.error();
    return *format == Format::Json ? writeJson(state, path) : writeCsv(state, path);
}

Result<bool> SnapshotExporter::writeJson(const ConsoleState &state, const QString &path)
{
    return save(path, QJsonDocument(state.toJson()).toJson(QJsonDocument::Indented));
}

Result<bool> SnapshotExporter::writeCsv(const ConsoleState &state, const QString &path)
{
    return save(path, toCsv(state));
}

QString SnapshotExporter::csvField(const QString &text)
{
    const bool quote = text.contains(u',') || text.contains(u'"') || text.contains(u'\r') || text.contains(u'\n');
    if (!quote)
        return text;
    QString escaped = text;
    escaped.replace(u'"', "\"\""_L1);
    return u'"' + escaped + u'"';
}

QByteArray SnapshotExporter::toCsv(const ConsoleState &state)
{
    QString out;
    appendRow(out, {u"# series"_s});
    appendRow(out, {u"at"_s, u"time"_s, u"rss_bytes"_s, u"memory_percent"_s, u"memory_level"_s, u"connections"_s,
                    u"messages_in"_s, u"messages_out"_s});
    for (const ConsoleState::Point &point : state.series()) {
        appendRow(out, {QString::number(point.atMs), timeOf(point.atMs), QString::number(point.rssBytes),
                        QString::number(point.memoryPercent, 'g', QLocale::FloatingPointShortest), point.memoryLevel,
                        QString::number(point.connections), QString::number(point.messagesIn),
                        QString::number(point.messagesOut)});
    }

    out += "\r\n"_L1;
    appendRow(out, {u"# connections"_s});
    static const QStringList connectionColumns{u"id"_s,           u"user"_s,      u"address"_s,      u"transport"_s,
                                               u"since"_s,        u"last_seen"_s, u"queued_bytes"_s, u"messages_in"_s,
                                               u"messages_out"_s, u"bills"_s};
    appendRow(out, connectionColumns);
    for (const QJsonObject &row : state.connections()) {
        QStringList fields;
        for (const QString &column : connectionColumns)
            fields.append(cellOf(row.value(column)));
        appendRow(out, fields);
    }

    out += "\r\n"_L1;
    appendRow(out, {u"# subscriptions"_s});
    appendRow(out, {u"bill_id"_s, u"subscribers"_s, u"users"_s});
    const QMap<qint64, QStringList> &subscriptions = state.subscriptions();
    for (auto it = subscriptions.cbegin(); it != subscriptions.cend(); ++it)
        appendRow(out, {QString::number(it.key()), QString::number(it.value().size()), it.value().join(u';')});

    out += "\r\n"_L1;
    appendRow(out, {u"# stats"_s});
    appendRow(out, {u"key"_s, u"value"_s});
    const QJsonObject &stats = state.stats();
    for (auto it = stats.begin(); it != stats.end(); ++it)
        appendRow(out, {it.key(), cellOf(it.value())});
    return out.toUtf8();
}

} // namespace wsinfra
