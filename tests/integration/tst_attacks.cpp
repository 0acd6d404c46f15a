// Slow and oversized attacks against the real service binary, each from its own loopback address
// (Linux routes all of 127/8 to lo, so a client socket bound to 127.0.0.2 is another client to the
// service): a connection flood over the per-address rate, slowloris against the per-address cap on
// pending heads, a pending-head flood against the global cap, upgrades that stop after the request,
// too many headers and oversized Engine.IO polling bodies. In each, an innocent client on 127.0.0.1
// connects, subscribes and receives a published bill update while the attack goes on.

#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

/// Raw TCP connections to the service from one source address, each recording what the service sends.
class RawFlood : public QObject
{
public:
    RawFlood(const QString &sourceAddress, quint16 port, int count)
    {
        for (int i = 0; i < count; ++i) {
            auto *socket = new QTcpSocket(this);
            socket->bind(QHostAddress(sourceAddress));
            m_sockets.append(socket);
            connect(socket, &QTcpSocket::connected, this, [this] { ++m_connected; });
            connect(socket, &QTcpSocket::errorOccurred, this, [this, socket](QAbstractSocket::SocketError error) {
                if (error != QAbstractSocket::RemoteHostClosedError)
                    m_errors.append(socket->errorString());
            });
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { m_received[socket] += socket->readAll(); });
            socket->connectToHost(u"127.0.0.1"_s, port);
        }
    }

    bool waitConnected(int timeoutMs = 10'000)
    {
        QElapsedTimer timer;
        timer.start();
        while (m_connected < m_sockets.size() && timer.elapsed() < timeoutMs)
            QTest::qWait(10);
        if (m_connected != m_sockets.size())
            qWarning() << m_connected << "of" << m_sockets.size() << "connected; errors:" << m_errors;
        return m_connected == m_sockets.size();
    }
    void writeEach(const QByteArray &bytes)
    {
        for (QTcpSocket *socket : std::as_const(m_sockets)) {
            if (socket->state() == QAbstractSocket::ConnectedState)
                socket->write(bytes);
        }
    }
    /// Connections whose answer so far starts with this status line.
    int answeredWith(int status) const
    {
        return int(std::count_if(m_received.cbegin(), m_received.cend(),
                                 [status](const QByteArray &bytes) { return statusOf(bytes) == status; }));
    }
    /// Connections the service has not said a word to.
    int unanswered() const
    {
        return int(std::count_if(m_sockets.cbegin(), m_sockets.cend(),
                                 [this](QTcpSocket *socket) { return m_received.value(socket).isEmpty(); }));
    }
    /// The first answer with this status (empty if none).
    QByteArray firstAnswer(int status) const
    {
        for (const QByteArray &bytes : m_received) {
            if (statusOf(bytes) == status)
                return bytes;
        }
        return {};
    }
    const QList<QTcpSocket *> &sockets() const { return m_sockets; }

private:
    QList<QTcpSocket *> m_sockets;
    QHash<QTcpSocket *, QByteArray> m_received;
    QStringList m_errors;
    int m_connected = 0;
};

QByteArray headerOf(const QByteArray &rawResponse, const QByteArray &name)
{
    const QList<QByteArray> lines = rawResponse.left(rawResponse.indexOf("\r\n\r\n")).split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

/// One raw HTTP/1.1 publish on a kept-alive connection; returns the status of its answer.
int publishOn(QTcpSocket &socket, qint64 billId, const QJsonObject &update)
{
    const QByteArray body = QJsonDocument(update).toJson(QJsonDocument::Compact);
    socket.write("POST /api/bills/" + QByteArray::number(billId) +
                 "/updates HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + QByteArray(TestApiKey) +
                 "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
                 "\r\n\r\n" + body);
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10'000) {
        if (socket.waitForReadyRead(100))
            answer += socket.readAll();
        const qsizetype headEnd = answer.indexOf("\r\n\r\n");
        if (headEnd >= 0 && answer.size() >= headEnd + 4 + headerOf(answer, "Content-Length").toInt())
            return statusOf(answer);
    }
    return statusOf(answer);
}

} // namespace

class TestAttacks : public QObject
{
    Q_OBJECT

private slots:
    void connectionFloodOverTheRateIsRefused429();
    void slowlorisIsHeldToThePerAddressCap();
    void pendingHeadFloodFromManyAddressesMeetsTheGlobalCap();
    void upgradesThatStopAfterTheRequestAreClosed();
    void tooManyHeadersAndOversizedPollingBodies();

private:
    /// An innocent client on 127.0.0.1 opens a WebSocket, subscribes to `billId` and receives an update
    /// published now.
    void verifyInnocentIsServed(ServiceProcess &service, qint64 billId, const QString &userId);
};

void TestAttacks::verifyInnocentIsServed(ServiceProcess &service, qint64 billId, const QString &userId)
{
    WsClient innocent;
    QVERIFY2(innocent.open(service.wsUrlFor(userId)), "the innocent client could not connect");
    QVERIFY2(innocent.subscribe(billId), "the innocent client could not subscribe");
    const QJsonObject update{{u"type"_s, u"status_change"_s}, {u"data"_s, QJsonObject{{u"by"_s, userId}}}};
    QCOMPARE(service.publishBill(billId, update).status, 200);
    const QJsonObject received = innocent.waitFor(u"bill_update"_s);
    QCOMPARE(received.value("bill_id"_L1).toInteger(), billId);
    QCOMPARE(received.value("data"_L1).toObject(), update);
}

// One address opens WebSockets and Engine.IO sessions far faster than --connection-rate-per-ip: the
// burst is upgraded, the rest is answered 429 with Retry-After before a shard sees it, and counted as
// refused connections. Another address is not affected.
void TestAttacks::connectionFloodOverTheRateIsRefused429()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--connection-rate-per-ip"_s, u"2"_s, u"--connection-burst-per-ip"_s, u"10"_s}),
             qPrintable(service.errorString()));
    const double refusedBefore = service.metric("wsinfra_connections_refused_total");

    constexpr int Attempts = 60;
    QElapsedTimer sinceStart;
    sinceStart.start();
    RawFlood flood(u"127.0.0.2"_s, service.port(), Attempts);
    QVERIFY(flood.waitConnected());
    flood.writeEach(upgradeRequest("/ws?token=" + makeToken(u"mallory"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(flood.unanswered(), 0, 15'000);

    verifyInnocentIsServed(service, 11, u"alice"_s);
    if (QTest::currentTestFailed())
        return;

    // The burst, and what the rate refilled while the flood went on, at most.
    const int allowed = 10 + int(sinceStart.elapsed() * 2 / 1000) + 1;
    const int upgraded = flood.answeredWith(101);
    const int refused = flood.answeredWith(429);
    QVERIFY2(upgraded >= 10 && upgraded <= allowed,
             qPrintable(u"%1 upgraded, %2 allowed"_s.arg(upgraded).arg(allowed)));
    QCOMPARE(upgraded + refused, Attempts);
    const QByteArray answer = flood.firstAnswer(429);
    QVERIFY(headerOf(answer, "Retry-After").toInt() >= 1);
    QCOMPARE(jsonBodyOf(answer).value("code"_L1).toString(), u"rate_limited"_s);
    QVERIFY(!answer.contains("Sec-WebSocket-Accept"));
    QCOMPARE(service.metric("wsinfra_connections_refused_total"), refusedBefore + refused);

    // A new Engine.IO session (the polling handshake) is a new connection too; polling on an existing
    // session is not.
    const QByteArray handshake = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    RawFlood polling(u"127.0.0.2"_s, service.port(), 30);
    QVERIFY(polling.waitConnected());
    polling.writeEach(handshake);
    QTRY_COMPARE_WITH_TIMEOUT(polling.unanswered(), 0, 10'000);
    QVERIFY(polling.answeredWith(429) >= 1);
    QCOMPARE(polling.answeredWith(200) + polling.answeredWith(429), 30);
    RawFlood otherPolling(u"127.0.0.3"_s, service.port(), 1);
    QVERIFY(otherPolling.waitConnected());
    otherPolling.writeEach(handshake);
    QTRY_COMPARE(otherPolling.answeredWith(200), 1);

    QCOMPARE(service.terminate(), 0);
}

// Slowloris: one address opens hundreds of connections and sends each request head a byte at a time.
// Only --max-pending-requests-per-ip of them are held (until the head timeout answers them 408); the
// others are answered 503 at once and closed, and the service goes on serving everyone else.
void TestAttacks::slowlorisIsHeldToThePerAddressCap()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--max-pending-requests-per-ip"_s, u"20"_s, u"--request-head-timeout"_s, u"6s"_s}),
             qPrintable(service.errorString()));
    const double refusedBefore = service.metric("wsinfra_connections_refused_total");

    constexpr int Attempts = 300;
    RawFlood flood(u"127.0.0.2"_s, service.port(), Attempts);
    QVERIFY(flood.waitConnected());
    const QByteArray head = upgradeRequest("/ws?token=" + makeToken(u"mallory"_s));
    qsizetype sent = 0;
    QTimer trickle;
    connect(&trickle, &QTimer::timeout, this, [&] {
        if (sent < head.size())
            flood.writeEach(head.mid(sent++, 1));
    });
    trickle.start(50);
    QElapsedTimer sinceStart;
    sinceStart.start();

    QTRY_COMPARE_WITH_TIMEOUT(flood.answeredWith(503), Attempts - 20, 5'000);
    QVERIFY2(sinceStart.elapsed() < 6'000, "refused at once, not after the head timeout");
    QCOMPARE(flood.unanswered(), 20);
    QCOMPARE(jsonBodyOf(flood.firstAnswer(503)).value("code"_L1).toString(), u"unavailable"_s);
    QCOMPARE(service.metric("wsinfra_connections_refused_total"), refusedBefore + Attempts - 20);

    verifyInnocentIsServed(service, 12, u"alice"_s);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(flood.unanswered(), 20); // still trickling, still held

    // The head timeout ends the held ones.
    QTRY_COMPARE_WITH_TIMEOUT(flood.answeredWith(408), 20, 15'000);
    QCOMPARE(httpGet(service.httpUrl(u"/health"_s)).status, 200);

    // Complete requests on connections then kept open count as well: the HTTP API holds them.
    RawFlood keptOpen(u"127.0.0.3"_s, service.port(), 20);
    QVERIFY(keptOpen.waitConnected());
    keptOpen.writeEach("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE(keptOpen.answeredWith(200), 20);
    RawFlood more(u"127.0.0.3"_s, service.port(), 5);
    QVERIFY(more.waitConnected());
    QTRY_COMPARE(more.answeredWith(503), 5);
    verifyInnocentIsServed(service, 18, u"bob"_s);
    QCOMPARE(service.terminate(), 0);
}

// Silent connections from many addresses, each under the per-address cap, together reach
// --max-pending-requests: new connections get 503 at once while the cap is full, clients already
// connected keep receiving updates and the backend's kept-alive connection keeps publishing; once the
// head timeout clears the flood, new clients are served again.
void TestAttacks::pendingHeadFloodFromManyAddressesMeetsTheGlobalCap()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--max-pending-requests"_s, u"60"_s, u"--max-pending-requests-per-ip"_s, u"20"_s,
                            u"--request-head-timeout"_s, u"4s"_s}),
             qPrintable(service.errorString()));
    WsClient follower;
    QVERIFY(follower.open(service.wsUrlFor(u"alice"_s)));
    QVERIFY(follower.subscribe(13));
    QTcpSocket backend; // the backend's kept-alive API connection: one of the 60
    backend.connectToHost(u"127.0.0.1"_s, service.port());
    QVERIFY(backend.waitForConnected(5'000));
    QCOMPARE(publishOn(backend, 13, {{u"n"_s, 1}}), 200);
    QCOMPARE(follower.waitFor(u"bill_update"_s).value("data"_L1).toObject().value("n"_L1).toInt(), 1);

    QList<RawFlood *> floods;
    for (int i = 2; i <= 6; ++i)
        floods.append(new RawFlood(u"127.0.0.%1"_s.arg(i), service.port(), 20));
    for (RawFlood *flood : std::as_const(floods))
        QVERIFY(flood->waitConnected());
    const auto count = [&floods](auto measure) {
        int total = 0;
        for (RawFlood *flood : std::as_const(floods))
            total += measure(*flood);
        return total;
    };
    // 60 minus what the HTTP API holds (the backend's connection and any the test's HTTP client kept).
    const auto refused = [&] { return count([](const RawFlood &f) { return f.answeredWith(503); }); };
    const auto held = [&] { return count([](const RawFlood &f) { return f.unanswered(); }); };
    QTRY_VERIFY_WITH_TIMEOUT(refused() >= 100 - 59 && refused() + held() == 100, 5'000);
    QVERIFY2(held() <= 59 && held() >= 50, qPrintable(QString::number(held())));

    // Full: a newcomer is refused at once, but those already in are served.
    QCOMPARE(statusOf(rawExchange(service.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")), 503);
    QCOMPARE(publishOn(backend, 13, {{u"n"_s, 2}}), 200);
    QCOMPARE(follower.waitFor(u"bill_update"_s).value("data"_L1).toObject().value("n"_L1).toInt(), 2);

    const int heldAtTheCap = held();
    QTRY_COMPARE_WITH_TIMEOUT(count([](const RawFlood &f) { return f.answeredWith(408); }), heldAtTheCap, 15'000);
    verifyInnocentIsServed(service, 14, u"bob"_s);
    qDeleteAll(floods);
    QCOMPARE(service.terminate(), 0);
}

// Upgrade requests that are complete but followed by silence (no pong, no message, nothing read):
// the service upgrades them within the per-address connection limit and closes them after the
// connection timeout; the innocent client, whose WebSocket answers pings, stays.
void TestAttacks::upgradesThatStopAfterTheRequestAreClosed()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--heartbeat-interval"_s, u"300"_s, u"--connection-timeout"_s, u"1500"_s,
                            u"--max-connections-per-ip"_s, u"30"_s}),
             qPrintable(service.errorString()));
    constexpr int Attempts = 50;
    RawFlood flood(u"127.0.0.2"_s, service.port(), Attempts);
    QVERIFY(flood.waitConnected());
    flood.writeEach(upgradeRequest("/ws?token=" + makeToken(u"mallory"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(flood.answeredWith(101), Attempts, 10'000);

    WsClient innocent;
    QVERIFY(innocent.open(service.wsUrlFor(u"alice"_s)));
    QVERIFY(innocent.subscribe(15));
    QCOMPARE(service.publishBill(15, {{u"n"_s, 1}}).status, 200);
    QVERIFY(!innocent.waitFor(u"bill_update"_s).isEmpty());
    // Over the per-address limit the upgrades were told why (4504) and are not counted.
    QVERIFY(service.stat("activeConnections"_L1) <= 31);

    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(flood.sockets().cbegin(), flood.sockets().cend(),
                                         [](QTcpSocket *s) { return s->state() == QAbstractSocket::UnconnectedState; }),
                             15'000);
    QTRY_COMPARE(service.stat("activeConnections"_L1), 1);
    QVERIFY(innocent.isOpen());
    QCOMPARE(service.publishBill(15, {{u"n"_s, 2}}).status, 200);
    QCOMPARE(innocent.waitFor(u"bill_update"_s).value("data"_L1).toObject().value("n"_L1).toInt(), 2);
    QCOMPARE(service.terminate(), 0);
}

// Heads with more headers than the parser allows are answered 431 and polling bodies over the
// Engine.IO maxPayload 413, while the innocent client is served.
void TestAttacks::tooManyHeadersAndOversizedPollingBodies()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--max-payload"_s, u"4KB"_s}), qPrintable(service.errorString()));

    QByteArray headers;
    for (int i = 0; i < 150; ++i)
        headers += "X-Filler-" + QByteArray::number(i) + ": x\r\n";
    RawFlood flood(u"127.0.0.2"_s, service.port(), 30);
    QVERIFY(flood.waitConnected());
    flood.writeEach(upgradeRequest("/ws?token=" + makeToken(u"mallory"_s), headers));
    verifyInnocentIsServed(service, 16, u"alice"_s);
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(flood.answeredWith(431), 30, 10'000);

    const HttpResult handshake = httpGet(service.httpUrl(u"/socket.io/?EIO=4&transport=polling"_s));
    QCOMPARE(handshake.status, 200);
    const QString sid = QJsonDocument::fromJson(handshake.body.mid(1)).object().value("sid"_L1).toString();
    QVERIFY(!sid.isEmpty());
    const HttpResult oversized =
        httpPost(service.httpUrl(u"/socket.io/?EIO=4&transport=polling&sid="_s + sid), "4" + QByteArray(8192, 'x'));
    QCOMPARE(oversized.status, 413);
    verifyInnocentIsServed(service, 17, u"bob"_s);
    QCOMPARE(service.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestAttacks)
#include "tst_attacks.moc"
