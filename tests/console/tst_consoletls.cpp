// The console against a real service whose control port speaks TLS (WSINFRA_CONTROL_TLS=true, a self-signed
// certificate made by openssl at test time): ControlClient, ConsoleSession and the window over wss with the
// CA file; an untrusted certificate or an unusable CA file as a final error, never ignored and never retried;
// plain ws against the TLS port and wss against a plain port as ordinary failures; and `wsinfra-console
// --export --tls --ca-cert` with its exit codes.

#include "consolesession.h"
#include "controlclient.h"
#include "processrun.h"
#include "recentservers.h"
#include "servicefixture.h"
#include "testcertificate.h"
#include "ui/mainwindow.h"

#include <QFile>
#include <QJsonDocument>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocketServer>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test;

namespace {

constexpr char ControlToken[] = "tls-control-token";
// For an export that reads the system's CA certificates: seconds under the sanitizers.
const QString SlowTimeout = u"60"_s;

/// The system environment without the console's own variables, then `extra` on top.
QProcessEnvironment consoleEnvironment(const QProcessEnvironment &extra = {})
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"WSINFRA_CONTROL_HOST", "WSINFRA_CONTROL_PORT", "WSINFRA_CONTROL_TOKEN",
                             "WSINFRA_CONTROL_TLS", "WSINFRA_CONSOLE_CA_CERT"})
        environment.remove(QString::fromLatin1(name));
    const QStringList keys = extra.keys();
    for (const QString &key : keys)
        environment.insert(key, extra.value(key));
    return environment;
}

ProcessRun runConsole(const QStringList &arguments, const QProcessEnvironment &extra = {})
{
    return runToEnd(QString::fromLocal8Bit(WSINFRA_CONSOLE_BINARY), arguments, consoleEnvironment(extra), 90'000);
}

QString describe(const ProcessRun &run)
{
    return u"exit %1 after %2 ms; stderr: %3"_s.arg(run.exitCode)
        .arg(run.elapsedMs)
        .arg(QString::fromUtf8(run.standardError));
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object() : QJsonObject();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

/// Retries soon, so that a retry that should not happen would show within the test's short wait.
ControlClient::Settings eagerSettings()
{
    ControlClient::Settings settings;
    settings.retryFirstConnection = true;
    settings.initialBackoffMs = 50;
    settings.maxBackoffMs = 100;
    return settings;
}

} // namespace

class TestConsoleTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void wssWithTheCaFileGetsTheSnapshot();
    void sessionAndWindowOverTls();
    void untrustedCertificateIsFinal_data();
    void untrustedCertificateIsFinal();
    void unusableCaFileIsFinal_data();
    void unusableCaFileIsFinal();
    void windowShowsARejectedCertificate();
    void plainWsToTheTlsPortFailsCleanly();
    void wssToAPlainPortIsNoCertificateProblem();
    void exportOverTls();
    void exportOverTlsFromTheEnvironment();
    void exportWithoutTheCaFails();
    void exportPlainToTheTlsPortFails();
    void helpListsTheTlsOptions();
    void exportBadTlsArguments_data();
    void exportBadTlsArguments();

private:
    ControlClient::Tls trusted() const { return {true, m_certificate.certificateFile}; }
    QStringList connectArguments() const
    {
        return {u"--host"_s,  u"127.0.0.1"_s,
                u"--port"_s,  QString::number(m_service.controlPort()),
                u"--token"_s, QString::fromLatin1(ControlToken)};
    }

    QTemporaryDir m_dir;
    TestCertificate m_certificate; ///< the service's
    TestCertificate m_other;       ///< another self-signed certificate, as a CA that did not sign the service's
    ServiceProcess m_service;
};

void TestConsoleTls::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_certificate = TestCertificate::make(m_dir.path(), u"service"_s, u"wsinfra-console-test"_s);
    m_other = TestCertificate::make(m_dir.path(), u"other"_s, u"wsinfra-console-test-other"_s);
    QVERIFY(!m_certificate.certificate.isNull());
    QVERIFY(!m_other.certificate.isNull());
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_TLS_CERT"_s, m_certificate.certificateFile);
    environment.insert(u"WSINFRA_TLS_KEY"_s, m_certificate.keyFile);
    environment.insert(u"WSINFRA_CONTROL_TLS"_s, u"true"_s);
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, QString::fromLatin1(ControlToken));
    QVERIFY2(m_service.start({u"--control-port"_s, u"0"_s, u"--control-interval"_s, u"100ms"_s}, environment),
             qPrintable(m_service.errorString()));
    QVERIFY(m_service.controlPort() != 0);
}

void TestConsoleTls::cleanupTestCase()
{
    QCOMPARE(m_service.terminate(), 0);
}

void TestConsoleTls::wssWithTheCaFileGetsTheSnapshot()
{
    ControlClient client;
    QSignalSpy welcomed(&client, &ControlClient::welcomed);
    QSignalSpy snapshots(&client, &ControlClient::snapshotReceived);
    QSignalSpy rejected(&client, &ControlClient::certificateRejected);
    client.connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken), trusted());
    QCOMPARE(client.url().scheme(), u"wss"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty(), 10'000);
    QCOMPARE(welcomed.size(), 1);
    QVERIFY(client.session().startsWith(u"c-"_s));
    const QJsonObject snapshot = snapshots.first().first().toJsonObject();
    QCOMPARE(snapshot.value("type"_L1).toString(), u"snapshot"_s);
    QVERIFY(snapshot.value("stats"_L1).isObject());
    QCOMPARE(client.state(), ControlClient::State::Live);
    QCOMPARE(rejected.size(), 0);

    // The host name is checked too: "localhost" is in the certificate as well.
    ControlClient byName;
    QSignalSpy byNameSnapshots(&byName, &ControlClient::snapshotReceived);
    byName.connectToService(u"localhost"_s, m_service.controlPort(), QString::fromLatin1(ControlToken), trusted());
    QTRY_VERIFY_WITH_TIMEOUT(!byNameSnapshots.isEmpty(), 10'000);
    client.disconnectFromService();
    QTRY_COMPARE(client.state(), ControlClient::State::Disconnected);
}

void TestConsoleTls::sessionAndWindowOverTls()
{
    ConsoleSession session;
    QSettings settings(m_dir.filePath(u"window.ini"_s), QSettings::IniFormat);
    MainWindow window(&session, &settings);
    RecentServers::Server server;
    server.host = u"127.0.0.1"_s;
    server.port = m_service.controlPort();
    server.token = QString::fromLatin1(ControlToken);
    server.tls = true;
    server.caCertificateFile = m_certificate.certificateFile;
    window.connectTo(server);
    QTRY_COMPARE_WITH_TIMEOUT(window.connectionStatusText(), u"Live"_s, 10'000);
    QTRY_VERIFY(session.state().hasSnapshot());
    QCOMPARE(session.client().url().scheme(), u"wss"_s);
    // Remembered with its TLS settings, which are no secret; the token is not (not asked to be).
    const QList<RecentServers::Server> recent = RecentServers(&settings).load();
    QCOMPARE(recent.size(), 1);
    QVERIFY(recent.constFirst().tls);
    QCOMPARE(recent.constFirst().caCertificateFile, m_certificate.certificateFile);
    QVERIFY(recent.constFirst().token.isEmpty());
}

void TestConsoleTls::untrustedCertificateIsFinal_data()
{
    QTest::addColumn<QString>("caFile");
    QTest::newRow("system CAs only") << QString();
    QTest::newRow("another CA") << m_other.certificateFile;
}

void TestConsoleTls::untrustedCertificateIsFinal()
{
    QFETCH(QString, caFile);
    ControlClient client(eagerSettings());
    QSignalSpy rejected(&client, &ControlClient::certificateRejected);
    QSignalSpy failed(&client, &ControlClient::connectionFailed);
    QSignalSpy welcomed(&client, &ControlClient::welcomed);
    QSignalSpy retries(&client, &ControlClient::reconnectScheduled);
    client.connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken),
                            ControlClient::Tls{true, caFile});
    QVERIFY(rejected.wait(10'000));
    const QString reason = rejected.first().first().toString();
    QVERIFY2(reason.contains(u"the service's certificate is not trusted"_s), qPrintable(reason));
    QVERIFY2(reason.contains(QString::number(m_service.controlPort())), qPrintable(reason));
    QCOMPARE(client.errorString(), reason);
    QCOMPARE(client.state(), ControlClient::State::Disconnected);
    QVERIFY(client.session().isEmpty());
    // Final, although the client was told to retry a failed first attempt: no second try comes.
    QTest::qWait(500);
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(retries.size(), 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(welcomed.size(), 0);
    QCOMPARE(client.state(), ControlClient::State::Disconnected);
}

void TestConsoleTls::unusableCaFileIsFinal_data()
{
    QTest::addColumn<QString>("caFile");
    QTest::addColumn<QString>("message");
    const QString garbage = m_dir.filePath(u"garbage.pem"_s);
    QVERIFY(writeFile(garbage, "not a certificate\n"));
    const QString empty = m_dir.filePath(u"empty.pem"_s);
    QVERIFY(writeFile(empty, {}));
    const QString broken = m_dir.filePath(u"broken.pem"_s);
    QVERIFY(writeFile(broken, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
    QTest::newRow("missing") << m_dir.filePath(u"nope.pem"_s) << u"cannot read the CA certificate file"_s;
    QTest::newRow("directory") << m_dir.path() << u"CA certificate file"_s;
    QTest::newRow("not PEM") << garbage << u"holds no PEM certificate"_s;
    QTest::newRow("empty") << empty << u"holds no PEM certificate"_s;
    QTest::newRow("broken PEM") << broken << u"holds no PEM certificate"_s;
    QTest::newRow("a key, not a certificate") << m_certificate.keyFile << u"holds no PEM certificate"_s;
}

void TestConsoleTls::unusableCaFileIsFinal()
{
    QFETCH(QString, caFile);
    QFETCH(QString, message);
    QVERIFY(!ControlClient::loadCaCertificates(caFile));
    ControlClient client(eagerSettings());
    QSignalSpy rejected(&client, &ControlClient::certificateRejected);
    QSignalSpy retries(&client, &ControlClient::reconnectScheduled);
    QSignalSpy welcomed(&client, &ControlClient::welcomed);
    client.connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken),
                            ControlClient::Tls{true, caFile});
    QVERIFY(rejected.wait(5'000));
    const QString reason = rejected.first().first().toString();
    QVERIFY2(reason.contains(message), qPrintable(reason));
    QVERIFY2(reason.contains(caFile), qPrintable(reason));
    QTest::qWait(300);
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(retries.size(), 0);
    QCOMPARE(welcomed.size(), 0);
    QCOMPARE(client.state(), ControlClient::State::Disconnected);
}

void TestConsoleTls::windowShowsARejectedCertificate()
{
    ConsoleSession session;
    QSettings settings(m_dir.filePath(u"rejected.ini"_s), QSettings::IniFormat);
    MainWindow window(&session, &settings);
    RecentServers::Server server;
    server.host = u"127.0.0.1"_s;
    server.port = m_service.controlPort();
    server.token = QString::fromLatin1(ControlToken);
    server.tls = true;
    server.caCertificateFile = m_other.certificateFile;
    QSignalSpy rejected(&session.client(), &ControlClient::certificateRejected);
    window.connectTo(server);
    QVERIFY(rejected.wait(10'000));
    // The window's session retries failed first attempts; not this one, and the label says why.
    QTRY_VERIFY(window.connectionStatusText().contains(u"certificate not trusted"_s));
    QTest::qWait(300);
    QCOMPARE(session.connectionState(), ControlClient::State::Disconnected);
    QVERIFY(!session.state().hasSnapshot());
}

void TestConsoleTls::plainWsToTheTlsPortFailsCleanly()
{
    ControlClient::Settings settings;
    settings.welcomeTimeoutMs = 20'000; // the server's end, not this, must end the attempt
    ControlClient client(settings);
    QSignalSpy failed(&client, &ControlClient::connectionFailed);
    QSignalSpy rejected(&client, &ControlClient::certificateRejected);
    QSignalSpy welcomed(&client, &ControlClient::welcomed);
    client.connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken));
    QCOMPARE(client.url().scheme(), u"ws"_s);
    QVERIFY(failed.wait(15'000));
    QVERIFY2(client.errorString().contains(u"if the control port speaks TLS"_s), qPrintable(client.errorString()));
    QCOMPARE(welcomed.size(), 0);
    QCOMPARE(rejected.size(), 0);
    QCOMPARE(client.state(), ControlClient::State::Disconnected);
}

void TestConsoleTls::wssToAPlainPortIsNoCertificateProblem()
{
    QWebSocketServer plain(u"plain"_s, QWebSocketServer::NonSecureMode);
    QVERIFY(plain.listen(QHostAddress::LocalHost, 0));
    ControlClient::Settings settings;
    settings.welcomeTimeoutMs = 1'000; // the plain server waits for the rest of a request that never comes
    ControlClient client(settings);
    QSignalSpy failed(&client, &ControlClient::connectionFailed);
    QSignalSpy rejected(&client, &ControlClient::certificateRejected);
    client.connectToService(u"127.0.0.1"_s, plain.serverPort(), QString::fromLatin1(ControlToken), trusted());
    QVERIFY(failed.wait(15'000));
    QVERIFY2(client.errorString().contains(u"does the control port speak TLS"_s), qPrintable(client.errorString()));
    QCOMPARE(rejected.size(), 0);
    QCOMPARE(client.state(), ControlClient::State::Disconnected);
}

void TestConsoleTls::exportOverTls()
{
    const QString path = m_dir.filePath(u"flags.json"_s);
    const ProcessRun run =
        runConsole(connectArguments() + QStringList{u"--tls"_s, u"--ca-cert"_s, m_certificate.certificateFile,
                                                    u"--export"_s, path, u"--timeout"_s, SlowTimeout});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY2(run.standardError.isEmpty(), run.standardError.constData());
    const QJsonObject json = readJson(path);
    QVERIFY(json.value("seq"_L1).toInteger() >= 1);
    QCOMPARE(json.value("health"_L1).toObject().value("status"_L1).toString(), u"healthy"_s);
}

void TestConsoleTls::exportOverTlsFromTheEnvironment()
{
    const QString path = m_dir.filePath(u"environment.json"_s);
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_CONTROL_PORT"_s, QString::number(m_service.controlPort()));
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, QString::fromLatin1(ControlToken));
    environment.insert(u"WSINFRA_CONTROL_TLS"_s, u"Yes"_s);
    environment.insert(u"WSINFRA_CONSOLE_CA_CERT"_s, m_certificate.certificateFile);
    const ProcessRun run = runConsole({u"--export"_s, path, u"--timeout"_s, SlowTimeout}, environment);
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY(readJson(path).value("seq"_L1).toInteger() >= 1);
}

void TestConsoleTls::exportWithoutTheCaFails()
{
    const QString path = m_dir.filePath(u"untrusted.json"_s);
    const ProcessRun run = runConsole(connectArguments() + QStringList{u"--tls"_s, u"--export"_s, path});
    QVERIFY2(run.finished && run.exitCode == 4, qPrintable(describe(run)));
    QVERIFY2(run.standardError.contains("the service's certificate is not trusted"), qPrintable(describe(run)));
    QVERIFY(!QFile::exists(path));
}

void TestConsoleTls::exportPlainToTheTlsPortFails()
{
    const QString path = m_dir.filePath(u"plain.json"_s);
    const ProcessRun run = runConsole(connectArguments() + QStringList{u"--export"_s, path, u"--timeout"_s, u"10"_s});
    QVERIFY2(run.finished && run.exitCode == 4, qPrintable(describe(run)));
    QVERIFY2(run.standardError.contains("cannot reach the service's control port"), qPrintable(describe(run)));
    QVERIFY(!QFile::exists(path));
}

void TestConsoleTls::helpListsTheTlsOptions()
{
    const ProcessRun run = runConsole({u"--help"_s});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(describe(run)));
    const QString help = QString::fromUtf8(run.standardOutput);
    for (const char *expected :
         {"--tls", "--ca-cert <file>", "WSINFRA_CONTROL_TLS", "WSINFRA_CONSOLE_CA_CERT", "a certificate not trusted"})
        QVERIFY2(help.contains(QLatin1StringView(expected)), expected);
}

void TestConsoleTls::exportBadTlsArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("tlsVariable");
    QTest::addColumn<QString>("message");
    const QString garbage = m_dir.filePath(u"garbage-ca.pem"_s);
    QVERIFY(writeFile(garbage, "garbage\n"));
    QTest::newRow("CA without TLS") << QStringList{u"--ca-cert"_s, m_certificate.certificateFile} << QString()
                                    << u"--ca-cert needs --tls"_s;
    QTest::newRow("CA with TLS off") << QStringList{u"--ca-cert"_s, m_certificate.certificateFile} << u"off"_s
                                     << u"--ca-cert needs --tls"_s;
    QTest::newRow("missing CA file") << QStringList{u"--tls"_s, u"--ca-cert"_s, m_dir.filePath(u"nope.pem"_s)}
                                     << QString() << u"cannot read the CA certificate file"_s;
    QTest::newRow("CA file not PEM") << QStringList{u"--tls"_s, u"--ca-cert"_s, garbage} << QString()
                                     << u"holds no PEM certificate"_s;
    QTest::newRow("TLS variable not a boolean") << QStringList() << u"maybe"_s << u"WSINFRA_CONTROL_TLS must be"_s;
}

void TestConsoleTls::exportBadTlsArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, tlsVariable);
    QFETCH(QString, message);
    QProcessEnvironment environment;
    if (!tlsVariable.isEmpty())
        environment.insert(u"WSINFRA_CONTROL_TLS"_s, tlsVariable);
    const QString path = m_dir.filePath(u"bad.json"_s);
    const ProcessRun run = runConsole(connectArguments() + arguments + QStringList{u"--export"_s, path}, environment);
    QVERIFY2(run.finished && run.exitCode == 2, qPrintable(describe(run)));
    QVERIFY2(QString::fromUtf8(run.standardError).contains(message), qPrintable(describe(run)));
    QVERIFY(!QFile::exists(path));
}

QTEST_MAIN(TestConsoleTls)
#include "tst_consoletls.moc"
