#include "transport/lingeringclose.h"

#include <QSocketNotifier>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

namespace wsinfra {

void LingeringClose::start(qintptr socketDescriptor, const QByteArray &answer, QObject *parent, qint64 timeoutMs)
{
    // Answers are a few hundred bytes: a fresh socket's send buffer takes them whole.
    [[maybe_unused]] const ssize_t sent =
        ::send(int(socketDescriptor), answer.constData(), size_t(answer.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(int(socketDescriptor), SHUT_WR);
    new LingeringClose(socketDescriptor, timeoutMs, parent);
}

LingeringClose::LingeringClose(qintptr socketDescriptor, qint64 timeoutMs, QObject *parent)
    : QObject(parent), m_socketDescriptor(socketDescriptor),
      m_notifier(new QSocketNotifier(socketDescriptor, QSocketNotifier::Read, this)), m_timeout(new QTimer(this))
{
    connect(m_notifier, &QSocketNotifier::activated, this, &LingeringClose::drain);
    m_timeout->setSingleShot(true);
    connect(m_timeout, &QTimer::timeout, this, &LingeringClose::finish);
    m_timeout->start(std::chrono::milliseconds(timeoutMs));
}

LingeringClose::~LingeringClose()
{
    if (!m_finished) {
        delete m_notifier;
        ::close(int(m_socketDescriptor));
    }
}

void LingeringClose::drain()
{
    char scratch[4096];
    for (;;) {
        const ssize_t received = ::recv(int(m_socketDescriptor), scratch, sizeof(scratch), MSG_DONTWAIT);
        if (received > 0) {
            m_discarded += received;
            if (m_discarded > DiscardBudgetBytes)
                break;
            continue;
        }
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        break; // the peer closed, or the socket failed
    }
    finish();
}

void LingeringClose::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_timeout->stop();
    delete m_notifier;
    m_notifier = nullptr;
    ::close(int(m_socketDescriptor));
    deleteLater();
}

} // namespace wsinfra
