#include "memory/progressivedegradation.h"

#include "core/channelhistory.h"
#include "core/deduplicator.h"
#include "core/eventlog.h"
#include "core/notificationinbox.h"
#include "core/shard.h"
#include "core/shardpool.h"
#include "protocol/codes.h"

#include <QLoggingCategory>

#include <algorithm>
#include <utility>

#include <malloc.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDegradation, "wsinfra.memory", QtWarningMsg)

namespace wsinfra {

ProgressiveDegradation::ProgressiveDegradation(const Baseline &baseline, ChannelHistory &history,
                                               Deduplicator &deduplicator, NotificationInbox &inbox, ShardPool &shards,
                                               EventLog &events, QObject *parent)
    : QObject(parent), m_baseline(baseline), m_history(history), m_deduplicator(deduplicator), m_inbox(inbox),
      m_shards(shards), m_events(events)
{
}

int ProgressiveDegradation::historyFloorOf(int configured, int percent)
{
    return std::min(configured, std::max(HistoryFloor, int(qint64(configured) * percent / 100)));
}

qsizetype ProgressiveDegradation::shrunk(qsizetype configured, int percent)
{
    return configured > 0 ? std::max<qsizetype>(1, configured * percent / 100) : 0;
}

qint64 ProgressiveDegradation::timesTaken(int step) const
{
    return step > 0 && step < StepCount ? m_taken[std::size_t(step)] : 0;
}

void ProgressiveDegradation::update(MemoryManager::Level level)
{
    const int target = std::clamp(int(level), 0, StepCount - 1);
    while (m_step > target)
        undo(m_step--);
    while (m_step < target)
        take(++m_step);
    if (m_step == int(MemoryManager::Level::Emergency)) {
        // What the connections shed at the previous check freed goes back to the system before this
        // check's figure is the next one's.
        malloc_trim(0);
        shedLargestQueues();
    }
}

void ProgressiveDegradation::take(int step)
{
    ++m_taken[std::size_t(step)];
    QString message;
    switch (MemoryManager::Level(step)) {
    case MemoryManager::Level::Normal:
        return;
    case MemoryManager::Level::Warning:
        shrinkCaches();
        message = u"degradation step 1 (warning): caches shrunk: bill history %1 -> %2 updates per bill, dedupe "
                  u"%3 -> %4 keys, inbox %5 -> %6 notifications per user; freed heap returned to the system"_s
                      .arg(m_baseline.historyPerBill)
                      .arg(historyFloorOf(m_baseline.historyPerBill, m_baseline.cachePercent))
                      .arg(m_baseline.dedupeCapacity)
                      .arg(shrunk(m_baseline.dedupeCapacity, m_baseline.cachePercent))
                      .arg(m_baseline.inboxPerUser)
                      .arg(shrunk(m_baseline.inboxPerUser, m_baseline.cachePercent));
        break;
    case MemoryManager::Level::Critical: {
        ShardDegradation degradation;
        degradation.flushAtOnce = true;
        degradation.maxQueuedBytes = std::max<qint64>(1, m_baseline.maxQueuedBytes * m_baseline.queuePercent / 100);
        degradation.subscriptionFloor = m_baseline.subscriptionFloor;
        degradation.shedBroadcasts = true;
        m_shards.setDegradation(degradation);
        message = u"degradation step 2 (critical): batches sent at once, queue budget %1 bytes per connection, "
                  u"subscriptions beyond %2 bills refused, broadcasts to congested connections dropped"_s
                      .arg(degradation.maxQueuedBytes)
                      .arg(m_baseline.subscriptionFloor);
        break;
    }
    case MemoryManager::Level::Emergency:
        message = u"degradation step 3 (emergency): at every memory check the connections with the largest "
                  u"queues (%1%, at least one) are closed with %2"_s.arg(m_baseline.shedPercent)
                      .arg(CloseCode::ShedUnderPressure);
        break;
    }
    m_events.append(EventLog::Level::Warning, u"memory"_s, message);
    qCWarning(lcDegradation).noquote() << message;
}

void ProgressiveDegradation::undo(int step)
{
    QString message;
    switch (MemoryManager::Level(step)) {
    case MemoryManager::Level::Normal:
        return;
    case MemoryManager::Level::Warning:
        restoreCaches();
        message = u"degradation step 1 undone: caches back to their configured sizes"_s;
        break;
    case MemoryManager::Level::Critical:
        m_shards.setDegradation(ShardDegradation{});
        message = u"degradation step 2 undone: batching, queue budget, subscriptions and broadcasts as configured"_s;
        break;
    case MemoryManager::Level::Emergency:
        message = u"degradation step 3 undone: connections are no longer shed"_s;
        break;
    }
    m_events.append(EventLog::Level::Info, u"memory"_s, message);
    qCInfo(lcDegradation).noquote() << message;
}

void ProgressiveDegradation::shrinkCaches()
{
    m_history.setMaxEntriesPerBill(historyFloorOf(m_baseline.historyPerBill, m_baseline.cachePercent));
    m_deduplicator.setCapacity(shrunk(m_baseline.dedupeCapacity, m_baseline.cachePercent));
    m_inbox.setMaxPerUser(int(shrunk(m_baseline.inboxPerUser, m_baseline.cachePercent)));
    // What the caches (and the connections gone before) freed stays in the heap until returned.
    malloc_trim(0);
}

void ProgressiveDegradation::restoreCaches()
{
    m_history.setMaxEntriesPerBill(m_baseline.historyPerBill);
    m_deduplicator.setCapacity(m_baseline.dedupeCapacity);
    m_inbox.setMaxPerUser(m_baseline.inboxPerUser);
}

void ProgressiveDegradation::shedLargestQueues()
{
    using Size = std::pair<ConnectionId, qint64>;
    const QList<QList<Size>> perShard =
        m_shards.collect<QList<Size>>([](const Shard &shard) { return shard.outboundBytes(); });
    QList<Size> sizes;
    for (const QList<Size> &part : perShard)
        sizes.append(part);
    if (sizes.isEmpty())
        return;
    const qsizetype count = std::max<qsizetype>(1, (sizes.size() * m_baseline.shedPercent + 99) / 100);
    std::partial_sort(sizes.begin(), sizes.begin() + count, sizes.end(),
                      [](const Size &a, const Size &b) { return a.second > b.second; });
    QList<ConnectionId> ids;
    ids.reserve(count);
    for (qsizetype i = 0; i < count; ++i)
        ids.append(sizes.at(i).first);
    m_shards.closeConnections(ids, CloseCode::ShedUnderPressure, u"shed under memory pressure"_s);
    m_shedConnections += count;
    const QString message = u"memory emergency: closed %1 of %2 connections, those with the largest queues (the "
                            u"largest: %3 bytes), with %4"_s.arg(count)
                                .arg(sizes.size())
                                .arg(sizes.at(0).second)
                                .arg(CloseCode::ShedUnderPressure);
    m_events.append(EventLog::Level::Error, u"memory"_s, message);
    qCWarning(lcDegradation).noquote() << message;
}

} // namespace wsinfra
