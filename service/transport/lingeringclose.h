#pragma once

#include <QObject>

class QSocketNotifier;
class QTimer;

namespace wsinfra {

/// Sends a short final answer on a raw socket and closes it without losing the answer. Closing a
/// socket that still has unread input makes the kernel reset the connection, and the peer may then
/// never see the answer (a 401, 431, 503...). So: send, shut down our sending side, then read and
/// discard what the peer still sends until it closes, a byte budget is spent or a timeout passes.
/// The object deletes itself when done.
class LingeringClose : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 DefaultTimeoutMs = 2'000;
    static constexpr qint64 DiscardBudgetBytes = 1024 * 1024;

    /// Takes ownership of `socketDescriptor`.
    static void start(qintptr socketDescriptor, const QByteArray &answer, QObject *parent,
                      qint64 timeoutMs = DefaultTimeoutMs);

    ~LingeringClose() override;

private:
    LingeringClose(qintptr socketDescriptor, qint64 timeoutMs, QObject *parent);
    void drain();
    void finish();

    const qintptr m_socketDescriptor;
    QSocketNotifier *m_notifier;
    QTimer *m_timeout;
    qint64 m_discarded = 0;
    bool m_finished = false;
};

} // namespace wsinfra
