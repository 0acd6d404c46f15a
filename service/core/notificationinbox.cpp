#include "core/notificationinbox.h"

#include "monitoring/statisticscounters.h"

namespace wsinfra {

namespace {

// A frame's text (UTF-16) and the entry around it, roughly.
qint64 bytesOf(const QString &frame)
{
    return qint64(frame.size()) * 2 + 128;
}

} // namespace

NotificationInbox::NotificationInbox(const Settings &settings, const Clock &clock, StatisticsCounters *statistics)
    : m_settings{qMax(0, settings.maxPerUser), qMax<qint64>(0, settings.ttlMs), qMax<qsizetype>(0, settings.maxEntries),
                 qMax<qint64>(0, settings.maxBytes)},
      m_clock(clock), m_statistics(statistics), m_maxPerUser(m_settings.maxPerUser)
{
}

bool NotificationInbox::store(const QString &userId, const QString &messageId, qint64 timestampMs, const QString &frame)
{
    if (!isEnabled() || userId.isEmpty() || messageId.isEmpty())
        return false;
    const QMutexLocker locker(&m_mutex);
    const qint64 nowMs = m_clock.nowMs();
    pruneLocked(nowMs);
    if (m_serialByMessageId.contains(messageId))
        return true;

    const Serial serial = ++m_lastSerial;
    m_entries.emplace(serial, Entry{userId, Notification{messageId, timestampMs, frame}, nowMs + m_settings.ttlMs});
    m_bytes += bytesOf(frame);
    m_serialByMessageId.insert(messageId, serial);
    std::set<Serial> &serials = m_serialsByUser[userId];
    serials.insert(serial);

    // The new one is the user's newest and the node's newest: the bounds (at least 1) never drop it.
    qsizetype dropped = trimUserLocked(serials);
    while (qsizetype(m_entries.size()) > m_settings.maxEntries ||
           (m_bytes > m_settings.maxBytes && m_entries.begin()->first != serial)) {
        removeLocked(m_entries.begin()->first);
        ++dropped;
    }
    if (m_statistics) {
        for (qsizetype i = 0; i < dropped; ++i)
            m_statistics->messageDropped();
    }
    return true;
}

QList<NotificationInbox::Notification> NotificationInbox::pending(const QString &userId) const
{
    QList<Notification> notifications;
    const QMutexLocker locker(&m_mutex);
    const auto serials = m_serialsByUser.constFind(userId);
    if (serials == m_serialsByUser.cend())
        return notifications;
    const qint64 nowMs = m_clock.nowMs();
    notifications.reserve(qsizetype(serials->size()));
    for (const Serial serial : *serials) {
        const Entry &entry = m_entries.at(serial);
        if (entry.expiresAtMs > nowMs)
            notifications.append(entry.notification);
    }
    return notifications;
}

qsizetype NotificationInbox::acknowledge(const QString &userId, const QStringList &messageIds)
{
    const qsizetype removed = acknowledgeShared(userId, messageIds);
    if (m_acknowledged && !userId.isEmpty() && !messageIds.isEmpty())
        m_acknowledged(userId, messageIds);
    return removed;
}

qsizetype NotificationInbox::acknowledgeShared(const QString &userId, const QStringList &messageIds)
{
    if (userId.isEmpty())
        return 0;
    const QMutexLocker locker(&m_mutex);
    qsizetype removed = 0;
    for (const QString &messageId : messageIds) {
        const auto found = m_serialByMessageId.constFind(messageId);
        // A user acknowledges only their own notifications, whatever ids a client sends.
        if (found == m_serialByMessageId.cend() || m_entries.at(found.value()).userId != userId)
            continue;
        removeLocked(found.value());
        ++removed;
    }
    return removed;
}

qsizetype NotificationInbox::pruneExpired()
{
    const QMutexLocker locker(&m_mutex);
    return pruneLocked(m_clock.nowMs());
}

void NotificationInbox::setMaxPerUser(int maxPerUser)
{
    if (!isEnabled())
        return;
    const QMutexLocker locker(&m_mutex);
    m_maxPerUser = qMax(1, maxPerUser);
    qsizetype dropped = 0;
    const QStringList users = m_serialsByUser.keys();
    for (const QString &userId : users) {
        const auto serials = m_serialsByUser.find(userId);
        if (serials != m_serialsByUser.end())
            dropped += trimUserLocked(*serials);
    }
    if (m_statistics) {
        for (qsizetype i = 0; i < dropped; ++i)
            m_statistics->messageDropped();
    }
}

int NotificationInbox::maxPerUser() const
{
    const QMutexLocker locker(&m_mutex);
    return m_maxPerUser;
}

qsizetype NotificationInbox::trimUserLocked(std::set<Serial> &serials)
{
    // removeLocked() erases the user's set with its last serial; the bound (at least 1) keeps one.
    qsizetype dropped = 0;
    while (qsizetype(serials.size()) > m_maxPerUser) {
        removeLocked(*serials.begin());
        ++dropped;
    }
    return dropped;
}

qsizetype NotificationInbox::entryCount() const
{
    const QMutexLocker locker(&m_mutex);
    return qsizetype(m_entries.size());
}

qint64 NotificationInbox::byteCount() const
{
    const QMutexLocker locker(&m_mutex);
    return m_bytes;
}

qsizetype NotificationInbox::userCount() const
{
    const QMutexLocker locker(&m_mutex);
    return m_serialsByUser.size();
}

void NotificationInbox::removeLocked(Serial serial)
{
    const auto entry = m_entries.find(serial);
    if (entry == m_entries.end())
        return;
    m_serialByMessageId.remove(entry->second.notification.messageId);
    m_bytes -= bytesOf(entry->second.notification.frame);
    const auto serials = m_serialsByUser.find(entry->second.userId);
    if (serials != m_serialsByUser.end()) {
        serials->erase(serial);
        if (serials->empty())
            m_serialsByUser.erase(serials);
    }
    m_entries.erase(entry);
}

qsizetype NotificationInbox::pruneLocked(qint64 nowMs)
{
    // Expiry is not counted as a drop: a client that never acknowledges lets every notification expire.
    qsizetype pruned = 0;
    while (!m_entries.empty() && m_entries.begin()->second.expiresAtMs <= nowMs) {
        removeLocked(m_entries.begin()->first);
        ++pruned;
    }
    return pruned;
}

} // namespace wsinfra
