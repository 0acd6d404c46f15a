#include "transport/tcplistener.h"

#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcListener, "wsinfra.transport.listener", QtWarningMsg)

namespace wsinfra {

namespace {

// Accepts per notifier turn: enough to drain a burst, few enough to keep the loop responsive.
constexpr int MaxAcceptsPerTurn = 256;

} // namespace

TcpListener::TcpListener(Accepted accepted, QObject *parent)
    : QObject(parent), m_accepted(std::move(accepted)), m_retry(new QTimer(this))
{
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, [this] {
        if (m_notifier)
            m_notifier->setEnabled(true);
    });
}

TcpListener::~TcpListener()
{
    close();
}

bool TcpListener::listen(const QHostAddress &address, quint16 port, int backlog)
{
    close();
    sockaddr_storage storage{};
    socklen_t length = 0;
    const bool ipv6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    if (ipv6) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof(bytes));
        length = sizeof(sockaddr_in6);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    const int descriptor = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (descriptor < 0) {
        m_errorString = QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    const int on = 1;
    ::setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (::bind(descriptor, reinterpret_cast<sockaddr *>(&storage), length) != 0 || ::listen(descriptor, backlog) != 0) {
        m_errorString = QString::fromLocal8Bit(std::strerror(errno));
        ::close(descriptor);
        return false;
    }
    m_descriptor = descriptor;
    m_notifier = new QSocketNotifier(descriptor, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &TcpListener::acceptPending);
    return true;
}

void TcpListener::close()
{
    m_retry->stop();
    delete m_notifier;
    m_notifier = nullptr;
    if (m_descriptor >= 0) {
        ::close(m_descriptor);
        m_descriptor = -1;
    }
}

QHostAddress TcpListener::address() const
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (m_descriptor < 0 || ::getsockname(m_descriptor, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return {};
    return QHostAddress(reinterpret_cast<const sockaddr *>(&storage));
}

quint16 TcpListener::port() const
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (m_descriptor < 0 || ::getsockname(m_descriptor, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return 0;
    if (storage.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
    return ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
}

void TcpListener::acceptPending()
{
    for (int accepted = 0; accepted < MaxAcceptsPerTurn && m_descriptor >= 0; ++accepted) {
        const int descriptor = ::accept4(m_descriptor, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (descriptor >= 0) {
            m_accepted(descriptor);
            continue;
        }
        const int error = errno; // logging below may change errno
        if (error == EINTR || error == ECONNABORTED)
            continue;
        if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
            // The pending connection stays queued; try again once descriptors may have been freed.
            if (m_resourcePauses++ % 100 == 0)
                qCWarning(lcListener) << "cannot accept:" << std::strerror(error) << "- pausing" << ResourceRetryMs
                                      << "ms (raise the open file limit)";
            m_notifier->setEnabled(false);
            m_retry->start(ResourceRetryMs);
        }
        return; // EAGAIN: nothing left to accept
    }
}

} // namespace wsinfra
