// Memory pressure against the real service binary: a service whose budget is below what it needs at
// idle is at the emergency level right away, reports unhealthy, refuses new clients (native upgrade
// and Engine.IO handshake) and logs the level change in /api/events; a service with a generous
// budget is healthy and admits clients. The event log's HTTP answer is checked on the way.

#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <memory>
#include <vector>

#include <csignal>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

QJsonArray eventsOf(const ServiceProcess &service, const QString &query = {})
{
    return httpGet(service.httpUrl(u"/api/events"_s + query), apiKeyHeaders()).json().value("events"_L1).toArray();
}

/// The first event of `category` (empty when there is none).
QJsonObject firstEvent(const QJsonArray &events, const QString &category)
{
    for (const QJsonValue &event : events) {
        if (event.toObject().value("category"_L1).toString() == category)
            return event.toObject();
    }
    return {};
}

const QString Generous = u"16GB"_s;

} // namespace

class TestMemory : public QObject
{
    Q_OBJECT

private slots:
    void generousBudgetIsHealthyAndAdmits();
    void emergencyRefusesNewClientsAndReportsUnhealthy();
    void connectionsPushItToEmergencyAndClosingThemRecovers();
    void eventsQueryIsValidated_data();
    void eventsQueryIsValidated();
    void cleanupTestCase() { m_shared.reset(); }

private:
    /// The RSS of an idle service (measured by the first test, or now when run on its own).
    qint64 idleResidentBytes();

    qint64 m_idleResidentBytes = 0;
    std::unique_ptr<ServiceProcess> m_shared; ///< one service for every row of eventsQueryIsValidated
};

void TestMemory::generousBudgetIsHealthyAndAdmits()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--memory-limit"_s, Generous, u"--memory-check-interval"_s, u"100ms"_s}),
             qPrintable(service.errorString()));
    // Idle: before any client or request made it grow.
    m_idleResidentBytes = service.residentBytes();
    QVERIFY(m_idleResidentBytes > 0);

    const HttpResult health = httpGet(service.httpUrl(u"/health"_s));
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value("status"_L1).toString(), u"healthy"_s);
    QVERIFY(health.json().value("errors"_L1).toArray().isEmpty());
    QVERIFY(health.json().value("memoryUsage"_L1).toDouble() < 5.0);

    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"amy"_s)));
    QCOMPARE(httpGet(service.httpUrl(u"/socket.io/?EIO=4&transport=polling"_s)).status, 200);

    QCOMPARE(service.metric("wsinfra_memory_pressure_level"), 0.0);
    QCOMPARE(service.metric("wsinfra_memory_budget_bytes"), 16.0 * 1024 * 1024 * 1024);
    const double pressure = service.metric("wsinfra_memory_pressure_percent");
    QVERIFY2(pressure > 0.0 && pressure < 5.0, qPrintable(QString::number(pressure)));
    const QJsonObject memory =
        httpGet(service.httpUrl(u"/api/metrics"_s), apiKeyHeaders()).json().value("memory"_L1).toObject();
    QCOMPARE(memory.value("level"_L1).toString(), u"normal"_s);
    QCOMPARE(memory.value("budgetBytes"_L1).toInteger(), 16LL << 30);
    // The levels' thresholds, for charts: the defaults (MEMORY_*_THRESHOLD) in percent of the budget.
    QCOMPARE(memory.value("thresholds"_L1).toObject(),
             (QJsonObject{{u"warning"_s, 70}, {u"critical"_s, 85}, {u"emergency"_s, 95}}));

    // The start is logged; the memory level never changed.
    const QJsonArray events = eventsOf(service);
    const QJsonObject started = firstEvent(events, u"service"_s);
    QCOMPARE(started.value("level"_L1).toString(), u"info"_s);
    QVERIFY(started.value("message"_L1).toString().contains(QString::number(service.port())));
    QVERIFY(started.value("id"_L1).toInteger() >= 1);
    QVERIFY(started.value("timestamp"_L1).toInteger() > 0);
    QVERIFY(firstEvent(events, u"memory"_s).isEmpty());
    QCOMPARE(service.terminate(), 0);
}

void TestMemory::emergencyRefusesNewClientsAndReportsUnhealthy()
{
    const qint64 idle = idleResidentBytes();
    QVERIFY(idle > 0);
    // A budget the idle service overshoots by about 5%: emergency (95%) from the first check, with
    // room for the second process's RSS to differ from the first's.
    const qint64 limit = idle * 100 / 105;
    ServiceProcess service;
    QVERIFY2(service.start({u"--memory-limit"_s, QString::number(limit), u"--memory-check-interval"_s, u"100ms"_s}),
             qPrintable(service.errorString()));

    QTRY_COMPARE(httpGet(service.httpUrl(u"/health"_s)).status, 503);
    const QJsonObject health = httpGet(service.httpUrl(u"/health"_s)).json();
    QCOMPARE(health.value("status"_L1).toString(), u"unhealthy"_s);
    QCOMPARE(health.value("isHealthy"_L1).toBool(), false);
    QVERIFY(health.value("memoryUsage"_L1).toDouble() >= 90.0); // the emergency level is left below 90
    const QJsonArray errors = health.value("errors"_L1).toArray();
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.at(0).toString().contains("emergency"_L1), qPrintable(errors.at(0).toString()));

    QCOMPARE(service.metric("wsinfra_memory_pressure_level"), 3.0);
    QCOMPARE(service.metric("wsinfra_memory_budget_bytes"), double(limit));
    QVERIFY(service.metric("wsinfra_memory_pressure_percent") >= 90.0);
    QCOMPARE(service.metric("wsinfra_healthy"), 0.0);
    const QJsonObject memory =
        httpGet(service.httpUrl(u"/api/metrics"_s), apiKeyHeaders()).json().value("memory"_L1).toObject();
    QCOMPARE(memory.value("level"_L1).toString(), u"emergency"_s);

    // A native upgrade is refused before it happens, and counted.
    const double refusedBefore = service.metric("wsinfra_connections_refused_total");
    const QByteArray response = rawExchange(service.port(), upgradeRequest("/ws?token=" + makeToken(u"bob"_s)));
    QCOMPARE(statusOf(response), 503);
    QVERIFY(!response.contains("Sec-WebSocket-Accept"));
    const QJsonObject refusal = jsonBodyOf(response);
    QCOMPARE(refusal.value("code"_L1).toString(), u"unavailable"_s);
    QVERIFY2(refusal.value("message"_L1).toString().contains("memory"_L1),
             qPrintable(refusal.value("message"_L1).toString()));
    QCOMPARE(service.metric("wsinfra_connections_refused_total"), refusedBefore + 1);
    QCOMPARE(service.user(u"bob"_s).value("connections"_L1).toInt(), 0);

    // So is a new Engine.IO session, before it exists.
    const HttpResult handshake = httpGet(service.httpUrl(u"/socket.io/?EIO=4&transport=polling"_s));
    QCOMPARE(handshake.status, 503);
    QCOMPARE(handshake.json().value("code"_L1).toString(), u"unavailable"_s);
    QVERIFY(handshake.json().value("message"_L1).toString().contains("memory"_L1));

    // The level change is in the event log, as an error, with what it means.
    const HttpResult answer = httpGet(service.httpUrl(u"/api/events"_s), apiKeyHeaders());
    QCOMPARE(answer.status, 200);
    const QJsonObject change = firstEvent(answer.json().value("events"_L1).toArray(), u"memory"_s);
    QCOMPARE(change.value("level"_L1).toString(), u"error"_s);
    const QString message = change.value("message"_L1).toString();
    QVERIFY2(message.contains("emergency"_L1) && message.contains("was normal"_L1) && message.contains("refused"_L1),
             qPrintable(message));
    const qint64 lastId = answer.json().value("last_id"_L1).toInteger();
    QVERIFY(lastId >= change.value("id"_L1).toInteger());
    // Reading from the last id gives nothing new, and the same id to continue from.
    const HttpResult nothingNew = httpGet(service.httpUrl(u"/api/events?since=%1"_s.arg(lastId)), apiKeyHeaders());
    QCOMPARE(nothingNew.status, 200);
    QVERIFY(nothingNew.json().value("events"_L1).toArray().isEmpty());
    QCOMPARE(nothingNew.json().value("last_id"_L1).toInteger(), lastId);
    // Paging: one event at a time, from the start.
    const QJsonObject firstPage = httpGet(service.httpUrl(u"/api/events?since=0&limit=1"_s), apiKeyHeaders()).json();
    QCOMPARE(firstPage.value("events"_L1).toArray().size(), 1);
    QCOMPARE(firstPage.value("events"_L1).toArray().at(0).toObject().value("id"_L1).toInteger(), 1);
    QCOMPARE(firstPage.value("last_id"_L1).toInteger(), 1);

    QCOMPARE(service.terminate(), 0);
}

qint64 TestMemory::idleResidentBytes()
{
    if (m_idleResidentBytes == 0) {
        ServiceProcess probe;
        if (!probe.start())
            return 0;
        m_idleResidentBytes = probe.residentBytes();
        probe.terminate();
    }
    return m_idleResidentBytes;
}

// The whole path with real clients: connections until the memory they take makes the node refuse new
// ones; health leaves healthy on the way. When the clients leave, the node returns to admitting without
// a restart. What a connection costs differs between builds and runs (ASan's allocator, the machine's
// load), so the budget is set from a measurement: a generous one for the first ProbeClients, then, by a
// configuration reload, one that the next ~ProbeClients reach at the emergency threshold.
void TestMemory::connectionsPushItToEmergencyAndClosingThemRecovers()
{
    constexpr int MaxClients = 8000;
    constexpr int Batch = 100;
    constexpr int ProbeClients = 1000;
    rlimit files{};
    QVERIFY(::getrlimit(RLIMIT_NOFILE, &files) == 0);
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, MaxClients + 1000);
    QVERIFY2(::setrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur >= MaxClients + 100,
             "the test needs more open files than the hard limit allows");

    const qint64 idle = idleResidentBytes();
    QVERIFY(idle > 0);
    qint64 limit = idle * 16;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString configPath = dir.filePath(u"wsinfra.json"_s);
    const auto writeLimit = [&configPath](qint64 bytes) {
        QFile file(configPath);
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
               file.write(QJsonDocument(QJsonObject{{u"memoryLimit"_s, QString::number(bytes)}}).toJson()) > 0;
    };
    QVERIFY(writeLimit(limit));
    // Under AddressSanitizer freed memory must go back to the system as it would with glibc (no
    // quarantine, released soon); without it the variable is ignored.
    QProcessEnvironment environment;
    const QString asan = qEnvironmentVariable("ASAN_OPTIONS");
    environment.insert(u"ASAN_OPTIONS"_s, asan + (asan.isEmpty() ? u""_s : u":"_s) +
                                              u"quarantine_size_mb=0:allocator_release_to_os_interval_ms=10"_s);
    ServiceProcess service;
    service.setOpenFileLimit(MaxClients + 1000);
    QVERIFY2(service.start({u"--config"_s, configPath, u"--memory-check-interval"_s, u"100ms"_s,
                            u"--health-check-interval"_s, u"100ms"_s, u"--max-connections"_s,
                            QString::number(MaxClients + 100)},
                           environment),
             qPrintable(service.errorString()));
    QTRY_COMPARE(httpGet(service.httpUrl(u"/health"_s)).json().value("status"_L1).toString(), u"healthy"_s);

    QElapsedTimer phase;
    phase.start();
    std::vector<std::unique_ptr<QWebSocket>> clients;
    int connected = 0;
    int shed = 0;
    bool leftHealthy = false;
    bool refused = false;
    const QByteArray token = makeToken(u"crowd"_s);
    bool probed = false;
    while (!refused && int(clients.size()) < MaxClients) {
        if (!probed && connected >= ProbeClients) {
            // What these clients cost, and a budget whose emergency level as many more would reach.
            probed = true;
            const double rss = service.metric("wsinfra_memory_rss_bytes");
            const double perClient = (rss - double(idle)) / connected;
            QVERIFY2(perClient > 0, qPrintable(u"RSS %1 with %2 clients"_s.arg(rss).arg(connected)));
            limit = qint64((rss + ProbeClients * perClient) / 0.95);
            QVERIFY(writeLimit(limit));
            QVERIFY(::kill(pid_t(service.process().processId()), SIGHUP) == 0);
            QTRY_VERIFY_WITH_TIMEOUT(eventsOf(service, u"?limit=1000"_s)
                                         .last()
                                         .toObject()
                                         .value("message"_L1)
                                         .toString()
                                         .contains("memoryLimit"_L1),
                                     10'000);
        }
        for (int i = 0; i < Batch; ++i) {
            auto socket = std::make_unique<QWebSocket>();
            connect(socket.get(), &QWebSocket::connected, this, [&connected] { ++connected; });
            connect(socket.get(), &QWebSocket::disconnected, this, [&shed, raw = socket.get()] {
                if (raw->closeCode() == QWebSocketProtocol::CloseCode(4004))
                    ++shed;
            });
            socket->open(QUrl(service.wsUrlWithToken(token)));
            clients.push_back(std::move(socket));
        }
        // Each batch is in (or refused) before the next: the service measures what is open.
        QTRY_VERIFY_WITH_TIMEOUT(connected + shed >= int(clients.size()) - Batch / 2 ||
                                     httpGet(service.httpUrl(u"/health"_s)).status == 503,
                                 20'000);
        const QJsonObject health = httpGet(service.httpUrl(u"/health"_s)).json();
        leftHealthy = leftHealthy || health.value("status"_L1).toString() != "healthy"_L1;
        // An admitted upgrade stays open: its 101 is all there is to read.
        const QByteArray response = rawExchange(service.port(), upgradeRequest("/ws?token=" + token), 300);
        if (statusOf(response) == 503) {
            QVERIFY2(jsonBodyOf(response).value("message"_L1).toString().contains("memory"_L1), response.constData());
            refused = true;
        }
    }
    const QString reached = u"%1 clients opened, %2 connected, RSS %3 MiB of a %4 MiB budget"_s.arg(clients.size())
                                .arg(connected)
                                .arg(service.metric("wsinfra_memory_rss_bytes") / 1048576.0, 0, 'f', 1)
                                .arg(double(limit) / 1048576.0, 0, 'f', 1);
    qInfo().noquote() << reached << "after" << phase.restart() << "ms";
    QVERIFY2(refused, qPrintable(reached));
    QVERIFY2(leftHealthy, qPrintable(reached));
    QVERIFY2(connected >= 1000, qPrintable(reached)); // it took a crowd, not a handful
    QVERIFY(service.metric("wsinfra_connections_refused_total") >= 1);

    // The crowd leaves; without a restart the node admits again and health comes back.
    clients.clear();
    QTRY_VERIFY_WITH_TIMEOUT(service.stats().value("activeConnections"_L1).toInt() == 0, 30'000);
    qInfo() << "closed in" << phase.restart() << "ms";
    QTRY_VERIFY_WITH_TIMEOUT(httpGet(service.httpUrl(u"/health"_s)).status == 200, 30'000);
    qInfo() << "healthy in" << phase.restart() << "ms";
    WsClient late;
    QVERIFY(late.open(service.wsUrlFor(u"late"_s)));
    const QJsonArray events = eventsOf(service);
    bool enteredEmergency = false;
    bool leftEmergency = false;
    for (const QJsonValue &event : events) {
        const QString message = event.toObject().value("message"_L1).toString();
        enteredEmergency = enteredEmergency || message.startsWith("memory pressure emergency"_L1);
        leftEmergency = leftEmergency || message.contains("(was emergency)"_L1);
    }
    QVERIFY(enteredEmergency);
    QVERIFY(leftEmergency);
    const int exitCode = service.terminate();
    if (exitCode != 0)
        qWarning().noquote() << service.standardError().right(6000);
    QCOMPARE(exitCode, 0);
}

void TestMemory::eventsQueryIsValidated_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<bool>("withKey");
    QTest::addColumn<int>("status");
    QTest::newRow("no key") << u""_s << false << 401;
    QTest::newRow("defaults") << u""_s << true << 200;
    QTest::newRow("since 0, limit 1000") << u"?since=0&limit=1000"_s << true << 200;
    QTest::newRow("huge since") << u"?since=9007199254740991"_s << true << 200;
    QTest::newRow("since too big") << u"?since=9007199254740992"_s << true << 400;
    QTest::newRow("since overflowing") << u"?since=99999999999999999999999"_s << true << 400;
    QTest::newRow("negative since") << u"?since=-1"_s << true << 400;
    QTest::newRow("since not a number") << u"?since=abc"_s << true << 400;
    QTest::newRow("since empty") << u"?since="_s << true << 400;
    QTest::newRow("since with sign") << u"?since=+1"_s << true << 400;
    QTest::newRow("since with space") << u"?since=%201"_s << true << 400;
    QTest::newRow("since hex") << u"?since=0x10"_s << true << 400;
    QTest::newRow("limit 0") << u"?limit=0"_s << true << 400;
    QTest::newRow("limit 1001") << u"?limit=1001"_s << true << 400;
    QTest::newRow("limit fraction") << u"?limit=1.5"_s << true << 400;
    QTest::newRow("embedded NUL") << u"?since=1%00"_s << true << 400;
}

void TestMemory::eventsQueryIsValidated()
{
    QFETCH(QString, query);
    QFETCH(bool, withKey);
    QFETCH(int, status);
    if (!m_shared) {
        m_shared = std::make_unique<ServiceProcess>();
        QVERIFY2(m_shared->start(), qPrintable(m_shared->errorString()));
    }
    const HttpResult answer =
        httpGet(m_shared->httpUrl(u"/api/events"_s + query), withKey ? apiKeyHeaders() : Headers{});
    QCOMPARE(answer.status, status);
    if (status == 400) {
        QCOMPARE(answer.json().value("code"_L1).toString(), u"bad_request"_s);
        QVERIFY(!answer.json().value("message"_L1).toString().isEmpty());
    }
    if (status == 200) {
        QVERIFY(answer.json().value("events"_L1).isArray());
        QVERIFY(answer.json().value("last_id"_L1).toInteger() >= 1); // the start is logged
    }
}

QTEST_GUILESS_MAIN(TestMemory)
#include "tst_memory.moc"
