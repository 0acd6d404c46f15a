#include "transport/tlsacceptor.h"

#include "protocol/codes.h"
#include "transport/httpresponse.h"
#include "transport/incomingsocket.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTimer>

#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTlsAcceptor, "wsinfra.transport.tls", QtWarningMsg)

namespace wsinfra {

TlsAcceptor::TlsAcceptor(const Settings &settings, const QSslConfiguration &configuration, Accepted accepted,
                         QObject *parent)
    : QObject(parent), m_settings(settings), m_configuration(configuration), m_accepted(std::move(accepted))
{
}

TlsAcceptor::~TlsAcceptor()
{
    const QList<QSslSocket *> pending = m_pending.keys();
    for (QSslSocket *socket : pending) {
        release(socket);
        socket->abort();
        delete socket;
    }
}

void TlsAcceptor::setConfiguration(const QSslConfiguration &configuration)
{
    m_configuration = configuration;
}

void TlsAcceptor::setRejectedHandler(Rejected rejected)
{
    m_rejected = std::move(rejected);
}

void TlsAcceptor::accept(qintptr socketDescriptor, const QString &peerAddress)
{
    auto *socket = new QSslSocket(this);
    socket->setSslConfiguration(m_configuration);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        qCWarning(lcTlsAcceptor) << "cannot adopt socket:" << socket->errorString();
        delete socket;
        ::close(int(socketDescriptor));
        return;
    }
    // Until the head is complete nothing needs more than a head's worth of decrypted bytes; a bigger
    // buffer would only hold what the head limit refuses anyway.
    socket->setReadBufferSize(m_settings.headLimits.maxHeadBytes + 1);
    auto *deadline = new QTimer(this);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, this, [this, socket] { expire(socket); });
    deadline->start(std::chrono::milliseconds(m_settings.headTimeoutMs));
    m_pending.insert(socket, Pending{deadline, peerAddress});
    ++m_pendingByAddress[peerAddress];

    connect(socket, &QSslSocket::encrypted, this, [this, socket] { inspect(socket); });
    connect(socket, &QSslSocket::readyRead, this, [this, socket] { inspect(socket); });
    connect(socket, &QSslSocket::errorOccurred, this, [this, socket](QAbstractSocket::SocketError error) {
        if (!socket->isEncrypted()) {
            ++m_handshakeFailures;
            qCDebug(lcTlsAcceptor) << "handshake failed:" << error << socket->errorString();
        }
        drop(socket);
    });
    connect(socket, &QSslSocket::disconnected, this, [this, socket] { drop(socket); });
    socket->startServerEncryption();
}

void TlsAcceptor::inspect(QSslSocket *socket)
{
    if (!m_pending.contains(socket) || !socket->isEncrypted())
        return;
    const QByteArray data = socket->peek(m_settings.headLimits.maxHeadBytes + 1);
    const HttpRequestParser::HeadResult head = HttpRequestParser::parseHead(data, m_settings.headLimits);
    switch (head.status) {
    case HttpRequestParser::Status::Complete:
        release(socket);
        socket->setReadBufferSize(0); // the new owner reads at its own pace
        socket->setParent(nullptr);
        // Handed over from the event loop, not from inside the socket's own signal: the new owner may
        // move it to another thread, and QSslSocket still works on it after emitting readyRead.
        QMetaObject::invokeMethod(
            this,
            [this, socket, request = head.request, length = head.headLength] { m_accepted(socket, request, length); },
            Qt::QueuedConnection);
        return;
    case HttpRequestParser::Status::Failed:
        reject(socket, data.size(), head.errorStatus, head.error.code, head.error.message);
        return;
    case HttpRequestParser::Status::Incomplete:
        return; // readyRead comes again with more
    }
}

void TlsAcceptor::expire(QSslSocket *socket)
{
    if (!socket->isEncrypted()) {
        ++m_handshakeFailures;
        qCDebug(lcTlsAcceptor) << "handshake not done in time";
        drop(socket);
        return;
    }
    reject(socket, 0, 408, ErrorCode::BadRequest, u"request head not received in time"_s);
}

void TlsAcceptor::release(QSslSocket *socket)
{
    const Pending pending = m_pending.take(socket);
    delete pending.deadline;
    const auto counted = m_pendingByAddress.find(pending.peerAddress);
    if (counted != m_pendingByAddress.end() && --counted.value() <= 0)
        m_pendingByAddress.erase(counted);
    socket->disconnect(this);
}

void TlsAcceptor::drop(QSslSocket *socket)
{
    if (!m_pending.contains(socket))
        return;
    release(socket);
    socket->abort();
    socket->deleteLater();
}

void TlsAcceptor::reject(QSslSocket *socket, qsizetype consume, int status, const QString &code, const QString &message)
{
    qCDebug(lcTlsAcceptor) << "rejecting with" << status << message;
    release(socket);
    if (m_rejected)
        m_rejected(status);
    IncomingSocket::fromSocket(socket).answerAndClose(consume, HttpResponse::error(status, code, message), this);
}

} // namespace wsinfra
