#include "core/deduplicator.h"

#include "util/clock.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsinfra {

Deduplicator::Deduplicator(qsizetype capacity, qint64 windowMs, const Clock &clock)
    : m_entries(windowMs > 0 ? capacity : 0), m_windowMs(std::max<qint64>(0, windowMs)), m_clock(clock)
{
}

std::optional<Deduplicator::Remembered> Deduplicator::find(const QString &scopeKey)
{
    const Entry *entry = m_entries.get(scopeKey);
    if (!entry)
        return std::nullopt;
    // A clock set back makes the age negative: still within the window, and bounded by the capacity.
    if (m_clock.nowMs() - entry->rememberedAtMs >= m_windowMs) {
        m_entries.remove(scopeKey);
        return std::nullopt;
    }
    return entry->answer;
}

void Deduplicator::remember(const QString &scopeKey, const Remembered &answer)
{
    m_entries.put(scopeKey, Entry{answer, m_clock.nowMs()});
}

void Deduplicator::setCapacity(qsizetype capacity)
{
    m_entries.setCapacity(m_windowMs > 0 ? capacity : 0);
}

QString Deduplicator::billScope(qint64 billId, const QString &key)
{
    return u"bill:"_s + QString::number(billId) + u':' + key;
}

QString Deduplicator::userScope(const QString &userId, const QString &key)
{
    return u"user:"_s + QString::number(userId.size()) + u':' + userId + u':' + key;
}

QString Deduplicator::broadcastScope(const QString &key)
{
    return u"broadcast:"_s + key;
}

} // namespace wsinfra
