#include "memory/orphancheck.h"

using namespace Qt::StringLiterals;

namespace wsinfra {

OrphanCheck::Report OrphanCheck::find(const std::function<bool(ConnectionId)> &exists,
                                      const SubscriptionManager &subscriptions,
                                      const QHash<QString, QSet<ConnectionId>> &connectionsByUser,
                                      const QSet<ConnectionId> &pendingOutput)
{
    Report report;
    const auto add = [&report](const QString &structure, ConnectionId id, const QString &detail) {
        ++report.total;
        if (report.orphans.size() < MaxListed)
            report.orphans.append(Orphan{structure, id, detail});
    };
    const QList<ConnectionId> subscribed = subscriptions.connections();
    for (ConnectionId id : subscribed) {
        if (!exists(id))
            add(u"subscriptions"_s, id,
                u"%1 subscriptions of a connection that is gone"_s.arg(subscriptions.subscriptionCountOf(id)));
    }
    if (!subscriptions.isConsistent())
        add(u"subscriptions"_s, 0, u"the bill and connection indexes of the subscriptions disagree"_s);
    for (auto user = connectionsByUser.cbegin(); user != connectionsByUser.cend(); ++user) {
        if (user->isEmpty())
            add(u"user_index"_s, 0, u"user %1 is indexed without a connection"_s.arg(user.key()));
        for (ConnectionId id : *user) {
            if (!exists(id))
                add(u"user_index"_s, id, u"user %1 is indexed with a connection that is gone"_s.arg(user.key()));
        }
    }
    for (ConnectionId id : pendingOutput) {
        if (!exists(id))
            add(u"pending_output"_s, id, u"output is pending for a connection that is gone"_s);
    }
    return report;
}

} // namespace wsinfra
