#include "consolestate.h"

#include "protocol/jsoninteger.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// The largest integer a JavaScript reader of the same JSON can hold exactly.
constexpr qint64 MaxSafeInteger = (qint64(1) << 53) - 1;
constexpr qsizetype MaxIdLength = 256;

// Why a push is refused: a sentence naming the field; nullopt when the part is fine.
using Failure = std::optional<QString>;

// A figure for the charts: any JSON number, 0 for anything else; never undefined behaviour on huge values.
qint64 figureOf(const QJsonValue &value)
{
    if (!value.isDouble())
        return 0;
    const double number = value.toDouble();
    if (!std::isfinite(number))
        return 0;
    if (std::optional<qint64> exact = jsonInteger(value, -MaxSafeInteger, MaxSafeInteger))
        return *exact;
    return qint64(std::clamp(number, -double(MaxSafeInteger), double(MaxSafeInteger)));
}

double realOf(const QJsonValue &value)
{
    const double number = value.isDouble() ? value.toDouble() : 0.0;
    return std::isfinite(number) ? number : 0.0;
}

// The sum of the numbers of an object's values, saturating: a hostile push cannot overflow it.
qint64 sumOf(const QJsonObject &object)
{
    qint64 sum = 0;
    for (auto it = object.begin(); it != object.end(); ++it)
        sum = std::clamp(sum + figureOf(it.value()), -MaxSafeInteger, MaxSafeInteger);
    return sum;
}

QString indexed(const QString &where, qsizetype index)
{
    return u"%1[%2]"_s.arg(where).arg(index);
}

Failure parseRow(const QJsonValue &value, const QString &where, QList<QJsonObject> &rows)
{
    if (!value.isObject())
        return u"%1 must be an object"_s.arg(where);
    const QJsonObject row = value.toObject();
    const QJsonValue id = row.value("id"_L1);
    if (!id.isString() || id.toString().isEmpty() || id.toString().size() > MaxIdLength)
        return u"%1.id must be a non-empty string of at most %2 characters"_s.arg(where).arg(MaxIdLength);
    rows.append(row);
    return std::nullopt;
}

Failure parseRows(const QJsonValue &value, const QString &where, QList<QJsonObject> &rows)
{
    if (!value.isArray())
        return u"%1 must be an array"_s.arg(where);
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (Failure failure = parseRow(array.at(i), indexed(where, i), rows))
            return failure;
    }
    return std::nullopt;
}

Failure parseSubscriptions(const QJsonValue &value, const QString &where,
                           QList<std::pair<qint64, QStringList>> &subscriptions)
{
    if (!value.isArray())
        return u"%1 must be an array"_s.arg(where);
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString item = indexed(where, i);
        if (!array.at(i).isObject())
            return u"%1 must be an object"_s.arg(item);
        const QJsonObject row = array.at(i).toObject();
        const std::optional<qint64> billId = jsonInteger(row.value("bill_id"_L1), 1, MaxSafeInteger);
        if (!billId)
            return u"%1.bill_id must be an integer from 1 to 2^53-1"_s.arg(item);
        const QJsonValue usersValue = row.value("users"_L1);
        if (!usersValue.isArray())
            return u"%1.users must be an array"_s.arg(item);
        const QJsonArray users = usersValue.toArray();
        QStringList names;
        names.reserve(users.size());
        for (qsizetype u = 0; u < users.size(); ++u) {
            if (!users.at(u).isString())
                return u"%1.users[%2] must be a string"_s.arg(item).arg(u);
            names.append(users.at(u).toString());
        }
        subscriptions.append({*billId, names});
    }
    return std::nullopt;
}

Failure parseBillIds(const QJsonValue &value, const QString &where, QList<qint64> &bills)
{
    if (!value.isArray())
        return u"%1 must be an array"_s.arg(where);
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const std::optional<qint64> billId = jsonInteger(array.at(i), 1, MaxSafeInteger);
        if (!billId)
            return u"%1 must be an integer from 1 to 2^53-1"_s.arg(indexed(where, i));
        bills.append(*billId);
    }
    return std::nullopt;
}

Failure parseIds(const QJsonValue &value, const QString &where, QStringList &ids)
{
    if (!value.isArray())
        return u"%1 must be an array"_s.arg(where);
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString id = array.at(i).toString();
        if (!array.at(i).isString() || id.isEmpty() || id.size() > MaxIdLength)
            return u"%1 must be a non-empty string of at most %2 characters"_s.arg(indexed(where, i)).arg(MaxIdLength);
        ids.append(id);
    }
    return std::nullopt;
}

Failure parseEvents(const QJsonValue &value, QList<QJsonObject> &events)
{
    if (!value.isArray())
        return u"events must be an array"_s;
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString item = indexed(u"events"_s, i);
        if (!array.at(i).isObject())
            return u"%1 must be an object"_s.arg(item);
        const QJsonObject event = array.at(i).toObject();
        if (!jsonInteger(event.value("id"_L1), 0, MaxSafeInteger))
            return u"%1.id must be an integer from 0 to 2^53-1"_s.arg(item);
        events.append(event);
    }
    return std::nullopt;
}

Failure objectField(const QJsonObject &push, QLatin1StringView field, QJsonObject &out)
{
    const QJsonValue value = push.value(field);
    if (!value.isObject())
        return u"%1 must be an object"_s.arg(field);
    out = value.toObject();
    return std::nullopt;
}

} // namespace

// A push that passed validation, not yet applied.
struct ConsoleState::Parsed
{
    bool snapshot = false;
    qint64 seq = 0;
    qint64 atMs = 0;
    QJsonObject stats;
    QJsonObject health;
    QJsonObject metrics;
    QList<QJsonObject> rows;                     ///< snapshot: every row; delta: the added, then the changed rows
    QStringList removed;                         ///< delta
    QList<std::pair<qint64, QStringList>> bills; ///< snapshot: every bill; delta: the changed ones
    QList<qint64> billsRemoved;                  ///< delta
    QList<QJsonObject> events;
};

QJsonObject ConsoleState::Point::toJson() const
{
    return {{u"at"_s, atMs},
            {u"rss_bytes"_s, rssBytes},
            {u"memory_percent"_s, memoryPercent},
            {u"memory_level"_s, memoryLevel},
            {u"connections"_s, connections},
            {u"messages_in"_s, messagesIn},
            {u"messages_out"_s, messagesOut}};
}

ConsoleState::ConsoleState() : ConsoleState(Limits{}) {}

ConsoleState::ConsoleState(const Limits &limits)
    : m_limits(limits), m_events(limits.maxEvents), m_series(limits.maxSeriesPoints)
{
}

bool ConsoleState::apply(const QJsonObject &push, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };

    Parsed parsed;
    const QJsonValue type = push.value("type"_L1);
    if (type.isString() && type.toString() == "snapshot"_L1)
        parsed.snapshot = true;
    else if (!type.isString() || type.toString() != "delta"_L1)
        return fail(u"type must be \"snapshot\" or \"delta\""_s);

    const std::optional<qint64> seq = jsonInteger(push.value("seq"_L1), 1, MaxSafeInteger);
    if (!seq)
        return fail(u"seq must be an integer from 1 to 2^53-1"_s);
    parsed.seq = *seq;
    const std::optional<qint64> at = jsonInteger(push.value("at"_L1), 0, MaxSafeInteger);
    if (!at)
        return fail(u"at must be an integer from 0 to 2^53-1"_s);
    parsed.atMs = *at;

    for (const auto &[field, out] : {std::pair{"stats"_L1, &parsed.stats}, std::pair{"health"_L1, &parsed.health},
                                     std::pair{"metrics"_L1, &parsed.metrics}}) {
        if (Failure failure = objectField(push, field, *out))
            return fail(*failure);
    }

    const QJsonValue connections = push.value("connections"_L1);
    const QJsonValue subscriptions = push.value("subscriptions"_L1);
    if (parsed.snapshot) {
        if (Failure failure = parseRows(connections, u"connections"_s, parsed.rows))
            return fail(*failure);
        if (Failure failure = parseSubscriptions(subscriptions, u"subscriptions"_s, parsed.bills))
            return fail(*failure);
    } else {
        if (!connections.isObject())
            return fail(u"connections must be an object"_s);
        const QJsonObject parts = connections.toObject();
        for (const char *part : {"added", "changed"}) {
            const QLatin1StringView name(part);
            if (Failure failure = parseRows(parts.value(name), u"connections."_s + name, parsed.rows))
                return fail(*failure);
        }
        if (Failure failure = parseIds(parts.value("removed"_L1), u"connections.removed"_s, parsed.removed))
            return fail(*failure);
        if (!subscriptions.isObject())
            return fail(u"subscriptions must be an object"_s);
        const QJsonObject bills = subscriptions.toObject();
        if (Failure failure = parseSubscriptions(bills.value("changed"_L1), u"subscriptions.changed"_s, parsed.bills))
            return fail(*failure);
        if (Failure failure = parseBillIds(bills.value("removed"_L1), u"subscriptions.removed"_s, parsed.billsRemoved))
            return fail(*failure);
    }
    if (Failure failure = parseEvents(push.value("events"_L1), parsed.events))
        return fail(*failure);

    if (!parsed.snapshot) {
        if (!m_hasSnapshot)
            return fail(u"seq: a delta cannot be applied before a snapshot"_s);
        if (parsed.seq != m_seq + 1)
            return fail(u"seq: a delta must follow push %1, got %2"_s.arg(m_seq).arg(parsed.seq));
    }

    // The sizes the state would have, so that the limits refuse a push rather than cut it. For a delta this
    // costs what the delta holds, not what the state holds.
    qsizetype connectionCount = 0;
    qsizetype billCount = 0;
    if (parsed.snapshot) {
        QSet<QString> ids;
        for (const QJsonObject &row : std::as_const(parsed.rows))
            ids.insert(row.value("id"_L1).toString());
        QSet<qint64> bills;
        for (const auto &bill : std::as_const(parsed.bills))
            bills.insert(bill.first);
        connectionCount = ids.size();
        billCount = bills.size();
    } else {
        QSet<QString> gone;
        for (const QString &id : std::as_const(parsed.removed)) {
            if (m_connections.contains(id))
                gone.insert(id);
        }
        QSet<QString> arriving;
        for (const QJsonObject &row : std::as_const(parsed.rows)) {
            const QString id = row.value("id"_L1).toString();
            if (!m_connections.contains(id) || gone.contains(id))
                arriving.insert(id);
        }
        connectionCount = m_connections.size() - gone.size() + arriving.size();
        QSet<qint64> billsGone;
        for (qint64 billId : std::as_const(parsed.billsRemoved)) {
            if (m_subscriptions.contains(billId))
                billsGone.insert(billId);
        }
        QSet<qint64> billsArriving;
        for (const auto &bill : std::as_const(parsed.bills)) {
            if (!m_subscriptions.contains(bill.first) || billsGone.contains(bill.first))
                billsArriving.insert(bill.first);
        }
        billCount = m_subscriptions.size() - billsGone.size() + billsArriving.size();
    }
    if (connectionCount > m_limits.maxConnections)
        return fail(u"connections: more than %1 rows"_s.arg(m_limits.maxConnections));
    if (billCount > m_limits.maxBills)
        return fail(u"subscriptions: more than %1 bills"_s.arg(m_limits.maxBills));

    commit(parsed);
    return true;
}

void ConsoleState::commit(Parsed &parsed)
{
    Changes changes;
    changes.snapshot = parsed.snapshot;
    changes.fromSeq = m_seq;
    changes.fromAtMs = m_atMs;
    if (parsed.snapshot) {
        QMap<QString, QJsonObject> rows;
        for (QJsonObject &row : parsed.rows) {
            const QString id = row.value("id"_L1).toString();
            rows.insert(id, std::move(row));
        }
        for (auto it = rows.cbegin(); it != rows.cend(); ++it) {
            const auto before = m_connections.constFind(it.key());
            if (before == m_connections.cend())
                changes.connectionsAdded.append(it.key());
            else if (before.value() != it.value())
                changes.connectionsChanged.append(it.key());
        }
        for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
            if (!rows.contains(it.key()))
                changes.connectionsRemoved.append(it.key());
        }
        m_connections = std::move(rows);

        QMap<qint64, QStringList> bills;
        for (auto &bill : parsed.bills)
            bills.insert(bill.first, std::move(bill.second));
        for (auto it = bills.cbegin(); it != bills.cend(); ++it) {
            if (m_subscriptions.value(it.key()) != it.value() || !m_subscriptions.contains(it.key()))
                changes.billsChanged.append(it.key());
        }
        for (auto it = m_subscriptions.cbegin(); it != m_subscriptions.cend(); ++it) {
            if (!bills.contains(it.key()))
                changes.billsRemoved.append(it.key());
        }
        m_subscriptions = std::move(bills);
    } else {
        // Removals first: a row the same delta adds again (which the service does not send) stays.
        for (const QString &id : std::as_const(parsed.removed)) {
            if (m_connections.remove(id) > 0)
                changes.connectionsRemoved.append(id);
        }
        for (QJsonObject &row : parsed.rows) {
            const QString id = row.value("id"_L1).toString();
            const auto before = m_connections.find(id);
            if (before == m_connections.end()) {
                changes.connectionsAdded.append(id);
                m_connections.insert(id, std::move(row));
            } else if (before.value() != row) {
                changes.connectionsChanged.append(id);
                before.value() = std::move(row);
            }
        }
        for (qint64 billId : std::as_const(parsed.billsRemoved)) {
            if (m_subscriptions.remove(billId) > 0)
                changes.billsRemoved.append(billId);
        }
        for (auto &bill : parsed.bills) {
            const auto before = m_subscriptions.find(bill.first);
            if (before == m_subscriptions.end()) {
                changes.billsChanged.append(bill.first);
                m_subscriptions.insert(bill.first, std::move(bill.second));
            } else if (before.value() != bill.second) {
                changes.billsChanged.append(bill.first);
                before.value() = std::move(bill.second);
            }
        }
    }
    m_changes = std::move(changes);
    m_hasSnapshot = true;
    m_seq = parsed.seq;
    m_atMs = parsed.atMs;
    m_stats = std::move(parsed.stats);
    m_health = std::move(parsed.health);
    m_metrics = std::move(parsed.metrics);
    appendEvents(parsed.events, parsed.snapshot);
    appendPoint();
}

void ConsoleState::appendEvents(const QList<QJsonObject> &events, bool snapshot)
{
    m_changes.eventsReplaced = 0;
    // A snapshot repeats the latest events; those already held from its first id on are replaced rather
    // than doubled. After a restart of the service its ids begin again, which replaces everything held.
    if (snapshot && !events.isEmpty()) {
        qint64 firstId = std::numeric_limits<qint64>::max();
        for (const QJsonObject &event : events)
            firstId = std::min(firstId, event.value("id"_L1).toInteger());
        qsizetype keep = 0;
        while (keep < m_events.size() && m_events.at(keep).value("id"_L1).toInteger() < firstId)
            ++keep;
        if (keep < m_events.size()) {
            CircularBuffer<QJsonObject> kept(m_limits.maxEvents);
            for (qsizetype i = 0; i < keep; ++i)
                kept.push(m_events.at(i));
            m_changes.eventsReplaced = m_events.size() - keep;
            m_events = std::move(kept);
        }
    }
    const qsizetype held = m_events.size();
    for (const QJsonObject &event : events)
        m_events.push(event);
    // The bound pushes out the events held before first, then, if this push alone exceeds it, its own oldest.
    const qsizetype overflow = held + events.size() - m_events.size();
    m_changes.eventsDropped = std::min(overflow, held);
    m_changes.eventsAdded = events.size() - (overflow - m_changes.eventsDropped);
}

void ConsoleState::appendPoint()
{
    const QJsonObject memory = m_metrics.value("memory"_L1).toObject();
    const QJsonObject traffic = m_metrics.value("traffic"_L1).toObject();
    Point point;
    point.atMs = m_atMs;
    point.rssBytes = memory.contains("rssBytes"_L1) ? figureOf(memory.value("rssBytes"_L1))
                                                    : figureOf(m_stats.value("memoryUsage"_L1));
    point.memoryPercent =
        memory.contains("percent"_L1) ? realOf(memory.value("percent"_L1)) : realOf(m_health.value("memoryUsage"_L1));
    point.memoryLevel = memory.value("level"_L1).toString();
    // One level string shared by the run of points that have it, rather than one copy per point.
    if (!m_series.isEmpty() && m_series.back().memoryLevel == point.memoryLevel)
        point.memoryLevel = m_series.back().memoryLevel;
    point.connections = figureOf(m_stats.value("activeConnections"_L1));
    point.messagesIn = sumOf(traffic.value("received"_L1).toObject());
    point.messagesOut = sumOf(traffic.value("sent"_L1).toObject());
    m_series.push(std::move(point));
    const qint64 newest = m_series.back().atMs;
    while (m_series.size() > 1 && m_series.front().atMs < newest - m_limits.seriesWindowMs)
        m_series.removeFront(1);
}

QJsonObject ConsoleState::toJson() const
{
    QJsonArray connections;
    for (const QJsonObject &row : m_connections)
        connections.append(row);
    QJsonArray subscriptions;
    for (auto it = m_subscriptions.cbegin(); it != m_subscriptions.cend(); ++it)
        subscriptions.append(
            QJsonObject{{u"bill_id"_s, it.key()}, {u"users"_s, QJsonArray::fromStringList(it.value())}});
    QJsonArray events;
    for (const QJsonObject &event : m_events)
        events.append(event);
    QJsonArray series;
    for (const Point &point : m_series)
        series.append(point.toJson());
    return {{u"seq"_s, m_seq},
            {u"at"_s, m_atMs},
            {u"stats"_s, m_stats},
            {u"health"_s, m_health},
            {u"metrics"_s, m_metrics},
            {u"connections"_s, connections},
            {u"subscriptions"_s, subscriptions},
            {u"events"_s, events},
            {u"series"_s, series}};
}

} // namespace wsinfra
