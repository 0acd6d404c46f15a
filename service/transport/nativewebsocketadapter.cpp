#include "transport/nativewebsocketadapter.h"

#include "transport/websocket/serverwebsocket.h"
#include "transport/websocket/textframecache.h"

namespace wsinfra {

NativeWebSocketAdapter::NativeWebSocketAdapter(ServerWebSocket *socket, TextFrameCache *frames, QObject *parent)
    : ClientTransport(parent), m_socket(socket), m_frames(frames)
{
    m_socket->setParent(this);
    connect(m_socket, &ServerWebSocket::bytesWritten, this, &ClientTransport::writable);
    connect(m_socket, &ServerWebSocket::textMessageReceived, this, [this](const QString &text) {
        emit alive();
        emit textReceived(text);
    });
    connect(m_socket, &ServerWebSocket::binaryMessageReceived, this, [this](const QByteArray &) {
        emit alive();
        emit unsupportedReceived();
    });
    connect(m_socket, &ServerWebSocket::pong, this, &ClientTransport::alive);
    connect(m_socket, &ServerWebSocket::disconnected, this, &NativeWebSocketAdapter::onDisconnected);
}

NativeWebSocketAdapter::~NativeWebSocketAdapter()
{
    // The socket is our child; make sure its disconnect does not call back into a half-destroyed object.
    m_socket->disconnect(this);
}

void NativeWebSocketAdapter::sendText(QLatin1StringView, const QString &text, qint64)
{
    if (!m_closed)
        m_socket->sendFrame(m_frames->frameOf(text));
}

void NativeWebSocketAdapter::close(int code, const QString &reason)
{
    if (!m_closed)
        m_socket->close(code, reason);
}

qint64 NativeWebSocketAdapter::bufferedBytes() const
{
    return m_socket->bytesToWrite();
}

void NativeWebSocketAdapter::abort()
{
    if (!m_closed)
        m_socket->abort();
}

void NativeWebSocketAdapter::ping()
{
    if (!m_closed)
        m_socket->ping();
}

void NativeWebSocketAdapter::onDisconnected()
{
    if (m_closed)
        return;
    m_closed = true;
    emit closed();
}

} // namespace wsinfra
