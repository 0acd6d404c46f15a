#include "core/recoverystore.h"

namespace wsinfra {

RecoveryStore::RecoveryStore(qint64 keepMs, qsizetype maxSessions, const Clock &clock)
    : m_keepMs(qMax<qint64>(0, keepMs)), m_maxSessions(qMax<qsizetype>(0, maxSessions)), m_clock(clock)
{
}

void RecoveryStore::keep(const QString &pid, Session session)
{
    const Session copy = m_listener.kept ? session : Session();
    if (keepSession(pid, std::move(session)) && m_listener.kept)
        m_listener.kept(pid, copy);
}

void RecoveryStore::keepShared(const QString &pid, Session session)
{
    keepSession(pid, std::move(session));
}

std::optional<RecoveryStore::Session> RecoveryStore::take(const QString &pid)
{
    std::optional<Session> session = takeSession(pid);
    if (session && m_listener.taken)
        m_listener.taken(pid);
    return session;
}

void RecoveryStore::forgetShared(const QString &pid)
{
    takeSession(pid);
}

bool RecoveryStore::keepSession(const QString &pid, Session session)
{
    if (m_keepMs == 0 || m_maxSessions == 0 || pid.isEmpty())
        return false;
    const QMutexLocker locker(&m_mutex);
    const qint64 nowMs = m_clock.nowMs();
    const qint64 expiresAtMs = nowMs + m_keepMs;
    m_sessions.insert(pid, Kept{std::move(session), expiresAtMs});
    m_expiries.emplace_back(expiresAtMs, pid);
    pruneLocked(nowMs);
    return true;
}

std::optional<RecoveryStore::Session> RecoveryStore::takeSession(const QString &pid)
{
    const QMutexLocker locker(&m_mutex);
    const auto found = m_sessions.find(pid);
    if (found == m_sessions.end())
        return std::nullopt;
    Kept kept = std::move(found.value());
    m_sessions.erase(found);
    if (kept.expiresAtMs <= m_clock.nowMs())
        return std::nullopt;
    return std::move(kept.session);
}

qsizetype RecoveryStore::size() const
{
    const QMutexLocker locker(&m_mutex);
    return m_sessions.size();
}

void RecoveryStore::pruneLocked(qint64 nowMs)
{
    // Every keep() appends with the same lifetime, so the queue is in expiry order. An entry whose
    // session was taken (or kept again later under the same pid) no longer matches and is skipped.
    while (!m_expiries.empty()) {
        const auto &[expiresAtMs, pid] = m_expiries.front();
        const auto found = m_sessions.constFind(pid);
        const bool current = found != m_sessions.cend() && found->expiresAtMs == expiresAtMs;
        if (current && expiresAtMs > nowMs && m_sessions.size() <= m_maxSessions)
            break;
        if (current)
            m_sessions.erase(found);
        m_expiries.pop_front();
    }
}

} // namespace wsinfra
