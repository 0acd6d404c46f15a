#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace wsinfra::test {

/// A real redis-server on a free loopback port, with no persistence, for tests. Stopped (SIGKILL)
/// when destroyed, resumed first if paused.
class RedisServer
{
public:
    RedisServer();
    ~RedisServer();
    RedisServer(const RedisServer &) = delete;
    RedisServer &operator=(const RedisServer &) = delete;

    /// Starts redis-server with `extraArgs` (e.g. {"--requirepass", "secret"}) on `port`, or on a
    /// free port when 0, and waits until it answers PING. Returns false, with the reason in
    /// errorString(), when redis-server is not installed or does not come up.
    bool start(const QStringList &extraArgs = {}, quint16 port = 0);
    /// From the next start() on, speaks only TLS on port() (--port 0 --tls-port), with this certificate
    /// and key, and no client certificates asked for; the readiness PING then goes over TLS, trusting
    /// `caFile`.
    void setTls(const QString &certificateFile, const QString &keyFile, const QString &caFile);
    /// SIGKILL, then waits for the exit.
    void kill();
    /// Starts again on the same port with the same arguments (after kill()).
    bool restart();
    /// SIGSTOP: the port still accepts TCP connections, nothing answers.
    void pause();
    /// SIGCONT.
    void resume();

    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    quint16 port() const { return m_port; }
    /// "redis://127.0.0.1:<port>" ("rediss://" after setTls()).
    QString url() const;
    QString errorString() const { return m_error; }

    /// redis-server from PATH (empty when not installed).
    static QString executablePath();
    /// A loopback port nothing listens on right now.
    static quint16 freePort();

private:
    bool launch();
    bool waitUntilAnswering(int timeoutMs);

    QProcess m_process;
    std::unique_ptr<QTemporaryDir> m_directory;
    QStringList m_extraArgs;
    QString m_tlsCertificateFile;
    QString m_tlsKeyFile;
    QString m_tlsCaFile;
    quint16 m_port = 0;
    bool m_paused = false;
    QString m_error;
};

} // namespace wsinfra::test
