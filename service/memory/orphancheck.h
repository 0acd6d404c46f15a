#pragma once

#include "core/subscriptionmanager.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>

namespace wsinfra {

/// Cross-checks the indexes of one shard for entries that refer to a connection that no longer
/// exists: such an entry is never removed by the connection's cleanup and so is a leak. Pure: it
/// reads what it is given, so a test can plant an orphan without a shard.
class OrphanCheck
{
public:
    struct Orphan
    {
        QString structure;             ///< "subscriptions", "user_index", "pending_output"
        ConnectionId connectionId = 0; ///< the missing connection (0: the structure as a whole)
        QString detail;
    };

    /// At most this many orphans are listed per check (the count of findings can be higher).
    static constexpr int MaxListed = 100;

    struct Report
    {
        QList<Orphan> orphans; ///< at most MaxListed
        qsizetype total = 0;   ///< every orphan found
    };

    /// `exists` says whether a connection id is in the shard's connection table.
    static Report find(const std::function<bool(ConnectionId)> &exists, const SubscriptionManager &subscriptions,
                       const QHash<QString, QSet<ConnectionId>> &connectionsByUser,
                       const QSet<ConnectionId> &pendingOutput);
};

} // namespace wsinfra
