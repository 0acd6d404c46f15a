#pragma once

#include <QHostAddress>
#include <QObject>

#include <functional>

class QSocketNotifier;
class QTimer;

namespace wsinfra {

/// A listening TCP socket that hands out accepted descriptors. Unlike QTcpServer it survives
/// running out of file descriptors: QTcpServer treats EMFILE as temporary and its read notifier
/// fires again at once, spinning a core at 100 % for as long as the process is at its limit.
/// TcpListener stops watching the socket for a moment instead and retries.
class TcpListener : public QObject
{
    Q_OBJECT
public:
    using Accepted = std::function<void(qintptr socketDescriptor)>;
    static constexpr int ResourceRetryMs = 100;

    TcpListener(Accepted accepted, QObject *parent = nullptr);
    ~TcpListener() override;

    /// Binds and listens; false with errorString() set on failure.
    bool listen(const QHostAddress &address, quint16 port, int backlog);
    void close();
    QHostAddress address() const;
    quint16 port() const;
    QString errorString() const { return m_errorString; }

private:
    void acceptPending();

    Accepted m_accepted;
    int m_descriptor = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_retry;
    QString m_errorString;
    qint64 m_resourcePauses = 0; ///< throttles the warning to one per 100 pauses
};

} // namespace wsinfra
