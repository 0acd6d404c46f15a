#include "controlclient.h"

#include "protocol/clientmessage.h"
#include "protocol/codes.h"

#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslError>
#include <QStringList>
#include <QWebSocket>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsinfra {

Q_LOGGING_CATEGORY(lcConsole, "wsinfra.console", QtWarningMsg)

namespace {

constexpr int MinIntervalMs = 10;
constexpr int MaxIntervalMs = 3'600'000;
// A CA file is a few certificates; a huge one is a mistake (or /dev/zero).
constexpr qint64 MaxCaFileBytes = 1024 * 1024;

// The system's CA certificates, read once per process: parsing the few hundred of them costs milliseconds
// here, seconds under the sanitizers, and would otherwise be paid at every attempt. A CA added to the
// system while the console runs counts from its next start.
const QList<QSslCertificate> &systemCaCertificates()
{
    static const QList<QSslCertificate> certificates = QSslConfiguration::systemCaCertificates();
    return certificates;
}

} // namespace

ControlClient::ControlClient(QObject *parent) : ControlClient(Settings{}, parent) {}

ControlClient::ControlClient(const Settings &settings, QObject *parent)
    : QObject(parent), m_settings(settings), m_backoffMs(settings.initialBackoffMs)
{
    m_welcomeTimer.setSingleShot(true);
    connect(&m_welcomeTimer, &QTimer::timeout, this, [this] {
        if (!m_socket)
            return;
        m_error = u"no welcome from %1 within %2 ms"_s.arg(m_url.toString()).arg(m_settings.welcomeTimeoutMs);
        // A plain port takes a TLS hello for the start of a request and waits for the rest.
        if (m_tls.enabled && !m_opened)
            m_error += u" (the TLS handshake did not finish: does the control port speak TLS?)"_s;
        m_socket->abort();
    });
    m_lagTimer.setSingleShot(true);
    connect(&m_lagTimer, &QTimer::timeout, this, [this] {
        if (m_state == State::Live)
            setState(State::Lagging);
    });
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ControlClient::open);
}

ControlClient::~ControlClient()
{
    dropSocket();
}

void ControlClient::connectToService(const QString &host, quint16 port, const QString &token, const Tls &tls)
{
    QUrl url;
    url.setScheme(tls.enabled ? u"wss"_s : u"ws"_s);
    url.setHost(host);
    url.setPort(port);
    url.setPath(u"/"_s);
    m_url = url;
    m_token = token;
    m_tls = tls;
    m_wanted = true;
    m_reconnecting = m_settings.retryFirstConnection;
    m_backoffMs = m_settings.initialBackoffMs;
    m_reconnectTimer.stop();
    open();
}

void ControlClient::disconnectFromService()
{
    m_wanted = false;
    m_reconnecting = false;
    m_reconnectTimer.stop();
    m_welcomeTimer.stop();
    m_lagTimer.stop();
    if (m_socket && m_socket->state() != QAbstractSocket::UnconnectedState) {
        // The end arrives through onEnded once the close handshake is done.
        m_socket->close();
        return;
    }
    dropSocket();
    setState(State::Disconnected);
}

void ControlClient::open()
{
    dropSocket();
    m_opened = false;
    m_welcomed = false;
    m_refused = false;
    m_rejectedCertificate = false;
    m_session.clear();
    m_error.clear();
    const quint64 attempt = ++m_attempt;
    m_socket = new QWebSocket(u"wsinfra-console"_s, QWebSocketProtocol::VersionLatest, this);
    if (m_tls.enabled && !m_tls.caCertificateFile.isEmpty()) {
        const Result<QList<QSslCertificate>> authorities = loadCaCertificates(m_tls.caCertificateFile);
        if (!authorities) {
            // Without the CA the service's certificate cannot be checked: as final as an untrusted one.
            m_rejectedCertificate = true;
            m_error = authorities.error().message;
            setState(State::Connecting);
            QMetaObject::invokeMethod(
                this, [this, attempt] { onEnded(attempt); }, Qt::QueuedConnection);
            return;
        }
        // Set as a whole list: adding to the default configuration would lose the system's CAs, which Qt
        // loads on demand only while the list is untouched.
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates(systemCaCertificates() + *authorities);
        m_socket->setSslConfiguration(configuration);
    }
    m_socket->setMaxAllowedIncomingMessageSize(quint64(m_settings.maxFrameBytes));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(m_settings.maxFrameBytes));
    connect(m_socket, &QWebSocket::connected, this, [this] {
        m_opened = true;
        const ControlHello hello{ControlProtocolVersion, m_token,
                                 u"wsinfra-console "_s + QStringLiteral(WSINFRA_VERSION)};
        m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(hello.toJson()).toJson(QJsonDocument::Compact)));
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, &ControlClient::onText);
    // Never ignored: the socket aborts the handshake after this signal, and the link ends.
    connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        QStringList problems;
        for (const QSslError &error : errors) {
            if (!problems.contains(error.errorString()))
                problems.append(error.errorString());
        }
        m_rejectedCertificate = true;
        m_error = u"the service's certificate is not trusted (%1): %2"_s.arg(m_url.toString(), problems.join(u"; "_s));
    });
    // Qt 6.4 names the signal error(); errorOccurred() comes with 6.5.
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError error) {
                if (!m_error.isEmpty())
                    return;
                m_error = u"%1: %2"_s.arg(m_url.toString(), m_socket->errorString());
                // A TLS port drops a plain request at once.
                if (!m_tls.enabled && !m_opened && error == QAbstractSocket::RemoteHostClosedError)
                    m_error += u" (if the control port speaks TLS, connect with TLS)"_s;
            });
    // Queued, and keyed by the attempt: the socket may report its end from inside open() or close(), and
    // the handler replaces it.
    connect(
        m_socket, &QWebSocket::stateChanged, this,
        [this, attempt](QAbstractSocket::SocketState state) {
            if (state == QAbstractSocket::UnconnectedState)
                onEnded(attempt);
        },
        Qt::QueuedConnection);
    setState(State::Connecting);
    m_welcomeTimer.start(m_settings.welcomeTimeoutMs);
    m_socket->open(m_url);
    if (m_socket->state() == QAbstractSocket::UnconnectedState) {
        if (m_error.isEmpty())
            m_error = u"cannot open %1: %2"_s.arg(m_url.toString(), m_socket->errorString());
        QMetaObject::invokeMethod(
            this, [this, attempt] { onEnded(attempt); }, Qt::QueuedConnection);
    }
}

void ControlClient::dropSocket()
{
    if (!m_socket)
        return;
    ++m_attempt;
    m_socket->disconnect(this);
    // Closed here rather than by ~QWebSocket, which in Qt 6.4 leaks the close reason of an open socket.
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
}

void ControlClient::onEnded(quint64 attempt)
{
    if (attempt != m_attempt || !m_socket)
        return;
    const bool wasWelcomed = m_welcomed;
    if (m_error.isEmpty()) {
        const QString reason = m_socket->closeReason();
        m_error = u"%1 closed the connection (close code %2%3)"_s.arg(m_url.toString())
                      .arg(int(m_socket->closeCode()))
                      .arg(reason.isEmpty() ? QString() : QString(u": "_s + reason));
    }
    m_welcomeTimer.stop();
    m_lagTimer.stop();
    dropSocket();
    const quint64 ended = m_attempt;
    m_welcomed = false;
    m_session.clear();
    if (!m_wanted || m_refused) {
        m_wanted = false;
        m_reconnecting = false;
        setState(State::Disconnected);
        return;
    }
    if (m_rejectedCertificate) {
        qCWarning(lcConsole).noquote() << m_error;
        m_wanted = false;
        m_reconnecting = false;
        setState(State::Disconnected);
        if (m_attempt == ended)
            emit certificateRejected(m_error);
        return;
    }
    if (wasWelcomed) {
        qCWarning(lcConsole).noquote() << "the link to the service dropped:" << m_error;
        m_reconnecting = true;
    }
    // The handlers of these signals may disconnect or connect anew; then they have the last word.
    const auto takenOver = [this, ended] { return m_attempt != ended || !m_wanted; };
    setState(State::Disconnected);
    if (takenOver())
        return;
    if (!wasWelcomed) {
        emit connectionFailed(m_error);
        if (takenOver())
            return;
    }
    if (m_reconnecting)
        scheduleReconnect();
    else
        m_wanted = false;
}

void ControlClient::scheduleReconnect()
{
    const int delay = m_backoffMs;
    m_backoffMs = std::min(m_settings.maxBackoffMs, m_backoffMs * 2);
    m_reconnectTimer.start(delay);
    emit reconnectScheduled(delay);
}

void ControlClient::onText(const QString &text)
{
    ClientMessageLimits limits;
    limits.maxBytes = m_settings.maxFrameBytes;
    const Result<QJsonObject> parsed = parseJsonObject(text.toUtf8(), limits);
    if (!parsed) {
        qCWarning(lcConsole).noquote() << "ignored a frame from the service:" << parsed.error().message;
        return;
    }
    const QJsonObject &frame = *parsed;
    const QString type = frame.value("type"_L1).toString();
    if (type == "error"_L1) {
        m_refused = true;
        m_error = u"%1: %2"_s.arg(frame.value("code"_L1).toString(), frame.value("message"_L1).toString());
        emit refused(frame.value("code"_L1).toString(), frame.value("message"_L1).toString());
        if (m_socket)
            m_socket->close();
        return;
    }
    if (type == "welcome"_L1) {
        if (m_welcomed)
            return;
        m_welcomed = true;
        m_reconnecting = false;
        m_backoffMs = m_settings.initialBackoffMs;
        m_welcomeTimer.stop();
        m_session = frame.value("session"_L1).toString();
        const qint64 interval = frame.value("interval_ms"_L1).toInteger(1000);
        m_intervalMs = int(std::clamp<qint64>(interval, MinIntervalMs, MaxIntervalMs));
        m_lastSeq = -1;
        m_resyncRequested = false;
        emit welcomed(m_session, m_intervalMs);
        onPush();
        return;
    }
    if (!m_welcomed)
        return;
    if (type == "snapshot"_L1) {
        m_lastSeq = frame.value("seq"_L1).toInteger(-1);
        m_resyncRequested = false;
        onPush();
        emit snapshotReceived(frame);
        return;
    }
    if (type == "delta"_L1) {
        onPush();
        const qint64 seq = frame.value("seq"_L1).toInteger(-1);
        if (m_lastSeq < 0 || seq != m_lastSeq + 1) {
            requestResync();
            return;
        }
        m_lastSeq = seq;
        emit deltaReceived(frame);
        return;
    }
    if (type == "reply"_L1) {
        const bool ok = frame.value("ok"_L1).toBool();
        emit replyReceived(frame.value("id"_L1), ok, frame.value(ok ? "result"_L1 : "error"_L1).toObject());
        return;
    }
    // A newer service may send more; this console does not know it, and it is not an error.
    qCDebug(lcConsole).noquote() << "ignored a frame of type" << type.left(64);
}

Result<QList<QSslCertificate>> ControlClient::loadCaCertificates(const QString &path)
{
    using Certificates = QList<QSslCertificate>;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<Certificates>::failure(
            ErrorCode::InvalidConfig, u"cannot read the CA certificate file %1: %2"_s.arg(path, file.errorString()));
    const QByteArray pem = file.read(MaxCaFileBytes + 1);
    if (pem.size() > MaxCaFileBytes)
        return Result<Certificates>::failure(ErrorCode::InvalidConfig,
                                             u"the CA certificate file %1 is larger than 1 MB"_s.arg(path));
    Certificates certificates = QSslCertificate::fromData(pem, QSsl::Pem);
    certificates.removeIf([](const QSslCertificate &certificate) { return certificate.isNull(); });
    if (certificates.isEmpty())
        return Result<Certificates>::failure(ErrorCode::InvalidConfig,
                                             u"the CA certificate file %1 holds no PEM certificate"_s.arg(path));
    return certificates;
}

void ControlClient::requestResync()
{
    // One request per gap: the deltas that follow the gap are dropped until the snapshot arrives.
    if (m_resyncRequested)
        return;
    qCInfo(lcConsole) << "a delta does not follow push" << m_lastSeq << "- asking for a snapshot";
    m_resyncRequested = true;
    sendCommand(ControlCommand{});
}

void ControlClient::onPush()
{
    setState(State::Live);
    m_lagTimer.start(m_settings.lagIntervals * m_intervalMs);
}

QJsonValue ControlClient::sendCommand(const ControlCommand &command)
{
    if (!m_welcomed || !m_socket)
        return QJsonValue(QJsonValue::Undefined);
    ControlCommand frame = command;
    if (frame.type != ControlCommand::Type::Resync && frame.id.isUndefined())
        frame.id = ++m_nextCommandId;
    m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(frame.toJson()).toJson(QJsonDocument::Compact)));
    return frame.id;
}

void ControlClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

} // namespace wsinfra
