#include "core/eventlog.h"

#include <QJsonArray>

#include "util/clock.h"

using namespace Qt::StringLiterals;

namespace wsinfra {

QJsonObject EventLog::Event::toJson() const
{
    return {{u"id"_s, id},
            {u"timestamp"_s, timestampMs},
            {u"level"_s, levelName(level)},
            {u"category"_s, category},
            {u"message"_s, message}};
}

EventLog::EventLog(const Clock &clock, int capacity) : m_clock(clock), m_capacity(qMax(1, capacity)) {}

qint64 EventLog::append(Level level, const QString &category, const QString &message)
{
    const qint64 now = m_clock.nowMs();
    const QMutexLocker locker(&m_mutex);
    if (int(m_events.size()) >= m_capacity)
        m_events.pop_front();
    m_events.push_back({++m_lastId, now, level, category, message});
    return m_lastId;
}

QList<EventLog::Event> EventLog::since(qint64 afterId, int limit, qint64 *lastId) const
{
    QList<Event> events;
    const QMutexLocker locker(&m_mutex);
    if (lastId)
        *lastId = m_lastId;
    if (limit <= 0 || m_events.empty() || afterId >= m_lastId)
        return events;
    // Ids are consecutive, so the first wanted event's position is arithmetic.
    const qint64 firstId = m_events.front().id;
    const qint64 start = qMax<qint64>(0, afterId + 1 - firstId);
    const qint64 end = qMin<qint64>(qint64(m_events.size()), start + limit);
    events.reserve(qsizetype(end - start));
    for (qint64 i = start; i < end; ++i)
        events.append(m_events[size_t(i)]);
    return events;
}

qint64 EventLog::lastId() const
{
    const QMutexLocker locker(&m_mutex);
    return m_lastId;
}

int EventLog::size() const
{
    const QMutexLocker locker(&m_mutex);
    return int(m_events.size());
}

QString EventLog::levelName(Level level)
{
    switch (level) {
    case Level::Info:
        return u"info"_s;
    case Level::Warning:
        return u"warning"_s;
    case Level::Error:
        return u"error"_s;
    }
    return u"info"_s;
}

QJsonObject EventLog::page(qint64 afterId, int limit) const
{
    qint64 latestId = 0;
    const QList<Event> events = since(afterId, limit, &latestId);
    QJsonArray items;
    for (const Event &event : events)
        items.append(event.toJson());
    const qint64 lastId = events.isEmpty() ? latestId : events.last().id;
    return QJsonObject{{QStringLiteral("events"), items}, {QStringLiteral("last_id"), lastId}};
}

} // namespace wsinfra
