#include "core/channelhistory.h"

#include <algorithm>

namespace wsinfra {

ChannelHistory::ChannelHistory(int maxEntriesPerBill, qint64 ttlMs, const Clock &clock)
    : m_maxEntriesPerBill(maxEntriesPerBill), m_ttlMs(ttlMs), m_clock(clock)
{
}

HistoryEntry ChannelHistory::append(qint64 billId, const QString &messageId, qint64 timestampMs,
                                    const std::function<QString(qint64)> &encode)
{
    QWriteLocker locker(&m_lock);
    auto it = m_streams.find(billId);
    if (it == m_streams.end())
        it = m_streams.insert(billId, Stream{0, 0, CircularBuffer<HistoryEntry>(m_maxEntriesPerBill)});
    Stream &stream = it.value();
    HistoryEntry entry{stream.lastOffset + 1, ++m_sequence, timestampMs, messageId, QString()};
    entry.frame = encode(entry.offset);
    stream.lastOffset = entry.offset;
    if (stream.entries.isFull()) // the oldest entry (or, with no room at all, this one) is lost to recovery
        noteDropped(stream, stream.entries.isEmpty() ? entry : stream.entries.front());
    stream.entries.push(entry);
    return entry;
}

std::optional<HistoryEntry> ChannelHistory::insert(qint64 billId, qint64 offset, qint64 sequence,
                                                   const QString &messageId, qint64 timestampMs,
                                                   const std::function<QString(qint64)> &encode)
{
    QWriteLocker locker(&m_lock);
    auto it = m_streams.find(billId);
    if (it != m_streams.end() && offset <= it->lastOffset)
        return std::nullopt;
    if (it == m_streams.end())
        it = m_streams.insert(billId, Stream{0, 0, CircularBuffer<HistoryEntry>(m_maxEntriesPerBill)});
    Stream &stream = it.value();
    HistoryEntry entry{offset, sequence, timestampMs, messageId, encode(offset)};
    // Sequences a node handed out while it was away from Redis are given again by the cluster to
    // other updates, which reach this node only when it catches up: a client holding such a position
    // did not see this entry although its sequence is not above the position (sinceSequence).
    if (sequence <= m_sequence)
        entry.lateUntil = m_sequence;
    stream.lastOffset = offset;
    m_sequence = std::max(m_sequence, sequence);
    if (stream.entries.isFull())
        noteDropped(stream, stream.entries.isEmpty() ? entry : stream.entries.front());
    stream.entries.push(entry);
    return entry;
}

qint64 ChannelHistory::currentOffset(qint64 billId) const
{
    QReadLocker locker(&m_lock);
    const auto it = m_streams.constFind(billId);
    return it == m_streams.cend() ? 0 : it->lastOffset;
}

qint64 ChannelHistory::currentSequence() const
{
    QReadLocker locker(&m_lock);
    return m_sequence;
}

QHash<qint64, qint64> ChannelHistory::lastOffsets() const
{
    QReadLocker locker(&m_lock);
    QHash<qint64, qint64> offsets;
    offsets.reserve(m_streams.size());
    for (auto it = m_streams.cbegin(); it != m_streams.cend(); ++it)
        offsets.insert(it.key(), it->lastOffset);
    return offsets;
}

ChannelHistory::Recovery ChannelHistory::since(qint64 billId, qint64 since) const
{
    QReadLocker locker(&m_lock);
    const auto it = m_streams.constFind(billId);
    return sinceLocked(it == m_streams.cend() ? nullptr : &*it, since);
}

ChannelHistory::Recovery ChannelHistory::sinceSequence(qint64 billId, qint64 sequence) const
{
    QReadLocker locker(&m_lock);
    if (sequence < 0 || sequence > m_sequence)
        return Recovery{false, 0, {}}; // a position this node never handed out (a restart): resync
    const auto it = m_streams.constFind(billId);
    if (it == m_streams.cend())
        return sinceLocked(nullptr, 0);
    // The client saw every update of this bill up to `sequence`: translate that into the bill's offset.
    // Updates after it that were evicted cannot be replayed.
    if (it->droppedSequence > sequence)
        return Recovery{false, it->lastOffset, {}};
    qint64 seenOffset = it->entries.isEmpty() ? it->lastOffset : it->entries.front().offset - 1;
    for (const HistoryEntry &entry : it->entries) {
        if (entry.sequence > sequence)
            break;
        if (entry.lateUntil >= sequence) // it came after the client's position was handed out: unknown
            return Recovery{false, it->lastOffset, {}};
        seenOffset = entry.offset;
    }
    return sinceLocked(&*it, seenOffset);
}

ChannelHistory::Recovery ChannelHistory::sinceLocked(const Stream *stream, qint64 since) const
{
    Recovery recovery;
    recovery.currentOffset = stream ? stream->lastOffset : 0;
    if (since < 0 || since > recovery.currentOffset)
        return recovery;
    if (since == recovery.currentOffset) {
        recovery.recoverable = true;
        return recovery;
    }
    // Every offset after `since` must be there: expired entries count as missing without being removed
    // here (readers do not write), and a cluster's history may lack an update its node never got.
    const qint64 oldestAllowed = m_clock.nowMs() - m_ttlMs;
    const CircularBuffer<HistoryEntry> &entries = stream->entries;
    qint64 expected = since + 1;
    for (const HistoryEntry &entry : entries) {
        if (entry.offset <= since)
            continue;
        if (entry.offset != expected || (recovery.entries.isEmpty() && entry.timestampMs < oldestAllowed)) {
            recovery.entries.clear();
            return recovery;
        }
        recovery.entries.append(entry);
        ++expected;
    }
    recovery.recoverable = !recovery.entries.isEmpty() && recovery.entries.last().offset == recovery.currentOffset;
    if (!recovery.recoverable)
        recovery.entries.clear();
    return recovery;
}

void ChannelHistory::noteDropped(Stream &stream, const HistoryEntry &entry)
{
    // A client at a position below the bound missed it, and so may one up to lateUntil (see insert).
    const qint64 missedBelow = std::max(entry.sequence, entry.lateUntil + 1);
    stream.droppedSequence = std::max(stream.droppedSequence, missedBelow);
}

void ChannelHistory::dropExpired(Stream &stream, qint64 nowMs) const
{
    qsizetype expired = 0;
    for (const HistoryEntry &entry : stream.entries) {
        if (entry.timestampMs >= nowMs - m_ttlMs)
            break;
        noteDropped(stream, entry);
        ++expired;
    }
    stream.entries.removeFront(expired);
}

qsizetype ChannelHistory::pruneExpired()
{
    QWriteLocker locker(&m_lock);
    const qint64 nowMs = m_clock.nowMs();
    qsizetype dropped = 0;
    for (Stream &stream : m_streams) {
        const qsizetype before = stream.entries.size();
        dropExpired(stream, nowMs);
        dropped += before - stream.entries.size();
    }
    return dropped;
}

void ChannelHistory::setMaxEntriesPerBill(int maxEntries)
{
    QWriteLocker locker(&m_lock);
    m_maxEntriesPerBill = qMax(0, maxEntries);
    for (Stream &stream : m_streams) {
        // What is dropped is lost to recovery, as if evicted by append().
        const qsizetype excess = stream.entries.size() - m_maxEntriesPerBill;
        qsizetype index = 0;
        for (const HistoryEntry &entry : stream.entries) {
            if (index++ >= excess)
                break;
            noteDropped(stream, entry);
        }
        if (excess > 0)
            stream.entries.removeFront(excess);
        stream.entries.setCapacity(m_maxEntriesPerBill);
    }
}

int ChannelHistory::maxEntriesPerBill() const
{
    QReadLocker locker(&m_lock);
    return m_maxEntriesPerBill;
}

qsizetype ChannelHistory::entryCount() const
{
    QReadLocker locker(&m_lock);
    qsizetype count = 0;
    for (const Stream &stream : m_streams)
        count += stream.entries.size();
    return count;
}

qsizetype ChannelHistory::billCount() const
{
    QReadLocker locker(&m_lock);
    return m_streams.size();
}

} // namespace wsinfra
