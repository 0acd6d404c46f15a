#include "transport/websocket/writebatcher.h"

#include "transport/websocket/serverwebsocket.h"

namespace wsinfra {

WriteBatcher::~WriteBatcher()
{
    for (ServerWebSocket *socket : m_sockets) {
        if (socket)
            socket->m_batchSlot = -1;
    }
}

void WriteBatcher::schedule(ServerWebSocket *socket)
{
    if (socket->m_batchSlot >= 0)
        return;
    socket->m_batchSlot = int(m_sockets.size());
    m_sockets.push_back(socket);
    if (!m_flushPosted)
        postFlush();
}

void WriteBatcher::postFlush()
{
    m_flushPosted = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_flushPosted = false;
            if (m_holdWhile && m_holds < MaxHolds && m_holdWhile()) {
                ++m_holds; // behind what is queued now
                postFlush();
                return;
            }
            m_holds = 0;
            flush();
        },
        Qt::QueuedConnection);
}

void WriteBatcher::cancel(ServerWebSocket *socket)
{
    if (socket->m_batchSlot < 0)
        return;
    m_sockets[size_t(socket->m_batchSlot)] = nullptr;
    socket->m_batchSlot = -1;
}

void WriteBatcher::flush()
{
    // A socket's flush may schedule others (a failed write ends a connection, whose owner sends elsewhere):
    // those are taken in the same pass.
    for (size_t i = 0; i < m_sockets.size(); ++i) {
        ServerWebSocket *socket = m_sockets[i];
        if (!socket)
            continue;
        m_sockets[i] = nullptr;
        socket->m_batchSlot = -1;
        socket->flushPending();
    }
    m_sockets.clear();
}

} // namespace wsinfra
