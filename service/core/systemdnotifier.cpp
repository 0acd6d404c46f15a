#include "core/systemdnotifier.h"

#include "protocol/codes.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <ctime>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSystemd, "wsinfra.core.systemd", QtWarningMsg)

namespace wsinfra {

namespace {

constexpr qsizetype SunPathSize = qsizetype(sizeof(sockaddr_un::sun_path));

Result<QByteArray> invalidAddress(const QString &message)
{
    return Result<QByteArray>::failure(QString(ErrorCode::InvalidConfig), u"NOTIFY_SOCKET: "_s + message);
}

qint64 monotonicMicroseconds()
{
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
}

} // namespace

Result<QByteArray> SystemdNotifier::addressOf(const QString &notifySocket)
{
    if (notifySocket.isEmpty())
        return invalidAddress(u"is empty"_s);
    const QByteArray encoded = notifySocket.toLocal8Bit();
    if (encoded.contains('\0'))
        return invalidAddress(u"contains a NUL character"_s);
    if (encoded.startsWith('@')) {
        if (encoded.size() == 1)
            return invalidAddress(u"names no abstract socket after '@'"_s);
        // The abstract namespace: a leading NUL, then the name (no terminator).
        if (encoded.size() > SunPathSize)
            return invalidAddress(u"abstract socket name is longer than %1 bytes"_s.arg(SunPathSize - 1));
        return QByteArray('\0' + encoded.mid(1));
    }
    if (!encoded.startsWith('/'))
        return invalidAddress(u"\"%1\" is neither an absolute path nor an abstract name (@name)"_s.arg(notifySocket));
    // A path needs room for its terminating NUL.
    if (encoded.size() >= SunPathSize)
        return invalidAddress(u"path is longer than %1 bytes"_s.arg(SunPathSize - 1));
    return encoded;
}

SystemdNotifier::SystemdNotifier(const QString &notifySocket, QObject *parent) : QObject(parent)
{
    if (notifySocket.isEmpty()) {
        m_errorString = u"NOTIFY_SOCKET is not set: not started by systemd with Type=notify"_s;
        return;
    }
    const Result<QByteArray> address = addressOf(notifySocket);
    if (!address) {
        m_errorString = address.error().message;
        qCWarning(lcSystemd).noquote() << m_errorString << "- systemd will not be notified";
        return;
    }
    // Non-blocking: systemd's socket has a bounded queue, and a full one must not stall the service.
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (m_fd < 0) {
        m_errorString =
            u"cannot create the notification socket: %1"_s.arg(QString::fromLocal8Bit(std::strerror(errno)));
        qCWarning(lcSystemd).noquote() << m_errorString;
        return;
    }
    m_address = *address;
}

SystemdNotifier::~SystemdNotifier()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Result<bool> SystemdNotifier::fail(const QString &message)
{
    // Once per run of failures: a service that cannot reach systemd must not flood its log.
    if (!m_failureLogged) {
        m_failureLogged = true;
        qCWarning(lcSystemd).noquote() << message;
    }
    return Result<bool>::failure(QString(ErrorCode::Unavailable), message);
}

Result<bool> SystemdNotifier::notify(const QByteArray &state)
{
    if (!isEnabled())
        return false;
    sockaddr_un target{};
    target.sun_family = AF_UNIX;
    std::memcpy(target.sun_path, m_address.constData(), std::size_t(m_address.size()));
    // Abstract names are counted exactly; a path includes its terminating NUL.
    const std::size_t length =
        offsetof(sockaddr_un, sun_path) + std::size_t(m_address.size()) + (m_address.startsWith('\0') ? 0 : 1);
    const ssize_t sent = ::sendto(m_fd, state.constData(), std::size_t(state.size()), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr *>(&target), socklen_t(length));
    if (sent < 0) {
        return fail(u"cannot notify systemd at %1: %2"_s.arg(
            QString::fromLocal8Bit(m_address.startsWith('\0') ? QByteArray('@' + m_address.mid(1)) : m_address),
            QString::fromLocal8Bit(std::strerror(errno))));
    }
    if (sent != state.size())
        return fail(u"systemd notification was truncated (%1 of %2 bytes)"_s.arg(sent).arg(state.size()));
    m_failureLogged = false;
    return true;
}

Result<bool> SystemdNotifier::ready(const QString &status)
{
    QByteArray state = "READY=1\n"_ba;
    // One line per field: a newline in the text would start a field of its own.
    if (!status.isEmpty())
        state += "STATUS="_ba + QString(status).replace(u'\n', u' ').toUtf8() + '\n';
    state += "MAINPID="_ba + QByteArray::number(QCoreApplication::applicationPid());
    return notify(state);
}

Result<bool> SystemdNotifier::reloading()
{
    return notify("RELOADING=1\nMONOTONIC_USEC="_ba + QByteArray::number(monotonicMicroseconds()));
}

Result<bool> SystemdNotifier::stopping()
{
    return notify("STOPPING=1"_ba);
}

Result<bool> SystemdNotifier::status(const QString &text)
{
    return notify("STATUS="_ba + QString(text).replace(u'\n', u' ').toUtf8());
}

Result<bool> SystemdNotifier::startWatchdog(const QString &watchdogUsec, const QString &watchdogPid)
{
    if (!isEnabled() || watchdogUsec.isEmpty())
        return false;
    if (!watchdogPid.isEmpty()) {
        bool ok = false;
        const qint64 pid = watchdogPid.toLongLong(&ok);
        if (!ok || pid <= 0)
            return Result<bool>::failure(QString(ErrorCode::InvalidConfig),
                                         u"WATCHDOG_PID \"%1\" is not a process id"_s.arg(watchdogPid.left(32)));
        if (pid != QCoreApplication::applicationPid())
            return false; // meant for another process (our parent, typically)
    }
    bool ok = false;
    const qint64 usec = watchdogUsec.toLongLong(&ok);
    if (!ok || usec <= 0)
        return Result<bool>::failure(QString(ErrorCode::InvalidConfig),
                                     u"WATCHDOG_USEC \"%1\" is not a positive number"_s.arg(watchdogUsec.left(32)));
    // Half the interval, as sd_watchdog_enabled(3) recommends: one late ping is no missed deadline.
    const qint64 intervalMs = qMax<qint64>(1, usec / 2000);
    if (!m_watchdog) {
        m_watchdog = new QTimer(this);
        m_watchdog->setTimerType(Qt::PreciseTimer);
        connect(m_watchdog, &QTimer::timeout, this, [this] { notify("WATCHDOG=1"_ba); });
    }
    m_watchdog->setInterval(std::chrono::milliseconds(intervalMs));
    m_watchdog->start();
    return true;
}

qint64 SystemdNotifier::watchdogIntervalMs() const
{
    return m_watchdog && m_watchdog->isActive() ? m_watchdog->interval() : 0;
}

} // namespace wsinfra
