// Limits are configuration and are enforced, against the real service binary: rate limit, payload
// limit, heartbeat timeout, per-user / per-address / global connection limits, protocol errors, and
// the counters that report them. Each scenario starts its own service with its own options.

#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QtEndian>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

/// A ping whose whole frame is exactly `size` bytes long (padding in an ignored field); its id is the size.
QString pingOfSize(qsizetype size)
{
    const QString prefix = uR"({"type":"ping","id":%1,"pad":")"_s.arg(size);
    return prefix + QString(size - prefix.size() - 2, u'x') + uR"("})"_s;
}

struct Frame
{
    int opcode = -1;
    QByteArray payload;
};

/// Takes one complete server frame (unmasked, RFC 6455 section 5.2) off the front of `buffer`.
bool takeFrame(QByteArray &buffer, Frame &frame)
{
    if (buffer.size() < 2)
        return false;
    const auto *bytes = reinterpret_cast<const uchar *>(buffer.constData());
    qsizetype headerLength = 2;
    quint64 length = bytes[1] & 0x7F;
    if (length == 126) {
        if (buffer.size() < 4)
            return false;
        length = qFromBigEndian<quint16>(bytes + 2);
        headerLength = 4;
    } else if (length == 127) {
        if (buffer.size() < 10)
            return false;
        length = qFromBigEndian<quint64>(bytes + 2);
        headerLength = 10;
    }
    if ((bytes[1] & 0x80) != 0 || length > quint64(buffer.size() - headerLength))
        return false;
    frame.opcode = bytes[0] & 0x0F;
    frame.payload = buffer.mid(headerLength, qsizetype(length));
    buffer.remove(0, headerLength + qsizetype(length));
    return true;
}

} // namespace

class TestLimits : public QObject
{
    Q_OBJECT

private slots:
    void rateLimitAnswersErrorsAndKeepsTheConnection();
    void repeatedRateLimitViolationsClose4002();
    void payloadLimitCloses1009();
    void silentClientTimesOutWith4003();
    void slowOrSilentRequestHeadsAreAnswered408_data();
    void slowOrSilentRequestHeadsAreAnswered408();
    void runningOutOfDescriptorsDoesNotSpin();
    void perUserLimitCloses4504();
    void perAddressLimitCloses4504();
    void globalLimitRefusesWith503();
    void tooManyProtocolErrorsClose4501();
    void countersFollowConnectionsAndRefusals();
};

void TestLimits::rateLimitAnswersErrorsAndKeepsTheConnection()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--messages-per-second"_s, u"5"_s, u"--message-burst"_s, u"5"_s,
                            u"--rate-limit-max-violations"_s, u"1000"_s}),
             qPrintable(service.errorString()));
    QCOMPARE(service.metric("wsinfra_rate_limited_total"), 0.0);

    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"rita"_s)));
    for (int i = 0; i < 30; ++i)
        client.send({{u"type"_s, u"ping"_s}, {u"id"_s, i}});
    // Every ping is answered: with a pong, or with an error when over the limit.
    QTRY_COMPARE(client.receivedOfType(u"pong"_s).size() + client.receivedOfType(u"error"_s).size(), 30);
    const QList<QJsonObject> pongs = client.receivedOfType(u"pong"_s);
    const QList<QJsonObject> errors = client.receivedOfType(u"error"_s);
    QVERIFY2(pongs.size() >= 5, qPrintable(QString::number(pongs.size())));
    // 5 per second: 30 pings sent at once cannot all pass.
    QVERIFY2(errors.size() >= 10, qPrintable(QString::number(errors.size())));
    for (const QJsonObject &error : errors) {
        QCOMPARE(error.value("code"_L1).toString(), u"rate_limited"_s);
        QVERIFY(!error.value("message"_L1).toString().isEmpty());
    }
    // The burst passes first.
    for (int i = 0; i < 5; ++i)
        QCOMPARE(pongs.at(i).value("id"_L1).toInt(), i);
    QCOMPARE(service.metric("wsinfra_rate_limited_total"), double(errors.size()));
    QCOMPARE(httpGet(service.httpUrl(u"/api/metrics"_s), apiKeyHeaders())
                 .json()
                 .value("security"_L1)
                 .toObject()
                 .value("rateLimited"_L1)
                 .toInteger(),
             errors.size());

    // The connection stays open and is served again once the bucket refills.
    QVERIFY(client.isOpen());
    bool answered = false;
    for (int attempt = 0; attempt < 20 && !answered; ++attempt) {
        client.send({{u"type"_s, u"ping"_s}, {u"id"_s, u"later"_s}});
        answered = client.waitFor(u"pong"_s, 300).value("id"_L1).toString() == u"later"_s;
    }
    QVERIFY(answered);
    QVERIFY(client.isOpen());
    QCOMPARE(client.closeCode(), -1);

    QCOMPARE(service.terminate(), 0);
}

void TestLimits::repeatedRateLimitViolationsClose4002()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--messages-per-second"_s, u"5"_s, u"--message-burst"_s, u"5"_s,
                            u"--rate-limit-max-violations"_s, u"3"_s}),
             qPrintable(service.errorString()));
    WsClient abuser;
    WsClient bystander;
    QVERIFY(abuser.open(service.wsUrlFor(u"abuser"_s)));
    QVERIFY(bystander.open(service.wsUrlFor(u"bystander"_s)));
    for (int i = 0; i < 30; ++i)
        abuser.send({{u"type"_s, u"ping"_s}, {u"id"_s, i}});
    QVERIFY(abuser.waitClosed());
    QCOMPARE(abuser.closeCode(), 4002);
    QVERIFY(!abuser.closeReason().isEmpty());
    QVERIFY(abuser.receivedOfType(u"pong"_s).size() >= 5);
    // Warned before being closed: two errors, the third violation closes.
    const QList<QJsonObject> errors = abuser.receivedOfType(u"error"_s);
    QVERIFY(errors.size() >= 2);
    for (const QJsonObject &error : errors)
        QCOMPARE(error.value("code"_L1).toString(), u"rate_limited"_s);
    QTRY_COMPARE(service.stat("activeConnections"_L1), 1);

    // Limits are per connection: the other client is untouched.
    bystander.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!bystander.waitFor(u"pong"_s).isEmpty());
    QVERIFY(bystander.isOpen());

    QCOMPARE(service.terminate(), 0);
}

void TestLimits::payloadLimitCloses1009()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--max-payload"_s, u"1024"_s}), qPrintable(service.errorString()));

    WsClient small;
    QVERIFY(small.open(service.wsUrlFor(u"paula"_s)));
    for (const qsizetype size : {qsizetype(900), qsizetype(1024)}) {
        const QString frame = pingOfSize(size);
        QCOMPARE(frame.toUtf8().size(), size);
        small.sendRaw(frame);
        QCOMPARE(small.waitFor(u"pong"_s).value("id"_L1).toInteger(), size);
        QVERIFY(small.receivedOfType(u"error"_s).isEmpty());
    }

    for (const qsizetype size : {qsizetype(2000), qsizetype(1025)}) {
        WsClient big;
        QVERIFY(big.open(service.wsUrlFor(u"paula"_s)));
        big.sendRaw(pingOfSize(size));
        QVERIFY(big.waitClosed());
        QCOMPARE(big.closeCode(), 1009);
        QVERIFY(big.receivedOfType(u"pong"_s).isEmpty());
    }

    // The client within the limit is still served.
    QVERIFY(small.isOpen());
    small.send({{u"type"_s, u"ping"_s}, {u"id"_s, u"after"_s}});
    QCOMPARE(small.waitFor(u"pong"_s).value("id"_L1).toString(), u"after"_s);
    QTRY_COMPARE(service.stat("activeConnections"_L1), 1);

    QCOMPARE(service.terminate(), 0);
}

void TestLimits::silentClientTimesOutWith4003()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--heartbeat-interval"_s, u"200"_s, u"--connection-timeout"_s, u"1000"_s}),
             qPrintable(service.errorString()));

    // QWebSocket answers pings by itself, so the silent client speaks WebSocket by hand and never
    // sends a byte after its upgrade request: no pong, no message.
    QTcpSocket socket;
    QByteArray buffer = rawUpgrade(socket, service.port(), "/ws?token=" + makeToken(u"silent"_s));
    QCOMPARE(statusOf(buffer), 101);
    buffer.remove(0, buffer.indexOf("\r\n\r\n") + 4);
    QTRY_COMPARE(service.stat("activeConnections"_L1), 1);

    QList<Frame> frames;
    const auto closeFrameArrived = [&] {
        buffer += socket.readAll();
        Frame frame;
        while (takeFrame(buffer, frame))
            frames.append(frame);
        return !frames.isEmpty() && frames.last().opcode == 0x8;
    };
    QTRY_VERIFY_WITH_TIMEOUT(closeFrameArrived(), 5000);

    const auto count = [&frames](int opcode) {
        return std::count_if(frames.cbegin(), frames.cend(), [opcode](const Frame &f) { return f.opcode == opcode; });
    };
    QCOMPARE(frames.first().opcode, 0x1); // the greeting
    QVERIFY2(count(0x9) >= 1, "the server pinged the silent client before giving up");
    const QByteArray closePayload = frames.last().payload;
    QVERIFY(closePayload.size() >= 2);
    QCOMPARE(int(qFromBigEndian<quint16>(closePayload.constData())), 4003);
    QVERIFY(closePayload.size() > 2); // a reason follows the code

    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
    QTRY_COMPARE(service.stat("activeConnections"_L1), 0);
    QCOMPARE(service.user(u"silent"_s).value("connections"_L1).toInt(), 0);

    QCOMPARE(service.terminate(), 0);
}

void TestLimits::slowOrSilentRequestHeadsAreAnswered408_data()
{
    QTest::addColumn<QByteArray>("sent");
    QTest::newRow("nothing at all") << QByteArray();
    QTest::newRow("partial upgrade head") << QByteArray("GET /ws?token=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgr");
    QTest::newRow("partial API head") << QByteArray("GET /health HTTP/1.1\r\n");
}

// A client that opens a connection and never completes its request head (slowloris) is answered
// 408 and dropped after --request-head-timeout, while other clients keep being served.
void TestLimits::slowOrSilentRequestHeadsAreAnswered408()
{
    QFETCH(QByteArray, sent);
    ServiceProcess service;
    QVERIFY2(service.start({u"--request-head-timeout"_s, u"500"_s}), qPrintable(service.errorString()));
    QTcpSocket slow;
    slow.connectToHost(u"127.0.0.1"_s, service.port());
    QVERIFY(slow.waitForConnected(5000));
    slow.write(sent);
    QElapsedTimer sinceConnect;
    sinceConnect.start();

    QCOMPARE(httpGet(service.httpUrl(u"/health"_s)).status, 200);
    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"patient"_s)));

    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += slow.readAll(), slow.state() == QAbstractSocket::UnconnectedState), 5000);
    answer += slow.readAll();
    QCOMPARE(statusOf(answer), 408);
    QVERIFY2(sinceConnect.elapsed() >= 400, qPrintable(QString::number(sinceConnect.elapsed())));
    QVERIFY(client.isOpen());
    QCOMPARE(service.terminate(), 0);
}

// At its open-file limit the service cannot accept; it must wait for descriptors to free up
// instead of spinning on the listening socket (QTcpServer does: 100 % of a core), and serve again
// once they are free.
void TestLimits::runningOutOfDescriptorsDoesNotSpin()
{
    ServiceProcess service;
    service.setOpenFileLimit(64);
    QVERIFY2(service.start({u"--io-threads"_s, u"1"_s}), qPrintable(service.errorString()));
    QList<QTcpSocket *> flood;
    for (int i = 0; i < 120; ++i) {
        auto *socket = new QTcpSocket(this);
        socket->connectToHost(u"127.0.0.1"_s, service.port());
        flood.append(socket);
    }
    QTRY_VERIFY(std::all_of(flood.cbegin(), flood.cend(),
                            [](QTcpSocket *s) { return s->state() == QAbstractSocket::ConnectedState; }));
    QTest::qWait(300); // let the service reach its limit
    const qint64 before = service.cpuTimeMs();
    QTest::qWait(1000);
    const qint64 spent = service.cpuTimeMs() - before;
    QVERIFY2(before >= 0 && spent < 300, qPrintable(u"%1 ms of CPU in 1 s at the descriptor limit"_s.arg(spent)));

    for (QTcpSocket *socket : std::as_const(flood))
        delete socket;
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(service.httpUrl(u"/health"_s)).status, 200, 15000);
    QByteArray errors;
    QTRY_VERIFY2((errors += service.standardError()).contains("cannot accept: Too many open files"),
                 errors.constData());
    QCOMPARE(service.terminate(), 0);
}

void TestLimits::perUserLimitCloses4504()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--max-connections-per-user"_s, u"2"_s}), qPrintable(service.errorString()));

    WsClient first;
    WsClient second;
    QVERIFY(first.open(service.wsUrlFor(u"ann"_s)));
    QVERIFY(second.open(service.wsUrlFor(u"ann"_s)));
    const double refusedBefore = service.metric("wsinfra_connections_refused_total");

    // Upgraded so that the client learns why, then closed: a "do not reconnect" code with a reason.
    WsClient third;
    third.openAsync(service.wsUrlFor(u"ann"_s));
    QVERIFY(third.waitClosed());
    QCOMPARE(third.closeCode(), 4504);
    QVERIFY(third.closeReason().contains(u"user"_s));
    QVERIFY(third.received().isEmpty());
    QCOMPARE(service.metric("wsinfra_connections_refused_total"), refusedBefore + 1);
    QCOMPARE(service.user(u"ann"_s).value("connections"_L1).toInt(), 2);

    WsClient otherUser;
    QVERIFY(otherUser.open(service.wsUrlFor(u"ben"_s)));

    first.close();
    QVERIFY(first.waitClosed());
    QTRY_COMPARE(service.user(u"ann"_s).value("connections"_L1).toInt(), 1);
    WsClient again;
    QVERIFY(again.open(service.wsUrlFor(u"ann"_s)));
    QCOMPARE(again.greeting().value("data"_L1).toObject().value("user_id"_L1).toString(), u"ann"_s);
    QCOMPARE(service.user(u"ann"_s).value("connections"_L1).toInt(), 2);
    QVERIFY(second.isOpen());

    QCOMPARE(service.terminate(), 0);
}

void TestLimits::perAddressLimitCloses4504()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--max-connections-per-ip"_s, u"2"_s}), qPrintable(service.errorString()));

    WsClient first;
    WsClient second;
    QVERIFY(first.open(service.wsUrlFor(u"carl"_s)));
    QVERIFY(second.open(service.wsUrlFor(u"dora"_s)));
    const double refusedBefore = service.metric("wsinfra_connections_refused_total");

    // Another user, but the same address (127.0.0.1).
    WsClient third;
    third.openAsync(service.wsUrlFor(u"emil"_s));
    QVERIFY(third.waitClosed());
    QCOMPARE(third.closeCode(), 4504);
    QVERIFY(third.closeReason().contains(u"address"_s));
    QVERIFY(third.received().isEmpty());
    QCOMPARE(service.metric("wsinfra_connections_refused_total"), refusedBefore + 1);
    QCOMPARE(service.user(u"emil"_s).value("connections"_L1).toInt(), 0);

    second.close();
    QVERIFY(second.waitClosed());
    QTRY_COMPARE(service.user(u"dora"_s).value("connections"_L1).toInt(), 0);
    WsClient again;
    QVERIFY(again.open(service.wsUrlFor(u"emil"_s)));
    QVERIFY(first.isOpen());

    QCOMPARE(service.terminate(), 0);
}

void TestLimits::globalLimitRefusesWith503()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--max-connections"_s, u"2"_s}), qPrintable(service.errorString()));

    WsClient first;
    WsClient second;
    QVERIFY(first.open(service.wsUrlFor(u"fay"_s)));
    QVERIFY(second.open(service.wsUrlFor(u"gus"_s)));
    const double refusedBefore = service.metric("wsinfra_connections_refused_total");
    const double authFailuresBefore = service.metric("wsinfra_authentication_failures_total");

    const QByteArray response = rawExchange(service.port(), upgradeRequest("/ws?token=" + makeToken(u"hal"_s)));
    QCOMPARE(statusOf(response), 503);
    QVERIFY(!response.contains("Sec-WebSocket-Accept"));
    const QJsonObject body = jsonBodyOf(response);
    QCOMPARE(body.value("code"_L1).toString(), u"unavailable"_s);
    QVERIFY(!body.value("message"_L1).toString().isEmpty());
    QCOMPARE(service.metric("wsinfra_connections_refused_total"), refusedBefore + 1);
    // A full service is not an authentication failure.
    QCOMPARE(service.metric("wsinfra_authentication_failures_total"), authFailuresBefore);
    QCOMPARE(service.stat("activeConnections"_L1), 2);
    QCOMPARE(service.user(u"hal"_s).value("connections"_L1).toInt(), 0);

    // The HTTP API is not a connection and still answers.
    QCOMPARE(httpGet(service.httpUrl(u"/health"_s)).status, 200);

    first.close();
    QVERIFY(first.waitClosed());
    QTRY_COMPARE(service.user(u"fay"_s).value("connections"_L1).toInt(), 0);
    WsClient third;
    QVERIFY(third.open(service.wsUrlFor(u"hal"_s)));

    QCOMPARE(service.terminate(), 0);
}

void TestLimits::tooManyProtocolErrorsClose4501()
{
    ServiceProcess service;
    QVERIFY2(service.start(), qPrintable(service.errorString()));
    const double errorsBefore = service.metric("wsinfra_protocol_errors_total");

    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"ivan"_s)));
    for (int i = 0; i < 60; ++i)
        client.sendRaw(u"not json %1"_s.arg(i));
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), 4501);
    QVERIFY(!client.closeReason().isEmpty());
    // The default allows 50 protocol errors, each answered; the 51st closes.
    const QList<QJsonObject> errors = client.receivedOfType(u"error"_s);
    QCOMPARE(errors.size(), 50);
    for (const QJsonObject &error : errors)
        QCOMPARE(error.value("code"_L1).toString(), u"bad_request"_s);
    QCOMPARE(service.metric("wsinfra_protocol_errors_total"), errorsBefore + 51);

    // A client with fewer errors is not affected.
    WsClient careful;
    QVERIFY(careful.open(service.wsUrlFor(u"jane"_s)));
    for (int i = 0; i < 10; ++i)
        careful.sendRaw(u"[]"_s);
    careful.send({{u"type"_s, u"ping"_s}, {u"id"_s, 1}});
    QCOMPARE(careful.waitFor(u"pong"_s).value("id"_L1).toInt(), 1);
    QCOMPARE(careful.receivedOfType(u"error"_s).size(), 10);
    QVERIFY(careful.isOpen());

    QCOMPARE(service.terminate(), 0);
}

void TestLimits::countersFollowConnectionsAndRefusals()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--max-connections"_s, u"3"_s, u"--max-connections-per-user"_s, u"1"_s}),
             qPrintable(service.errorString()));
    QCOMPARE(service.stat("totalConnections"_L1), 0);
    QCOMPARE(service.stat("activeConnections"_L1), 0);
    QCOMPARE(service.stat("peakConnections"_L1), 0);
    QCOMPARE(service.metric("wsinfra_connections_refused_total"), 0.0);

    WsClient kate;
    WsClient liam;
    QVERIFY(kate.open(service.wsUrlFor(u"kate"_s)));
    QVERIFY(liam.open(service.wsUrlFor(u"liam"_s)));
    QCOMPARE(service.stat("totalConnections"_L1), 2);
    QCOMPARE(service.stat("activeConnections"_L1), 2);
    QCOMPARE(service.stat("peakConnections"_L1), 2);
    QCOMPARE(service.metric("wsinfra_connections_active"), 2.0);

    const qint64 messagesBefore = service.stat("totalMessages"_L1);
    kate.send({{u"type"_s, u"ping"_s}});
    liam.send({{u"type"_s, u"ping"_s}});
    QVERIFY(!kate.waitFor(u"pong"_s).isEmpty());
    QVERIFY(!liam.waitFor(u"pong"_s).isEmpty());
    QCOMPARE(service.stat("totalMessages"_L1), messagesBefore + 2);

    // Refused over the per-user limit: upgraded, closed with 4504, and counted only as refused.
    WsClient secondKate;
    secondKate.openAsync(service.wsUrlFor(u"kate"_s));
    QVERIFY(secondKate.waitClosed());
    QCOMPARE(secondKate.closeCode(), 4504);
    QCOMPARE(service.metric("wsinfra_connections_refused_total"), 1.0);

    kate.close();
    QVERIFY(kate.waitClosed());
    QTRY_COMPARE(service.stat("activeConnections"_L1), 1);
    WsClient mia;
    WsClient ned;
    QVERIFY(mia.open(service.wsUrlFor(u"mia"_s)));
    QVERIFY(ned.open(service.wsUrlFor(u"ned"_s)));
    QCOMPARE(service.stat("activeConnections"_L1), 3);

    // Refused by the global limit before the upgrade.
    QCOMPARE(statusOf(rawExchange(service.port(), upgradeRequest("/ws?token=" + makeToken(u"otto"_s)))), 503);
    QCOMPARE(service.metric("wsinfra_connections_refused_total"), 2.0);

    QCOMPARE(service.stat("totalConnections"_L1), 4);
    QCOMPARE(service.stat("activeConnections"_L1), 3);
    QCOMPARE(service.stat("peakConnections"_L1), 3);
    QCOMPARE(service.metric("wsinfra_connections_total"), 4.0);
    QCOMPARE(service.metric("wsinfra_connections_peak"), 3.0);

    QCOMPARE(service.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"
