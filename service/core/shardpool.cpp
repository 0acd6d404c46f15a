#include "core/shardpool.h"

#include "core/epolleventdispatcher.h"
#include "core/shard.h"
#include "transport/httprequestparser.h"
#include "transport/httpresponse.h"
#include "transport/socketioendpoint.h"

#include <QThread>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;

namespace wsinfra {

ShardPool::ShardPool(int shardCount, const ShardContext &context, QObject *parent)
    : QObject(parent), m_epollEventDispatcher(context.epollEventDispatcher)
{
    for (int index = 0; index < qMax(1, shardCount); ++index) {
        auto *thread = new QThread(this);
        thread->setObjectName(u"wsinfra-io-%1"_s.arg(index));
        auto *shard = new Shard(index, context);
        shard->moveToThread(thread);
        connect(thread, &QThread::finished, shard, &QObject::deleteLater);
        connect(shard, &Shard::connectionReleased, this, &ShardPool::connectionReleased);
        m_threads.append(thread);
        m_shards.append(shard);
    }
}

ShardPool::~ShardPool()
{
    stop();
}

int ShardPool::epollThreadCount() const
{
    return int(std::count_if(m_threads.cbegin(), m_threads.cend(), [](QThread *thread) {
        return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance(thread)) != nullptr;
    }));
}

void ShardPool::start()
{
    for (int index = 0; index < m_shards.size(); ++index) {
        // Just before start(): a running thread keeps the dispatcher it started with, and a thread that
        // never starts (the service failed first) would never delete one. The thread owns it.
        if (m_epollEventDispatcher)
            m_threads[index]->setEventDispatcher(new EpollEventDispatcher);
        m_threads[index]->start();
        runOn(
            index, [](Shard &shard) { shard.start(); }, true);
    }
}

void ShardPool::stop()
{
    for (qsizetype index = 0; index < m_threads.size(); ++index) {
        QThread *thread = m_threads.at(index);
        if (thread->isRunning()) {
            thread->quit();
            thread->wait();
        } else if (!thread->isFinished() && index < m_shards.size()) {
            // Never started (the service failed before start()): no finished() will delete the shard.
            delete m_shards.at(index);
        }
    }
    m_shards.clear();
}

void ShardPool::runOn(int shard, std::function<void(Shard &)> job, bool wait) const
{
    Shard *target = m_shards.at(shard);
    QMetaObject::invokeMethod(
        target, [target, job = std::move(job)] { job(*target); },
        wait ? Qt::BlockingQueuedConnection : Qt::QueuedConnection);
}

int ShardPool::nextShard()
{
    const int shard = m_nextShard;
    m_nextShard = (m_nextShard + 1) % int(m_shards.size());
    return shard;
}

int ShardPool::shardOfSid(const QString &sid)
{
    if (sid.isEmpty())
        return nextShard();
    const int shard = SocketIoEndpoint::shardOfSid(sid);
    return shard >= 0 && shard < m_shards.size() ? shard : 0;
}

void ShardPool::adoptEngineIoWebSocket(const IncomingSocket &incoming, const QString &sid, const QString &clientAddress,
                                       const QUrlQuery &query)
{
    const int shard = shardOfSid(sid);
    incoming.moveToThread(m_shards.at(shard)->thread());
    runOn(
        shard,
        [incoming, clientAddress, query](Shard &target) {
            target.adoptEngineIoWebSocket(incoming, clientAddress, query);
        },
        false);
}

void ShardPool::handleEngineIoHttp(const HttpRequest &request, const QString &peerAddress,
                                   std::function<void(const HttpResponse &)> respond)
{
    const QString sid = request.query.queryItemValue(u"sid"_s, QUrl::FullyDecoded);
    runOn(
        shardOfSid(sid),
        [this, request, peerAddress, respond = std::move(respond)](Shard &target) {
            // The answer is written by the HTTP connection, which lives on this pool's thread.
            target.handleEngineIoHttp(request, peerAddress, [this, respond](const HttpResponse &response) {
                QMetaObject::invokeMethod(this, [respond, response] { respond(response); });
            });
        },
        false);
}

void ShardPool::adoptWebSocket(const IncomingSocket &incoming, const AdmissionTicket &ticket)
{
    const int shard = nextShard();
    incoming.moveToThread(m_shards.at(shard)->thread());
    runOn(
        shard, [incoming, ticket](Shard &target) { target.adoptWebSocket(incoming, ticket); }, false);
}

void ShardPool::deliver(const Publication &publication, std::function<void(int)> done)
{
    struct Tally
    {
        int pending;
        int delivered = 0;
        std::function<void(int)> done;
    };
    auto tally = std::make_shared<Tally>(Tally{int(m_shards.size()), 0, std::move(done)});
    for (int shard = 0; shard < m_shards.size(); ++shard) {
        m_shards.at(shard)->notePostedDelivery();
        runOn(
            shard,
            [this, publication, tally](Shard &target) {
                const int delivered = target.deliver(publication);
                // The tally lives on this pool's thread: report back there.
                QMetaObject::invokeMethod(this, [tally, delivered] {
                    tally->delivered += delivered;
                    if (--tally->pending == 0 && tally->done)
                        tally->done(tally->delivered);
                });
            },
            false);
    }
}

void ShardPool::closeAll(int code, const QString &reason, std::function<void()> done)
{
    auto pending = std::make_shared<int>(int(m_shards.size()));
    auto finished = std::make_shared<std::function<void()>>(std::move(done));
    for (int shard = 0; shard < m_shards.size(); ++shard) {
        Shard *target = m_shards.at(shard);
        connect(
            target, &Shard::drained, this,
            [pending, finished] {
                if (--*pending == 0 && *finished)
                    (*finished)();
            },
            Qt::SingleShotConnection);
        runOn(
            shard, [code, reason](Shard &shard) { shard.closeAll(code, reason); }, false);
    }
}

void ShardPool::setDegradation(const ShardDegradation &degradation)
{
    for (int shard = 0; shard < m_shards.size(); ++shard)
        runOn(
            shard, [degradation](Shard &target) { target.setDegradation(degradation); }, false);
}

void ShardPool::setClientLimits(int messagesPerSecond, int messageBurst, int rateLimitMaxViolations,
                                int maxSubscriptionsPerConnection)
{
    for (int shard = 0; shard < m_shards.size(); ++shard)
        runOn(
            shard,
            [=](Shard &target) {
                target.setClientLimits(messagesPerSecond, messageBurst, rateLimitMaxViolations,
                                       maxSubscriptionsPerConnection);
            },
            false);
}

void ShardPool::closeConnections(const QList<ConnectionId> &ids, int code, const QString &reason)
{
    for (ConnectionId id : ids) {
        const int shard = Shard::shardOf(id);
        if (shard < 0 || shard >= m_shards.size())
            continue;
        runOn(
            shard, [id, code, reason](Shard &target) { target.closeConnection(id, code, reason); }, false);
    }
}

quint64 ShardPool::presenceChanges() const
{
    quint64 changes = 0;
    for (const Shard *shard : m_shards)
        changes += shard->presenceChanges();
    return changes;
}

} // namespace wsinfra
