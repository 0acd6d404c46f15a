// The HTTP API of PROTOCOL.md, row by row, against the real service binary: /health, /metrics,
// the API key, publishing, the query endpoints, and what the public port does with hostile HTTP.

#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkInterface>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

/// One answer cut out of raw bytes read from a socket.
struct RawResponse
{
    int status = 0;
    QByteArray head;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        const QList<QByteArray> lines = head.split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
};

/// Splits the bytes of consecutive answers (each framed by Content-Length) into answers.
QList<RawResponse> splitResponses(const QByteArray &raw)
{
    QList<RawResponse> responses;
    qsizetype position = 0;
    while (position < raw.size()) {
        const qsizetype headEnd = raw.indexOf("\r\n\r\n", position);
        if (headEnd < 0)
            break;
        RawResponse response;
        response.head = raw.mid(position, headEnd - position);
        response.status = statusOf(response.head);
        const qsizetype length = response.header("Content-Length").toLongLong();
        response.body = raw.mid(headEnd + 4, length);
        responses.append(response);
        position = headEnd + 4 + length;
    }
    return responses;
}

QByteArray keyLine()
{
    return "Authorization: Bearer " + QByteArray(TestApiKey) + "\r\n";
}

QJsonObject jsonOf(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

} // namespace

class TestHttpApi : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void healthAnswersHealthStatus();
    void healthAcceptsHeadWithoutBody();
    void healthRejectsOtherMethods_data();
    void healthRejectsOtherMethods();
    void metricsIsPrometheusText();
    void metricsCountersMove();
    void healthAndMetricsNeedNoKey();
    void apiKeyIsChecked_data();
    void apiKeyIsChecked();
    void publishWithoutKeyChangesNothing();
    void withoutApiKeyOnlyLoopbackIsServed();
    void billUpdatesAnswerIncreasingOffsets();
    void billUpdatesRejectBadIds_data();
    void billUpdatesRejectBadIds();
    void billUpdatesRejectBadBodies_data();
    void billUpdatesRejectBadBodies();
    void publishEndpointsOnlyAcceptPost_data();
    void publishEndpointsOnlyAcceptPost();
    void notificationsCountLiveConnectionsOfTheUser();
    void broadcastReachesEveryConnection();
    void statsHasEveryServiceStatsField();
    void statsCountBroadcastsAndUniqueUsers();
    void usersArePaged();
    void pagingRejectsBadParameters_data();
    void pagingRejectsBadParameters();
    void userQueryOfUnknownAndKnownUsers();
    void billSubscribersArePaged();
    void apiMetricsHasItsSections();
    void unknownPathsAre404_data();
    void unknownPathsAre404();
    void wsWithoutUpgradeIs426();
    void hostileRequestsAreRefused_data();
    void hostileRequestsAreRefused();
    void refusalSurvivesAClientStillSending();
    void chunkedPostIsAccepted();
    void pipelinedRequestsAreAnsweredInOrder();
    void http10WithoutKeepAliveCloses();
    void http10WithKeepAliveStaysOpen();
    void serviceStillAnswersAfterHostileInput();

private:
    QString url(const QString &path) const { return m_service.httpUrl(path); }

    ServiceProcess m_service;
};

void TestHttpApi::initTestCase()
{
    QVERIFY2(m_service.start({u"--max-http-body"_s, u"4KB"_s}), qPrintable(m_service.errorString()));
}

void TestHttpApi::cleanupTestCase()
{
    QCOMPARE(m_service.terminate(), 0);
}

void TestHttpApi::healthAnswersHealthStatus()
{
    const HttpResult health = httpGet(url(u"/health"_s));
    QCOMPARE(health.status, 200);
    QVERIFY(health.header("Content-Type").startsWith("application/json"));
    const QJsonObject json = health.json();
    const QStringList keys = json.keys();
    QCOMPARE(QSet<QString>(keys.cbegin(), keys.cend()),
             (QSet<QString>{u"isHealthy"_s, u"status"_s, u"uptime"_s, u"memoryUsage"_s, u"connectionHealth"_s,
                            u"queueHealth"_s, u"warnings"_s, u"errors"_s, u"lastCheck"_s}));
    QCOMPARE(json.value("isHealthy"_L1), QJsonValue(true));
    const QString status = json.value("status"_L1).toString();
    QVERIFY2(status == "healthy"_L1 || status == "degraded"_L1, qPrintable(status));
    // healthy exactly when there is nothing to warn about
    QVERIFY(json.value("warnings"_L1).isArray());
    QVERIFY(json.value("errors"_L1).isArray());
    QCOMPARE(status == "healthy"_L1, json.value("warnings"_L1).toArray().isEmpty());
    QVERIFY(json.value("errors"_L1).toArray().isEmpty());
    QVERIFY(json.value("connectionHealth"_L1).isBool());
    QVERIFY(json.value("queueHealth"_L1).isBool());
    QVERIFY(json.value("uptime"_L1).isDouble());
    QVERIFY(json.value("uptime"_L1).toInteger() >= 0);
    const double memory = json.value("memoryUsage"_L1).toDouble(-1);
    QVERIFY2(memory > 0 && memory < 100, qPrintable(QString::number(memory)));
    QVERIFY(qAbs(json.value("lastCheck"_L1).toInteger() - QDateTime::currentMSecsSinceEpoch()) < 60'000);
}

void TestHttpApi::healthAcceptsHeadWithoutBody()
{
    // A HEAD answer has no content: the next answer on the same connection must start right after its head.
    const QByteArray raw =
        rawExchange(m_service.port(), "HEAD /health HTTP/1.1\r\nHost: t\r\n\r\n"
                                      "GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    const qsizetype firstEnd = raw.indexOf("\r\n\r\n");
    QVERIFY(firstEnd > 0);
    QCOMPARE(statusOf(raw), 200);
    const QByteArray rest = raw.mid(firstEnd + 4);
    QVERIFY2(rest.startsWith("HTTP/1.1 200 "), rest.left(80).constData());
    QCOMPARE(jsonOf(splitResponses(rest).value(0).body).value("isHealthy"_L1), QJsonValue(true));
}

void TestHttpApi::healthRejectsOtherMethods_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::newRow("POST") << "POST"_ba;
    QTest::newRow("PUT") << "PUT"_ba;
    QTest::newRow("DELETE") << "DELETE"_ba;
    QTest::newRow("PATCH") << "PATCH"_ba;
}

void TestHttpApi::healthRejectsOtherMethods()
{
    QFETCH(QByteArray, method);
    const HttpResult result = httpRequest(method, url(u"/health"_s), "{}", {});
    QCOMPARE(result.status, 405);
    QVERIFY2(result.header("Allow").contains("GET"), result.header("Allow").constData());
    QCOMPARE(result.json().value("code"_L1).toString(), u"method_not_allowed"_s);

    const HttpResult metrics = httpRequest(method, url(u"/metrics"_s), "{}", {});
    QCOMPARE(metrics.status, 405);
    QVERIFY(metrics.header("Allow").contains("GET"));
}

void TestHttpApi::metricsIsPrometheusText()
{
    const HttpResult metrics = httpGet(url(u"/metrics"_s));
    QCOMPARE(metrics.status, 200);
    QVERIFY2(metrics.header("Content-Type").startsWith("text/plain"), metrics.header("Content-Type").constData());
    QVERIFY(metrics.body.endsWith('\n'));

    static const QRegularExpression help(u"^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \\S.*$"_s);
    static const QRegularExpression type(
        u"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$"_s);
    static const QRegularExpression sample(u"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$"_s);
    QHash<QString, QString> types;
    QSet<QString> sampled;
    const QList<QByteArray> lines = metrics.body.split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) { // the last element is what follows the final newline
        const QString line = QString::fromUtf8(lines.at(i));
        if (const QRegularExpressionMatch match = help.match(line); match.hasMatch())
            continue;
        if (const QRegularExpressionMatch match = type.match(line); match.hasMatch()) {
            QVERIFY2(!types.contains(match.captured(1)), qPrintable(line)); // one TYPE per metric
            types.insert(match.captured(1), match.captured(2));
            continue;
        }
        const QRegularExpressionMatch match = sample.match(line);
        QVERIFY2(match.hasMatch(), qPrintable(u"not a Prometheus line: "_s + line));
        // The _sum and _count samples of a summary or histogram, and a histogram's _bucket samples,
        // belong to its family.
        QString family = match.captured(1);
        for (const QLatin1StringView suffix : {"_sum"_L1, "_count"_L1, "_bucket"_L1}) {
            const QString base = family.chopped(qMin(family.size(), suffix.size()));
            const QString baseType = types.value(base);
            if (family.endsWith(suffix) &&
                (baseType == "histogram"_L1 || (baseType == "summary"_L1 && suffix != "_bucket"_L1)))
                family = base;
        }
        QVERIFY2(types.contains(family), qPrintable(u"sample before its TYPE: "_s + line));
        bool ok = false;
        match.captured(3).toDouble(&ok);
        QVERIFY2(ok, qPrintable(u"value is not a number: "_s + line));
        sampled.insert(family);
    }
    for (auto it = types.cbegin(); it != types.cend(); ++it) {
        QVERIFY2(sampled.contains(it.key()), qPrintable(u"TYPE without sample: "_s + it.key()));
        if (it.value() == "counter"_L1)
            QVERIFY2(it.key().endsWith("_total"_L1), qPrintable(it.key()));
    }
    for (const QString &name : {u"wsinfra_connections_active"_s, u"wsinfra_messages_total"_s,
                                u"wsinfra_http_requests_total"_s, u"wsinfra_memory_rss_bytes"_s})
        QVERIFY2(sampled.contains(name), qPrintable(name));
}

void TestHttpApi::metricsCountersMove()
{
    QTRY_COMPARE(m_service.metric("wsinfra_connections_active"), 0.0);
    {
        WsClient client;
        QVERIFY(client.open(m_service.wsUrlFor(u"metrics-user"_s)));
        QTRY_COMPARE(m_service.metric("wsinfra_connections_active"), 1.0);
        QVERIFY(m_service.metric("wsinfra_connections_peak") >= 1.0);
    }
    QTRY_COMPARE(m_service.metric("wsinfra_connections_active"), 0.0);

    const double requestsBefore = m_service.metric("wsinfra_http_requests_total");
    QCOMPARE(httpGet(url(u"/health"_s)).status, 200);
    QCOMPARE(httpGet(url(u"/health"_s)).status, 200);
    // the two /health requests and the /metrics request that reads the counter
    QVERIFY(m_service.metric("wsinfra_http_requests_total") >= requestsBefore + 3);

    const QHash<QByteArray, double> before = m_service.metrics();
    QCOMPARE(m_service.publishBill(9100, R"({"n":1})").status, 200);
    QCOMPARE(httpPost(url(u"/api/broadcast"_s), R"({"n":2})", apiKeyHeaders()).status, 200);
    const QHash<QByteArray, double> after = m_service.metrics();
    QCOMPARE(after.value("wsinfra_messages_total"), before.value("wsinfra_messages_total") + 2);
    QCOMPARE(after.value("wsinfra_broadcasts_total"), before.value("wsinfra_broadcasts_total") + 1);
    QVERIFY(after.value("wsinfra_history_entries") >= before.value("wsinfra_history_entries") + 1);
}

void TestHttpApi::healthAndMetricsNeedNoKey()
{
    QCOMPARE(httpGet(url(u"/health"_s)).status, 200);
    QCOMPARE(httpGet(url(u"/metrics"_s)).status, 200);
    // A wrong key does not turn them away either.
    const Headers wrong{{"Authorization", "Bearer wrong"}};
    QCOMPARE(httpGet(url(u"/health"_s), wrong).status, 200);
    QCOMPARE(httpGet(url(u"/metrics"_s), wrong).status, 200);
}

void TestHttpApi::apiKeyIsChecked_data()
{
    const QByteArray key(TestApiKey);
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<int>("status");
    QTest::newRow("no key") << Headers{} << 401;
    QTest::newRow("wrong bearer") << Headers{{"Authorization", "Bearer wrong-key"}} << 401;
    QTest::newRow("wrong x-api-key") << Headers{{"X-API-Key", "wrong-key"}} << 401;
    QTest::newRow("empty bearer") << Headers{{"Authorization", "Bearer "}} << 401;
    QTest::newRow("empty x-api-key") << Headers{{"X-API-Key", ""}} << 401;
    QTest::newRow("key with basic scheme") << Headers{{"Authorization", "Basic " + key}} << 401;
    QTest::newRow("key without scheme") << Headers{{"Authorization", key}} << 401;
    QTest::newRow("key prefix") << Headers{{"Authorization", "Bearer " + key.chopped(1)}} << 401;
    QTest::newRow("key with suffix") << Headers{{"Authorization", "Bearer " + key + 'x'}} << 401;
    QTest::newRow("key in other case") << Headers{{"X-API-Key", key.toUpper()}} << 401;
    QTest::newRow("bearer") << Headers{{"Authorization", "Bearer " + key}} << 200;
    QTest::newRow("bearer scheme in lower case") << Headers{{"Authorization", "bearer " + key}} << 200;
    QTest::newRow("x-api-key") << Headers{{"X-API-Key", key}} << 200;
    QTest::newRow("x-api-key name in upper case") << Headers{{"X-API-KEY", key}} << 200;
}

void TestHttpApi::apiKeyIsChecked()
{
    QFETCH(Headers, headers);
    QFETCH(int, status);
    for (const QString &path :
         {u"/api/stats"_s, u"/api/users"_s, u"/api/metrics"_s, u"/api/users/x"_s, u"/api/bills/1/subscribers"_s}) {
        const HttpResult result = httpGet(url(path), headers);
        QCOMPARE(result.status, status);
        if (status == 401) {
            QCOMPARE(result.json().value("code"_L1).toString(), u"not_authorized"_s);
            QVERIFY(!result.json().value("message"_L1).toString().isEmpty());
            QVERIFY2(result.header("WWW-Authenticate").startsWith("Bearer"),
                     result.header("WWW-Authenticate").constData());
            // The answer does not leak the expected key.
            QVERIFY(!result.body.contains(TestApiKey));
        }
    }
}

void TestHttpApi::publishWithoutKeyChangesNothing()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"keyless"_s)));
    QVERIFY(client.subscribe(9200));
    const HttpResult refused =
        httpPost(url(u"/api/bills/9200/updates"_s), R"({"x":1})", {{"Authorization", "Bearer wrong"}});
    QCOMPARE(refused.status, 401);
    QCOMPARE(httpPost(url(u"/api/broadcast"_s), R"({"x":1})", {}).status, 401);
    QCOMPARE(httpPost(url(u"/api/users/keyless/notifications"_s), R"({"x":1})", {}).status, 401);
    client.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!client.waitFor(u"pong"_s).isEmpty());
    QVERIFY(client.receivedOfType(u"bill_update"_s).isEmpty());
    QVERIFY(client.receivedOfType(u"broadcast"_s).isEmpty());
    QVERIFY(client.receivedOfType(u"notification"_s).isEmpty());
    // The refused publish took no offset.
    QCOMPARE(m_service.publishBill(9200, R"({"x":2})").json().value("offset"_L1).toInteger(), 1);
}

void TestHttpApi::withoutApiKeyOnlyLoopbackIsServed()
{
    // An empty variable counts as unset: this service has no API key.
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_API_KEY"_s, QString());
    ServiceProcess keyless;
    QVERIFY2(keyless.start({u"--bind"_s, u"0.0.0.0"_s}, environment), qPrintable(keyless.errorString()));

    const HttpResult stats = httpGet(keyless.httpUrl(u"/api/stats"_s));
    QCOMPARE(stats.status, 200);
    QVERIFY(stats.json().contains("totalConnections"_L1));
    const HttpResult published = httpPost(keyless.httpUrl(u"/api/bills/5/updates"_s), R"({"a":1})");
    QCOMPARE(published.status, 200);
    QCOMPARE(published.json().value("offset"_L1).toInteger(), 1);
    // The test key means nothing there, but does not hurt either.
    QCOMPARE(httpGet(keyless.httpUrl(u"/api/users"_s), apiKeyHeaders()).status, 200);

    // From an address that is not loopback, the API refuses: there is no key to check.
    QHostAddress outside;
    const QList<QHostAddress> addresses = QNetworkInterface::allAddresses();
    for (const QHostAddress &address : addresses) {
        if (address.protocol() == QAbstractSocket::IPv4Protocol && !address.isLoopback()) {
            outside = address;
            break;
        }
    }
    if (!outside.isNull()) {
        const QString base = u"http://%1:%2"_s.arg(outside.toString()).arg(keyless.port());
        const HttpResult remote = httpGet(base + u"/api/stats"_s, apiKeyHeaders());
        QCOMPARE(remote.status, 401);
        QCOMPARE(remote.json().value("code"_L1).toString(), u"not_authorized"_s);
        QVERIFY(remote.json().value("message"_L1).toString().contains("WSINFRA_API_KEY"_L1));
        QCOMPARE(httpGet(base + u"/health"_s).status, 200);
    }
    QCOMPARE(keyless.terminate(), 0);
    if (outside.isNull())
        QSKIP("no non-loopback IPv4 address to check the refusal of remote clients from");
}

void TestHttpApi::billUpdatesAnswerIncreasingOffsets()
{
    QSet<QString> messageIds;
    for (int i = 1; i <= 3; ++i) {
        const HttpResult result = m_service.publishBill(9300, QJsonDocument(QJsonObject{{u"n"_s, i}}).toJson());
        QCOMPARE(result.status, 200);
        QVERIFY(result.header("Content-Type").startsWith("application/json"));
        const QJsonObject json = result.json();
        QCOMPARE(json.value("bill_id"_L1).toInteger(), 9300);
        QCOMPARE(json.value("offset"_L1).toInteger(), i);
        QCOMPARE(json.value("delivered"_L1).toInt(-1), 0);
        const QString messageId = json.value("message_id"_L1).toString();
        QVERIFY(!messageId.isEmpty());
        messageIds.insert(messageId);
    }
    QCOMPARE(messageIds.size(), 3);

    // Offsets are per bill; a subscriber is counted as delivered.
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"offsets"_s)));
    QVERIFY(client.subscribe(9301));
    const HttpResult other = m_service.publishBill(9301, R"({"type":"status_change","data":{"status":"passed"}})");
    QCOMPARE(other.json().value("offset"_L1).toInteger(), 1);
    QCOMPARE(other.json().value("delivered"_L1).toInt(), 1);
    QCOMPARE(client.waitFor(u"bill_update"_s).value("message_id"_L1), other.json().value("message_id"_L1));

    // The largest id JSON numbers carry exactly is accepted.
    const HttpResult largest = m_service.publishBill(9007199254740991, R"({})");
    QCOMPARE(largest.status, 200);
    QCOMPARE(largest.json().value("bill_id"_L1).toInteger(), 9007199254740991);
}

void TestHttpApi::billUpdatesRejectBadIds_data()
{
    QTest::addColumn<QString>("id");
    QTest::newRow("zero") << u"0"_s;
    QTest::newRow("negative") << u"-1"_s;
    QTest::newRow("letters") << u"abc"_s;
    QTest::newRow("overflowing") << u"99999999999999999999"_s;
    QTest::newRow("2^53") << u"9007199254740992"_s;
    QTest::newRow("fraction") << u"1.5"_s;
    QTest::newRow("exponent") << u"1e3"_s;
    QTest::newRow("plus sign") << u"+5"_s;
    QTest::newRow("hex") << u"0x10"_s;
    QTest::newRow("leading space") << u"%201"_s;
    QTest::newRow("trailing letter") << u"12a"_s;
    QTest::newRow("empty") << QString();
}

void TestHttpApi::billUpdatesRejectBadIds()
{
    QFETCH(QString, id);
    const HttpResult result = httpPost(url(u"/api/bills/"_s + id + u"/updates"_s), R"({"a":1})", apiKeyHeaders());
    QCOMPARE(result.status, 400);
    QCOMPARE(result.json().value("code"_L1).toString(), u"bad_request"_s);
    QVERIFY(!result.json().value("message"_L1).toString().isEmpty());
    const HttpResult subscribers = httpGet(url(u"/api/bills/"_s + id + u"/subscribers"_s), apiKeyHeaders());
    QCOMPARE(subscribers.status, 400);
    QCOMPARE(subscribers.json().value("code"_L1).toString(), u"bad_request"_s);
}

void TestHttpApi::billUpdatesRejectBadBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qint64>("billId");
    QTest::newRow("not json") << "hello"_ba << qint64(9401);
    QTest::newRow("array") << "[1,2]"_ba << qint64(9402);
    QTest::newRow("empty") << QByteArray() << qint64(9403);
    QTest::newRow("number") << "42"_ba << qint64(9404);
    QTest::newRow("string") << "\"text\""_ba << qint64(9405);
    QTest::newRow("null") << "null"_ba << qint64(9406);
    QTest::newRow("truncated") << R"({"a":)"_ba << qint64(9407);
    QTest::newRow("trailing garbage") << R"({"a":1} x)"_ba << qint64(9408);
    QTest::newRow("embedded NUL") << QByteArray("{\"a\":1}\0{}", 10) << qint64(9409);
    QTest::newRow("invalid UTF-8") << "{\"a\":\"\xff\xfe\"}"_ba << qint64(9410);
    QTest::newRow("deep nesting") << QByteArray(2000, '[') + QByteArray(2000, ']') << qint64(9411);
}

void TestHttpApi::billUpdatesRejectBadBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(qint64, billId);
    const HttpResult result = m_service.publishBill(billId, body);
    QCOMPARE(result.status, 400);
    QCOMPARE(result.json().value("code"_L1).toString(), u"bad_request"_s);
    // A refused body took no offset of the bill.
    QCOMPARE(m_service.publishBill(billId, R"({"ok":true})").json().value("offset"_L1).toInteger(), 1);

    for (const QString &path : {u"/api/users/someone/notifications"_s, u"/api/broadcast"_s}) {
        const HttpResult other = httpPost(url(path), body, apiKeyHeaders());
        QCOMPARE(other.status, 400);
        QCOMPARE(other.json().value("code"_L1).toString(), u"bad_request"_s);
    }
}

void TestHttpApi::publishEndpointsOnlyAcceptPost_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    for (const QByteArray &method : {"GET"_ba, "PUT"_ba, "DELETE"_ba, "PATCH"_ba}) {
        for (const QString &path : {u"/api/bills/1/updates"_s, u"/api/users/u/notifications"_s, u"/api/broadcast"_s}) {
            QTest::addRow("%s %s", method.constData(), qPrintable(path)) << method << path;
        }
    }
}

void TestHttpApi::publishEndpointsOnlyAcceptPost()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const HttpResult result = httpRequest(method, url(path), R"({"a":1})", apiKeyHeaders());
    QCOMPARE(result.status, 405);
    QCOMPARE(result.header("Allow"), "POST"_ba);
    QCOMPARE(result.json().value("code"_L1).toString(), u"method_not_allowed"_s);
}

void TestHttpApi::notificationsCountLiveConnectionsOfTheUser()
{
    WsClient phone;
    WsClient laptop;
    WsClient other;
    QVERIFY(phone.open(m_service.wsUrlFor(u"notified"_s)));
    QVERIFY(laptop.open(m_service.wsUrlFor(u"notified"_s)));
    QVERIFY(other.open(m_service.wsUrlFor(u"not-notified"_s)));

    const QByteArray body = R"({"type":"notification","title":"Bill Update","message":"updated"})";
    const HttpResult sent = httpPost(url(u"/api/users/notified/notifications"_s), body, apiKeyHeaders());
    QCOMPARE(sent.status, 200);
    QCOMPARE(sent.json().value("delivered"_L1).toInt(), 2);
    // Kept in the user's inbox until a client acknowledges it (tst_inbox).
    QCOMPARE(sent.json().value("stored"_L1), QJsonValue(true));
    const QString messageId = sent.json().value("message_id"_L1).toString();
    QVERIFY(!messageId.isEmpty());
    QCOMPARE(phone.waitFor(u"notification"_s).value("message_id"_L1).toString(), messageId);
    QCOMPARE(laptop.waitFor(u"notification"_s).value("message_id"_L1).toString(), messageId);

    const HttpResult nobody = httpPost(url(u"/api/users/nobody-here/notifications"_s), body, apiKeyHeaders());
    QCOMPARE(nobody.status, 200);
    QCOMPARE(nobody.json().value("delivered"_L1).toInt(-1), 0);
    QCOMPARE(nobody.json().value("stored"_L1), QJsonValue(true));
    QVERIFY(nobody.json().value("message_id"_L1).toString() != messageId);

    laptop.close();
    QVERIFY(laptop.waitClosed());
    QTRY_COMPARE(httpPost(url(u"/api/users/notified/notifications"_s), body, apiKeyHeaders())
                     .json()
                     .value("delivered"_L1)
                     .toInt(),
                 1);
    other.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!other.waitFor(u"pong"_s).isEmpty());
    QVERIFY(other.receivedOfType(u"notification"_s).isEmpty());
}

void TestHttpApi::broadcastReachesEveryConnection()
{
    QTRY_COMPARE(m_service.stats().value("activeConnections"_L1).toInteger(), 0);
    WsClient first;
    WsClient second;
    WsClient third;
    QVERIFY(first.open(m_service.wsUrlFor(u"b1"_s)));
    QVERIFY(second.open(m_service.wsUrlFor(u"b1"_s)));
    QVERIFY(third.open(m_service.wsUrlFor(u"b2"_s)));
    const HttpResult sent = httpPost(url(u"/api/broadcast"_s), R"({"text":"maintenance"})", apiKeyHeaders());
    QCOMPARE(sent.status, 200);
    QCOMPARE(sent.json().value("delivered"_L1).toInt(), 3);
    const QString messageId = sent.json().value("message_id"_L1).toString();
    QVERIFY(!messageId.isEmpty());
    for (WsClient *client : {&first, &second, &third}) {
        const QJsonObject received = client->waitFor(u"broadcast"_s);
        QCOMPARE(received.value("message_id"_L1).toString(), messageId);
        QCOMPARE(received.value("data"_L1).toObject().value("text"_L1).toString(), u"maintenance"_s);
    }
}

void TestHttpApi::statsHasEveryServiceStatsField()
{
    const HttpResult result = httpGet(url(u"/api/stats"_s), apiKeyHeaders());
    QCOMPARE(result.status, 200);
    const QJsonObject json = result.json();
    for (const QString &field :
         {u"totalConnections"_s, u"activeConnections"_s, u"totalMessages"_s, u"totalBroadcasts"_s, u"droppedMessages"_s,
          u"duplicateMessages"_s, u"queueOverflows"_s, u"reconnections"_s, u"startTime"_s, u"lastActivity"_s,
          u"peakConnections"_s, u"uptime"_s, u"memoryUsage"_s, u"uniqueUsers"_s, u"averageLatency"_s}) {
        QVERIFY2(json.value(field).isDouble(), qPrintable(field));
        QVERIFY2(json.value(field).toDouble() >= 0, qPrintable(field));
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 startTime = json.value("startTime"_L1).toInteger();
    QVERIFY(startTime <= now && startTime > now - 10 * 60'000);
    QVERIFY(json.value("lastActivity"_L1).toInteger() >= startTime);
    QVERIFY(json.value("lastActivity"_L1).toInteger() <= now);
    QVERIFY(qAbs(json.value("uptime"_L1).toInteger() - (now - startTime)) < 60'000);
    QVERIFY(json.value("memoryUsage"_L1).toInteger() > 1024 * 1024); // resident bytes of a Qt process
    QVERIFY(json.value("peakConnections"_L1).toInteger() >= json.value("activeConnections"_L1).toInteger());
    QVERIFY(json.value("totalConnections"_L1).toInteger() >= json.value("peakConnections"_L1).toInteger());
    // Earlier tests published and connected.
    QVERIFY(json.value("totalMessages"_L1).toInteger() > 0);
    QVERIFY(json.value("totalConnections"_L1).toInteger() > 0);
}

void TestHttpApi::statsCountBroadcastsAndUniqueUsers()
{
    QTRY_COMPARE(m_service.stats().value("activeConnections"_L1).toInteger(), 0);
    const QJsonObject before = m_service.stats();
    QCOMPARE(before.value("uniqueUsers"_L1).toInteger(), 0);

    WsClient aliceOne;
    WsClient aliceTwo;
    WsClient bob;
    QVERIFY(aliceOne.open(m_service.wsUrlFor(u"alice"_s)));
    QVERIFY(aliceTwo.open(m_service.wsUrlFor(u"alice"_s)));
    QVERIFY(bob.open(m_service.wsUrlFor(u"bob"_s)));
    QCOMPARE(httpPost(url(u"/api/broadcast"_s), R"({"a":1})", apiKeyHeaders()).status, 200);

    const QJsonObject after = m_service.stats();
    QCOMPARE(after.value("uniqueUsers"_L1).toInteger(), 2);
    QCOMPARE(after.value("activeConnections"_L1).toInteger(), 3);
    QVERIFY(after.value("peakConnections"_L1).toInteger() >= 3);
    QCOMPARE(after.value("totalConnections"_L1).toInteger(), before.value("totalConnections"_L1).toInteger() + 3);
    QCOMPARE(after.value("totalBroadcasts"_L1).toInteger(), before.value("totalBroadcasts"_L1).toInteger() + 1);
    QVERIFY(after.value("totalMessages"_L1).toInteger() > before.value("totalMessages"_L1).toInteger());
    QVERIFY(after.value("lastActivity"_L1).toInteger() >= before.value("lastActivity"_L1).toInteger());

    bob.close();
    QVERIFY(bob.waitClosed());
    QTRY_COMPARE(m_service.stats().value("uniqueUsers"_L1).toInteger(), 1);
    QCOMPARE(m_service.stats().value("activeConnections"_L1).toInteger(), 2);
}

void TestHttpApi::usersArePaged()
{
    QTRY_COMPARE(m_service.stats().value("uniqueUsers"_L1).toInteger(), 0);
    WsClient c;
    WsClient a;
    WsClient b;
    WsClient aAgain;
    QVERIFY(c.open(m_service.wsUrlFor(u"page-c"_s)));
    QVERIFY(a.open(m_service.wsUrlFor(u"page-a"_s)));
    QVERIFY(b.open(m_service.wsUrlFor(u"page-b"_s)));
    QVERIFY(aAgain.open(m_service.wsUrlFor(u"page-a"_s)));

    const auto page = [this](const QString &query) {
        const HttpResult result = httpGet(url(u"/api/users"_s + query), apiKeyHeaders());
        return result.status == 200 ? result.json() : QJsonObject{{u"status"_s, result.status}};
    };
    const QJsonObject all = page(QString());
    QCOMPARE(all.value("users"_L1).toArray(), (QJsonArray{u"page-a"_s, u"page-b"_s, u"page-c"_s}));
    QCOMPARE(all.value("total"_L1).toInt(), 3);
    QCOMPARE(all.value("offset"_L1).toInt(-1), 0);
    QVERIFY(all.value("limit"_L1).toInt() >= 3);

    const QJsonObject first = page(u"?limit=2"_s);
    QCOMPARE(first.value("users"_L1).toArray(), (QJsonArray{u"page-a"_s, u"page-b"_s}));
    QCOMPARE(first.value("total"_L1).toInt(), 3);
    QCOMPARE(first.value("limit"_L1).toInt(), 2);
    const QJsonObject second = page(u"?offset=2&limit=2"_s);
    QCOMPARE(second.value("users"_L1).toArray(), (QJsonArray{u"page-c"_s}));
    QCOMPARE(second.value("offset"_L1).toInt(), 2);
    const QJsonObject beyond = page(u"?offset=10"_s);
    QCOMPARE(beyond.value("users"_L1).toArray(), QJsonArray());
    QCOMPARE(beyond.value("total"_L1).toInt(), 3);
    QCOMPARE(page(u"?limit=1000"_s).value("users"_L1).toArray().size(), 3);
    QCOMPARE(page(u"?limit=1"_s).value("users"_L1).toArray(), (QJsonArray{u"page-a"_s}));
}

void TestHttpApi::pagingRejectsBadParameters_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("limit 0") << u"limit=0"_s;
    QTest::newRow("limit 5000") << u"limit=5000"_s;
    QTest::newRow("limit abc") << u"limit=abc"_s;
    QTest::newRow("limit negative") << u"limit=-1"_s;
    QTest::newRow("limit empty") << u"limit="_s;
    QTest::newRow("limit fraction") << u"limit=1.5"_s;
    QTest::newRow("limit overflowing") << u"limit=99999999999999999999"_s;
    QTest::newRow("offset negative") << u"offset=-1"_s;
    QTest::newRow("offset abc") << u"offset=abc"_s;
    QTest::newRow("offset overflowing") << u"offset=99999999999"_s;
    QTest::newRow("good offset, bad limit") << u"offset=1&limit=0"_s;
}

void TestHttpApi::pagingRejectsBadParameters()
{
    QFETCH(QString, query);
    for (const QString &path : {u"/api/users"_s, u"/api/bills/1/subscribers"_s}) {
        const HttpResult result = httpGet(url(path + u'?' + query), apiKeyHeaders());
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json().value("code"_L1).toString(), u"bad_request"_s);
        QVERIFY(!result.json().value("message"_L1).toString().isEmpty());
    }
}

void TestHttpApi::userQueryOfUnknownAndKnownUsers()
{
    const HttpResult unknown = httpGet(url(u"/api/users/nobody-at-all"_s), apiKeyHeaders());
    QCOMPARE(unknown.status, 200);
    QCOMPARE(unknown.json().value("user_id"_L1).toString(), u"nobody-at-all"_s);
    QCOMPARE(unknown.json().value("connected"_L1), QJsonValue(false));
    QCOMPARE(unknown.json().value("connections"_L1).toInt(-1), 0);
    QCOMPARE(unknown.json().value("subscriptions"_L1), QJsonValue(QJsonArray()));

    WsClient one;
    WsClient two;
    QVERIFY(one.open(m_service.wsUrlFor(u"queried"_s)));
    QVERIFY(two.open(m_service.wsUrlFor(u"queried"_s)));
    QVERIFY(one.subscribe(9502));
    QVERIFY(two.subscribe(9501));
    const QJsonObject known = m_service.user(u"queried"_s);
    QCOMPARE(known.value("connected"_L1), QJsonValue(true));
    QCOMPARE(known.value("connections"_L1).toInt(), 2);
    QCOMPARE(known.value("subscriptions"_L1).toArray(), (QJsonArray{9501, 9502}));
}

void TestHttpApi::billSubscribersArePaged()
{
    WsClient carl;
    WsClient anna;
    WsClient bert;
    WsClient annaAgain;
    for (const auto &[client, user] : {std::pair{&carl, u"sub-carl"_s}, std::pair{&anna, u"sub-anna"_s},
                                       std::pair{&bert, u"sub-bert"_s}, std::pair{&annaAgain, u"sub-anna"_s}}) {
        QVERIFY(client->open(m_service.wsUrlFor(user)));
        QVERIFY(client->subscribe(9600));
    }
    const QJsonObject all = httpGet(url(u"/api/bills/9600/subscribers"_s), apiKeyHeaders()).json();
    QCOMPARE(all.value("bill_id"_L1).toInteger(), 9600);
    QCOMPARE(all.value("subscribers"_L1).toArray(), (QJsonArray{u"sub-anna"_s, u"sub-bert"_s, u"sub-carl"_s}));
    QCOMPARE(all.value("total"_L1).toInt(), 3);

    const QJsonObject middle = httpGet(url(u"/api/bills/9600/subscribers?offset=1&limit=1"_s), apiKeyHeaders()).json();
    QCOMPARE(middle.value("subscribers"_L1).toArray(), (QJsonArray{u"sub-bert"_s}));
    QCOMPARE(middle.value("total"_L1).toInt(), 3);

    const QJsonObject none = httpGet(url(u"/api/bills/9699/subscribers"_s), apiKeyHeaders()).json();
    QCOMPARE(none.value("subscribers"_L1).toArray(), QJsonArray());
    QCOMPARE(none.value("total"_L1).toInt(-1), 0);
}

void TestHttpApi::apiMetricsHasItsSections()
{
    const auto metrics = [this] {
        const HttpResult result = httpGet(url(u"/api/metrics"_s), apiKeyHeaders());
        return result.status == 200 ? result.json() : QJsonObject();
    };
    // Clients of earlier tests may still be closing.
    QTRY_COMPARE(m_service.stats().value("activeConnections"_L1).toInteger(), 0);
    const QJsonObject before = metrics();
    for (const QString &section : {u"stats"_s, u"health"_s, u"subscriptions"_s, u"history"_s})
        QVERIFY2(before.value(section).isObject(), qPrintable(section));
    QVERIFY(before.value("stats"_L1).toObject().contains("totalConnections"_L1));
    QVERIFY(before.value("health"_L1).toObject().contains("isHealthy"_L1));

    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"metered"_s)));
    QVERIFY(client.subscribe(9700));
    QVERIFY(client.subscribe(9701));
    QCOMPARE(m_service.publishBill(9700, R"({"m":1})").status, 200);
    const QJsonObject after = metrics();
    QCOMPARE(after.value("subscriptions"_L1).toObject().value("total"_L1).toInteger(),
             before.value("subscriptions"_L1).toObject().value("total"_L1).toInteger() + 2);
    QCOMPARE(after.value("history"_L1).toObject().value("entries"_L1).toInteger(),
             before.value("history"_L1).toObject().value("entries"_L1).toInteger() + 1);
    QCOMPARE(after.value("stats"_L1).toObject().value("activeConnections"_L1).toInteger(),
             before.value("stats"_L1).toObject().value("activeConnections"_L1).toInteger() + 1);
}

void TestHttpApi::unknownPathsAre404_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("root") << "GET"_ba << u"/"_s;
    QTest::newRow("nothing there") << "GET"_ba << u"/nope"_s;
    QTest::newRow("healthz") << "GET"_ba << u"/healthz"_s;
    QTest::newRow("below health") << "GET"_ba << u"/health/x"_s;
    QTest::newRow("below metrics") << "GET"_ba << u"/metrics/x"_s;
    QTest::newRow("api") << "GET"_ba << u"/api"_s;
    QTest::newRow("api slash") << "GET"_ba << u"/api/"_s;
    QTest::newRow("unknown api") << "GET"_ba << u"/api/nope"_s;
    QTest::newRow("bill without action") << "GET"_ba << u"/api/bills/1"_s;
    QTest::newRow("unknown bill action") << "POST"_ba << u"/api/bills/1/deletes"_s;
    QTest::newRow("too deep user") << "GET"_ba << u"/api/users/a/b/c"_s;
    QTest::newRow("stats below") << "GET"_ba << u"/api/stats/x"_s;
    QTest::newRow("broadcast below") << "POST"_ba << u"/api/broadcast/x"_s;
    QTest::newRow("socket.io elsewhere") << "GET"_ba << u"/socket.iox/"_s;
}

void TestHttpApi::unknownPathsAre404()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const HttpResult result = httpRequest(method, url(path), method == "POST" ? R"({"a":1})" : "", apiKeyHeaders());
    QCOMPARE(result.status, 404);
    QVERIFY(result.header("Content-Type").startsWith("application/json"));
    QCOMPARE(result.json().value("code"_L1).toString(), u"not_found"_s);
}

void TestHttpApi::wsWithoutUpgradeIs426()
{
    for (const QString &path : {u"/ws"_s, u"/ws/"_s, u"/ws?token=x"_s}) {
        const HttpResult result = httpGet(url(path));
        QCOMPARE(result.status, 426);
        QCOMPARE(result.header("Upgrade").toLower(), "websocket"_ba);
        QVERIFY(!result.json().value("code"_L1).toString().isEmpty());
        QVERIFY(!result.json().value("message"_L1).toString().isEmpty());
    }
    // A POST to /ws is no upgrade either.
    QCOMPARE(httpPost(url(u"/ws"_s), "{}").status, 426);
}

void TestHttpApi::hostileRequestsAreRefused_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const QString badRequest = u"bad_request"_s;
    const QString tooLarge = u"payload_too_large"_s;
    const QByteArray key = keyLine();

    QTest::newRow("garbage request line") << "HELLO\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("TLS client hello") << QByteArray("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11) << 400
                                      << badRequest;
    QTest::newRow("lower-case method") << "get /health HTTP/1.1\r\nHost: t\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("no target") << "GET HTTP/1.1\r\nHost: t\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("absolute-form target elsewhere")
        << "GET http//x HTTP/1.1\r\nHost: t\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("HTTP/2.0") << "GET /health HTTP/2.0\r\nHost: t\r\n\r\n"_ba << 505 << badRequest;
    QTest::newRow("HTTP/1.1 without Host") << "GET /health HTTP/1.1\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("two Host headers") << "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("header without colon")
        << "GET /health HTTP/1.1\r\nHost: t\r\nNoColonHere\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("space before colon") << "GET /health HTTP/1.1\r\nHost : t\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("obsolete line folding")
        << "GET /health HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n folded\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("bare LF") << "GET /health HTTP/1.1\nHost: t\n\n"_ba << 400 << badRequest;
    QTest::newRow("NUL in header") << "GET /health HTTP/1.1\r\nHost: t"_ba + '\0' + "x\r\n\r\n" << 400 << badRequest;
    QTest::newRow("bad percent-encoding") << "GET /health%zz HTTP/1.1\r\nHost: t\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("encoded NUL in path") << "GET /health%00 HTTP/1.1\r\nHost: t\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("huge head") << "GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + QByteArray(20 * 1024, 'a') + "\r\n\r\n"
                               << 431 << tooLarge;
    QByteArray manyHeaders = "GET /health HTTP/1.1\r\nHost: t\r\n"_ba;
    for (int i = 0; i < 150; ++i)
        manyHeaders += "X-H" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("too many headers") << manyHeaders + "\r\n" << 431 << tooLarge;
    QTest::newRow("Content-Length and Transfer-Encoding")
        << "POST /api/broadcast HTTP/1.1\r\nHost: t\r\n" + key +
               "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n"
        << 400 << badRequest;
    QTest::newRow("conflicting Content-Lengths") << "POST /api/broadcast HTTP/1.1\r\nHost: t\r\n" + key +
                                                        "Content-Length: 7\r\nContent-Length: 8\r\n\r\n{\"a\":1} "
                                                 << 400 << badRequest;
    QTest::newRow("negative Content-Length")
        << "POST /api/broadcast HTTP/1.1\r\nHost: t\r\nContent-Length: -7\r\n\r\n"_ba << 400 << badRequest;
    QTest::newRow("overflowing Content-Length")
        << "POST /api/broadcast HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n"_ba << 400
        << badRequest;
    QTest::newRow("gzip transfer coding")
        << "POST /api/broadcast HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n"_ba << 501 << badRequest;
    QTest::newRow("body over --max-http-body")
        << "POST /api/broadcast HTTP/1.1\r\nHost: t\r\n" + key + "Content-Length: 5000\r\n\r\n" + QByteArray(5000, ' ')
        << 413 << tooLarge;
    QTest::newRow("announced body over --max-http-body")
        << "POST /api/broadcast HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\n"_ba << 413 << tooLarge;
    QTest::newRow("chunked body over --max-http-body")
        << "POST /api/broadcast HTTP/1.1\r\nHost: t\r\n" + key + "Transfer-Encoding: chunked\r\n\r\n1388\r\n" +
               QByteArray(5000, ' ') + "\r\n0\r\n\r\n"
        << 413 << tooLarge;
    QTest::newRow("bad chunk size") << "POST /api/broadcast HTTP/1.1\r\nHost: t\r\n" + key +
                                           "Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n"
                                    << 400 << badRequest;
    QTest::newRow("overflowing chunk size") << "POST /api/broadcast HTTP/1.1\r\nHost: t\r\n" + key +
                                                   "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n"
                                            << 413 << tooLarge;
}

void TestHttpApi::hostileRequestsAreRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, code);
    QElapsedTimer timer;
    timer.start();
    const QByteArray raw = rawExchange(m_service.port(), request, 8'000);
    // Refused requests end the connection at once rather than leaving it to an idle timeout.
    QVERIFY2(timer.elapsed() < 5'000, qPrintable(u"connection stayed open, got: "_s + QString::fromLatin1(raw)));
    const QList<RawResponse> responses = splitResponses(raw);
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.first().status, status);
    QCOMPARE(responses.first().header("Connection").toLower(), "close"_ba);
    QCOMPARE(jsonOf(responses.first().body).value("code"_L1).toString(), code);
}

// A client that keeps sending after the service refused it (an oversized head, then a body) must
// still read the refusal: closing with unread input would reset the connection and lose it.
void TestHttpApi::refusalSurvivesAClientStillSending()
{
    for (int attempt = 0; attempt < 5; ++attempt) {
        QTcpSocket socket;
        socket.connectToHost(u"127.0.0.1"_s, m_service.port());
        QVERIFY(socket.waitForConnected(5000));
        QByteArray head = "POST /api/broadcast HTTP/1.1\r\nHost: x\r\nX-Filler: " + QByteArray(20'000, 'a') + "\r\n";
        socket.write(head);
        QByteArray received;
        const QByteArray chunk(16 * 1024, 'b');
        // Keep writing while the answer arrives, the way an upload client does.
        for (int i = 0; i < 64 && socket.state() == QAbstractSocket::ConnectedState; ++i) {
            socket.write(chunk);
            socket.waitForBytesWritten(50);
            received += socket.readAll();
        }
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll(),
                                  socket.state() != QAbstractSocket::ConnectedState || received.contains("\r\n\r\n{")),
                                 5000);
        received += socket.readAll();
        QCOMPARE(statusOf(received), 431);
        QVERIFY(received.contains("payload_too_large"));
    }
}

void TestHttpApi::chunkedPostIsAccepted()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"chunky"_s)));
    QVERIFY(client.subscribe(9800));
    const QByteArray raw =
        rawExchange(m_service.port(), "POST /api/bills/9800/updates HTTP/1.1\r\nHost: t\r\n" + keyLine() +
                                          "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                                          "Connection: close\r\n\r\n"
                                          "6\r\n{\"step\r\n"
                                          "3;ext=1\r\n\":4\r\n"
                                          "1\r\n}\r\n"
                                          "0\r\nX-Trailer: yes\r\n\r\n");
    const QList<RawResponse> responses = splitResponses(raw);
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.first().status, 200);
    const QJsonObject answer = jsonOf(responses.first().body);
    QCOMPARE(answer.value("offset"_L1).toInteger(), 1);
    QCOMPARE(answer.value("delivered"_L1).toInt(), 1);
    QCOMPARE(client.waitFor(u"bill_update"_s).value("data"_L1).toObject(), (QJsonObject{{u"step"_s, 4}}));
}

void TestHttpApi::pipelinedRequestsAreAnsweredInOrder()
{
    const QByteArray raw =
        rawExchange(m_service.port(), "GET /health HTTP/1.1\r\nHost: t\r\n\r\n"
                                      "POST /api/bills/9900/updates HTTP/1.1\r\nHost: t\r\n" +
                                          keyLine() +
                                          "Content-Length: 7\r\n\r\n{\"a\":1}"
                                          "GET /api/stats HTTP/1.1\r\nHost: t\r\n" +
                                          keyLine() +
                                          "\r\n"
                                          "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    const QList<RawResponse> responses = splitResponses(raw);
    QCOMPARE(responses.size(), 4);
    for (const RawResponse &response : responses)
        QCOMPARE(response.status, 200);
    QVERIFY(jsonOf(responses.at(0).body).contains("isHealthy"_L1));
    QCOMPARE(jsonOf(responses.at(1).body).value("bill_id"_L1).toInteger(), 9900);
    QVERIFY(jsonOf(responses.at(2).body).contains("totalConnections"_L1));
    QVERIFY(responses.at(3).body.startsWith("# HELP wsinfra_"));
    QCOMPARE(responses.at(0).header("Connection").toLower(), "keep-alive"_ba);
    QCOMPARE(responses.at(3).header("Connection").toLower(), "close"_ba);
}

void TestHttpApi::http10WithoutKeepAliveCloses()
{
    QElapsedTimer timer;
    timer.start();
    const QByteArray raw = rawExchange(m_service.port(), "GET /health HTTP/1.0\r\n\r\n", 10'000);
    QVERIFY2(timer.elapsed() < 5'000, "the HTTP/1.0 connection was not closed after the answer");
    const QList<RawResponse> responses = splitResponses(raw);
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.first().status, 200);
    QCOMPARE(responses.first().header("Connection").toLower(), "close"_ba);
    QVERIFY(jsonOf(responses.first().body).contains("isHealthy"_L1));
}

void TestHttpApi::http10WithKeepAliveStaysOpen()
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_service.port());
    QVERIFY(socket.waitForConnected(5'000));
    QByteArray received;
    const auto answers = [&] {
        received += socket.readAll();
        return splitResponses(received).size();
    };
    socket.write("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QTRY_COMPARE(answers(), 1);
    QCOMPARE(splitResponses(received).first().header("Connection").toLower(), "keep-alive"_ba);
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    socket.write("GET /health HTTP/1.0\r\n\r\n");
    QTRY_COMPARE(answers(), 2);
    QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(splitResponses(received).at(1).status, 200);
}

void TestHttpApi::serviceStillAnswersAfterHostileInput()
{
    QCOMPARE(m_service.process().state(), QProcess::Running);
    const HttpResult health = httpGet(url(u"/health"_s));
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value("isHealthy"_L1), QJsonValue(true));
    QCOMPARE(httpGet(url(u"/api/stats"_s), apiKeyHeaders()).status, 200);
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"survivor"_s)));
}

QTEST_GUILESS_MAIN(TestHttpApi)
#include "tst_httpapi.moc"
