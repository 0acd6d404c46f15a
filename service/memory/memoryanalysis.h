#pragma once

#include "memory/leakdetector.h"
#include "memory/memorymanager.h"
#include "memory/orphancheck.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace wsinfra {

/// The MemoryAnalysis of the original design (Service::forceMemoryAnalysis(), POST
/// /api/memory/analysis): what the process takes, what the service's structures hold with an
/// estimate of their memory, and what looks like a leak (orphaned entries, growth the load does not
/// explain). Formatting only: the service takes the census, the leak detector keeps the series.
class MemoryAnalysis
{
public:
    /// The service's structures counted at one moment.
    struct Census
    {
        LeakDetector::Sample sample; ///< the counts the leak detector samples, and RSS
        qint64 subscribedBills = 0;
        qint64 historyBills = 0;
        qint64 inboxUsers = 0;
        qint64 queuedBytes = 0; ///< text length + overhead, as the delivery queues count
        qint64 inboxBytes = 0;  ///< the kept frames, as the inbox counts them
        struct ShardOrphan
        {
            int shard = 0;
            OrphanCheck::Orphan orphan;
        };
        QList<ShardOrphan> orphans; ///< bounded by OrphanCheck::MaxListed per shard
        qint64 orphanTotal = 0;
    };

    /// One finding: a stable key (logged once while it lasts) and what an operator reads.
    struct Finding
    {
        QString key;
        QString message;
    };

    /// The orphans and the growing series as findings.
    static QList<Finding> findings(const Census &census, const QList<LeakDetector::Growth> &growth);
    /// {process, service, analysis}; `memory` is the memory manager's latest check (budget, level).
    static QJsonObject toJson(const Census &census, const MemoryManager::Sample &memory, const LeakDetector &leaks);
};

} // namespace wsinfra
