// SIGHUP reloads the configuration of the real service binary (docs/operator.md "Reloading"): the
// JWT secret and API key from the --config file take effect for new clients and requests while
// connected clients stay; an option that needs a restart is reported; a broken file changes nothing.

#include "auth/jwtverifier.h"
#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstddef>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

constexpr char OldSecret[] = "reload-old-secret";
constexpr char NewSecret[] = "reload-new-secret";
constexpr char OldKey[] = "reload-old-api-key";
constexpr char NewKey[] = "reload-new-api-key";

QByteArray tokenSignedWith(const char *secret, const QString &userId)
{
    return wsinfra::JwtVerifier::sign(
        QJsonObject{{u"sub"_s, userId}, {u"exp"_s, QDateTime::currentSecsSinceEpoch() + 3600}}, QByteArray(secret));
}

Headers keyHeaders(const char *key)
{
    return {{"Authorization", "Bearer " + QByteArray(key)}};
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

QByteArray configJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson();
}

/// The test environment without the secrets: the --config file decides them (an empty variable counts
/// as unset), so that a reload can change them.
QProcessEnvironment withoutEnvironmentSecrets()
{
    QProcessEnvironment environment;
    environment.insert(u"JWT_SECRET"_s, QString());
    environment.insert(u"WSINFRA_API_KEY"_s, QString());
    return environment;
}

} // namespace

class TestReload : public QObject
{
    Q_OBJECT

private slots:
    void secretsAndKeyReloadWhileClientsStay();
    void invalidFileKeepsTheConfigurationInEffect();
    void withoutConfigFileSighupIsHarmless();
    void notifiesSystemdOfReadyReloadAndStop();

private:
    /// The events of the service's log (GET /api/events with `key`).
    static QJsonArray events(const ServiceProcess &service, const char *key);
    /// Whether an event of this level and category has a message containing `text`.
    static bool hasEvent(const ServiceProcess &service, const char *key, const QString &level, const QString &text);
    static bool hangUp(ServiceProcess &service);
    /// 401 for an upgrade with this token; 0 when the service did not answer.
    static int upgradeStatus(const ServiceProcess &service, const QByteArray &token);
};

QJsonArray TestReload::events(const ServiceProcess &service, const char *key)
{
    return httpGet(service.httpUrl(u"/api/events?limit=1000"_s), keyHeaders(key)).json().value("events"_L1).toArray();
}

bool TestReload::hasEvent(const ServiceProcess &service, const char *key, const QString &level, const QString &text)
{
    const QJsonArray all = events(service, key);
    for (const QJsonValue &event : all) {
        const QJsonObject object = event.toObject();
        if (object.value("category"_L1) == "config"_L1 && object.value("level"_L1) == level &&
            object.value("message"_L1).toString().contains(text))
            return true;
    }
    return false;
}

bool TestReload::hangUp(ServiceProcess &service)
{
    const qint64 pid = service.process().processId();
    return pid > 0 && ::kill(pid_t(pid), SIGHUP) == 0;
}

int TestReload::upgradeStatus(const ServiceProcess &service, const QByteArray &token)
{
    return statusOf(rawExchange(service.port(), upgradeRequest("/ws?token=" + token)));
}

void TestReload::secretsAndKeyReloadWhileClientsStay()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"wsinfra.json"_s);
    QVERIFY(writeFile(path, configJson({{u"jwtSecret"_s, QString::fromLatin1(OldSecret)},
                                        {u"apiKey"_s, QString::fromLatin1(OldKey)},
                                        {u"historySize"_s, 1000}})));
    ServiceProcess service;
    QVERIFY2(service.start({u"--config"_s, path}, withoutEnvironmentSecrets()), qPrintable(service.errorString()));

    WsClient connected;
    QVERIFY(connected.open(service.wsUrlWithToken(tokenSignedWith(OldSecret, u"alice"_s))));
    QVERIFY(connected.subscribe(4242));
    QCOMPARE(httpGet(service.httpUrl(u"/api/stats"_s), keyHeaders(OldKey)).status, 200);

    // New secret and key, a tighter rate limit, and an option that needs a restart.
    QVERIFY(writeFile(path, configJson({{u"jwtSecret"_s, QString::fromLatin1(NewSecret)},
                                        {u"apiKey"_s, QString::fromLatin1(NewKey)},
                                        {u"messagesPerSecond"_s, 50},
                                        {u"historySize"_s, 500}})));
    QVERIFY(hangUp(service));
    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(service, NewKey, u"info"_s, u"configuration reloaded"_s), 10'000);

    const QJsonArray log = events(service, NewKey);
    QString reloaded;
    for (const QJsonValue &event : log) {
        const QString message = event.toObject().value("message"_L1).toString();
        if (message.startsWith("configuration reloaded"_L1))
            reloaded = message;
        // Keys are named, values never.
        QVERIFY2(!message.contains(QLatin1StringView(NewSecret)) && !message.contains(QLatin1StringView(NewKey)),
                 qPrintable(message));
    }
    QVERIFY2(reloaded.contains(u"jwtSecret"_s) && reloaded.contains(u"apiKey"_s) &&
                 reloaded.contains(u"messagesPerSecond"_s) && !reloaded.contains(u"historySize"_s),
             qPrintable(reloaded));
    QVERIFY(hasEvent(service, NewKey, u"warning"_s,
                     u"historySize changed in the configuration; it takes effect after a restart"_s));

    // New clients: the old secret is refused before the upgrade, the new one accepted.
    QCOMPARE(upgradeStatus(service, tokenSignedWith(OldSecret, u"bob"_s)), 401);
    WsClient fresh;
    QVERIFY(fresh.open(service.wsUrlWithToken(tokenSignedWith(NewSecret, u"carol"_s))));

    // The HTTP API answers the new key only.
    QCOMPARE(httpGet(service.httpUrl(u"/api/stats"_s), keyHeaders(OldKey)).status, 401);
    const HttpResult published =
        httpPost(service.httpUrl(u"/api/bills/4242/updates"_s), R"({"total":12})", keyHeaders(NewKey));
    QCOMPARE(published.status, 200);

    // The client admitted under the old secret is still connected and gets the publish.
    const QJsonObject update = connected.waitFor(u"bill_update"_s);
    QVERIFY2(!update.isEmpty(), "the connected client lost its connection on reload");
    QCOMPARE(update.value("message_id"_L1), published.json().value("message_id"_L1));
    QVERIFY(connected.isOpen());
    QVERIFY(service.process().state() == QProcess::Running);
    QCOMPARE(service.terminate(), 0);
}

void TestReload::invalidFileKeepsTheConfigurationInEffect()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"wsinfra.json"_s);
    QVERIFY(writeFile(path, configJson({{u"jwtSecret"_s, QString::fromLatin1(OldSecret)},
                                        {u"apiKey"_s, QString::fromLatin1(OldKey)}})));
    ServiceProcess service;
    QVERIFY2(service.start({u"--config"_s, path}, withoutEnvironmentSecrets()), qPrintable(service.errorString()));
    WsClient connected;
    QVERIFY(connected.open(service.wsUrlWithToken(tokenSignedWith(OldSecret, u"alice"_s))));

    // Broken JSON, then a value out of range: each refused as a whole, nothing applied.
    const QList<QByteArray> broken{
        "{ \"jwtSecret\": \"" + QByteArray(NewSecret) + "\", ",
        configJson({{u"jwtSecret"_s, QString::fromLatin1(NewSecret)}, {u"maxConnections"_s, -5}}),
    };
    for (const QByteArray &content : broken) {
        QVERIFY(writeFile(path, content));
        const int before = int(events(service, OldKey).size());
        QVERIFY(hangUp(service));
        QTRY_VERIFY_WITH_TIMEOUT(events(service, OldKey).size() > before, 10'000);
        QVERIFY(hasEvent(service, OldKey, u"error"_s, u"reload failed, the configuration in effect is kept"_s));
        QVERIFY(!hasEvent(service, OldKey, u"info"_s, u"configuration reloaded"_s));

        QVERIFY(service.process().state() == QProcess::Running);
        WsClient again;
        QVERIFY(again.open(service.wsUrlWithToken(tokenSignedWith(OldSecret, u"bob"_s))));
        QCOMPARE(upgradeStatus(service, tokenSignedWith(NewSecret, u"carol"_s)), 401);
        QCOMPARE(httpGet(service.httpUrl(u"/api/stats"_s), keyHeaders(OldKey)).status, 200);
        QVERIFY(connected.isOpen());
    }
    QCOMPARE(service.terminate(), 0);
}

void TestReload::withoutConfigFileSighupIsHarmless()
{
    ServiceProcess service; // the test secret and key from the environment, no --config
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    WsClient connected;
    QVERIFY(connected.open(service.wsUrlFor(u"alice"_s)));
    QVERIFY(hangUp(service));
    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(service, TestApiKey, u"info"_s,
                                      u"configuration reloaded: no option that can change at runtime changed"_s),
                             10'000);
    QVERIFY(!hasEvent(service, TestApiKey, u"warning"_s, u"takes effect after a restart"_s));
    QVERIFY(connected.isOpen());
    WsClient fresh;
    QVERIFY(fresh.open(service.wsUrlFor(u"bob"_s)));
    QCOMPARE(service.terminate(), 0);
}

void TestReload::notifiesSystemdOfReadyReloadAndStop()
{
    // The fake systemd: an abstract datagram socket named in NOTIFY_SOCKET.
    const QByteArray name = "wsinfra-reload-" + QByteArray::number(QCoreApplication::applicationPid());
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    QVERIFY(fd >= 0);
    const auto closeSocket = qScopeGuard([fd] { ::close(fd); });
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path + 1, name.constData(), std::size_t(name.size()));
    QCOMPARE(::bind(fd, reinterpret_cast<const sockaddr *>(&address),
                    socklen_t(offsetof(sockaddr_un, sun_path) + 1 + std::size_t(name.size()))),
             0);
    // The next datagram other than a watchdog ping (null when none came in time).
    const auto next = [fd] {
        for (;;) {
            pollfd waiting{fd, POLLIN, 0};
            if (::poll(&waiting, 1, 10'000) != 1)
                return QByteArray();
            char buffer[4096];
            const ssize_t size = ::recv(fd, buffer, sizeof buffer, 0);
            if (size < 0)
                return QByteArray();
            if (QByteArray(buffer, size) != "WATCHDOG=1")
                return QByteArray(buffer, size);
        }
    };

    QProcessEnvironment environment;
    environment.insert(u"NOTIFY_SOCKET"_s, u"@"_s + QString::fromLatin1(name));
    environment.insert(u"WATCHDOG_USEC"_s, u"10000000"_s);
    ServiceProcess service;
    QVERIFY2(service.start({}, environment), qPrintable(service.errorString()));
    const QByteArray pid = QByteArray::number(service.process().processId());
    QCOMPARE(next(),
             "READY=1\nSTATUS=listening on 127.0.0.1:" + QByteArray::number(service.port()) + "\nMAINPID=" + pid);

    QVERIFY(hangUp(service));
    QVERIFY(next().startsWith("RELOADING=1\nMONOTONIC_USEC="));
    const QByteArray ready = next();
    QVERIFY2(ready.startsWith("READY=1\nSTATUS=listening on ") && ready.contains("reloaded: nothing") &&
                 ready.endsWith(QByteArray("\nMAINPID=" + pid)),
             ready.constData());

    service.process().terminate();
    QCOMPARE(next(), "STOPPING=1"_ba);
    QVERIFY(service.process().waitForFinished(15'000));
    QCOMPARE(service.process().exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestReload)
#include "tst_reload.moc"
