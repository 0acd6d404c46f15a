#pragma once

#include "transport/httprequestparser.h"

#include <QHash>
#include <QObject>
#include <QSslConfiguration>

#include <functional>

class QSslSocket;
class QTimer;

namespace wsinfra {

/// The TLS counterpart of RequestSniffer: takes accepted descriptors of a TLS listener, runs the server
/// handshake and waits for the request head, which it looks at without consuming it (it stays in the
/// socket's decrypted buffer for the new owner). Then it calls back with the socket, parentless, on
/// this thread. A failed handshake, a client that closes, a malformed head (4xx) and a client that is
/// not done within the deadline (handshake and head together; 408 once encrypted) never reach the
/// callback. Runs on the front door's thread; the socket's encryption moves with it to its owner.
class TlsAcceptor : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        HttpLimits headLimits;
        qint64 headTimeoutMs = 10'000;
    };
    using Accepted = std::function<void(QSslSocket *socket, const HttpRequest &head, qsizetype headLength)>;
    /// The acceptor answered a connection itself with this status (for statistics).
    using Rejected = std::function<void(int status)>;

    TlsAcceptor(const Settings &settings, const QSslConfiguration &configuration, Accepted accepted,
                QObject *parent = nullptr);
    ~TlsAcceptor() override;

    /// Takes ownership of an accepted descriptor and starts the handshake. `peerAddress` (optional) is
    /// what pendingFrom() counts it under.
    void accept(qintptr socketDescriptor, const QString &peerAddress = {});
    /// New credentials for the handshakes that start from now on (a reload).
    void setConfiguration(const QSslConfiguration &configuration);
    void setRejectedHandler(Rejected rejected);
    /// Connections in their handshake or whose head has not arrived yet.
    int pendingCount() const { return int(m_pending.size()); }
    /// Connections from `peerAddress` in their handshake or whose head has not arrived yet.
    int pendingFrom(const QString &peerAddress) const { return m_pendingByAddress.value(peerAddress); }
    /// Handshakes that failed (not TLS, no shared protocol or cipher, reset, timed out) since the start.
    qint64 handshakeFailures() const { return m_handshakeFailures; }

private:
    void inspect(QSslSocket *socket);
    void expire(QSslSocket *socket);
    /// Forgets a pending socket: its deadline and every connection to this acceptor.
    void release(QSslSocket *socket);
    void drop(QSslSocket *socket);
    void reject(QSslSocket *socket, qsizetype consume, int status, const QString &code, const QString &message);

    const Settings m_settings;
    QSslConfiguration m_configuration;
    Accepted m_accepted;
    Rejected m_rejected;
    struct Pending
    {
        QTimer *deadline = nullptr;
        QString peerAddress;
    };
    QHash<QSslSocket *, Pending> m_pending;
    QHash<QString, int> m_pendingByAddress;
    qint64 m_handshakeFailures = 0;
};

} // namespace wsinfra
