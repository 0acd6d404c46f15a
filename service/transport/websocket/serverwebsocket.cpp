#include "transport/websocket/serverwebsocket.h"

#include "transport/websocket/writebatcher.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcWebSocket, "wsinfra.transport.websocket", QtWarningMsg)

namespace wsinfra {

namespace {

using OpCode = WebSocketFrame::OpCode;

/// Messages above this are refused until the owner sets its own limit.
constexpr qint64 DefaultMaxMessageBytes = 64 * 1024;
/// One read system call takes at most this much; the rest waits for the next turn (level-triggered).
constexpr size_t ReadChunkBytes = 64 * 1024;
/// Reads per readiness report: a client that sends without pause cannot hold its thread.
constexpr int MaxReadsPerTurn = 4;
/// An output buffer larger than this is given back once the kernel took it; smaller ones are reused.
constexpr qsizetype KeptOutputCapacity = 1024;

QByteArray switchingProtocols(const QByteArray &acceptKey)
{
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: "_ba +
           acceptKey + "\r\n\r\n"_ba;
}

/// Reads and drops exactly `length` bytes that are already in the kernel (peeked by the front door).
bool consumeHead(int descriptor, qsizetype length)
{
    char scratch[4096];
    while (length > 0) {
        const ssize_t received =
            ::recv(descriptor, scratch, size_t(qMin<qsizetype>(length, qsizetype(sizeof(scratch)))), MSG_DONTWAIT);
        if (received > 0)
            length -= received;
        else if (received < 0 && errno == EINTR)
            continue;
        else
            return false;
    }
    return true;
}

} // namespace

ServerWebSocket::ServerWebSocket(const IncomingSocket &incoming, qsizetype headLength, const QByteArray &acceptKey,
                                 WriteBatcher *batcher, QObject *parent)
    : QObject(parent), m_batcher(batcher), m_parser(DefaultMaxMessageBytes)
{
    if (incoming.isTls()) {
        m_tlsSocket = incoming.adopt(this);
        if (!m_tlsSocket) {
            m_state = State::Gone;
            return;
        }
        m_tlsSocket->read(headLength);
        connect(m_tlsSocket, &QTcpSocket::readyRead, this, &ServerWebSocket::onReadable);
        connect(m_tlsSocket, &QTcpSocket::bytesWritten, this, [this] {
            sendOwedPong();
            emit bytesWritten();
        });
        connect(m_tlsSocket, &QTcpSocket::disconnected, this, &ServerWebSocket::becomeGone);
        m_tlsSocket->write(switchingProtocols(acceptKey));
        // Frames the client sent right behind its request wait in the socket's buffer: read them once the
        // owner has connected to our signals.
        if (m_tlsSocket->bytesAvailable() > 0)
            QMetaObject::invokeMethod(this, &ServerWebSocket::onReadable, Qt::QueuedConnection);
        return;
    }
    m_descriptor = incoming.descriptor();
    const int descriptor = int(m_descriptor);
    const int flags = ::fcntl(descriptor, F_GETFL);
    const int noDelay = 1;
    if (flags < 0 || ::fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) < 0 ||
        ::setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &noDelay, sizeof(noDelay)) < 0 ||
        !consumeHead(descriptor, headLength)) {
        qCDebug(lcWebSocket) << "upgrade failed before the answer:" << strerror(errno);
        ::close(descriptor);
        m_descriptor = -1;
        m_state = State::Gone;
        return;
    }
    m_readNotifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &ServerWebSocket::onReadable);
    queueBytes(switchingProtocols(acceptKey));
    writePending();
}

ServerWebSocket::~ServerWebSocket()
{
    if (m_batcher)
        m_batcher->cancel(this);
    if (m_descriptor >= 0) {
        delete m_readNotifier;
        delete m_writeNotifier;
        ::close(int(m_descriptor));
    }
}

void ServerWebSocket::setMaxIncomingMessageBytes(qint64 bytes)
{
    m_parser.setMaxMessageBytes(bytes);
}

void ServerWebSocket::sendText(QByteArrayView utf8)
{
    if (m_state != State::Open)
        return;
    if (m_tlsSocket) {
        m_tlsSocket->write(WebSocketFrame::encode(OpCode::Text, utf8));
        return;
    }
    WebSocketFrame::append(m_output, OpCode::Text, utf8);
    queueBytes({});
}

void ServerWebSocket::sendBinaryMessage(QByteArrayView bytes)
{
    if (m_state != State::Open)
        return;
    queueBytes(WebSocketFrame::encode(OpCode::Binary, bytes));
}

void ServerWebSocket::sendFrame(QByteArrayView frame)
{
    if (m_state != State::Open)
        return;
    queueBytes(frame);
}

void ServerWebSocket::ping()
{
    if (m_state != State::Open)
        return;
    queueBytes(WebSocketFrame::encode(OpCode::Ping, {}));
}

void ServerWebSocket::close(int code, const QString &reason)
{
    if (m_state != State::Open)
        return;
    queueBytes(WebSocketFrame::encode(OpCode::Close, WebSocketFrame::closePayload(code, reason)));
    m_closeSent = true;
    m_state = State::Closing;
    startCloseTimer();
    if (!m_tlsSocket)
        writePending();
}

void ServerWebSocket::abort()
{
    becomeGone();
}

qint64 ServerWebSocket::bytesToWrite() const
{
    if (m_tlsSocket) {
        const auto *ssl = qobject_cast<const QSslSocket *>(m_tlsSocket);
        return m_tlsSocket->bytesToWrite() + (ssl ? ssl->encryptedBytesToWrite() : 0);
    }
    return m_output.size();
}

void ServerWebSocket::flushPending()
{
    if (m_state != State::Gone && !m_tlsSocket)
        writePending();
}

void ServerWebSocket::queueBytes(QByteArrayView bytes)
{
    if (m_state == State::Gone || m_writeShutDown)
        return;
    if (m_tlsSocket) {
        m_tlsSocket->write(bytes.data(), bytes.size());
        return;
    }
    m_output.append(bytes);
    if (m_writeNotifier && m_writeNotifier->isEnabled())
        return; // the kernel is full: the write notifier takes it from here
    if (!m_batcher || m_output.size() >= ImmediateWriteBytes)
        writePending();
    else
        m_batcher->schedule(this);
}

bool ServerWebSocket::writePending()
{
    const int descriptor = int(m_descriptor);
    while (!m_output.isEmpty()) {
        const ssize_t sent =
            ::send(descriptor, m_output.constData(), size_t(m_output.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            qCDebug(lcWebSocket) << "write failed:" << strerror(errno);
            becomeGone();
            return false;
        }
        if (sent == m_output.size()) {
            if (m_output.capacity() > KeptOutputCapacity)
                m_output = QByteArray();
            else
                m_output.resize(0);
            break;
        }
        if (sent > 0)
            m_output.remove(0, sent);
        break; // the kernel took what it could
    }
    updateWriteNotifier();
    if (m_output.isEmpty() && m_shutdownAfterWrites && !m_writeShutDown) {
        m_writeShutDown = true;
        ::shutdown(descriptor, SHUT_WR);
    }
    return true;
}

void ServerWebSocket::updateWriteNotifier()
{
    const bool waiting = !m_output.isEmpty();
    if (waiting && !m_writeNotifier) {
        m_writeNotifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Write, this);
        connect(m_writeNotifier, &QSocketNotifier::activated, this, &ServerWebSocket::onWritable);
        return;
    }
    if (m_writeNotifier && m_writeNotifier->isEnabled() != waiting)
        m_writeNotifier->setEnabled(waiting);
}

void ServerWebSocket::onWritable()
{
    const qsizetype before = m_output.size();
    if (!writePending())
        return;
    if (m_output.size() < before) {
        sendOwedPong();
        emit bytesWritten();
    }
}

void ServerWebSocket::sendOwedPong()
{
    if (!m_pongOwed || m_state != State::Open || bytesToWrite() >= PongBacklogBytes)
        return;
    m_pongOwed = false;
    queueBytes(WebSocketFrame::encode(OpCode::Pong, std::exchange(m_owedPongPayload, {})));
}

void ServerWebSocket::onReadable()
{
    if (m_state == State::Gone)
        return;
    if (m_tlsSocket) {
        const QByteArray bytes = m_tlsSocket->readAll();
        handleBytes(bytes);
        return;
    }
    static thread_local char buffer[ReadChunkBytes];
    QPointer<ServerWebSocket> guard(this);
    for (int i = 0; i < MaxReadsPerTurn && guard && m_state != State::Gone; ++i) {
        const ssize_t received = ::recv(int(m_descriptor), buffer, sizeof(buffer), MSG_DONTWAIT);
        if (received > 0) {
            handleBytes(QByteArrayView(buffer, received));
            if (size_t(received) < sizeof(buffer))
                return;
            continue;
        }
        if (received < 0 && errno == EINTR)
            continue;
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        // The peer's end (with or without a closing handshake) or a failed connection.
        becomeGone();
        return;
    }
}

void ServerWebSocket::handleBytes(QByteArrayView bytes)
{
    if (m_parser.hasFailed() || m_state == State::Gone)
        return; // after a protocol error we only wait for the peer's end
    QList<WebSocketFrameParser::Event> events;
    m_parser.feed(bytes, events);
    QPointer<ServerWebSocket> guard(this);
    for (const WebSocketFrameParser::Event &event : std::as_const(events)) {
        handleEvent(event);
        if (!guard || m_state == State::Gone)
            return;
    }
}

void ServerWebSocket::handleEvent(const WebSocketFrameParser::Event &event)
{
    using Kind = WebSocketFrameParser::Event::Kind;
    switch (event.kind) {
    case Kind::Text:
        if (m_state == State::Open)
            emit textMessageReceived(QString::fromUtf8(event.payload));
        break;
    case Kind::Binary:
        if (m_state == State::Open)
            emit binaryMessageReceived(event.payload);
        break;
    case Kind::Ping:
        if (m_state != State::Open)
            break;
        if (bytesToWrite() >= PongBacklogBytes) {
            m_pongOwed = true;
            m_owedPongPayload = event.payload;
            break;
        }
        queueBytes(WebSocketFrame::encode(OpCode::Pong, event.payload));
        break;
    case Kind::Pong:
        emit pong();
        break;
    case Kind::Close:
        if (!m_closeSent) {
            // Echo the peer's code (RFC 6455 5.5.1); a close without one is answered without one.
            queueBytes(WebSocketFrame::encode(
                OpCode::Close, WebSocketFrame::closePayload(event.closeCode == 1005 ? 0 : event.closeCode, {})));
            m_closeSent = true;
            m_state = State::Closing;
            startCloseTimer();
        }
        finishAfterWrites();
        break;
    case Kind::Error:
        qCDebug(lcWebSocket) << "closing on a protocol error:" << event.closeCode << event.reason;
        if (!m_closeSent) {
            queueBytes(
                WebSocketFrame::encode(OpCode::Close, WebSocketFrame::closePayload(event.closeCode, event.reason)));
            m_closeSent = true;
            m_state = State::Closing;
            startCloseTimer();
        }
        finishAfterWrites();
        break;
    }
}

void ServerWebSocket::finishAfterWrites()
{
    if (m_tlsSocket) {
        m_tlsSocket->disconnectFromHost(); // after the buffered bytes, with close_notify
        return;
    }
    m_shutdownAfterWrites = true;
    writePending();
}

void ServerWebSocket::startCloseTimer()
{
    QTimer::singleShot(CloseTimeoutMs, this, [this] {
        if (m_state != State::Gone)
            qCDebug(lcWebSocket) << "the peer did not complete the closing handshake in time";
        becomeGone();
    });
}

void ServerWebSocket::becomeGone()
{
    if (m_state == State::Gone)
        return;
    m_state = State::Gone;
    if (m_batcher)
        m_batcher->cancel(this);
    if (m_tlsSocket) {
        m_tlsSocket->disconnect(this);
        m_tlsSocket->abort();
    }
    if (m_descriptor >= 0) {
        // We may be inside the notifier's own activation: unregister now, delete from the event loop.
        for (QSocketNotifier *notifier : {m_readNotifier, m_writeNotifier}) {
            if (notifier) {
                notifier->setEnabled(false);
                notifier->deleteLater();
            }
        }
        m_readNotifier = nullptr;
        m_writeNotifier = nullptr;
        ::close(int(m_descriptor));
        m_descriptor = -1;
    }
    m_output = QByteArray();
    // Later, from the event loop, as a socket reports its end: the owner may be inside a call into us.
    QMetaObject::invokeMethod(this, &ServerWebSocket::disconnected, Qt::QueuedConnection);
}

} // namespace wsinfra
