#pragma once

#include <QList>
#include <QObject>

class QSocketNotifier;

namespace wsinfra {

/// Turns Unix signals into Qt signals the way Qt's documentation recommends: the handler only
/// writes the signal number to a socketpair; a QSocketNotifier reads it on the event loop.
/// Only one watcher may exist per process (the handler has nowhere else to write).
class UnixSignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignalWatcher(const QList<int> &signalNumbers, QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

signals:
    void unixSignal(int signalNumber);

private:
    void readSignals();

    QList<int> m_signalNumbers;
    int m_sockets[2] = {-1, -1};
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace wsinfra
