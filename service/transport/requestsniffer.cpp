#include "transport/requestsniffer.h"

#include "protocol/codes.h"
#include "transport/incomingsocket.h"

#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcRequestSniffer, "wsinfra.transport.sniffer", QtWarningMsg)

namespace wsinfra {

namespace {

constexpr int MaxRetryDelayMs = 100;

} // namespace

RequestSniffer::RequestSniffer(const Settings &settings, Sniffed sniffed, QObject *parent)
    : QObject(parent), m_settings(settings), m_sniffed(std::move(sniffed))
{
}

RequestSniffer::~RequestSniffer()
{
    const QList<qintptr> open = m_inspections.keys();
    for (qintptr socketDescriptor : open) {
        finishInspection(socketDescriptor);
        ::close(int(socketDescriptor));
    }
}

void RequestSniffer::setRejectedHandler(Rejected rejected)
{
    m_rejected = std::move(rejected);
}

void RequestSniffer::sniff(qintptr socketDescriptor, const QString &peerAddress)
{
    Inspection inspection;
    inspection.peerAddress = peerAddress;
    ++m_pendingByAddress[peerAddress];
    inspection.notifier = new QSocketNotifier(socketDescriptor, QSocketNotifier::Read, this);
    connect(inspection.notifier, &QSocketNotifier::activated, this,
            [this, socketDescriptor] { inspect(socketDescriptor); });
    inspection.retry = new QTimer(this);
    inspection.retry->setSingleShot(true);
    connect(inspection.retry, &QTimer::timeout, this, [this, socketDescriptor] { inspect(socketDescriptor); });
    // Also for a client that connects and sends nothing at all: it must not hold a socket forever.
    inspection.deadline = new QTimer(this);
    inspection.deadline->setSingleShot(true);
    connect(inspection.deadline, &QTimer::timeout, this, [this, socketDescriptor] {
        finishInspection(socketDescriptor);
        reject(socketDescriptor, 0, 408, ErrorCode::BadRequest, u"request head not received in time"_s);
    });
    inspection.deadline->start(std::chrono::milliseconds(m_settings.headTimeoutMs));
    m_inspections.insert(socketDescriptor, inspection);
}

void RequestSniffer::finishInspection(qintptr socketDescriptor)
{
    const Inspection inspection = m_inspections.take(socketDescriptor);
    const auto pending = m_pendingByAddress.find(inspection.peerAddress);
    if (pending != m_pendingByAddress.end() && --pending.value() <= 0)
        m_pendingByAddress.erase(pending);
    delete inspection.notifier;
    delete inspection.retry;
    delete inspection.deadline;
}

void RequestSniffer::inspect(qintptr socketDescriptor)
{
    const auto found = m_inspections.find(socketDescriptor);
    if (found == m_inspections.end())
        return;
    QByteArray buffer(m_settings.headLimits.maxHeadBytes + 1, Qt::Uninitialized);
    const ssize_t peeked = ::recv(int(socketDescriptor), buffer.data(), size_t(buffer.size()), MSG_PEEK | MSG_DONTWAIT);
    if (peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        finishInspection(socketDescriptor);
        ::close(int(socketDescriptor));
        return;
    }
    const QByteArrayView data(buffer.constData(), qMax<qsizetype>(0, peeked));
    const HttpRequestParser::HeadResult head = HttpRequestParser::parseHead(data, m_settings.headLimits);
    switch (head.status) {
    case HttpRequestParser::Status::Complete:
        finishInspection(socketDescriptor);
        m_sniffed(socketDescriptor, head.request, head.headLength);
        return;
    case HttpRequestParser::Status::Failed:
        finishInspection(socketDescriptor);
        reject(socketDescriptor, data.size(), head.errorStatus, head.error.code, head.error.message);
        return;
    case HttpRequestParser::Status::Incomplete:
        break;
    }
    // The head is still arriving. Peeking leaves the bytes in the socket, so a level-triggered
    // notifier would fire at once again: look again after a short, growing delay instead (the
    // deadline timer bounds the whole wait).
    Inspection &inspection = found.value();
    inspection.notifier->setEnabled(false);
    inspection.retry->start(inspection.retryDelayMs);
    inspection.retryDelayMs = qMin(inspection.retryDelayMs * 2, MaxRetryDelayMs);
}

void RequestSniffer::reject(qintptr socketDescriptor, qsizetype consume, int status, const QString &code,
                            const QString &message)
{
    qCDebug(lcRequestSniffer) << "rejecting with" << status << message;
    if (m_rejected)
        m_rejected(status);
    IncomingSocket::fromDescriptor(socketDescriptor)
        .answerAndClose(consume, HttpResponse::error(status, code, message), this);
}

} // namespace wsinfra
