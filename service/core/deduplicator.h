#pragma once

#include "util/lrucache.h"

#include <QString>
#include <QtGlobal>

#include <optional>

namespace wsinfra {

class Clock;

/// Remembers the answers to publishes that carried an idempotency key, so that a publisher retrying
/// after a lost answer gets the original answer instead of a second delivery. Keys are remembered for
/// a window of time (DEDUPE_WINDOW) and at most `capacity` of them (DEDUPE_CACHE_SIZE, least recently
/// used forgotten first); capacity or window 0 turns deduplication off. Not thread-safe: the service
/// uses it on its own thread.
///
/// A key counts per target: the same key sent to two bills is two publishes. scopeKey() builds the
/// key the cache stores from the target and the publisher's key.
class Deduplicator
{
public:
    /// The original answer to a publish.
    struct Remembered
    {
        QString messageId;
        qint64 offset = 0; ///< bill updates only
        qint64 timestampMs = 0;
    };

    Deduplicator(qsizetype capacity, qint64 windowMs, const Clock &clock);

    /// The answer remembered for `scopeKey` if it was remembered less than the window ago. An expired
    /// entry is forgotten.
    std::optional<Remembered> find(const QString &scopeKey);
    /// Remembers `answer` for `scopeKey` from now on (replacing an older answer).
    void remember(const QString &scopeKey, const Remembered &answer);

    /// Entries held, expired ones included until they are looked up or evicted.
    qsizetype size() const { return m_entries.size(); }
    qsizetype capacity() const { return m_entries.capacity(); }
    /// Changes how many keys are remembered (memory pressure shrinks it, and restores it later); the
    /// least recently used keys beyond it are forgotten. With the window off it stays 0.
    void setCapacity(qsizetype capacity);
    qint64 windowMs() const { return m_windowMs; }

    /// Scope keys, distinct for every (target, key) pair: "bill:7:KEY", "user:5:alice:KEY" (the user
    /// id's length keeps "a:b" + "c" apart from "a" + "b:c"), "broadcast:KEY".
    static QString billScope(qint64 billId, const QString &key);
    static QString userScope(const QString &userId, const QString &key);
    static QString broadcastScope(const QString &key);

private:
    struct Entry
    {
        Remembered answer;
        qint64 rememberedAtMs = 0;
    };

    LRUCache<QString, Entry> m_entries;
    const qint64 m_windowMs;
    const Clock &m_clock;
};

} // namespace wsinfra
