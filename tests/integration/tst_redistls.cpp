// Real wsinfra-service nodes joined by a real redis-server that speaks only TLS (rediss://): the
// server's certificate is signed by a CA made for the test and given to the nodes with
// WSINFRA_REDIS_TLS_CA; a node without it must refuse the server and carry on alone.

#include "httpclient.h"
#include "redisserver.h"
#include "servicefixture.h"
#include "testcertificate.h"
#include "wsclient.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

/// Until a node holds its Redis link (TLS handshakes under the sanitizers on a loaded machine).
constexpr int ConnectedWithinMs = 15'000;
constexpr int DegradedWithinMs = 5000;

void settle(int ms)
{
    const QDeadlineTimer deadline(ms);
    (void)QTest::qWaitFor([&] { return deadline.hasExpired(); }, ms + 1000);
}

bool pollUntil(const std::function<bool()> &condition, qint64 withinMs)
{
    QElapsedTimer since;
    since.start();
    while (!condition()) {
        if (since.elapsed() >= withinMs)
            return false;
        settle(50);
    }
    return true;
}

QJsonObject healthOf(const ServiceProcess &node)
{
    return httpGet(node.httpUrl(u"/health"_s)).json();
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

bool isDegradedByRedis(const QJsonObject &health)
{
    if (health.value("status"_L1).toString() != "degraded"_L1)
        return false;
    const QJsonArray warnings = health.value("warnings"_L1).toArray();
    for (const QJsonValue &warning : warnings) {
        if (warning.toString().contains("redis"_L1, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

bool receivedMessage(const WsClient &client, const QString &messageId)
{
    const QList<QJsonObject> updates = client.receivedOfType(u"bill_update"_s);
    for (const QJsonObject &update : updates) {
        if (update.value("message_id"_L1).toString() == messageId)
            return true;
    }
    return false;
}

QString describe(const HttpResult &result)
{
    return u"HTTP %1 %2"_s.arg(result.status).arg(QString::fromUtf8(result.body));
}

} // namespace

class TestRedisTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void nodesShareUpdatesOverTls();
    void passwordInTheUrl();
    void untrustedCertificateLeavesTheNodeAlone();
    void nodesReconnectAfterRedisRestarts();

private:
    /// Starts a node with REDIS_URL=`url` and, when `withCa`, WSINFRA_REDIS_TLS_CA=the test CA.
    ServiceProcess *startNode(const QString &url, bool withCa);
    /// Waits until every node shows wsinfra_redis_connected == `value`; empty, or what went wrong.
    QString waitForRedisConnected(double value, qint64 withinMs);
    bool startRedis(const QStringList &extraArgs = {});

    QTemporaryDir m_dir;
    TestCertificate m_ca;
    TestCertificate m_server;
    std::unique_ptr<RedisServer> m_redis;
    std::vector<std::unique_ptr<ServiceProcess>> m_nodes;
};

void TestRedisTls::initTestCase()
{
    QVERIFY2(!RedisServer::executablePath().isEmpty(),
             "redis-server is not installed: install it (Debian: apt-get install redis-server); CI does");
    QVERIFY(m_dir.isValid());
    m_ca = TestCertificate::make(m_dir.path(), u"ca"_s, u"wsinfra test CA"_s);
    QVERIFY(!m_ca.certificate.isNull());
    m_server = TestCertificate::makeSignedBy(m_dir.path(), u"redis"_s, u"redis"_s, m_ca);
    QVERIFY(!m_server.certificate.isNull());
}

void TestRedisTls::init()
{
    m_redis = std::make_unique<RedisServer>();
    m_redis->setTls(m_server.certificateFile, m_server.keyFile, m_ca.certificateFile);
}

void TestRedisTls::cleanup()
{
    for (const std::unique_ptr<ServiceProcess> &node : m_nodes)
        (void)node->terminate(5000);
    m_nodes.clear();
    m_redis.reset();
}

bool TestRedisTls::startRedis(const QStringList &extraArgs)
{
    return m_redis->start(extraArgs);
}

ServiceProcess *TestRedisTls::startNode(const QString &url, bool withCa)
{
    QProcessEnvironment environment;
    environment.insert(u"REDIS_URL"_s, url);
    if (withCa)
        environment.insert(u"WSINFRA_REDIS_TLS_CA"_s, m_ca.certificateFile);
    m_nodes.push_back(std::make_unique<ServiceProcess>());
    ServiceProcess *node = m_nodes.back().get();
    // Health checked often, so that /health soon tells why Redis is away.
    if (!node->start({u"--redis-timeout"_s, u"1s"_s, u"--health-check-interval"_s, u"250ms"_s}, environment)) {
        qWarning().noquote() << "node did not start:" << node->errorString();
        return nullptr;
    }
    return node;
}

QString TestRedisTls::waitForRedisConnected(double value, qint64 withinMs)
{
    for (std::size_t index = 0; index < m_nodes.size(); ++index) {
        double connected = -1;
        const bool reached = pollUntil(
            [&] {
                connected = m_nodes[index]->metric("wsinfra_redis_connected");
                return connected == value;
            },
            withinMs);
        if (!reached)
            return u"node %1: wsinfra_redis_connected is %2, not %3; health %4"_s.arg(index)
                .arg(connected)
                .arg(value)
                .arg(compact(healthOf(*m_nodes[index])));
    }
    return {};
}

// Both nodes hold their links over TLS, and a bill update published on one reaches a client of the other.
void TestRedisTls::nodesShareUpdatesOverTls()
{
    QVERIFY2(startRedis(), qPrintable(m_redis->errorString()));
    QVERIFY(m_redis->url().startsWith(u"rediss://127.0.0.1:"_s));
    ServiceProcess *a = startNode(m_redis->url(), true);
    ServiceProcess *b = startNode(m_redis->url(), true);
    QVERIFY(a && b);
    const QString linked = waitForRedisConnected(1, ConnectedWithinMs);
    QVERIFY2(linked.isEmpty(), qPrintable(linked));

    WsClient onB;
    QVERIFY(onB.open(b->wsUrlFor(u"tia"_s)));
    QVERIFY(onB.subscribe(31));
    const HttpResult published = a->publishBill(31, {{u"over"_s, u"tls"_s}});
    QVERIFY2(published.status == 200, qPrintable(describe(published)));
    QCOMPARE(published.json().value("cluster"_L1), QJsonValue(true));
    const QJsonObject update = onB.waitFor(u"bill_update"_s);
    QCOMPARE(update.value("message_id"_L1), published.json().value("message_id"_L1));
    QCOMPARE(update.value("data"_L1).toObject(), (QJsonObject{{u"over"_s, u"tls"_s}}));
}

void TestRedisTls::passwordInTheUrl()
{
    QVERIFY2(startRedis({u"--requirepass"_s, u"tls-secret"_s}), qPrintable(m_redis->errorString()));
    const QString url = u"rediss://:tls-secret@127.0.0.1:%1"_s.arg(m_redis->port());
    ServiceProcess *a = startNode(url, true);
    ServiceProcess *b = startNode(url, true);
    QVERIFY(a && b);
    const QString linked = waitForRedisConnected(1, ConnectedWithinMs);
    QVERIFY2(linked.isEmpty(), qPrintable(linked));

    WsClient onA;
    QVERIFY(onA.open(a->wsUrlFor(u"pia"_s)));
    QVERIFY(onA.subscribe(32));
    const HttpResult published = b->publishBill(32, {{u"with"_s, u"password"_s}});
    QVERIFY2(published.status == 200, qPrintable(describe(published)));
    QCOMPARE(published.json().value("cluster"_L1), QJsonValue(true));
    QCOMPARE(onA.waitFor(u"bill_update"_s).value("message_id"_L1), published.json().value("message_id"_L1));
}

// Without the CA the server's certificate is not trusted: no link, /health says why, the operator sees
// the certificate error in the log, and the node serves its own clients all the same.
void TestRedisTls::untrustedCertificateLeavesTheNodeAlone()
{
    QVERIFY2(startRedis(), qPrintable(m_redis->errorString()));
    ServiceProcess *node = startNode(m_redis->url(), false);
    QVERIFY(node);

    QJsonObject health;
    QVERIFY2(pollUntil(
                 [&] {
                     health = healthOf(*node);
                     return isDegradedByRedis(health) && compact(health).contains(u"not trusted"_s);
                 },
                 DegradedWithinMs),
             qPrintable(compact(health)));
    QByteArray log;
    QVERIFY2(pollUntil(
                 [&] {
                     log += node->standardError();
                     return log.contains("Redis TLS: certificate of 127.0.0.1 not trusted: ");
                 },
                 DegradedWithinMs),
             log.right(2000).constData());

    WsClient client;
    QVERIFY(client.open(node->wsUrlFor(u"uta"_s)));
    QVERIFY(client.subscribe(33));
    const HttpResult published = node->publishBill(33, {{u"alone"_s, true}});
    QVERIFY2(published.status == 200, qPrintable(describe(published)));
    QCOMPARE(published.json().value("cluster"_L1), QJsonValue(false));
    QCOMPARE(client.waitFor(u"bill_update"_s).value("message_id"_L1), published.json().value("message_id"_L1));

    // Still refused after several reconnect attempts, and not logged again for each.
    settle(1500);
    QCOMPARE(node->metric("wsinfra_redis_connected"), 0.0);
    log += node->standardError();
    // Per link (commands, pub/sub): the tunnel's warning and the client's first failed attempt; the
    // attempts since (several, 100 ms backoff doubling) add nothing.
    QVERIFY2(log.count("not trusted") <= 4, log.right(2000).constData());
}

// Redis killed and started again on the same port: the nodes notice, then link again through the tunnel.
void TestRedisTls::nodesReconnectAfterRedisRestarts()
{
    QVERIFY2(startRedis(), qPrintable(m_redis->errorString()));
    ServiceProcess *a = startNode(m_redis->url(), true);
    ServiceProcess *b = startNode(m_redis->url(), true);
    QVERIFY(a && b);
    QString linked = waitForRedisConnected(1, ConnectedWithinMs);
    QVERIFY2(linked.isEmpty(), qPrintable(linked));

    m_redis->kill();
    const QString lost = waitForRedisConnected(0, DegradedWithinMs);
    QVERIFY2(lost.isEmpty(), qPrintable(lost));
    QVERIFY2(m_redis->restart(), qPrintable(m_redis->errorString()));
    linked = waitForRedisConnected(1, ConnectedWithinMs);
    QVERIFY2(linked.isEmpty(), qPrintable(linked));

    WsClient onA;
    QVERIFY(onA.open(a->wsUrlFor(u"rea"_s)));
    QVERIFY(onA.subscribe(34));
    const HttpResult published = b->publishBill(34, {{u"after"_s, u"restart"_s}});
    QVERIFY2(published.status == 200, qPrintable(describe(published)));
    QCOMPARE(published.json().value("cluster"_L1), QJsonValue(true));
    QTRY_VERIFY(receivedMessage(onA, published.json().value("message_id"_L1).toString()));
}

QTEST_GUILESS_MAIN(TestRedisTls)
#include "tst_redistls.moc"
