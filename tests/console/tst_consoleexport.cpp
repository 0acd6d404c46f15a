// The console against the real service: `wsinfra-console --export` writes what a connected, subscribed
// client looks like from the control port, with the exit codes of docs/console.md; and ControlClient,
// fed into a ConsoleState, follows a client leaving.

#include "consolestate.h"
#include "controlclient.h"
#include "processrun.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test;

namespace {

constexpr char ControlToken[] = "t";
constexpr qint64 BillId = 7;

/// What a console process that ran to its end left behind.
using Run = ProcessRun;

/// The system environment without the console's own variables, then `extra` on top.
QProcessEnvironment consoleEnvironment(const QProcessEnvironment &extra = {})
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"WSINFRA_CONTROL_HOST", "WSINFRA_CONTROL_PORT", "WSINFRA_CONTROL_TOKEN"})
        environment.remove(QString::fromLatin1(name));
    const QStringList keys = extra.keys();
    for (const QString &key : keys)
        environment.insert(key, extra.value(key));
    return environment;
}

Run runConsole(const QStringList &arguments, const QProcessEnvironment &extra = {}, int timeoutMs = 30'000)
{
    return runToEnd(QString::fromLocal8Bit(WSINFRA_CONSOLE_BINARY), arguments, consoleEnvironment(extra), timeoutMs);
}

QString describe(const Run &run)
{
    return u"exit %1 after %2 ms; stderr: %3"_s.arg(run.exitCode)
        .arg(run.elapsedMs)
        .arg(QString::fromUtf8(run.standardError));
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A loopback port nothing listens on (it was just in use and is closed again).
quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

QJsonObject rowOfUser(const QJsonArray &rows, const QString &user)
{
    for (const QJsonValue &row : rows) {
        if (row.toObject().value("user"_L1).toString() == user)
            return row.toObject();
    }
    return {};
}

} // namespace

class TestConsoleExport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void exportJson();
    void exportCsv();
    void settingsFromTheEnvironment();
    void flagsOverrideTheEnvironment();
    void wrongTokenIsRefused();
    void nothingListening();
    void noAnswerTimesOut();
    void badArguments_data();
    void badArguments();
    void cannotWrite();
    void helpListsTheExitCodes();
    void controlClientFollowsAClientLeaving();

private:
    QStringList connectArguments(const QString &token = QString::fromLatin1(ControlToken)) const
    {
        return {u"--host"_s,  u"127.0.0.1"_s, u"--port"_s, QString::number(m_service.controlPort()),
                u"--token"_s, token};
    }

    ServiceProcess m_service;
    WsClient m_amy;
    QTemporaryDir m_dir;
};

void TestConsoleExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, QString::fromLatin1(ControlToken));
    QVERIFY2(m_service.start({u"--control-port"_s, u"0"_s, u"--control-interval"_s, u"100ms"_s}, environment),
             qPrintable(m_service.errorString()));
    QVERIFY(m_service.controlPort() != 0);
    QVERIFY(m_amy.open(m_service.wsUrlFor(u"amy"_s)));
    QVERIFY(m_amy.subscribe(BillId));
}

void TestConsoleExport::cleanupTestCase()
{
    m_amy.close();
    QCOMPARE(m_service.terminate(), 0);
}

void TestConsoleExport::exportJson()
{
    const QString path = m_dir.filePath(u"x.json"_s);
    const Run run = runConsole(connectArguments() + QStringList{u"--export"_s, path});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY2(run.standardError.isEmpty(), run.standardError.constData());

    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(readAll(path), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(json.value("seq"_L1).toInteger() >= 1);
    QVERIFY(json.value("stats"_L1).toObject().value("activeConnections"_L1).toInteger() >= 1);
    QCOMPARE(json.value("health"_L1).toObject().value("status"_L1).toString(), u"healthy"_s);
    QVERIFY(json.value("metrics"_L1).toObject().contains("memory"_L1));

    const QJsonObject amy = rowOfUser(json.value("connections"_L1).toArray(), u"amy"_s);
    QVERIFY2(!amy.isEmpty(), QJsonDocument(json.value("connections"_L1).toArray()).toJson().constData());
    QVERIFY(!amy.value("id"_L1).toString().isEmpty());
    QCOMPARE(amy.value("transport"_L1).toString(), u"websocket"_s);
    QCOMPARE(amy.value("bills"_L1).toArray(), QJsonArray{BillId});

    QCOMPARE(json.value("subscriptions"_L1).toArray(),
             (QJsonArray{QJsonObject{{u"bill_id"_s, BillId}, {u"users"_s, QJsonArray{u"amy"_s}}}}));
    const QJsonArray series = json.value("series"_L1).toArray();
    QCOMPARE(series.size(), 1);
    QVERIFY(series.at(0).toObject().value("rss_bytes"_L1).toInteger() > 0);
    QVERIFY(series.at(0).toObject().value("connections"_L1).toInteger() >= 1);
    // The service's event log says a console came.
    bool consoleEvent = false;
    for (const QJsonValue &event : json.value("events"_L1).toArray())
        consoleEvent = consoleEvent || event.toObject().value("message"_L1).toString().contains("wsinfra-console"_L1);
    QVERIFY(consoleEvent);
}

void TestConsoleExport::exportCsv()
{
    const QString path = m_dir.filePath(u"x.csv"_s);
    const Run run = runConsole(connectArguments() + QStringList{u"--export"_s, path});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(describe(run)));

    const QByteArray csv = readAll(path);
    const QList<QByteArray> lines = csv.split('\n');
    QStringList titles;
    for (const QByteArray &line : lines) {
        if (line.startsWith("# "))
            titles.append(QString::fromUtf8(line.trimmed()));
    }
    QCOMPARE(titles, (QStringList{u"# series"_s, u"# connections"_s, u"# subscriptions"_s, u"# stats"_s}));
    QVERIFY(csv.contains(QByteArray("\r\n" + QByteArray::number(BillId) + ",1,amy\r\n")));
    QVERIFY(csv.contains(",amy,127.0.0.1,websocket,"));
    QVERIFY(csv.contains("\r\nactiveConnections,"));
}

void TestConsoleExport::settingsFromTheEnvironment()
{
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_CONTROL_HOST"_s, u"127.0.0.1"_s);
    environment.insert(u"WSINFRA_CONTROL_PORT"_s, QString::number(m_service.controlPort()));
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, QString::fromLatin1(ControlToken));
    const QString path = m_dir.filePath(u"env.json"_s);
    const Run run = runConsole({u"--export"_s, path}, environment);
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY(QJsonDocument::fromJson(readAll(path)).object().contains("stats"_L1));
}

void TestConsoleExport::flagsOverrideTheEnvironment()
{
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_CONTROL_PORT"_s, QString::number(closedPort()));
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, u"wrong"_s);
    const QString path = m_dir.filePath(u"flags.json"_s);
    const Run run = runConsole(connectArguments() + QStringList{u"--export"_s, path}, environment);
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY(QFile::exists(path));
}

void TestConsoleExport::wrongTokenIsRefused()
{
    const QString path = m_dir.filePath(u"refused.json"_s);
    const Run run = runConsole(connectArguments(u"not-the-token"_s) + QStringList{u"--export"_s, path});
    QVERIFY2(run.finished && run.exitCode == 3, qPrintable(describe(run)));
    QCOMPARE(run.standardError,
             QByteArray("wsinfra-console: the service refused the console: invalid_token: wrong control token\n"));
    QVERIFY(!QFile::exists(path));
}

void TestConsoleExport::nothingListening()
{
    const quint16 port = closedPort();
    QVERIFY(port != 0);
    const QString path = m_dir.filePath(u"unreachable.json"_s);
    const Run run = runConsole({u"--port"_s, QString::number(port), u"--token"_s, u"t"_s, u"--export"_s, path});
    QVERIFY2(run.finished && run.exitCode == 4, qPrintable(describe(run)));
    QVERIFY2(run.standardError.startsWith("wsinfra-console: cannot reach the service's control port: "),
             run.standardError.constData());
    QVERIFY(run.standardError.contains(QByteArray::number(port)));
    QVERIFY(!QFile::exists(path));
}

void TestConsoleExport::noAnswerTimesOut()
{
    // A port that accepts and then says nothing: no WebSocket upgrade, no welcome.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket *> accepted;
    connect(&silent, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = silent.nextPendingConnection())
            accepted.append(socket);
    });
    QProcess process;
    process.setProcessEnvironment(consoleEnvironment());
    const QString path = m_dir.filePath(u"silent.json"_s);
    QElapsedTimer elapsed;
    elapsed.start();
    process.start(QString::fromLocal8Bit(WSINFRA_CONSOLE_BINARY),
                  {u"--port"_s, QString::number(silent.serverPort()), u"--token"_s, u"t"_s, u"--timeout"_s, u"0.5"_s,
                   u"--export"_s, path});
    // The event loop runs while waiting, so that the silent server accepts.
    QTRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, 15'000);
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 4);
    QVERIFY(elapsed.elapsed() >= 400);
    QVERIFY(elapsed.elapsed() < 10'000);
    const QByteArray error = process.readAllStandardError();
    QVERIFY2(error.startsWith("wsinfra-console: no snapshot from ws://127.0.0.1:"), error.constData());
    QVERIFY(error.contains("within 0.5 s"));
    QCOMPARE(accepted.size(), 1);
    QVERIFY(!QFile::exists(path));
}

void TestConsoleExport::badArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    const QString port = u"1"_s; // never contacted
    const QStringList base{u"--port"_s, port, u"--token"_s, u"t"_s};
    QTest::newRow("bad extension") << base + QStringList{u"--export"_s, u"x.txt"_s} << u"unknown extension"_s;
    QTest::newRow("no extension") << base + QStringList{u"--export"_s, u"x"_s} << u"unknown extension"_s;
    // Without --export the window opens (offscreen here), but a bad option of its own is refused first.
    QTest::newRow("window, bad screenshot delay")
        << base + QStringList{u"--screenshot-delay"_s, u"soon"_s} << u"--screenshot-delay must be"_s;
    QTest::newRow("no token") << QStringList{u"--port"_s, port, u"--export"_s, u"x.json"_s} << u"no control token"_s;
    QTest::newRow("empty token") << QStringList{u"--port"_s, port, u"--token"_s, QString(), u"--export"_s, u"x.json"_s}
                                 << u"no control token"_s;
    QTest::newRow("port zero") << QStringList{u"--port"_s, u"0"_s, u"--token"_s, u"t"_s, u"--export"_s, u"x.json"_s}
                               << u"--port must be a port"_s;
    QTest::newRow("port too big") << QStringList{u"--port"_s, u"65536"_s,    u"--token"_s,
                                                 u"t"_s,      u"--export"_s, u"x.json"_s}
                                  << u"--port must be a port"_s;
    QTest::newRow("port not a number") << QStringList{u"--port"_s, u"http"_s,     u"--token"_s,
                                                      u"t"_s,      u"--export"_s, u"x.json"_s}
                                       << u"--port must be a port"_s;
    QTest::newRow("port negative") << QStringList{u"--port"_s, u"-1"_s,       u"--token"_s,
                                                  u"t"_s,      u"--export"_s, u"x.json"_s}
                                   << u"--port must be a port"_s;
    QTest::newRow("host empty") << QStringList{u"--host"_s,  QString(), u"--port"_s,   port,
                                               u"--token"_s, u"t"_s,    u"--export"_s, u"x.json"_s}
                                << u"--host must be a host name or address"_s;
    QTest::newRow("host not a host") << QStringList{u"--host"_s,  u"a b/c"_s, u"--port"_s,   port,
                                                    u"--token"_s, u"t"_s,     u"--export"_s, u"x.json"_s}
                                     << u"--host must be a host name or address"_s;
    QTest::newRow("timeout zero") << base + QStringList{u"--timeout"_s, u"0"_s, u"--export"_s, u"x.json"_s}
                                  << u"--timeout must be"_s;
    QTest::newRow("timeout negative") << base + QStringList{u"--timeout"_s, u"-3"_s, u"--export"_s, u"x.json"_s}
                                      << u"--timeout must be"_s;
    QTest::newRow("timeout not a number")
        << base + QStringList{u"--timeout"_s, u"soon"_s, u"--export"_s, u"x.json"_s} << u"--timeout must be"_s;
    QTest::newRow("timeout NaN") << base + QStringList{u"--timeout"_s, u"nan"_s, u"--export"_s, u"x.json"_s}
                                 << u"--timeout must be"_s;
    QTest::newRow("timeout a year") << base + QStringList{u"--timeout"_s, u"31536000"_s, u"--export"_s, u"x.json"_s}
                                    << u"--timeout must be"_s;
    QTest::newRow("unknown option") << base + QStringList{u"--colour"_s} << u"Unknown option 'colour'"_s;
    QTest::newRow("option without its value") << QStringList{u"--port"_s} << u"Missing value after '--port'"_s;
    QTest::newRow("a stray argument") << base + QStringList{u"--export"_s, u"x.json"_s, u"extra"_s}
                                      << u"unexpected argument \"extra\""_s;
}

void TestConsoleExport::badArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);

    QProcessEnvironment environment;
    // The variables must not stand in for what a row leaves out, nor break what it passes.
    const Run run = runConsole(arguments, environment, 10'000);
    QVERIFY2(run.finished && run.exitCode == 2, qPrintable(describe(run)));
    QVERIFY2(run.standardError.startsWith("wsinfra-console: "), run.standardError.constData());
    QVERIFY2(QString::fromUtf8(run.standardError).contains(message), run.standardError.constData());
    // Refused before connecting: quickly.
    QVERIFY2(run.elapsedMs < 5'000, qPrintable(describe(run)));
}

void TestConsoleExport::cannotWrite()
{
    const QString path = m_dir.filePath(u"missing/x.json"_s);
    const Run run = runConsole(connectArguments() + QStringList{u"--export"_s, path});
    QVERIFY2(run.finished && run.exitCode == 5, qPrintable(describe(run)));
    QVERIFY2(run.standardError.startsWith(QByteArray("wsinfra-console: cannot write " + path.toUtf8() + ": ")),
             run.standardError.constData());
}

void TestConsoleExport::helpListsTheExitCodes()
{
    const Run run = runConsole({u"--help"_s});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(describe(run)));
    const QString help = QString::fromUtf8(run.standardOutput);
    for (const char *expected : {"--host", "--port", "--token", "--export", "--timeout", "WSINFRA_CONTROL_TOKEN",
                                 "Exit codes", "  0  ", "  2  ", "  3  ", "  4  ", "  5  "})
        QVERIFY2(help.contains(QLatin1StringView(expected)), expected);
}

void TestConsoleExport::controlClientFollowsAClientLeaving()
{
    WsClient bob;
    QVERIFY(bob.open(m_service.wsUrlFor(u"bob"_s)));
    QVERIFY(bob.subscribe(BillId));

    ControlClient client;
    ConsoleState state;
    QString applyError;
    bool applied = true;
    const auto apply = [&](const QJsonObject &push) { applied = state.apply(push, &applyError) && applied; };
    connect(&client, &ControlClient::snapshotReceived, this, apply);
    connect(&client, &ControlClient::deltaReceived, this, apply);
    QSignalSpy welcomed(&client, &ControlClient::welcomed);
    QSignalSpy snapshots(&client, &ControlClient::snapshotReceived);
    QSignalSpy deltas(&client, &ControlClient::deltaReceived);
    QSignalSpy replies(&client, &ControlClient::replyReceived);
    client.connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken));

    QTRY_COMPARE(welcomed.size(), 1);
    QVERIFY(welcomed.at(0).at(0).toString().startsWith("c-"_L1));
    QCOMPARE(welcomed.at(0).at(1).toInt(), 100);
    QCOMPARE(client.state(), ControlClient::State::Live);
    QTRY_COMPARE(snapshots.size(), 1);
    QVERIFY2(applied, qPrintable(applyError));
    const QJsonArray rows = snapshots.at(0).at(0).toJsonObject().value("connections"_L1).toArray();
    const QString bobId = rowOfUser(rows, u"bob"_s).value("id"_L1).toString();
    const QString amyId = rowOfUser(rows, u"amy"_s).value("id"_L1).toString();
    QVERIFY(!bobId.isEmpty());
    QVERIFY(!amyId.isEmpty());
    QVERIFY(state.connections().contains(bobId));
    QCOMPARE(state.subscriptions().value(BillId), (QStringList{u"amy"_s, u"bob"_s}));

    // Bob leaves: a delta says so, and the state built from the pushes follows.
    bob.close();
    QVERIFY(bob.waitClosed());
    QJsonObject removal;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QList<QVariant> &arguments : std::as_const(deltas)) {
                const QJsonObject delta = arguments.at(0).toJsonObject();
                if (delta.value("connections"_L1).toObject().value("removed"_L1).toArray().contains(bobId)) {
                    removal = delta;
                    return true;
                }
            }
            return false;
        }(),
        10'000);
    QVERIFY2(applied, qPrintable(applyError));
    QVERIFY(!state.connections().contains(bobId));
    QVERIFY(state.connections().contains(amyId));
    QCOMPARE(state.subscriptions().value(BillId), QStringList{u"amy"_s});
    QVERIFY(state.series().size() >= 2);

    // A command and its reply through the same client.
    ControlCommand metrics;
    metrics.type = ControlCommand::Type::Metrics;
    const QJsonValue id = client.sendCommand(metrics);
    QCOMPARE(id, QJsonValue(1));
    QTRY_COMPARE(replies.size(), 1);
    QCOMPARE(replies.at(0).at(0).toJsonValue(), id);
    QVERIFY(replies.at(0).at(1).toBool());
    QVERIFY(replies.at(0).at(2).toJsonObject().contains("stats"_L1));

    client.disconnectFromService();
    QTRY_COMPARE(client.state(), ControlClient::State::Disconnected);
}

QTEST_GUILESS_MAIN(TestConsoleExport)
#include "tst_consoleexport.moc"
