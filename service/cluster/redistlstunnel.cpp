#include "cluster/redistlstunnel.h"

#include "protocol/codes.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QSslSocket>
#include <QStringList>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsinfra {

Q_DECLARE_LOGGING_CATEGORY(lcRedis) // defined in redisclient.cpp: the tunnel is part of the Redis link

namespace {

// Short: a Unix socket path must fit in sun_path (108 bytes), also under a long TMPDIR.
constexpr QLatin1StringView SocketName{"r"};
// How long a local side may take to read what Redis sent before closing, once Redis has closed.
constexpr int LocalCloseGraceMs = 5000;
constexpr qint64 Chunk = 64 * 1024;

qint64 remoteBacklog(const QSslSocket *remote)
{
    return remote->bytesToWrite() + remote->encryptedBytesToWrite();
}

} // namespace

/// One local connection and its TLS connection to Redis. Both sockets are children of the tunnel and
/// go with finish().
struct RedisTlsTunnel::Pipe
{
    QLocalSocket *local = nullptr;
    QSslSocket *remote = nullptr;
    bool encrypted = false;
    bool remoteDone = false;
    /// What sslErrors() said, for the handshake failure that follows it.
    QString certificateError;
};

RedisTlsTunnel::RedisTlsTunnel(Options options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    m_sslConfiguration = QSslConfiguration::defaultConfiguration();
    m_sslConfiguration.setProtocol(QSsl::TlsV1_2OrLater);
    m_sslConfiguration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    // As hiredis' own TLS and redis-cli --cacert do: a CA file replaces the system's CAs. Adding it to them
    // would need the system's loaded up front (any CA list set in Qt 6.4 turns off its on-demand
    // lookup), which blocks the event loop for a long moment, for every tunnel.
    if (!m_options.caCertificates.isEmpty())
        m_sslConfiguration.setCaCertificates(m_options.caCertificates);
}

RedisTlsTunnel::~RedisTlsTunnel()
{
    while (!m_pipes.empty())
        finish(m_pipes.back().get(), true);
    delete m_server; // before the directory it listens in goes
}

bool RedisTlsTunnel::listen()
{
    if (isListening())
        return true;
    // mkdtemp() makes the directory 0700: only this user may reach the socket inside, whatever the
    // umask gives the socket itself. That, not a token, is what keeps other local users off Redis.
    auto directory = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/wsinfra-redis-XXXXXX"_s);
    if (!directory->isValid()) {
        m_errorString = u"cannot create a private directory for the TLS tunnel: "_s + directory->errorString();
        return false;
    }
    auto *server = new QLocalServer(this);
    const QString path = directory->filePath(SocketName);
    if (!server->listen(path)) {
        m_errorString = u"cannot listen on %1: %2"_s.arg(path, server->errorString());
        delete server;
        return false;
    }
    connect(server, &QLocalServer::newConnection, this, &RedisTlsTunnel::acceptConnections);
    m_directory = std::move(directory);
    m_server = server;
    return true;
}

bool RedisTlsTunnel::isListening() const
{
    return m_server && m_server->isListening();
}

QString RedisTlsTunnel::socketPath() const
{
    return m_server ? m_server->fullServerName() : QString();
}

qint64 RedisTlsTunnel::bufferedBytes() const
{
    qint64 total = 0;
    for (const std::unique_ptr<Pipe> &pipe : m_pipes) {
        total += pipe->local->bytesAvailable() + pipe->local->bytesToWrite();
        total += pipe->remote->bytesAvailable() + remoteBacklog(pipe->remote);
    }
    return total;
}

Result<QList<QSslCertificate>> RedisTlsTunnel::loadCaFile(const QString &path)
{
    const auto fail = [&path](const QString &why) {
        return Error{QString(ErrorCode::InvalidConfig), u"CA file %1 %2"_s.arg(path, why)};
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(u"cannot be read: "_s + file.errorString());
    // A CA bundle is a few hundred kilobytes at most; anything far larger is the wrong file.
    constexpr qint64 MaxBytes = 16 * 1024 * 1024;
    if (file.size() > MaxBytes)
        return fail(u"is larger than 16 MiB"_s);
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (certificates.isEmpty())
        return fail(u"holds no PEM certificate"_s);
    for (const QSslCertificate &certificate : certificates) {
        if (certificate.isNull())
            return fail(u"holds a certificate that cannot be parsed"_s);
    }
    return certificates;
}

QString RedisTlsTunnel::peerName() const
{
    const bool ipv6 = QHostAddress(m_options.host).protocol() == QAbstractSocket::IPv6Protocol;
    return (ipv6 ? u'[' + m_options.host + u']' : m_options.host) + u':' + QString::number(m_options.port);
}

void RedisTlsTunnel::acceptConnections()
{
    while (QLocalSocket *local = m_server->nextPendingConnection()) {
        auto pipe = std::make_unique<Pipe>();
        Pipe *const raw = pipe.get();
        raw->local = local;
        local->setParent(this);
        local->setReadBufferSize(ReadBufferBytes);
        raw->remote = new QSslSocket(this);
        QSslSocket *const remote = raw->remote;
        remote->setSslConfiguration(m_sslConfiguration);
        remote->setReadBufferSize(ReadBufferBytes);

        connect(local, &QLocalSocket::readyRead, this, [this, raw] { pumpToRemote(raw); });
        connect(local, &QLocalSocket::bytesWritten, this, [this, raw] { pumpToLocal(raw); });
        // hiredis closed (its client gave up on the link): nothing it sent still matters.
        connect(local, &QLocalSocket::disconnected, this, [this, raw] { finish(raw, true); });
        connect(remote, &QSslSocket::encrypted, this, [this, raw] { remoteEncrypted(raw); });
        connect(remote, &QSslSocket::readyRead, this, [this, raw] { pumpToLocal(raw); });
        connect(remote, &QSslSocket::bytesWritten, this, [this, raw] { pumpToRemote(raw); });
        connect(remote, &QSslSocket::encryptedBytesWritten, this, [this, raw] { pumpToRemote(raw); });
        connect(remote, &QSslSocket::sslErrors, this, [this, raw](const QList<QSslError> &errors) {
            QStringList texts;
            bool nameMismatch = false;
            for (const QSslError &error : errors) {
                texts.append(error.errorString());
                nameMismatch = nameMismatch || error.error() == QSslError::HostNameMismatch;
            }
            raw->certificateError = (nameMismatch ? u"certificate of %1 does not match that name: "_s
                                                  : u"certificate of %1 not trusted: "_s)
                                        .arg(m_options.host) +
                                    texts.join(u"; "_s);
        });
        connect(remote, &QSslSocket::errorOccurred, this, [this, raw](QAbstractSocket::SocketError error) {
            // Redis closing an established connection is an end, not a failure: disconnected() follows.
            if (raw->encrypted && error == QAbstractSocket::RemoteHostClosedError)
                return;
            QString message = raw->certificateError;
            if (message.isEmpty() && !raw->encrypted) {
                message = error == QAbstractSocket::SslHandshakeFailedError
                              ? u"TLS handshake with %1 failed: %2"_s.arg(peerName(), raw->remote->errorString())
                              : u"cannot connect to %1: %2"_s.arg(peerName(), raw->remote->errorString());
            } else if (message.isEmpty()) {
                message = u"connection to %1 failed: %2"_s.arg(peerName(), raw->remote->errorString());
            }
            remoteFailed(raw, message);
        });
        connect(remote, &QSslSocket::disconnected, this, [this, raw] { remoteClosed(raw); });

        m_pipes.push_back(std::move(pipe));
        qCDebug(lcRedis).noquote() << "Redis TLS: connecting to" << peerName();
        remote->connectToHostEncrypted(m_options.host, m_options.port);
    }
}

void RedisTlsTunnel::pumpToRemote(Pipe *pipe)
{
    // Before the handshake, what hiredis sends waits in the local socket's bounded buffer.
    if (!pipe->encrypted || pipe->remoteDone)
        return;
    while (pipe->local->bytesAvailable() > 0 && remoteBacklog(pipe->remote) < HighWaterBytes)
        pipe->remote->write(pipe->local->read(Chunk));
}

void RedisTlsTunnel::pumpToLocal(Pipe *pipe)
{
    while (pipe->remote->bytesAvailable() > 0 && pipe->local->bytesToWrite() < HighWaterBytes)
        pipe->local->write(pipe->remote->read(Chunk));
}

void RedisTlsTunnel::remoteEncrypted(Pipe *pipe)
{
    pipe->encrypted = true;
    if (!m_lastError.isEmpty())
        qCInfo(lcRedis).noquote() << "Redis TLS: connected to" << peerName() << "again";
    m_lastError.clear();
    m_loggedError.clear();
    pumpToRemote(pipe);
}

void RedisTlsTunnel::remoteFailed(Pipe *pipe, const QString &message)
{
    m_lastError = u"Redis TLS: "_s + message;
    if (m_lastError != m_loggedError) {
        qCWarning(lcRedis).noquote() << m_lastError;
        m_loggedError = m_lastError;
    }
    // A reset rather than an orderly close: hiredis must not take a broken stream for a finished one.
    finish(pipe, true);
}

void RedisTlsTunnel::remoteClosed(Pipe *pipe)
{
    if (pipe->remoteDone)
        return;
    if (!pipe->encrypted) {
        remoteFailed(pipe, !pipe->certificateError.isEmpty()
                               ? pipe->certificateError
                               : u"%1 closed the connection during the TLS handshake"_s.arg(peerName()));
        return;
    }
    pipe->remoteDone = true;
    // Redis closed: what it sent last (an error, say) still reaches hiredis, then the close does.
    while (pipe->remote->bytesAvailable() > 0)
        pipe->local->write(pipe->remote->read(Chunk));
    QTimer::singleShot(LocalCloseGraceMs, pipe->local, [local = pipe->local] { local->abort(); });
    // After the unwritten bytes; its disconnected() (maybe right now) then finishes the pipe.
    pipe->local->disconnectFromServer();
}

void RedisTlsTunnel::finish(Pipe *pipe, bool abort)
{
    const auto it = std::find_if(m_pipes.begin(), m_pipes.end(),
                                 [pipe](const std::unique_ptr<Pipe> &p) { return p.get() == pipe; });
    if (it == m_pipes.end())
        return;
    const std::unique_ptr<Pipe> owned = std::move(*it);
    m_pipes.erase(it);
    // Detached first, so that an abort cannot call back into a pipe that is gone.
    QObject::disconnect(owned->local, nullptr, this, nullptr);
    QObject::disconnect(owned->remote, nullptr, this, nullptr);
    if (abort) {
        owned->remote->abort();
        owned->local->abort();
    }
    // We may be inside one of these sockets' signals: never delete them here.
    owned->local->deleteLater();
    owned->remote->deleteLater();
}

} // namespace wsinfra
