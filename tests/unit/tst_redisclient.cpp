#include "cluster/redisclient.h"
#include "protocol/codes.h"
#include "redisserver.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using wsinfra::test::RedisServer;

namespace {

using Outcome = std::optional<Result<RedisReply>>;

RedisClient::Options testOptions(const QString &url)
{
    RedisClient::Options options;
    const Result<RedisEndpoint> endpoint = parseRedisUrl(url);
    if (endpoint)
        options.endpoint = endpoint.value();
    options.connectTimeoutMs = 1000;
    options.commandTimeoutMs = 3000;
    options.pingIntervalMs = 200;
    options.reconnectInitialDelayMs = 20;
    options.reconnectMaxDelayMs = 200;
    options.name = u"tst redisclient"_s;
    return options;
}

// Runs the event loop until `done` holds or the time is up (what QTRY_* does, usable in helpers).
template <typename Predicate> bool waitFor(Predicate done, int timeoutMs = 5000)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!done() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return done();
}

bool waitConnected(RedisClient &client, int timeoutMs = 5000)
{
    return waitFor([&client] { return client.isConnected(); }, timeoutMs);
}

// One command, waited for.
Outcome run(RedisClient &client, const QList<QByteArray> &arguments, int timeoutMs = 5000)
{
    auto outcome = std::make_shared<Outcome>();
    client.command(arguments, &client, [outcome](const Result<RedisReply> &result) { *outcome = result; });
    waitFor([outcome] { return outcome->has_value(); }, timeoutMs);
    return *outcome;
}

// The integer of a successful integer reply, -1 otherwise.
qint64 integerOf(const Outcome &outcome)
{
    return outcome && outcome->ok() && outcome->value().isInteger() ? outcome->value().integer : -1;
}

QString describe(const Outcome &outcome)
{
    if (!outcome)
        return u"no callback"_s;
    if (!outcome->ok())
        return u"error %1: %2"_s.arg(outcome->error().code, outcome->error().message);
    const RedisReply &reply = outcome->value();
    return u"%1 %2 %3"_s.arg(RedisReply::typeName(reply.type))
        .arg(reply.integer)
        .arg(QString::fromUtf8(reply.string.left(80)));
}

// The `calls=` of one command in INFO commandstats (-1 when absent).
qint64 commandCalls(const QByteArray &info, const QByteArray &command)
{
    const QByteArray key = "cmdstat_" + command + ":calls=";
    const qsizetype at = info.indexOf(key);
    if (at < 0)
        return -1;
    qsizetype end = at + key.size();
    while (end < info.size() && info.at(end) >= '0' && info.at(end) <= '9')
        ++end;
    return info.mid(at + key.size(), end - at - key.size()).toLongLong();
}

} // namespace

class TestRedisClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void parseRedisUrlAccepts_data();
    void parseRedisUrlAccepts();
    void parseRedisUrlRejects_data();
    void parseRedisUrlRejects();
    void displayStringHidesPassword();
    void parseRedisUrlTls_data();
    void parseRedisUrlTls();

    void replyTypes();
    void binarySafeAndLargeValues();
    void pipelining();
    void callbackSkippedWhenContextDestroyed();
    void commandsFailWhileNotConnected();
    void refusedCommands();
    void hostNameIsResolved();
    void unreachableAtStartThenServerAppears();
    void serverKilledAndRestarted();
    void stalledServerTimesOutAndWatchdogReconnects();
    void watchdogKeepsHealthyConnectionsOpen();
    void authentication();
    void databaseIndex();
    void pubSub();
    void subscriptionsSurviveRestart();
    void stopFailsPendingCommands();
    void destroyingClientWithPendingCommands();
    void deletingClientFromItsOwnCallback();

private:
    RedisServer m_server; // shared by the tests that neither stop nor restart it
};

void TestRedisClient::initTestCase()
{
    QVERIFY2(!RedisServer::executablePath().isEmpty(),
             "redis-server is not installed: install it (Debian: apt-get install redis-server); CI does");
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestRedisClient::parseRedisUrlAccepts_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("database");

    QTest::newRow("ip and port") << u"redis://127.0.0.1:6379"_s << u"127.0.0.1"_s << 6379 << QString() << QString()
                                 << 0;
    QTest::newRow("host only") << u"redis://localhost"_s << u"localhost"_s << 6379 << QString() << QString() << 0;
    QTest::newRow("host port db") << u"redis://redis.internal:7000/3"_s << u"redis.internal"_s << 7000 << QString()
                                  << QString() << 3;
    QTest::newRow("password only") << u"redis://:secret@host"_s << u"host"_s << 6379 << QString() << u"secret"_s << 0;
    QTest::newRow("redis-cli form") << u"redis://secret@host"_s << u"host"_s << 6379 << QString() << u"secret"_s << 0;
    QTest::newRow("user and encoded password")
        << u"redis://alice:s3cr%40t%3A@host:6380/15"_s << u"host"_s << 6380 << u"alice"_s << u"s3cr@t:"_s << 15;
    QTest::newRow("unencoded @ in password")
        << u"redis://:p@ss@host"_s << u"host"_s << 6379 << QString() << u"p@ss"_s << 0;
    QTest::newRow("utf-8 credentials") << u"redis://us%C3%A9r:p%C3%A4ss@h"_s << u"h"_s << 6379 << u"usér"_s << u"päss"_s
                                       << 0;
    QTest::newRow("empty credentials") << u"redis://:@host"_s << u"host"_s << 6379 << QString() << QString() << 0;
    QTest::newRow("ipv6") << u"redis://[::1]:6390/2"_s << u"::1"_s << 6390 << QString() << QString() << 2;
    QTest::newRow("ipv6 default port") << u"redis://[fe80::1:2]"_s << u"fe80::1:2"_s << 6379 << QString() << QString()
                                       << 0;
    QTest::newRow("upper-case scheme") << u"REDIS://HOST"_s << u"HOST"_s << 6379 << QString() << QString() << 0;
    QTest::newRow("trailing slash") << u"redis://host/"_s << u"host"_s << 6379 << QString() << QString() << 0;
    QTest::newRow("largest values") << u"redis://host:65535/2147483647"_s << u"host"_s << 65535 << QString()
                                    << QString() << 2147483647;
    QTest::newRow("smallest port") << u"redis://host:1"_s << u"host"_s << 1 << QString() << QString() << 0;
    QTest::newRow("docker name") << u"redis://redis_cache-1:6379"_s << u"redis_cache-1"_s << 6379 << QString()
                                 << QString() << 0;
}

void TestRedisClient::parseRedisUrlAccepts()
{
    QFETCH(QString, url);
    const Result<RedisEndpoint> endpoint = parseRedisUrl(url);
    QVERIFY2(endpoint.ok(), qPrintable(endpoint.error().message));
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, username);
    QFETCH(QString, password);
    QFETCH(int, database);
    QCOMPARE(endpoint->host, host);
    QCOMPARE(int(endpoint->port), port);
    QCOMPARE(endpoint->username, username);
    QCOMPARE(endpoint->password, password);
    QCOMPARE(endpoint->database, database);
}

void TestRedisClient::parseRedisUrlRejects_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("why");

    QTest::newRow("empty") << QString() << u"empty"_s;
    QTest::newRow("http") << u"http://x"_s << u"redis://"_s;
    QTest::newRow("no scheme") << u"host:6379"_s << u"redis://"_s;
    QTest::newRow("one slash") << u"redis:/host"_s << u"redis://"_s;
    QTest::newRow("no colon") << u"redis//host"_s << u"redis://"_s;
    QTest::newRow("tls one slash") << u"rediss:/host:6380"_s << u"rediss://"_s;
    QTest::newRow("tls no host") << u"rediss://:6380"_s << u"no host"_s;
    QTest::newRow("three s") << u"redisss://host"_s << u"redis://"_s;
    QTest::newRow("scheme only") << u"redis://"_s << u"no host"_s;
    QTest::newRow("port only") << u"redis://:6379"_s << u"no host"_s;
    QTest::newRow("credentials only") << u"redis://:hunter2@"_s << u"no host"_s;
    QTest::newRow("port 0") << u"redis://host:0"_s << u"port"_s;
    QTest::newRow("port 65536") << u"redis://host:65536"_s << u"port"_s;
    QTest::newRow("port abc") << u"redis://host:abc"_s << u"port"_s;
    QTest::newRow("port empty") << u"redis://host:"_s << u"port"_s;
    QTest::newRow("port negative") << u"redis://host:-1"_s << u"port"_s;
    QTest::newRow("port plus") << u"redis://host:+80"_s << u"port"_s;
    QTest::newRow("port six digits") << u"redis://host:000080"_s << u"port"_s;
    QTest::newRow("port overflow") << u"redis://host:99999999999999999999"_s << u"port"_s;
    QTest::newRow("port junk") << u"redis://host:6379junk"_s << u"port"_s;
    QTest::newRow("two ports") << u"redis://host:6379:6380"_s << u"port"_s;
    QTest::newRow("db -1") << u"redis://host/-1"_s << u"database"_s;
    QTest::newRow("db x") << u"redis://host/x"_s << u"database"_s;
    QTest::newRow("db huge") << u"redis://host/99999999999"_s << u"database"_s;
    QTest::newRow("db int max + 1") << u"redis://host/2147483648"_s << u"database"_s;
    QTest::newRow("db then path") << u"redis://host/3/extra"_s << u"database"_s;
    QTest::newRow("db hex") << u"redis://host/0x3"_s << u"database"_s;
    QTest::newRow("query") << u"redis://host/3?timeout=1"_s << u"query"_s;
    QTest::newRow("fragment") << u"redis://host#x"_s << u"fragment"_s;
    QTest::newRow("space in host") << u"redis://ho st"_s << u"blank"_s;
    QTest::newRow("leading space") << u" redis://host"_s << u"blank"_s;
    QTest::newRow("trailing space") << u"redis://host "_s << u"blank"_s;
    QTest::newRow("newline") << u"redis://host\n"_s << u"control"_s;
    QTest::newRow("tab") << u"redis://\thost"_s << u"control"_s;
    QTest::newRow("embedded NUL") << (u"redis://ho"_s + QChar(u'\0') + u"st"_s) << u"control"_s;
    QTest::newRow("NUL in password") << (u"redis://:hun"_s + QChar(u'\0') + u"ter2@host"_s) << u"control"_s;
    QTest::newRow("non-ascii host") << u"redis://hôst"_s << u"non-ASCII"_s;
    QTest::newRow("lone surrogate") << (u"redis://h"_s + QChar(0xd800)) << u"non-ASCII"_s;
    QTest::newRow("huge") << (u"redis://"_s + QString(100'000, u'a')) << u"longer"_s;
    QTest::newRow("host too long") << (u"redis://"_s + QString(300, u'a')) << u"host"_s;
    QTest::newRow("bad host character") << u"redis://ho$t"_s << u"host"_s;
    QTest::newRow("host starts with dash") << u"redis://-host"_s << u"host"_s;
    QTest::newRow("host starts with dot") << u"redis://.host"_s << u"host"_s;
    QTest::newRow("empty label") << u"redis://host..example"_s << u"host"_s;
    QTest::newRow("unbracketed ipv6") << u"redis://::1:6379"_s << u"host"_s;
    QTest::newRow("unclosed bracket") << u"redis://[::1"_s << u"IPv6"_s;
    QTest::newRow("junk after bracket") << u"redis://[::1]x"_s << u"junk"_s;
    QTest::newRow("empty brackets") << u"redis://[]"_s << u"IPv6"_s;
    QTest::newRow("bad ipv6") << u"redis://[zz::1]"_s << u"IPv6"_s;
    QTest::newRow("ipv4 in brackets") << u"redis://[127.0.0.1]"_s << u"IPv6"_s;
    QTest::newRow("ipv6 zone") << u"redis://[fe80::1%25eth0]"_s << u"IPv6"_s;
    QTest::newRow("user without password") << u"redis://alice:@host"_s << u"password"_s;
    QTest::newRow("bad escape") << u"redis://:hunter2%zz@host"_s << u"percent"_s;
    QTest::newRow("truncated escape") << u"redis://:hunter2%2@host"_s << u"percent"_s;
    QTest::newRow("escape at end") << u"redis://:hunter2%@host"_s << u"percent"_s;
    QTest::newRow("escaped NUL") << u"redis://:hunter2%00@host"_s << u"NUL"_s;
    QTest::newRow("invalid utf-8") << u"redis://:hunter2%ff@host"_s << u"UTF-8"_s;
    QTest::newRow("overlong utf-8") << u"redis://:hunter2%c0%af@host"_s << u"UTF-8"_s;
}

void TestRedisClient::parseRedisUrlRejects()
{
    QFETCH(QString, url);
    QFETCH(QString, why);
    const Result<RedisEndpoint> endpoint = parseRedisUrl(url);
    QVERIFY(!endpoint.ok());
    QCOMPARE(endpoint.error().code, QString(ErrorCode::InvalidConfig));
    QVERIFY2(endpoint.error().message.contains(why, Qt::CaseInsensitive), qPrintable(endpoint.error().message));
    QVERIFY2(!endpoint.error().message.contains(u"hunter2"_s), "the message repeats the password");
    QVERIFY(endpoint.error().message.size() < 200);
}

void TestRedisClient::displayStringHidesPassword()
{
    const Result<RedisEndpoint> withUser = parseRedisUrl(u"redis://alice:hunter2@cache:6380/4"_s);
    QVERIFY(withUser.ok());
    QCOMPARE(withUser->toDisplayString(), u"redis://alice:***@cache:6380/4"_s);
    const Result<RedisEndpoint> passwordOnly = parseRedisUrl(u"redis://:hunter2@cache"_s);
    QVERIFY(passwordOnly.ok());
    QCOMPARE(passwordOnly->toDisplayString(), u"redis://:***@cache:6379/0"_s);
    const Result<RedisEndpoint> ipv6 = parseRedisUrl(u"redis://[::1]:7000"_s);
    QVERIFY(ipv6.ok());
    QCOMPARE(ipv6->toDisplayString(), u"redis://[::1]:7000/0"_s);
    QCOMPARE(RedisEndpoint().toDisplayString(), u"redis://127.0.0.1:6379/0"_s);
}

void TestRedisClient::parseRedisUrlTls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("display");

    QTest::newRow("plain") << u"redis://cache:6380"_s << false << u"redis://cache:6380/0"_s;
    QTest::newRow("tls") << u"rediss://cache:6380"_s << true << u"rediss://cache:6380/0"_s;
    QTest::newRow("tls upper-case") << u"REDISS://cache"_s << true << u"rediss://cache:6379/0"_s;
    QTest::newRow("tls with everything") << u"rediss://alice:hunter2@[::1]:7000/3"_s << true
                                         << u"rediss://alice:***@[::1]:7000/3"_s;
}

void TestRedisClient::parseRedisUrlTls()
{
    QFETCH(QString, url);
    QFETCH(bool, tls);
    QFETCH(QString, display);
    const Result<RedisEndpoint> endpoint = parseRedisUrl(url);
    QVERIFY2(endpoint.ok(), qPrintable(endpoint.error().message));
    QCOMPARE(endpoint->tls, tls);
    QCOMPARE(endpoint->toDisplayString(), display);
}

void TestRedisClient::replyTypes()
{
    RedisClient client(testOptions(m_server.url()));
    client.start();
    QVERIFY(waitConnected(client));
    QCOMPARE(client.state(), RedisClient::State::Connected);

    Outcome outcome = run(client, {"DEL", "replyTypes:string", "replyTypes:list"});
    QVERIFY2(outcome && outcome->ok() && outcome->value().isInteger(), qPrintable(describe(outcome)));

    outcome = run(client, {"GET", "replyTypes:string"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::nil());

    outcome = run(client, {"SET", "replyTypes:string", "hello"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::status("OK"));

    outcome = run(client, {"GET", "replyTypes:string"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::fromString("hello"));

    outcome = run(client, {"INCR", "replyTypes:counter"});
    QVERIFY2(outcome && outcome->ok() && outcome->value().isInteger(), qPrintable(describe(outcome)));
    const qint64 first = outcome->value().integer;
    outcome = run(client, {"INCRBY", "replyTypes:counter", "41"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::fromInteger(first + 41));

    outcome = run(client, {"RPUSH", "replyTypes:list", "a", "", "c"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::fromInteger(3));
    outcome = run(client, {"LRANGE", "replyTypes:list", "0", "-1"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(),
             RedisReply::array({RedisReply::fromString("a"), RedisReply::fromString(""), RedisReply::fromString("c")}));
    outcome = run(client, {"LRANGE", "replyTypes:nothing", "0", "-1"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::array({}));

    // A nested array with a nil inside: the reply of a transaction.
    QVERIFY(run(client, {"MULTI"}).value_or(Result<RedisReply>(Error{})).ok());
    QVERIFY(run(client, {"GET", "replyTypes:absent"}).has_value());
    QVERIFY(run(client, {"LRANGE", "replyTypes:list", "0", "0"}).has_value());
    outcome = run(client, {"EXEC"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(),
             RedisReply::array({RedisReply::nil(), RedisReply::array({RedisReply::fromString("a")})}));

    outcome = run(client, {"DEL", "replyTypes:string", "replyTypes:list", "replyTypes:counter"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::fromInteger(3));

    // Error replies fail the command with redis_error and the server's text.
    outcome = run(client, {"SET", "replyTypes:string", "not a number"});
    QVERIFY(outcome && outcome->ok());
    outcome = run(client, {"INCR", "replyTypes:string"});
    QVERIFY(outcome.has_value());
    QVERIFY(!outcome->ok());
    QCOMPARE(outcome->error().code, QString(RedisClient::ReplyError));
    QVERIFY2(outcome->error().message.contains(u"not an integer"_s), qPrintable(outcome->error().message));
    outcome = run(client, {"NOSUCHCOMMAND", "x"});
    QVERIFY(outcome && !outcome->ok());
    QCOMPARE(outcome->error().code, QString(RedisClient::ReplyError));
    QVERIFY2(outcome->error().message.contains(u"unknown command"_s), qPrintable(outcome->error().message));
    // The connection is still fine after error replies.
    outcome = run(client, {"PING"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::status("PONG"));
    QCOMPARE(client.pendingCommandCount(), 0);
    run(client, {"DEL", "replyTypes:string"});
}

void TestRedisClient::binarySafeAndLargeValues()
{
    RedisClient::Options options = testOptions(m_server.url());
    options.commandTimeoutMs = 20'000; // 8 MiB each way under the sanitizers
    RedisClient client(options);
    client.start();
    QVERIFY(waitConnected(client));

    static const char rawKey[] = "binary\0key\r\n";
    static const char rawValue[] = "\0\r\n$3\r\n*1\xff\xfe\0end";
    const QByteArray key(rawKey, sizeof(rawKey) - 1);
    const QByteArray value(rawValue, sizeof(rawValue) - 1);
    Outcome outcome = run(client, {"SET", key, value});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    outcome = run(client, {"GET", key});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value().string, value);
    QCOMPARE(outcome->value().string.size(), 15);

    QByteArray large(8 * 1024 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(42);
    generator.fillRange(reinterpret_cast<quint32 *>(large.data()), large.size() / 4);
    large[100] = '\0';
    outcome = run(client, {"SET", "binary:large", large}, 30'000);
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    outcome = run(client, {"STRLEN", "binary:large"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value().integer, qint64(large.size()));
    outcome = run(client, {"GET", "binary:large"}, 30'000);
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QVERIFY(outcome->value().string == large);
    run(client, {"DEL", key, "binary:large"});
}

void TestRedisClient::pipelining()
{
    RedisClient::Options options = testOptions(m_server.url());
    options.commandTimeoutMs = 20'000;
    RedisClient client(options);
    client.start();
    QVERIFY(waitConnected(client));
    QVERIFY(run(client, {"DEL", "pipelining:counter"}).has_value());

    constexpr int Count = 10'000;
    std::vector<qint64> values;
    values.reserve(Count);
    int errors = 0;
    for (int i = 0; i < Count; ++i) {
        client.command({"INCR", "pipelining:counter"}, this, [&values, &errors](const Result<RedisReply> &result) {
            if (result.ok() && result->isInteger())
                values.push_back(result->integer);
            else
                ++errors;
        });
    }
    // Nothing is answered inside command(): all of them are in flight together.
    QCOMPARE(client.pendingCommandCount(), Count);
    QVERIFY(values.empty());
    QTRY_COMPARE_WITH_TIMEOUT(int(values.size()) + errors, Count, 20'000);
    QCOMPARE(errors, 0);
    for (int i = 0; i < Count; ++i)
        QCOMPARE(values[size_t(i)], qint64(i + 1));
    QCOMPARE(client.pendingCommandCount(), 0);
    // Exactly once: nothing more arrives later.
    const Outcome last = run(client, {"GET", "pipelining:counter"});
    QVERIFY2(last && last->ok(), qPrintable(describe(last)));
    QCOMPARE(last->value().string, QByteArray::number(Count));
    QCOMPARE(int(values.size()), Count);
    run(client, {"DEL", "pipelining:counter"});
}

void TestRedisClient::callbackSkippedWhenContextDestroyed()
{
    RedisClient client(testOptions(m_server.url()));
    client.start();
    QVERIFY(waitConnected(client));

    bool destroyedContextCalled = false;
    bool liveContextCalled = false;
    bool noContextCalled = false;
    auto context = std::make_unique<QObject>();
    client.command({"PING"}, context.get(), [&](const Result<RedisReply> &) { destroyedContextCalled = true; });
    client.command({"PING"}, this, [&](const Result<RedisReply> &) { liveContextCalled = true; });
    client.command({"PING"}, nullptr, [&](const Result<RedisReply> &) { noContextCalled = true; });
    context.reset();
    QTRY_VERIFY(liveContextCalled && noContextCalled);
    QVERIFY(!destroyedContextCalled);

    // The same for a failure delivered later.
    RedisClient idle(testOptions(m_server.url()));
    auto failureContext = std::make_unique<QObject>();
    bool failureCalled = false;
    bool controlCalled = false;
    idle.command({"PING"}, failureContext.get(), [&](const Result<RedisReply> &) { failureCalled = true; });
    idle.command({"PING"}, this, [&](const Result<RedisReply> &) { controlCalled = true; });
    failureContext.reset();
    QTRY_VERIFY(controlCalled);
    QVERIFY(!failureCalled);
}

void TestRedisClient::commandsFailWhileNotConnected()
{
    RedisClient client(testOptions(m_server.url()));
    QCOMPARE(client.state(), RedisClient::State::Disconnected);
    Outcome outcome;
    client.command({"PING"}, this, [&outcome](const Result<RedisReply> &result) { outcome = result; });
    // Never from inside command().
    QVERIFY(!outcome.has_value());
    QTRY_VERIFY(outcome.has_value());
    QVERIFY(!outcome->ok());
    QCOMPARE(outcome->error().code, QString(RedisClient::UnavailableError));
    QCOMPARE(client.pendingCommandCount(), 0);
}

void TestRedisClient::refusedCommands()
{
    RedisClient client(testOptions(m_server.url()));
    client.start();
    QVERIFY(waitConnected(client));

    Outcome outcome = run(client, {});
    QVERIFY(outcome && !outcome->ok());
    QCOMPARE(outcome->error().code, QString(RedisClient::ReplyError));
    outcome = run(client, {"subscribe", "x"});
    QVERIFY(outcome && !outcome->ok());
    QCOMPARE(outcome->error().code, QString(RedisClient::ReplyError));
    QVERIFY2(outcome->error().message.contains(u"subscribe()"_s), qPrintable(outcome->error().message));
    outcome = run(client, {"MONITOR"});
    QVERIFY(outcome && !outcome->ok());

    // A client with subscriptions is for pub/sub only.
    client.subscribe("refused:channel");
    outcome = run(client, {"GET", "x"});
    QVERIFY(outcome && !outcome->ok());
    QCOMPARE(outcome->error().code, QString(RedisClient::ReplyError));
    QVERIFY2(outcome->error().message.contains(u"subscriber mode"_s), qPrintable(outcome->error().message));
    QVERIFY(client.isConnected());
}

void TestRedisClient::hostNameIsResolved()
{
    RedisClient::Options options = testOptions(m_server.url());
    options.endpoint.host = u"localhost"_s;
    RedisClient client(options);
    client.start();
    QVERIFY2(waitConnected(client), qPrintable(client.lastError()));
    const Outcome outcome = run(client, {"PING"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
}

void TestRedisClient::unreachableAtStartThenServerAppears()
{
    const quint16 port = RedisServer::freePort();
    QVERIFY(port != 0);
    RedisClient client(testOptions(u"redis://127.0.0.1:%1"_s.arg(port)));
    QSignalSpy states(&client, &RedisClient::stateChanged);
    QSignalSpy connectedSpy(&client, &RedisClient::connected);
    QSignalSpy disconnectedSpy(&client, &RedisClient::disconnected);
    QElapsedTimer elapsed;
    elapsed.start();
    client.start();
    QCOMPARE(client.state(), RedisClient::State::Connecting);

    // Several attempts, each refused, with the backoff between them.
    QTRY_VERIFY_WITH_TIMEOUT(states.count() >= 6, 5000);
    QVERIFY(!client.lastError().isEmpty());
    QVERIFY2(client.lastError().contains(u"refused"_s, Qt::CaseInsensitive), qPrintable(client.lastError()));
    QCOMPARE(connectedSpy.count(), 0);
    QCOMPARE(disconnectedSpy.count(), 0); // never Connected, so never disconnected
    QCOMPARE(states.at(0).at(0).value<RedisClient::State>(), RedisClient::State::Connecting);
    QCOMPARE(states.at(1).at(0).value<RedisClient::State>(), RedisClient::State::Disconnected);
    // The backoff waits between attempts: 3 attempts cannot take less than 10 + 20 ms (half the
    // delays of the first two, equal jitter).
    QVERIFY(elapsed.elapsed() >= 30);

    const Outcome outcome = run(client, {"PING"});
    QVERIFY(outcome && !outcome->ok());
    QCOMPARE(outcome->error().code, QString(RedisClient::UnavailableError));

    RedisServer late;
    QVERIFY2(late.start({}, port), qPrintable(late.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(connectedSpy.count(), 1, 5000);
    QVERIFY(client.isConnected());
    const Outcome ping = run(client, {"PING"});
    QVERIFY2(ping && ping->ok(), qPrintable(describe(ping)));
}

void TestRedisClient::serverKilledAndRestarted()
{
    RedisServer server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    RedisClient client(testOptions(server.url()));
    QSignalSpy connectedSpy(&client, &RedisClient::connected);
    QSignalSpy disconnectedSpy(&client, &RedisClient::disconnected);
    client.start();
    QTRY_COMPARE(connectedSpy.count(), 1);
    Outcome outcome = run(client, {"SET", "k", "v"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));

    // A command waiting for its reply when the server dies fails with redis_unavailable.
    Outcome blocked;
    client.command({"BLPOP", "never", "0"}, this, [&blocked](const Result<RedisReply> &result) { blocked = result; });
    QTRY_VERIFY(client.pendingCommandCount() == 1);
    server.kill();
    QTRY_COMPARE(disconnectedSpy.count(), 1);
    QVERIFY(!disconnectedSpy.at(0).at(0).toString().isEmpty());
    QTRY_VERIFY(blocked.has_value());
    QVERIFY(!blocked->ok());
    QCOMPARE(blocked->error().code, QString(RedisClient::UnavailableError));
    QVERIFY(!client.isConnected());

    QVERIFY2(server.restart(), qPrintable(server.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(connectedSpy.count(), 2, 5000);
    outcome = run(client, {"SET", "k", "again"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    outcome = run(client, {"GET", "k"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::fromString("again"));
    QCOMPARE(disconnectedSpy.count(), 1);
}

void TestRedisClient::stalledServerTimesOutAndWatchdogReconnects()
{
    RedisServer server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    RedisClient::Options options = testOptions(server.url());
    options.commandTimeoutMs = 300;
    options.connectTimeoutMs = 300;
    // The first PING goes a second after connected(): the command below times out before the
    // watchdog's PING does, whatever the moment of the pause.
    options.pingIntervalMs = 1000;
    RedisClient client(options);
    QSignalSpy connectedSpy(&client, &RedisClient::connected);
    QSignalSpy disconnectedSpy(&client, &RedisClient::disconnected);
    client.start();
    QTRY_COMPARE(connectedSpy.count(), 1);

    // A timer that must keep firing while redis does not answer: the event loop never blocks.
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start();

    server.pause();
    QElapsedTimer elapsed;
    elapsed.start();
    Outcome first;
    Outcome second;
    client.command({"GET", "a"}, this, [&first](const Result<RedisReply> &result) { first = result; });
    client.command({"GET", "b"}, this, [&second](const Result<RedisReply> &result) { second = result; });
    QTRY_VERIFY_WITH_TIMEOUT(first.has_value() && second.has_value(), 3000);
    const qint64 timedOutAfter = elapsed.elapsed();
    QVERIFY(!first->ok());
    QCOMPARE(first->error().code, QString(RedisClient::TimeoutError));
    // The second was queued behind the first and passed its deadline too (or the watchdog got
    // there first, when it runs a few milliseconds later).
    QVERIFY(!second->ok());
    QVERIFY2(timedOutAfter >= 280 && timedOutAfter < 1500, qPrintable(QString::number(timedOutAfter)));

    // The watchdog's PING gets no reply either: the connection is dropped, then retried (TCP
    // connects to a stopped redis succeed, the handshake times out).
    QTRY_COMPARE_WITH_TIMEOUT(disconnectedSpy.count(), 1, 3000);
    QVERIFY2(disconnectedSpy.at(0).at(0).toString().contains(u"PING"_s),
             qPrintable(disconnectedSpy.at(0).at(0).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(client.lastError().contains(u"no connection within"_s), 3000);
    QVERIFY(!client.isConnected());
    const qint64 stalledMs = elapsed.elapsed();
    // At least a quarter of the ticks a free event loop would have had.
    QVERIFY2(ticks >= stalledMs / 10 / 4, qPrintable(u"%1 ticks in %2 ms"_s.arg(ticks).arg(stalledMs)));
    const Outcome whileDown = run(client, {"PING"});
    QVERIFY(whileDown && !whileDown->ok());
    QCOMPARE(whileDown->error().code, QString(RedisClient::UnavailableError));

    server.resume();
    QTRY_COMPARE_WITH_TIMEOUT(connectedSpy.count(), 2, 5000);
    const Outcome after = run(client, {"PING"});
    QVERIFY2(after && after->ok(), qPrintable(describe(after)));
    QCOMPARE(disconnectedSpy.count(), 1);
}

void TestRedisClient::watchdogKeepsHealthyConnectionsOpen()
{
    RedisServer server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    RedisClient::Options options = testOptions(server.url());
    options.pingIntervalMs = 20;
    options.commandTimeoutMs = 300;
    RedisClient plain(options);
    RedisClient subscriber(options);
    subscriber.subscribe("watchdog:test");
    RedisClient observer(testOptions(server.url()));
    QSignalSpy plainDrops(&plain, &RedisClient::disconnected);
    QSignalSpy subscriberDrops(&subscriber, &RedisClient::disconnected);
    plain.start();
    subscriber.start();
    observer.start();
    QVERIFY(waitConnected(plain));
    QVERIFY(waitConnected(subscriber));
    QVERIFY(waitConnected(observer));

    // Every probe waits for the reply of the one before, so many probes mean many answers. In
    // subscriber mode the probe is a SUBSCRIBE of the watchdog channel (hiredis 0.14 loses PONGs there).
    const auto calls = [&observer](const QByteArray &command) {
        const Outcome info = run(observer, {"INFO", "commandstats"});
        return info && info->ok() ? commandCalls(info->value().string, command) : -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(calls("ping") >= 15 && calls("subscribe") >= 15, 5000);
    QCOMPARE(plainDrops.count(), 0);
    QCOMPARE(subscriberDrops.count(), 0);
    QVERIFY(plain.isConnected());
    QVERIFY(subscriber.isConnected());

    // And in subscriber mode the watchdog does notice a stalled server.
    server.pause();
    QTRY_COMPARE_WITH_TIMEOUT(subscriberDrops.count(), 1, 3000);
    QVERIFY2(subscriberDrops.at(0).at(0).toString().contains(u"PING"_s),
             qPrintable(subscriberDrops.at(0).at(0).toString()));
    server.resume();
}

void TestRedisClient::authentication()
{
    RedisServer server;
    QVERIFY2(server.start({u"--requirepass"_s, u"s3cret pass"_s}), qPrintable(server.errorString()));
    const QString base = u"127.0.0.1:%1"_s.arg(server.port());

    RedisClient right(testOptions(u"redis://:s3cret%20pass@"_s + base + u"/1"_s));
    right.start();
    QVERIFY2(waitConnected(right), qPrintable(right.lastError()));
    Outcome outcome = run(right, {"SET", "auth:key", "ok"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));

    RedisClient withUser(testOptions(u"redis://default:s3cret%20pass@"_s + base));
    withUser.start();
    QVERIFY2(waitConnected(withUser), qPrintable(withUser.lastError()));

    RedisClient wrong(testOptions(u"redis://:not-it@"_s + base));
    QSignalSpy wrongStates(&wrong, &RedisClient::stateChanged);
    QSignalSpy wrongConnected(&wrong, &RedisClient::connected);
    wrong.start();
    // It keeps retrying (Connecting, Disconnected, Connecting, ...), never Connected.
    QTRY_VERIFY_WITH_TIMEOUT(wrongStates.count() >= 5, 5000);
    QVERIFY2(wrong.lastError().startsWith(u"authentication failed: "_s), qPrintable(wrong.lastError()));
    QVERIFY2(wrong.lastError().contains(u"WRONGPASS"_s), qPrintable(wrong.lastError()));
    QVERIFY(!wrong.lastError().contains(u"not-it"_s));
    QCOMPARE(wrongConnected.count(), 0);
    QVERIFY(!wrong.isConnected());
    for (const QList<QVariant> &change : std::as_const(wrongStates))
        QVERIFY(change.at(0).value<RedisClient::State>() != RedisClient::State::Connected);

    RedisClient none(testOptions(u"redis://"_s + base));
    none.start();
    QTRY_VERIFY_WITH_TIMEOUT(!none.lastError().isEmpty(), 5000);
    QVERIFY2(none.lastError().contains(u"authentication required"_s), qPrintable(none.lastError()));
    QVERIFY(!none.isConnected());
}

void TestRedisClient::databaseIndex()
{
    RedisClient three(testOptions(m_server.url() + u"/3"_s));
    RedisClient alsoThree(testOptions(m_server.url() + u"/3"_s));
    RedisClient zero(testOptions(m_server.url()));
    three.start();
    alsoThree.start();
    zero.start();
    QVERIFY(waitConnected(three));
    QVERIFY(waitConnected(alsoThree));
    QVERIFY(waitConnected(zero));

    Outcome outcome = run(three, {"SET", "database:key", "in three"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    outcome = run(alsoThree, {"GET", "database:key"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::fromString("in three"));
    outcome = run(zero, {"GET", "database:key"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value(), RedisReply::nil());
    run(three, {"DEL", "database:key"});

    // A database the server does not have fails the handshake, with a clear reason.
    RedisClient missing(testOptions(m_server.url() + u"/99"_s));
    missing.start();
    QTRY_VERIFY(!missing.lastError().isEmpty());
    QVERIFY2(missing.lastError().startsWith(u"SELECT 99 failed"_s), qPrintable(missing.lastError()));
    QVERIFY(!missing.isConnected());
}

void TestRedisClient::pubSub()
{
    RedisClient subscriber(testOptions(m_server.url()));
    RedisClient publisher(testOptions(m_server.url()));
    QSignalSpy messages(&subscriber, &RedisClient::message);
    QSignalSpy patternMessages(&subscriber, &RedisClient::patternMessage);
    subscriber.subscribe("news");
    subscriber.psubscribe("bill.*");
    subscriber.start();
    publisher.start();
    // Connected means subscribed.
    QVERIFY(waitConnected(subscriber));
    QVERIFY(waitConnected(publisher));

    Outcome outcome = run(publisher, {"PUBLISH", "news", QByteArray("hello\0world", 11)});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value().integer, qint64(1));
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("news"));
    QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("hello\0world", 11));

    outcome = run(publisher, {"PUBLISH", "bill.42", "{\"amount\":1}"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value().integer, qint64(1));
    QTRY_COMPARE(patternMessages.count(), 1);
    QCOMPARE(patternMessages.at(0).at(0).toByteArray(), QByteArray("bill.*"));
    QCOMPARE(patternMessages.at(0).at(1).toByteArray(), QByteArray("bill.42"));
    QCOMPARE(patternMessages.at(0).at(2).toByteArray(), QByteArray("{\"amount\":1}"));
    QCOMPARE(messages.count(), 1);

    // A subscription made while connected.
    subscriber.subscribe("live");
    const auto subscribers = [&publisher](const QByteArray &channel) {
        const Outcome numsub = run(publisher, {"PUBSUB", "NUMSUB", channel});
        return numsub && numsub->ok() && numsub->value().elements.size() == 2 ? numsub->value().elements.at(1).integer
                                                                              : -1;
    };
    QTRY_COMPARE(subscribers("live"), qint64(1));
    run(publisher, {"PUBLISH", "live", "now"});
    QTRY_COMPARE(messages.count(), 2);
    QCOMPARE(messages.at(1).at(0).toByteArray(), QByteArray("live"));
    QCOMPARE(messages.at(1).at(1).toByteArray(), QByteArray("now"));

    // Unsubscribed: the server forgets us, nothing more is delivered.
    subscriber.unsubscribe("live");
    QTRY_COMPARE(subscribers("live"), qint64(0));
    subscriber.unsubscribe("news");
    subscriber.punsubscribe("bill.*");
    QTRY_COMPARE(subscribers("news"), qint64(0));
    QVERIFY(subscriber.channels().isEmpty());
    QVERIFY(subscriber.patterns().isEmpty());
    outcome = run(publisher, {"PUBLISH", "bill.1", "x"});
    QVERIFY(outcome && outcome->ok());
    QCOMPARE(outcome->value().integer, qint64(0));

    // Out of subscriber mode again, the client takes commands (once the last UNSUBSCRIBE is through).
    QTRY_VERIFY(run(subscriber, {"PING"}).value_or(Result<RedisReply>(Error{})).ok());
    QCOMPARE(messages.count(), 2);
    QCOMPARE(patternMessages.count(), 1);
}

void TestRedisClient::subscriptionsSurviveRestart()
{
    RedisServer server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    RedisClient subscriber(testOptions(server.url()));
    RedisClient publisher(testOptions(server.url()));
    QSignalSpy messages(&subscriber, &RedisClient::message);
    QSignalSpy patternMessages(&subscriber, &RedisClient::patternMessage);
    QSignalSpy connectedSpy(&subscriber, &RedisClient::connected);
    QSignalSpy disconnectedSpy(&subscriber, &RedisClient::disconnected);
    subscriber.start();
    publisher.start();
    QVERIFY(waitConnected(subscriber));
    QVERIFY(waitConnected(publisher));
    subscriber.subscribe("events");
    subscriber.psubscribe("user.*");
    // PUBLISH answers how many received it: wait until our subscriptions are active.
    QTRY_COMPARE(integerOf(run(publisher, {"PUBLISH", "events", "before"})), qint64(1));
    QTRY_VERIFY(messages.count() >= 1);

    server.kill();
    QTRY_COMPARE(disconnectedSpy.count(), 1);
    QVERIFY2(server.restart(), qPrintable(server.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(connectedSpy.count(), 2, 5000);
    QVERIFY(waitConnected(publisher));

    // Connected again means subscribed again: the first publish after connected() arrives.
    const int before = int(messages.count());
    Outcome outcome = run(publisher, {"PUBLISH", "events", "after"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value().integer, qint64(1));
    QTRY_COMPARE(messages.count(), before + 1);
    QCOMPARE(messages.last().at(1).toByteArray(), QByteArray("after"));
    outcome = run(publisher, {"PUBLISH", "user.7", "hi"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(outcome->value().integer, qint64(1));
    QTRY_COMPARE(patternMessages.count(), 1);
    QCOMPARE(patternMessages.at(0).at(1).toByteArray(), QByteArray("user.7"));
}

void TestRedisClient::stopFailsPendingCommands()
{
    RedisClient client(testOptions(m_server.url()));
    QSignalSpy disconnectedSpy(&client, &RedisClient::disconnected);
    QSignalSpy states(&client, &RedisClient::stateChanged);
    client.start();
    QVERIFY(waitConnected(client));

    Outcome blocked;
    client.command({"BLPOP", "stop:never", "0"}, this,
                   [&blocked](const Result<RedisReply> &result) { blocked = result; });
    QCOMPARE(client.pendingCommandCount(), 1);
    client.stop();
    QCOMPARE(client.state(), RedisClient::State::Disconnected);
    QCOMPARE(client.pendingCommandCount(), 0);
    QVERIFY(!blocked.has_value()); // not from inside stop()
    QTRY_VERIFY(blocked.has_value());
    QVERIFY(!blocked->ok());
    QCOMPARE(blocked->error().code, QString(RedisClient::UnavailableError));
    QTRY_COMPARE(disconnectedSpy.count(), 1);

    // Stopped means stopped: an attempt would show up as Connecting long before this PING is answered
    // by a second client (the reconnect delay is 20 ms at most).
    RedisClient other(testOptions(m_server.url()));
    other.start();
    QVERIFY(waitConnected(other));
    QVERIFY(run(other, {"PING"}).has_value());
    QVERIFY(run(other, {"PING"}).has_value());
    QCOMPARE(states.last().at(0).value<RedisClient::State>(), RedisClient::State::Disconnected);
    QCOMPARE(client.state(), RedisClient::State::Disconnected);

    // And start() works again.
    client.start();
    QVERIFY(waitConnected(client));
    const Outcome ping = run(client, {"PING"});
    QVERIFY2(ping && ping->ok(), qPrintable(describe(ping)));
}

void TestRedisClient::destroyingClientWithPendingCommands()
{
    int called = 0;
    {
        auto client = std::make_unique<RedisClient>(testOptions(m_server.url()));
        client->start();
        QVERIFY(waitConnected(*client));
        for (int i = 0; i < 1000; ++i)
            client->command({"INCR", "destroy:counter"}, this, [&called](const Result<RedisReply> &) { ++called; });
        client->command({"BLPOP", "destroy:never", "0"}, this, [&called](const Result<RedisReply> &) { ++called; });
        client->command({"PING"}, nullptr, [&called](const Result<RedisReply> &) { ++called; });
        QVERIFY(client->pendingCommandCount() > 0);
        client.reset();
    }
    // Failed commands queued for delivery when the client goes are not delivered either.
    {
        RedisClient disconnected(testOptions(m_server.url()));
        disconnected.command({"PING"}, this, [&called](const Result<RedisReply> &) { ++called; });
    }
    // Give any stray delivery every chance to happen: a full round trip on another client.
    RedisClient other(testOptions(m_server.url()));
    other.start();
    QVERIFY(waitConnected(other));
    const Outcome outcome = run(other, {"DEL", "destroy:counter"});
    QVERIFY2(outcome && outcome->ok(), qPrintable(describe(outcome)));
    QCOMPARE(called, 0);
}

void TestRedisClient::deletingClientFromItsOwnCallback()
{
    auto *client = new RedisClient(testOptions(m_server.url()));
    client->start();
    QVERIFY(waitConnected(*client));
    QPointer<RedisClient> guard(client);
    int called = 0;
    client->command({"PING"}, this, [&called, client](const Result<RedisReply> &) {
        ++called;
        delete client;
    });
    for (int i = 0; i < 100; ++i)
        client->command({"PING"}, this, [&called](const Result<RedisReply> &) { ++called; });
    QTRY_VERIFY(guard.isNull());
    // The replies after the first are dropped with the client.
    RedisClient other(testOptions(m_server.url()));
    other.start();
    QVERIFY(waitConnected(other));
    QVERIFY(run(other, {"PING"}).has_value());
    QCOMPARE(called, 1);
}

QTEST_GUILESS_MAIN(TestRedisClient)
#include "tst_redisclient.moc"
