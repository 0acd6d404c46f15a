#include "transport/engineio/engineiosession.h"

#include "protocol/codes.h"
#include "transport/websocket/serverwebsocket.h"

#include <QLoggingCategory>
#include <QTimer>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcEngineIo)

namespace wsinfra {

namespace {

const QByteArray PayloadContentType = "text/plain; charset=UTF-8";
// A closing WebSocket gets this long to answer our close frame before it is dropped.
constexpr int WebSocketCloseTimeoutMs = 2'000;
// How long a polling session closed by the server waits for the GET that fetches its close packet. A polling
// client has a GET pending nearly all the time, so this only covers the gap between two GETs.
constexpr qint64 MaxLingerMs = 5'000;
// A GET that arrives while an upgrade is being probed is held this long before it gets its noop: if the upgrade
// completes meanwhile (its "5" and the GET crossed), the GET is refused like any GET after the upgrade. The
// reference server answers such GETs from a timer of the same period.
constexpr int HeldPollMs = 100;

QTimer *singleShotTimer(qint64 intervalMs, QObject *parent)
{
    auto *timer = new QTimer(parent);
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer);
    timer->setInterval(std::chrono::milliseconds(qMax<qint64>(0, intervalMs)));
    return timer;
}

} // namespace

EngineIoSession::EngineIoSession(const QString &id, const QString &peerAddress, const Limits &limits,
                                 ServerWebSocket *webSocket, Finished finished, QObject *parent)
    : QObject(parent), m_id(id), m_peerAddress(peerAddress), m_limits(limits), m_finished(std::move(finished)),
      m_pingTimer(singleShotTimer(limits.pingIntervalMs, this)),
      m_pongTimer(singleShotTimer(limits.pingTimeoutMs, this)),
      m_upgradeTimer(singleShotTimer(limits.upgradeTimeoutMs, this)),
      m_lingerTimer(singleShotTimer(qMin(limits.pingTimeoutMs, MaxLingerMs), this)),
      m_heldPollTimer(singleShotTimer(HeldPollMs, this))
{
    connect(m_pingTimer, &QTimer::timeout, this, &EngineIoSession::sendPing);
    connect(m_pongTimer, &QTimer::timeout, this, &EngineIoSession::onPongTimeout);
    connect(m_upgradeTimer, &QTimer::timeout, this, &EngineIoSession::abandonProbe);
    connect(m_lingerTimer, &QTimer::timeout, this, &EngineIoSession::finish);
    connect(m_heldPollTimer, &QTimer::timeout, this,
            [this] { answerPoll(QByteArray(1, char(EnginePacket::Type::Noop))); });
    if (webSocket) {
        m_webSocket = webSocket;
        attachWebSocket(webSocket);
    }
    schedulePing();
}

EngineIoSession::~EngineIoSession() = default;

void EngineIoSession::retireWebSocket(ServerWebSocket *socket, QObject *owner, QObject *newParent, int code,
                                      const QString &reason)
{
    QObject::disconnect(socket, nullptr, owner, nullptr);
    socket->setParent(newParent);
    if (socket->isGone()) {
        socket->deleteLater();
        return;
    }
    QObject::connect(socket, &ServerWebSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(WebSocketCloseTimeoutMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    socket->close(code, reason);
}

void EngineIoSession::sendMessage(const QByteArray &utf8)
{
    queue(EnginePacket{EnginePacket::Type::Message, utf8, false});
}

void EngineIoSession::sendSharedMessage(const QByteArray &utf8, const QByteArray &webSocketFrame)
{
    if (m_state == State::Open && m_webSocket && m_queue.isEmpty()) {
        m_webSocket->sendFrame(webSocketFrame);
        checkWebSocketBacklog();
        return;
    }
    sendMessage(utf8);
}

void EngineIoSession::sendBinary(const QByteArray &bytes)
{
    queue(EnginePacket{EnginePacket::Type::Message, bytes, true});
}

void EngineIoSession::close()
{
    closeWithReason(u"server close"_s);
}

void EngineIoSession::queue(EnginePacket packet)
{
    if (m_state != State::Open)
        return;
    if (m_webSocket && m_queue.isEmpty()) {
        // On a WebSocket the socket itself gathers what a turn produces into one write (WriteBatcher):
        // no queue and no posted flush per session and message.
        sendOnWebSocket(m_webSocket, packet);
        checkWebSocketBacklog();
        return;
    }
    m_queuedBytes += packet.data.size() + 1;
    m_queue.append(std::move(packet));
    if (m_queuedBytes > m_limits.maxQueuedBytes) {
        qCDebug(lcEngineIo) << "session" << m_id << "queued more than" << m_limits.maxQueuedBytes << "bytes";
        closeWithReason(u"forced close"_s);
        return;
    }
    scheduleFlush();
}

void EngineIoSession::scheduleFlush()
{
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    QMetaObject::invokeMethod(this, &EngineIoSession::flush, Qt::QueuedConnection);
}

void EngineIoSession::flush()
{
    m_flushScheduled = false;
    if (m_state != State::Open || m_queue.isEmpty())
        return;
    if (m_webSocket) {
        for (const EnginePacket &packet : std::as_const(m_queue))
            sendOnWebSocket(m_webSocket, packet);
        m_queue.clear();
        m_queuedBytes = 0;
        checkWebSocketBacklog();
        return;
    }
    // While an upgrade is being probed the polling side only gets noops; the queue waits for the WebSocket.
    if (m_poll && !m_probed) {
        const QByteArray payload = EngineCodec::encodePayload(m_queue);
        m_queue.clear();
        m_queuedBytes = 0;
        answerPoll(payload);
    }
}

void EngineIoSession::checkWebSocketBacklog()
{
    // A client that does not read lets the socket's buffer grow: bound it like the queue.
    if (m_webSocket->bytesToWrite() > m_limits.maxQueuedBytes)
        closeWithReason(u"forced close"_s);
}

void EngineIoSession::answerPoll(const QByteArray &payload)
{
    answerPoll(HttpResponse::text(200, payload, PayloadContentType));
}

void EngineIoSession::answerPoll(const HttpResponse &response)
{
    if (!m_poll)
        return;
    const PendingPoll poll = std::move(*m_poll);
    m_poll.reset();
    m_pollHeld = false;
    m_heldPollTimer->stop();
    disconnect(poll.gone);
    poll.respond(response);
}

void EngineIoSession::sendOnWebSocket(ServerWebSocket *socket, const EnginePacket &packet)
{
    if (packet.type == EnginePacket::Type::Message && packet.binary)
        socket->sendBinaryMessage(packet.data);
    else
        socket->sendText(EngineCodec::encodeText(packet));
}

bool EngineIoSession::isLingering() const
{
    return m_state == State::Closing && m_lingerTimer->isActive();
}

void EngineIoSession::handlePoll(const Respond &respond, QObject *connection)
{
    if (isLingering()) {
        // A server close waiting for this GET: it fetches the last packets, the close packet among them.
        const QByteArray payload = EngineCodec::encodePayload(m_queue);
        m_queue.clear();
        m_queuedBytes = 0;
        respond(HttpResponse::text(200, payload, PayloadContentType));
        finish();
        return;
    }
    if (m_state != State::Open) {
        respond(engineErrorResponse(EngineError::UnknownSid));
        return;
    }
    if (m_poll) {
        // Two GETs at once: the protocol closes the session; the first GET carries the close packet.
        qCDebug(lcEngineIo) << "session" << m_id << "got overlapping GET requests";
        respond(engineErrorResponse(EngineError::BadRequest));
        closeWithReason(u"transport error"_s);
        return;
    }
    const quint64 serial = ++m_pollSerial;
    m_poll = PendingPoll{respond, {}, serial};
    if (connection) {
        // The client gave up on the GET (closed the connection): the session is gone with it.
        m_poll->gone = connect(connection, &QObject::destroyed, this, [this, serial] { onPollConnectionGone(serial); });
    }
    if (m_probed) {
        m_pollHeld = true;
        m_heldPollTimer->start();
        return;
    }
    if (!m_queue.isEmpty())
        flush();
}

void EngineIoSession::onPollConnectionGone(quint64 serial)
{
    if (!m_poll || m_poll->serial != serial)
        return;
    m_poll.reset();
    closeWithReason(u"transport close"_s);
}

void EngineIoSession::handlePost(const QByteArray &body, const Respond &respond)
{
    if (m_state != State::Open) {
        respond(engineErrorResponse(EngineError::UnknownSid));
        return;
    }
    if (body.size() > m_limits.maxPayload) {
        HttpResponse tooLarge = engineErrorResponse(EngineError::BadRequest);
        tooLarge.status = 413;
        respond(tooLarge);
        closeWithReason(u"transport error"_s);
        return;
    }
    const Result<QList<EnginePacket>> packets = EngineCodec::decodePayload(body, m_limits.maxPacketsPerPayload);
    if (!packets) {
        qCDebug(lcEngineIo) << "session" << m_id << "sent a bad payload:" << packets.error().message;
        respond(engineErrorResponse(EngineError::BadRequest));
        closeWithReason(u"parse error"_s);
        return;
    }
    for (const EnginePacket &packet : *packets) {
        if (m_state != State::Open)
            break;
        handlePacket(packet);
    }
    respond(HttpResponse::text(200, "ok", "text/html"));
}

void EngineIoSession::handlePacket(const EnginePacket &packet)
{
    switch (packet.type) {
    case EnginePacket::Type::Pong:
        if (m_pongTimer->isActive()) {
            m_pongTimer->stop();
            m_pongDeadline = QDeadlineTimer(QDeadlineTimer::Forever);
            schedulePing();
        }
        return;
    case EnginePacket::Type::Message:
        if (packet.binary)
            emit binaryReceived(packet.data);
        else
            emit messageReceived(packet.data);
        return;
    case EnginePacket::Type::Close:
        closeWithReason(u"client close"_s);
        return;
    case EnginePacket::Type::Ping:
        // In v4 only the server pings (a client may only probe an upgrade, on the new WebSocket).
        qCDebug(lcEngineIo) << "session" << m_id << "got a ping from the client";
        closeWithReason(u"transport error"_s);
        return;
    case EnginePacket::Type::Open:
    case EnginePacket::Type::Upgrade:
    case EnginePacket::Type::Noop:
        return;
    }
}

bool EngineIoSession::startProbe(ServerWebSocket *socket)
{
    if (m_state != State::Open || m_webSocket || m_probe)
        return false;
    m_probe = socket;
    attachWebSocket(socket);
    m_upgradeTimer->start();
    return true;
}

void EngineIoSession::attachWebSocket(ServerWebSocket *socket)
{
    socket->setParent(this);
    socket->setMaxIncomingMessageBytes(qMax<qint64>(1, m_limits.maxPayload));
    connect(socket, &ServerWebSocket::textMessageReceived, this,
            [this, socket](const QString &text) { onWebSocketText(socket, text); });
    connect(socket, &ServerWebSocket::binaryMessageReceived, this,
            [this, socket](const QByteArray &bytes) { onWebSocketBinary(socket, bytes); });
    connect(socket, &ServerWebSocket::disconnected, this, [this, socket] { onWebSocketGone(socket); });
}

void EngineIoSession::onWebSocketText(ServerWebSocket *socket, const QString &text)
{
    if (socket == m_probe) {
        if (text == "2probe"_L1) {
            socket->sendText("3probe");
            m_probed = true;
            // The client pauses polling now: end the GET it has pending.
            answerPoll(QByteArray(1, char(EnginePacket::Type::Noop)));
        } else if (text == "5"_L1) {
            completeUpgrade();
        } else {
            abandonProbe();
        }
        return;
    }
    if (socket != m_webSocket || m_state != State::Open || checkHeartbeat())
        return;
    const Result<EnginePacket> packet = EngineCodec::decodeText(text.toUtf8());
    if (!packet) {
        qCDebug(lcEngineIo) << "session" << m_id << "sent a bad frame:" << packet.error().message;
        closeWithReason(u"parse error"_s);
        return;
    }
    handlePacket(*packet);
}

void EngineIoSession::onWebSocketBinary(ServerWebSocket *socket, const QByteArray &bytes)
{
    if (socket == m_probe) {
        abandonProbe();
        return;
    }
    if (socket != m_webSocket || m_state != State::Open || checkHeartbeat())
        return;
    handlePacket(EngineCodec::decodeBinary(bytes));
}

void EngineIoSession::onWebSocketGone(ServerWebSocket *socket)
{
    if (socket == m_probe) {
        abandonProbe();
        return;
    }
    if (socket == m_webSocket)
        closeWithReason(u"transport close"_s);
}

void EngineIoSession::completeUpgrade()
{
    if (!m_probe || m_state != State::Open)
        return;
    m_upgradeTimer->stop();
    m_webSocket = m_probe;
    m_probe = nullptr;
    m_probed = false;
    if (m_pollHeld)
        answerPoll(engineErrorResponse(EngineError::BadRequest));
    else
        answerPoll(QByteArray(1, char(EnginePacket::Type::Noop)));
    flush();
    if (m_state == State::Open)
        emit upgraded();
}

void EngineIoSession::abandonProbe()
{
    if (!m_probe)
        return;
    qCDebug(lcEngineIo) << "session" << m_id << "stays on polling: the upgrade did not complete";
    m_upgradeTimer->stop();
    ServerWebSocket *probe = m_probe;
    m_probe = nullptr;
    m_probed = false;
    // A GET held for the outcome is an ordinary pending poll again.
    m_pollHeld = false;
    m_heldPollTimer->stop();
    retireWebSocket(probe, this, parent(), CloseCode::Normal);
    // What waited for the WebSocket goes out on polling again.
    if (!m_queue.isEmpty())
        scheduleFlush();
}

void EngineIoSession::schedulePing()
{
    m_pingDue = QDeadlineTimer(m_limits.pingIntervalMs, Qt::PreciseTimer);
    m_pingTimer->start();
}

void EngineIoSession::sendPing()
{
    if (m_state != State::Open)
        return;
    m_pongDeadline = m_pingDue;
    m_pongDeadline += m_limits.pingTimeoutMs;
    m_pongTimer->start(std::chrono::milliseconds(qMax<qint64>(0, m_pongDeadline.remainingTime())));
    queue(EnginePacket{EnginePacket::Type::Ping, {}, false});
}

bool EngineIoSession::checkHeartbeat()
{
    if (m_state != State::Open)
        return false;
    QDeadlineTimer deadline = m_pongDeadline;
    if (m_pingTimer->isActive()) {
        // The ping is overdue (its timer has not fired yet): its pong could not be in time either.
        deadline = m_pingDue;
        deadline += m_limits.pingTimeoutMs;
    } else if (!m_pongTimer->isActive()) {
        return false;
    }
    if (!deadline.hasExpired())
        return false;
    onPongTimeout();
    return true;
}

void EngineIoSession::onPongTimeout()
{
    qCDebug(lcEngineIo) << "session" << m_id << "missed its pong";
    closeWithReason(u"ping timeout"_s);
}

void EngineIoSession::closeWithReason(const QString &reason)
{
    if (m_state != State::Open)
        return;
    m_state = State::Closing;
    qCDebug(lcEngineIo) << "session" << m_id << "closes:" << reason;
    m_pingTimer->stop();
    m_pongTimer->stop();
    abandonProbe();

    // Only the server's own close flushes what is queued; any other close drops it.
    const bool graceful = reason == "server close"_L1;
    if (!graceful) {
        m_queue.clear();
        m_queuedBytes = 0;
    }
    if (reason == "client close"_L1) {
        // No close packet for the client that closed; its pending GET ends with a noop, as the reference server
        // does.
        if (!m_webSocket)
            m_queue.append(EnginePacket{EnginePacket::Type::Noop, {}, false});
    } else if (reason != "transport close"_L1) {
        m_queue.append(EnginePacket{EnginePacket::Type::Close, {}, false});
    }

    bool linger = false;
    if (m_webSocket) {
        for (const EnginePacket &packet : std::as_const(m_queue))
            sendOnWebSocket(m_webSocket, packet);
        m_queue.clear();
        ServerWebSocket *socket = m_webSocket;
        m_webSocket = nullptr;
        retireWebSocket(socket, this, parent(),
                        reason == "parse error"_L1 ? CloseCode::ProtocolError : CloseCode::Normal);
    } else if (m_poll) {
        const QByteArray payload = EngineCodec::encodePayload(m_queue);
        m_queue.clear();
        answerPoll(payload);
    } else if (graceful || reason == "client close"_L1) {
        // Keep the last packets for the client's next GET: the close packet of a server close, or the noop for a
        // GET that crossed the client's own close packet (sent at the same time on another connection).
        linger = true;
        m_lingerTimer->start();
    } else {
        m_queue.clear();
    }
    m_queuedBytes = 0;

    emit closed(reason);
    if (!linger)
        finish();
}

void EngineIoSession::finish()
{
    if (m_state == State::Finished)
        return;
    m_state = State::Finished;
    m_lingerTimer->stop();
    m_queue.clear();
    m_queuedBytes = 0;
    if (m_finished)
        m_finished(this);
}

} // namespace wsinfra
