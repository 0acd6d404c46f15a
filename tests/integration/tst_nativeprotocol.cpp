// The client protocol of PROTOCOL.md over a real native WebSocket, row by row, against the real
// service binary: greeting, subscribe/unsubscribe, every server message type, errors, recovery.

#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

class TestNativeProtocol : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void greetingCarriesConnectionAndUser();
    void subscribeRepliesWithIdAndOffsets();
    void billUpdateReachesSubscribersOnly();
    void offsetsIncreaseByOnePerBill();
    void unsubscribeStopsDelivery();
    void pingIsAnsweredWithPong();
    void ackIsSilent();
    void notificationReachesEveryConnectionOfTheUser();
    void broadcastReachesEveryone();
    void malformedFramesGetBadRequest_data();
    void malformedFramesGetBadRequest();
    void binaryFrameGetsBadRequest();
    void recoveryWithSinceDeliversMissedUpdatesInOrder();
    void recoveryFromCurrentOffsetDeliversNothing();
    void unrecoverablePositionIsExplicit();
    void futureOffsetIsUnrecoverable();
    void subscriptionLimitIsEnforced();
    void queriesSeeSubscriptions();
    void deliveryCountersMove();

private:
    ServiceProcess m_service;
};

void TestNativeProtocol::initTestCase()
{
    QVERIFY2(m_service.start({u"--history-size"_s, u"5"_s, u"--max-subscriptions"_s, u"3"_s}),
             qPrintable(m_service.errorString()));
}

void TestNativeProtocol::cleanupTestCase()
{
    QCOMPARE(m_service.terminate(), 0);
}

void TestNativeProtocol::greetingCarriesConnectionAndUser()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"alice"_s)));
    const QJsonObject data = client.greeting().value("data"_L1).toObject();
    QCOMPARE(data.value("user_id"_L1).toString(), u"alice"_s);
    QVERIFY(!data.value("connection_id"_L1).toString().isEmpty());
    QCOMPARE(data.value("heartbeat_interval"_L1).toInteger(), 30000);

    WsClient second;
    QVERIFY(second.open(m_service.wsUrlFor(u"alice"_s)));
    QVERIFY(second.greeting().value("data"_L1).toObject().value("connection_id"_L1) != data.value("connection_id"_L1));
}

void TestNativeProtocol::subscribeRepliesWithIdAndOffsets()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"bob"_s)));
    client.send(
        {{u"type"_s, u"subscribe"_s}, {u"id"_s, 41}, {u"data"_s, QJsonObject{{u"bill_ids"_s, QJsonArray{101, 102}}}}});
    const QJsonObject reply = client.waitFor(u"subscribed"_s);
    QCOMPARE(reply.value("id"_L1).toInt(), 41);
    QCOMPARE(reply.value("data"_L1).toObject().value("bill_ids"_L1).toArray(), (QJsonArray{101, 102}));
    const QJsonObject offsets = reply.value("data"_L1).toObject().value("offsets"_L1).toObject();
    QCOMPARE(offsets.value("101"_L1).toInteger(), 0);
    QCOMPARE(offsets.value("102"_L1).toInteger(), 0);

    client.send({{u"type"_s, u"subscribe"_s}, {u"id"_s, u"s-2"_s}, {u"data"_s, QJsonObject{{u"bill_id"_s, 103}}}});
    QCOMPARE(client.waitFor(u"subscribed"_s).value("id"_L1).toString(), u"s-2"_s);
}

void TestNativeProtocol::billUpdateReachesSubscribersOnly()
{
    WsClient follower;
    WsClient bystander;
    QVERIFY(follower.open(m_service.wsUrlFor(u"carol"_s)));
    QVERIFY(bystander.open(m_service.wsUrlFor(u"dave"_s)));
    QVERIFY(follower.subscribe(200));

    const QJsonObject update{{u"type"_s, u"status_change"_s}, {u"data"_s, QJsonObject{{u"status"_s, u"passed"_s}}}};
    const HttpResult published = m_service.publishBill(200, update);
    QCOMPARE(published.status, 200);
    QCOMPARE(published.json().value("delivered"_L1).toInt(), 1);
    QCOMPARE(published.json().value("offset"_L1).toInteger(), 1);

    const QJsonObject received = follower.waitFor(u"bill_update"_s);
    QCOMPARE(received.value("bill_id"_L1).toInteger(), 200);
    QCOMPARE(received.value("offset"_L1).toInteger(), 1);
    QCOMPARE(received.value("message_id"_L1).toString(), published.json().value("message_id"_L1).toString());
    QCOMPARE(received.value("data"_L1).toObject(), update);
    const qint64 ts = received.value("ts"_L1).toInteger();
    QVERIFY(qAbs(ts - QDateTime::currentMSecsSinceEpoch()) < 60'000);

    // The bystander gets nothing: a ping answered proves its queue was drained past the publish.
    bystander.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!bystander.waitFor(u"pong"_s).isEmpty());
    QVERIFY(bystander.receivedOfType(u"bill_update"_s).isEmpty());
}

void TestNativeProtocol::offsetsIncreaseByOnePerBill()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"erin"_s)));
    client.send({{u"type"_s, u"subscribe"_s}, {u"data"_s, QJsonObject{{u"bill_ids"_s, QJsonArray{300, 301}}}}});
    QVERIFY(!client.waitFor(u"subscribed"_s).isEmpty());
    for (int i = 0; i < 3; ++i)
        QCOMPARE(m_service.publishBill(300, {{u"n"_s, i}}).status, 200);
    QCOMPARE(m_service.publishBill(301, {{u"n"_s, 9}}).status, 200);
    for (int i = 0; i < 3; ++i) {
        const QJsonObject update = client.waitFor(u"bill_update"_s);
        QCOMPARE(update.value("bill_id"_L1).toInteger(), 300);
        QCOMPARE(update.value("offset"_L1).toInteger(), i + 1);
        QCOMPARE(update.value("data"_L1).toObject().value("n"_L1).toInt(), i);
    }
    const QJsonObject other = client.waitFor(u"bill_update"_s);
    QCOMPARE(other.value("bill_id"_L1).toInteger(), 301);
    QCOMPARE(other.value("offset"_L1).toInteger(), 1);
}

void TestNativeProtocol::unsubscribeStopsDelivery()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"frank"_s)));
    QVERIFY(client.subscribe(400));
    client.send({{u"type"_s, u"unsubscribe"_s}, {u"id"_s, 7}, {u"data"_s, QJsonObject{{u"bill_id"_s, 400}}}});
    const QJsonObject reply = client.waitFor(u"unsubscribed"_s);
    QCOMPARE(reply.value("id"_L1).toInt(), 7);
    QCOMPARE(reply.value("data"_L1).toObject().value("bill_ids"_L1).toArray(), (QJsonArray{400}));

    const HttpResult published = m_service.publishBill(400, {{u"x"_s, 1}});
    QCOMPARE(published.json().value("delivered"_L1).toInt(), 0);
    client.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!client.waitFor(u"pong"_s).isEmpty());
    QVERIFY(client.receivedOfType(u"bill_update"_s).isEmpty());
}

void TestNativeProtocol::pingIsAnsweredWithPong()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"gina"_s)));
    client.send({{u"type"_s, u"ping"_s}, {u"id"_s, u"p1"_s}});
    QCOMPARE(client.waitFor(u"pong"_s).value("id"_L1).toString(), u"p1"_s);
    client.send({{u"type"_s, u"ping"_s}});
    const QJsonObject bare = client.waitFor(u"pong"_s);
    QVERIFY(!bare.isEmpty());
    QVERIFY(!bare.contains("id"_L1));
}

void TestNativeProtocol::ackIsSilent()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"hank"_s)));
    client.send({{u"type"_s, u"ack"_s}, {u"data"_s, QJsonObject{{u"message_id"_s, u"m-1"_s}}}});
    client.send({{u"type"_s, u"ping"_s}, {u"id"_s, 1}});
    QVERIFY(!client.waitFor(u"pong"_s).isEmpty());
    // greeting + pong, nothing for the ack
    QCOMPARE(client.received().size(), 2);
}

void TestNativeProtocol::notificationReachesEveryConnectionOfTheUser()
{
    WsClient phone;
    WsClient laptop;
    WsClient someoneElse;
    QVERIFY(phone.open(m_service.wsUrlFor(u"ivy"_s)));
    QVERIFY(laptop.open(m_service.wsUrlFor(u"ivy"_s)));
    QVERIFY(someoneElse.open(m_service.wsUrlFor(u"jack"_s)));

    const QJsonObject notification{{u"type"_s, u"notification"_s},
                                   {u"title"_s, u"Bill Update"_s},
                                   {u"message"_s, u"Your watched bill has been updated"_s}};
    const HttpResult sent = httpPost(m_service.httpUrl(u"/api/users/ivy/notifications"_s),
                                     QJsonDocument(notification).toJson(), apiKeyHeaders());
    QCOMPARE(sent.status, 200);
    QCOMPARE(sent.json().value("delivered"_L1).toInt(), 2);
    for (WsClient *client : {&phone, &laptop}) {
        const QJsonObject received = client->waitFor(u"notification"_s);
        QCOMPARE(received.value("data"_L1).toObject(), notification);
        QCOMPARE(received.value("message_id"_L1).toString(), sent.json().value("message_id"_L1).toString());
        QVERIFY(received.value("ts"_L1).toInteger() > 0);
    }
    someoneElse.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!someoneElse.waitFor(u"pong"_s).isEmpty());
    QVERIFY(someoneElse.receivedOfType(u"notification"_s).isEmpty());
}

void TestNativeProtocol::broadcastReachesEveryone()
{
    WsClient first;
    WsClient second;
    QVERIFY(first.open(m_service.wsUrlFor(u"kim"_s)));
    QVERIFY(second.open(m_service.wsUrlFor(u"lee"_s)));
    const HttpResult sent =
        httpPost(m_service.httpUrl(u"/api/broadcast"_s), R"({"text":"maintenance at noon"})", apiKeyHeaders());
    QCOMPARE(sent.status, 200);
    QVERIFY(sent.json().value("delivered"_L1).toInt() >= 2);
    for (WsClient *client : {&first, &second}) {
        const QJsonObject received = client->waitFor(u"broadcast"_s);
        QCOMPARE(received.value("data"_L1).toObject().value("text"_L1).toString(), u"maintenance at noon"_s);
        QCOMPARE(received.value("message_id"_L1).toString(), sent.json().value("message_id"_L1).toString());
    }
}

void TestNativeProtocol::malformedFramesGetBadRequest_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<QJsonValue>("expectedId");
    QTest::newRow("not json") << u"hello"_s << QJsonValue();
    QTest::newRow("array") << u"[1,2]"_s << QJsonValue();
    QTest::newRow("no type") << uR"({"id":5})"_s << QJsonValue(5);
    QTest::newRow("unknown type") << uR"({"type":"teleport","id":"u1"})"_s << QJsonValue(u"u1"_s);
    QTest::newRow("subscribe without bill") << uR"({"type":"subscribe","id":6,"data":{}})"_s << QJsonValue(6);
    QTest::newRow("negative bill") << uR"({"type":"subscribe","id":7,"data":{"bill_id":-3}})"_s << QJsonValue(7);
    QTest::newRow("fractional bill") << uR"({"type":"subscribe","id":8,"data":{"bill_id":1.5}})"_s << QJsonValue(8);
    QTest::newRow("truncated") << uR"({"type":"subscribe","data":{"bill_id":)"_s << QJsonValue();
    QTest::newRow("deep nesting") << (QString(u"["_s).repeated(5000) + QString(u"]"_s).repeated(5000)) << QJsonValue();
}

void TestNativeProtocol::malformedFramesGetBadRequest()
{
    QFETCH(QString, frame);
    QFETCH(QJsonValue, expectedId);
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"mallory"_s)));
    client.sendRaw(frame);
    const QJsonObject error = client.waitFor(u"error"_s);
    QCOMPARE(error.value("code"_L1).toString(), u"bad_request"_s);
    QVERIFY(!error.value("message"_L1).toString().isEmpty());
    QCOMPARE(error.value("id"_L1), expectedId.isNull() ? QJsonValue(QJsonValue::Undefined) : expectedId);
    // The connection survives bad input.
    client.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!client.waitFor(u"pong"_s).isEmpty());
    QVERIFY(client.isOpen());
}

void TestNativeProtocol::binaryFrameGetsBadRequest()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"nina"_s)));
    client.sendBinary(QByteArray("\x00\x01\x02", 3));
    QCOMPARE(client.waitFor(u"error"_s).value("code"_L1).toString(), u"bad_request"_s);
    QVERIFY(client.isOpen());
}

void TestNativeProtocol::recoveryWithSinceDeliversMissedUpdatesInOrder()
{
    WsClient first;
    QVERIFY(first.open(m_service.wsUrlFor(u"olga"_s)));
    QVERIFY(first.subscribe(500));
    QCOMPARE(m_service.publishBill(500, {{u"step"_s, 1}}).status, 200);
    const qint64 seen = first.waitFor(u"bill_update"_s).value("offset"_L1).toInteger();
    QCOMPARE(seen, 1);
    first.close();
    QVERIFY(first.waitClosed());

    // Offline: three updates are missed.
    for (int step = 2; step <= 4; ++step)
        QCOMPARE(m_service.publishBill(500, {{u"step"_s, step}}).status, 200);

    WsClient again;
    QVERIFY(again.open(m_service.wsUrlFor(u"olga"_s)));
    again.send({{u"type"_s, u"subscribe"_s},
                {u"id"_s, 1},
                {u"data"_s, QJsonObject{{u"bill_id"_s, 500}, {u"since"_s, QJsonObject{{u"500"_s, seen}}}}}});
    const QJsonObject reply = again.waitFor(u"subscribed"_s);
    QCOMPARE(reply.value("data"_L1).toObject().value("offsets"_L1).toObject().value("500"_L1).toInteger(), 4);
    for (int step = 2; step <= 4; ++step) {
        const QJsonObject update = again.waitFor(u"bill_update"_s);
        QCOMPARE(update.value("offset"_L1).toInteger(), step);
        QCOMPARE(update.value("data"_L1).toObject().value("step"_L1).toInt(), step);
    }
    // Live updates continue after the recovered ones, without a duplicate.
    QCOMPARE(m_service.publishBill(500, {{u"step"_s, 5}}).status, 200);
    QCOMPARE(again.waitFor(u"bill_update"_s).value("offset"_L1).toInteger(), 5);
    QCOMPARE(again.receivedOfType(u"bill_update"_s).size(), 4);
    QVERIFY(again.receivedOfType(u"error"_s).isEmpty());
}

void TestNativeProtocol::recoveryFromCurrentOffsetDeliversNothing()
{
    QCOMPARE(m_service.publishBill(550, {{u"a"_s, 1}}).status, 200);
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"pete"_s)));
    client.send({{u"type"_s, u"subscribe"_s},
                 {u"data"_s, QJsonObject{{u"bill_id"_s, 550}, {u"since"_s, QJsonObject{{u"550"_s, 1}}}}}});
    QVERIFY(!client.waitFor(u"subscribed"_s).isEmpty());
    client.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!client.waitFor(u"pong"_s).isEmpty());
    QVERIFY(client.receivedOfType(u"bill_update"_s).isEmpty());
    QVERIFY(client.receivedOfType(u"error"_s).isEmpty());
}

void TestNativeProtocol::unrecoverablePositionIsExplicit()
{
    // History keeps 5 updates per bill (--history-size 5): 8 updates evict offsets 1-3.
    for (int i = 1; i <= 8; ++i)
        QCOMPARE(m_service.publishBill(600, {{u"i"_s, i}}).status, 200);
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"quinn"_s)));
    client.send({{u"type"_s, u"subscribe"_s},
                 {u"id"_s, u"r"_s},
                 {u"data"_s, QJsonObject{{u"bill_id"_s, 600}, {u"since"_s, QJsonObject{{u"600"_s, 1}}}}}});
    QVERIFY(!client.waitFor(u"subscribed"_s).isEmpty());
    const QJsonObject error = client.waitFor(u"error"_s);
    QCOMPARE(error.value("code"_L1).toString(), u"unrecoverable_position"_s);
    QCOMPARE(error.value("bill_id"_L1).toInteger(), 600);
    QCOMPARE(error.value("offset"_L1).toInteger(), 8);
    QCOMPARE(error.value("id"_L1).toString(), u"r"_s);
    QVERIFY(client.receivedOfType(u"bill_update"_s).isEmpty());

    // From offset 3 everything (4..8) is still there.
    WsClient recent;
    QVERIFY(recent.open(m_service.wsUrlFor(u"quinn"_s)));
    recent.send({{u"type"_s, u"subscribe"_s},
                 {u"data"_s, QJsonObject{{u"bill_id"_s, 600}, {u"since"_s, QJsonObject{{u"600"_s, 3}}}}}});
    for (int offset = 4; offset <= 8; ++offset)
        QCOMPARE(recent.waitFor(u"bill_update"_s).value("offset"_L1).toInteger(), offset);
}

void TestNativeProtocol::futureOffsetIsUnrecoverable()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"rita"_s)));
    client.send({{u"type"_s, u"subscribe"_s},
                 {u"data"_s, QJsonObject{{u"bill_id"_s, 650}, {u"since"_s, QJsonObject{{u"650"_s, 99}}}}}});
    const QJsonObject error = client.waitFor(u"error"_s);
    QCOMPARE(error.value("code"_L1).toString(), u"unrecoverable_position"_s);
    QCOMPARE(error.value("offset"_L1).toInteger(), 0);
}

void TestNativeProtocol::subscriptionLimitIsEnforced()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"sam"_s)));
    client.send({{u"type"_s, u"subscribe"_s}, {u"data"_s, QJsonObject{{u"bill_ids"_s, QJsonArray{1, 2, 3}}}}});
    QVERIFY(!client.waitFor(u"subscribed"_s).isEmpty());
    client.send({{u"type"_s, u"subscribe"_s}, {u"id"_s, 9}, {u"data"_s, QJsonObject{{u"bill_id"_s, 4}}}});
    const QJsonObject error = client.waitFor(u"error"_s);
    QCOMPARE(error.value("code"_L1).toString(), u"too_many_subscriptions"_s);
    QCOMPARE(error.value("id"_L1).toInt(), 9);
    // Subscribing again to a followed bill is not a new subscription.
    QVERIFY(client.subscribe(2));
}

void TestNativeProtocol::queriesSeeSubscriptions()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"tess"_s)));
    client.send({{u"type"_s, u"subscribe"_s}, {u"data"_s, QJsonObject{{u"bill_ids"_s, QJsonArray{700, 701}}}}});
    QVERIFY(!client.waitFor(u"subscribed"_s).isEmpty());

    const HttpResult user = httpGet(m_service.httpUrl(u"/api/users/tess"_s), apiKeyHeaders());
    QCOMPARE(user.status, 200);
    QCOMPARE(user.json().value("connected"_L1).toBool(), true);
    QCOMPARE(user.json().value("connections"_L1).toInt(), 1);
    QCOMPARE(user.json().value("subscriptions"_L1).toArray(), (QJsonArray{700, 701}));

    const HttpResult subscribers = httpGet(m_service.httpUrl(u"/api/bills/700/subscribers"_s), apiKeyHeaders());
    QCOMPARE(subscribers.json().value("subscribers"_L1).toArray(), (QJsonArray{u"tess"_s}));

    client.close();
    QVERIFY(client.waitClosed());
    QTRY_COMPARE(m_service.user(u"tess"_s).value("connected"_L1).toBool(), false);
    QCOMPARE(
        httpGet(m_service.httpUrl(u"/api/bills/700/subscribers"_s), apiKeyHeaders()).json().value("total"_L1).toInt(),
        0);
}

// The counters /api/stats and /metrics show move where their events happen.
void TestNativeProtocol::deliveryCountersMove()
{
    WsClient first;
    WsClient second;
    QVERIFY(first.open(m_service.wsUrlFor(u"uma"_s)));
    QVERIFY(second.open(m_service.wsUrlFor(u"vic"_s)));
    QVERIFY(first.subscribe(900));
    QVERIFY(second.subscribe(900));
    const qint64 delivered = m_service.stat("deliveredMessages"_L1);
    const qint64 messages = m_service.stat("totalMessages"_L1);
    const qint64 reconnections = m_service.stat("reconnections"_L1);

    QCOMPARE(m_service.publishBill(900, {{u"a"_s, 1}}).json().value("delivered"_L1).toInt(), 2);
    QVERIFY(!first.waitFor(u"bill_update"_s).isEmpty());
    QVERIFY(!second.waitFor(u"bill_update"_s).isEmpty());
    QCOMPARE(m_service.stat("deliveredMessages"_L1), delivered + 2);
    QCOMPARE(m_service.stat("totalMessages"_L1), messages + 1);
    QVERIFY(m_service.stats().value("averageLatency"_L1).toDouble() >= 0.0);

    // A recovering subscribe counts as a reconnection and its recovered updates as deliveries.
    WsClient again;
    QVERIFY(again.open(m_service.wsUrlFor(u"uma"_s)));
    again.send({{u"type"_s, u"subscribe"_s},
                {u"data"_s, QJsonObject{{u"bill_id"_s, 900}, {u"since"_s, QJsonObject{{u"900"_s, 0}}}}}});
    QCOMPARE(again.waitFor(u"bill_update"_s).value("offset"_L1).toInteger(), 1);
    QCOMPARE(m_service.stat("reconnections"_L1), reconnections + 1);
    QCOMPARE(m_service.stat("deliveredMessages"_L1), delivered + 3);
    QCOMPARE(m_service.stat("totalMessages"_L1), messages + 2); // the publish and the subscribe
    QCOMPARE(m_service.metric("wsinfra_reconnections_total"), double(reconnections + 1));
}

QTEST_GUILESS_MAIN(TestNativeProtocol)
#include "tst_nativeprotocol.moc"
