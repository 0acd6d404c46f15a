#pragma once

#include "util/clock.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <functional>
#include <QStringList>

#include <map>
#include <set>

namespace wsinfra {

class StatisticsCounters;

/// The notifications of each user that no client of the user has acknowledged yet, so that a user
/// who was offline gets them when a client connects, and a client that got one but never said so
/// gets it again (with the same message id, for the client to drop duplicates). Node-wide and shared
/// by the orchestrator (which stores) and every shard (which redelivers and acknowledges), so every
/// function takes one short lock. Bounded per user (the oldest give way first), node-wide (the
/// oldest of any user give way first) and in time; what gives way to a bound is counted as a
/// dropped message. Anonymous users (empty id) are never stored.
class NotificationInbox
{
public:
    struct Settings
    {
        int maxPerUser = 100; ///< 0 turns the inbox off
        qint64 ttlMs = 24 * 60 * 60 * 1000;
        qsizetype maxEntries = 100'000;     ///< over all users
        qint64 maxBytes = 64 * 1024 * 1024; ///< the kept frames over all users
    };

    /// One kept notification: the `notification` frame exactly as it was first sent.
    struct Notification
    {
        QString messageId;
        qint64 timestampMs = 0;
        QString frame;
    };

    /// `statistics` (may be null) counts what the bounds drop.
    NotificationInbox(const Settings &settings, const Clock &clock, StatisticsCounters *statistics = nullptr);

    bool isEnabled() const { return m_settings.maxPerUser > 0 && m_settings.maxEntries > 0 && m_settings.ttlMs > 0; }
    /// Keeps the notification until it is acknowledged or expires; returns whether it is kept (false
    /// when the inbox is off or the user is anonymous). A message id already kept stays as it is.
    bool store(const QString &userId, const QString &messageId, qint64 timestampMs, const QString &frame);
    /// The user's unacknowledged, unexpired notifications, oldest first.
    QList<Notification> pending(const QString &userId) const;
    /// Removes the user's notifications with these ids; returns how many there were. Ids that are
    /// unknown, expired or another user's are ignored.
    qsizetype acknowledge(const QString &userId, const QStringList &messageIds);
    /// The same for an acknowledgement made on another node of the cluster: not reported again.
    qsizetype acknowledgeShared(const QString &userId, const QStringList &messageIds);
    /// Told of every acknowledge() (on the acknowledging thread, outside the lock), so that a cluster
    /// can mirror it. Set before the inbox is used.
    using AcknowledgedListener = std::function<void(const QString &userId, const QStringList &messageIds)>;
    void setAcknowledgedListener(AcknowledgedListener listener) { m_acknowledged = std::move(listener); }
    /// Drops the expired notifications of every user; returns how many.
    qsizetype pruneExpired();

    /// Changes how many notifications each user keeps (memory pressure shrinks it, and restores it
    /// later; at least 1). Shrinking drops each user's oldest beyond it, counted as dropped messages.
    /// Does nothing while the inbox is off.
    void setMaxPerUser(int maxPerUser);
    int maxPerUser() const;

    qsizetype entryCount() const;
    /// What the kept frames take, as the byte bound counts it.
    qint64 byteCount() const;
    /// Users with at least one kept notification.
    qsizetype userCount() const;

private:
    struct Entry
    {
        QString userId;
        Notification notification;
        qint64 expiresAtMs = 0;
    };
    using Serial = quint64;

    void removeLocked(Serial serial);
    /// Drops the user's oldest beyond the per-user bound; returns how many.
    qsizetype trimUserLocked(std::set<Serial> &serials);
    qsizetype pruneLocked(qint64 nowMs);

    const Settings m_settings;
    const Clock &m_clock;
    StatisticsCounters *const m_statistics;
    AcknowledgedListener m_acknowledged;
    mutable QMutex m_mutex;
    int m_maxPerUser = 0; // guarded by m_mutex; starts as the configured bound
    Serial m_lastSerial = 0;
    qint64 m_bytes = 0;
    // Serials grow with every store, so this map is in age order, oldest first; with one TTL for all,
    // that is also expiry order (unless the wall clock steps back, when pruning is merely late).
    std::map<Serial, Entry> m_entries;
    QHash<QString, std::set<Serial>> m_serialsByUser;
    QHash<QString, Serial> m_serialByMessageId;
};

} // namespace wsinfra
