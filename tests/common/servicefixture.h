#pragma once

#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>

namespace wsinfra::test {

/// The secret every test service is started with, and tokens signed with it.
inline constexpr char TestJwtSecret[] = "integration-test-secret";
inline constexpr char TestApiKey[] = "integration-test-api-key";

/// An HS256 token for `userId`, valid for `lifetimeSeconds` (negative: already expired).
QByteArray makeToken(const QString &userId, qint64 lifetimeSeconds = 3600, const QJsonObject &extraClaims = {});

/// Starts the real wsinfra-service binary on a free loopback port and stops it at the end.
class ServiceProcess
{
public:
    ServiceProcess();
    ~ServiceProcess();

    /// Starts with `arguments` added to the test defaults (--port 0 --bind 127.0.0.1, the test
    /// secret and API key). Returns false, with the reason in errorString(), when it does not come up.
    bool start(const QStringList &arguments = {}, const QProcessEnvironment &extraEnvironment = {});
    /// Sends SIGTERM and waits for the exit; returns the exit code (-1 on crash or timeout).
    int terminate(int timeoutMs = 15'000);

    quint16 port() const { return m_port; }
    QString httpUrl(const QString &path) const;
    QString wsUrl(const QString &query = {}) const;
    QString errorString() const { return m_error; }
    QByteArray standardError();
    QProcess &process() { return m_process; }

    static QString binaryPath();

private:
    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace wsinfra::test
