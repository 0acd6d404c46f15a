#include "core/channelhistory.h"

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
        it = m_streams.insert(billId, Stream{0, CircularBuffer<HistoryEntry>(m_maxEntriesPerBill)});
    Stream &stream = it.value();
    HistoryEntry entry{stream.lastOffset + 1, timestampMs, messageId, QString()};
    entry.frame = encode(entry.offset);
    stream.lastOffset = entry.offset;
    stream.entries.push(entry);
    return entry;
}

qint64 ChannelHistory::currentOffset(qint64 billId) const
{
    QReadLocker locker(&m_lock);
    const auto it = m_streams.constFind(billId);
    return it == m_streams.cend() ? 0 : it->lastOffset;
}

ChannelHistory::Recovery ChannelHistory::since(qint64 billId, qint64 since) const
{
    QReadLocker locker(&m_lock);
    Recovery recovery;
    const auto it = m_streams.constFind(billId);
    recovery.currentOffset = it == m_streams.cend() ? 0 : it->lastOffset;
    if (since < 0 || since > recovery.currentOffset)
        return recovery;
    if (since == recovery.currentOffset) {
        recovery.recoverable = true;
        return recovery;
    }
    // Entries are contiguous in offset; expired ones count as missing without being removed here
    // (readers do not write), so the first usable entry must be since + 1.
    const qint64 oldestAllowed = m_clock.nowMs() - m_ttlMs;
    const CircularBuffer<HistoryEntry> &entries = it->entries;
    for (const HistoryEntry &entry : entries) {
        if (entry.offset <= since)
            continue;
        if (recovery.entries.isEmpty() && (entry.offset != since + 1 || entry.timestampMs < oldestAllowed))
            return recovery;
        recovery.entries.append(entry);
    }
    recovery.recoverable = !recovery.entries.isEmpty() && recovery.entries.last().offset == recovery.currentOffset;
    if (!recovery.recoverable)
        recovery.entries.clear();
    return recovery;
}

void ChannelHistory::dropExpired(Stream &stream, qint64 nowMs) const
{
    qsizetype expired = 0;
    for (const HistoryEntry &entry : stream.entries) {
        if (entry.timestampMs >= nowMs - m_ttlMs)
            break;
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
