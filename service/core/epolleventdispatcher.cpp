#include "core/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QThread>
#include <QTimerEvent>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace wsinfra {
namespace {

Q_LOGGING_CATEGORY(lcDispatcher, "wsinfra.core.dispatcher", QtWarningMsg)

constexpr qint64 NsPerMs = 1'000'000;
constexpr qint64 NsPerSecond = 1'000'000'000;
// Events taken from the kernel per turn; level triggering hands the rest over on the next turn.
constexpr int MaxEventsPerWait = 512;

// The readiness that activates a notifier of each type, as QEventDispatcherUNIX maps poll() results:
// an error or hang-up wakes every notifier so that its owner reads the error or the end of stream.
constexpr std::uint32_t ActivatingEvents[3] = {
    EPOLLIN | EPOLLHUP | EPOLLERR,
    EPOLLOUT | EPOLLHUP | EPOLLERR,
    EPOLLPRI | EPOLLHUP | EPOLLERR,
};

qint64 nowNs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * NsPerSecond + now.tv_nsec;
}

timespec toTimespec(qint64 ns)
{
    return timespec{time_t(ns / NsPerSecond), long(ns % NsPerSecond)};
}

// A CoarseTimer may fire up to 5 % late, so its deadline moves to the roundest instant in that slack:
// timers of the process then tend to fire together, as QTimerInfoList arranges. Unlike Qt's rounding it
// never moves a deadline earlier, so a coarse timer never fires before its interval has passed.
qint64 coarseDeadline(qint64 expectedNs, qint64 intervalMs)
{
    const qint64 slackNs = intervalMs * NsPerMs / 20;
    static constexpr qint64 BoundariesMs[] = {1000, 500, 250, 200, 100, 50, 25, 10, 5, 2, 1};
    for (const qint64 boundaryMs : BoundariesMs) {
        const qint64 boundaryNs = boundaryMs * NsPerMs;
        const qint64 roundedUp = (expectedNs + boundaryNs - 1) / boundaryNs * boundaryNs;
        if (roundedUp - expectedNs <= slackNs)
            return roundedUp;
    }
    return expectedNs;
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epollFd = epoll_create1(EPOLL_CLOEXEC);
    if (m_epollFd < 0) {
        qCCritical(lcDispatcher, "epoll_create1: %s", strerror(errno));
        return;
    }
    m_wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_wakeFd < 0) {
        qCCritical(lcDispatcher, "eventfd: %s", strerror(errno));
        return;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeFd, &event) != 0) {
        qCCritical(lcDispatcher, "epoll_ctl(eventfd): %s", strerror(errno));
        ::close(m_wakeFd);
        m_wakeFd = -1;
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    if (m_epollFd >= 0)
        ::close(m_epollFd);
}

bool EpollEventDispatcher::checkThread(const QObject *object, const char *what) const
{
    if (object->thread() == thread() && thread() == QThread::currentThread())
        return true;
    qCWarning(lcDispatcher, "%s cannot be registered from another thread", what);
    return false;
}

// ---- socket notifiers -------------------------------------------------------------------------

std::uint32_t EpollEventDispatcher::wantedEvents(const SocketEntry &entry)
{
    static constexpr std::uint32_t Requested[3] = {EPOLLIN, EPOLLOUT, EPOLLPRI};
    std::uint32_t events = 0;
    for (int type = 0; type < 3; ++type) {
        if (entry.notifiers[type])
            events |= Requested[type];
    }
    return events;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    if (fd < 0 || type < 0 || type > 2) {
        qCWarning(lcDispatcher, "QSocketNotifier: invalid socket %d or type %d", fd, type);
        return;
    }
    if (!checkThread(notifier, "QSocketNotifier"))
        return;
    SocketEntry &entry = m_sockets[fd];
    if (entry.notifiers[type] && entry.notifiers[type] != notifier)
        qCWarning(lcDispatcher, "QSocketNotifier: multiple socket notifiers for socket %d and type %d", fd, type);
    entry.notifiers[type] = notifier;
    entry.serials[type] = m_nextSerial++;
    markDirty(fd, entry);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    const auto it = m_sockets.find(fd);
    if (it == m_sockets.end() || type < 0 || type > 2 || it->notifiers[type] != notifier)
        return;
    if (!checkThread(notifier, "QSocketNotifier"))
        return;
    it->notifiers[type] = nullptr;
    it->serials[type] = 0;
    if (wantedEvents(*it) != 0) {
        markDirty(fd, *it);
        return;
    }
    // The last notifier of the descriptor: leave the epoll set now, while the descriptor is surely still
    // open. Deferred, a closed and reused number would remove or confuse somebody else's registration.
    if (it->kernelEvents != 0 && epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr) != 0 && errno != ENOENT &&
        errno != EBADF)
        qCWarning(lcDispatcher, "epoll_ctl(DEL, %d): %s", fd, strerror(errno));
    if (it->alwaysReady)
        --m_alwaysReadyCount;
    m_sockets.erase(it);
}

void EpollEventDispatcher::markDirty(int fd, SocketEntry &entry)
{
    // A QTcpSocket enables its write notifier for every write and disables it once flushed; applying the
    // change just before the next wait turns such a toggle within one turn into no system call at all.
    if (!entry.dirty) {
        entry.dirty = true;
        m_dirtySockets.push_back(fd);
    }
}

void EpollEventDispatcher::flushDirtySockets()
{
    for (const int fd : m_dirtySockets) {
        const auto it = m_sockets.find(fd);
        if (it != m_sockets.end() && it->dirty)
            updateKernel(fd, *it);
    }
    m_dirtySockets.clear();
}

void EpollEventDispatcher::updateKernel(int fd, SocketEntry &entry)
{
    entry.dirty = false;
    const std::uint32_t wanted = wantedEvents(entry);
    if (wanted == entry.kernelEvents || entry.alwaysReady)
        return;
    epoll_event event{};
    event.events = wanted;
    event.data.fd = fd;
    int result = epoll_ctl(m_epollFd, entry.kernelEvents ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
    // The descriptor was closed without unregistering (the kernel dropped it) or reused: start over.
    if (result != 0 && errno == ENOENT)
        result = epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &event);
    else if (result != 0 && errno == EEXIST)
        result = epoll_ctl(m_epollFd, EPOLL_CTL_MOD, fd, &event);
    if (result == 0) {
        entry.kernelEvents = wanted;
    } else if (errno == EPERM) {
        // A regular file or directory: poll() reports it always ready, and so do we.
        entry.alwaysReady = true;
        entry.kernelEvents = 0;
        ++m_alwaysReadyCount;
    } else {
        qCWarning(lcDispatcher, "epoll_ctl(%d): %s", fd, strerror(errno));
    }
}

void EpollEventDispatcher::addActivations(int fd, std::uint32_t events, std::vector<Activation> &activations) const
{
    const auto it = m_sockets.constFind(fd);
    if (it == m_sockets.cend())
        return;
    for (int type = 0; type < 3; ++type) {
        if (it->notifiers[type] && (events & ActivatingEvents[type]))
            activations.push_back(Activation{fd, type, it->notifiers[type], it->serials[type]});
    }
}

int EpollEventDispatcher::activateSocketNotifiers(const std::vector<Activation> &activations)
{
    int activated = 0;
    for (const Activation &activation : activations) {
        // An earlier handler of this turn may have disabled or deleted this notifier: deliver only to a
        // registration that is still the one the kernel reported on.
        const auto it = m_sockets.constFind(activation.fd);
        if (it == m_sockets.cend() || it->notifiers[activation.type] != activation.notifier ||
            it->serials[activation.type] != activation.serial)
            continue;
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(activation.notifier, &event);
        ++activated;
    }
    return activated;
}

// ---- timers -----------------------------------------------------------------------------------

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || !object) {
        qCWarning(lcDispatcher, "registerTimer: invalid arguments");
        return;
    }
    if (!checkThread(object, "A timer"))
        return;
    if (m_timers.contains(timerId))
        unregisterTimer(timerId);
    Timer timer;
    timer.object = object;
    timer.interval = interval;
    timer.type = timerType;
    timer.serial = m_nextSerial++;
    // QTimerInfoList's rules: under 20 ms, 5 % is below a millisecond, so a coarse timer is precise;
    // from 20 s, 5 % exceeds a second, so it is very coarse (whole seconds).
    if (timer.type == Qt::CoarseTimer && interval <= 20)
        timer.type = Qt::PreciseTimer;
    else if (timer.type == Qt::CoarseTimer && interval >= 20000)
        timer.type = Qt::VeryCoarseTimer;
    if (timer.type == Qt::VeryCoarseTimer)
        timer.interval = (interval + 500) / 1000;
    Timer &stored = m_timers.insert(timerId, timer).value();
    schedule(timerId, stored, nowNs(), true);
}

void EpollEventDispatcher::schedule(int timerId, Timer &timer, qint64 now, bool first)
{
    switch (timer.type) {
    case Qt::PreciseTimer:
    case Qt::CoarseTimer: {
        const qint64 intervalNs = timer.interval * NsPerMs;
        if (first) {
            timer.expected = now + intervalNs;
        } else {
            timer.expected += intervalNs;
            // A late turn skips the missed intervals rather than firing them in a burst.
            if (timer.expected < now)
                timer.expected = now + intervalNs;
        }
        timer.deadline =
            timer.type == Qt::CoarseTimer ? coarseDeadline(timer.expected, timer.interval) : timer.expected;
        break;
    }
    case Qt::VeryCoarseTimer: {
        // Whole seconds on whole-second boundaries, like QTimerInfoList.
        const qint64 seconds = timer.interval * NsPerSecond;
        if (first) {
            qint64 base = now / NsPerSecond * NsPerSecond;
            if (now - base > NsPerSecond / 2)
                base += NsPerSecond;
            timer.expected = base + seconds;
        } else {
            timer.expected += seconds;
            if (timer.expected <= now / NsPerSecond * NsPerSecond)
                timer.expected = now / NsPerSecond * NsPerSecond + seconds;
        }
        timer.deadline = timer.expected;
        break;
    }
    }
    m_timerQueue.emplace(timer.deadline, timerId);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    if (!checkThread(it->object, "A timer"))
        return false;
    m_timerQueue.erase({it->deadline, timerId});
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    if (!object || !checkThread(object, "A timer"))
        return false;
    bool found = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object == object) {
            m_timerQueue.erase({it->deadline, it.key()});
            it = m_timers.erase(it);
            found = true;
        } else {
            ++it;
        }
    }
    return found;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it) {
        if (it->object == object) {
            const qint64 intervalMs = it->type == Qt::VeryCoarseTimer ? it->interval * 1000 : it->interval;
            timers.append(TimerInfo(it.key(), int(std::min<qint64>(intervalMs, INT_MAX)), it->type));
        }
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    const qint64 remainingNs = std::max<qint64>(0, it->deadline - nowNs());
    return int(std::min<qint64>((remainingNs + NsPerMs - 1) / NsPerMs, INT_MAX));
}

int EpollEventDispatcher::activateTimers()
{
    if (m_timerQueue.empty())
        return 0;
    const qint64 now = nowNs();
    // Each timer due now fires once in this turn, even if its handler runs long or restarts it.
    std::vector<std::pair<int, quint64>> due;
    for (auto it = m_timerQueue.cbegin(); it != m_timerQueue.cend() && it->first <= now; ++it)
        due.emplace_back(it->second, m_timers.value(it->second).serial);
    int activated = 0;
    for (const auto &[timerId, serial] : due) {
        auto it = m_timers.find(timerId);
        if (it == m_timers.end() || it->serial != serial || it->inEvent || it->deadline > now)
            continue;
        // Rescheduled before delivery: the handler sees the next remainingTime() and may kill the timer.
        m_timerQueue.erase({it->deadline, timerId});
        schedule(timerId, *it, now, false);
        it->inEvent = true;
        QObject *object = it->object;
        QTimerEvent event(timerId);
        QCoreApplication::sendEvent(object, &event);
        ++activated;
        // The handler may have killed the timer, or killed it and got the same id for a new one.
        it = m_timers.find(timerId);
        if (it != m_timers.end() && it->serial == serial)
            it->inEvent = false;
    }
    return activated;
}

// ---- waking and waiting -----------------------------------------------------------------------

void EpollEventDispatcher::wakeUp()
{
    // One write until the loop has read it: QCoreApplication::postEvent calls this for every event.
    if (m_wakeUpPending.testAndSetAcquire(0, 1)) {
        const quint64 one = 1;
        while (::write(m_wakeFd, &one, sizeof one) < 0 && errno == EINTR) {
        }
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelease(1);
    wakeUp();
}

bool EpollEventDispatcher::drainWakeUps()
{
    quint64 count = 0;
    const bool woken = ::read(m_wakeFd, &count, sizeof count) == ssize_t(sizeof count);
    // Reset after the read: a wakeUp() in between writes again, one before is covered by the
    // sendPostedEvents() at the start of the next turn.
    m_wakeUpPending.storeRelease(0);
    return woken;
}

int EpollEventDispatcher::waitAndCollect(bool includeNotifiers, qint64 timeoutNs, std::vector<Activation> &activations)
{
    timespec timeout = toTimespec(std::max<qint64>(0, timeoutNs));
    timespec *timeoutPointer = timeoutNs < 0 ? nullptr : &timeout;
    if (!includeNotifiers) {
        // Only a wake-up or a timer may end this wait: the sockets stay ready and must not spin the loop.
        pollfd wake{m_wakeFd, POLLIN, 0};
        const int result = ppoll(&wake, 1, timeoutPointer, nullptr);
        if (result < 0 && errno != EINTR)
            qCWarning(lcDispatcher, "ppoll: %s", strerror(errno));
        return result > 0 && drainWakeUps() ? 1 : 0;
    }
    flushDirtySockets();
    if (m_alwaysReadyCount > 0)
        timeoutPointer = &(timeout = timespec{0, 0});
    std::array<epoll_event, MaxEventsPerWait> events;
    int count = -1;
    if (m_havePwait2) {
        count = epoll_pwait2(m_epollFd, events.data(), int(events.size()), timeoutPointer, nullptr);
        if (count < 0 && errno == ENOSYS)
            m_havePwait2 = false;
    }
    if (!m_havePwait2) {
        // Milliseconds, rounded up so that a timer is never woken for before it is due.
        const int timeoutMs =
            timeoutPointer ? int(std::min<qint64>((std::max<qint64>(0, timeoutNs) + NsPerMs - 1) / NsPerMs, INT_MAX))
                           : -1;
        count = epoll_wait(m_epollFd, events.data(), int(events.size()), m_alwaysReadyCount > 0 ? 0 : timeoutMs);
    }
    if (count < 0) {
        if (errno != EINTR)
            qCWarning(lcDispatcher, "epoll_wait: %s", strerror(errno));
        count = 0;
    }
    int handled = 0;
    for (int index = 0; index < count; ++index) {
        if (events[std::size_t(index)].data.fd == m_wakeFd)
            handled += drainWakeUps() ? 1 : 0;
        else
            addActivations(events[std::size_t(index)].data.fd, events[std::size_t(index)].events, activations);
    }
    if (m_alwaysReadyCount > 0) {
        for (auto it = m_sockets.cbegin(); it != m_sockets.cend(); ++it) {
            if (it->alwaysReady)
                addActivations(it.key(), EPOLLIN | EPOLLOUT, activations);
        }
    }
    return handled;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.storeRelaxed(0);
    emit awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    // Events posted meanwhile have written the eventfd, so the wait below returns at once for them.
    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.loadAcquire();
    if (canWait)
        emit aboutToBlock();
    if (m_interrupted.loadAcquire())
        return false;

    qint64 timeoutNs = 0;
    if (canWait) {
        timeoutNs = -1;
        if (includeTimers && !m_timerQueue.empty())
            timeoutNs = std::max<qint64>(0, m_timerQueue.cbegin()->first - nowNs());
    }
    // Local, not a member: a handler may run a nested event loop, which collects its own.
    std::vector<Activation> activations;
    int handled = waitAndCollect(includeNotifiers, timeoutNs, activations);
    if (includeNotifiers)
        handled += activateSocketNotifiers(activations);
    if (includeTimers)
        handled += activateTimers();
    return handled > 0;
}

} // namespace wsinfra
