#pragma once

#include <QHash>
#include <QList>
#include <QtGlobal>

#include <algorithm>
#include <list>
#include <utility>

namespace wsinfra {

/// A map bounded by its number of entries that forgets the least recently used entry to make room.
/// get(), put() and remove() are O(1) on average: a list keeps the entries from the most to the least
/// recently used, a hash finds an entry's place in it. get() and put() make an entry the most recently
/// used; contains() does not. A capacity of 0 stores nothing. Not thread-safe.
///
/// Key must be usable as a QHash key and copyable (it is held twice: in the list and in the hash).
template <typename Key, typename Value> class LRUCache
{
public:
    /// A negative capacity is treated as 0.
    explicit LRUCache(qsizetype capacity) : m_capacity(std::max<qsizetype>(0, capacity)) {}

    // The hash holds iterators into the list: a copy would point into the original's list.
    LRUCache(const LRUCache &) = delete;
    LRUCache &operator=(const LRUCache &) = delete;
    // Moving a std::list keeps its iterators valid, now pointing into the new list.
    LRUCache(LRUCache &&) noexcept = default;
    LRUCache &operator=(LRUCache &&) noexcept = default;

    /// The value of `key`, made the most recently used; nullptr when there is none. The pointer is
    /// valid until the cache changes.
    Value *get(const Key &key)
    {
        const auto found = m_index.constFind(key);
        if (found == m_index.cend())
            return nullptr;
        m_entries.splice(m_entries.begin(), m_entries, *found);
        return &m_entries.front().second;
    }

    /// Whether `key` is stored, without changing its recency.
    bool contains(const Key &key) const { return m_index.contains(key); }

    /// Stores `value` under `key` (replacing an older value) as the most recently used entry; when the
    /// cache is full, the least recently used entry is dropped first. Does nothing at capacity 0.
    void put(const Key &key, Value value)
    {
        if (m_capacity == 0)
            return;
        const auto found = m_index.constFind(key);
        if (found != m_index.cend()) {
            (*found)->second = std::move(value);
            m_entries.splice(m_entries.begin(), m_entries, *found);
            return;
        }
        if (size() >= m_capacity)
            evictLeastRecentlyUsed();
        m_entries.emplace_front(key, std::move(value));
        m_index.insert(key, m_entries.begin());
    }

    /// Removes `key`; returns whether it was stored.
    bool remove(const Key &key)
    {
        const auto found = m_index.constFind(key);
        if (found == m_index.cend())
            return false;
        m_entries.erase(*found);
        m_index.erase(found);
        return true;
    }

    qsizetype size() const { return m_index.size(); }
    qsizetype capacity() const { return m_capacity; }
    bool isEmpty() const { return m_index.isEmpty(); }

    /// Changes the capacity; when it shrinks below size(), the least recently used entries are dropped.
    /// A negative capacity is treated as 0.
    void setCapacity(qsizetype capacity)
    {
        m_capacity = std::max<qsizetype>(0, capacity);
        while (size() > m_capacity)
            evictLeastRecentlyUsed();
    }

    /// Removes every entry; the capacity stays.
    void clear()
    {
        m_index.clear();
        m_entries.clear();
    }

    /// The keys from the most to the least recently used (for tests and diagnostics).
    QList<Key> keys() const
    {
        QList<Key> result;
        result.reserve(size());
        for (const auto &entry : m_entries)
            result.append(entry.first);
        return result;
    }

private:
    using Entries = std::list<std::pair<Key, Value>>;

    void evictLeastRecentlyUsed()
    {
        m_index.remove(m_entries.back().first);
        m_entries.pop_back();
    }

    Entries m_entries; // most recently used first
    QHash<Key, typename Entries::iterator> m_index;
    qsizetype m_capacity = 0;
};

} // namespace wsinfra
