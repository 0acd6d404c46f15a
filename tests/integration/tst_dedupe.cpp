// Delivery that loses nothing, the publisher's half: a publish retried with the same Idempotency-Key is
// answered with the original message id and delivered once, against the real service binary with real
// clients. And the delivery latency percentiles the service reports.

#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The API key and, when `key` is not null, an Idempotency-Key header.
Headers headersWithKey(const QByteArray &key)
{
    Headers headers = apiKeyHeaders();
    if (!key.isNull())
        headers.append({"Idempotency-Key", key});
    return headers;
}

// A whole HTTP/1.1 POST with the API key, for header bytes QNetworkAccessManager would not send.
QByteArray rawPost(const QByteArray &path, const QByteArray &body, const QByteArray &extraHeaderLines)
{
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + QByteArray(TestApiKey) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\nConnection: close\r\n" + extraHeaderLines + "\r\n" + body;
}

// Proves that everything the service sent `client` before now has arrived: a ping is answered in order.
bool drained(WsClient &client)
{
    client.send({{u"type"_s, u"ping"_s}});
    return !client.waitFor(u"pong"_s).isEmpty();
}

} // namespace

class TestDedupe : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void repeatedKeyDeliversOnce();
    void repeatedKeyDoesNotAdvanceTheBill();
    void keyInBodyField();
    void headerWinsOverBodyField();
    void sameKeyForDifferentTargetsDeliversEach();
    void notificationsAndBroadcastsAreDeduplicated();
    void keyIsFreeAgainAfterTheWindow();
    void dedupeCacheSizeZeroTurnsItOff();
    void badKeysAreRefused_data();
    void badKeysAreRefused();
    void edgeKeysAreAccepted_data();
    void edgeKeysAreAccepted();
    void latencyPercentilesAreReported();

private:
    HttpResult publish(const QString &path, const QJsonObject &body, const QByteArray &key = {}) const
    {
        return httpPost(m_service.httpUrl(path), compact(body), headersWithKey(key));
    }
    HttpResult publishBill(qint64 billId, const QJsonObject &body, const QByteArray &key = {}) const
    {
        return publish(u"/api/bills/%1/updates"_s.arg(billId), body, key);
    }

    ServiceProcess m_service;
};

void TestDedupe::initTestCase()
{
    QVERIFY2(m_service.start({u"--dedupe-window"_s, u"10m"_s}), qPrintable(m_service.errorString()));
}

void TestDedupe::cleanupTestCase()
{
    QCOMPARE(m_service.terminate(), 0);
}

void TestDedupe::repeatedKeyDeliversOnce()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"alice"_s)));
    QVERIFY(client.subscribe(7100));
    const qint64 duplicatesBefore = m_service.stat("duplicateMessages"_L1);
    QVERIFY(duplicatesBefore >= 0);

    const HttpResult first = publishBill(7100, {{u"status"_s, u"passed"_s}}, "order-7100-a");
    QCOMPARE(first.status, 200);
    const QJsonObject original = first.json();
    QCOMPARE(original.value("delivered"_L1).toInt(), 1);
    QCOMPARE(original.value("duplicate"_L1), QJsonValue(false));
    QCOMPARE(original.value("offset"_L1).toInteger(), 1);
    const QString messageId = original.value("message_id"_L1).toString();
    QVERIFY(!messageId.isEmpty());
    QCOMPARE(client.waitFor(u"bill_update"_s).value("message_id"_L1).toString(), messageId);

    // The retry, even with a changed body, gets the original answer and delivers nothing.
    const HttpResult retry = publishBill(7100, {{u"status"_s, u"failed"_s}}, "order-7100-a");
    QCOMPARE(retry.status, 200);
    const QJsonObject repeated = retry.json();
    QCOMPARE(repeated.value("message_id"_L1).toString(), messageId);
    QCOMPARE(repeated.value("bill_id"_L1).toInteger(), 7100);
    QCOMPARE(repeated.value("offset"_L1).toInteger(), 1);
    QCOMPARE(repeated.value("delivered"_L1).toInt(-1), 0);
    QCOMPARE(repeated.value("duplicate"_L1), QJsonValue(true));

    QVERIFY(drained(client));
    QCOMPARE(client.receivedOfType(u"bill_update"_s).size(), 1);
    QCOMPARE(m_service.stat("duplicateMessages"_L1), duplicatesBefore + 1);
    QCOMPARE(m_service.metric("wsinfra_duplicate_messages_total"), double(duplicatesBefore + 1));
}

void TestDedupe::repeatedKeyDoesNotAdvanceTheBill()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"bob"_s)));
    QVERIFY(client.subscribe(7200));
    const qint64 messagesBefore = m_service.stat("totalMessages"_L1);
    QCOMPARE(publishBill(7200, {{u"n"_s, 1}}, "k-7200").json().value("offset"_L1).toInteger(), 1);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(publishBill(7200, {{u"n"_s, 1}}, "k-7200").json().value("duplicate"_L1), QJsonValue(true));
    // Duplicates are no publishes: not counted, not in the bill's stream.
    QCOMPARE(m_service.stat("totalMessages"_L1), messagesBefore + 1);
    QCOMPARE(publishBill(7200, {{u"n"_s, 2}}).json().value("offset"_L1).toInteger(), 2);
    QCOMPARE(client.waitFor(u"bill_update"_s).value("offset"_L1).toInteger(), 1);
    QCOMPARE(client.waitFor(u"bill_update"_s).value("offset"_L1).toInteger(), 2);

    // A client recovering from offset 0 finds each update once in the history.
    WsClient late;
    QVERIFY(late.open(m_service.wsUrlFor(u"bob"_s)));
    late.send({{u"type"_s, u"subscribe"_s},
               {u"data"_s, QJsonObject{{u"bill_id"_s, 7200}, {u"since"_s, QJsonObject{{u"7200"_s, 0}}}}}});
    QVERIFY(!late.waitFor(u"subscribed"_s).isEmpty());
    QVERIFY(drained(late));
    QCOMPARE(late.receivedOfType(u"bill_update"_s).size(), 2);
}

void TestDedupe::keyInBodyField()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"carol"_s)));
    QVERIFY(client.subscribe(7300));
    const QJsonObject body{{u"idempotency_key"_s, u"body-7300"_s}, {u"status"_s, u"passed"_s}};
    const HttpResult first = publishBill(7300, body);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().value("duplicate"_L1), QJsonValue(false));
    // The key is addressed to the service: subscribers get the rest of the body.
    const QJsonObject update = client.waitFor(u"bill_update"_s);
    QCOMPARE(update.value("data"_L1).toObject(), (QJsonObject{{u"status"_s, u"passed"_s}}));

    const HttpResult retry = publishBill(7300, body);
    QCOMPARE(retry.json().value("duplicate"_L1), QJsonValue(true));
    QCOMPARE(retry.json().value("message_id"_L1), first.json().value("message_id"_L1));
    QVERIFY(drained(client));
    QCOMPARE(client.receivedOfType(u"bill_update"_s).size(), 1);
}

void TestDedupe::headerWinsOverBodyField()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"dave"_s)));
    QVERIFY(client.subscribe(7400));
    QCOMPARE(publishBill(7400, {{u"idempotency_key"_s, u"body-7400"_s}}).json().value("duplicate"_L1),
             QJsonValue(false));
    // Same body key, another header key: the header is the key, so this is a new publish ...
    const HttpResult withHeader = publishBill(7400, {{u"idempotency_key"_s, u"body-7400"_s}}, "header-7400");
    QCOMPARE(withHeader.json().value("duplicate"_L1), QJsonValue(false));
    QCOMPARE(withHeader.json().value("offset"_L1).toInteger(), 2);
    // ... and the header key is remembered, whatever the body says.
    const HttpResult again = publishBill(7400, {{u"idempotency_key"_s, u"other"_s}}, "header-7400");
    QCOMPARE(again.json().value("duplicate"_L1), QJsonValue(true));
    QCOMPARE(again.json().value("message_id"_L1), withHeader.json().value("message_id"_L1));
    // The ignored body key still stays out of the delivered data.
    QCOMPARE(client.waitFor(u"bill_update"_s).value("data"_L1).toObject(), QJsonObject());
    QCOMPARE(client.waitFor(u"bill_update"_s).value("data"_L1).toObject(), QJsonObject());
    QVERIFY(drained(client));
    QCOMPARE(client.receivedOfType(u"bill_update"_s).size(), 2);
}

void TestDedupe::sameKeyForDifferentTargetsDeliversEach()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"erin"_s)));
    QVERIFY(client.subscribe(7501));
    QVERIFY(client.subscribe(7502));
    const QByteArray key = "shared-key-75";
    const HttpResult first = publishBill(7501, {{u"n"_s, 1}}, key);
    const HttpResult second = publishBill(7502, {{u"n"_s, 2}}, key);
    const HttpResult toUser = publish(u"/api/users/erin/notifications"_s, {{u"title"_s, u"t"_s}}, key);
    const HttpResult toAll = publish(u"/api/broadcast"_s, {{u"news"_s, u"n"_s}}, key);
    for (const HttpResult *result : {&first, &second, &toUser, &toAll}) {
        QCOMPARE(result->status, 200);
        QCOMPARE(result->json().value("duplicate"_L1), QJsonValue(false));
        QCOMPARE(result->json().value("delivered"_L1).toInt(), 1);
    }
    const QSet<QString> ids{
        first.json().value("message_id"_L1).toString(), second.json().value("message_id"_L1).toString(),
        toUser.json().value("message_id"_L1).toString(), toAll.json().value("message_id"_L1).toString()};
    QCOMPARE(ids.size(), 4);
    QCOMPARE(client.waitFor(u"bill_update"_s).value("bill_id"_L1).toInteger(), 7501);
    QCOMPARE(client.waitFor(u"bill_update"_s).value("bill_id"_L1).toInteger(), 7502);
    QVERIFY(!client.waitFor(u"notification"_s).isEmpty());
    QVERIFY(!client.waitFor(u"broadcast"_s).isEmpty());
}

void TestDedupe::notificationsAndBroadcastsAreDeduplicated()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"frank"_s)));
    const QString notifications = u"/api/users/frank/notifications"_s;
    const HttpResult note = publish(notifications, {{u"title"_s, u"hello"_s}}, "note-1");
    QCOMPARE(note.json().value("delivered"_L1).toInt(), 1);
    const HttpResult noteAgain = publish(notifications, {{u"title"_s, u"hello"_s}}, "note-1");
    QCOMPARE(noteAgain.status, 200);
    QCOMPARE(noteAgain.json().value("message_id"_L1), note.json().value("message_id"_L1));
    QCOMPARE(noteAgain.json().value("delivered"_L1).toInt(-1), 0);
    QCOMPARE(noteAgain.json().value("duplicate"_L1), QJsonValue(true));
    QCOMPARE(noteAgain.json().value("stored"_L1), QJsonValue(false));

    const HttpResult all = publish(u"/api/broadcast"_s, {{u"m"_s, 1}}, "all-1");
    QVERIFY(all.json().value("delivered"_L1).toInt() >= 1);
    const HttpResult allAgain = publish(u"/api/broadcast"_s, {{u"m"_s, 1}}, "all-1");
    QCOMPARE(allAgain.json().value("message_id"_L1), all.json().value("message_id"_L1));
    QCOMPARE(allAgain.json().value("delivered"_L1).toInt(-1), 0);
    QCOMPARE(allAgain.json().value("duplicate"_L1), QJsonValue(true));

    QVERIFY(drained(client));
    QCOMPARE(client.receivedOfType(u"notification"_s).size(), 1);
    QCOMPARE(client.receivedOfType(u"broadcast"_s).size(), 1);
}

void TestDedupe::keyIsFreeAgainAfterTheWindow()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--dedupe-window"_s, u"300ms"_s}), qPrintable(service.errorString()));
    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"gina"_s)));
    QVERIFY(client.subscribe(7600));
    const QString path = service.httpUrl(u"/api/bills/7600/updates"_s);

    QElapsedTimer sinceFirst;
    sinceFirst.start();
    const HttpResult first = httpPost(path, "{}", headersWithKey("window-key"));
    QCOMPARE(first.json().value("offset"_L1).toInteger(), 1);
    const QString firstId = first.json().value("message_id"_L1).toString();

    // Retries answer the original until the window has passed, then the key publishes again.
    // (qWaitFor, not QTRY_VERIFY: the check publishes, so it must run exactly once per try.)
    HttpResult retry;
    int tries = 0;
    qint64 firstTryMs = -1;
    const bool publishedAgain = QTest::qWaitFor(
        [&] {
            if (++tries == 1)
                firstTryMs = sinceFirst.elapsed();
            retry = httpPost(path, "{}", headersWithKey("window-key"));
            return retry.status != 200 || retry.json().value("duplicate"_L1) == QJsonValue(false);
        },
        10'000);
    QVERIFY(publishedAgain);
    QCOMPARE(retry.status, 200);
    // Unless the machine stalled for most of the window, the first retry came within it.
    if (firstTryMs < 150)
        QVERIFY2(tries > 1, "the first retry must still have been a duplicate");
    QVERIFY2(sinceFirst.elapsed() >= 300, qPrintable(QString::number(sinceFirst.elapsed())));
    QVERIFY(retry.json().value("message_id"_L1).toString() != firstId);
    QCOMPARE(retry.json().value("offset"_L1).toInteger(), 2);
    QCOMPARE(retry.json().value("delivered"_L1).toInt(), 1);
    QCOMPARE(client.waitFor(u"bill_update"_s).value("message_id"_L1).toString(), firstId);
    QCOMPARE(client.waitFor(u"bill_update"_s).value("offset"_L1).toInteger(), 2);
    QCOMPARE(service.terminate(), 0);
}

void TestDedupe::dedupeCacheSizeZeroTurnsItOff()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--dedupe-cache-size"_s, u"0"_s}), qPrintable(service.errorString()));
    const QString path = service.httpUrl(u"/api/bills/7700/updates"_s);
    const HttpResult first = httpPost(path, "{}", headersWithKey("same"));
    const HttpResult second = httpPost(path, "{}", headersWithKey("same"));
    QCOMPARE(second.status, 200);
    QCOMPARE(second.json().value("duplicate"_L1), QJsonValue(false));
    QCOMPARE(second.json().value("offset"_L1).toInteger(), 2);
    QVERIFY(second.json().value("message_id"_L1) != first.json().value("message_id"_L1));
    QCOMPARE(service.stat("duplicateMessages"_L1), 0);
    QCOMPARE(service.terminate(), 0);
}

void TestDedupe::badKeysAreRefused_data()
{
    QTest::addColumn<QByteArray>("headerLines");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("messagePart");

    const QString header = u"Idempotency-Key header"_s;
    const QString field = u"idempotency_key"_s;
    QTest::newRow("empty header") << "Idempotency-Key:\r\n"_ba
                                  << "{}"_ba << header;
    QTest::newRow("blank header") << "Idempotency-Key:    \r\n"_ba
                                  << "{}"_ba << header;
    QTest::newRow("header of 256") << QByteArray("Idempotency-Key: " + QByteArray(256, 'k') + "\r\n") << "{}"_ba
                                   << header;
    QTest::newRow("header of 10000") << QByteArray("Idempotency-Key: " + QByteArray(10000, 'k') + "\r\n") << "{}"_ba
                                     << header;
    QTest::newRow("UTF-8 in header") << "Idempotency-Key: caf\xc3\xa9\r\n"_ba
                                     << "{}"_ba << header;
    QTest::newRow("Latin-1 byte in header") << "Idempotency-Key: caf\xe9\r\n"_ba
                                            << "{}"_ba << header;
    // Refused by the HTTP parser already: not a valid field value.
    QTest::newRow("DEL in header") << "Idempotency-Key: a\x7f"
                                      "b\r\n"_ba
                                   << "{}"_ba << u"control character"_s;
    QTest::newRow("tab in header") << "Idempotency-Key: a\tb\r\n"_ba
                                   << "{}"_ba << header;
    QTest::newRow("two headers") << "Idempotency-Key: a\r\nIdempotency-Key: b\r\n"_ba
                                 << "{}"_ba << u"one Idempotency-Key"_s;
    QTest::newRow("two headers, same value") << "Idempotency-Key: a\r\nidempotency-key: a\r\n"_ba
                                             << "{}"_ba << u"one Idempotency-Key"_s;
    QTest::newRow("empty field") << QByteArray() << R"({"idempotency_key":""})"_ba << field;
    QTest::newRow("number field") << QByteArray() << R"({"idempotency_key":42})"_ba << field;
    QTest::newRow("null field") << QByteArray() << R"({"idempotency_key":null})"_ba << field;
    QTest::newRow("bool field") << QByteArray() << R"({"idempotency_key":true})"_ba << field;
    QTest::newRow("object field") << QByteArray() << R"({"idempotency_key":{"k":"v"}})"_ba << field;
    QTest::newRow("array field") << QByteArray() << R"({"idempotency_key":["k"]})"_ba << field;
    QTest::newRow("field of 256") << QByteArray()
                                  << QByteArray(R"({"idempotency_key":")" + QByteArray(256, 'k') + R"("})") << field;
    QTest::newRow("non-ASCII field") << QByteArray() << R"({"idempotency_key":"caf\u00e9"})"_ba << field;
    QTest::newRow("newline in field") << QByteArray() << R"({"idempotency_key":"a\nb"})"_ba << field;
    QTest::newRow("NUL in field") << QByteArray() << R"({"idempotency_key":"a\u0000b"})"_ba << field;
    QTest::newRow("emoji field") << QByteArray() << "{\"idempotency_key\":\"\xf0\x9f\x98\x80\"}"_ba << field;
}

void TestDedupe::badKeysAreRefused()
{
    QFETCH(QByteArray, headerLines);
    QFETCH(QByteArray, body);
    QFETCH(QString, messagePart);
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"hank"_s)));
    QVERIFY(client.subscribe(7800));
    const qint64 messagesBefore = m_service.stat("totalMessages"_L1);

    for (const QByteArray &path :
         {"/api/bills/7800/updates"_ba, "/api/users/hank/notifications"_ba, "/api/broadcast"_ba}) {
        const QByteArray response = rawExchange(m_service.port(), rawPost(path, body, headerLines));
        QCOMPARE(statusOf(response), 400);
        const QJsonObject error = jsonBodyOf(response);
        QCOMPARE(error.value("code"_L1).toString(), u"bad_request"_s);
        const QString message = error.value("message"_L1).toString();
        QVERIFY2(message.contains(messagePart), qPrintable(message));
        if (messagePart == "Idempotency-Key header"_L1 || messagePart == "idempotency_key"_L1)
            QVERIFY2(message.contains("255 printable ASCII"_L1), qPrintable(message));
    }
    // Nothing was published.
    QVERIFY(drained(client));
    QVERIFY(client.receivedOfType(u"bill_update"_s).isEmpty());
    QVERIFY(client.receivedOfType(u"notification"_s).isEmpty());
    QVERIFY(client.receivedOfType(u"broadcast"_s).isEmpty());
    QCOMPARE(m_service.stat("totalMessages"_L1), messagesBefore + 1); // the ping
}

void TestDedupe::edgeKeysAreAccepted_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::newRow("one character") << "x"_ba;
    QTest::newRow("255 characters") << QByteArray(255, 'k');
    QTest::newRow("UUID") << "8e03978e-40d5-43e8-bc93-6894a57f9324"_ba;
    QTest::newRow("quoted (structured field string)") << "\"8e03978e-40d5-43e8-bc93-6894a57f9324\""_ba;
    QTest::newRow("punctuation and inner spaces") << "!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ a b"_ba;
    QTest::newRow("looks like a scope") << "bill:1:x"_ba;
}

void TestDedupe::edgeKeysAreAccepted()
{
    QFETCH(QByteArray, key);
    // A fresh bill per row: the first publish of the key is new, the second a duplicate.
    static qint64 billId = 7900;
    ++billId;
    const HttpResult first = publishBill(billId, {{u"n"_s, 1}}, key);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().value("duplicate"_L1), QJsonValue(false));
    const HttpResult second = publishBill(billId, {{u"n"_s, 1}}, key);
    QCOMPARE(second.status, 200);
    QCOMPARE(second.json().value("duplicate"_L1), QJsonValue(true));
    QCOMPARE(second.json().value("message_id"_L1), first.json().value("message_id"_L1));
    // The same key in the body field is the same key.
    const HttpResult third = publishBill(billId, {{u"idempotency_key"_s, QString::fromLatin1(key)}});
    QCOMPARE(third.json().value("duplicate"_L1), QJsonValue(true));
}

void TestDedupe::latencyPercentilesAreReported()
{
    const QHash<QByteArray, double> before = m_service.metrics();
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"iris"_s)));
    QVERIFY(client.subscribe(8000));
    const qint64 countBefore = qint64(m_service.metric("wsinfra_delivery_latency_ms_count"));
    QVERIFY(countBefore >= 0);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(publishBill(8000, {{u"n"_s, i}}).json().value("delivered"_L1).toInt(), 1);
    QTRY_COMPARE(client.receivedOfType(u"bill_update"_s).size(), 5);

    const HttpResult metrics = httpGet(m_service.httpUrl(u"/api/metrics"_s), apiKeyHeaders());
    QCOMPARE(metrics.status, 200);
    const QJsonObject performance = metrics.json().value("performance"_L1).toObject();
    for (const char *name : {"latencyP50", "latencyP99", "averageLatency"})
        QVERIFY2(performance.value(QLatin1StringView(name)).isDouble(), name);
    const double p50 = performance.value("latencyP50"_L1).toDouble();
    const double p99 = performance.value("latencyP99"_L1).toDouble();
    // Loopback deliveries: milliseconds, never negative, never the wrong way round.
    QVERIFY2(p50 >= 0 && p50 <= p99 && p99 < 10'000, qPrintable(u"p50 %1, p99 %2"_s.arg(p50).arg(p99)));

    const QHash<QByteArray, double> samples = m_service.metrics();
    const double promP50 = samples.value("wsinfra_delivery_latency_p50_ms", -1);
    const double promP99 = samples.value("wsinfra_delivery_latency_p99_ms", -1);
    QVERIFY(promP50 >= 0 && promP50 <= promP99 && promP99 < 10'000);
    // One sample per publish and shard that reached someone: the subscriber sits on one shard.
    const qint64 count = qint64(samples.value("wsinfra_delivery_latency_ms_count", -1));
    QCOMPARE(count, countBefore + 5);
    QCOMPARE(qint64(samples.value(R"(wsinfra_delivery_latency_ms_bucket{le="+Inf"})", -1)), count);
    QVERIFY(samples.value("wsinfra_delivery_latency_ms_sum", -1) >= 0);

    // Traffic by type and in bytes: what this client sent and was sent, at least (other tests of
    // this file share the service).
    const auto grew = [&](const QByteArray &name) { return samples.value(name, -1) - before.value(name, 0); };
    QCOMPARE(grew(R"(wsinfra_messages_sent_total{type="bill_update"})"), 5.0);
    QVERIFY(grew(R"(wsinfra_messages_sent_total{type="subscribed"})") >= 1);
    QVERIFY(grew(R"(wsinfra_messages_sent_total{type="connected"})") >= 1);
    QVERIFY(grew(R"(wsinfra_messages_received_total{type="subscribe"})") >= 1);
    // The frames as the client parsed them, re-encoded: the same length give or take number formatting.
    qint64 updateBytes = 0;
    for (const QJsonObject &update : client.receivedOfType(u"bill_update"_s))
        updateBytes += QJsonDocument(update).toJson(QJsonDocument::Compact).size();
    updateBytes = updateBytes * 9 / 10;
    QVERIFY2(grew("wsinfra_sent_bytes_total") >= double(updateBytes),
             qPrintable(u"%1 < %2"_s.arg(grew("wsinfra_sent_bytes_total")).arg(updateBytes)));
    QVERIFY(grew("wsinfra_received_bytes_total") >= double(R"({"type":"subscribe"})"_L1.size()));

    const QByteArray text = httpGet(m_service.httpUrl(u"/metrics"_s)).body;
    QVERIFY(text.contains("# TYPE wsinfra_delivery_latency_ms histogram\n"));
    QVERIFY(text.contains("# HELP wsinfra_delivery_latency_ms "));
    QVERIFY(text.contains("# TYPE wsinfra_duplicate_messages_total counter\n"));
}

QTEST_GUILESS_MAIN(TestDedupe)
#include "tst_dedupe.moc"
