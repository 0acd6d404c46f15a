// POST /api/memory/analysis against the real service: the MemoryAnalysis structure, counts that
// match what the test connected and subscribed, no orphans in a healthy service (also after clients
// left), no leak events, and the API key and method rules of the other /api routes.

#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

QJsonObject analysisOf(const ServiceProcess &service)
{
    const HttpResult answer = httpPost(service.httpUrl(u"/api/memory/analysis"_s), {}, apiKeyHeaders());
    return answer.status == 200 ? answer.json() : QJsonObject();
}

qint64 serviceCount(const ServiceProcess &service, QLatin1StringView name)
{
    return analysisOf(service).value("service"_L1).toObject().value(name).toInteger(-1);
}

} // namespace

class TestLeakDetectorIntegration : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void analysisCountsWhatIsConnected();
    void noOrphansAfterClientsLeave();
    void requiresTheApiKey_data();
    void requiresTheApiKey();
    void cleanupTestCase() { m_service.reset(); }

private:
    std::unique_ptr<ServiceProcess> m_service;
};

void TestLeakDetectorIntegration::initTestCase()
{
    m_service = std::make_unique<ServiceProcess>();
    QVERIFY2(m_service->start({u"--memory-check-interval"_s, u"100ms"_s, u"--memory-limit"_s, u"8GB"_s}),
             qPrintable(m_service->errorString()));
}

void TestLeakDetectorIntegration::analysisCountsWhatIsConnected()
{
    ServiceProcess &service = *m_service;
    WsClient amy;
    WsClient bob;
    WsClient cid;
    QVERIFY(amy.open(service.wsUrlFor(u"amy"_s)));
    QVERIFY(bob.open(service.wsUrlFor(u"bob"_s)));
    QVERIFY(cid.open(service.wsUrlFor(u"cid"_s)));
    QVERIFY(amy.subscribe(501));
    QVERIFY(amy.subscribe(502));
    QVERIFY(bob.subscribe(501));
    QVERIFY(cid.subscribe(502));
    QCOMPARE(service.publishBill(501, QJsonObject{{u"status"_s, u"paid"_s}}).status, 200);
    QVERIFY(!amy.waitFor(u"bill_update"_s).isEmpty());
    // A Socket.IO client that opened an Engine.IO session but has not connected yet.
    QCOMPARE(httpGet(service.httpUrl(u"/socket.io/?EIO=4&transport=polling"_s)).status, 200);

    const HttpResult answer = httpPost(service.httpUrl(u"/api/memory/analysis"_s), {}, apiKeyHeaders());
    QCOMPARE(answer.status, 200);
    const QJsonObject json = answer.json();

    const QJsonObject process = json.value("process"_L1).toObject();
    QVERIFY(process.value("rssBytes"_L1).toInteger() > 1024 * 1024);
    QCOMPARE(process.value("budgetBytes"_L1).toInteger(), 8LL << 30);
    const double percent = process.value("percent"_L1).toDouble();
    QVERIFY2(percent > 0.0 && percent < 10.0, qPrintable(QString::number(percent)));
    QCOMPARE(process.value("level"_L1).toString(), u"normal"_s);

    const QJsonObject counts = json.value("service"_L1).toObject();
    QCOMPARE(counts.value("connections"_L1).toInteger(), 3);
    QCOMPARE(counts.value("subscriptions"_L1).toInteger(), 4);
    QCOMPARE(counts.value("subscribedBills"_L1).toInteger(), 2);
    QCOMPARE(counts.value("historyEntries"_L1).toInteger(), 1);
    QCOMPARE(counts.value("historyBills"_L1).toInteger(), 1);
    QCOMPARE(counts.value("engineIoSessions"_L1).toInteger(), 1);
    QCOMPARE(counts.value("inboxEntries"_L1).toInteger(), 0);
    QCOMPARE(counts.value("recoverySessions"_L1).toInteger(), 0);
    const QJsonObject estimates = counts.value("estimates"_L1).toObject();
    const QJsonObject connections = estimates.value("structures"_L1).toObject().value("connections"_L1).toObject();
    QCOMPARE(connections.value("bytes"_L1).toInteger(), 3 * connections.value("bytesPerEntry"_L1).toInteger());
    QVERIFY(estimates.value("totalBytes"_L1).toInteger() >= connections.value("bytes"_L1).toInteger());

    const QJsonObject analysis = json.value("analysis"_L1).toObject();
    QVERIFY(analysis.value("orphans"_L1).isArray());
    QVERIFY(analysis.value("orphans"_L1).toArray().isEmpty());
    QCOMPARE(analysis.value("orphanCount"_L1).toInteger(), 0);
    QVERIFY(analysis.value("growth"_L1).isArray());
    QVERIFY(analysis.value("warnings"_L1).isArray());
    QVERIFY(analysis.value("samples"_L1).toInteger() >= 1); // sampled at start and every 100 ms
}

void TestLeakDetectorIntegration::noOrphansAfterClientsLeave()
{
    ServiceProcess &service = *m_service;
    {
        WsClient first;
        WsClient second;
        QVERIFY(first.open(service.wsUrlFor(u"dan"_s)));
        QVERIFY(second.open(service.wsUrlFor(u"dan"_s)));
        QVERIFY(first.subscribe(601));
        QVERIFY(second.subscribe(601));
        QVERIFY(second.subscribe(602));
        QTRY_COMPARE(serviceCount(service, "connections"_L1), 2);
        QCOMPARE(serviceCount(service, "subscriptions"_L1), 3);
        second.close();
        QVERIFY(second.waitClosed());
        QTRY_COMPARE(serviceCount(service, "connections"_L1), 1);
        QCOMPARE(serviceCount(service, "subscriptions"_L1), 1);
        QCOMPARE(serviceCount(service, "subscribedBills"_L1), 1);
    }
    QTRY_COMPARE(serviceCount(service, "connections"_L1), 0);
    const QJsonObject json = analysisOf(service);
    QCOMPARE(json.value("service"_L1).toObject().value("subscriptions"_L1).toInteger(), 0);
    QCOMPARE(json.value("analysis"_L1).toObject().value("orphanCount"_L1).toInteger(), 0);
    QVERIFY(json.value("analysis"_L1).toObject().value("orphans"_L1).toArray().isEmpty());

    // Nothing leaked, so nothing was logged as a leak.
    const QJsonArray events =
        httpGet(service.httpUrl(u"/api/events"_s), apiKeyHeaders()).json().value("events"_L1).toArray();
    QVERIFY(!events.isEmpty());
    for (const QJsonValue &event : events)
        QVERIFY2(event.toObject().value("category"_L1).toString() != u"leak"_s,
                 qPrintable(event.toObject().value("message"_L1).toString()));
}

void TestLeakDetectorIntegration::requiresTheApiKey_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("withKey");
    QTest::addColumn<int>("status");
    QTest::newRow("POST without key") << QByteArray("POST") << false << 401;
    QTest::newRow("GET without key") << QByteArray("GET") << false << 401;
    QTest::newRow("GET with key") << QByteArray("GET") << true << 405;
    QTest::newRow("DELETE with key") << QByteArray("DELETE") << true << 405;
    QTest::newRow("POST with key") << QByteArray("POST") << true << 200;
}

void TestLeakDetectorIntegration::requiresTheApiKey()
{
    QFETCH(QByteArray, method);
    QFETCH(bool, withKey);
    QFETCH(int, status);
    const HttpResult answer =
        httpRequest(method, m_service->httpUrl(u"/api/memory/analysis"_s), {}, withKey ? apiKeyHeaders() : Headers{});
    QCOMPARE(answer.status, status);
    if (status == 200)
        QVERIFY(answer.json().contains("analysis"_L1));
    else
        QVERIFY(!answer.json().contains("analysis"_L1));
}

QTEST_GUILESS_MAIN(TestLeakDetectorIntegration)
#include "tst_memoryanalysis.moc"
