#pragma once

#include "util/circularbuffer.h"
#include "util/clock.h"

#include <QHash>
#include <QList>
#include <QReadWriteLock>
#include <QString>

#include <functional>
#include <optional>

namespace wsinfra {

/// One stored bill update: its offset in the bill's stream and the frame the clients got.
struct HistoryEntry
{
    qint64 offset = 0;
    qint64 sequence = 0; ///< node-wide order of every update of every bill (Socket.IO recovery offsets)
    qint64 timestampMs = 0;
    QString messageId;
    QString frame;
    /// Set when the entry was stored after this node had already handed out its sequence or a later
    /// one (a cluster's update that came late, e.g. caught up after a Redis outage): the node's
    /// sequence at that moment. A client at a position from `sequence` to it may not have seen it.
    qint64 lateUntil = 0;
};

/// Per-bill offsets and a bounded, expiring history of updates, so a client that reconnects with
/// `since` receives what it missed. Offsets start at 1 and grow by one per update; 0 means "nothing
/// published yet". Shared by the orchestrator (which appends) and every shard (which recovers): the
/// one structure behind a lock, taken once per publish and once per recovering subscribe.
class ChannelHistory
{
public:
    ChannelHistory(int maxEntriesPerBill, qint64 ttlMs, const Clock &clock);

    /// Assigns the bill's next offset, builds the frame for it with `encode(offset)`, stores it.
    HistoryEntry append(qint64 billId, const QString &messageId, qint64 timestampMs,
                        const std::function<QString(qint64 offset)> &encode);

    /// Stores an update whose offset and sequence were assigned elsewhere (by the cluster), building
    /// its frame with `encode(offset)`. Only an offset above the bill's last one is stored (offsets
    /// may skip: an update the node never learnt of); anything else is a repeat and gives nothing.
    std::optional<HistoryEntry> insert(qint64 billId, qint64 offset, qint64 sequence, const QString &messageId,
                                       qint64 timestampMs, const std::function<QString(qint64 offset)> &encode);

    /// The offset of the last update of the bill (0 when none).
    qint64 currentOffset(qint64 billId) const;

    struct Recovery
    {
        bool recoverable = false;
        qint64 currentOffset = 0;
        QList<HistoryEntry> entries; ///< offsets > since, oldest first
    };
    /// What a client that has seen everything up to `since` missed. Not recoverable when updates
    /// after `since` have already been evicted or expired, or `since` lies in the future.
    Recovery since(qint64 billId, qint64 since) const;
    /// The same for a client that has seen every update of every bill up to the node-wide `sequence`
    /// (Socket.IO connection state recovery: one offset for all of a client's bills).
    Recovery sinceSequence(qint64 billId, qint64 sequence) const;
    /// The sequence of the last update of any bill (0 when none).
    qint64 currentSequence() const;
    /// Every bill's last offset (bills whose entries are all gone included).
    QHash<qint64, qint64> lastOffsets() const;

    /// Drops expired entries of every bill; returns how many were dropped.
    qsizetype pruneExpired();

    /// Changes how many entries each bill keeps (memory pressure shrinks it, and restores it later).
    /// Shrinking drops the oldest entries beyond the new bound, which recovery then reports as lost;
    /// growing keeps what is there. A negative bound is treated as 0.
    void setMaxEntriesPerBill(int maxEntries);
    int maxEntriesPerBill() const;

    qsizetype entryCount() const;
    qsizetype billCount() const;

private:
    struct Stream
    {
        qint64 lastOffset = 0;
        qint64 droppedSequence = 0; ///< a position below it missed an entry evicted or expired (noteDropped)
        CircularBuffer<HistoryEntry> entries;
    };
    void dropExpired(Stream &stream, qint64 nowMs) const;
    static void noteDropped(Stream &stream, const HistoryEntry &entry);
    Recovery sinceLocked(const Stream *stream, qint64 since) const;

    int m_maxEntriesPerBill; // guarded by m_lock
    const qint64 m_ttlMs;
    const Clock &m_clock;
    mutable QReadWriteLock m_lock;
    QHash<qint64, Stream> m_streams;
    qint64 m_sequence = 0;
};

} // namespace wsinfra
