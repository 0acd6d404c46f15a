#pragma once

#include "util/circularbuffer.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace wsinfra {

/// What the console knows of one node, built from the pushes of its control port
/// (docs/control-protocol.md, "Snapshot and deltas"): the latest snapshot with every delta applied since,
/// the recent event log, and a time series with one point per push for the charts. Every push is
/// validated as a whole before any of it is applied, so a malformed one leaves the state as it was.
/// Everything is bounded (see Limits) whatever the service sends.
class ConsoleState
{
public:
    struct Limits
    {
        qsizetype maxEvents = 10'000;
        qsizetype maxSeriesPoints = 86'400;            ///< 24 h at one push a second
        qint64 seriesWindowMs = 24LL * 60 * 60 * 1000; ///< points older than this before the newest go
        qsizetype maxConnections = 1'000'000;          ///< a push that would hold more rows is refused
        qsizetype maxBills = 1'000'000;                ///< likewise for subscribed bills
    };

    /// One point of the time series, read from a push's stats, health and metrics. Missing or
    /// non-numeric figures read as 0 (or an empty level), so a service that grows its metrics does not
    /// stop the charts. The message counts are totals since the service started (the sums of
    /// metrics.traffic.received and metrics.traffic.sent over all message types), not rates.
    struct Point
    {
        qint64 atMs = 0;
        qint64 rssBytes = 0;        ///< metrics.memory.rssBytes, else stats.memoryUsage
        double memoryPercent = 0.0; ///< metrics.memory.percent, else health.memoryUsage
        QString memoryLevel;        ///< metrics.memory.level ("normal", "warning", ...)
        qint64 connections = 0;     ///< stats.activeConnections
        qint64 messagesIn = 0;
        qint64 messagesOut = 0;

        /// {"at","rss_bytes","memory_percent","memory_level","connections","messages_in","messages_out"}
        QJsonObject toJson() const;
    };

    /// What the last successful apply() changed, so that item models can merge it in place. For a
    /// snapshot the lists are the difference to the state before it. The events went, in this order:
    /// `eventsDropped` from the front (the bound), `eventsReplaced` from the back (a snapshot sent them
    /// again), then `eventsAdded` were appended.
    struct Changes
    {
        bool snapshot = false;
        // The push these changes lead from (seq and time; both 0 for the first): a consumer that shows
        // that push can merge them, whether this one is a delta or a snapshot.
        qint64 fromSeq = 0;
        qint64 fromAtMs = 0;
        QStringList connectionsAdded;
        QStringList connectionsChanged;
        QStringList connectionsRemoved;
        QList<qint64> billsChanged; ///< added or with other subscribers
        QList<qint64> billsRemoved;
        qsizetype eventsDropped = 0;
        qsizetype eventsReplaced = 0;
        qsizetype eventsAdded = 0;
    };

    ConsoleState();
    explicit ConsoleState(const Limits &limits);

    /// Applies one `snapshot` or `delta` push. A delta must follow the previous push (seq + 1) of a state
    /// that has had a snapshot. On a malformed push returns false, sets `*error` (when given) to a sentence
    /// naming the offending field, e.g. "connections.added[2].id must be a non-empty string", and leaves
    /// the state unchanged. Unknown extra fields are ignored.
    bool apply(const QJsonObject &push, QString *error = nullptr);

    bool hasSnapshot() const { return m_hasSnapshot; }
    /// The seq of the last push applied (0 before the first).
    qint64 seq() const { return m_seq; }
    /// The service's time of the last push applied, in ms since the epoch.
    qint64 atMs() const { return m_atMs; }
    const QJsonObject &stats() const { return m_stats; }
    const QJsonObject &health() const { return m_health; }
    const QJsonObject &metrics() const { return m_metrics; }
    /// Connection rows by their public id.
    const QMap<QString, QJsonObject> &connections() const { return m_connections; }
    /// Subscribed bills -> the users following each.
    const QMap<qint64, QStringList> &subscriptions() const { return m_subscriptions; }
    /// The latest events, oldest first.
    const CircularBuffer<QJsonObject> &events() const { return m_events; }
    /// One point per push applied, oldest first.
    const CircularBuffer<Point> &series() const { return m_series; }
    const Changes &lastChanges() const { return m_changes; }
    const Limits &limits() const { return m_limits; }

    /// Everything, as File -> Export snapshot writes it: {"seq","at","stats","health","metrics",
    /// "connections":[rows by id],"subscriptions":[{"bill_id","users"}],"events":[...],"series":[Point]}.
    QJsonObject toJson() const;

private:
    struct Parsed;

    void commit(Parsed &parsed);
    void appendEvents(const QList<QJsonObject> &events, bool snapshot);
    /// The point of the push just committed.
    void appendPoint();

    Limits m_limits;
    bool m_hasSnapshot = false;
    qint64 m_seq = 0;
    qint64 m_atMs = 0;
    QJsonObject m_stats;
    QJsonObject m_health;
    QJsonObject m_metrics;
    QMap<QString, QJsonObject> m_connections;
    QMap<qint64, QStringList> m_subscriptions;
    CircularBuffer<QJsonObject> m_events;
    CircularBuffer<Point> m_series;
    Changes m_changes;
};

} // namespace wsinfra
