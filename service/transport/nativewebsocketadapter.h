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
    /// Takes ownership of the socket. `tcpSocket` is the connection under it (what the shard adopted),
    /// whose write buffer is what the client has not taken yet.
    NativeWebSocketAdapter(QWebSocket *socket, QTcpSocket *tcpSocket, QObject *parent = nullptr);
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
    bool m_closed = false;
};

} // namespace wsinfra
