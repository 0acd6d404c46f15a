#include "transport/httpserverconnection.h"

#include "transport/clientaddress.h"

#include <QHostAddress>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace wsinfra {

HttpServerConnection::HttpServerConnection(const IncomingSocket &incoming, const HttpLimits &limits,
                                           qint64 idleTimeoutMs, Handler handler, QObject *parent)
    : QObject(parent), m_socket(incoming.adopt(this)), m_parser(limits), m_handler(std::move(handler)),
      m_idleTimer(new QTimer(this))
{
    if (!m_socket) {
        QTimer::singleShot(0, this, &HttpServerConnection::finish);
        return;
    }
    m_idleTimer->setSingleShot(true);
    m_idleTimer->setInterval(std::chrono::milliseconds(idleTimeoutMs));
    connect(m_idleTimer, &QTimer::timeout, this, [this] {
        if (!m_busy)
            finish();
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpServerConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpServerConnection::finish);
    m_peerAddress = clientAddressText(m_socket->peerAddress());
    m_idleTimer->start();
    // The front door only peeked: the request may already be waiting (in the kernel or, decrypted, in
    // the TLS socket).
    if (m_socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, &HttpServerConnection::onReadyRead);
}

HttpServerConnection::~HttpServerConnection() = default;

void HttpServerConnection::closeWhenIdle()
{
    m_closeWhenIdle = true;
    if (!m_busy)
        finish();
}

void HttpServerConnection::onReadyRead()
{
    if (m_finished)
        return;
    const QByteArray bytes = m_socket->readAll();
    if (!bytes.isEmpty())
        m_parser.feed(bytes);
    processNext();
}

void HttpServerConnection::processNext()
{
    if (m_busy || m_finished)
        return;
    switch (m_parser.parse()) {
    case HttpRequestParser::Status::Incomplete:
        m_idleTimer->start();
        return;
    case HttpRequestParser::Status::Failed:
        send(HttpResponse::error(m_parser.errorStatus(), m_parser.error().code, m_parser.error().message), false);
        return;
    case HttpRequestParser::Status::Complete:
        break;
    }
    m_idleTimer->stop();
    const HttpRequest request = m_parser.takeRequest();
    const bool keepAlive = request.keepAlive();
    // RFC 9110 9.3.2: a HEAD answer has the headers of the GET answer but no content; sending it
    // anyway would be read as the start of the next answer on a kept-alive connection.
    const bool omitBody = request.method == "HEAD";
    m_busy = true;
    const quint64 serial = ++m_requestSerial;
    QPointer<HttpServerConnection> self(this);
    m_handler(request, m_peerAddress, [self, serial, keepAlive, omitBody](const HttpResponse &response) {
        if (!self || self->m_finished || serial != self->m_requestSerial || !self->m_busy)
            return;
        self->m_busy = false;
        self->send(response, keepAlive && !self->m_closeWhenIdle, omitBody);
    });
}

void HttpServerConnection::send(const HttpResponse &response, bool keepAlive, bool omitBody)
{
    QByteArray bytes = response.serialize(keepAlive);
    if (omitBody)
        bytes.chop(response.body.size());
    m_socket->write(bytes);
    if (!keepAlive) {
        // Nothing more is read; disconnected() (and so finish()) follows once the answer is flushed.
        m_busy = true;
        m_socket->disconnectFromHost();
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            finish();
        return;
    }
    // Pipelined requests already buffered are served next, in order.
    QTimer::singleShot(0, this, &HttpServerConnection::processNext);
}

void HttpServerConnection::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_idleTimer->stop();
    if (m_socket && m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
    emit finished();
    deleteLater();
}

} // namespace wsinfra
