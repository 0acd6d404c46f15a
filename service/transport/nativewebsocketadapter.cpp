#include "transport/nativewebsocketadapter.h"

#include <QTcpSocket>
#include <QWebSocket>

namespace wsinfra {

NativeWebSocketAdapter::NativeWebSocketAdapter(QWebSocket *socket, QTcpSocket *tcpSocket, QObject *parent)
    : ClientTransport(parent), m_socket(socket), m_tcpSocket(tcpSocket)
{
    if (m_tcpSocket)
        connect(m_tcpSocket, &QTcpSocket::bytesWritten, this, &ClientTransport::writable);
    m_socket->setParent(this);
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        emit alive();
        emit textReceived(text);
    });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &) {
        emit alive();
        emit unsupportedReceived();
    });
    connect(m_socket, &QWebSocket::pong, this, [this](quint64, const QByteArray &) { emit alive(); });
    connect(m_socket, &QWebSocket::disconnected, this, &NativeWebSocketAdapter::onDisconnected);
}

NativeWebSocketAdapter::~NativeWebSocketAdapter()
{
    // The socket is our child; make sure its disconnect does not call back into a half-destroyed object.
    m_socket->disconnect(this);
}

void NativeWebSocketAdapter::sendText(QLatin1StringView, const QString &text, qint64)
{
    if (m_closed)
        return;
    m_socket->sendTextMessage(text);
    // Write now rather than on the next write-notifier turn: one syscall instead of a notifier
    // enable/dispatch/disable cycle per socket, which dominates fan-out to many sockets.
    m_socket->flush();
}

void NativeWebSocketAdapter::close(int code, const QString &reason)
{
    if (m_closed)
        return;
    m_socket->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
}

qint64 NativeWebSocketAdapter::bufferedBytes() const
{
    return m_tcpSocket ? m_tcpSocket->bytesToWrite() : 0;
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
