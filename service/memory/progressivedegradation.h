#pragma once

#include "memory/memorymanager.h"

#include <QObject>
#include <QString>

#include <array>

namespace wsinfra {

class ChannelHistory;
class Deduplicator;
class EventLog;
class NotificationInbox;
class ShardPool;

/// What the service gives up, step by step, as memory pressure rises, and gets back as it falls.
/// The step follows the MemoryManager's level (which has hysteresis, so steps do not flap):
///
/// 1. warning: caches shrink toward a floor (bill history per bill to a quarter by default, at least
///    10; dedupe keys and each user's inbox to a quarter), and freed heap is returned to the system.
/// 2. critical: in every shard, batches go out at once, the per-connection queue budget is a
///    quarter, subscriptions beyond a floor of bills (10) are refused, broadcasts for congested
///    connections are dropped.
/// 3. emergency: at every check, freed heap is returned to the system and the connections with the
///    largest outbound queues (the top 5%, at least one) are closed with 4004 (new connections are
///    refused by the service itself).
/// The fractions and the floor are the DEGRADATION_* options (Baseline).
///
/// Falling to a level undoes every step above it. Each step taken or undone is logged in the event
/// log (category `memory`) and each step taken is counted. Lives on the orchestrator thread; shard
/// state is changed only through the ShardPool.
class ProgressiveDegradation : public QObject
{
    Q_OBJECT
public:
    /// The configured sizes, restored when pressure falls, and how far each step cuts them
    /// (DEGRADATION_* options).
    struct Baseline
    {
        int historyPerBill = 100;
        qsizetype dedupeCapacity = 10'000;
        int inboxPerUser = 100;
        qint64 maxQueuedBytes = 1024 * 1024;
        int cachePercent = 25;      ///< warning: caches shrink to this percent of their size
        int queuePercent = 25;      ///< critical: per-connection queue budget, percent of maxQueuedBytes
        int subscriptionFloor = 10; ///< critical: bills a connection may still subscribe to
        int shedPercent = 5;        ///< emergency: connections closed at each check (at least one)
    };

    static constexpr int HistoryFloor = 10;
    static constexpr int StepCount = 4; ///< 0 (nothing given up) to 3 (emergency)

    ProgressiveDegradation(const Baseline &baseline, ChannelHistory &history, Deduplicator &deduplicator,
                           NotificationInbox &inbox, ShardPool &shards, EventLog &events, QObject *parent = nullptr);

    /// Moves to the step of `level`, taking or undoing steps one at a time; at emergency, also sheds
    /// connections. Connect it to MemoryManager::checked() once the shards run.
    void update(wsinfra::MemoryManager::Level level);

    /// 0 to 3, the level whose steps are in force.
    int step() const { return m_step; }
    /// How often `step` (1 to 3) was taken since start.
    qint64 timesTaken(int step) const;
    /// Connections closed with 4004 since start.
    qint64 shedConnections() const { return m_shedConnections; }

    /// The history bound at warning: `percent` of the configured one, at least 10 (never above it).
    static int historyFloorOf(int configured, int percent);
    /// The dedupe and inbox bounds at warning: `percent` of the configured one, at least 1 (0 stays 0).
    static qsizetype shrunk(qsizetype configured, int percent);

private:
    void take(int step);
    void undo(int step);
    void shrinkCaches();
    void restoreCaches();
    void shedLargestQueues();

    const Baseline m_baseline;
    ChannelHistory &m_history;
    Deduplicator &m_deduplicator;
    NotificationInbox &m_inbox;
    ShardPool &m_shards;
    EventLog &m_events;
    int m_step = 0;
    std::array<qint64, StepCount> m_taken{};
    qint64 m_shedConnections = 0;
};

} // namespace wsinfra
