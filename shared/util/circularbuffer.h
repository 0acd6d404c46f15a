#pragma once

#include <QtGlobal>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

namespace wsinfra {

/// A fixed-capacity ring of the newest values: push() appends and, when the buffer is full, drops the oldest.
/// Index 0 (and begin()) is the oldest value, size() - 1 (and back()) the newest. Memory is bounded by the
/// capacity whatever is pushed; a capacity of 0 is allowed and then push() does nothing.
///
/// Storage grows with the contents (doubling, up to the capacity) and is released when the buffer
/// empties: the service keeps one buffer per bill, most of them far from full or empty.
///
/// Slots are std::optional so that removed values are destroyed at once (a history of large payloads must not
/// keep them alive after removeFront() or clear()) and so that T needs neither a default constructor nor
/// assignment: move-only types work.
template <typename T> class CircularBuffer
{
public:
    using value_type = T;
    using size_type = qsizetype;

    /// Walks the buffer from the oldest to the newest value. Invalidated by any change to the buffer.
    class const_iterator
    {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = const T *;
        using reference = const T &;

        const_iterator() = default;

        reference operator*() const { return m_buffer->at(m_index); }
        pointer operator->() const { return &m_buffer->at(m_index); }
        const_iterator &operator++()
        {
            ++m_index;
            return *this;
        }
        const_iterator operator++(int)
        {
            const_iterator previous = *this;
            ++m_index;
            return previous;
        }
        bool operator==(const const_iterator &other) const
        {
            return m_buffer == other.m_buffer && m_index == other.m_index;
        }

    private:
        friend class CircularBuffer;
        const_iterator(const CircularBuffer *buffer, qsizetype index) : m_buffer(buffer), m_index(index) {}

        const CircularBuffer *m_buffer = nullptr;
        qsizetype m_index = 0;
    };
    using iterator = const_iterator;

    /// A negative capacity is treated as 0.
    explicit CircularBuffer(qsizetype capacity) : m_capacity(std::max<qsizetype>(0, capacity)) {}

    /// Appends `value` as the newest entry; when full, the oldest entry is destroyed to make room.
    void push(T value)
    {
        if (m_capacity == 0)
            return;
        if (m_size < m_capacity) {
            if (m_size == storageSize())
                grow();
            slot(m_size).emplace(std::move(value));
            ++m_size;
        } else {
            slot(0).emplace(std::move(value));
            m_head = (m_head + 1) % storageSize();
        }
    }

    qsizetype size() const { return m_size; }
    qsizetype capacity() const { return m_capacity; }
    bool isEmpty() const { return m_size == 0; }
    bool isFull() const { return m_size == m_capacity; }
    /// Slots currently allocated (between size() and capacity()), for memory accounting.
    qsizetype allocatedSlots() const { return storageSize(); }

    /// The entry `index` places after the oldest; 0 <= index < size().
    const T &at(qsizetype index) const
    {
        Q_ASSERT(index >= 0 && index < m_size);
        return *slot(index);
    }
    T &at(qsizetype index)
    {
        Q_ASSERT(index >= 0 && index < m_size);
        return *slot(index);
    }

    /// The oldest entry; the buffer must not be empty.
    const T &front() const { return at(0); }
    T &front() { return at(0); }
    /// The newest entry; the buffer must not be empty.
    const T &back() const { return at(m_size - 1); }
    T &back() { return at(m_size - 1); }

    /// Destroys every entry and releases the storage; the capacity stays.
    void clear()
    {
        m_slots = {};
        m_head = 0;
        m_size = 0;
    }

    /// Changes the capacity, keeping the newest min(size(), capacity) entries. A negative capacity is treated as 0.
    void setCapacity(qsizetype capacity)
    {
        capacity = std::max<qsizetype>(0, capacity);
        const qsizetype keep = std::min(m_size, capacity);
        relocate(keep, m_size - keep);
        m_capacity = capacity;
    }

    /// Destroys the `count` oldest entries (all of them if count >= size(); nothing if count <= 0).
    void removeFront(qsizetype count)
    {
        count = std::clamp<qsizetype>(count, 0, m_size);
        if (count == m_size) {
            clear();
            return;
        }
        for (qsizetype i = 0; i < count; ++i)
            slot(i).reset();
        m_size -= count;
        m_head = (m_head + count) % storageSize();
    }

    const_iterator begin() const { return const_iterator(this, 0); }
    const_iterator end() const { return const_iterator(this, m_size); }
    const_iterator cbegin() const { return begin(); }
    const_iterator cend() const { return end(); }

private:
    qsizetype storageSize() const { return static_cast<qsizetype>(m_slots.size()); }
    // The slot of the entry `index` places after the oldest; only called while storageSize() > 0.
    std::optional<T> &slot(qsizetype index) { return m_slots[physicalIndex(index)]; }
    const std::optional<T> &slot(qsizetype index) const { return m_slots[physicalIndex(index)]; }
    std::size_t physicalIndex(qsizetype index) const
    {
        return static_cast<std::size_t>((m_head + index) % storageSize());
    }

    void grow() { relocate(m_size, 0, std::min(m_capacity, std::max<qsizetype>(4, 2 * storageSize()))); }

    // Moves `keep` entries, starting `skip` after the oldest, to the front of new storage of
    // `slotCount` slots (at least `keep`).
    void relocate(qsizetype keep, qsizetype skip, qsizetype slotCount = 0)
    {
        std::vector<std::optional<T>> storage(static_cast<std::size_t>(std::max(keep, slotCount)));
        for (qsizetype i = 0; i < keep; ++i)
            storage[static_cast<std::size_t>(i)].emplace(std::move(*slot(skip + i)));
        m_slots = std::move(storage);
        m_head = 0;
        m_size = keep;
    }

    std::vector<std::optional<T>> m_slots;
    qsizetype m_capacity = 0;
    qsizetype m_head = 0; // physical index of the oldest entry
    qsizetype m_size = 0;
};

} // namespace wsinfra
