#pragma once

#include "protocol/controlmessage.h"
#include "protocol/result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QTimer>
#include <QUrl>

class QWebSocket;

namespace wsinfra {

/// The console's end of the control protocol (docs/control-protocol.md): connects to ws://host:port/ (wss://
/// when the control port speaks TLS), says hello with the control token, and turns what the service sends
/// into signals. It watches the
/// pushes: a delta that does not follow the previous push (seq + 1) is not passed on, and a resync is
/// asked for instead, so that a consumer never applies a delta to the wrong state. A link that drops
/// after the welcome is reopened with backoff; a refusal is final, and so is a first connection that fails
/// unless Settings::retryFirstConnection. A certificate the client does not trust is final too: it is never
/// ignored, and retrying would only fail the same way.
class ControlClient : public QObject
{
    Q_OBJECT
public:
    enum class State {
        Disconnected,
        Connecting, ///< the socket is opening, or the hello waits for its answer
        Live,       ///< welcomed, and pushes arrive
        Lagging,    ///< welcomed, but no push for Settings::lagIntervals intervals
    };
    Q_ENUM(State)

    struct Settings
    {
        int initialBackoffMs = 1000; ///< the first reconnect waits this long, each further one twice as long
        int maxBackoffMs = 30'000;
        int lagIntervals = 3;          ///< Lagging after this many push intervals without a push
        int welcomeTimeoutMs = 10'000; ///< from opening the socket to the welcome
        qint64 maxFrameBytes = 64LL * 1024 * 1024;
        /// Keep trying, with the backoff, when the first attempt fails too (the window: the service may be
        /// starting), rather than give up (a one-shot export). A refusal is final either way.
        bool retryFirstConnection = false;
    };

    /// How to reach a control port that speaks TLS.
    struct Tls
    {
        bool enabled = false; ///< wss:// rather than ws://
        /// A PEM file of CA certificates trusted in addition to the system's (a self-signed or private-CA
        /// service); empty: the system's only. Read at each attempt, so a replaced file is picked up.
        QString caCertificateFile;
        friend bool operator==(const Tls &, const Tls &) = default;
    };

    explicit ControlClient(QObject *parent = nullptr);
    explicit ControlClient(const Settings &settings, QObject *parent = nullptr);
    ~ControlClient() override;

    /// Opens ws://host:port/ (wss:// with `tls` enabled) and says hello with `token` (closing any earlier
    /// connection first).
    void connectToService(const QString &host, quint16 port, const QString &token, const Tls &tls);
    void connectToService(const QString &host, quint16 port, const QString &token)
    {
        connectToService(host, port, token, Tls{});
    }
    /// Closes the connection and stops reconnecting.
    void disconnectFromService();

    State state() const { return m_state; }
    QUrl url() const { return m_url; }
    /// The service's name for this console's session ("c-N"); empty before the welcome.
    QString session() const { return m_session; }
    /// How often the service pushes, from the welcome (1000 ms until then).
    int intervalMs() const { return m_intervalMs; }
    /// Why the last connection attempt failed or the link dropped.
    QString errorString() const { return m_error; }

    /// Sends a command once welcomed and returns its id: the command's own, or a new integer when it
    /// has none (a resync has no id and gets none). Undefined, and nothing is sent, when not welcomed.
    QJsonValue sendCommand(const ControlCommand &command);

    /// The certificates of a PEM file, for Tls::caCertificateFile. Fails with a message naming the file when
    /// it cannot be read or holds no PEM certificate.
    static Result<QList<QSslCertificate>> loadCaCertificates(const QString &path);

signals:
    void welcomed(const QString &session, int intervalMs);
    /// A snapshot push, whole.
    void snapshotReceived(const QJsonObject &snapshot);
    /// A delta push that follows the previous push.
    void deltaReceived(const QJsonObject &delta);
    /// The answer to a command: its `result` when ok, else its `error` ({"code","message"}).
    void replyReceived(const QJsonValue &id, bool ok, const QJsonObject &resultOrError);
    /// The service refused the console (an error frame, then it closes); there is no reconnect.
    void refused(const QString &code, const QString &message);
    /// An attempt ended before the welcome without a refusal (see errorString()). When the client was
    /// reconnecting, reconnectScheduled() follows; otherwise it gives up.
    void connectionFailed(const QString &reason);
    /// TLS could not be set up with the service's certificate (not trusted, expired, another host's) or
    /// the CA file; `reason` (also errorString()) says which. Final: there is no reconnect.
    void certificateRejected(const QString &reason);
    /// The next attempt starts in `delayMs`.
    void reconnectScheduled(int delayMs);
    void stateChanged(wsinfra::ControlClient::State state);

private:
    void open();
    void onText(const QString &text);
    void onEnded(quint64 attempt);
    void onPush();
    void requestResync();
    void scheduleReconnect();
    void setState(State state);
    void dropSocket();

    Settings m_settings;
    QWebSocket *m_socket = nullptr;
    quint64 m_attempt = 0; ///< which socket the queued end-of-connection handlers are about
    QUrl m_url;
    QString m_token;
    Tls m_tls;
    State m_state = State::Disconnected;
    QString m_session;
    int m_intervalMs = 1000;
    QString m_error;
    bool m_wanted = false;              ///< connected or trying to be, as the owner asked
    bool m_opened = false;              ///< this socket's WebSocket handshake succeeded
    bool m_welcomed = false;            ///< this socket got its welcome
    bool m_refused = false;             ///< this socket got an error frame
    bool m_rejectedCertificate = false; ///< this socket's TLS setup failed on a certificate
    bool m_reconnecting = false;        ///< a live link dropped: retry until welcomed again
    int m_backoffMs = 0;
    qint64 m_lastSeq = -1; ///< of the last push passed on; -1 until a snapshot
    bool m_resyncRequested = false;
    qint64 m_nextCommandId = 0;
    QTimer m_welcomeTimer;
    QTimer m_lagTimer;
    QTimer m_reconnectTimer;
};

} // namespace wsinfra
