#pragma once

#include "transport/engineio/enginepacket.h"
#include "transport/httpresponse.h"

#include <QDeadlineTimer>
#include <QList>
#include <QMetaObject>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

class QTimer;

namespace wsinfra {

class ServerWebSocket;

/// One Engine.IO client, on HTTP long-polling or on a WebSocket; owned by its EngineIoServer. Packets sent in
/// one event-loop turn go out together. The server pings every pingInterval and closes a session whose client
/// does not answer within pingTimeout. After closed() the server deletes the session (deleteLater).
class EngineIoSession : public QObject
{
    Q_OBJECT
public:
    /// What a session needs of its server's settings.
    struct Limits
    {
        qint64 pingIntervalMs = 25'000;
        qint64 pingTimeoutMs = 20'000;
        qint64 maxPayload = 1'000'000;
        qint64 upgradeTimeoutMs = 10'000;
        qint64 maxQueuedBytes = 4 * 1024 * 1024;
        qsizetype maxPacketsPerPayload = 10'000;
    };

    ~EngineIoSession() override;

    QString id() const { return m_id; }
    QString peerAddress() const { return m_peerAddress; }
    /// Whether the current transport is the WebSocket (from the start or after an upgrade).
    bool isWebSocket() const { return m_webSocket != nullptr; }
    /// Whether closed() has been emitted.
    bool isClosed() const { return m_state != State::Open; }

    /// Queues a text message packet ("4"+utf8); sent on the current transport (a pending GET is answered at once,
    /// packets queued in one event-loop turn go out together). Ignored once closed. A client that lets more than
    /// maxQueuedBytes pile up is closed ("forced close").
    void sendMessage(const QByteArray &utf8);
    /// A text message that many sessions are sent: `webSocketFrame` is its Engine.IO message already framed
    /// for a WebSocket, sent as it is when the session is on one with nothing queued (encoded once for
    /// every recipient); otherwise `utf8` goes the usual way.
    void sendSharedMessage(const QByteArray &utf8, const QByteArray &webSocketFrame);
    void sendBinary(const QByteArray &bytes);
    /// Sends the close packet (flushing what is queued first) and closes; closed("server close") follows.
    void close();
    /// Bytes queued but not yet handed to a socket.
    qint64 queuedBytes() const { return m_queuedBytes; }

signals:
    void messageReceived(const QByteArray &utf8);
    void binaryReceived(const QByteArray &bytes);
    /// Now on WebSocket.
    void upgraded();
    /// Once. reason: "transport close", "transport error", "ping timeout", "client close", "server close",
    /// "parse error", "forced close".
    void closed(const QString &reason);

private:
    friend class EngineIoServer;
    using Respond = std::function<void(const HttpResponse &response)>;
    using Finished = std::function<void(EngineIoSession *session)>;
    enum class State { Open, Closing, Finished };

    /// A polling session (webSocket null) or a session on a WebSocket from the start. `finished` is called once
    /// when the session has closed and is done with its transports.
    EngineIoSession(const QString &id, const QString &peerAddress, const Limits &limits, ServerWebSocket *webSocket,
                    Finished finished, QObject *parent);

    // For EngineIoServer.
    void handlePoll(const Respond &respond, QObject *connection);
    void handlePost(const QByteArray &body, const Respond &respond);
    /// A WebSocket opened with this session's sid: the probe of an upgrade. False (socket untouched) when the
    /// session cannot upgrade (already on a WebSocket or upgrading).
    bool startProbe(ServerWebSocket *socket);
    /// Whether the client missed its pong deadline; closes with "ping timeout" if so. Checked before a request is
    /// served, so that a request and the heartbeat timer arriving together are handled in time order.
    bool checkHeartbeat();
    /// Whether a GET may still fetch the final packets of a closed session.
    bool isLingering() const;
    void closeWithReason(const QString &reason);
    /// Closes a WebSocket that `owner` no longer uses and deletes it once closed (or dropped after a timeout);
    /// it is handed to `newParent` so that it can outlive its owner.
    static void retireWebSocket(ServerWebSocket *socket, QObject *owner, QObject *newParent, int code,
                                const QString &reason = {});

    void queue(EnginePacket packet);
    void scheduleFlush();
    void flush();
    void answerPoll(const QByteArray &payload);
    void answerPoll(const HttpResponse &response);
    /// Closes the session when its WebSocket holds more than the queue may.
    void checkWebSocketBacklog();
    void sendOnWebSocket(ServerWebSocket *socket, const EnginePacket &packet);
    void handlePacket(const EnginePacket &packet);
    void onWebSocketText(ServerWebSocket *socket, const QString &text);
    void onWebSocketBinary(ServerWebSocket *socket, const QByteArray &bytes);
    void onWebSocketGone(ServerWebSocket *socket);
    void attachWebSocket(ServerWebSocket *socket);
    void completeUpgrade();
    void abandonProbe();
    void schedulePing();
    void sendPing();
    void onPongTimeout();
    void onPollConnectionGone(quint64 serial);
    void finish();

    const QString m_id;
    const QString m_peerAddress;
    const Limits m_limits;
    Finished m_finished;
    State m_state = State::Open;

    ServerWebSocket *m_webSocket = nullptr; // the transport once on WebSocket
    ServerWebSocket *m_probe = nullptr;     // a WebSocket being tried for the upgrade
    bool m_probed = false;                  // the probe answered "3probe": polling only gets noops now
    bool m_pollHeld = false;                // m_poll came during the upgrade and waits a moment for its outcome

    struct PendingPoll
    {
        Respond respond;
        QMetaObject::Connection gone;
        quint64 serial = 0;
    };
    std::optional<PendingPoll> m_poll;
    quint64 m_pollSerial = 0;

    QList<EnginePacket> m_queue;
    qint64 m_queuedBytes = 0;
    bool m_flushScheduled = false;

    QTimer *m_pingTimer;
    QTimer *m_pongTimer;
    QTimer *m_upgradeTimer;
    QTimer *m_lingerTimer;
    QTimer *m_heldPollTimer;
    // The heartbeat runs on when the ping was due, not on when its timer fired: a late timer does not give the
    // client more time than pingInterval + pingTimeout.
    QDeadlineTimer m_pingDue = QDeadlineTimer(QDeadlineTimer::Forever);
    QDeadlineTimer m_pongDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
};

} // namespace wsinfra
