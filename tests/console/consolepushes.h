#pragma once

// Pushes as the service's control port sends them (docs/control-protocol.md), for the console's tests.

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace wsinfra::test::pushes {

using namespace Qt::StringLiterals;

inline constexpr qint64 T0 = 1'700'000'000'000; // 2023-11-14 22:13:20 UTC

inline QJsonObject row(const QString &id, const QString &user, const QJsonArray &bills = {}, qint64 queuedBytes = 0)
{
    return {{u"id"_s, id},    {u"user"_s, user},    {u"address"_s, u"127.0.0.1"_s},   {u"transport"_s, u"websocket"_s},
            {u"since"_s, T0}, {u"last_seen"_s, T0}, {u"queued_bytes"_s, queuedBytes}, {u"bills"_s, bills}};
}

inline QJsonObject bill(qint64 billId, const QStringList &users)
{
    return {{u"bill_id"_s, billId}, {u"users"_s, QJsonArray::fromStringList(users)}};
}

/// Event `id`, one second after the previous one.
inline QJsonObject logEvent(qint64 id, const QString &level = u"info"_s)
{
    return {{u"id"_s, id},
            {u"timestamp"_s, T0 + id * 1000},
            {u"level"_s, level},
            {u"category"_s, u"service"_s},
            {u"message"_s, u"event %1"_s.arg(id)}};
}

inline QJsonArray events(qint64 first, qint64 last)
{
    QJsonArray items;
    for (qint64 id = first; id <= last; ++id)
        items.append(logEvent(id));
    return items;
}

inline QJsonObject metrics(qint64 rss = 1000, double percent = 12.5, const QString &level = u"normal"_s)
{
    return {{u"memory"_s, QJsonObject{{u"rssBytes"_s, rss}, {u"percent"_s, percent}, {u"level"_s, level}}},
            {u"traffic"_s, QJsonObject{{u"received"_s, QJsonObject{{u"subscribe"_s, 2}, {u"ping"_s, 3}}},
                                       {u"sent"_s, QJsonObject{{u"pong"_s, 3}, {u"bill_update"_s, 4}}}}}};
}

/// `at` 0: one second per seq after T0.
inline QJsonObject push(const QString &type, qint64 seq, const QJsonValue &connections, const QJsonValue &subscriptions,
                        const QJsonArray &eventList = {}, qint64 at = 0)
{
    return {{u"type"_s, type},
            {u"seq"_s, seq},
            {u"at"_s, at == 0 ? T0 + seq * 1000 : at},
            {u"stats"_s, QJsonObject{{u"activeConnections"_s, 2}, {u"memoryUsage"_s, 1000}}},
            {u"health"_s, QJsonObject{{u"status"_s, u"healthy"_s}, {u"memoryUsage"_s, 12.5}}},
            {u"metrics"_s, metrics()},
            {u"connections"_s, connections},
            {u"subscriptions"_s, subscriptions},
            {u"events"_s, eventList}};
}

inline QJsonObject snapshot(qint64 seq, const QJsonArray &rows, const QJsonArray &bills = {},
                            const QJsonArray &eventList = {})
{
    return push(u"snapshot"_s, seq, rows, bills, eventList);
}

inline QJsonObject delta(qint64 seq, const QJsonArray &added = {}, const QJsonArray &changed = {},
                         const QStringList &removed = {}, const QJsonArray &billsChanged = {},
                         const QJsonArray &billsRemoved = {}, const QJsonArray &eventList = {})
{
    return push(
        u"delta"_s, seq,
        QJsonObject{{u"added"_s, added}, {u"changed"_s, changed}, {u"removed"_s, QJsonArray::fromStringList(removed)}},
        QJsonObject{{u"changed"_s, billsChanged}, {u"removed"_s, billsRemoved}}, eventList);
}

} // namespace wsinfra::test::pushes
