#pragma once

#include "protocol/result.h"

#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QString>

#include <memory>
#include <vector>

class QLocalServer;
class QTemporaryDir;

namespace wsinfra {

/// TLS to Redis for hiredis 0.14, which speaks only plain TCP or Unix sockets: a Unix socket in a
/// private directory (0700, so only the service's user may connect) whose every connection is carried
/// over its own QSslSocket to the real server. The server's certificate is verified (chain against the
/// given CAs, or the system's when none are given; name against `host`, which also goes out as SNI);
/// when it fails, or
/// the server cannot be reached, the local side is closed, so hiredis sees a disconnect and its owner's
/// reconnect logic takes over. Bytes are pumped both ways with backpressure: a side is not read while
/// the other has more than HighWaterBytes unwritten, so a stalled peer stalls the writer instead of
/// growing a buffer. Lives on its owner's thread; never blocks.
class RedisTlsTunnel : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        /// Where Redis is: a host name (resolved by QSslSocket, without blocking) or an IP address.
        QString host;
        quint16 port = 6379;
        /// Trusted instead of the system's CAs (empty: the system's).
        QList<QSslCertificate> caCertificates;
    };

    /// Unwritten bytes one side of a connection may hold before the other side is no longer read.
    static constexpr qint64 HighWaterBytes = 256 * 1024;
    /// The most each socket buffers after reading from the kernel.
    static constexpr qint64 ReadBufferBytes = 64 * 1024;

    explicit RedisTlsTunnel(Options options, QObject *parent = nullptr);
    /// Closes every connection at once (both sides) and removes the socket and its directory.
    ~RedisTlsTunnel() override;

    /// Opens the local socket (in a new private directory). Returns false, with the reason in
    /// errorString(), when it cannot. Does nothing when already listening.
    bool listen();
    bool isListening() const;
    /// The path hiredis connects to (empty before listen()).
    QString socketPath() const;
    QString errorString() const { return m_errorString; }

    /// Why the last connection to Redis failed ("Redis TLS: certificate of … not trusted: …"), empty
    /// again once a connection gets through the TLS handshake.
    QString lastError() const { return m_lastError; }
    /// Connections open now.
    int connectionCount() const { return int(m_pipes.size()); }
    /// Bytes the tunnel holds now for all of its connections, in both directions: what backpressure
    /// keeps bounded.
    qint64 bufferedBytes() const;

    /// Reads a PEM file of one or more CA certificates. Fails with ErrorCode::InvalidConfig and a
    /// message naming the file when it is missing, unreadable or holds no PEM certificate.
    static Result<QList<QSslCertificate>> loadCaFile(const QString &path);

private:
    struct Pipe;

    void acceptConnections();
    void pumpToRemote(Pipe *pipe);
    void pumpToLocal(Pipe *pipe);
    void remoteEncrypted(Pipe *pipe);
    void remoteFailed(Pipe *pipe, const QString &message);
    void remoteClosed(Pipe *pipe);
    /// Forgets the pipe and deletes its sockets later; with `abort`, resets both connections first.
    void finish(Pipe *pipe, bool abort);
    QString peerName() const;

    Options m_options;
    QSslConfiguration m_sslConfiguration;
    std::unique_ptr<QTemporaryDir> m_directory;
    QLocalServer *m_server = nullptr;
    std::vector<std::unique_ptr<Pipe>> m_pipes;
    QString m_errorString;
    QString m_lastError;
    // The error logged last: one warning per streak of identical failures, not one per reconnect.
    QString m_loggedError;
};

} // namespace wsinfra
