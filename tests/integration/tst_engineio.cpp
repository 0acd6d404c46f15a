// The Engine.IO server in-process behind the conformance listener, with real HTTP requests and a real
// QWebSocket: session lifecycle, the upgrade and its queue, closeAll, the handshake guard and every closed()
// reason. (The wire protocol case by case is tests/node/engineio-conformance.test.mjs.)

#include "conformancelistener.h"
#include "httpclient.h"
#include "transport/engineio/engineioserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QUrlQuery>
#include <QWebSocket>

#include <memory>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test;

namespace {

/// A QWebSocket client that records what it receives. Closes and waits for the close handshake when destroyed
/// (Qt 6.4's ~QWebSocket leaks the close reason when it has to close an open socket itself).
class EngineWebSocket : public QObject
{
public:
    explicit EngineWebSocket(const QString &url)
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) { texts.append(text); });
        connect(&m_socket, &QWebSocket::binaryMessageReceived, this,
                [this](const QByteArray &bytes) { binaries.append(bytes); });
        connect(&m_socket, &QWebSocket::disconnected, this, [this] {
            disconnected = true;
            closeCode = int(m_socket.closeCode());
        });
        m_socket.open(QUrl(url));
    }
    ~EngineWebSocket() override
    {
        if (m_socket.state() != QAbstractSocket::UnconnectedState) {
            m_socket.close();
            (void)QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, 2'000);
        }
    }

    bool waitConnected()
    {
        return QTest::qWaitFor([this] { return isConnected() || disconnected; }, 5'000);
    }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    /// The next text frame not taken yet (waiting up to 5 s); empty if none came.
    QString nextText()
    {
        if (!QTest::qWaitFor([this] { return texts.size() > m_taken; }, 5'000))
            return {};
        return texts.at(m_taken++);
    }
    /// The sid of the open packet (the first frame of a session on WebSocket).
    QString openSid()
    {
        const QString open = nextText();
        if (!open.startsWith(u'0'))
            return {};
        return QJsonDocument::fromJson(open.mid(1).toUtf8()).object().value(u"sid"_s).toString();
    }
    void send(const QString &text) { m_socket.sendTextMessage(text); }
    void sendBinary(const QByteArray &bytes) { m_socket.sendBinaryMessage(bytes); }
    void close() { m_socket.close(); }
    bool waitDisconnected()
    {
        return QTest::qWaitFor([this] { return disconnected; }, 5'000);
    }

    QStringList texts;
    QList<QByteArray> binaries;
    bool disconnected = false;
    int closeCode = -1;

private:
    QWebSocket m_socket;
    qsizetype m_taken = 0;
};

enum class Scenario {
    ClientClosePolling,
    ClientCloseWebSocket,
    ParsePolling,
    ParseWebSocket,
    PingTimeoutPolling,
    PingTimeoutWebSocket,
    WebSocketGone,
    PollAbandoned,
    DuplicatePoll,
    OversizedPost,
    ClientPing,
    QueueOverflowPolling,
    QueueOverflowWebSocket,
    ServerClose,
};

} // namespace

Q_DECLARE_METATYPE(Scenario)

class TestEngineIo : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();

    void pollingSessionLifecycle();
    void serverCloseWaitsForTheNextPoll();
    void lingeringCloseTimesOut();
    void webSocketSession();
    void upgradeFlushesTheQueueOnTheWebSocket();
    void upgradeRefusals();
    void pollCrossingTheUpgradeIsRefused();
    void pollCrossingTheClientCloseGetsANoop();
    void failedProbesKeepThePollingSession();
    void badWebSocketQueriesAreClosed();
    void closeAll();
    void handshakeGuardRefuses();
    void closedReasons_data();
    void closedReasons();
    void httpErrorsAndRouting();
    void pongKeepsTheSessionAlive();
    void heartbeatDeadlineIsCheckedBeforeARequest();
    void destroyingTheServerWithOpenSessions();
    void sniffedConnectionsThatNeverSendAHead();

private:
    static EngineIoServer::Settings defaultSettings();
    void start(const EngineIoServer::Settings &settings = defaultSettings(), qint64 headTimeoutMs = 10'000);
    QString pollingUrl(const QString &sid = {}) const;
    QString webSocketUrl(const QString &sid = {}) const;
    /// A new polling session's sid (empty on failure).
    QString openPolling();
    QNetworkReply *startPoll(const QString &sid);
    static bool waitFinished(QNetworkReply *reply);
    static int replyStatus(QNetworkReply *reply);

    std::unique_ptr<EngineIoServer> m_engine;
    std::unique_ptr<ConformanceListener> m_listener;
    std::unique_ptr<QNetworkAccessManager> m_network;
    QList<QPointer<EngineIoSession>> m_opened;
    QStringList m_closedReasons;
};

EngineIoServer::Settings TestEngineIo::defaultSettings()
{
    EngineIoServer::Settings settings;
    // Long enough that no ping gets in the way unless a test asks for one.
    settings.pingIntervalMs = 20'000;
    settings.pingTimeoutMs = 10'000;
    settings.maxPayload = 1'000;
    settings.upgradeTimeoutMs = 5'000;
    settings.maxQueuedBytes = 100'000;
    return settings;
}

void TestEngineIo::start(const EngineIoServer::Settings &settings, qint64 headTimeoutMs)
{
    m_engine = std::make_unique<EngineIoServer>(settings, u"t-"_s);
    connect(m_engine.get(), &EngineIoServer::sessionOpened, this, [this](EngineIoSession *session) {
        m_opened.append(session);
        connect(session, &EngineIoSession::closed, this,
                [this](const QString &reason) { m_closedReasons.append(reason); });
    });
    ConformanceListener::Settings listenerSettings;
    listenerSettings.limits.maxBodyBytes = settings.maxPayload * 2;
    listenerSettings.headTimeoutMs = headTimeoutMs;
    m_listener = std::make_unique<ConformanceListener>(listenerSettings, "/engine.io/", m_engine.get());
    QVERIFY2(m_listener->listen(), qPrintable(m_listener->errorString()));
    m_network = std::make_unique<QNetworkAccessManager>();
}

void TestEngineIo::cleanup()
{
    m_listener.reset();
    m_engine.reset();
    m_network.reset();
    m_opened.clear();
    m_closedReasons.clear();
}

QString TestEngineIo::pollingUrl(const QString &sid) const
{
    QString url = u"http://127.0.0.1:%1/engine.io/?EIO=4&transport=polling"_s.arg(m_listener->port());
    if (!sid.isEmpty())
        url += u"&sid="_s + sid;
    return url;
}

QString TestEngineIo::webSocketUrl(const QString &sid) const
{
    QString url = u"ws://127.0.0.1:%1/engine.io/?EIO=4&transport=websocket"_s.arg(m_listener->port());
    if (!sid.isEmpty())
        url += u"&sid="_s + sid;
    return url;
}

QString TestEngineIo::openPolling()
{
    const HttpResult handshake = httpGet(pollingUrl());
    if (handshake.status != 200 || !handshake.body.startsWith('0'))
        return {};
    return QJsonDocument::fromJson(handshake.body.mid(1)).object().value(u"sid"_s).toString();
}

QNetworkReply *TestEngineIo::startPoll(const QString &sid)
{
    QNetworkReply *reply = m_network->get(QNetworkRequest(QUrl(pollingUrl(sid))));
    // Let the request reach the server before the test goes on.
    QTest::qWait(50);
    return reply;
}

bool TestEngineIo::waitFinished(QNetworkReply *reply)
{
    return QTest::qWaitFor([reply] { return reply->isFinished(); }, 5'000);
}

int TestEngineIo::replyStatus(QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

void TestEngineIo::pollingSessionLifecycle()
{
    start();
    QSignalSpy opened(m_engine.get(), &EngineIoServer::sessionOpened);
    const HttpResult handshake = httpGet(pollingUrl());
    QCOMPARE(handshake.status, 200);
    QCOMPARE(handshake.header("Content-Type"), "text/plain; charset=UTF-8"_ba);
    const QJsonObject open = QJsonDocument::fromJson(handshake.body.mid(1)).object();
    QCOMPARE(handshake.body.at(0), '0');
    QCOMPARE(open.value(u"upgrades"_s).toArray(), QJsonArray{u"websocket"_s});
    QCOMPARE(open.value(u"pingInterval"_s).toInt(), 20'000);
    QCOMPARE(open.value(u"pingTimeout"_s).toInt(), 10'000);
    QCOMPARE(open.value(u"maxPayload"_s).toInt(), 1'000);
    const QString sid = open.value(u"sid"_s).toString();
    QVERIFY(sid.startsWith(u"t-"_s));
    QCOMPARE(sid.size(), 2 + 22); // prefix + 16 random bytes in base64url
    QCOMPARE(opened.size(), 1);

    QPointer<EngineIoSession> session = m_engine->session(sid);
    QVERIFY(session);
    QCOMPARE(session->id(), sid);
    QCOMPARE(session->peerAddress(), u"127.0.0.1"_s);
    QVERIFY(!session->isWebSocket());
    QVERIFY(!session->isClosed());
    QCOMPARE(m_engine->sessionCount(), 1);
    QCOMPARE(m_engine->session(u"t-unknown"_s), nullptr);

    // Everything queued in one event-loop turn goes out in one payload.
    session->sendMessage("one");
    session->sendMessage("two");
    session->sendBinary("\x01\x02\x03");
    QCOMPARE(session->queuedBytes(), 4 + 4 + 4);
    const HttpResult polled = httpGet(pollingUrl(sid));
    QCOMPARE(polled.status, 200);
    QCOMPARE(polled.body, "4one\x1e"
                          "4two\x1e"
                          "bAQID"_ba);
    QCOMPARE(session->queuedBytes(), 0);

    // A pending GET is answered as soon as something is sent.
    QNetworkReply *pending = startPoll(sid);
    QVERIFY(!pending->isFinished());
    session->sendMessage("later");
    QVERIFY(waitFinished(pending));
    QCOMPARE(pending->readAll(), "4later"_ba);

    QSignalSpy text(session.data(), &EngineIoSession::messageReceived);
    QSignalSpy binary(session.data(), &EngineIoSession::binaryReceived);
    const HttpResult pushed = httpPost(pollingUrl(sid), "4hello\x1e"
                                                        "bAQID\x1e"
                                                        "6");
    QCOMPARE(pushed.status, 200);
    QCOMPARE(pushed.body, "ok"_ba);
    QCOMPARE(pushed.header("Content-Type"), "text/html"_ba);
    QCOMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toByteArray(), "hello"_ba);
    QCOMPARE(binary.size(), 1);
    QCOMPARE(binary.at(0).at(0).toByteArray(), "\x01\x02\x03"_ba);

    // The server closes: the pending GET gets what was queued and the close packet.
    QSignalSpy closed(session.data(), &EngineIoSession::closed);
    QNetworkReply *last = startPoll(sid);
    session->sendMessage("bye");
    session->close();
    // Nothing more is sent or emitted once closed.
    session->sendMessage("ignored");
    session->close();
    QVERIFY(waitFinished(last));
    QCOMPARE(last->readAll(), "4bye\x1e"
                              "1"_ba);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toString(), u"server close"_s);
    QCOMPARE(m_engine->sessionCount(), 0);
    QCOMPARE(m_engine->session(sid), nullptr);
    QTRY_VERIFY(session.isNull());
    QCOMPARE(httpGet(pollingUrl(sid)).status, 400);
}

void TestEngineIo::serverCloseWaitsForTheNextPoll()
{
    start();
    const QString sid = openPolling();
    QPointer<EngineIoSession> session = m_engine->session(sid);
    QVERIFY(session);
    session->sendMessage("last words");
    session->close();
    QCOMPARE(m_closedReasons, QStringList{u"server close"_s});
    QCOMPARE(m_engine->sessionCount(), 0);
    QVERIFY(session); // kept until the client fetched its close packet
    // Only a GET can fetch it; a POST is told the session is gone.
    QCOMPARE(httpPost(pollingUrl(sid), "4x").status, 400);
    const HttpResult polled = httpGet(pollingUrl(sid));
    QCOMPARE(polled.status, 200);
    QCOMPARE(polled.body, "4last words\x1e"
                          "1"_ba);
    QTRY_VERIFY(session.isNull());
    const HttpResult again = httpGet(pollingUrl(sid));
    QCOMPARE(again.status, 400);
    QCOMPARE(again.json().value(u"code"_s).toInt(), 1);
}

void TestEngineIo::lingeringCloseTimesOut()
{
    EngineIoServer::Settings settings = defaultSettings();
    settings.pingTimeoutMs = 100; // bounds how long a closed polling session waits for its GET
    start(settings);
    const QString sid = openPolling();
    QPointer<EngineIoSession> session = m_engine->session(sid);
    QVERIFY(session);
    session->close();
    QTRY_VERIFY(session.isNull());
    QCOMPARE(httpGet(pollingUrl(sid)).status, 400);
}

void TestEngineIo::webSocketSession()
{
    start();
    EngineWebSocket client(webSocketUrl());
    QVERIFY(client.waitConnected());
    const QString open = client.nextText();
    QVERIFY(open.startsWith(u'0'));
    const QJsonObject handshake = QJsonDocument::fromJson(open.mid(1).toUtf8()).object();
    QCOMPARE(handshake.value(u"upgrades"_s).toArray(), QJsonArray());
    const QString sid = handshake.value(u"sid"_s).toString();
    QPointer<EngineIoSession> session = m_engine->session(sid);
    QVERIFY(session);
    QVERIFY(session->isWebSocket());
    QCOMPARE(session->peerAddress(), u"127.0.0.1"_s);

    QSignalSpy text(session.data(), &EngineIoSession::messageReceived);
    QSignalSpy binary(session.data(), &EngineIoSession::binaryReceived);
    client.send(u"4h\u00e9llo"_s);
    client.sendBinary("\x00\xff"_ba);
    client.send(u"6"_s); // a noop is ignored
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toByteArray(), "h\xc3\xa9llo"_ba);
    QTRY_COMPARE(binary.size(), 1);
    QCOMPARE(binary.at(0).at(0).toByteArray(), "\x00\xff"_ba);

    session->sendMessage("to you");
    session->sendBinary("\x01\x02");
    QCOMPARE(client.nextText(), u"4to you"_s);
    QTRY_COMPARE(client.binaries, QList<QByteArray>{"\x01\x02"_ba});

    // Polling requests for a session on WebSocket are refused; the session carries on.
    QCOMPARE(httpGet(pollingUrl(sid)).status, 400);
    QCOMPARE(httpPost(pollingUrl(sid), "4x").status, 400);
    QVERIFY(!session->isClosed());

    client.close();
    QTRY_COMPARE(m_closedReasons, QStringList{u"transport close"_s});
    QTRY_VERIFY(session.isNull());
    QCOMPARE(m_engine->sessionCount(), 0);
}

void TestEngineIo::upgradeFlushesTheQueueOnTheWebSocket()
{
    start();
    const QString sid = openPolling();
    QPointer<EngineIoSession> session = m_engine->session(sid);
    QVERIFY(session);
    QSignalSpy upgraded(session.data(), &EngineIoSession::upgraded);

    QNetworkReply *pending = startPoll(sid);
    EngineWebSocket probe(webSocketUrl(sid));
    QVERIFY(probe.waitConnected());
    probe.send(u"2probe"_s);
    QCOMPARE(probe.nextText(), u"3probe"_s);
    // The GET the client had pending ends with a noop; so does any GET during the upgrade.
    QVERIFY(waitFinished(pending));
    QCOMPARE(pending->readAll(), "6"_ba);
    QVERIFY(!session->isWebSocket());

    session->sendMessage("queued during the upgrade");
    session->sendBinary("\x07");
    QTest::qWait(20);
    const HttpResult duringUpgrade = httpGet(pollingUrl(sid));
    QCOMPARE(duringUpgrade.status, 200);
    QCOMPARE(duringUpgrade.body, "6"_ba);
    QVERIFY(session->queuedBytes() > 0);
    // Messages from the client still arrive over polling until the upgrade completes.
    QSignalSpy text(session.data(), &EngineIoSession::messageReceived);
    QCOMPARE(httpPost(pollingUrl(sid), "4still polling").status, 200);
    QCOMPARE(text.size(), 1);

    probe.send(u"5"_s);
    QTRY_COMPARE(upgraded.size(), 1);
    QVERIFY(session->isWebSocket());
    QCOMPARE(probe.nextText(), u"4queued during the upgrade"_s);
    QTRY_COMPARE(probe.binaries, QList<QByteArray>{"\x07"_ba});
    QCOMPARE(session->queuedBytes(), 0);

    probe.send(u"4over the websocket"_s);
    QTRY_COMPARE(text.size(), 2);
    QCOMPARE(text.at(1).at(0).toByteArray(), "over the websocket"_ba);
    QCOMPARE(httpGet(pollingUrl(sid)).status, 400);

    // The server's close packet goes out on the WebSocket, which then closes.
    session->close();
    QCOMPARE(probe.nextText(), u"1"_s);
    QVERIFY(probe.waitDisconnected());
    QCOMPARE(m_closedReasons, QStringList{u"server close"_s});
}

void TestEngineIo::upgradeRefusals()
{
    start();
    const QString sid = openPolling();
    QPointer<EngineIoSession> session = m_engine->session(sid);
    EngineWebSocket probe(webSocketUrl(sid));
    QVERIFY(probe.waitConnected());
    // A second WebSocket while the first is probing is refused.
    EngineWebSocket second(webSocketUrl(sid));
    QVERIFY(second.waitDisconnected());
    probe.send(u"2probe"_s);
    QCOMPARE(probe.nextText(), u"3probe"_s);
    probe.send(u"5"_s);
    QTRY_VERIFY(session->isWebSocket());
    // ... and so is one after the upgrade.
    EngineWebSocket third(webSocketUrl(sid));
    QVERIFY(third.waitDisconnected());
    QVERIFY(third.texts.isEmpty());
    QVERIFY(!session->isClosed());
    // A WebSocket for an unknown sid too.
    EngineWebSocket unknown(webSocketUrl(u"t-unknown"_s));
    QVERIFY(unknown.waitDisconnected());
    QVERIFY(unknown.texts.isEmpty());
}

void TestEngineIo::pollCrossingTheUpgradeIsRefused()
{
    start();
    const QString sid = openPolling();
    EngineWebSocket probe(webSocketUrl(sid));
    QVERIFY(probe.waitConnected());
    probe.send(u"2probe"_s);
    QCOMPARE(probe.nextText(), u"3probe"_s);
    // A GET during the upgrade waits a moment for its outcome; the upgrade completes meanwhile.
    QNetworkReply *crossing = startPoll(sid);
    QVERIFY(!crossing->isFinished());
    probe.send(u"5"_s);
    QVERIFY(waitFinished(crossing));
    QCOMPARE(replyStatus(crossing), 400);
    QVERIFY(m_engine->session(sid)->isWebSocket());
    QVERIFY(m_closedReasons.isEmpty());
}

void TestEngineIo::pollCrossingTheClientCloseGetsANoop()
{
    start();
    const QString sid = openPolling();
    QPointer<EngineIoSession> session = m_engine->session(sid);
    // The close packet arrives before the GET the client sent with it.
    QCOMPARE(httpPost(pollingUrl(sid), "1").status, 200);
    QCOMPARE(m_closedReasons, QStringList{u"client close"_s});
    QCOMPARE(m_engine->sessionCount(), 0);
    const HttpResult crossing = httpGet(pollingUrl(sid));
    QCOMPARE(crossing.status, 200);
    QCOMPARE(crossing.body, "6"_ba);
    QCOMPARE(httpGet(pollingUrl(sid)).status, 400);
    QTRY_VERIFY(session.isNull());
}

void TestEngineIo::failedProbesKeepThePollingSession()
{
    EngineIoServer::Settings settings = defaultSettings();
    settings.upgradeTimeoutMs = 200;
    start(settings);
    const QString sid = openPolling();
    QPointer<EngineIoSession> session = m_engine->session(sid);
    QVERIFY(session);

    // No "5" in time: the probe is closed.
    {
        EngineWebSocket probe(webSocketUrl(sid));
        QVERIFY(probe.waitConnected());
        probe.send(u"2probe"_s);
        QCOMPARE(probe.nextText(), u"3probe"_s);
        session->sendMessage("waits for the upgrade");
        QVERIFY(probe.waitDisconnected());
    }
    // What waited for the WebSocket goes out on polling.
    HttpResult polled = httpGet(pollingUrl(sid));
    QCOMPARE(polled.body, "4waits for the upgrade"_ba);
    // A probe that says something else, sends binary, or goes away, is dropped as well.
    {
        EngineWebSocket probe(webSocketUrl(sid));
        QVERIFY(probe.waitConnected());
        probe.send(u"4not a probe"_s);
        QVERIFY(probe.waitDisconnected());
    }
    {
        EngineWebSocket probe(webSocketUrl(sid));
        QVERIFY(probe.waitConnected());
        probe.sendBinary("\x01");
        QVERIFY(probe.waitDisconnected());
    }
    {
        EngineWebSocket probe(webSocketUrl(sid));
        QVERIFY(probe.waitConnected());
        probe.send(u"2probe"_s);
        QCOMPARE(probe.nextText(), u"3probe"_s);
        probe.close();
        QVERIFY(probe.waitDisconnected());
    }
    QTest::qWait(50);
    QVERIFY(session);
    QVERIFY(!session->isClosed());
    QVERIFY(!session->isWebSocket());
    session->sendMessage("still polling");
    polled = httpGet(pollingUrl(sid));
    QCOMPARE(polled.status, 200);
    QCOMPARE(polled.body, "4still polling"_ba);
    QVERIFY(m_closedReasons.isEmpty());
}

void TestEngineIo::badWebSocketQueriesAreClosed()
{
    start();
    const QStringList queries{u"?transport=websocket"_s, u"?EIO=3&transport=websocket"_s, u"?EIO=4"_s,
                              u"?EIO=4&transport=polling"_s};
    for (const QString &query : queries) {
        EngineWebSocket client(u"ws://127.0.0.1:%1/engine.io/"_s.arg(m_listener->port()) + query);
        QVERIFY2(client.waitDisconnected(), qPrintable(query));
        QVERIFY(client.texts.isEmpty());
    }
    QCOMPARE(m_engine->sessionCount(), 0);
}

void TestEngineIo::closeAll()
{
    start();
    const QString waiting = openPolling();
    const QString idle = openPolling();
    EngineWebSocket webSocket(webSocketUrl());
    QVERIFY(webSocket.waitConnected());
    QVERIFY(!webSocket.openSid().isEmpty());
    QCOMPARE(m_engine->sessionCount(), 3);

    QNetworkReply *pending = startPoll(waiting);
    m_engine->closeAll();
    QCOMPARE(m_engine->sessionCount(), 0);
    QCOMPARE(m_closedReasons, (QStringList{u"server close"_s, u"server close"_s, u"server close"_s}));
    QVERIFY(waitFinished(pending));
    QCOMPARE(pending->readAll(), "1"_ba);
    QCOMPARE(webSocket.nextText(), u"1"_s);
    QVERIFY(webSocket.waitDisconnected());
    QCOMPARE(webSocket.closeCode, 1000);
    // The idle polling session fetches its close packet with its next GET.
    QCOMPARE(httpGet(pollingUrl(idle)).body, "1"_ba);
    QTRY_VERIFY(std::all_of(m_opened.cbegin(), m_opened.cend(), [](const auto &session) { return session.isNull(); }));
}

void TestEngineIo::handshakeGuardRefuses()
{
    start();
    QStringList askedFor;
    bool full = true;
    m_engine->setHandshakeGuard([&](const QString &peerAddress) -> std::optional<HttpResponse> {
        askedFor.append(peerAddress);
        if (full)
            return HttpResponse::error(503, u"unavailable"_s, u"node full"_s);
        return std::nullopt;
    });
    const HttpResult refused = httpGet(pollingUrl());
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.json().value(u"message"_s).toString(), u"node full"_s);
    // A WebSocket is refused with a close frame 1013 "try again later" and no open packet. (Read raw: Qt's own
    // client reports any code from 1012 to 2999 as a protocol error.)
    QTcpSocket refusedSocket;
    QByteArray received = rawUpgrade(refusedSocket, m_listener->port(), "/engine.io/?EIO=4&transport=websocket");
    QVERIFY(received.startsWith("HTTP/1.1 101"));
    QVERIFY(QTest::qWaitFor(
        [&] {
            received += refusedSocket.readAll();
            return refusedSocket.state() == QAbstractSocket::UnconnectedState;
        },
        5'000));
    received += refusedSocket.readAll();
    const QByteArray frames = received.mid(received.indexOf("\r\n\r\n") + 4);
    QVERIFY(frames.size() >= 4);
    QCOMPARE(quint8(frames.at(0)), quint8(0x88)); // FIN + close
    QCOMPARE((quint8(frames.at(2)) << 8) | quint8(frames.at(3)), 1013);
    QCOMPARE(m_engine->sessionCount(), 0);
    QCOMPARE(askedFor, (QStringList{u"127.0.0.1"_s, u"127.0.0.1"_s}));

    // The guard is only asked about new sessions.
    full = false;
    const QString sid = openPolling();
    QVERIFY(!sid.isEmpty());
    full = true;
    QCOMPARE(httpPost(pollingUrl(sid), "4still allowed").status, 200);
    QCOMPARE(askedFor.size(), 3);
    QCOMPARE(m_engine->sessionCount(), 1);
}

void TestEngineIo::closedReasons_data()
{
    QTest::addColumn<Scenario>("scenario");
    QTest::addColumn<QString>("reason");

    QTest::newRow("close packet over polling") << Scenario::ClientClosePolling << u"client close"_s;
    QTest::newRow("close packet over WebSocket") << Scenario::ClientCloseWebSocket << u"client close"_s;
    QTest::newRow("malformed POST") << Scenario::ParsePolling << u"parse error"_s;
    QTest::newRow("malformed frame") << Scenario::ParseWebSocket << u"parse error"_s;
    QTest::newRow("no pong over polling") << Scenario::PingTimeoutPolling << u"ping timeout"_s;
    QTest::newRow("no pong over WebSocket") << Scenario::PingTimeoutWebSocket << u"ping timeout"_s;
    QTest::newRow("WebSocket closed by the client") << Scenario::WebSocketGone << u"transport close"_s;
    QTest::newRow("pending GET abandoned") << Scenario::PollAbandoned << u"transport close"_s;
    QTest::newRow("overlapping GETs") << Scenario::DuplicatePoll << u"transport error"_s;
    QTest::newRow("POST over maxPayload") << Scenario::OversizedPost << u"transport error"_s;
    QTest::newRow("ping from the client") << Scenario::ClientPing << u"transport error"_s;
    QTest::newRow("queue over its bound, polling") << Scenario::QueueOverflowPolling << u"forced close"_s;
    QTest::newRow("queue over its bound, WebSocket") << Scenario::QueueOverflowWebSocket << u"forced close"_s;
    QTest::newRow("server close") << Scenario::ServerClose << u"server close"_s;
}

void TestEngineIo::closedReasons()
{
    QFETCH(Scenario, scenario);
    QFETCH(QString, reason);

    EngineIoServer::Settings settings = defaultSettings();
    if (scenario == Scenario::PingTimeoutPolling || scenario == Scenario::PingTimeoutWebSocket) {
        settings.pingIntervalMs = 50;
        settings.pingTimeoutMs = 50;
    }
    if (scenario == Scenario::QueueOverflowWebSocket)
        settings.maxQueuedBytes = 256 * 1024;
    start(settings);

    const bool webSocket = scenario == Scenario::ClientCloseWebSocket || scenario == Scenario::ParseWebSocket ||
                           scenario == Scenario::PingTimeoutWebSocket || scenario == Scenario::WebSocketGone ||
                           scenario == Scenario::ClientPing;
    std::unique_ptr<EngineWebSocket> client;
    QTcpSocket rawClient;
    QString sid;
    if (scenario == Scenario::QueueOverflowWebSocket) {
        // A client that stops reading after the upgrade: what the server sends piles up in its socket buffer.
        QVERIFY(rawUpgrade(rawClient, m_listener->port(), "/engine.io/?EIO=4&transport=websocket").contains("101"));
        rawClient.setReadBufferSize(1);
        QTRY_COMPARE(m_opened.size(), 1);
        sid = m_opened.constLast()->id();
    } else if (webSocket) {
        client = std::make_unique<EngineWebSocket>(webSocketUrl());
        QVERIFY(client->waitConnected());
        sid = client->openSid();
    } else {
        sid = openPolling();
    }
    QPointer<EngineIoSession> session = m_engine->session(sid);
    QVERIFY(session);

    switch (scenario) {
    case Scenario::ClientClosePolling: {
        QNetworkReply *pending = startPoll(sid);
        QCOMPARE(httpPost(pollingUrl(sid), "1").status, 200);
        QVERIFY(waitFinished(pending));
        QCOMPARE(pending->readAll(), "6"_ba);
        break;
    }
    case Scenario::ClientCloseWebSocket:
        client->send(u"1"_s);
        QVERIFY(client->waitDisconnected());
        break;
    case Scenario::ParsePolling: {
        const HttpResult answer = httpPost(pollingUrl(sid), "4fine\x1enot a packet");
        QCOMPARE(answer.status, 400);
        QCOMPARE(answer.json().value(u"code"_s).toInt(), 3);
        break;
    }
    case Scenario::ParseWebSocket:
        client->send(u"x"_s);
        QVERIFY(client->waitDisconnected());
        QCOMPARE(client->closeCode, 1002);
        break;
    case Scenario::PingTimeoutPolling:
        QCOMPARE(httpGet(pollingUrl(sid)).body, "2"_ba);
        break;
    case Scenario::PingTimeoutWebSocket:
        QCOMPARE(client->nextText(), u"2"_s);
        QVERIFY(client->waitDisconnected());
        break;
    case Scenario::WebSocketGone:
        client->close();
        break;
    case Scenario::PollAbandoned: {
        QNetworkReply *pending = startPoll(sid);
        pending->abort();
        break;
    }
    case Scenario::DuplicatePoll: {
        QNetworkReply *first = startPoll(sid);
        QNetworkReply *second = startPoll(sid);
        QVERIFY(waitFinished(first));
        QVERIFY(waitFinished(second));
        QCOMPARE(replyStatus(first), 200);
        QCOMPARE(first->readAll(), "1"_ba);
        QCOMPARE(replyStatus(second), 400);
        break;
    }
    case Scenario::OversizedPost:
        QCOMPARE(httpPost(pollingUrl(sid), "4" + QByteArray(settings.maxPayload, 'x')).status, 413);
        break;
    case Scenario::ClientPing:
        client->send(u"2"_s);
        QVERIFY(client->waitDisconnected());
        break;
    case Scenario::QueueOverflowPolling:
        for (int i = 0; i < 20 && session && !session->isClosed(); ++i)
            session->sendMessage(QByteArray(10'000, 'x'));
        break;
    case Scenario::QueueOverflowWebSocket: {
        // Each message fits the queue and is handed to the socket; the socket's buffer is what grows.
        const QByteArray chunk(200 * 1024, 'x');
        for (int i = 0; i < 1'000 && session && !session->isClosed(); ++i) {
            session->sendMessage(chunk);
            QTest::qWait(1);
        }
        break;
    }
    case Scenario::ServerClose:
        session->close();
        break;
    }
    QTRY_COMPARE(m_closedReasons, QStringList{reason});
    QCOMPARE(m_engine->sessionCount(), 0);
    if (scenario != Scenario::ServerClose) {
        QTRY_VERIFY(session.isNull());
        QCOMPARE(httpGet(pollingUrl(sid)).status, 400);
    }
}

void TestEngineIo::httpErrorsAndRouting()
{
    start();
    const QString sid = openPolling();
    const auto codeOf = [](const HttpResult &result) { return result.json().value(u"code"_s).toInt(-1); };
    QCOMPARE(codeOf(httpGet(pollingUrl(u"nope"_s))), 1);
    QCOMPARE(httpRequest("PUT", pollingUrl(), {}, {}).status, 400);
    QCOMPARE(codeOf(httpRequest("PUT", pollingUrl(), {}, {})), 2);
    QCOMPARE(codeOf(httpRequest("PUT", pollingUrl(sid), {}, {})), 3);
    // CORS is off (no allowed origins): no preflight, no headers.
    const HttpResult preflight = httpRequest("OPTIONS", pollingUrl(), {}, {{"Origin", "http://a.example"}});
    QCOMPARE(preflight.status, 403);
    QCOMPARE(codeOf(preflight), 4);
    QVERIFY(httpGet(pollingUrl(), {{"Origin", "http://a.example"}}).header("Access-Control-Allow-Origin").isEmpty());
    // Other paths are not the engine's; below the path is.
    QCOMPARE(statusOf(rawExchange(m_listener->port(), "GET /other HTTP/1.1\r\nHost: x\r\n\r\n")), 404);
    QCOMPARE(httpGet(u"http://127.0.0.1:%1/engine.io/x?EIO=4&transport=polling"_s.arg(m_listener->port())).status, 200);
    QCOMPARE(httpGet(u"http://127.0.0.1:%1/engine.iox?EIO=4&transport=polling"_s.arg(m_listener->port())).status, 404);
    // A kept-alive connection asking for another path gets 404 from the listener's HTTP handler.
    const QByteArray twoRequests = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n"
                                   "GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const QByteArray answers = rawExchange(m_listener->port(), twoRequests);
    QVERIFY(answers.startsWith("HTTP/1.1 200"));
    QVERIFY(answers.contains("HTTP/1.1 404"));
    // A malformed head is answered by the sniffer.
    QCOMPARE(statusOf(rawExchange(m_listener->port(), "GARBAGE\r\n\r\n")), 400);
    QVERIFY(m_listener->servesPath("/engine.io"));
    QVERIFY(!m_listener->servesPath("/engine.io.x"));
}

void TestEngineIo::pongKeepsTheSessionAlive()
{
    EngineIoServer::Settings settings = defaultSettings();
    settings.pingIntervalMs = 100;
    settings.pingTimeoutMs = 300;
    start(settings);
    const QString sid = openPolling();
    for (int i = 0; i < 4; ++i) {
        const HttpResult polled = httpGet(pollingUrl(sid));
        QCOMPARE(polled.status, 200);
        QCOMPARE(polled.body, "2"_ba);
        QCOMPARE(httpPost(pollingUrl(sid), "3\x1e"
                                           "3")
                     .status,
                 200); // a second pong without a ping is ignored
    }
    QVERIFY(m_closedReasons.isEmpty());
    QVERIFY(m_engine->session(sid));
}

void TestEngineIo::heartbeatDeadlineIsCheckedBeforeARequest()
{
    EngineIoServer::Settings settings = defaultSettings();
    settings.pingIntervalMs = 100;
    settings.pingTimeoutMs = 100;
    start(settings);
    // A request handled after the deadline but before the heartbeat timers had their turn (here: the event loop
    // is blocked) finds the session timed out, whether the ping went out or not.
    const auto pollNow = [this](const QString &sid) {
        HttpRequest request;
        request.method = "GET";
        request.path = "/engine.io/";
        request.query = QUrlQuery(u"EIO=4&transport=polling&sid="_s + sid);
        int status = 0;
        m_engine->handleHttp(request, u"127.0.0.1"_s,
                             [&status](const HttpResponse &response) { status = response.status; });
        return status;
    };
    const QString pingOverdue = openPolling();
    QThread::msleep(250);
    QCOMPARE(pollNow(pingOverdue), 400);
    QCOMPARE(m_closedReasons, QStringList{u"ping timeout"_s});

    const QString pongOverdue = openPolling();
    QCOMPARE(httpGet(pollingUrl(pongOverdue)).body, "2"_ba);
    QThread::msleep(150);
    QCOMPARE(pollNow(pongOverdue), 400);
    QCOMPARE(m_closedReasons, (QStringList{u"ping timeout"_s, u"ping timeout"_s}));
}

void TestEngineIo::destroyingTheServerWithOpenSessions()
{
    start();
    const QString sid = openPolling();
    QNetworkReply *pending = startPoll(sid);
    EngineWebSocket webSocket(webSocketUrl());
    QVERIFY(webSocket.waitConnected());
    QVERIFY(!webSocket.openSid().isEmpty());
    QCOMPARE(m_engine->sessionCount(), 2);
    m_engine.reset();
    QVERIFY(m_closedReasons.isEmpty()); // no closed() from a server being destroyed
    m_listener.reset();
    QVERIFY(waitFinished(pending));
    QVERIFY(webSocket.waitDisconnected());
}

void TestEngineIo::sniffedConnectionsThatNeverSendAHead()
{
    start(defaultSettings(), 200);
    QTcpSocket silent;
    silent.connectToHost(u"127.0.0.1"_s, m_listener->port());
    QVERIFY(silent.waitForConnected(5'000));
    silent.write("GET /engine.io/ HTTP/1.1\r\n"); // and never the rest
    QByteArray answer;
    QVERIFY(QTest::qWaitFor(
        [&] {
            answer += silent.readAll();
            return silent.state() == QAbstractSocket::UnconnectedState || answer.contains("\r\n\r\n");
        },
        5'000));
    QCOMPARE(statusOf(answer), 408);
    // Still waiting for its head when the listener goes: closed, not leaked.
    QTcpSocket pending;
    pending.connectToHost(u"127.0.0.1"_s, m_listener->port());
    QVERIFY(pending.waitForConnected(5'000));
    QTest::qWait(20);
    m_listener->close();
    m_listener.reset();
    QVERIFY(QTest::qWaitFor([&] { return pending.state() == QAbstractSocket::UnconnectedState; }, 5'000));
}

QTEST_GUILESS_MAIN(TestEngineIo)
#include "tst_engineio.moc"
