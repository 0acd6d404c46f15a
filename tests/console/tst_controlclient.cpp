// ControlClient against a scripted control port: the hello, pushes passed on in order, a resync asked for
// when a delta does not follow, Lagging, commands and replies, refusals, and reconnecting with backoff.

#include "controlclient.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Qt::StringLiterals;
using namespace wsinfra;

using State = ControlClient::State;

namespace {

/// A control port that does what the test says: records every frame each console sends, sends what the
/// test gives it.
class ScriptedService : public QObject
{
public:
    ScriptedService() : m_server(u"scripted"_s, QWebSocketServer::NonSecureMode)
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                const qsizetype index = m_sockets.size();
                m_sockets.append(socket);
                m_frames.append(QList<QJsonObject>());
                connect(socket, &QWebSocket::textMessageReceived, this, [this, index](const QString &text) {
                    m_frames[index].append(QJsonDocument::fromJson(text.toUtf8()).object());
                });
            }
        });
    }
    ~ScriptedService() override
    {
        for (QWebSocket *socket : std::as_const(m_sockets))
            socket->abort();
    }

    bool listen(quint16 port = 0) { return m_server.listen(QHostAddress::LocalHost, port); }
    void stopListening() { m_server.close(); }
    quint16 port() const { return m_server.serverPort(); }
    qsizetype connectionCount() const { return m_sockets.size(); }
    QWebSocket *latest() const { return m_sockets.isEmpty() ? nullptr : m_sockets.last(); }
    /// What the latest console sent, in order.
    QList<QJsonObject> frames() const { return m_frames.isEmpty() ? QList<QJsonObject>() : m_frames.last(); }
    QList<QJsonObject> framesOfType(const QString &type) const
    {
        QList<QJsonObject> found;
        for (const QJsonObject &frame : frames()) {
            if (frame.value("type"_L1).toString() == type)
                found.append(frame);
        }
        return found;
    }

    void send(const QJsonObject &frame) { sendRaw(QString::fromUtf8(QJsonDocument(frame).toJson())); }
    void sendRaw(const QString &text) { latest()->sendTextMessage(text); }
    /// Waits for the latest console's hello and welcomes it.
    bool welcome(int intervalMs = 1000, const QString &session = u"c-1"_s)
    {
        if (!QTest::qWaitFor([this] { return !framesOfType(u"hello"_s).isEmpty(); }, 5'000))
            return false;
        send({{u"type"_s, u"welcome"_s}, {u"version"_s, 1}, {u"session"_s, session}, {u"interval_ms"_s, intervalMs}});
        return true;
    }
    void push(const QString &type, qint64 seq) { send({{u"type"_s, type}, {u"seq"_s, seq}, {u"at"_s, seq}}); }

private:
    QWebSocketServer m_server;
    QList<QWebSocket *> m_sockets;
    QList<QList<QJsonObject>> m_frames;
};

ControlClient::Settings fastSettings()
{
    ControlClient::Settings settings;
    settings.initialBackoffMs = 50;
    settings.maxBackoffMs = 200;
    settings.welcomeTimeoutMs = 5'000;
    return settings;
}

QList<qint64> seqsOf(const QSignalSpy &spy)
{
    QList<qint64> seqs;
    for (const QList<QVariant> &arguments : spy)
        seqs.append(arguments.at(0).toJsonObject().value("seq"_L1).toInteger());
    return seqs;
}

QList<int> intsOf(const QSignalSpy &spy)
{
    QList<int> values;
    for (const QList<QVariant> &arguments : spy)
        values.append(arguments.at(0).toInt());
    return values;
}

// A loopback port nothing listens on (it was just in use and is closed again).
quint16 closedPort()
{
    QWebSocketServer server(u"probe"_s, QWebSocketServer::NonSecureMode);
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

} // namespace

class TestControlClient : public QObject
{
    Q_OBJECT

private slots:
    void helloThenWelcome();
    void welcomeInterval_data();
    void welcomeInterval();
    void pushesPassedOnInOrder();
    void seqGapAsksForResyncOnce();
    void deltaBeforeSnapshotAsksForResync();
    void laggingAfterThreeQuietIntervals();
    void commandsAndReplies();
    void commandBeforeWelcomeIsNotSent();
    void refusalIsFinal();
    void refusalAfterWelcomeIsFinal();
    void reconnectsWithBackoffAfterLiveDrop();
    void firstFailureIsFinal();
    void firstFailureRetriedWhenAsked();
    void welcomeTimeout();
    void disconnectStopsReconnecting();
    void disconnectClosesTheLink();
    void garbageFramesIgnored();
};

void TestControlClient::helloThenWelcome()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy states(&client, &ControlClient::stateChanged);
    QSignalSpy welcomed(&client, &ControlClient::welcomed);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"secret token"_s);
    QCOMPARE(client.state(), State::Connecting);
    QCOMPARE(client.url().toString(), u"ws://127.0.0.1:%1/"_s.arg(service.port()));

    QTRY_COMPARE(service.framesOfType(u"hello"_s).size(), 1);
    const QJsonObject hello = service.framesOfType(u"hello"_s).constFirst();
    QCOMPARE(hello.value("version"_L1).toInteger(), ControlProtocolVersion);
    QCOMPARE(hello.value("token"_L1).toString(), u"secret token"_s);
    QVERIFY2(hello.value("client"_L1).toString().startsWith("wsinfra-console "_L1),
             qPrintable(hello.value("client"_L1).toString()));
    QCOMPARE(client.state(), State::Connecting);
    QVERIFY(client.session().isEmpty());

    QVERIFY(service.welcome(250, u"c-7"_s));
    QTRY_COMPARE(welcomed.size(), 1);
    QCOMPARE(welcomed.at(0).at(0).toString(), u"c-7"_s);
    QCOMPARE(welcomed.at(0).at(1).toInt(), 250);
    QCOMPARE(client.state(), State::Live);
    QCOMPARE(client.session(), u"c-7"_s);
    QCOMPARE(client.intervalMs(), 250);
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).at(0).value<State>(), State::Connecting);
    QCOMPARE(states.at(1).at(0).value<State>(), State::Live);
    // Only the hello went out.
    QCOMPARE(service.frames().size(), 1);
}

void TestControlClient::welcomeInterval_data()
{
    QTest::addColumn<QJsonValue>("interval");
    QTest::addColumn<int>("expected");

    QTest::newRow("as sent") << QJsonValue(500) << 500;
    QTest::newRow("missing") << QJsonValue(QJsonValue::Undefined) << 1000;
    QTest::newRow("a string") << QJsonValue(u"fast"_s) << 1000;
    QTest::newRow("fractional") << QJsonValue(10.5) << 1000;
    QTest::newRow("zero") << QJsonValue(0) << 10;
    QTest::newRow("negative") << QJsonValue(-5) << 10;
    QTest::newRow("huge") << QJsonValue(1e12) << 3'600'000;
}

void TestControlClient::welcomeInterval()
{
    QFETCH(QJsonValue, interval);
    QFETCH(int, expected);

    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy welcomed(&client, &ControlClient::welcomed);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QTRY_COMPARE(service.framesOfType(u"hello"_s).size(), 1);
    QJsonObject welcome{{u"type"_s, u"welcome"_s}, {u"session"_s, u"c-1"_s}};
    if (!interval.isUndefined())
        welcome.insert(u"interval_ms"_s, interval);
    service.send(welcome);
    QTRY_COMPARE(welcomed.size(), 1);
    QCOMPARE(welcomed.at(0).at(1).toInt(), expected);
    QCOMPARE(client.intervalMs(), expected);
}

void TestControlClient::pushesPassedOnInOrder()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy snapshots(&client, &ControlClient::snapshotReceived);
    QSignalSpy deltas(&client, &ControlClient::deltaReceived);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QVERIFY(service.welcome());
    service.push(u"snapshot"_s, 1);
    service.push(u"delta"_s, 2);
    service.push(u"delta"_s, 3);
    QTRY_COMPARE(deltas.size(), 2);
    QCOMPARE(seqsOf(snapshots), QList<qint64>{1});
    QCOMPARE(seqsOf(deltas), (QList<qint64>{2, 3}));
    // Passed on whole.
    QCOMPARE(snapshots.at(0).at(0).toJsonObject().value("at"_L1).toInteger(), 1);
    QVERIFY(service.framesOfType(u"resync"_s).isEmpty());
}

void TestControlClient::seqGapAsksForResyncOnce()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy snapshots(&client, &ControlClient::snapshotReceived);
    QSignalSpy deltas(&client, &ControlClient::deltaReceived);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QVERIFY(service.welcome());
    service.push(u"snapshot"_s, 1);
    service.push(u"delta"_s, 2);
    service.push(u"delta"_s, 4); // push 3 went missing
    service.push(u"delta"_s, 5); // follows 4, but 4 was never applied
    QTRY_COMPARE(service.framesOfType(u"resync"_s).size(), 1);
    QCOMPARE(service.framesOfType(u"resync"_s).constFirst(), (QJsonObject{{u"type"_s, u"resync"_s}}));
    service.push(u"snapshot"_s, 6);
    service.push(u"delta"_s, 7);
    QTRY_COMPARE(deltas.size(), 2);
    QCOMPARE(seqsOf(deltas), (QList<qint64>{2, 7}));
    QCOMPARE(seqsOf(snapshots), (QList<qint64>{1, 6}));
    // One resync for the gap, not one per delta after it.
    QCOMPARE(service.framesOfType(u"resync"_s).size(), 1);
    QCOMPARE(client.state(), State::Live);

    // A second gap asks again.
    service.push(u"delta"_s, 9);
    QTRY_COMPARE(service.framesOfType(u"resync"_s).size(), 2);
    QCOMPARE(deltas.size(), 2);
}

void TestControlClient::deltaBeforeSnapshotAsksForResync()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy deltas(&client, &ControlClient::deltaReceived);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QVERIFY(service.welcome());
    service.push(u"delta"_s, 1);
    service.send({{u"type"_s, u"delta"_s}}); // and one without seq
    QTRY_COMPARE(service.framesOfType(u"resync"_s).size(), 1);
    service.push(u"snapshot"_s, 2);
    service.send({{u"type"_s, u"delta"_s}, {u"seq"_s, u"3"_s}}); // seq of the wrong type
    QTRY_COMPARE(service.framesOfType(u"resync"_s).size(), 2);
    QCOMPARE(deltas.size(), 0);
}

void TestControlClient::laggingAfterThreeQuietIntervals()
{
    constexpr int IntervalMs = 100;
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QVERIFY(service.welcome(IntervalMs));
    QTRY_COMPARE(client.state(), State::Live);

    // Pushes at the interval keep it Live.
    QElapsedTimer elapsed;
    elapsed.start();
    qint64 seq = 0;
    service.push(u"snapshot"_s, ++seq);
    while (elapsed.elapsed() < 8 * IntervalMs) {
        QTest::qWait(IntervalMs);
        QCOMPARE(client.state(), State::Live);
        service.push(u"delta"_s, ++seq);
    }

    // Then silence: Lagging after three intervals, not before two.
    elapsed.restart();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Lagging, 5'000);
    QVERIFY2(elapsed.elapsed() >= 2 * IntervalMs, qPrintable(QString::number(elapsed.elapsed())));
    // The next push makes it Live again.
    service.push(u"delta"_s, ++seq);
    QTRY_COMPARE(client.state(), State::Live);
}

void TestControlClient::commandsAndReplies()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy replies(&client, &ControlClient::replyReceived);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QVERIFY(service.welcome());
    QTRY_COMPARE(client.state(), State::Live);

    ControlCommand metrics;
    metrics.type = ControlCommand::Type::Metrics;
    QCOMPARE(client.sendCommand(metrics), QJsonValue(1));
    ControlCommand disconnect;
    disconnect.type = ControlCommand::Type::Disconnect;
    disconnect.connectionId = u"n-0-1"_s;
    QCOMPARE(client.sendCommand(disconnect), QJsonValue(2));
    ControlCommand events;
    events.type = ControlCommand::Type::Events;
    events.id = u"mine"_s;
    events.since = 5;
    QCOMPARE(client.sendCommand(events), QJsonValue(u"mine"_s));
    QCOMPARE(client.sendCommand(ControlCommand{}), QJsonValue(QJsonValue::Undefined)); // a resync
    QTRY_COMPARE(service.frames().size(), 5);
    QCOMPARE(service.frames().at(1), (QJsonObject{{u"type"_s, u"metrics"_s}, {u"id"_s, 1}}));
    QCOMPARE(service.frames().at(2),
             (QJsonObject{{u"type"_s, u"disconnect"_s}, {u"id"_s, 2}, {u"connection_id"_s, u"n-0-1"_s}}));
    QCOMPARE(service.frames().at(3),
             (QJsonObject{{u"type"_s, u"events"_s}, {u"id"_s, u"mine"_s}, {u"since"_s, 5}, {u"limit"_s, 100}}));
    QCOMPARE(service.frames().at(4), (QJsonObject{{u"type"_s, u"resync"_s}}));

    service.send({{u"type"_s, u"reply"_s}, {u"id"_s, 1}, {u"ok"_s, true}, {u"result"_s, QJsonObject{{u"a"_s, 1}}}});
    service.send({{u"type"_s, u"reply"_s},
                  {u"id"_s, u"mine"_s},
                  {u"ok"_s, false},
                  {u"error"_s, QJsonObject{{u"code"_s, u"not_found"_s}, {u"message"_s, u"no such"_s}}}});
    QTRY_COMPARE(replies.size(), 2);
    QCOMPARE(replies.at(0).at(0).toJsonValue(), QJsonValue(1));
    QCOMPARE(replies.at(0).at(1).toBool(), true);
    QCOMPARE(replies.at(0).at(2).toJsonObject(), (QJsonObject{{u"a"_s, 1}}));
    QCOMPARE(replies.at(1).at(0).toJsonValue(), QJsonValue(u"mine"_s));
    QCOMPARE(replies.at(1).at(1).toBool(), false);
    QCOMPARE(replies.at(1).at(2).toJsonObject().value("code"_L1).toString(), u"not_found"_s);
}

void TestControlClient::commandBeforeWelcomeIsNotSent()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    ControlCommand metrics;
    metrics.type = ControlCommand::Type::Metrics;
    QCOMPARE(client.sendCommand(metrics), QJsonValue(QJsonValue::Undefined));
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QTRY_COMPARE(service.framesOfType(u"hello"_s).size(), 1);
    QCOMPARE(client.sendCommand(metrics), QJsonValue(QJsonValue::Undefined));
    QVERIFY(service.welcome());
    QTRY_COMPARE(client.state(), State::Live);
    QCOMPARE(client.sendCommand(metrics), QJsonValue(1));
    QTRY_COMPARE(service.frames().size(), 2);
    // Nothing from before the welcome was queued and sent later.
    QTest::qWait(50);
    QCOMPARE(service.frames().size(), 2);
    QCOMPARE(service.frames().at(1).value("type"_L1).toString(), u"metrics"_s);
}

void TestControlClient::refusalIsFinal()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy refused(&client, &ControlClient::refused);
    QSignalSpy failed(&client, &ControlClient::connectionFailed);
    QSignalSpy reconnects(&client, &ControlClient::reconnectScheduled);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"wrong"_s);
    QTRY_COMPARE(service.framesOfType(u"hello"_s).size(), 1);
    service.send({{u"type"_s, u"error"_s}, {u"code"_s, u"invalid_token"_s}, {u"message"_s, u"wrong control token"_s}});
    service.latest()->close(QWebSocketProtocol::CloseCode(4401), u"wrong control token"_s);
    QTRY_COMPARE(refused.size(), 1);
    QCOMPARE(refused.at(0).at(0).toString(), u"invalid_token"_s);
    QCOMPARE(refused.at(0).at(1).toString(), u"wrong control token"_s);
    QTRY_COMPARE(client.state(), State::Disconnected);
    QTest::qWait(300); // several backoffs' worth
    QCOMPARE(service.connectionCount(), 1);
    QCOMPARE(reconnects.size(), 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(client.state(), State::Disconnected);
}

void TestControlClient::refusalAfterWelcomeIsFinal()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy refused(&client, &ControlClient::refused);
    QSignalSpy reconnects(&client, &ControlClient::reconnectScheduled);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QVERIFY(service.welcome());
    QTRY_COMPARE(client.state(), State::Live);
    service.send(
        {{u"type"_s, u"error"_s}, {u"code"_s, u"bad_request"_s}, {u"message"_s, u"too many protocol errors"_s}});
    service.latest()->close(QWebSocketProtocol::CloseCode(4400), u"too many protocol errors"_s);
    QTRY_COMPARE(refused.size(), 1);
    QTRY_COMPARE(client.state(), State::Disconnected);
    QTest::qWait(300);
    QCOMPARE(reconnects.size(), 0);
    QCOMPARE(service.connectionCount(), 1);
}

void TestControlClient::reconnectsWithBackoffAfterLiveDrop()
{
    ScriptedService service;
    QVERIFY(service.listen());
    const quint16 port = service.port();
    ControlClient client(fastSettings());
    QSignalSpy reconnects(&client, &ControlClient::reconnectScheduled);
    QSignalSpy failed(&client, &ControlClient::connectionFailed);
    QSignalSpy welcomed(&client, &ControlClient::welcomed);
    client.connectToService(u"127.0.0.1"_s, port, u"t"_s);
    QVERIFY(service.welcome());
    QTRY_COMPARE(welcomed.size(), 1);

    // The service goes away: the link drops, and every attempt fails while it is gone.
    service.stopListening();
    service.latest()->close(QWebSocketProtocol::CloseCodeGoingAway);
    QTRY_COMPARE(client.state(), State::Disconnected);
    QTRY_VERIFY(reconnects.size() >= 5);
    // 1 s doubling to 30 s, here scaled to 50 ms doubling to 200 ms.
    QCOMPARE(intsOf(reconnects).mid(0, 5), (QList<int>{50, 100, 200, 200, 200}));
    QVERIFY(failed.size() >= 4);
    QVERIFY(!client.errorString().isEmpty());
    QCOMPARE(client.sendCommand(ControlCommand{}), QJsonValue(QJsonValue::Undefined));

    // It comes back on the same port: the next attempt says hello and is welcomed.
    QVERIFY(service.listen(port));
    QTRY_COMPARE(service.connectionCount(), 2);
    QVERIFY(service.welcome(1000, u"c-2"_s));
    QTRY_COMPARE(welcomed.size(), 2);
    QCOMPARE(client.state(), State::Live);
    QCOMPARE(client.session(), u"c-2"_s);
    QCOMPARE(service.framesOfType(u"hello"_s).constFirst().value("token"_L1).toString(), u"t"_s);

    // The backoff starts over after a welcome.
    reconnects.clear();
    service.latest()->close(QWebSocketProtocol::CloseCodeGoingAway);
    QTRY_COMPARE(reconnects.size(), 1);
    QCOMPARE(reconnects.at(0).at(0).toInt(), 50);
    QTRY_COMPARE(service.connectionCount(), 3);
}

void TestControlClient::firstFailureIsFinal()
{
    const quint16 port = closedPort();
    QVERIFY(port != 0);
    ControlClient client(fastSettings());
    QSignalSpy failed(&client, &ControlClient::connectionFailed);
    QSignalSpy reconnects(&client, &ControlClient::reconnectScheduled);
    QSignalSpy states(&client, &ControlClient::stateChanged);
    client.connectToService(u"127.0.0.1"_s, port, u"t"_s);
    QTRY_COMPARE(failed.size(), 1);
    QVERIFY2(failed.at(0).at(0).toString().contains(QString::number(port)), qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(client.errorString(), failed.at(0).at(0).toString());
    QCOMPARE(client.state(), State::Disconnected);
    QTest::qWait(300);
    QCOMPARE(reconnects.size(), 0);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(states.size(), 2); // Connecting, Disconnected
}

void TestControlClient::firstFailureRetriedWhenAsked()
{
    const quint16 port = closedPort();
    QVERIFY(port != 0);
    ControlClient::Settings settings = fastSettings();
    settings.retryFirstConnection = true;
    ControlClient client(settings);
    QSignalSpy failed(&client, &ControlClient::connectionFailed);
    QSignalSpy reconnects(&client, &ControlClient::reconnectScheduled);
    client.connectToService(u"127.0.0.1"_s, port, u"t"_s);
    // Each failure is reported and followed by the next attempt, the delays doubling.
    QTRY_VERIFY(reconnects.size() >= 2);
    QVERIFY(failed.size() >= 2);
    QCOMPARE(reconnects.at(1).at(0).toInt(), 2 * reconnects.at(0).at(0).toInt());
    client.disconnectFromService();
    const qsizetype attempts = failed.size();
    QTest::qWait(300);
    QCOMPARE(failed.size(), attempts);
}

void TestControlClient::welcomeTimeout()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient::Settings settings = fastSettings();
    settings.welcomeTimeoutMs = 200;
    ControlClient client(settings);
    QSignalSpy failed(&client, &ControlClient::connectionFailed);
    QSignalSpy reconnects(&client, &ControlClient::reconnectScheduled);
    QElapsedTimer elapsed;
    elapsed.start();
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QTRY_COMPARE(failed.size(), 1);
    QVERIFY(elapsed.elapsed() >= 150);
    QVERIFY2(failed.at(0).at(0).toString().contains("no welcome"_L1), qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(client.state(), State::Disconnected);
    QCOMPARE(reconnects.size(), 0);
}

void TestControlClient::disconnectStopsReconnecting()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy reconnects(&client, &ControlClient::reconnectScheduled);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QVERIFY(service.welcome());
    QTRY_COMPARE(client.state(), State::Live);
    service.latest()->close(QWebSocketProtocol::CloseCodeGoingAway);
    QTRY_COMPARE(reconnects.size(), 1);
    client.disconnectFromService();
    QCOMPARE(client.state(), State::Disconnected);
    QTest::qWait(300);
    QCOMPARE(reconnects.size(), 1);
    QCOMPARE(service.connectionCount(), 1);
}

void TestControlClient::disconnectClosesTheLink()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy reconnects(&client, &ControlClient::reconnectScheduled);
    QSignalSpy failed(&client, &ControlClient::connectionFailed);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QVERIFY(service.welcome());
    QTRY_COMPARE(client.state(), State::Live);
    QWebSocket *link = service.latest();
    client.disconnectFromService();
    QTRY_COMPARE(link->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(link->closeCode(), QWebSocketProtocol::CloseCodeNormal);
    QTRY_COMPARE(client.state(), State::Disconnected);
    QTest::qWait(200);
    QCOMPARE(reconnects.size(), 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(service.connectionCount(), 1);
}

void TestControlClient::garbageFramesIgnored()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ControlClient client(fastSettings());
    QSignalSpy snapshots(&client, &ControlClient::snapshotReceived);
    QSignalSpy deltas(&client, &ControlClient::deltaReceived);
    QSignalSpy replies(&client, &ControlClient::replyReceived);
    QSignalSpy refused(&client, &ControlClient::refused);
    QSignalSpy welcomed(&client, &ControlClient::welcomed);
    client.connectToService(u"127.0.0.1"_s, service.port(), u"t"_s);
    QTRY_COMPARE(service.framesOfType(u"hello"_s).size(), 1);
    // Pushes before the welcome are not passed on.
    service.push(u"snapshot"_s, 1);
    QVERIFY(service.welcome());
    QTRY_COMPARE(welcomed.size(), 1);
    for (const QString &text : {u"not json"_s, u"[1,2]"_s, u"\"text\""_s, u"{\"type\":7}"_s, u"{}"_s,
                                u"{\"type\":\"future\"}"_s, u"{\"type\":\"welcome\",\"session\":\"c-9\"}"_s,
                                QString::fromUtf8("{\"type\":\"snap\0shot\"}", 20), QString(100'000, u'{')})
        service.sendRaw(text);
    service.latest()->sendBinaryMessage(QByteArray("{\"type\":\"snapshot\",\"seq\":1}"));
    service.push(u"snapshot"_s, 2);
    QTRY_COMPARE(snapshots.size(), 1);
    QCOMPARE(seqsOf(snapshots), QList<qint64>{2});
    QCOMPARE(deltas.size(), 0);
    QCOMPARE(replies.size(), 0);
    QCOMPARE(refused.size(), 0);
    QCOMPARE(welcomed.size(), 1);
    QCOMPARE(client.session(), u"c-1"_s);
    QCOMPARE(client.state(), State::Live);
}

QTEST_GUILESS_MAIN(TestControlClient)
#include "tst_controlclient.moc"
