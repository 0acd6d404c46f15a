#include "redisserver.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>

#include <signal.h>

using namespace Qt::StringLiterals;

namespace wsinfra::test {

RedisServer::RedisServer() = default;

RedisServer::~RedisServer()
{
    // Continued first, so that a paused server cannot linger stopped should the kill fail.
    resume();
    kill();
}

QString RedisServer::executablePath()
{
    return QStandardPaths::findExecutable(u"redis-server"_s);
}

quint16 RedisServer::freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

QString RedisServer::url() const
{
    return (m_tlsCaFile.isEmpty() ? u"redis://127.0.0.1:%1"_s : u"rediss://127.0.0.1:%1"_s).arg(m_port);
}

void RedisServer::setTls(const QString &certificateFile, const QString &keyFile, const QString &caFile)
{
    m_tlsCertificateFile = certificateFile;
    m_tlsKeyFile = keyFile;
    m_tlsCaFile = caFile;
}

bool RedisServer::start(const QStringList &extraArgs, quint16 port)
{
    if (executablePath().isEmpty()) {
        m_error = u"redis-server is not installed (not found in PATH); the redis tests need it"_s;
        return false;
    }
    m_extraArgs = extraArgs;
    if (port != 0) {
        m_port = port;
        return launch();
    }
    // Another process may take the port between freePort() and redis' bind(): try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePort();
        if (m_port != 0 && launch())
            return true;
    }
    return false;
}

bool RedisServer::restart()
{
    kill();
    return launch();
}

bool RedisServer::launch()
{
    m_directory = std::make_unique<QTemporaryDir>();
    if (!m_directory->isValid()) {
        m_error = u"cannot create a temporary directory: "_s + m_directory->errorString();
        return false;
    }
    m_paused = false;
    m_process.setProgram(executablePath());
    QStringList listen{u"--port"_s, QString::number(m_port)};
    if (!m_tlsCaFile.isEmpty()) {
        listen = QStringList{u"--port"_s, u"0"_s, u"--tls-port"_s, QString::number(m_port)};
        listen << u"--tls-cert-file"_s << m_tlsCertificateFile << u"--tls-key-file"_s << m_tlsKeyFile
               << u"--tls-ca-cert-file"_s << m_tlsCaFile << u"--tls-auth-clients"_s << u"no"_s;
    }
    m_process.setArguments(listen +
                           QStringList{u"--bind"_s, u"127.0.0.1"_s, u"--save"_s, QString(), u"--appendonly"_s, u"no"_s,
                                       u"--dir"_s, m_directory->path(), u"--daemonize"_s, u"no"_s} +
                           m_extraArgs);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start();
    if (!m_process.waitForStarted(5000)) {
        m_error = u"cannot start redis-server: "_s + m_process.errorString();
        return false;
    }
    if (!waitUntilAnswering(10'000)) {
        const QString output = QString::fromLocal8Bit(m_process.readAll()).trimmed();
        m_error = u"redis-server on port %1 does not answer PING: %2"_s.arg(m_port).arg(output.right(500));
        kill();
        return false;
    }
    return true;
}

bool RedisServer::waitUntilAnswering(int timeoutMs)
{
    // Plain RESP over a plain socket (or Qt's TLS one): the helper must not depend on the client it helps
    // to test.
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process.state() == QProcess::NotRunning)
            return false;
        QSslSocket socket;
        bool connected = false;
        if (m_tlsCaFile.isEmpty()) {
            socket.connectToHost(QHostAddress::LocalHost, m_port);
            connected = socket.waitForConnected(200);
        } else {
            QSslConfiguration configuration = socket.sslConfiguration();
            configuration.setCaCertificates(QSslCertificate::fromPath(m_tlsCaFile));
            socket.setSslConfiguration(configuration);
            socket.connectToHostEncrypted(u"127.0.0.1"_s, m_port);
            connected = socket.waitForEncrypted(1000);
        }
        if (connected) {
            socket.write("*1\r\n$4\r\nPING\r\n");
            QByteArray answer;
            while (!answer.contains('\n') && socket.waitForReadyRead(500))
                answer += socket.readAll();
            // +PONG, or -NOAUTH when a password is required: either way the server is up.
            if (answer.startsWith('+') || answer.startsWith('-'))
                return true;
        }
        // Not up yet: wait a little, or until redis says something (it logs when it is ready).
        m_process.waitForReadyRead(20);
    }
    return false;
}

void RedisServer::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.kill();
    m_process.waitForFinished(5000);
    m_paused = false;
}

void RedisServer::pause()
{
    if (m_process.state() == QProcess::NotRunning || m_paused)
        return;
    ::kill(pid_t(m_process.processId()), SIGSTOP);
    m_paused = true;
}

void RedisServer::resume()
{
    if (m_process.state() == QProcess::NotRunning || !m_paused)
        return;
    ::kill(pid_t(m_process.processId()), SIGCONT);
    m_paused = false;
}

} // namespace wsinfra::test
