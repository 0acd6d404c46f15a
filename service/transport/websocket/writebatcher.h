#pragma once

#include <QObject>

#include <functional>
#include <vector>

namespace wsinfra {

class ServerWebSocket;

/// Hands the bytes queued on one thread's sockets to the kernel once per event-loop turn: whatever number
/// of messages a turn produced for a socket (a burst of publications, a replay) leaves in one write system
/// call. A socket asks for it with schedule(); the flush runs from a posted call, so after the work
/// already waiting in this turn (the other queued deliveries) and before the thread waits for more.
class WriteBatcher final : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~WriteBatcher() override;

    /// While `more` says that more output is on its way (publications queued behind the flush), the
    /// flush waits for it, at most MaxHolds times in a row: under a flat-out stream of publications each
    /// socket gets several messages per write instead of one.
    void setHoldWhile(std::function<bool()> more) { m_holdWhile = std::move(more); }
    void schedule(ServerWebSocket *socket);
    /// A socket going away before the flush.
    void cancel(ServerWebSocket *socket);
    /// Writes every scheduled socket now.
    void flush();

private:
    static constexpr int MaxHolds = 16;

    void postFlush();

    std::vector<ServerWebSocket *> m_sockets;
    std::function<bool()> m_holdWhile;
    int m_holds = 0;
    bool m_flushPosted = false;
};

} // namespace wsinfra
