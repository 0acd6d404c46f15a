// Browsers and proxies against the real service binary: allowedOrigins refuses WebSocket upgrades
// (native and Socket.IO) and Socket.IO polling from pages of other sites with 403 before anything is
// admitted, and gives CORS headers to the listed origins only; trustedProxies makes the address a
// proxy forwards the client's address, for the per-address limit, the console's rows and the API's
// loopback rule, and nobody else's X-Forwarded-For is believed.

#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include "protocol/controlmessage.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>
#include <QWebSocket>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test;

namespace {

const QStringList OriginArguments{u"--allowed-origins"_s, u"https://civic.example,http://localhost:8080"_s};
constexpr char ControlToken[] = "origins-test-control-token-0123456789";
constexpr QByteArrayView PollingTarget{"/socket.io/?EIO=4&transport=polling"};
constexpr QByteArrayView SocketIoWebSocketTarget{"/socket.io/?EIO=4&transport=websocket"};

QByteArray originLine(const QByteArray &origin)
{
    return "Origin: " + origin + "\r\n";
}

/// A request that closes its connection, so that rawExchange() returns as soon as it is answered.
QByteArray plainRequest(QByteArrayView method, QByteArrayView target, const QByteArray &extraHeaders)
{
    return method.toByteArray() + ' ' + target.toByteArray() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders +
           "Connection: close\r\n\r\n";
}

/// The value of the first `name` header of a raw response head (empty if none).
QByteArray headerOf(const QByteArray &rawResponse, QByteArrayView name)
{
    const qsizetype end = rawResponse.indexOf("\r\n\r\n");
    const QList<QByteArray> lines = rawResponse.first(end < 0 ? rawResponse.size() : end).split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.sliced(colon + 1).trimmed();
    }
    return {};
}

/// The status of a native WebSocket upgrade with `headers` (whole lines); the socket is dropped after the head.
int nativeUpgradeStatus(const ServiceProcess &service, const QByteArray &headers, QByteArray *head = nullptr)
{
    QTcpSocket socket;
    const QByteArray answer = rawUpgrade(socket, service.port(), "/ws?token=" + makeToken(u"olga"_s), 5'000, headers);
    if (head)
        *head = answer;
    socket.abort();
    return statusOf(answer);
}

QNetworkRequest wsRequest(const ServiceProcess &service, const QString &userId, const QList<QByteArray> &headerLines)
{
    QNetworkRequest request{QUrl(service.wsUrlFor(userId))};
    for (const QByteArray &line : headerLines) {
        const qsizetype colon = line.indexOf(':');
        request.setRawHeader(line.first(colon), line.sliced(colon + 1).trimmed());
    }
    return request;
}

/// The connection rows of the console's first snapshot, by user.
QHash<QString, QStringList> addressesByUser(quint16 controlPort)
{
    QWebSocket console;
    QList<QJsonObject> frames;
    QObject::connect(&console, &QWebSocket::textMessageReceived, &console, [&frames](const QString &text) {
        frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
    });
    console.open(QUrl(u"ws://127.0.0.1:%1/"_s.arg(controlPort)));
    if (!QTest::qWaitFor([&console] { return console.state() == QAbstractSocket::ConnectedState; }, 5'000))
        return {};
    ControlHello hello;
    hello.version = ControlProtocolVersion;
    hello.token = QString::fromLatin1(ControlToken);
    hello.client = u"tst_origins"_s;
    console.sendTextMessage(QString::fromUtf8(QJsonDocument(hello.toJson()).toJson(QJsonDocument::Compact)));
    const auto snapshot = [&frames] {
        for (const QJsonObject &frame : std::as_const(frames)) {
            if (frame.value("type"_L1).toString() == "snapshot"_L1)
                return frame;
        }
        return QJsonObject();
    };
    if (!QTest::qWaitFor([&snapshot] { return !snapshot().isEmpty(); }, 5'000))
        return {};
    QHash<QString, QStringList> result;
    const QJsonArray rows = snapshot().value("connections"_L1).toArray();
    for (const QJsonValue &row : rows)
        result[row.toObject().value("user"_L1).toString()].append(row.toObject().value("address"_L1).toString());
    console.close();
    return result;
}

QProcessEnvironment controlEnvironment()
{
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, QString::fromLatin1(ControlToken));
    return environment;
}

} // namespace

class TestOrigins : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void forgedOriginIsRefusedBeforeTheUpgrade();
    void allowedOriginsAndClientsWithoutOriginConnect();
    void originComparison_data();
    void originComparison();
    void hostileOrigins_data();
    void hostileOrigins();
    void socketIoPollingAndPreflight();
    void socketIoWebSocketChecksTheOrigin();
    void withoutAllowedOriginsNothingIsChecked();

    void trustedProxyForwardsTheClientAddress();
    void untrustedForwardedForIsIgnored();
    void forwardedRequestsToAnApiWithoutKey();

private:
    ServiceProcess m_service;
};

void TestOrigins::initTestCase()
{
    QVERIFY2(m_service.start(OriginArguments), qPrintable(m_service.errorString()));
}

void TestOrigins::cleanupTestCase()
{
    QCOMPARE(m_service.terminate(), 0);
}

void TestOrigins::forgedOriginIsRefusedBeforeTheUpgrade()
{
    const double refusedBefore = m_service.metric("wsinfra_connections_refused_total");
    const qint64 totalBefore = m_service.stat("totalConnections"_L1);
    const QByteArray answer = rawExchange(
        m_service.port(), upgradeRequest("/ws?token=" + makeToken(u"mallory"_s), originLine("https://evil.example")));
    QCOMPARE(statusOf(answer), 403);
    QVERIFY(!answer.contains("Sec-WebSocket-Accept"));
    const QJsonObject body = jsonBodyOf(answer);
    QCOMPARE(body.value("code"_L1).toString(), u"forbidden_origin"_s);
    QVERIFY(body.value("message"_L1).toString().contains("allowedOrigins"_L1));
    QCOMPARE(m_service.metric("wsinfra_connections_refused_total"), refusedBefore + 1);
    QCOMPARE(m_service.stat("totalConnections"_L1), totalBefore);
    QCOMPARE(m_service.stat("activeConnections"_L1), 0);
    QCOMPARE(m_service.user(u"mallory"_s).value("connections"_L1).toInt(), 0);
}

void TestOrigins::allowedOriginsAndClientsWithoutOriginConnect()
{
    WsClient browser;
    QVERIFY(browser.open(wsRequest(m_service, u"ann"_s, {"Origin: https://civic.example"})));
    WsClient local;
    QVERIFY(local.open(wsRequest(m_service, u"ann"_s, {"Origin: http://localhost:8080"})));
    // A backend or a mobile app sends no Origin: not a browser, nothing to check.
    WsClient app;
    QVERIFY(app.open(wsRequest(m_service, u"ann"_s, {})));
    QTRY_COMPARE(m_service.user(u"ann"_s).value("connections"_L1).toInt(), 3);
    QCOMPARE(nativeUpgradeStatus(m_service, {}), 101);
}

void TestOrigins::originComparison_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<int>("status");
    QTest::newRow("exact") << QByteArray("https://civic.example") << 101;
    QTest::newRow("host upper case") << QByteArray("https://CIVIC.Example") << 101;
    QTest::newRow("scheme upper case") << QByteArray("HTTPS://civic.example") << 101;
    QTest::newRow("default port spelled out") << QByteArray("https://civic.example:443") << 101;
    QTest::newRow("localhost with its port") << QByteArray("http://LOCALHOST:8080") << 101;
    QTest::newRow("other scheme") << QByteArray("http://civic.example") << 403;
    QTest::newRow("other port") << QByteArray("https://civic.example:8443") << 403;
    QTest::newRow("localhost other port") << QByteArray("http://localhost:8081") << 403;
    QTest::newRow("localhost no port") << QByteArray("http://localhost") << 403;
    QTest::newRow("localhost other scheme") << QByteArray("https://localhost:8080") << 403;
    QTest::newRow("subdomain") << QByteArray("https://evil.civic.example") << 403;
    QTest::newRow("suffix") << QByteArray("https://civic.example.evil.example") << 403;
    QTest::newRow("prefix") << QByteArray("https://notcivic.example") << 403;
    QTest::newRow("trailing dot") << QByteArray("https://civic.example.") << 403;
    QTest::newRow("websocket scheme") << QByteArray("wss://civic.example") << 403;
}

void TestOrigins::originComparison()
{
    QFETCH(QByteArray, origin);
    QFETCH(int, status);
    QByteArray head;
    QCOMPARE(nativeUpgradeStatus(m_service, originLine(origin), &head), status);
    if (status == 403)
        QCOMPARE(jsonBodyOf(head).value("code"_L1).toString(), u"forbidden_origin"_s);
}

void TestOrigins::hostileOrigins_data()
{
    QTest::addColumn<QByteArray>("headers"); // whole lines
    QTest::addColumn<int>("status");         // 400: the HTTP parser refuses the head before anyone looks
    const auto row = [](const char *tag, const QByteArray &origin, int status = 403) {
        QTest::newRow(tag) << originLine(origin) << status;
    };
    row("null (sandboxed page, file:)", "null");
    row("empty", "");
    row("blank", "   ");
    row("star", "*");
    row("very long", "https://" + QByteArray(8000, 'a') + ".example");
    row("allowed with long port", "https://civic.example:00000000000443");
    row("with path", "https://civic.example/");
    row("with longer path", "https://civic.example/app?x=1");
    row("with userinfo", "https://user@civic.example");
    row("userinfo hiding the host", "https://civic.example@evil.example");
    row("with query", "https://civic.example?x");
    row("with fragment", "https://civic.example#x");
    row("no scheme", "civic.example");
    row("scheme only", "https://");
    row("port zero", "https://civic.example:0");
    row("port too big", "https://civic.example:65536");
    row("port not a number", "https://civic.example:https");
    row("unicode host", "https://civ\xc3\xaf"
                        "c.example");
    row("latin-1 byte", "https://civic.exampl\xe9");
    row("punycode lookalike", "https://xn--civc-zoa.example");
    row("percent-encoded", "https://civic%2Eexample");
    row("comma list", "https://civic.example, https://evil.example");
    row("space inside", "https://civic .example");
    row("tab inside", "https://civic\t.example");
    row("backslash", "https://civic.example\\evil");
    row("ipv6 unclosed", "https://[::1");
    row("ipv6 garbage", "https://[zz]:8080");
    QTest::newRow("two origins, allowed first")
        << originLine("https://civic.example") + originLine("https://evil.example") << 403;
    QTest::newRow("two origins, allowed twice")
        << originLine("https://civic.example") + originLine("https://civic.example") << 403;
    QTest::newRow("two origins, allowed last")
        << originLine("https://evil.example") + originLine("https://civic.example") << 403;
    QTest::newRow("name in other case, evil") << QByteArray("oRiGiN: https://evil.example\r\n") << 403;
}

void TestOrigins::hostileOrigins()
{
    QFETCH(QByteArray, headers);
    QFETCH(int, status);
    const double refusedBefore = m_service.metric("wsinfra_connections_refused_total");
    // The native upgrade, the Socket.IO handshake and the Socket.IO upgrade all refuse it.
    const QByteArray native =
        rawExchange(m_service.port(), upgradeRequest("/ws?token=" + makeToken(u"mallory"_s), headers));
    const int nativeStatus = statusOf(native);
    QCOMPARE(nativeStatus, status);
    if (nativeStatus == 403)
        QCOMPARE(jsonBodyOf(native).value("code"_L1).toString(), u"forbidden_origin"_s);
    const QByteArray polling = rawExchange(m_service.port(), plainRequest("GET", PollingTarget, headers));
    QCOMPARE(statusOf(polling), nativeStatus);
    QVERIFY(headerOf(polling, "Access-Control-Allow-Origin").isEmpty());
    const QByteArray upgrade =
        rawExchange(m_service.port(), upgradeRequest(SocketIoWebSocketTarget.toByteArray(), headers));
    QCOMPARE(statusOf(upgrade), nativeStatus);
    if (nativeStatus == 403) {
        QCOMPARE(jsonBodyOf(polling).value("code"_L1).toInt(), 4);
        QCOMPARE(jsonBodyOf(upgrade).value("code"_L1).toInt(), 4);
        QCOMPARE(m_service.metric("wsinfra_connections_refused_total"), refusedBefore + 2);
    }
    QCOMPARE(m_service.user(u"mallory"_s).value("connections"_L1).toInt(), 0);
    // The service is still serving.
    QCOMPARE(nativeUpgradeStatus(m_service, originLine("https://civic.example")), 101);
}

void TestOrigins::socketIoPollingAndPreflight()
{
    const QByteArray good =
        rawExchange(m_service.port(), plainRequest("GET", PollingTarget, originLine("https://civic.example")));
    QCOMPARE(statusOf(good), 200);
    QCOMPARE(headerOf(good, "Access-Control-Allow-Origin"), QByteArray("https://civic.example"));
    QCOMPARE(headerOf(good, "Access-Control-Allow-Credentials"), QByteArray("true"));
    QCOMPARE(headerOf(good, "Vary"), QByteArray("Origin"));
    QVERIFY(good.contains("\"sid\""));

    // The origin as the browser sent it, not as it was listed.
    const QByteArray cased =
        rawExchange(m_service.port(), plainRequest("GET", PollingTarget, originLine("https://Civic.Example")));
    QCOMPARE(statusOf(cased), 200);
    QCOMPARE(headerOf(cased, "Access-Control-Allow-Origin"), QByteArray("https://Civic.Example"));

    const QByteArray bad =
        rawExchange(m_service.port(), plainRequest("GET", PollingTarget, originLine("https://evil.example")));
    QCOMPARE(statusOf(bad), 403);
    QCOMPARE(jsonBodyOf(bad).value("code"_L1).toInt(), 4);
    QVERIFY(headerOf(bad, "Access-Control-Allow-Origin").isEmpty());
    QVERIFY(!bad.contains("\"sid\""));

    // No Origin: a client outside a browser, answered as before, without CORS headers.
    const QByteArray none = rawExchange(m_service.port(), plainRequest("GET", PollingTarget, {}));
    QCOMPARE(statusOf(none), 200);
    QVERIFY(headerOf(none, "Access-Control-Allow-Origin").isEmpty());

    const QByteArray preflightHeaders = "Access-Control-Request-Method: POST\r\n"
                                        "Access-Control-Request-Headers: content-type\r\n";
    const QByteArray preflight =
        rawExchange(m_service.port(),
                    plainRequest("OPTIONS", PollingTarget, originLine("http://localhost:8080") + preflightHeaders));
    QCOMPARE(statusOf(preflight), 204);
    QCOMPARE(headerOf(preflight, "Access-Control-Allow-Origin"), QByteArray("http://localhost:8080"));
    QCOMPARE(headerOf(preflight, "Access-Control-Allow-Credentials"), QByteArray("true"));
    QCOMPARE(headerOf(preflight, "Access-Control-Allow-Methods"), QByteArray("GET, POST, OPTIONS"));
    QCOMPARE(headerOf(preflight, "Access-Control-Allow-Headers"), QByteArray("content-type"));
    const QByteArray refusedPreflight =
        rawExchange(m_service.port(),
                    plainRequest("OPTIONS", PollingTarget, originLine("http://localhost:8081") + preflightHeaders));
    QCOMPARE(statusOf(refusedPreflight), 403);
    QVERIFY(headerOf(refusedPreflight, "Access-Control-Allow-Origin").isEmpty());
}

void TestOrigins::socketIoWebSocketChecksTheOrigin()
{
    QTcpSocket allowed;
    QCOMPARE(statusOf(rawUpgrade(allowed, m_service.port(), SocketIoWebSocketTarget.toByteArray(), 5'000,
                                 originLine("https://civic.example"))),
             101);
    QTcpSocket withoutOrigin;
    QCOMPARE(statusOf(rawUpgrade(withoutOrigin, m_service.port(), SocketIoWebSocketTarget.toByteArray())), 101);
    const QByteArray refused = rawExchange(
        m_service.port(), upgradeRequest(SocketIoWebSocketTarget.toByteArray(), originLine("http://evil.example")));
    QCOMPARE(statusOf(refused), 403);
    QVERIFY(!refused.contains("Sec-WebSocket-Accept"));
}

void TestOrigins::withoutAllowedOriginsNothingIsChecked()
{
    // The default, as before allowedOrigins existed: any Origin connects; polling gets no CORS headers
    // unless corsOrigins lists the origin.
    ServiceProcess service;
    QVERIFY2(service.start({u"--cors-origins"_s, u"https://civic.example"_s}), qPrintable(service.errorString()));
    QCOMPARE(nativeUpgradeStatus(service, originLine("https://evil.example")), 101);
    const QByteArray other =
        rawExchange(service.port(), plainRequest("GET", PollingTarget, originLine("https://evil.example")));
    QCOMPARE(statusOf(other), 200);
    QVERIFY(headerOf(other, "Access-Control-Allow-Origin").isEmpty());
    const QByteArray listed =
        rawExchange(service.port(), plainRequest("GET", PollingTarget, originLine("https://civic.example")));
    QCOMPARE(statusOf(listed), 200);
    QCOMPARE(headerOf(listed, "Access-Control-Allow-Origin"), QByteArray("https://civic.example"));
    QCOMPARE(service.terminate(), 0);
}

void TestOrigins::trustedProxyForwardsTheClientAddress()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--trusted-proxies"_s, u"127.0.0.1"_s, u"--max-connections-per-ip"_s, u"2"_s,
                            u"--control-port"_s, u"0"_s},
                           controlEnvironment()),
             qPrintable(service.errorString()));
    QVERIFY(service.controlPort() != 0);

    // Three clients behind the proxy on this host: three addresses, not three times 127.0.0.1.
    WsClient first;
    WsClient second;
    WsClient third;
    QVERIFY(first.open(wsRequest(service, u"pia"_s, {"X-Forwarded-For: 203.0.113.1"})));
    QVERIFY(second.open(wsRequest(service, u"quin"_s, {"X-Forwarded-For: 203.0.113.2"})));
    QVERIFY(third.open(wsRequest(service, u"rita"_s, {"X-Forwarded-For: 203.0.113.3"})));
    // A chain through a second trusted hop: the right-most untrusted address is the client.
    WsClient chained;
    QVERIFY(chained.open(wsRequest(service, u"sam"_s, {"X-Forwarded-For: 198.51.100.7, 127.0.0.1"})));
    // A client that forged a header in front of the proxy's: the proxy's own entry is believed.
    WsClient forger;
    QVERIFY(forger.open(wsRequest(service, u"tom"_s, {"X-Forwarded-For: 10.9.9.9, 203.0.113.4"})));
    // Malformed: the peer's address, as if nothing had been forwarded.
    WsClient malformed;
    QVERIFY(malformed.open(wsRequest(service, u"uwe"_s, {"X-Forwarded-For: 203.0.113.5, not-an-address"})));
    WsClient realIp;
    QVERIFY(realIp.open(wsRequest(service, u"vic"_s, {"X-Real-IP: 2001:db8::7"})));

    // Socket.IO over long-polling: the session takes the address of its handshake.
    const QString polling = service.httpUrl(u"/socket.io/?EIO=4&transport=polling"_s);
    const HttpResult handshake = httpGet(polling, {{"X-Forwarded-For", "203.0.113.8"}});
    QCOMPARE(handshake.status, 200);
    const QString sid = QJsonDocument::fromJson(handshake.body.mid(1)).object().value("sid"_L1).toString();
    QVERIFY(!sid.isEmpty());
    const QString session = polling + u"&sid="_s + sid;
    const QByteArray connect = "40{\"token\":\"" + makeToken(u"yara"_s) + "\"}";
    QCOMPARE(httpPost(session, connect, {{"X-Forwarded-For", "203.0.113.8"}}).status, 200);
    QVERIFY(httpGet(session, {{"X-Forwarded-For", "203.0.113.8"}}).body.startsWith("40"));
    QTRY_COMPARE(service.user(u"yara"_s).value("connections"_L1).toInt(), 1);

    const QHash<QString, QStringList> rows = addressesByUser(service.controlPort());
    QCOMPARE(rows.value(u"pia"_s), QStringList{u"203.0.113.1"_s});
    QCOMPARE(rows.value(u"quin"_s), QStringList{u"203.0.113.2"_s});
    QCOMPARE(rows.value(u"rita"_s), QStringList{u"203.0.113.3"_s});
    QCOMPARE(rows.value(u"sam"_s), QStringList{u"198.51.100.7"_s});
    QCOMPARE(rows.value(u"tom"_s), QStringList{u"203.0.113.4"_s});
    QCOMPARE(rows.value(u"uwe"_s), QStringList{u"127.0.0.1"_s});
    QCOMPARE(rows.value(u"vic"_s), QStringList{u"2001:db8::7"_s});
    QCOMPARE(rows.value(u"yara"_s), QStringList{u"203.0.113.8"_s});

    // The per-address limit counts the forwarded address: a second from 203.0.113.1 is fine, a third is not.
    WsClient again;
    QVERIFY(again.open(wsRequest(service, u"walt"_s, {"X-Forwarded-For: 203.0.113.1"})));
    const double refusedBefore = service.metric("wsinfra_connections_refused_total");
    WsClient over;
    over.socket().open(wsRequest(service, u"xena"_s, {"X-Forwarded-For: 203.0.113.1"}));
    QVERIFY(over.waitClosed());
    QCOMPARE(over.closeCode(), 4504);
    QVERIFY(over.closeReason().contains(u"address"_s));
    QCOMPARE(service.metric("wsinfra_connections_refused_total"), refusedBefore + 1);
    QCOMPARE(service.user(u"xena"_s).value("connections"_L1).toInt(), 0);
    QVERIFY(first.isOpen());

    QCOMPARE(service.terminate(), 0);
}

void TestOrigins::untrustedForwardedForIsIgnored()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--max-connections-per-ip"_s, u"2"_s, u"--control-port"_s, u"0"_s}, controlEnvironment()),
             qPrintable(service.errorString()));
    WsClient first;
    WsClient second;
    QVERIFY(first.open(wsRequest(service, u"pia"_s, {"X-Forwarded-For: 203.0.113.1"})));
    QVERIFY(second.open(wsRequest(service, u"quin"_s, {"X-Real-IP: 203.0.113.2"})));
    QCOMPARE(addressesByUser(service.controlPort()).value(u"pia"_s), QStringList{u"127.0.0.1"_s});
    // All three are 127.0.0.1 whatever they claim: the third is over the limit.
    WsClient third;
    third.socket().open(wsRequest(service, u"rita"_s, {"X-Forwarded-For: 203.0.113.3"}));
    QVERIFY(third.waitClosed());
    QCOMPARE(third.closeCode(), 4504);
    QCOMPARE(service.terminate(), 0);
}

void TestOrigins::forwardedRequestsToAnApiWithoutKey()
{
    QProcessEnvironment noKey;
    noKey.insert(u"WSINFRA_API_KEY"_s, QString());
    const QString statsPath = u"/api/stats"_s;
    {
        ServiceProcess service;
        QVERIFY2(service.start({u"--trusted-proxies"_s, u"127.0.0.0/8, ::1"_s}, noKey),
                 qPrintable(service.errorString()));
        const QString url = service.httpUrl(statsPath);
        QCOMPARE(httpGet(url).status, 200); // the proxy's host itself
        const HttpResult remote = httpGet(url, {{"X-Forwarded-For", "203.0.113.9"}});
        QCOMPARE(remote.status, 401);
        QVERIFY(remote.json().value("message"_L1).toString().contains("WSINFRA_API_KEY"_L1));
        // A remote client that claims to be loopback, in front of the proxy: still remote.
        QCOMPARE(httpGet(url, {{"X-Forwarded-For", "127.0.0.1, 203.0.113.9"}}).status, 401);
        QCOMPARE(httpGet(url, {{"X-Real-IP", "203.0.113.9"}}).status, 401);
        // A client on the proxy's host: loopback through the proxy as well.
        QCOMPARE(httpGet(url, {{"X-Forwarded-For", "127.0.0.1"}}).status, 200);
        // /health needs no key from anyone.
        QCOMPARE(httpGet(service.httpUrl(u"/health"_s), {{"X-Forwarded-For", "203.0.113.9"}}).status, 200);
        QCOMPARE(service.terminate(), 0);
    }
    {
        // Without trusted proxies the header means nothing: the request comes from loopback.
        ServiceProcess service;
        QVERIFY2(service.start({}, noKey), qPrintable(service.errorString()));
        QCOMPARE(httpGet(service.httpUrl(statsPath), {{"X-Forwarded-For", "203.0.113.9"}}).status, 200);
        QCOMPARE(service.terminate(), 0);
    }
}

QTEST_GUILESS_MAIN(TestOrigins)
#include "tst_origins.moc"
