#include "servicefixture.h"

#include "auth/jwtverifier.h"
#include "memory/processmemory.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>

#include <sys/resource.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace wsinfra::test {

QByteArray makeToken(const QString &userId, qint64 lifetimeSeconds, const QJsonObject &extraClaims)
{
    QJsonObject claims = extraClaims;
    claims.insert(u"sub"_s, userId);
    claims.insert(u"exp"_s, QDateTime::currentSecsSinceEpoch() + lifetimeSeconds);
    return JwtVerifier::sign(claims, QByteArray(TestJwtSecret));
}

ServiceProcess::ServiceProcess() = default;

ServiceProcess::~ServiceProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString ServiceProcess::binaryPath()
{
    return QString::fromLocal8Bit(WSINFRA_SERVICE_BINARY);
}

QProcessEnvironment ServiceProcess::testEnvironment(const QProcessEnvironment &extra)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"JWT_SECRET"_s, QString::fromLatin1(TestJwtSecret));
    environment.insert(u"WSINFRA_API_KEY"_s, QString::fromLatin1(TestApiKey));
    const QStringList keys = extra.keys();
    for (const QString &key : keys)
        environment.insert(key, extra.value(key));
    return environment;
}

bool ServiceProcess::start(const QStringList &arguments, const QProcessEnvironment &extraEnvironment)
{
    m_process.setProcessEnvironment(testEnvironment(extraEnvironment));
    m_process.setProgram(binaryPath());
    if (m_openFileLimit > 0) {
        const rlim_t limit = rlim_t(m_openFileLimit);
        m_process.setChildProcessModifier([limit] {
            const rlimit files{limit, limit};
            ::setrlimit(RLIMIT_NOFILE, &files);
        });
    }
    m_process.setArguments(QStringList{u"--port"_s, u"0"_s, u"--bind"_s, u"127.0.0.1"_s} + arguments);
    m_process.start();
    if (!m_process.waitForStarted(10'000)) {
        m_error = u"cannot start %1: %2"_s.arg(binaryPath(), m_process.errorString());
        return false;
    }
    static const QRegularExpression listening(u"^listening on ([^\\s]+):(\\d+)$"_s);
    static const QRegularExpression control(u"^control on ([^\\s]+):(\\d+)$"_s);
    // With a control token the service also opens its control port and reports it on a second line.
    const bool expectControl = !m_process.processEnvironment().value(u"WSINFRA_CONTROL_TOKEN"_s).isEmpty();
    m_port = 0;
    m_controlPort = 0;
    const QDeadlineTimer deadline(20'000);
    while (!deadline.hasExpired()) {
        if (!m_process.canReadLine() && !m_process.waitForReadyRead(int(qMin<qint64>(deadline.remainingTime(), 500)))) {
            if (m_process.state() == QProcess::NotRunning)
                break;
            continue;
        }
        const QString line = QString::fromUtf8(m_process.readLine()).trimmed();
        if (const QRegularExpressionMatch match = listening.match(line); match.hasMatch())
            m_port = quint16(match.captured(2).toUInt());
        else if (const QRegularExpressionMatch match = control.match(line); match.hasMatch())
            m_controlPort = quint16(match.captured(2).toUInt());
        if (m_port != 0 && (!expectControl || m_controlPort != 0))
            return true;
    }
    m_error = u"service did not report its port; stderr: %1"_s.arg(QString::fromUtf8(m_process.readAllStandardError()));
    return false;
}

int ServiceProcess::terminate(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    m_process.terminate();
    if (!m_process.waitForFinished(timeoutMs)) {
        m_process.kill();
        m_process.waitForFinished(5000);
        return -1;
    }
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

QString ServiceProcess::httpUrl(const QString &path) const
{
    return u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path);
}

QString ServiceProcess::wsUrl(const QString &query) const
{
    return u"ws://127.0.0.1:%1/ws%2"_s.arg(m_port).arg(query.isEmpty() ? QString() : u'?' + query);
}

QString ServiceProcess::wsUrlFor(const QString &userId) const
{
    return wsUrlWithToken(makeToken(userId));
}

QString ServiceProcess::wsUrlWithToken(const QByteArray &token) const
{
    return wsUrl(u"token="_s + QString::fromLatin1(token));
}

QJsonObject ServiceProcess::stats() const
{
    return httpGet(httpUrl(u"/api/stats"_s), apiKeyHeaders()).json();
}

qint64 ServiceProcess::stat(QLatin1StringView field) const
{
    return stats().value(field).toInteger(-1);
}

QJsonObject ServiceProcess::user(const QString &userId) const
{
    return httpGet(httpUrl(u"/api/users/"_s + userId), apiKeyHeaders()).json();
}

QHash<QByteArray, double> ServiceProcess::metrics() const
{
    QHash<QByteArray, double> samples;
    const QList<QByteArray> lines = httpGet(httpUrl(u"/metrics"_s)).body.split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype space = line.indexOf(' ');
        // Comments (# HELP, # TYPE) and anything without a value are no samples.
        if (line.startsWith('#') || space <= 0)
            continue;
        samples.insert(line.first(space), line.mid(space + 1).toDouble());
    }
    return samples;
}

double ServiceProcess::metric(const QByteArray &name) const
{
    return metrics().value(name, -1);
}

HttpResult ServiceProcess::publishBill(qint64 billId, const QByteArray &body) const
{
    return httpPost(httpUrl(u"/api/bills/%1/updates"_s.arg(billId)), body, apiKeyHeaders());
}

HttpResult ServiceProcess::publishBill(qint64 billId, const QJsonObject &update) const
{
    return publishBill(billId, QJsonDocument(update).toJson(QJsonDocument::Compact));
}

qint64 ServiceProcess::cpuTimeMs() const
{
    QFile stat(u"/proc/%1/stat"_s.arg(m_process.processId()));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return -1;
    const qint64 ticks = fields.at(11).toLongLong() + fields.at(12).toLongLong();
    return ticks * 1000 / sysconf(_SC_CLK_TCK);
}

QByteArray ServiceProcess::standardError()
{
    return m_process.readAllStandardError();
}

qint64 ServiceProcess::residentBytes() const
{
    ProcessMemory::Paths paths;
    paths.statm = u"/proc/%1/statm"_s.arg(m_process.processId());
    return ProcessMemory(paths).residentBytes();
}

} // namespace wsinfra::test
