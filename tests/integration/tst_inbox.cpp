// Delivery that loses nothing, the user's half: a notification for a user without a live connection is
// kept and delivered when the user connects; one that no client acknowledged is delivered again, with
// the same message_id, on the next connection; an acknowledged one is not. Against the real service
// binary with real WebSocket clients.

#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

HttpResult notify(const ServiceProcess &service, const QString &userId, const QJsonObject &body)
{
    return httpPost(service.httpUrl(u"/api/users/%1/notifications"_s.arg(userId)),
                    QJsonDocument(body).toJson(QJsonDocument::Compact), apiKeyHeaders());
}

// Proves that everything the service sent `client` before now has arrived: a ping is answered in order.
bool drained(WsClient &client)
{
    client.send({{u"type"_s, u"ping"_s}});
    return !client.waitFor(u"pong"_s).isEmpty();
}

void acknowledge(WsClient &client, const QJsonObject &data)
{
    client.send({{u"type"_s, u"ack"_s}, {u"data"_s, data}});
}

QStringList messageIdsOf(const QList<QJsonObject> &messages)
{
    QStringList ids;
    for (const QJsonObject &message : messages)
        ids.append(message.value("message_id"_L1).toString());
    return ids;
}

qint64 inboxEntries(const ServiceProcess &service)
{
    const HttpResult metrics = httpGet(service.httpUrl(u"/api/metrics"_s), apiKeyHeaders());
    return metrics.json().value("inbox"_L1).toObject().value("entries"_L1).toInteger(-1);
}

} // namespace

class TestInbox : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void offlineNotificationIsDeliveredOnConnect();
    void unacknowledgedNotificationIsDeliveredAgain();
    void acknowledgedNotificationIsNotDeliveredAgain();
    void severalAreAcknowledgedAtOnce();
    void acknowledgementsAreTheUsersOwn();
    void malformedAckIsBadRequest_data();
    void malformedAckIsBadRequest();
    void inboxIsVisibleInMetrics();
    void perUserBoundKeepsTheNewest();
    void nodeWideBoundKeepsTheNewest();
    void expiredNotificationsAreNotDelivered();
    void sizeZeroTurnsTheInboxOff();

private:
    ServiceProcess m_service;
    ServiceProcess m_small; ///< 3 per user, 5 on the node
};

void TestInbox::initTestCase()
{
    QVERIFY2(m_service.start(), qPrintable(m_service.errorString()));
    QVERIFY2(m_small.start({u"--notification-inbox-size"_s, u"3"_s, u"--notification-inbox-max-entries"_s, u"5"_s}),
             qPrintable(m_small.errorString()));
}

void TestInbox::cleanupTestCase()
{
    QCOMPARE(m_service.terminate(), 0);
    QCOMPARE(m_small.terminate(), 0);
}

void TestInbox::offlineNotificationIsDeliveredOnConnect()
{
    const QJsonObject first{{u"type"_s, u"notification"_s}, {u"title"_s, u"Bill 1 passed"_s}};
    const QJsonObject second{{u"type"_s, u"notification"_s}, {u"title"_s, u"Bill 2 failed"_s}};
    const HttpResult sentFirst = notify(m_service, u"offline-olga"_s, first);
    QCOMPARE(sentFirst.status, 200);
    QCOMPARE(sentFirst.json().value("delivered"_L1).toInt(-1), 0);
    QCOMPARE(sentFirst.json().value("stored"_L1), QJsonValue(true));
    QCOMPARE(sentFirst.json().value("duplicate"_L1), QJsonValue(false));
    const HttpResult sentSecond = notify(m_service, u"offline-olga"_s, second);
    QCOMPARE(sentSecond.json().value("stored"_L1), QJsonValue(true));

    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"offline-olga"_s)));
    const QJsonObject received = client.waitFor(u"notification"_s);
    QCOMPARE(received.value("message_id"_L1).toString(), sentFirst.json().value("message_id"_L1).toString());
    QCOMPARE(received.value("data"_L1).toObject(), first);
    QVERIFY(received.value("ts"_L1).toInteger() > 0);
    const QJsonObject next = client.waitFor(u"notification"_s);
    QCOMPARE(next.value("message_id"_L1).toString(), sentSecond.json().value("message_id"_L1).toString());
    QCOMPARE(next.value("data"_L1).toObject(), second);
    // After the greeting, oldest first, each once.
    QVERIFY(drained(client));
    QCOMPARE(client.received().at(0).value("type"_L1).toString(), u"connected"_s);
    QCOMPARE(client.received().at(1), received);
    QCOMPARE(client.receivedOfType(u"notification"_s).size(), 2);

    // Another user's notifications stay with that user.
    WsClient other;
    QVERIFY(other.open(m_service.wsUrlFor(u"offline-oscar"_s)));
    QVERIFY(drained(other));
    QVERIFY(other.receivedOfType(u"notification"_s).isEmpty());
}

void TestInbox::unacknowledgedNotificationIsDeliveredAgain()
{
    QString messageId;
    {
        WsClient client;
        QVERIFY(client.open(m_service.wsUrlFor(u"forgetful-fay"_s)));
        const HttpResult sent = notify(m_service, u"forgetful-fay"_s, {{u"title"_s, u"live"_s}});
        QCOMPARE(sent.json().value("delivered"_L1).toInt(), 1);
        QCOMPARE(sent.json().value("stored"_L1), QJsonValue(true));
        messageId = sent.json().value("message_id"_L1).toString();
        QCOMPARE(client.waitFor(u"notification"_s).value("message_id"_L1).toString(), messageId);
        client.close();
        QVERIFY(client.waitClosed());
    }
    // The next connection gets it again, with the same message_id, once.
    WsClient again;
    QVERIFY(again.open(m_service.wsUrlFor(u"forgetful-fay"_s)));
    const QJsonObject redelivered = again.waitFor(u"notification"_s);
    QCOMPARE(redelivered.value("message_id"_L1).toString(), messageId);
    QCOMPARE(redelivered.value("data"_L1).toObject().value("title"_L1).toString(), u"live"_s);
    QVERIFY(drained(again));
    QCOMPARE(again.receivedOfType(u"notification"_s).size(), 1);

    // So does every further connection of the user, even while this one is open.
    WsClient third;
    QVERIFY(third.open(m_service.wsUrlFor(u"forgetful-fay"_s)));
    QCOMPARE(third.waitFor(u"notification"_s).value("message_id"_L1).toString(), messageId);
}

void TestInbox::acknowledgedNotificationIsNotDeliveredAgain()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"diligent-dan"_s)));
    const HttpResult kept = notify(m_service, u"diligent-dan"_s, {{u"title"_s, u"keep"_s}});
    const HttpResult acked = notify(m_service, u"diligent-dan"_s, {{u"title"_s, u"ack me"_s}});
    const QString keptId = kept.json().value("message_id"_L1).toString();
    const QString ackedId = acked.json().value("message_id"_L1).toString();
    QVERIFY(!client.waitFor(u"notification"_s).isEmpty());
    QCOMPARE(client.waitFor(u"notification"_s).value("message_id"_L1).toString(), ackedId);

    acknowledge(client, {{u"message_id"_s, ackedId}});
    // An id the service does not know (expired, or never sent) is no error either.
    acknowledge(client, {{u"message_id"_s, u"no-such-message"_s}});
    QVERIFY(drained(client));
    QVERIFY(client.receivedOfType(u"error"_s).isEmpty());

    WsClient next;
    QVERIFY(next.open(m_service.wsUrlFor(u"diligent-dan"_s)));
    QCOMPARE(next.waitFor(u"notification"_s).value("message_id"_L1).toString(), keptId);
    QVERIFY(drained(next));
    QCOMPARE(messageIdsOf(next.receivedOfType(u"notification"_s)), QStringList{keptId});

    // Acknowledged by any client of the user, it is gone for all later ones.
    acknowledge(next, {{u"message_id"_s, keptId}});
    QVERIFY(drained(next));
    WsClient last;
    QVERIFY(last.open(m_service.wsUrlFor(u"diligent-dan"_s)));
    QVERIFY(drained(last));
    QVERIFY(last.receivedOfType(u"notification"_s).isEmpty());
}

void TestInbox::severalAreAcknowledgedAtOnce()
{
    QStringList ids;
    for (int i = 0; i < 4; ++i)
        ids.append(notify(m_service, u"batch-bea"_s, {{u"n"_s, i}}).json().value("message_id"_L1).toString());
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"batch-bea"_s)));
    QVERIFY(drained(client));
    QCOMPARE(messageIdsOf(client.receivedOfType(u"notification"_s)), ids);

    acknowledge(client, {{u"message_ids"_s, QJsonArray{ids.at(0), ids.at(2), ids.at(3), u"unknown"_s}}});
    QVERIFY(drained(client));
    QVERIFY(client.receivedOfType(u"error"_s).isEmpty());

    WsClient next;
    QVERIFY(next.open(m_service.wsUrlFor(u"batch-bea"_s)));
    QVERIFY(drained(next));
    QCOMPARE(messageIdsOf(next.receivedOfType(u"notification"_s)), QStringList{ids.at(1)});
}

void TestInbox::acknowledgementsAreTheUsersOwn()
{
    const QString messageId =
        notify(m_service, u"victim-vic"_s, {{u"secret"_s, 1}}).json().value("message_id"_L1).toString();
    WsClient mallory;
    QVERIFY(mallory.open(m_service.wsUrlFor(u"mallory"_s)));
    acknowledge(mallory, {{u"message_id"_s, messageId}});
    QVERIFY(drained(mallory));
    QVERIFY(mallory.receivedOfType(u"notification"_s).isEmpty());

    WsClient victim;
    QVERIFY(victim.open(m_service.wsUrlFor(u"victim-vic"_s)));
    QCOMPARE(victim.waitFor(u"notification"_s).value("message_id"_L1).toString(), messageId);
}

void TestInbox::malformedAckIsBadRequest_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<QString>("field");
    QTest::newRow("no data") << u"{\"type\":\"ack\",\"id\":1}"_s << u"data"_s;
    QTest::newRow("no message id") << u"{\"type\":\"ack\",\"id\":1,\"data\":{}}"_s << u"data.message_id"_s;
    QTest::newRow("number") << u"{\"type\":\"ack\",\"id\":1,\"data\":{\"message_id\":7}}"_s << u"data.message_id"_s;
    QTest::newRow("empty list") << u"{\"type\":\"ack\",\"id\":1,\"data\":{\"message_ids\":[]}}"_s
                                << u"data.message_ids"_s;
    QTest::newRow("bad entry") << u"{\"type\":\"ack\",\"id\":1,\"data\":{\"message_ids\":[\"a\",null]}}"_s
                               << u"data.message_ids[1]"_s;
    QTest::newRow("both") << u"{\"type\":\"ack\",\"id\":1,\"data\":{\"message_id\":\"a\",\"message_ids\":[\"b\"]}}"_s
                          << u"data.message_ids"_s;
}

void TestInbox::malformedAckIsBadRequest()
{
    QFETCH(QString, frame);
    QFETCH(QString, field);
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"clumsy-cal"_s)));
    client.sendRaw(frame);
    const QJsonObject error = client.waitFor(u"error"_s);
    QCOMPARE(error.value("code"_L1).toString(), u"bad_request"_s);
    QCOMPARE(error.value("id"_L1).toInt(), 1);
    QVERIFY2(error.value("message"_L1).toString().contains(field), qPrintable(error.value("message"_L1).toString()));
    QVERIFY(client.isOpen());
}

void TestInbox::inboxIsVisibleInMetrics()
{
    // A service of its own, so that no other test's notifications are counted.
    ServiceProcess service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const HttpResult before = httpGet(service.httpUrl(u"/api/metrics"_s), apiKeyHeaders());
    QCOMPARE(before.json().value("inbox"_L1).toObject(), (QJsonObject{{u"entries"_s, 0}, {u"users"_s, 0}}));
    QCOMPARE(service.metric("wsinfra_inbox_entries"), 0.0);

    QStringList ids;
    for (const QString &user : {u"m1"_s, u"m1"_s, u"m2"_s})
        ids.append(notify(service, user, {{u"x"_s, 1}}).json().value("message_id"_L1).toString());
    const HttpResult after = httpGet(service.httpUrl(u"/api/metrics"_s), apiKeyHeaders());
    QCOMPARE(after.json().value("inbox"_L1).toObject(), (QJsonObject{{u"entries"_s, 3}, {u"users"_s, 2}}));
    QCOMPARE(service.metric("wsinfra_inbox_entries"), 3.0);

    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"m2"_s)));
    acknowledge(client, {{u"message_id"_s, ids.at(2)}});
    QVERIFY(drained(client));
    QTRY_COMPARE(inboxEntries(service), 2);
    QCOMPARE(httpGet(service.httpUrl(u"/api/metrics"_s), apiKeyHeaders())
                 .json()
                 .value("inbox"_L1)
                 .toObject()
                 .value("users"_L1)
                 .toInteger(),
             1);
    QCOMPARE(service.metric("wsinfra_inbox_entries"), 2.0);
    client.close();
    QVERIFY(client.waitClosed());
    QCOMPARE(service.terminate(), 0);
}

void TestInbox::perUserBoundKeepsTheNewest()
{
    const qint64 droppedBefore = m_small.stat("droppedMessages"_L1);
    QVERIFY(droppedBefore >= 0);
    QStringList ids;
    for (int i = 0; i < 5; ++i) {
        const HttpResult sent = notify(m_small, u"popular-pat"_s, {{u"n"_s, i}});
        QCOMPARE(sent.json().value("stored"_L1), QJsonValue(true));
        ids.append(sent.json().value("message_id"_L1).toString());
    }
    // The two oldest gave way, and were counted as dropped.
    QCOMPARE(m_small.stat("droppedMessages"_L1), droppedBefore + 2);
    WsClient client;
    QVERIFY(client.open(m_small.wsUrlFor(u"popular-pat"_s)));
    QVERIFY(drained(client));
    QCOMPARE(messageIdsOf(client.receivedOfType(u"notification"_s)), ids.mid(2));

    acknowledge(client, {{u"message_ids"_s, QJsonArray::fromStringList(ids)}});
    QVERIFY(drained(client));
    QTRY_COMPARE(inboxEntries(m_small), 0);
}

void TestInbox::nodeWideBoundKeepsTheNewest()
{
    QCOMPARE(inboxEntries(m_small), 0);
    // 5 on the node: 3 for one user and 3 for another push out the first user's oldest.
    QStringList first;
    QStringList second;
    for (int i = 0; i < 3; ++i)
        first.append(notify(m_small, u"node-n1"_s, {{u"n"_s, i}}).json().value("message_id"_L1).toString());
    for (int i = 0; i < 3; ++i)
        second.append(notify(m_small, u"node-n2"_s, {{u"n"_s, i}}).json().value("message_id"_L1).toString());
    QCOMPARE(inboxEntries(m_small), 5);

    WsClient one;
    QVERIFY(one.open(m_small.wsUrlFor(u"node-n1"_s)));
    QVERIFY(drained(one));
    QCOMPARE(messageIdsOf(one.receivedOfType(u"notification"_s)), first.mid(1));
    WsClient two;
    QVERIFY(two.open(m_small.wsUrlFor(u"node-n2"_s)));
    QVERIFY(drained(two));
    QCOMPARE(messageIdsOf(two.receivedOfType(u"notification"_s)), second);

    acknowledge(one, {{u"message_ids"_s, QJsonArray::fromStringList(first)}});
    acknowledge(two, {{u"message_ids"_s, QJsonArray::fromStringList(second)}});
    QVERIFY(drained(one));
    QVERIFY(drained(two));
    QTRY_COMPARE(inboxEntries(m_small), 0);
}

void TestInbox::expiredNotificationsAreNotDelivered()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--notification-inbox-ttl"_s, u"1s"_s}), qPrintable(service.errorString()));
    const HttpResult sent = notify(service, u"late-lou"_s, {{u"n"_s, 1}});
    QCOMPARE(sent.json().value("stored"_L1), QJsonValue(true));
    QCOMPARE(inboxEntries(service), 1);
    // The service prunes what expired on its own (at least once a second here).
    QTRY_COMPARE_WITH_TIMEOUT(inboxEntries(service), 0, 10'000);
    QCOMPARE(service.metric("wsinfra_inbox_entries"), 0.0);

    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"late-lou"_s)));
    QVERIFY(drained(client));
    QVERIFY(client.receivedOfType(u"notification"_s).isEmpty());
    // Expiry is the configured policy, not a loss.
    QCOMPARE(service.stat("droppedMessages"_L1), 0);
    client.close();
    QVERIFY(client.waitClosed());
    QCOMPARE(service.terminate(), 0);
}

void TestInbox::sizeZeroTurnsTheInboxOff()
{
    ServiceProcess service;
    QVERIFY2(service.start({},
                           [] {
                               QProcessEnvironment environment;
                               environment.insert(u"NOTIFICATION_INBOX_SIZE"_s, u"0"_s);
                               return environment;
                           }()),
             qPrintable(service.errorString()));
    const HttpResult offline = notify(service, u"nobody-home"_s, {{u"n"_s, 1}});
    QCOMPARE(offline.status, 200);
    QCOMPARE(offline.json().value("delivered"_L1).toInt(-1), 0);
    QCOMPARE(offline.json().value("stored"_L1), QJsonValue(false));

    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"nobody-home"_s)));
    const HttpResult live = notify(service, u"nobody-home"_s, {{u"n"_s, 2}});
    QCOMPARE(live.json().value("delivered"_L1).toInt(), 1);
    QCOMPARE(live.json().value("stored"_L1), QJsonValue(false));
    QCOMPARE(client.waitFor(u"notification"_s).value("data"_L1).toObject().value("n"_L1).toInt(), 2);
    client.close();
    QVERIFY(client.waitClosed());

    WsClient again;
    QVERIFY(again.open(service.wsUrlFor(u"nobody-home"_s)));
    QVERIFY(drained(again));
    QVERIFY(again.receivedOfType(u"notification"_s).isEmpty());
    QCOMPARE(inboxEntries(service), 0);
    again.close();
    QVERIFY(again.waitClosed());
    QCOMPARE(service.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestInbox)
#include "tst_inbox.moc"
