// Authentication of native WebSocket upgrades (PROTOCOL.md "Authentication") against the real
// service binary: accepted tokens, HTTP 401 before the upgrade for every kind of bad token,
// anonymous mode, and the 4005 close when a token expires during a connection.

#include "auth/jwtverifier.h"
#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

QByteArray base64Url(const QJsonObject &object)
{
    return QJsonDocument(object)
        .toJson(QJsonDocument::Compact)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

qint64 inOneHour()
{
    return QDateTime::currentSecsSinceEpoch() + 3600;
}

} // namespace

class TestAuth : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void tokenInQueryIsAccepted();
    void tokenInBearerHeaderIsAccepted();
    void handWrittenUpgradeWithValidTokenIsSwitched();
    void userIdClaimIsAcceptedInsteadOfSub_data();
    void userIdClaimIsAcceptedInsteadOfSub();
    void rejectedTokensGet401BeforeTheUpgrade_data();
    void rejectedTokensGet401BeforeTheUpgrade();
    void anonymousClientsWhenAllowed();
    void tokenExpiryDuringConnectionClosesWith4005();

private:
    ServiceProcess m_service;
};

void TestAuth::initTestCase()
{
    QVERIFY2(m_service.start(), qPrintable(m_service.errorString()));
}

void TestAuth::cleanupTestCase()
{
    QCOMPARE(m_service.terminate(), 0);
}

void TestAuth::tokenInQueryIsAccepted()
{
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlFor(u"query-user"_s)));
    QCOMPARE(client.greeting().value("data"_L1).toObject().value("user_id"_L1).toString(), u"query-user"_s);
    QVERIFY(m_service.user(u"query-user"_s).value("connected"_L1).toBool());
}

void TestAuth::tokenInBearerHeaderIsAccepted()
{
    QNetworkRequest request{QUrl(m_service.wsUrl())};
    request.setRawHeader("Authorization", "Bearer " + makeToken(u"header-user"_s));
    WsClient client;
    QVERIFY(client.open(request));
    QCOMPARE(client.greeting().value("data"_L1).toObject().value("user_id"_L1).toString(), u"header-user"_s);
    QVERIFY(m_service.user(u"header-user"_s).value("connected"_L1).toBool());
}

void TestAuth::handWrittenUpgradeWithValidTokenIsSwitched()
{
    // The control for the 401 rows below: the same hand-written request with a good token is upgraded.
    QTcpSocket socket;
    const QByteArray response = rawUpgrade(socket, m_service.port(), "/ws?token=" + makeToken(u"raw-user"_s));
    QCOMPARE(statusOf(response), 101);
    // RFC 6455 section 1.3: the accept value of the sample key.
    QVERIFY(response.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    QTRY_VERIFY(m_service.user(u"raw-user"_s).value("connected"_L1).toBool());
}

void TestAuth::userIdClaimIsAcceptedInsteadOfSub_data()
{
    QTest::addColumn<QJsonValue>("userIdClaim");
    QTest::addColumn<QString>("expectedUserId");
    QTest::newRow("string") << QJsonValue(u"claim-user"_s) << u"claim-user"_s;
    QTest::newRow("integer") << QJsonValue(4711) << u"4711"_s;
}

void TestAuth::userIdClaimIsAcceptedInsteadOfSub()
{
    QFETCH(QJsonValue, userIdClaim);
    QFETCH(QString, expectedUserId);
    const QByteArray token =
        wsinfra::JwtVerifier::sign({{u"user_id"_s, userIdClaim}, {u"exp"_s, inOneHour()}}, TestJwtSecret);
    WsClient client;
    QVERIFY(client.open(m_service.wsUrlWithToken(token)));
    QCOMPARE(client.greeting().value("data"_L1).toObject().value("user_id"_L1).toString(), expectedUserId);
    const QJsonObject user = m_service.user(expectedUserId);
    QCOMPARE(user.value("connected"_L1).toBool(), true);
    QCOMPARE(user.value("connections"_L1).toInt(), 1);
}

void TestAuth::rejectedTokensGet401BeforeTheUpgrade_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QString>("expectedCode");

    const QByteArray valid = makeToken(u"eve"_s);
    const qsizetype signatureStart = valid.lastIndexOf('.') + 1;
    QByteArray badSignature = valid;
    badSignature[signatureStart + 5] = badSignature.at(signatureStart + 5) == 'A' ? 'B' : 'A';
    const QByteArray algNone = base64Url({{u"alg"_s, u"none"_s}, {u"typ"_s, u"JWT"_s}}) + '.' +
                               base64Url({{u"sub"_s, u"eve"_s}, {u"exp"_s, inOneHour()}}) + '.';
    const QByteArray otherSecret =
        wsinfra::JwtVerifier::sign({{u"sub"_s, u"eve"_s}, {u"exp"_s, inOneHour()}}, "another-secret");
    const QByteArray noSubject = wsinfra::JwtVerifier::sign({{u"exp"_s, inOneHour()}}, TestJwtSecret);
    const QByteArray huge = makeToken(u"eve"_s, 3600, {{u"pad"_s, QString(7000, u'x')}});
    // Over the verifier's 8 KB token limit, but the request head stays under the 16 KB head limit.
    QVERIFY(huge.size() > 8192 && huge.size() < 12000);

    QTest::newRow("no token") << QByteArray("/ws") << QByteArray() << u"invalid_token"_s;
    QTest::newRow("empty token") << QByteArray("/ws?token=") << QByteArray() << u"invalid_token"_s;
    QTest::newRow("bad signature") << "/ws?token=" + badSignature << QByteArray() << u"invalid_token"_s;
    QTest::newRow("alg none") << "/ws?token=" + algNone << QByteArray() << u"invalid_token"_s;
    QTest::newRow("expired") << "/ws?token=" + makeToken(u"eve"_s, -60) << QByteArray() << u"token_expired"_s;
    QTest::newRow("not yet valid") << "/ws?token=" + makeToken(u"eve"_s, 3600,
                                                               {{u"nbf"_s, QDateTime::currentSecsSinceEpoch() + 600}})
                                   << QByteArray() << u"token_not_yet_valid"_s;
    QTest::newRow("garbage") << QByteArray("/ws?token=garbage") << QByteArray() << u"invalid_token"_s;
    QTest::newRow("three garbage parts") << QByteArray("/ws?token=a.b.c") << QByteArray() << u"invalid_token"_s;
    QTest::newRow("other secret") << "/ws?token=" + otherSecret << QByteArray() << u"invalid_token"_s;
    QTest::newRow("no subject") << "/ws?token=" + noSubject << QByteArray() << u"invalid_token"_s;
    QTest::newRow("huge token") << "/ws?token=" + huge << QByteArray() << u"invalid_token"_s;
    QTest::newRow("bad bearer header") << QByteArray("/ws") << QByteArray("Authorization: Bearer garbage\r\n")
                                       << u"invalid_token"_s;
    QTest::newRow("expired bearer header")
        << QByteArray("/ws") << "Authorization: Bearer " + makeToken(u"eve"_s, -60) + "\r\n"
        << u"token_expired"_s;
    QTest::newRow("bearer with other secret") << QByteArray("/ws") << "Authorization: Bearer " + otherSecret + "\r\n"
                                              << u"invalid_token"_s;
}

void TestAuth::rejectedTokensGet401BeforeTheUpgrade()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, headers);
    QFETCH(QString, expectedCode);

    const QJsonObject before = m_service.stats();
    const double failuresBefore = m_service.metric("wsinfra_authentication_failures_total");
    QVERIFY(failuresBefore >= 0);

    const QByteArray response = rawExchange(m_service.port(), upgradeRequest(target, headers));
    QCOMPARE(statusOf(response), 401);
    QVERIFY(!response.contains("Sec-WebSocket-Accept"));
    const QJsonObject body = jsonBodyOf(response);
    QCOMPARE(body.value("code"_L1).toString(), expectedCode);
    const QString message = body.value("message"_L1).toString();
    QVERIFY(!message.isEmpty());
    // The answer never echoes the presented token.
    const QByteArray token = target.mid(target.indexOf("token=") + 6);
    if (target.contains("token=") && token.size() > 8)
        QVERIFY(!response.contains(token));

    QCOMPARE(m_service.metric("wsinfra_authentication_failures_total"), failuresBefore + 1);
    const QJsonObject after = m_service.stats();
    QCOMPARE(after.value("activeConnections"_L1).toInteger(), before.value("activeConnections"_L1).toInteger());
    QCOMPARE(after.value("totalConnections"_L1).toInteger(), before.value("totalConnections"_L1).toInteger());
    QVERIFY(!m_service.user(u"eve"_s).value("connected"_L1).toBool());
}

void TestAuth::anonymousClientsWhenAllowed()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--allow-anonymous"_s}), qPrintable(service.errorString()));

    WsClient anonymous;
    QVERIFY(anonymous.open(service.wsUrl()));
    const QJsonObject greeting = anonymous.greeting().value("data"_L1).toObject();
    QVERIFY(greeting.contains("user_id"_L1));
    QVERIFY(greeting.value("user_id"_L1).isNull());
    QVERIFY(!greeting.value("connection_id"_L1).toString().isEmpty());

    anonymous.send({{u"type"_s, u"subscribe"_s}, {u"id"_s, 1}, {u"data"_s, QJsonObject{{u"bill_id"_s, 900}}}});
    QCOMPARE(anonymous.waitFor(u"subscribed"_s).value("id"_L1).toInt(), 1);
    const HttpResult published = service.publishBill(900, R"({"status":"passed"})");
    QCOMPARE(published.status, 200);
    QCOMPARE(published.json().value("delivered"_L1).toInt(), 1);
    const QJsonObject update = anonymous.waitFor(u"bill_update"_s);
    QCOMPARE(update.value("bill_id"_L1).toInteger(), 900);
    QCOMPARE(update.value("offset"_L1).toInteger(), 1);
    QCOMPARE(update.value("data"_L1).toObject().value("status"_L1).toString(), u"passed"_s);

    // A named client next to it: only the named one is a user.
    WsClient named;
    QVERIFY(named.open(service.wsUrlFor(u"uma"_s)));
    QCOMPARE(named.greeting().value("data"_L1).toObject().value("user_id"_L1).toString(), u"uma"_s);
    const HttpResult users = httpGet(service.httpUrl(u"/api/users"_s), apiKeyHeaders());
    QCOMPARE(users.status, 200);
    QCOMPARE(users.json().value("users"_L1).toArray(), (QJsonArray{u"uma"_s}));
    QCOMPARE(users.json().value("total"_L1).toInt(), 1);
    QCOMPARE(
        httpGet(service.httpUrl(u"/api/bills/900/subscribers"_s), apiKeyHeaders()).json().value("total"_L1).toInt(), 0);
    QCOMPARE(service.stats().value("activeConnections"_L1).toInteger(), 2);

    // A presented token is still verified: anonymous mode is no way around a bad one.
    const double failuresBefore = service.metric("wsinfra_authentication_failures_total");
    const QByteArray bad = rawExchange(service.port(), upgradeRequest("/ws?token=garbage"));
    QCOMPARE(statusOf(bad), 401);
    QCOMPARE(jsonBodyOf(bad).value("code"_L1).toString(), u"invalid_token"_s);
    const QByteArray expired = rawExchange(service.port(), upgradeRequest("/ws?token=" + makeToken(u"uma"_s, -60)));
    QCOMPARE(statusOf(expired), 401);
    QCOMPARE(jsonBodyOf(expired).value("code"_L1).toString(), u"token_expired"_s);
    QCOMPARE(service.metric("wsinfra_authentication_failures_total"), failuresBefore + 2);
    QCOMPARE(service.stats().value("activeConnections"_L1).toInteger(), 2);

    QCOMPARE(service.terminate(), 0);
}

void TestAuth::tokenExpiryDuringConnectionClosesWith4005()
{
    ServiceProcess service;
    // A short heartbeat makes the shard's check (expiry, timeouts, pings) run every 100 ms.
    QVERIFY2(service.start({u"--heartbeat-interval"_s, u"200"_s, u"--connection-timeout"_s, u"1000"_s}),
             qPrintable(service.errorString()));

    WsClient longLived;
    QVERIFY(longLived.open(service.wsUrlFor(u"walt"_s)));
    QCOMPARE(longLived.greeting().value("data"_L1).toObject().value("heartbeat_interval"_L1).toInteger(), 200);

    QElapsedTimer sinceOpen;
    sinceOpen.start();
    WsClient shortLived;
    QVERIFY(shortLived.open(service.wsUrlWithToken(makeToken(u"vera"_s, 2))));
    QVERIFY(shortLived.waitClosed(6000));
    QCOMPARE(shortLived.closeCode(), 4005);
    QVERIFY(!shortLived.closeReason().isEmpty());
    // Not before the token's last valid second (exp has whole-second resolution).
    QVERIFY2(sinceOpen.elapsed() >= 500, qPrintable(QString::number(sinceOpen.elapsed())));
    QTRY_VERIFY(!service.user(u"vera"_s).value("connected"_L1).toBool());

    // The client with a valid token answered the frequent pings and is still served.
    QVERIFY(longLived.isOpen());
    longLived.send({{u"type"_s, u"ping"_s}, {u"id"_s, u"still-here"_s}});
    QCOMPARE(longLived.waitFor(u"pong"_s).value("id"_L1).toString(), u"still-here"_s);
    QCOMPARE(longLived.closeCode(), -1);

    QCOMPARE(service.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_auth.moc"
