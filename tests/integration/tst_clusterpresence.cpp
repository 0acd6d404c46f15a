// What a cluster shares besides publications, with real nodes and a real redis-server. Who is
// connected: each node answers the user queries (GET /api/users, /api/users/{id},
// /api/bills/{id}/subscribers) for every live node, from what the others report every second; a node
// that dies (SIGKILL, no goodbye) is forgotten once its heartbeat expires. The notification inbox: a
// user gets what was sent while away on whichever node it connects to, once acknowledged anywhere
// never again. Idempotency keys: a repeat on another node is answered as a duplicate.

#include "httpclient.h"
#include "redisserver.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

QStringList clusterArguments(const RedisServer &redis)
{
    return {u"--redis-url"_s, redis.url(), u"--redis-timeout"_s, u"500ms"_s};
}

QJsonObject userOn(const ServiceProcess &node, const QString &userId)
{
    return node.user(userId);
}

QStringList stringsOf(const QJsonArray &array)
{
    QStringList strings;
    for (const QJsonValue &value : array)
        strings.append(value.toString());
    return strings;
}

QStringList connectedUsersOn(const ServiceProcess &node)
{
    return stringsOf(httpGet(node.httpUrl(u"/api/users"_s), apiKeyHeaders()).json().value("users"_L1).toArray());
}

QStringList subscribersOn(const ServiceProcess &node, qint64 billId)
{
    return stringsOf(httpGet(node.httpUrl(u"/api/bills/%1/subscribers"_s.arg(billId)), apiKeyHeaders())
                         .json()
                         .value("subscribers"_L1)
                         .toArray());
}

QList<qint64> subscriptionsOf(const QJsonObject &user)
{
    QList<qint64> bills;
    for (const QJsonValue &bill : user.value("subscriptions"_L1).toArray())
        bills.append(bill.toInteger());
    return bills;
}

} // namespace

class TestClusterPresence : public QObject
{
    Q_OBJECT

private slots:
    void queriesAnswerForTheWholeCluster();
    void aDeadNodeIsForgotten();
    void theInboxFollowsTheUserAcrossNodes();
    void idempotencyKeysHoldAcrossNodes_data();
    void idempotencyKeysHoldAcrossNodes();
    void cleanupTestCase();

private:
    /// One cluster for every row of idempotencyKeysHoldAcrossNodes.
    std::unique_ptr<RedisServer> m_redis;
    std::unique_ptr<ServiceProcess> m_a;
    std::unique_ptr<ServiceProcess> m_b;
};

void TestClusterPresence::queriesAnswerForTheWholeCluster()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    ServiceProcess a;
    ServiceProcess b;
    QVERIFY2(a.start(clusterArguments(redis)), qPrintable(a.errorString()));
    QVERIFY2(b.start(clusterArguments(redis)), qPrintable(b.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(a.metric("wsinfra_redis_connected") + b.metric("wsinfra_redis_connected"), 2.0, 10'000);

    WsClient amyOnA;
    WsClient bobOnA;
    WsClient bobOnB;
    QVERIFY(amyOnA.open(a.wsUrlFor(u"amy"_s)));
    QVERIFY(amyOnA.subscribe(1));
    QVERIFY(amyOnA.subscribe(2));
    QVERIFY(bobOnA.open(a.wsUrlFor(u"bob"_s)));
    QVERIFY(bobOnB.open(b.wsUrlFor(u"bob"_s)));
    QVERIFY(bobOnB.subscribe(2));
    QVERIFY(bobOnB.subscribe(3));

    // Every node answers the same, within about a second.
    for (ServiceProcess *node : {&a, &b}) {
        QTRY_COMPARE_WITH_TIMEOUT(userOn(*node, u"bob"_s).value("connections"_L1).toInt(), 2, 5000);
        const QJsonObject bob = userOn(*node, u"bob"_s);
        QCOMPARE(bob.value("connected"_L1).toBool(), true);
        QCOMPARE(subscriptionsOf(bob), (QList<qint64>{2, 3}));
        QTRY_COMPARE_WITH_TIMEOUT(subscriptionsOf(userOn(*node, u"amy"_s)), (QList<qint64>{1, 2}), 5000);
        QCOMPARE(userOn(*node, u"amy"_s).value("connections"_L1).toInt(), 1);
        QCOMPARE(connectedUsersOn(*node), (QStringList{u"amy"_s, u"bob"_s}));
        QCOMPARE(subscribersOn(*node, 2), (QStringList{u"amy"_s, u"bob"_s}));
        QCOMPARE(subscribersOn(*node, 3), QStringList{u"bob"_s});
        QCOMPARE(subscribersOn(*node, 4), QStringList());
        QCOMPARE(userOn(*node, u"nobody"_s).value("connected"_L1).toBool(), false);
    }

    // Changes on one node reach the other.
    bobOnB.close();
    QTRY_COMPARE_WITH_TIMEOUT(userOn(a, u"bob"_s).value("connections"_L1).toInt(), 1, 5000);
    QCOMPARE(subscriptionsOf(userOn(a, u"bob"_s)), QList<qint64>());
    QTRY_COMPARE_WITH_TIMEOUT(subscribersOn(a, 3), QStringList(), 5000);
    amyOnA.close();
    QTRY_COMPARE_WITH_TIMEOUT(connectedUsersOn(b), QStringList{u"bob"_s}, 5000);

    QCOMPARE(a.terminate(), 0);
    QCOMPARE(b.terminate(), 0);
}

void TestClusterPresence::aDeadNodeIsForgotten()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    ServiceProcess a;
    ServiceProcess b;
    QVERIFY2(a.start(clusterArguments(redis)), qPrintable(a.errorString()));
    QVERIFY2(b.start(clusterArguments(redis)), qPrintable(b.errorString()));
    WsClient carlOnB;
    QVERIFY(carlOnB.open(b.wsUrlFor(u"carl"_s)));
    QVERIFY(carlOnB.subscribe(9));
    QTRY_COMPARE_WITH_TIMEOUT(userOn(a, u"carl"_s).value("connected"_L1).toBool(), true, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(subscribersOn(a, 9), QStringList{u"carl"_s}, 5000);

    b.process().kill(); // no goodbye: only the missing heartbeat tells
    QVERIFY(b.process().waitForFinished(5000));
    // Heartbeats expire after 3 s (three times the 500 ms Redis timeout, at least 3 s).
    QTRY_COMPARE_WITH_TIMEOUT(userOn(a, u"carl"_s).value("connected"_L1).toBool(), false, 8000);
    QCOMPARE(subscribersOn(a, 9), QStringList());
    QCOMPARE(connectedUsersOn(a), QStringList());
    QCOMPARE(a.terminate(), 0);
}

void TestClusterPresence::theInboxFollowsTheUserAcrossNodes()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    ServiceProcess a;
    ServiceProcess b;
    QVERIFY2(a.start(clusterArguments(redis)), qPrintable(a.errorString()));
    QVERIFY2(b.start(clusterArguments(redis)), qPrintable(b.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(a.metric("wsinfra_redis_connected") + b.metric("wsinfra_redis_connected"), 2.0, 10'000);

    // Sent on A while dora is nowhere.
    const HttpResult sent =
        httpPost(a.httpUrl(u"/api/users/dora/notifications"_s), R"({"text":"hearing at 10"})", apiKeyHeaders());
    QCOMPARE(sent.status, 200);
    QCOMPARE(sent.json().value("cluster"_L1), QJsonValue(true));
    const QString messageId = sent.json().value("message_id"_L1).toString();

    // She connects to B: it is waiting there.
    WsClient onB;
    QVERIFY(onB.open(b.wsUrlFor(u"dora"_s)));
    const QJsonObject kept = onB.waitFor(u"notification"_s);
    QCOMPARE(kept.value("message_id"_L1).toString(), messageId);
    onB.send({{u"type"_s, u"ack"_s}, {u"data"_s, QJsonObject{{u"message_ids"_s, QJsonArray{messageId}}}}});
    // ... acknowledged on B, it is gone from A too.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&a] {
            WsClient onA;
            if (!onA.open(a.wsUrlFor(u"dora"_s)))
                return false;
            onA.waitFor(u"connected"_s);
            QTest::qWait(200); // what is kept comes right after "connected"
            return onA.receivedOfType(u"notification"_s).isEmpty();
        }(),
        5000);
    QCOMPARE(a.terminate(), 0);
    QCOMPARE(b.terminate(), 0);
}

void TestClusterPresence::idempotencyKeysHoldAcrossNodes_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("notification") << u"/api/users/erin/notifications"_s;
    QTest::newRow("broadcast") << u"/api/broadcast"_s;
    QTest::newRow("bill update") << u"/api/bills/31/updates"_s;
}

void TestClusterPresence::idempotencyKeysHoldAcrossNodes()
{
    QFETCH(QString, path);
    if (!m_redis) {
        m_redis = std::make_unique<RedisServer>();
        QVERIFY2(m_redis->start(), qPrintable(m_redis->errorString()));
        m_a = std::make_unique<ServiceProcess>();
        m_b = std::make_unique<ServiceProcess>();
        QVERIFY2(m_a->start(clusterArguments(*m_redis)), qPrintable(m_a->errorString()));
        QVERIFY2(m_b->start(clusterArguments(*m_redis)), qPrintable(m_b->errorString()));
    }
    ServiceProcess &a = *m_a;
    ServiceProcess &b = *m_b;
    QTRY_COMPARE_WITH_TIMEOUT(a.metric("wsinfra_redis_connected") + b.metric("wsinfra_redis_connected"), 2.0, 10'000);
    WsClient erin;
    QVERIFY(erin.open(b.wsUrlFor(u"erin"_s)));
    QVERIFY(erin.subscribe(31));

    Headers headers = apiKeyHeaders();
    headers.append(qMakePair(QByteArray("Idempotency-Key"), QByteArray("order-77")));
    const HttpResult first = httpPost(a.httpUrl(path), R"({"n":1})", headers);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().value("duplicate"_L1), QJsonValue(false));
    const HttpResult repeat = httpPost(b.httpUrl(path), R"({"n":2})", headers);
    QCOMPARE(repeat.status, 200);
    QCOMPARE(repeat.json().value("duplicate"_L1), QJsonValue(true));
    QCOMPARE(repeat.json().value("message_id"_L1), first.json().value("message_id"_L1));
    QCOMPARE(repeat.json().value("delivered"_L1).toInt(), 0);
    // erin (on B) got it once, from A's publish.
    const QString type = path.contains("notifications"_L1) ? u"notification"_s
                         : path.contains("broadcast"_L1)   ? u"broadcast"_s
                                                           : u"bill_update"_s;
    QCOMPARE(erin.waitFor(type).value("message_id"_L1), first.json().value("message_id"_L1));
    QTest::qWait(300); // a second delivery would come within this
    QCOMPARE(erin.receivedOfType(type).size(), 1);
}

void TestClusterPresence::cleanupTestCase()
{
    if (m_a)
        QCOMPARE(m_a->terminate(), 0);
    if (m_b)
        QCOMPARE(m_b->terminate(), 0);
}

QTEST_GUILESS_MAIN(TestClusterPresence)
#include "tst_clusterpresence.moc"
