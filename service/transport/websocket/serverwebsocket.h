#pragma once

#include "transport/incomingsocket.h"
#include "transport/websocket/websocketframe.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>

class QSocketNotifier;
class QSslSocket;
class QTcpSocket;

namespace wsinfra {

class WriteBatcher;

/// The server end of one WebSocket (RFC 6455) after its upgrade request was accepted: our own framing
/// over the connection's descriptor, or over its QSslSocket for TLS. It replaces a QWebSocket + QTcpSocket
/// per client (about 20 KB and a write system call per message) with a few hundred bytes and one write
/// per socket and event-loop turn (WriteBatcher), whatever number of messages the turn produced.
///
/// Signals follow QWebSocket's so that the transports read the same: messages, pongs, and one
/// `disconnected` when the connection is gone (after the closing handshake, an error, or abort()).
class ServerWebSocket final : public QObject
{
    Q_OBJECT
public:
    /// Bytes waiting for the kernel past which they are written at once rather than at the end of the
    /// event-loop turn: keeps the buffer small while the kernel has room.
    static constexpr qsizetype ImmediateWriteBytes = 16 * 1024;
    /// How long a close waits for the peer's closing handshake and for the last bytes to leave.
    static constexpr int CloseTimeoutMs = 5'000;
    /// Bytes waiting past which a ping is not answered at once: only the latest one is, once they left
    /// (RFC 6455 5.5.3 allows it), so a client that pings without reading cannot make us buffer pongs.
    static constexpr qint64 PongBacklogBytes = 64 * 1024;

    /// Completes the upgrade of `incoming`: consumes its `headLength` request bytes (read by the front
    /// door, which checked the request) and answers 101 with `acceptKey` (Sec-WebSocket-Accept).
    /// Check isOpen() afterwards: the connection may be gone already. `batcher` outlives the socket and
    /// lives on this thread (nullptr: every message is written at once).
    ServerWebSocket(const IncomingSocket &incoming, qsizetype headLength, const QByteArray &acceptKey,
                    WriteBatcher *batcher, QObject *parent = nullptr);
    ~ServerWebSocket() override;

    /// Messages (all fragments) above this size are refused with close code 1009.
    void setMaxIncomingMessageBytes(qint64 bytes);

    /// Sends a text message; `utf8` must be valid UTF-8.
    void sendText(QByteArrayView utf8);
    void sendTextMessage(const QString &text) { sendText(text.toUtf8()); }
    void sendBinaryMessage(QByteArrayView bytes);
    /// Sends an already encoded frame (WebSocketFrame::encode): a publication framed once for every
    /// recipient.
    void sendFrame(QByteArrayView frame);
    void ping();
    /// Starts the closing handshake with a close code and reason; disconnected() follows when the peer
    /// answered (or did not within CloseTimeoutMs).
    void close(int code, const QString &reason = {});
    /// Drops the connection at once; disconnected() is emitted (if it was not gone already).
    void abort();

    bool isOpen() const { return m_state == State::Open; }
    bool isGone() const { return m_state == State::Gone; }
    /// Bytes handed to us that the kernel has not taken yet (for TLS: not encrypted and sent yet).
    qint64 bytesToWrite() const;
    /// Called by WriteBatcher at the end of the turn.
    void flushPending();

signals:
    void textMessageReceived(const QString &text);
    void binaryMessageReceived(const QByteArray &bytes);
    void pong();
    /// The kernel took bytes that were waiting: more may be sent.
    void bytesWritten();
    void disconnected();

private:
    enum class State { Open, Closing, Gone };

    void queueBytes(QByteArrayView bytes);
    void onReadable();
    void onWritable();
    /// After bytes left: the pong owed for the latest ping, when the backlog allows it now.
    void sendOwedPong();
    void handleBytes(QByteArrayView bytes);
    void handleEvent(const WebSocketFrameParser::Event &event);
    /// Writes what waits; false when the connection failed (and is gone).
    bool writePending();
    void updateWriteNotifier();
    /// After the closing handshake: half-closes once everything is written, then waits for the peer's end.
    void finishAfterWrites();
    void startCloseTimer();
    void becomeGone();

    State m_state = State::Open;
    bool m_closeSent = false;
    bool m_shutdownAfterWrites = false;
    bool m_writeShutDown = false;
    bool m_pongOwed = false;
    QByteArray m_owedPongPayload;
    int m_batchSlot = -1; ///< position in the batcher's list while a flush is scheduled
    qintptr m_descriptor = -1;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr; ///< created when the kernel first refuses bytes
    QTcpSocket *m_tlsSocket = nullptr;          ///< the TLS connection (then no descriptor of ours)
    WriteBatcher *m_batcher;
    QByteArray m_output; ///< bytes the kernel has not taken yet (plain connections)
    WebSocketFrameParser m_parser;

    friend class WriteBatcher;
};

} // namespace wsinfra
