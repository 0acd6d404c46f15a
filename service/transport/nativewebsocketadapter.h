#pragma once

#include "core/clienttransport.h"

class QWebSocket;

namespace wsinfra {

/// The native protocol over a QWebSocket: one JSON envelope per text frame.
class NativeWebSocketAdapter final : public ClientTransport
{
    Q_OBJECT
public:
    /// Takes ownership of the socket.
    explicit NativeWebSocketAdapter(QWebSocket *socket, QObject *parent = nullptr);
    ~NativeWebSocketAdapter() override;

    void sendText(QLatin1StringView type, const QString &text, qint64 sequence) override;
    void close(int code, const QString &reason) override;
    void ping() override;

private:
    void onDisconnected();

    QWebSocket *m_socket;
    bool m_closed = false;
};

} // namespace wsinfra
