// epolleventdispatcher.h: an epoll-based QAbstractEventDispatcher whose cost per loop turn grows with the
// number of ready descriptors rather than with the number of watched ones (issue 8).
#pragma once

#include <QAbstractEventDispatcher>
#include <QAtomicInt>
#include <QHash>

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

class QSocketNotifier;

namespace wsinfra {

/// An event dispatcher for Linux built on epoll and an eventfd, a drop-in for Qt's UNIX and glib
/// dispatchers. Qt's dispatchers hand every descriptor to poll() on every turn and find notifiers by
/// linear search, so at 10,000 connections each turn costs O(connections); here registering, enabling
/// and disabling a notifier is O(1) and a turn costs O(ready descriptors + due timers · log timers).
///
/// Semantics follow QEventDispatcherUNIX: level-triggered notifiers (EPOLLERR/EPOLLHUP activate every
/// notifier of the descriptor), Precise/Coarse/VeryCoarse timers as QTimerInfoList treats them,
/// posted events once per turn, wakeUp() and interrupt() from any thread. Install it with
/// QCoreApplication::setEventDispatcher() before the application exists, or QThread::setEventDispatcher()
/// before the thread starts; the application or the thread then owns it.
class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    /// False when the kernel refused the epoll or eventfd descriptor; the dispatcher then cannot run.
    bool isValid() const { return m_epollFd >= 0 && m_wakeFd >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    // The enabled notifiers of one descriptor (Read, Write, Exception) and what the kernel was told.
    struct SocketEntry
    {
        QSocketNotifier *notifiers[3] = {nullptr, nullptr, nullptr};
        quint64 serials[3] = {0, 0, 0}; // registration serials: a re-registered notifier is a new one
        std::uint32_t kernelEvents = 0; // events in the epoll set; 0 = not in it
        bool dirty = false;             // notifiers changed since the epoll set was last updated
        bool alwaysReady = false;       // epoll refuses the descriptor (a regular file): poll() calls it ready
    };
    struct Activation
    {
        int fd;
        int type;
        QSocketNotifier *notifier;
        quint64 serial;
    };
    struct Timer
    {
        QObject *object = nullptr;
        qint64 interval = 0; // ms; seconds for a VeryCoarseTimer, as in QTimerInfoList
        Qt::TimerType type = Qt::CoarseTimer;
        qint64 expected = 0; // ns on the steady clock: when the interval ends
        qint64 deadline = 0; // ns: when it fires (expected, rounded up for a CoarseTimer)
        quint64 serial = 0;
        bool inEvent = false; // its QTimerEvent is being delivered: not again until it returns
    };

    static std::uint32_t wantedEvents(const SocketEntry &entry);
    void markDirty(int fd, SocketEntry &entry);
    void updateKernel(int fd, SocketEntry &entry);
    void flushDirtySockets();
    void schedule(int timerId, Timer &timer, qint64 now, bool first);
    int waitAndCollect(bool includeNotifiers, qint64 timeoutNs, std::vector<Activation> &activations);
    void addActivations(int fd, std::uint32_t events, std::vector<Activation> &activations) const;
    int activateSocketNotifiers(const std::vector<Activation> &activations);
    int activateTimers();
    bool drainWakeUps();
    bool checkThread(const QObject *object, const char *what) const;

    int m_epollFd = -1;
    int m_wakeFd = -1; // eventfd, in the epoll set with data.fd == m_wakeFd
    QAtomicInt m_wakeUpPending;
    QAtomicInt m_interrupted;

    QHash<int, SocketEntry> m_sockets;
    std::vector<int> m_dirtySockets;
    int m_alwaysReadyCount = 0;
    bool m_havePwait2 = true; // epoll_pwait2 (Linux 5.11) waits with nanosecond precision
    quint64 m_nextSerial = 1;

    QHash<int, Timer> m_timers;
    std::set<std::pair<qint64, int>> m_timerQueue; // (deadline, timerId), earliest first
};

} // namespace wsinfra
