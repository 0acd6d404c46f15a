#pragma once

#include "core/clienttransport.h"

namespace wsinfra {

class ServerWebSocket;
class TextFrameCache;

/// The native protocol over our ServerWebSocket: one JSON envelope per text frame.
class NativeWebSocketAdapter final : public ClientTransport
{
    Q_OBJECT
public:
    /// Takes ownership of the socket. `frames` (the shard's) outlives the adapter.
    NativeWebSocketAdapter(ServerWebSocket *socket, TextFrameCache *frames, QObject *parent = nullptr);
    ~NativeWebSocketAdapter() override;

    void sendText(QLatin1StringView type, const QString &text, qint64 sequence) override;
    void close(int code, const QString &reason) override;
    void ping() override;
    void abort() override;
    qint64 bufferedBytes() const override;

private:
    void onDisconnected();

    ServerWebSocket *m_socket;
    TextFrameCache *m_frames;
    bool m_closed = false;
};

} // namespace wsinfra
