#include "core/unixsignalwatcher.h"

#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace wsinfra {

namespace {

// The one piece of process-wide state a signal handler requires: where to write.
volatile sig_atomic_t g_writeFd = -1;

extern "C" void forwardSignal(int signalNumber)
{
    const int savedErrno = errno;
    const unsigned char byte = static_cast<unsigned char>(signalNumber);
    [[maybe_unused]] const ssize_t written = ::write(g_writeFd, &byte, 1);
    errno = savedErrno;
}

} // namespace

UnixSignalWatcher::UnixSignalWatcher(const QList<int> &signalNumbers, QObject *parent)
    : QObject(parent), m_signalNumbers(signalNumbers)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, m_sockets) != 0)
        return;
    g_writeFd = m_sockets[0];
    m_notifier = new QSocketNotifier(m_sockets[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &UnixSignalWatcher::readSignals);
    for (int signalNumber : m_signalNumbers) {
        struct sigaction action = {};
        action.sa_handler = forwardSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        ::sigaction(signalNumber, &action, nullptr);
    }
}

UnixSignalWatcher::~UnixSignalWatcher()
{
    for (int signalNumber : m_signalNumbers)
        ::signal(signalNumber, SIG_DFL);
    g_writeFd = -1;
    delete m_notifier;
    for (int fd : m_sockets) {
        if (fd >= 0)
            ::close(fd);
    }
}

void UnixSignalWatcher::readSignals()
{
    unsigned char byte = 0;
    while (::read(m_sockets[1], &byte, 1) == 1)
        emit unixSignal(int(byte));
}

} // namespace wsinfra
