#include "transport/incomingsocket.h"

#include "transport/httpresponse.h"
#include "transport/lingeringclose.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcIncomingSocket, "wsinfra.transport.incoming", QtWarningMsg)

namespace wsinfra {

namespace {

/// How long a TLS peer gets to read a final answer before the connection is dropped.
constexpr int TlsAnswerTimeoutMs = 2'000;

} // namespace

IncomingSocket IncomingSocket::fromDescriptor(qintptr socketDescriptor)
{
    IncomingSocket incoming;
    incoming.m_descriptor = socketDescriptor;
    return incoming;
}

IncomingSocket IncomingSocket::fromSocket(QTcpSocket *socket)
{
    IncomingSocket incoming;
    incoming.m_socket = socket;
    return incoming;
}

IncomingSocket IncomingSocket::withUpgrade(qsizetype headLength, const QByteArray &acceptKey) const
{
    IncomingSocket upgraded = *this;
    upgraded.m_headLength = headLength;
    upgraded.m_acceptKey = acceptKey;
    return upgraded;
}

QHostAddress IncomingSocket::peerAddress() const
{
    if (m_socket)
        return m_socket->peerAddress();
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (::getpeername(int(m_descriptor), reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return {};
    return QHostAddress(reinterpret_cast<const sockaddr *>(&storage));
}

void IncomingSocket::moveToThread(QThread *thread) const
{
    if (m_socket && m_socket->thread() != thread) {
        m_socket->setParent(nullptr);
        m_socket->moveToThread(thread);
    }
}

QTcpSocket *IncomingSocket::adopt(QObject *parent) const
{
    if (m_socket) {
        m_socket->setParent(parent);
        return m_socket;
    }
    auto *socket = new QTcpSocket(parent);
    if (!socket->setSocketDescriptor(m_descriptor)) {
        qCWarning(lcIncomingSocket) << "cannot adopt socket:" << socket->errorString();
        delete socket;
        ::close(int(m_descriptor));
        return nullptr;
    }
    return socket;
}

void IncomingSocket::answerAndClose(qsizetype consume, const HttpResponse &answer, QObject *parent) const
{
    if (!m_socket) {
        // Consume what was peeked; LingeringClose discards whatever else the peer sends.
        QByteArray sink(qMax<qsizetype>(consume, 1), Qt::Uninitialized);
        [[maybe_unused]] const ssize_t consumed = ::recv(int(m_descriptor), sink.data(), size_t(consume), MSG_DONTWAIT);
        LingeringClose::start(m_descriptor, answer.serialize(false), parent);
        return;
    }
    QTcpSocket *socket = m_socket;
    socket->setParent(parent);
    socket->read(consume);
    socket->write(answer.serialize(false));
    // disconnectFromHost() waits until the answer is written (and, for TLS, sends close_notify).
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(TlsAnswerTimeoutMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    socket->disconnectFromHost();
}

void IncomingSocket::discard() const
{
    if (m_socket) {
        m_socket->abort();
        m_socket->deleteLater();
    } else if (m_descriptor >= 0) {
        ::close(int(m_descriptor));
    }
}

} // namespace wsinfra
