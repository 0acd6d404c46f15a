#include "core/shardpool.h"

#include "core/shard.h"

#include <QThread>

#include <memory>

using namespace Qt::StringLiterals;

namespace wsinfra {

ShardPool::ShardPool(int shardCount, const QString &nodeId, const ShardSettings &settings, ChannelHistory &history,
                     StatisticsCollector &statistics, const Clock &clock, QObject *parent)
    : QObject(parent)
{
    for (int index = 0; index < qMax(1, shardCount); ++index) {
        auto *thread = new QThread(this);
        thread->setObjectName(u"wsinfra-io-%1"_s.arg(index));
        auto *shard = new Shard(index, nodeId, settings, history, statistics, clock);
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

void ShardPool::start()
{
    for (int index = 0; index < m_shards.size(); ++index) {
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

void ShardPool::adoptWebSocket(qintptr socketDescriptor, const AdmissionTicket &ticket)
{
    const int shard = m_nextShard;
    m_nextShard = (m_nextShard + 1) % int(m_shards.size());
    runOn(
        shard, [socketDescriptor, ticket](Shard &target) { target.adoptWebSocket(socketDescriptor, ticket); }, false);
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

} // namespace wsinfra
