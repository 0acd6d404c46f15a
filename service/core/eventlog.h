#pragma once

#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>

#include <deque>

namespace wsinfra {

class Clock;

/// What an operator must see (memory pressure changed, the service started or is stopping), kept in
/// a bounded ring so that the console and `GET /api/events` can read it. Each event gets an id one
/// above the previous, so a reader asks for what followed the last id it saw. Thread-safe.
class EventLog
{
public:
    enum class Level { Info, Warning, Error };

    struct Event
    {
        qint64 id = 0;
        qint64 timestampMs = 0;
        Level level = Level::Info;
        QString category;
        QString message;

        /// {"id","timestamp","level","category","message"}
        QJsonObject toJson() const;
    };

    static constexpr int DefaultCapacity = 1000;

    explicit EventLog(const Clock &clock, int capacity = DefaultCapacity);

    /// Records an event (the oldest gives way beyond the capacity) and returns its id.
    qint64 append(Level level, const QString &category, const QString &message);
    /// The kept events with an id above `afterId`, oldest first, at most `limit` of them; `lastId`,
    /// when given, gets the latest id at the same moment.
    QList<Event> since(qint64 afterId, int limit, qint64 *lastId = nullptr) const;
    /// {"events":[...],"last_id"}: since(afterId, limit) as the HTTP API and the control port answer it;
    /// with nothing newer, last_id is the log's latest (which also resynchronises a reader whose id is
    /// from before a restart).
    QJsonObject page(qint64 afterId, int limit) const;
    /// The id of the latest event (0 before the first).
    qint64 lastId() const;
    int size() const;
    int capacity() const { return m_capacity; }

    /// "info", "warning", "error".
    static QString levelName(Level level);

private:
    const Clock &m_clock;
    const int m_capacity;
    mutable QMutex m_mutex;
    std::deque<Event> m_events;
    qint64 m_lastId = 0;
};

} // namespace wsinfra
