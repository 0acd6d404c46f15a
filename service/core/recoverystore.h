#pragma once

#include "util/clock.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <deque>
#include <functional>
#include <optional>

namespace wsinfra {

/// Socket.IO sessions whose transport was lost, kept for a while so that the client can come back
/// (to any shard of the node) and resume where it was: connection state recovery as Socket.IO 4.6+
/// defines it. Keyed by the private session id ("pid") the client presents on its next CONNECT.
/// Shared by the shards, so every function takes one short lock. Bounded in time and in count.
class RecoveryStore
{
public:
    struct Session
    {
        QString userId;
        QString connectionId; ///< the public id the client had; a recovered client keeps it
        QList<qint64> bills;  ///< what it followed
    };

    RecoveryStore(qint64 keepMs, qsizetype maxSessions, const Clock &clock);

    /// Keeps a session for keepMs; the oldest are dropped beyond maxSessions.
    void keep(const QString &pid, Session session);
    /// Removes and returns the session if it is known and not expired.
    std::optional<Session> take(const QString &pid);

    /// What keep() and take() did, for a cluster to mirror (called on the calling thread, outside the
    /// lock). Set before the store is used.
    struct Listener
    {
        std::function<void(const QString &pid, const Session &session)> kept;
        std::function<void(const QString &pid)> taken;
    };
    void setListener(Listener listener) { m_listener = std::move(listener); }
    /// A session kept or resumed on another node of the cluster: mirrored, not reported again.
    void keepShared(const QString &pid, Session session);
    void forgetShared(const QString &pid);
    qsizetype size() const;
    qint64 keepMs() const { return m_keepMs; }

private:
    struct Kept
    {
        Session session;
        qint64 expiresAtMs = 0;
    };
    void pruneLocked(qint64 nowMs);
    bool keepSession(const QString &pid, Session session);
    std::optional<Session> takeSession(const QString &pid);

    const qint64 m_keepMs;
    const qsizetype m_maxSessions;
    const Clock &m_clock;
    mutable QMutex m_mutex;
    QHash<QString, Kept> m_sessions;
    std::deque<std::pair<qint64, QString>> m_expiries; ///< (expiresAtMs, pid), oldest first
    Listener m_listener;
};

} // namespace wsinfra
