#pragma once

#include "core/connection.h"
#include "core/publication.h"
#include "core/shardcontext.h"
#include "transport/incomingsocket.h"

#include <QList>
#include <QObject>

#include <functional>

class QThread;
class QUrlQuery;

namespace wsinfra {

class Shard;
struct ShardDegradation;
struct HttpRequest;
struct HttpResponse;

/// The I/O threads and their shards. Lives on the orchestrator's thread and is the only way in:
/// it posts work to shards and gathers their answers, so no shard state is touched off its thread.
class ShardPool : public QObject
{
    Q_OBJECT
public:
    ShardPool(int shardCount, const ShardContext &context, QObject *parent = nullptr);
    ~ShardPool() override;

    /// Starts one thread per shard.
    void start();
    /// Stops the threads (after closeAll has drained them, or abruptly).
    void stop();

    int shardCount() const { return int(m_shards.size()); }
    /// How many of the I/O threads run an EpollEventDispatcher (the others run Qt's default one).
    int epollThreadCount() const;

    /// Hands an accepted connection to the next shard (a TLS socket moves to that shard's thread).
    void adoptWebSocket(const IncomingSocket &incoming, const AdmissionTicket &ticket);
    /// Hands an Engine.IO WebSocket upgrade to the shard that owns `sid` (a new session: the next shard);
    /// `clientAddress` is the client's address as the front door determined it; `query` the request's
    /// (EIO, transport, sid).
    void adoptEngineIoWebSocket(const IncomingSocket &incoming, const QString &sid, const QString &clientAddress,
                                const QUrlQuery &query);
    /// Routes an Engine.IO long-polling request the same way; `respond` is called on this thread.
    void handleEngineIoHttp(const HttpRequest &request, const QString &peerAddress,
                            std::function<void(const HttpResponse &)> respond);
    /// Delivers on every shard; `done` gets the number of connections reached, on this thread.
    void deliver(const Publication &publication, std::function<void(int delivered)> done = {});
    /// Closes every connection; `done` runs once every shard has drained.
    void closeAll(int code, const QString &reason, std::function<void()> done = {});
    /// Applies (or lifts) what memory pressure makes every shard give up, each on its own thread.
    void setDegradation(const ShardDegradation &degradation);
    /// Replaces every shard's client limits (Shard::setClientLimits), each on its own thread.
    void setClientLimits(int messagesPerSecond, int messageBurst, int rateLimitMaxViolations,
                         int maxSubscriptionsPerConnection);
    /// Closes these connections, each on its shard's thread (ids of closed connections are ignored).
    void closeConnections(const QList<ConnectionId> &ids, int code, const QString &reason);

    /// Runs `query` on every shard's thread and waits for all answers (blocking this thread only;
    /// shards never wait for this thread, so this cannot deadlock).
    /// The sum of the shards' presenceChanges(): it moves when any shard's users or subscriptions change.
    quint64 presenceChanges() const;
    template <typename T> QList<T> collect(const std::function<T(const Shard &)> &query) const;

signals:
    /// Queued from the shards: an admitted client is gone.
    void connectionReleased(const wsinfra::AdmissionTicket &ticket);

private:
    int nextShard();
    /// The shard of an Engine.IO sid; an unknown one goes to shard 0, which answers "Session ID unknown".
    int shardOfSid(const QString &sid);
    void runOn(int shard, std::function<void(Shard &)> job, bool wait) const;

    QList<Shard *> m_shards;
    QList<QThread *> m_threads;
    const bool m_epollEventDispatcher; ///< each I/O thread gets an EpollEventDispatcher when it starts
    int m_nextShard = 0;
};

template <typename T> QList<T> ShardPool::collect(const std::function<T(const Shard &)> &query) const
{
    QList<T> answers(m_shards.size());
    for (int shard = 0; shard < m_shards.size(); ++shard)
        runOn(
            shard, [&answers, &query, shard](Shard &target) { answers[shard] = query(target); }, true);
    return answers;
}

} // namespace wsinfra
