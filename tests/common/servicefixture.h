#pragma once

#include "httpclient.h"

#include <QHash>
#include <QJsonObject>
#include <QLatin1StringView>
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
    /// The control port the service reported on its second line: only read when the environment
    /// has WSINFRA_CONTROL_TOKEN (start with `--control-port 0`); 0 otherwise.
    quint16 controlPort() const { return m_controlPort; }
    QString httpUrl(const QString &path) const;
    QString wsUrl(const QString &query = {}) const;
    /// The WebSocket URL with a fresh makeToken(userId) in the query.
    QString wsUrlFor(const QString &userId) const;
    /// The WebSocket URL with `token` in the query.
    QString wsUrlWithToken(const QByteArray &token) const;

    /// GET /api/stats with the API key (empty when it does not answer with JSON).
    QJsonObject stats() const;
    /// One field of stats() as an integer (-1 when missing).
    qint64 stat(QLatin1StringView field) const;
    /// GET /api/users/<userId> with the API key (empty when it does not answer with JSON).
    QJsonObject user(const QString &userId) const;
    /// Every sample of the Prometheus exposition at /metrics, by the text before the value
    /// (name and labels, as in `name{label="x"}`).
    QHash<QByteArray, double> metrics() const;
    /// The value of one unlabelled metric at /metrics (-1 when missing).
    double metric(const QByteArray &name) const;
    /// POST /api/bills/<billId>/updates with the API key.
    HttpResult publishBill(qint64 billId, const QByteArray &body) const;
    /// The same with `update` as compact JSON.
    HttpResult publishBill(qint64 billId, const QJsonObject &update) const;
    QString errorString() const { return m_error; }
    /// The service's resident memory now, read as the service reads its own (0 when unreadable).
    qint64 residentBytes() const;
    QByteArray standardError();
    QProcess &process() { return m_process; }
    /// Starts the service with this RLIMIT_NOFILE (call before start()).
    void setOpenFileLimit(int limit) { m_openFileLimit = limit; }
    /// CPU time (user + system) the service process has used so far, in milliseconds.
    qint64 cpuTimeMs() const;

    static QString binaryPath();
    /// The system environment with the test JWT secret and API key, and `extra` on top: what start()
    /// runs the binary with.
    static QProcessEnvironment testEnvironment(const QProcessEnvironment &extra = {});

private:
    QProcess m_process;
    quint16 m_port = 0;
    quint16 m_controlPort = 0;
    int m_openFileLimit = 0;
    QString m_error;
};

} // namespace wsinfra::test
