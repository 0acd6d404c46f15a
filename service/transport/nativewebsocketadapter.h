#pragma once

#include "core/clienttransport.h"

#include <QPointer>

class QTcpSocket;
class QWebSocket;

namespace wsinfra {

/// The native protocol over a QWebSocket: one JSON envelope per text frame.
class NativeWebSocketAdapter final : public ClientTransport
{
    Q_OBJECT
public:
    /// Bytes a socket may hold before they are written without waiting for its write notifier.
    static constexpr qint64 DeferredWriteBytes = 16 * 1024;

    /// Takes ownership of the socket. `tcpSocket` is the connection under it (what the shard adopted),
    /// whose write buffer is what the client has not taken yet. `deferWrites`: leave small writes to the
    /// write notifier (under the epoll dispatcher, see sendText()).
    NativeWebSocketAdapter(QWebSocket *socket, QTcpSocket *tcpSocket, bool deferWrites, QObject *parent = nullptr);
    ~NativeWebSocketAdapter() override;

    void sendText(QLatin1StringView type, const QString &text, qint64 sequence) override;
    void close(int code, const QString &reason) override;
    void ping() override;
    void abort() override;
    qint64 bufferedBytes() const override;

private:
    void onDisconnected();

    QWebSocket *m_socket;
    QPointer<QTcpSocket> m_tcpSocket;
    const bool m_deferWrites;
    bool m_closed = false;
};

} // namespace wsinfra
