// The service as a process: how it announces its port, how it shuts down on a signal, how it
// refuses bad configuration, the precedence of its configuration layers, --help and --version.

#include "core/serviceconfig.h"
#include "httpclient.h"
#include "processrun.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/types.h>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

/// What a service process that ran to its end left behind.
using Run = ProcessRun;

/// The test environment (ServiceProcess::testEnvironment) with `assignments` ("NAME=value") on top.
QProcessEnvironment testEnvironment(const QStringList &assignments = {})
{
    QProcessEnvironment extra;
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.indexOf(u'=');
        extra.insert(assignment.first(equals), assignment.mid(equals + 1));
    }
    return ServiceProcess::testEnvironment(extra);
}

/// Runs the binary to its end (killing it after `timeoutMs`). Unless `arguments` choose otherwise it
/// listens on a free loopback port, so a configuration that is wrongly accepted cannot collide.
Run runService(QStringList arguments, const QStringList &environment = {}, int timeoutMs = 10'000)
{
    if (!arguments.contains("--bind"_L1))
        arguments = QStringList{u"--bind"_s, u"127.0.0.1"_s} + arguments;
    if (!arguments.contains("--port"_L1))
        arguments = QStringList{u"--port"_s, u"0"_s} + arguments;
    return runToEnd(ServiceProcess::binaryPath(), arguments, testEnvironment(environment), timeoutMs);
}

} // namespace

class TestLifecycle : public QObject
{
    Q_OBJECT

private slots:
    void firstLineAnnouncesTheBoundPort();
    void sigtermDrainsClientsWithGoingAway();
    void sigintAlsoShutsDownGracefully();
    void shutdownWithoutClientsIsQuick();
    void badConfigurationIsRefused_data();
    void badConfigurationIsRefused();
    void portInUseIsRefused();
    void configurationLayersTakePrecedence_data();
    void configurationLayersTakePrecedence();
    void eventDispatcherFollowsConfiguration_data();
    void eventDispatcherFollowsConfiguration();
    void helpListsEveryOption();
    void versionIsPrinted();
    void sighupKeepsTheServiceRunning();

private:
    QTemporaryDir m_directory;
};

void TestLifecycle::firstLineAnnouncesTheBoundPort()
{
    QProcess process;
    process.setProcessEnvironment(testEnvironment());
    process.start(ServiceProcess::binaryPath(), {u"--port"_s, u"0"_s, u"--bind"_s, u"127.0.0.1"_s});
    QVERIFY(process.waitForStarted(10'000));
    QTRY_VERIFY_WITH_TIMEOUT(process.canReadLine() || process.state() == QProcess::NotRunning, 10'000);
    const QString firstLine = QString::fromUtf8(process.readLine()).trimmed();
    static const QRegularExpression announcement(u"^listening on 127\\.0\\.0\\.1:(\\d+)$"_s);
    const QRegularExpressionMatch match = announcement.match(firstLine);
    QVERIFY2(match.hasMatch(), qPrintable(u"first line: "_s + firstLine));
    const uint port = match.captured(1).toUInt();
    QVERIFY(port > 0 && port <= 65535);

    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, quint16(port));
    QVERIFY(socket.waitForConnected(5'000));
    socket.abort();
    // It is this service that answers there.
    const HttpResult health = httpGet(u"http://127.0.0.1:%1/health"_s.arg(port));
    QCOMPARE(health.status, 200);
    QVERIFY(health.json().contains("isHealthy"_L1));

    process.terminate();
    QVERIFY(process.waitForFinished(15'000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
}

void TestLifecycle::sigtermDrainsClientsWithGoingAway()
{
    ServiceProcess service;
    // A long drain budget: the shutdown must end because the clients are gone, not because time ran out.
    QVERIFY2(service.start({u"--shutdown-timeout"_s, u"60s"_s}), qPrintable(service.errorString()));
    WsClient first;
    WsClient second;
    QVERIFY(first.open(service.wsUrlFor(u"drain-one"_s)));
    QVERIFY(second.open(service.wsUrlFor(u"drain-two"_s)));
    QVERIFY(first.subscribe(10));
    QVERIFY(second.subscribe(11));

    // An idle keep-alive HTTP connection must not hold the shutdown up either.
    QTcpSocket idleHttp;
    idleHttp.connectToHost(u"127.0.0.1"_s, service.port());
    QVERIFY(idleHttp.waitForConnected(5'000));
    idleHttp.write("GET /health HTTP/1.1\r\nHost: t\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY((answer += idleHttp.readAll()).contains("isHealthy"));
    QVERIFY(answer.contains("Connection: keep-alive"));

    QElapsedTimer timer;
    timer.start();
    const int exitCode = service.terminate(20'000);
    const qint64 elapsed = timer.elapsed();
    QCOMPARE(exitCode, 0);
    QVERIFY2(elapsed < 10'000, qPrintable(u"shutdown took %1 ms"_s.arg(elapsed)));

    for (WsClient *client : {&first, &second}) {
        QVERIFY(client->waitClosed());
        QCOMPARE(client->closeCode(), 1001);
    }
    QTRY_COMPARE(idleHttp.state(), QAbstractSocket::UnconnectedState);
}

void TestLifecycle::sigintAlsoShutsDownGracefully()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--shutdown-timeout"_s, u"60s"_s}), qPrintable(service.errorString()));
    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"interrupted"_s)));
    QVERIFY(::kill(pid_t(service.process().processId()), SIGINT) == 0);
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), 1001);
    QTRY_COMPARE_WITH_TIMEOUT(service.process().state(), QProcess::NotRunning, 10'000);
    QCOMPARE(service.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(service.process().exitCode(), 0);
}

void TestLifecycle::shutdownWithoutClientsIsQuick()
{
    ServiceProcess service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(service.terminate(), 0);
    QVERIFY2(timer.elapsed() < 3'000, qPrintable(u"shutdown took %1 ms"_s.arg(timer.elapsed())));
}

void TestLifecycle::sighupKeepsTheServiceRunning()
{
    // `systemctl reload` sends SIGHUP: the default action would kill the daemon and its clients.
    ServiceProcess service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"hup"_s)));
    QCOMPARE(::kill(pid_t(service.process().processId()), SIGHUP), 0);
    QByteArray errors;
    QTRY_VERIFY2((errors += service.standardError()).contains("SIGHUP"), errors.constData());
    QCOMPARE(httpGet(service.httpUrl(u"/health"_s)).status, 200);
    client.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!client.waitFor(u"pong"_s).isEmpty());
    QVERIFY(client.isOpen());
    QCOMPARE(service.terminate(), 0);
}

void TestLifecycle::badConfigurationIsRefused_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QByteArray>("configFile"); // written to @CONFIG@ when not empty
    QTest::addColumn<QStringList>("mentions");  // what stderr must name

    const QStringList none;
    const QStringList withConfig{u"--config"_s, u"@CONFIG@"_s};
    QTest::newRow("--port 70000") << QStringList{u"--port"_s, u"70000"_s} << none << QByteArray()
                                  << QStringList{u"port"_s, u"70000"_s, u"65535"_s};
    QTest::newRow("--port abc") << QStringList{u"--port"_s, u"abc"_s} << none << QByteArray()
                                << QStringList{u"port"_s, u"abc"_s};
    QTest::newRow("WSINFRA_PORT=-1") << none << QStringList{u"WSINFRA_PORT=-1"_s} << QByteArray()
                                     << QStringList{u"WSINFRA_PORT"_s, u"-1"_s};
    QTest::newRow("WEBSOCKET_MAX_CONNECTIONS=abc")
        << none << QStringList{u"WEBSOCKET_MAX_CONNECTIONS=abc"_s} << QByteArray()
        << QStringList{u"WEBSOCKET_MAX_CONNECTIONS"_s, u"abc"_s, u"integer"_s};
    QTest::newRow("WEBSOCKET_MAX_CONNECTIONS=0") << none << QStringList{u"WEBSOCKET_MAX_CONNECTIONS=0"_s}
                                                 << QByteArray() << QStringList{u"WEBSOCKET_MAX_CONNECTIONS"_s};
    QTest::newRow("--heartbeat-interval 5parsecs")
        << QStringList{u"--heartbeat-interval"_s, u"5parsecs"_s} << none << QByteArray()
        << QStringList{u"heartbeat-interval"_s, u"5parsecs"_s};
    QTest::newRow("--bind 999.1.1.1") << QStringList{u"--bind"_s, u"999.1.1.1"_s} << none << QByteArray()
                                      << QStringList{u"bind"_s, u"999.1.1.1"_s};
    QTest::newRow("REDIS_URL=http://x") << none << QStringList{u"REDIS_URL=http://x"_s} << QByteArray()
                                        << QStringList{u"REDIS_URL"_s, u"http://x"_s};
    QTest::newRow("--config /nonexistent.json") << QStringList{u"--config"_s, u"/nonexistent.json"_s} << none
                                                << QByteArray() << QStringList{u"/nonexistent.json"_s};
    QTest::newRow("config file not JSON") << withConfig << none << "{\"port\": "_ba << QStringList{u"@CONFIG@"_s};
    QTest::newRow("config file an array") << withConfig << none << "[1, 2]"_ba << QStringList{u"@CONFIG@"_s};
    QTest::newRow("config file with unknown key")
        << withConfig << none << R"({"maxConnectionz": 5})"_ba << QStringList{u"maxConnectionz"_s, u"@CONFIG@"_s};
    QTest::newRow("config file with wrong type")
        << withConfig << none << R"({"port": "abc"})"_ba << QStringList{u"port"_s, u"abc"_s};
    // Every layer is checked, even one a higher layer overrides.
    QTest::newRow("overridden bad config value")
        << QStringList{u"--config"_s, u"@CONFIG@"_s, u"--max-connections"_s, u"10"_s} << none
        << R"({"maxConnections": -5})"_ba << QStringList{u"maxConnections"_s, u"-5"_s};
    QTest::newRow("MEMORY_WARNING_THRESHOLD=90 above critical 85")
        << none << QStringList{u"MEMORY_WARNING_THRESHOLD=90"_s} << QByteArray()
        << QStringList{u"MEMORY_WARNING_THRESHOLD"_s, u"90"_s, u"memoryCriticalThreshold"_s, u"85"_s};
    QTest::newRow("heartbeat not below connection timeout")
        << QStringList{u"--heartbeat-interval"_s, u"2m"_s} << none << QByteArray()
        << QStringList{u"heartbeatInterval"_s, u"connectionTimeout"_s};
    QTest::newRow("unknown flag") << QStringList{u"--no-such-flag"_s} << none << QByteArray()
                                  << QStringList{u"no-such-flag"_s};
}

void TestLifecycle::badConfigurationIsRefused()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QByteArray, configFile);
    QFETCH(QStringList, mentions);

    QVERIFY(m_directory.isValid());
    const QString configPath = m_directory.filePath(u"bad-config.json"_s);
    if (!configFile.isEmpty()) {
        QFile file(configPath);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(configFile);
    }
    arguments.replaceInStrings(u"@CONFIG@"_s, configPath);
    mentions.replaceInStrings(u"@CONFIG@"_s, configPath);

    const Run run = runService(arguments, environment);
    QVERIFY2(run.finished, "the service started although its configuration is bad");
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QVERIFY(run.exitCode != 0);
    QVERIFY2(!run.standardOutput.contains("listening"), run.standardOutput.constData());
    const QString error = QString::fromUtf8(run.standardError);
    for (const QString &mention : std::as_const(mentions))
        QVERIFY2(error.contains(mention), qPrintable(u"stderr does not name \"%1\": %2"_s.arg(mention, error)));
}

void TestLifecycle::portInUseIsRefused()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost));
    const QString port = QString::number(occupant.serverPort());
    const Run run = runService({u"--port"_s, port});
    QVERIFY(run.finished);
    QVERIFY(run.exitCode != 0);
    QVERIFY(!run.standardOutput.contains("listening"));
    QVERIFY2(QString::fromUtf8(run.standardError).contains(port), run.standardError.constData());
}

void TestLifecycle::configurationLayersTakePrecedence_data()
{
    QTest::addColumn<bool>("withFile");
    QTest::addColumn<bool>("withEnvironment");
    QTest::addColumn<bool>("withFlag");
    QTest::addColumn<qint64>("heartbeatInterval");
    QTest::newRow("file < env < flag") << true << true << true << qint64(3333);
    QTest::newRow("file < env") << true << true << false << qint64(2222);
    QTest::newRow("file") << true << false << false << qint64(1111);
    QTest::newRow("env < flag") << false << true << true << qint64(3333);
    QTest::newRow("default") << false << false << false << qint64(30'000);
}

void TestLifecycle::configurationLayersTakePrecedence()
{
    QFETCH(bool, withFile);
    QFETCH(bool, withEnvironment);
    QFETCH(bool, withFlag);
    QFETCH(qint64, heartbeatInterval);

    QVERIFY(m_directory.isValid());
    const QString configPath = m_directory.filePath(u"precedence.json"_s);
    {
        QFile file(configPath);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(R"({"heartbeatInterval": 1111})");
    }
    QStringList arguments;
    if (withFile)
        arguments << u"--config"_s << configPath;
    if (withFlag)
        arguments << u"--heartbeat-interval"_s << u"3333"_s;
    QProcessEnvironment environment;
    if (withEnvironment)
        environment.insert(u"WEBSOCKET_HEARTBEAT_INTERVAL"_s, u"2222"_s);

    ServiceProcess service;
    QVERIFY2(service.start(arguments, environment), qPrintable(service.errorString()));
    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"precedence"_s)));
    QCOMPARE(client.greeting().value("data"_L1).toObject().value("heartbeat_interval"_L1).toInteger(),
             heartbeatInterval);
    client.close();
    QVERIFY(client.waitClosed());
    QCOMPARE(service.terminate(), 0);
}

void TestLifecycle::eventDispatcherFollowsConfiguration_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("environment"); // WSINFRA_EVENT_DISPATCHER, empty: unset
    QTest::addColumn<QByteArray>("file");     // a config file's content, empty: none
    QTest::addColumn<QString>("expected");
    QTest::newRow("default") << QStringList() << QString() << QByteArray() << u"epoll"_s;
    QTest::newRow("env") << QStringList() << u"qt"_s << QByteArray() << u"qt"_s;
    QTest::newRow("flag over env") << QStringList{u"--event-dispatcher"_s, u"qt"_s} << u"epoll"_s << QByteArray()
                                   << u"qt"_s;
    QTest::newRow("file") << QStringList() << QString() << R"({"eventDispatcher": "qt"})"_ba << u"qt"_s;
    QTest::newRow("env over file") << QStringList() << u"epoll"_s << R"({"eventDispatcher": "qt"})"_ba << u"epoll"_s;
}

void TestLifecycle::eventDispatcherFollowsConfiguration()
{
    // The main thread's dispatcher is chosen before the application exists, the I/O threads' later from
    // the same configuration: "mixed" in the metrics would mean the two resolutions disagreed.
    QFETCH(QStringList, arguments);
    QFETCH(QString, environment);
    QFETCH(QByteArray, file);
    QFETCH(QString, expected);
    QVERIFY(m_directory.isValid());
    if (!file.isEmpty()) {
        const QString configPath = m_directory.filePath(u"dispatcher.json"_s);
        QFile config(configPath);
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(file);
        arguments << u"--config"_s << configPath;
    }
    QProcessEnvironment extra;
    if (!environment.isEmpty())
        extra.insert(u"WSINFRA_EVENT_DISPATCHER"_s, environment);
    ServiceProcess service;
    QVERIFY2(service.start(arguments, extra), qPrintable(service.errorString()));
    const QJsonObject metrics = httpGet(service.httpUrl(u"/api/metrics"_s), apiKeyHeaders()).json();
    QCOMPARE(metrics.value("performance"_L1).toObject().value("eventDispatcher"_L1).toString(), expected);
    QCOMPARE(service.metrics().value("wsinfra_event_dispatcher_info{dispatcher=\"" + expected.toLatin1() + "\"}"), 1.0);
    // And it serves clients.
    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"dispatcher"_s)));
    client.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!client.waitFor(u"pong"_s).isEmpty());
    client.close();
    QVERIFY(client.waitClosed());
    QCOMPARE(service.terminate(), 0);
}

void TestLifecycle::helpListsEveryOption()
{
    QProcess process;
    process.start(ServiceProcess::binaryPath(), {u"--help"_s});
    QVERIFY(process.waitForFinished(10'000));
    QCOMPARE(process.exitCode(), 0);
    const QString help = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY(help.contains("--config"_L1));
    const auto schema = wsinfra::ConfigLoader::schema();
    QVERIFY(schema.size() > 10);
    for (const wsinfra::ConfigOption &option : schema) {
        QVERIFY2(help.contains(QString(option.environment)), qPrintable(QString(option.environment)));
        if (!option.flag.isEmpty())
            QVERIFY2(help.contains(u"--"_s + option.flag), qPrintable(QString(option.flag)));
    }
    // The variables PROTOCOL.md names, whatever the schema says.
    for (const QString &name : {u"REDIS_URL"_s,
                                u"WEBSOCKET_MAX_CONNECTIONS"_s,
                                u"WEBSOCKET_HEARTBEAT_INTERVAL"_s,
                                u"WEBSOCKET_CONNECTION_TIMEOUT"_s,
                                u"MEMORY_WARNING_THRESHOLD"_s,
                                u"MEMORY_CRITICAL_THRESHOLD"_s,
                                u"MEMORY_EMERGENCY_THRESHOLD"_s,
                                u"MESSAGE_BATCH_SIZE"_s,
                                u"MESSAGE_BATCH_DELAY"_s,
                                u"DEDUPE_CACHE_SIZE"_s,
                                u"JWT_SECRET"_s,
                                u"WSINFRA_PORT"_s,
                                u"WSINFRA_BIND"_s,
                                u"WSINFRA_CONTROL_PORT"_s,
                                u"WSINFRA_API_KEY"_s,
                                u"WSINFRA_CONTROL_TOKEN"_s,
                                u"WSINFRA_MAX_CONNECTIONS_PER_IP"_s,
                                u"WSINFRA_MAX_CONNECTIONS_PER_USER"_s,
                                u"WSINFRA_IO_THREADS"_s,
                                u"WSINFRA_MEMORY_LIMIT"_s})
        QVERIFY2(help.contains(name), qPrintable(name));
}

void TestLifecycle::versionIsPrinted()
{
    QProcess process;
    process.start(ServiceProcess::binaryPath(), {u"--version"_s});
    QVERIFY(process.waitForFinished(10'000));
    QCOMPARE(process.exitCode(), 0);
    const QString version = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    static const QRegularExpression pattern(u"^wsinfra-service \\d+\\.\\d+\\.\\d+\\S*$"_s);
    QVERIFY2(pattern.match(version).hasMatch(), qPrintable(version));
}

QTEST_GUILESS_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"
