#pragma once

#include "protocol/result.h"

#include <QByteArray>
#include <QObject>
#include <QString>

class QTimer;

namespace wsinfra {

/// The sd_notify protocol without libsystemd: one AF_UNIX datagram per state change, sent to the
/// socket systemd names in NOTIFY_SOCKET (a filesystem path, or "@name" for the abstract namespace).
/// Without NOTIFY_SOCKET (not started by systemd, or Type= is not notify) the notifier is disabled
/// and every call is a successful no-op, so the service calls it unconditionally. Sending never
/// blocks and never throws: a failure is returned as an Error and logged once (wsinfra.core.systemd).
/// The caller reads the environment and passes the values in. Lives on the main thread: the
/// watchdog pings come from its event loop, so a stalled loop stops them and systemd notices.
class SystemdNotifier : public QObject
{
    Q_OBJECT
public:
    /// `notifySocket` is the value of NOTIFY_SOCKET; empty disables the notifier. A value that is not
    /// a usable address (relative, too long for sun_path, "@" alone, embedded NUL) also disables it,
    /// with the reason in errorString().
    explicit SystemdNotifier(const QString &notifySocket, QObject *parent = nullptr);
    ~SystemdNotifier() override;

    bool isEnabled() const { return m_fd >= 0; }
    /// Why the notifier is disabled (empty while it is enabled).
    QString errorString() const { return m_errorString; }

    /// Sends `state` ("KEY=value" lines) as one datagram; true when it was sent, or when the
    /// notifier is disabled (false then: nothing was sent, no error).
    Result<bool> notify(const QByteArray &state);
    /// "READY=1", "STATUS=<status>" and "MAINPID=<our pid>": startup (or a reload) is complete.
    Result<bool> ready(const QString &status);
    /// "RELOADING=1" with "MONOTONIC_USEC=<now>" (systemd 253 and later want the timestamp; older ones
    /// ignore it). Send ready() when the reload is done.
    Result<bool> reloading();
    /// "STOPPING=1": the service is draining and will exit.
    Result<bool> stopping();
    /// "STATUS=<text>": a line `systemctl status` shows.
    Result<bool> status(const QString &text);

    /// Starts sending "WATCHDOG=1" every half of WATCHDOG_USEC (the values of WATCHDOG_USEC and
    /// WATCHDOG_PID are passed in). Nothing happens when the notifier is disabled, WATCHDOG_USEC is
    /// empty, or WATCHDOG_PID names another process; an unparsable value is an error.
    /// Returns whether the watchdog runs.
    Result<bool> startWatchdog(const QString &watchdogUsec, const QString &watchdogPid);
    /// The watchdog's ping interval in milliseconds (0: not running).
    qint64 watchdogIntervalMs() const;

    /// The socket address bytes of a NOTIFY_SOCKET value: the path, or for "@name" a leading NUL and
    /// the name. Refuses what does not fit sun_path and relative or empty names.
    static Result<QByteArray> addressOf(const QString &notifySocket);

private:
    Result<bool> fail(const QString &message);

    int m_fd = -1;
    QByteArray m_address;
    QString m_errorString;
    QTimer *m_watchdog = nullptr;
    bool m_failureLogged = false;
};

} // namespace wsinfra
