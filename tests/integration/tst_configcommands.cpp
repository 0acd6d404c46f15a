// The configuration commands of the real binary: --print-config shows each value with its source and
// hides secrets, --check-config accepts what a start accepts and refuses the rest with status 2, and
// neither starts the service; --print-config-reference and --help.

#include "core/serviceconfig.h"
#include "processrun.h"
#include "servicefixture.h"

#include <QHash>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

constexpr int kTimeoutMs = 10'000;

/// The system environment without any variable of the schema, plus `assignments` ("NAME=value"), so
/// that a variable of the machine running the tests cannot change a source.
QProcessEnvironment cleanEnvironment(const QStringList &assignments = {})
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const wsinfra::ConfigOption &option : wsinfra::ConfigLoader::schema())
        environment.remove(QString(option.environment));
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.indexOf(u'=');
        environment.insert(assignment.first(equals), assignment.mid(equals + 1));
    }
    return environment;
}

ProcessRun runService(const QStringList &arguments, const QStringList &environment = {})
{
    return runToEnd(ServiceProcess::binaryPath(), arguments, cleanEnvironment(environment), kTimeoutMs);
}

struct Line
{
    QString value;
    QString source;
};

/// The --print-config table by key. Values in these tests hold no blanks, so a line splits on blanks
/// into key, value and a source of one or two words.
QHash<QString, Line> parseTable(const QByteArray &output)
{
    QHash<QString, Line> table;
    const QStringList lines = QString::fromUtf8(output).split(u'\n', Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        const QStringList words = line.split(u' ', Qt::SkipEmptyParts);
        if (words.size() < 3)
            continue;
        table.insert(words[0], Line{words[1], words.mid(2).join(u' ')});
    }
    return table;
}

} // namespace

class TestConfigCommands : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void printConfigShowsValueAndSource_data();
    void printConfigShowsValueAndSource();
    void printConfigListsEveryOptionInSchemaOrder();
    void printConfigNeverShowsSecrets();
    void printConfigRefusesInvalidConfiguration();
    void checkConfigAccepts_data();
    void checkConfigAccepts();
    void checkConfigRefuses_data();
    void checkConfigRefuses();
    void checkConfigBindsNoPort();
    void referenceListsEveryOption();
    void helpMentionsTheCommands();

private:
    QString writeFile(const QString &name, const QByteArray &content);

    QTemporaryDir m_directory;
    QString m_layeredFile;
};

QString TestConfigCommands::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_directory.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestConfigCommands::initTestCase()
{
    QVERIFY(m_directory.isValid());
    m_layeredFile = writeFile(u"layered.json"_s, R"({
        "port": 4100,
        "maxConnections": 111,
        "messageBurst": 222,
        "heartbeatInterval": "20s",
        "apiKey": "file-api-key-value",
        "redis": {"enabled": true, "url": "redis://:file-redis-password@127.0.0.1:6390/3"}
    })"_ba);
}

void TestConfigCommands::printConfigShowsValueAndSource_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("source");

    const QString file = u"file "_s + m_layeredFile;
    QTest::newRow("default") << u"historySize"_s << u"1000"_s << u"default"_s;
    QTest::newRow("default duration") << u"dedupeWindow"_s << u"5m"_s << u"default"_s;
    QTest::newRow("empty default") << u"corsOrigins"_s << u"\"\""_s << u"default"_s;
    QTest::newRow("file") << u"port"_s << u"4100"_s << file;
    QTest::newRow("file duration") << u"heartbeatInterval"_s << u"20s"_s << file;
    QTest::newRow("file redis section, masked") << u"redisUrl"_s << u"redis://:***@127.0.0.1:6390/3"_s << file;
    QTest::newRow("file secret") << u"apiKey"_s << u"***"_s << file;
    QTest::newRow("environment over file")
        << u"maxConnections"_s << u"333"_s << u"environment WEBSOCKET_MAX_CONNECTIONS"_s;
    QTest::newRow("environment") << u"maxPayload"_s << u"128KB"_s << u"environment WSINFRA_MAX_PAYLOAD"_s;
    QTest::newRow("environment secret") << u"jwtSecret"_s << u"***"_s << u"environment JWT_SECRET"_s;
    QTest::newRow("flag over environment and file") << u"messageBurst"_s << u"444"_s << u"flag --message-burst"_s;
    QTest::newRow("bool flag") << u"allowAnonymous"_s << u"true"_s << u"flag --allow-anonymous"_s;
    QTest::newRow("flag size") << u"maxQueuedBytes"_s << u"2MB"_s << u"flag --max-queued-bytes"_s;
}

void TestConfigCommands::printConfigShowsValueAndSource()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, source);

    const ProcessRun run = runService({u"--config"_s, m_layeredFile, u"--print-config"_s, u"--message-burst"_s,
                                       u"444"_s, u"--allow-anonymous"_s, u"--max-queued-bytes"_s, u"2097152"_s},
                                      {u"WEBSOCKET_MAX_CONNECTIONS=333"_s, u"WSINFRA_MAX_PAYLOAD=131072"_s,
                                       u"WSINFRA_MESSAGE_BURST=999"_s, u"JWT_SECRET=env-jwt-secret-value"_s});
    QVERIFY2(run.finished, run.standardError.constData());
    QCOMPARE(run.exitCode, 0);
    const QHash<QString, Line> table = parseTable(run.standardOutput);
    QVERIFY2(table.contains(key), run.standardOutput.constData());
    QCOMPARE(table.value(key).value, value);
    QCOMPARE(table.value(key).source, source);
}

void TestConfigCommands::printConfigListsEveryOptionInSchemaOrder()
{
    const ProcessRun run = runService({u"--print-config"_s});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = QString::fromUtf8(run.standardOutput).split(u'\n', Qt::SkipEmptyParts);
    const std::span<const wsinfra::ConfigOption> schema = wsinfra::ConfigLoader::schema();
    QCOMPARE(lines.size(), qsizetype(schema.size()) + 1); // a header, then one line per option
    QVERIFY(lines[0].startsWith("KEY "_L1));
    for (std::size_t i = 0; i < schema.size(); ++i) {
        const QStringList words = lines[qsizetype(i) + 1].split(u' ', Qt::SkipEmptyParts);
        QCOMPARE(words.value(0), QString(schema[i].key));
        QCOMPARE(words.last(), u"default"_s);
    }
    // Nothing was started: no announcement of a port.
    QVERIFY(!run.standardOutput.contains("listening on"));
}

void TestConfigCommands::printConfigNeverShowsSecrets()
{
    const ProcessRun run =
        runService({u"--config"_s, m_layeredFile, u"--print-config"_s},
                   {u"JWT_SECRET=env-jwt-secret-value"_s, u"WSINFRA_CONTROL_TOKEN=env-control-token"_s});
    QCOMPARE(run.exitCode, 0);
    const QByteArray everything = run.standardOutput + run.standardError;
    for (const QByteArray &secret :
         {"env-jwt-secret-value"_ba, "env-control-token"_ba, "file-api-key-value"_ba, "file-redis-password"_ba})
        QVERIFY2(!everything.contains(secret), secret.constData());
    const QHash<QString, Line> table = parseTable(run.standardOutput);
    QCOMPARE(table.value(u"controlToken"_s).value, u"***"_s);
    QCOMPARE(table.value(u"controlToken"_s).source, u"environment WSINFRA_CONTROL_TOKEN"_s);
}

void TestConfigCommands::printConfigRefusesInvalidConfiguration()
{
    const ProcessRun run = runService({u"--print-config"_s}, {u"WSINFRA_PORT=eighty"_s});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.standardOutput.isEmpty());
    QVERIFY2(run.standardError.contains("environment variable WSINFRA_PORT"), run.standardError.constData());
}

void TestConfigCommands::checkConfigAccepts_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("from");

    const QString options = QString::number(wsinfra::ConfigLoader::schema().size());
    QTest::newRow("defaults") << QStringList() << QStringList() << u"(%1 options, from: default %1)"_s.arg(options);
    QTest::newRow("file, environment and flags")
        << QStringList{u"--config"_s, m_layeredFile, u"--port"_s, u"0"_s}
        << QStringList{u"JWT_SECRET=x"_s, u"REDIS_TIMEOUT=5s"_s}
        << u"(%1 options, from: default %2, file %3 5, environment 2, flag 1)"_s.arg(options)
               .arg(wsinfra::ConfigLoader::schema().size() - 8)
               .arg(m_layeredFile);
    QTest::newRow("empty file is named") << QStringList{u"--config"_s, writeFile(u"empty.json"_s, "{}")}
                                         << QStringList() << u"file %1 0)"_s.arg(m_directory.filePath(u"empty.json"_s));
    QTest::newRow("control port on loopback")
        << QStringList{u"--control-bind"_s, u"::1"_s} << QStringList{u"WSINFRA_CONTROL_TOKEN=t"_s}
        << u"environment 1, flag 1)"_s;
    QTest::newRow("non-loopback control bind without token")
        << QStringList{u"--control-bind"_s, u"0.0.0.0"_s, u"--control-port"_s, u"3999"_s} << QStringList()
        << u"flag 2)"_s;
}

void TestConfigCommands::checkConfigAccepts()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, from);

    const ProcessRun run = runService(arguments + QStringList{u"--check-config"_s}, environment);
    QVERIFY2(run.finished, run.standardError.constData());
    QVERIFY2(run.exitCode == 0, run.standardError.constData());
    const QString output = QString::fromUtf8(run.standardOutput).trimmed();
    QVERIFY2(output.startsWith("configuration OK ("_L1), qPrintable(output));
    QVERIFY2(output.endsWith(from), qPrintable(output));
    QVERIFY(!output.contains("listening on"_L1));
}

void TestConfigCommands::checkConfigRefuses_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("message");

    const auto file = [this](const char *name, const QByteArray &content) {
        return QStringList{u"--config"_s, writeFile(QString::fromLatin1(name), content)};
    };
    QTest::newRow("bad value in file") << file("bad-value.json", R"({"maxConnections": -5})") << QStringList()
                                       << u"key \"maxConnections\": expected an integer"_s;
    QTest::newRow("wrong type in file") << file("wrong-type.json", R"({"allowAnonymous": [true]})") << QStringList()
                                        << u"(a JSON array)"_s;
    QTest::newRow("unknown key") << file("unknown.json", R"({"maxConnection": 5})") << QStringList()
                                 << u"unknown key \"maxConnection\""_s;
    QTest::newRow("original nested section") << file("nested.json", R"({"memoryThresholds": {"warning": 70}})")
                                             << QStringList() << u"unknown key \"memoryThresholds\""_s;
    QTest::newRow("unknown redis key") << file("redis.json", R"({"redis": {"host": "x"}})") << QStringList()
                                       << u"unknown key \"redis.host\""_s;
    QTest::newRow("not JSON") << file("broken.json", "{\"port\": ") << QStringList() << u"is not valid JSON"_s;
    QTest::newRow("not an object") << file("array.json", "[1]") << QStringList() << u"must hold a JSON object"_s;
    QTest::newRow("missing file") << QStringList{u"--config"_s, m_directory.filePath(u"absent.json"_s)} << QStringList()
                                  << u"cannot read config file"_s;
    QTest::newRow("bad environment") << QStringList() << QStringList{u"WEBSOCKET_HEARTBEAT_INTERVAL=soon"_s}
                                     << u"environment variable WEBSOCKET_HEARTBEAT_INTERVAL"_s;
    QTest::newRow("bad environment hidden by a flag")
        << QStringList{u"--max-connections"_s, u"5"_s} << QStringList{u"WEBSOCKET_MAX_CONNECTIONS=many"_s}
        << u"environment variable WEBSOCKET_MAX_CONNECTIONS"_s;
    QTest::newRow("bad flag") << QStringList{u"--port"_s, u"99999"_s} << QStringList()
                              << u"for --port: expected an integer from 0 to 65535"_s;
    QTest::newRow("bad address") << QStringList{u"--bind"_s, u"localhost"_s} << QStringList()
                                 << u"for --bind: expected an IP address"_s;
    QTest::newRow("redis url") << QStringList() << QStringList{u"REDIS_URL=http://x"_s}
                               << u"environment variable REDIS_URL"_s;
    QTest::newRow("cross field") << QStringList{u"--heartbeat-interval"_s, u"2m"_s} << QStringList()
                                 << u"heartbeatInterval (2m, from --heartbeat-interval) must be less than"_s;
    QTest::newRow("thresholds") << QStringList() << QStringList{u"MEMORY_CRITICAL_THRESHOLD=99"_s}
                                << u"memoryCriticalThreshold"_s;
    QTest::newRow("control port off loopback")
        << QStringList{u"--control-bind"_s, u"0.0.0.0"_s} << QStringList{u"WSINFRA_CONTROL_TOKEN=t"_s}
        << u"controlBind (0.0.0.0, from --control-bind) must be a loopback address"_s;
    QTest::newRow("control tls without certificate")
        << QStringList{u"--control-tls"_s} << QStringList{u"WSINFRA_CONTROL_TOKEN=t"_s}
        << u"controlTls (from --control-tls) needs tlsCertFile and tlsKeyFile"_s;
    QTest::newRow("tls key without certificate")
        << QStringList{u"--tls-key"_s, u"/nonexistent/key.pem"_s} << QStringList()
        << u"tlsKeyFile is set (from --tls-key) but tlsCertFile is not"_s;
    QTest::newRow("tls files missing") << QStringList{u"--tls-cert"_s, u"/nonexistent/c.pem"_s, u"--tls-key"_s,
                                                      u"/nonexistent/k.pem"_s}
                                       << QStringList() << u"cannot read the TLS certificate file /nonexistent/c.pem"_s;
    QTest::newRow("same port twice") << QStringList{u"--port"_s, u"3500"_s, u"--control-port"_s, u"3500"_s}
                                     << QStringList() << u"listen on the same port"_s;
}

void TestConfigCommands::checkConfigRefuses()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, message);

    const ProcessRun run = runService(arguments + QStringList{u"--check-config"_s}, environment);
    QVERIFY2(run.finished, run.standardError.constData());
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.standardOutput.isEmpty(), run.standardOutput.constData());
    const QString error = QString::fromUtf8(run.standardError);
    QVERIFY2(error.startsWith("wsinfra-service: "_L1), qPrintable(error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestConfigCommands::checkConfigBindsNoPort()
{
    // A start on a port in use fails; a check of the same configuration does not, because it binds nothing.
    QTcpServer occupied;
    QVERIFY(occupied.listen(QHostAddress::LocalHost, 0));
    const QStringList arguments{u"--bind"_s, u"127.0.0.1"_s, u"--port"_s, QString::number(occupied.serverPort())};
    const ProcessRun check = runService(arguments + QStringList{u"--check-config"_s}, {u"JWT_SECRET=x"_s});
    QCOMPARE(check.exitCode, 0);
    const ProcessRun start = runService(arguments, {u"JWT_SECRET=x"_s});
    QCOMPARE(start.exitCode, 1);
    QVERIFY2(start.standardError.contains("cannot listen"), start.standardError.constData());
}

void TestConfigCommands::referenceListsEveryOption()
{
    // The reference needs no valid configuration: it describes the options, not this machine's values.
    const ProcessRun run = runService({u"--print-config-reference"_s}, {u"WSINFRA_PORT=not-a-port"_s});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = QString::fromUtf8(run.standardOutput).split(u'\n', Qt::SkipEmptyParts);
    const std::span<const wsinfra::ConfigOption> schema = wsinfra::ConfigLoader::schema();
    QCOMPARE(lines.size(), qsizetype(schema.size()) + 2); // header and separator rows
    for (std::size_t i = 0; i < schema.size(); ++i) {
        const wsinfra::ConfigOption &option = schema[i];
        const QString row = lines[qsizetype(i) + 2];
        QVERIFY2(row.startsWith(u"| `%1` | `%2` | "_s.arg(option.key, option.environment)), qPrintable(row));
        QCOMPARE(row.contains("secret: environment or file only"_L1), option.secret);
        if (!option.secret)
            QVERIFY2(row.contains(u"`--%1"_s.arg(option.flag)), qPrintable(row));
    }
}

void TestConfigCommands::helpMentionsTheCommands()
{
    const ProcessRun run = runService({u"--help"_s});
    QCOMPARE(run.exitCode, 0);
    for (const char *flag : {"--print-config ", "--check-config ", "--print-config-reference "})
        QVERIFY2(run.standardOutput.contains(flag), flag);
}

QTEST_GUILESS_MAIN(TestConfigCommands)
#include "tst_configcommands.moc"
