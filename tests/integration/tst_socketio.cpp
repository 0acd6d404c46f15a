// The Socket.IO layer in-process on a real EngineIoServer, with a real QWebSocket as the client speaking the raw
// protocol: namespace connect/refuse/disconnect, acks, binary attachments both ways, the connect timeout, parse
// errors closing the session and every reason disconnected() can give.

#include "conformancelistener.h"
#include "transport/engineio/engineioserver.h"
#include "transport/socketio/socketioserver.h"
#include "transport/socketio/socketiosocket.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

QJsonValue jsonOf(QByteArrayView text)
{
    const QJsonDocument document = QJsonDocument::fromJson("[" + text.toByteArray() + "]");
    return document.isArray() && document.array().size() == 1 ? document.array().first() : QJsonValue();
}

// A raw Engine.IO v4 client over a QWebSocket: queues what arrives, answers pings unless told not to.
class RawClient : public QObject
{
public:
    struct Message
    {
        bool binary = false;
        QByteArray data;
    };

    RawClient()
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            const QByteArray utf8 = text.toUtf8();
            if (utf8 == "2" && m_answerPings) {
                m_socket.sendTextMessage(u"3"_s);
                return;
            }
            m_inbox.append({false, utf8});
        });
        connect(&m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &bytes) {
            m_inbox.append({true, bytes});
        });
        connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_closed = true; });
    }

    ~RawClient() override
    {
        // Qt 6.4's ~QWebSocket leaks when it has to close an open socket itself.
        if (m_socket.state() != QAbstractSocket::UnconnectedState) {
            m_socket.close();
            [[maybe_unused]] const bool closed = QTest::qWaitFor([this] { return m_closed; }, 5000);
        }
    }

    /// Connects and takes the Engine.IO open packet; false if it did not come.
    bool open(const QUrl &url)
    {
        m_socket.open(url);
        const std::optional<Message> open = next();
        if (!open || open->binary || !open->data.startsWith('0'))
            return false;
        m_sid = QJsonDocument::fromJson(open->data.mid(1)).object().value("sid"_L1).toString();
        return !m_sid.isEmpty();
    }

    /// The next message (pings are answered, not returned), or nothing within the timeout.
    std::optional<Message> next(int timeoutMs = 5000)
    {
        if (!QTest::qWaitFor([this] { return !m_inbox.isEmpty(); }, timeoutMs))
            return std::nullopt;
        return m_inbox.takeFirst();
    }

    /// The Socket.IO packet of the next text message ("4" stripped); empty if none or not a message.
    QByteArray nextPacket(int timeoutMs = 5000)
    {
        const std::optional<Message> message = next(timeoutMs);
        if (!message || message->binary || !message->data.startsWith('4'))
            return message ? "<unexpected: " + message->data + ">" : QByteArray("<nothing>");
        return message->data.mid(1);
    }

    QByteArray nextBinary(int timeoutMs = 5000)
    {
        const std::optional<Message> message = next(timeoutMs);
        return message && message->binary ? message->data : QByteArray("<no binary>");
    }

    /// Sends a Socket.IO packet as an Engine.IO message.
    void send(const QByteArray &packet) { m_socket.sendTextMessage(QString::fromUtf8("4" + packet)); }
    void sendEngine(const QByteArray &packet) { m_socket.sendTextMessage(QString::fromUtf8(packet)); }
    void sendBinary(const QByteArray &bytes) { m_socket.sendBinaryMessage(bytes); }
    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([this] { return m_closed; }, timeoutMs);
    }
    void abort() { m_socket.abort(); }
    void setAnswerPings(bool answer) { m_answerPings = answer; }
    bool isClosed() const { return m_closed; }
    QString sid() const { return m_sid; }
    qsizetype pending() const { return m_inbox.size(); }

private:
    QWebSocket m_socket;
    QList<Message> m_inbox;
    QString m_sid;
    bool m_closed = false;
    bool m_answerPings = true;
};

// An EngineIoServer served on 127.0.0.1 by the conformance server's listener (WebSocket upgrades only here), with a
// SocketIoServer on top whose namespaces record what happens and answer a few test events.
class Stack : public QObject
{
public:
    struct Received
    {
        QString nsp;
        QJsonArray arguments;
        QList<QByteArray> attachments;
        qint64 ackId = -1;
    };

    explicit Stack(EngineIoServer::Settings engineSettings = {}, SocketIoServer::Settings ioSettings = {})
        : m_engine(std::make_unique<EngineIoServer>(engineSettings, u"t-"_s)), m_io(ioSettings, *m_engine),
          m_listener(ConformanceListener::Settings{}, "/socket.io/", m_engine.get())
    {
        m_listener.listen();

        const auto connected = [this](SocketIoSocket *socket) { onConnected(socket); };
        m_io.addNamespace(u"/"_s, nullptr, connected);
        m_io.addNamespace(u"/custom"_s, nullptr, connected);
        m_io.addNamespace(
            u"/private"_s,
            [this](const SocketIoServer::ConnectRequest &request) {
                requests.append(request);
                SocketIoServer::ConnectDecision decision;
                if (request.auth.value("token"_L1).toString() != "good"_L1) {
                    decision.errorMessage = u"not authorized"_s;
                    decision.errorData = QJsonObject{{u"code"_s, 7}};
                    return decision;
                }
                decision.accepted = true;
                decision.socketId = u"fixed-id"_s;
                decision.pid = u"pid-1"_s;
                return decision;
            },
            connected);
        m_io.addNamespace(
            u"/closer"_s,
            [](const SocketIoServer::ConnectRequest &request) {
                request.engine->close();
                SocketIoServer::ConnectDecision decision;
                decision.accepted = true;
                return decision;
            },
            connected);
    }

    QUrl url() const { return QUrl(u"ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket"_s.arg(port())); }
    quint16 port() const { return m_listener.port(); }
    EngineIoServer &engine() { return *m_engine; }
    SocketIoServer &io() { return m_io; }
    void destroyEngine() { m_engine.reset(); }

    QList<QPointer<SocketIoSocket>> sockets;
    QStringList reasons;
    QList<Received> events;
    QList<Received> acks; ///< what ackReceived reported (ackId = the id acknowledged)
    QList<SocketIoServer::ConnectRequest> requests;

private:
    void onConnected(SocketIoSocket *socket)
    {
        sockets.append(socket);
        // Sent from the Connected function: it must arrive after the CONNECT answer.
        socket->emitEvent(QJsonArray{u"welcome"_s, socket->nsp()});
        connect(socket, &SocketIoSocket::disconnected, this, [this](const QString &reason) { reasons.append(reason); });
        connect(socket, &SocketIoSocket::eventReceived, this,
                [this, socket](const QJsonArray &arguments, const QList<QByteArray> &attachments, qint64 ackId) {
                    events.append({socket->nsp(), arguments, attachments, ackId});
                    answer(socket, arguments, attachments, ackId);
                });
        connect(socket, &SocketIoSocket::ackReceived, this,
                [this, socket](qint64 ackId, const QJsonArray &arguments, const QList<QByteArray> &attachments) {
                    acks.append({socket->nsp(), arguments, attachments, ackId});
                });
    }

    static void answer(SocketIoSocket *socket, const QJsonArray &arguments, const QList<QByteArray> &attachments,
                       qint64 ackId)
    {
        const QString name = arguments.first().toString();
        QJsonArray rest = arguments;
        rest.removeFirst();
        if (name == "echo"_L1) {
            QJsonArray back = arguments;
            back.replace(0, u"echo-back"_s);
            socket->emitEvent(back, attachments);
        } else if (name == "ack"_L1) {
            socket->sendAck(ackId, rest, attachments);
        } else if (name == "ack-text"_L1) {
            socket->sendAckText(ackId, R"(["text"])");
        } else if (name == "event-text"_L1) {
            socket->emitEventText(R"(["fast",1])");
        } else if (name == "ask"_L1) {
            socket->emitEventTextWithAck(R"(["question",1])");
        } else if (name == "bye"_L1) {
            socket->disconnect();
        } else if (name == "kick"_L1) {
            socket->engine()->close();
        }
    }

    std::unique_ptr<EngineIoServer> m_engine;
    SocketIoServer m_io;
    ConformanceListener m_listener;
};

} // namespace

class TestSocketIo : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void connectsToTheMainNamespace();
    void connectCarriesTheAuthPayload();
    void joinsSeveralNamespacesOnOneSession();
    void invalidNamespaceGetsConnectError();
    void refusedConnectCarriesMessageAndData();
    void acceptedConnectUsesTheDecidedIdAndPid();
    void authorizeThatClosesTheSessionIsSafe();
    void secondConnectToTheSameNamespaceIsIgnored();
    void eventForAnUnjoinedNamespaceIsIgnored();
    void clientAcksAndUnexpectedPacketsAreIgnored();
    void ackRoundTrip();
    void ackRoundTripInCustomNamespace();
    void fastPathsWriteTheGivenText();
    void binaryAttachmentsBothWays();
    void binaryAckWithAttachments();
    void serverEventWithAckGetsTheClientsAck();
    void awaitedAcksAreBounded();
    void clientNamespaceDisconnectKeepsTheSession();
    void serverNamespaceDisconnect();
    void connectTimeoutClosesAnIdleSession();
    void connectTimeoutSparesAJoinedClient();
    void connectTimeoutClosesAClientThatLeftEveryNamespace();
    void parseErrorClosesTheSession_data();
    void parseErrorClosesTheSession();
    void attachmentLimitIsTheSetting();
    void reasonTransportCloseWhenTheSocketGoes();
    void reasonTransportCloseOnTheClientsClosePacket();
    void reasonForcedCloseWhenTheServerClosesTheSession();
    void reasonPingTimeout();
    void reasonServerShuttingDown();
    void destroyedEngineServerDisconnectsSockets();
    void socketIdsAreRandomAndDistinct();

private:
    std::unique_ptr<Stack> m_stack;
    // Opens a client and joins "/"; the CONNECT answer and the "welcome" event are taken.
    bool join(RawClient &client, const QByteArray &nsp = "/");
};

void TestSocketIo::init()
{
    m_stack = std::make_unique<Stack>();
    QVERIFY(m_stack->port() != 0);
}

void TestSocketIo::cleanup()
{
    m_stack.reset();
}

bool TestSocketIo::join(RawClient &client, const QByteArray &nsp)
{
    if (client.sid().isEmpty() && !client.open(m_stack->url()))
        return false;
    const QByteArray prefix = nsp == "/" ? QByteArray() : nsp + ",";
    client.send("0" + prefix);
    const QByteArray answer = client.nextPacket();
    if (!answer.startsWith(QByteArray("0" + prefix + "{\"sid\":")))
        return false;
    return client.nextPacket() == QByteArray("2" + prefix + "[\"welcome\",\"" + nsp + "\"]");
}

void TestSocketIo::connectsToTheMainNamespace()
{
    RawClient client;
    QVERIFY(client.open(m_stack->url()));
    client.send("0");
    const QByteArray answer = client.nextPacket();
    QVERIFY2(answer.startsWith('0'), answer.constData());
    const QJsonObject handshake = jsonOf(answer.mid(1)).toObject();
    QCOMPARE(handshake.keys(), QStringList{u"sid"_s});
    // Sent by the Connected function, after the answer.
    QCOMPARE(client.nextPacket(), R"(2["welcome","/"])");

    QCOMPARE(m_stack->sockets.size(), 1);
    SocketIoSocket *socket = m_stack->sockets.first();
    QVERIFY(socket);
    QCOMPARE(socket->id(), handshake.value("sid"_L1).toString());
    QCOMPARE(socket->nsp(), u"/"_s);
    QCOMPARE(socket->handshakeAuth(), QJsonObject());
    QVERIFY(socket->isConnected());
    QVERIFY(socket->engine());
    QCOMPARE(socket->engine()->id(), client.sid());
    QCOMPARE(m_stack->io().clientCount(), 1);
}

void TestSocketIo::connectCarriesTheAuthPayload()
{
    RawClient client;
    QVERIFY(client.open(m_stack->url()));
    client.send(R"(0/custom,{"token":"abc","n":[1,2]})");
    QVERIFY(client.nextPacket().startsWith("0/custom,{\"sid\":\""));
    QCOMPARE(m_stack->sockets.size(), 1);
    QCOMPARE(m_stack->sockets.first()->nsp(), u"/custom"_s);
    QCOMPARE(m_stack->sockets.first()->handshakeAuth(),
             (QJsonObject{{u"token"_s, u"abc"_s}, {u"n"_s, QJsonArray{1, 2}}}));
}

void TestSocketIo::joinsSeveralNamespacesOnOneSession()
{
    RawClient client;
    QVERIFY(join(client));
    QVERIFY(join(client, "/custom"));
    QCOMPARE(m_stack->sockets.size(), 2);
    QCOMPARE(m_stack->sockets.at(0)->engine(), m_stack->sockets.at(1)->engine());
    QVERIFY(m_stack->sockets.at(0)->id() != m_stack->sockets.at(1)->id());

    client.send(R"(2/custom,["echo","c"])");
    client.send(R"(2["echo","m"])");
    QCOMPARE(client.nextPacket(), R"(2/custom,["echo-back","c"])");
    QCOMPARE(client.nextPacket(), R"(2["echo-back","m"])");
}

void TestSocketIo::invalidNamespaceGetsConnectError()
{
    RawClient client;
    QVERIFY(client.open(m_stack->url()));
    client.send("0/nope,");
    QCOMPARE(client.nextPacket(), R"(4/nope,{"message":"Invalid namespace"})");
    QVERIFY(m_stack->sockets.isEmpty());
    // The session stays usable.
    QVERIFY(join(client));
}

void TestSocketIo::refusedConnectCarriesMessageAndData()
{
    RawClient client;
    QVERIFY(client.open(m_stack->url()));
    client.send(R"(0/private,{"token":"bad"})");
    const QByteArray refusal = client.nextPacket();
    QVERIFY2(refusal.startsWith("4/private,"), refusal.constData());
    QCOMPARE(jsonOf(refusal.mid(10)),
             QJsonValue(QJsonObject{{u"message"_s, u"not authorized"_s}, {u"data"_s, QJsonObject{{u"code"_s, 7}}}}));
    QVERIFY(m_stack->sockets.isEmpty());

    QCOMPARE(m_stack->requests.size(), 1);
    const SocketIoServer::ConnectRequest &request = m_stack->requests.first();
    QCOMPARE(request.nsp, u"/private"_s);
    QCOMPARE(request.auth, (QJsonObject{{u"token"_s, u"bad"_s}}));
    QCOMPARE(request.peerAddress, QHostAddress(QHostAddress::LocalHost).toString());
    QVERIFY(request.engine);
    QCOMPARE(request.engine->id(), client.sid());
}

void TestSocketIo::acceptedConnectUsesTheDecidedIdAndPid()
{
    RawClient client;
    QVERIFY(client.open(m_stack->url()));
    client.send(R"(0/private,{"token":"good"})");
    const QByteArray answer = client.nextPacket();
    QVERIFY2(answer.startsWith("0/private,"), answer.constData());
    QCOMPARE(jsonOf(answer.mid(10)), QJsonValue(QJsonObject{{u"sid"_s, u"fixed-id"_s}, {u"pid"_s, u"pid-1"_s}}));
    QCOMPARE(m_stack->sockets.size(), 1);
    QCOMPARE(m_stack->sockets.first()->id(), u"fixed-id"_s);
}

void TestSocketIo::authorizeThatClosesTheSessionIsSafe()
{
    RawClient client;
    QVERIFY(client.open(m_stack->url()));
    client.send("0/closer,");
    // Only Engine.IO's close packet: no CONNECT answer, no socket.
    const std::optional<RawClient::Message> message = client.next();
    QVERIFY(message);
    QCOMPARE(message->data, QByteArray("1"));
    QVERIFY(client.waitClosed());
    QVERIFY(m_stack->sockets.isEmpty());
    QTRY_COMPARE(m_stack->io().clientCount(), 0);
}

void TestSocketIo::secondConnectToTheSameNamespaceIsIgnored()
{
    RawClient client;
    QVERIFY(join(client));
    client.send("0");
    client.send(R"(2["echo",1])");
    QCOMPARE(client.nextPacket(), R"(2["echo-back",1])");
    QCOMPARE(m_stack->sockets.size(), 1);
}

void TestSocketIo::eventForAnUnjoinedNamespaceIsIgnored()
{
    RawClient client;
    QVERIFY(join(client));
    client.send(R"(2/custom,["echo","lost"])");
    client.send(R"(2/nowhere,["echo","lost"])");
    client.send("1/custom,");
    client.send(R"(2["echo","kept"])");
    QCOMPARE(client.nextPacket(), R"(2["echo-back","kept"])");
    QCOMPARE(m_stack->events.size(), 1);
    QCOMPARE(m_stack->events.first().nsp, u"/"_s);
    QVERIFY(!client.isClosed());
}

void TestSocketIo::clientAcksAndUnexpectedPacketsAreIgnored()
{
    RawClient client;
    QVERIFY(join(client));
    client.send("31[1]");
    client.send(R"(4{"message":"from a client"})");
    client.send(R"(61-2[{"_placeholder":true,"num":0}])");
    client.sendBinary("ack attachment");
    client.send(R"(2["echo","still here"])");
    QCOMPARE(client.nextPacket(), R"(2["echo-back","still here"])");
    QCOMPARE(m_stack->events.size(), 1);
    QVERIFY(m_stack->reasons.isEmpty());
}

void TestSocketIo::ackRoundTrip()
{
    RawClient client;
    QVERIFY(join(client));
    client.send(R"(212["ack",1,{"a":[true]}])");
    QCOMPARE(client.nextPacket(), R"(312[1,{"a":[true]}])");
    QCOMPARE(m_stack->events.size(), 1);
    QCOMPARE(m_stack->events.first().ackId, 12);
    QCOMPARE(m_stack->events.first().arguments, (QJsonArray{u"ack"_s, 1, QJsonObject{{u"a"_s, QJsonArray{true}}}}));

    client.send(R"(29007199254740991["ack"])");
    QCOMPARE(client.nextPacket(), "39007199254740991[]");

    // An event without an ack id reports -1.
    client.send(R"(2["echo"])");
    QCOMPARE(client.nextPacket(), R"(2["echo-back"])");
    QCOMPARE(m_stack->events.last().ackId, -1);
}

void TestSocketIo::ackRoundTripInCustomNamespace()
{
    RawClient client;
    QVERIFY(join(client, "/custom"));
    client.send(R"(2/custom,5["ack","x"])");
    QCOMPARE(client.nextPacket(), R"(3/custom,5["x"])");
    client.send(R"(2/custom,6["ack-text"])");
    QCOMPARE(client.nextPacket(), R"(3/custom,6["text"])");
    client.send(R"(2/custom,["event-text"])");
    QCOMPARE(client.nextPacket(), R"(2/custom,["fast",1])");
}

void TestSocketIo::fastPathsWriteTheGivenText()
{
    RawClient client;
    QVERIFY(join(client));
    client.send(R"(27["ack-text"])");
    QCOMPARE(client.nextPacket(), R"(37["text"])");
    client.send(R"(2["event-text"])");
    QCOMPARE(client.nextPacket(), R"(2["fast",1])");
}

void TestSocketIo::binaryAttachmentsBothWays()
{
    RawClient client;
    QVERIFY(join(client));
    const QByteArray first("\x00\x01\xff", 3);
    const QByteArray second(70000, 'z');
    client.send(R"(52-["echo",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])");
    client.sendBinary(first);
    client.sendBinary(second);

    QCOMPARE(client.nextPacket(),
             R"(52-["echo-back",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])");
    QCOMPARE(client.nextBinary(), first);
    QCOMPARE(client.nextBinary(), second);

    QCOMPARE(m_stack->events.size(), 1);
    QCOMPARE(m_stack->events.first().attachments, (QList<QByteArray>{first, second}));
    QCOMPARE(m_stack->events.first().arguments.at(1),
             QJsonValue(QJsonObject{{u"_placeholder"_s, true}, {u"num"_s, 0}}));
}

void TestSocketIo::binaryAckWithAttachments()
{
    RawClient client;
    QVERIFY(join(client, "/custom"));
    client.send(R"(51-/custom,3["ack",{"_placeholder":true,"num":0}])");
    client.sendBinary("payload");
    QCOMPARE(client.nextPacket(), R"(61-/custom,3[{"_placeholder":true,"num":0}])");
    QCOMPARE(client.nextBinary(), QByteArray("payload"));
}

void TestSocketIo::serverEventWithAckGetsTheClientsAck()
{
    RawClient client;
    QVERIFY(join(client));
    QVERIFY(join(client, "/custom"));
    client.send(R"(2["ask"])");
    QCOMPARE(client.nextPacket(), R"(20["question",1])");
    client.send(R"(2["ask"])");
    QCOMPARE(client.nextPacket(), R"(21["question",1])");
    client.send(R"(2/custom,["ask"])");
    QCOMPARE(client.nextPacket(), R"(2/custom,0["question",1])"); // ids are per socket

    // Ids never asked for, or asked for in another namespace, are ignored; the ACK of id 1 is reported.
    client.send(R"(37["never asked"])");
    client.send(R"(3["no id"])");
    client.send(R"(3/custom,1["not here"])");
    client.send(R"(31[{"answer":42},"x"])");
    client.send(R"(2["echo","sync"])");
    QCOMPARE(client.nextPacket(), R"(2["echo-back","sync"])");
    QCOMPARE(m_stack->acks.size(), 1);
    QCOMPARE(m_stack->acks.at(0).nsp, u"/"_s);
    QCOMPARE(m_stack->acks.at(0).ackId, 1);
    QCOMPARE(m_stack->acks.at(0).arguments, (QJsonArray{QJsonObject{{u"answer"_s, 42}}, u"x"_s}));

    // Each id once: a repeat is ignored. A BINARY_ACK brings its attachments.
    client.send("31[]");
    client.send(R"(61-0[{"_placeholder":true,"num":0}])");
    client.sendBinary("bytes");
    client.send("3/custom,0[]");
    client.send(R"(2["echo","sync"])");
    QCOMPARE(client.nextPacket(), R"(2["echo-back","sync"])");
    QCOMPARE(m_stack->acks.size(), 3);
    QCOMPARE(m_stack->acks.at(1).ackId, 0);
    QCOMPARE(m_stack->acks.at(1).arguments, (QJsonArray{QJsonObject{{u"_placeholder"_s, true}, {u"num"_s, 0}}}));
    QCOMPARE(m_stack->acks.at(1).attachments, QList<QByteArray>{"bytes"});
    QCOMPARE(m_stack->acks.at(2).nsp, u"/custom"_s);
    QCOMPARE(m_stack->acks.at(2).ackId, 0);
    QVERIFY(m_stack->reasons.isEmpty());
    QVERIFY(!client.isClosed());

    // A disconnected socket sends nothing and allocates no id.
    QPointer<SocketIoSocket> custom = m_stack->sockets.at(1);
    QVERIFY(custom && custom->nsp() == "/custom"_L1);
    custom->disconnect();
    QCOMPARE(custom->emitEventTextWithAck(R"(["late"])"), -1);
    QCOMPARE(client.nextPacket(), "1/custom,");
    client.send(R"(2["echo","sync"])");
    QCOMPARE(client.nextPacket(), R"(2["echo-back","sync"])");
}

void TestSocketIo::awaitedAcksAreBounded()
{
    RawClient client;
    QVERIFY(join(client));
    QPointer<SocketIoSocket> socket = m_stack->sockets.first();
    QVERIFY(socket);
    for (qsizetype i = 0; i <= SocketIoSocket::MaxAwaitedAcks; ++i)
        QCOMPARE(socket->emitEventTextWithAck(R"(["question"])"), qint64(i));
    // The oldest id was forgotten when one more than the bound was awaited; the next one is still awaited.
    client.send("30[]");
    client.send("31[]");
    client.send(QByteArray::number(3) + QByteArray::number(SocketIoSocket::MaxAwaitedAcks) + "[]");
    client.send(R"(2["sync"])");
    QTRY_COMPARE(m_stack->events.size(), 1);
    QCOMPARE(m_stack->acks.size(), 2);
    QCOMPARE(m_stack->acks.at(0).ackId, 1);
    QCOMPARE(m_stack->acks.at(1).ackId, SocketIoSocket::MaxAwaitedAcks);
}

void TestSocketIo::clientNamespaceDisconnectKeepsTheSession()
{
    RawClient client;
    QVERIFY(join(client));
    QVERIFY(join(client, "/custom"));
    QPointer<SocketIoSocket> custom = m_stack->sockets.at(1);
    client.send("1/custom,");
    QTRY_COMPARE(m_stack->reasons, QStringList{u"client namespace disconnect"_s});
    QTRY_VERIFY(!custom); // deleted after disconnected()

    client.send(R"(2["echo","main"])");
    QCOMPARE(client.nextPacket(), R"(2["echo-back","main"])");
    QVERIFY(join(client, "/custom"));
    QCOMPARE(m_stack->sockets.size(), 3);
}

void TestSocketIo::serverNamespaceDisconnect()
{
    RawClient client;
    QVERIFY(join(client));
    QPointer<SocketIoSocket> socket = m_stack->sockets.first();
    QSignalSpy disconnected(socket.data(), &SocketIoSocket::disconnected);
    socket->disconnect();
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.first().first().toString(), u"server namespace disconnect"_s);
    QVERIFY(!socket->isConnected());
    // Once disconnected, a socket sends nothing and disconnects only once.
    socket->emitEvent(QJsonArray{u"too late"_s});
    socket->emitEventText(R"(["too late"])");
    socket->sendAck(1, QJsonArray{});
    socket->sendAckText(1, "[]");
    socket->disconnect();
    QCOMPARE(disconnected.size(), 1);

    QCOMPARE(client.nextPacket(), "1");
    QTRY_VERIFY(!socket);
    // Events for the namespace left are ignored; joining again works.
    client.send(R"(2["echo"])");
    QVERIFY(join(client));
    QCOMPARE(m_stack->events.size(), 0);

    // The same through an event handler.
    client.send(R"(2["bye"])");
    QCOMPARE(client.nextPacket(), "1");
    QTRY_COMPARE(m_stack->reasons, (QStringList{u"server namespace disconnect"_s, u"server namespace disconnect"_s}));
    QVERIFY(!client.isClosed());
}

void TestSocketIo::connectTimeoutClosesAnIdleSession()
{
    SocketIoServer::Settings settings;
    settings.connectTimeoutMs = 200;
    Stack stack({}, settings);
    RawClient client;
    QElapsedTimer elapsed;
    elapsed.start();
    QVERIFY(client.open(stack.url()));
    const std::optional<RawClient::Message> message = client.next(3000);
    QVERIFY(message);
    QCOMPARE(message->data, QByteArray("1"));
    QVERIFY(client.waitClosed());
    QVERIFY(elapsed.elapsed() >= 150);
    QTRY_COMPARE(stack.io().clientCount(), 0);
}

void TestSocketIo::connectTimeoutSparesAJoinedClient()
{
    SocketIoServer::Settings settings;
    settings.connectTimeoutMs = 100;
    Stack stack({}, settings);
    RawClient client;
    QVERIFY(client.open(stack.url()));
    client.send("0");
    QVERIFY(client.nextPacket().startsWith("0{"));
    QTest::qWait(300);
    client.send(R"(2["echo"])");
    QCOMPARE(client.nextPacket(), R"(2["welcome","/"])");
    QCOMPARE(client.nextPacket(), R"(2["echo-back"])");
    QVERIFY(!client.isClosed());
}

void TestSocketIo::connectTimeoutClosesAClientThatLeftEveryNamespace()
{
    SocketIoServer::Settings settings;
    settings.connectTimeoutMs = 300;
    Stack stack({}, settings);
    RawClient client;
    QVERIFY(client.open(stack.url()));
    client.send("0");
    client.send("1");
    QVERIFY(client.nextPacket().startsWith("0{"));
    QCOMPARE(client.nextPacket(), R"(2["welcome","/"])");
    QCOMPARE(client.next(3000)->data, QByteArray("1"));
    QVERIFY(client.waitClosed());
    QCOMPARE(stack.reasons, QStringList{u"client namespace disconnect"_s});
}

void TestSocketIo::parseErrorClosesTheSession_data()
{
    QTest::addColumn<QList<QByteArray>>("frames"); // "b:" prefix = binary frame

    QTest::newRow("unknown packet type") << QList<QByteArray>{"abc"};
    QTest::newRow("event with object") << QList<QByteArray>{"2{}"};
    QTest::newRow("invalid ack id") << QList<QByteArray>{R"(2abc["echo"])"};
    QTest::newRow("reserved event name") << QList<QByteArray>{R"(2["disconnect"])"};
    QTest::newRow("truncated JSON") << QList<QByteArray>{R"(2["echo",)"};
    QTest::newRow("disconnect with payload") << QList<QByteArray>{"1{}"};
    QTest::newRow("empty message") << QList<QByteArray>{""};
    QTest::newRow("binary without packet") << QList<QByteArray>{"b:stray"};
    QTest::newRow("text while awaiting attachments")
        << QList<QByteArray>{R"(52-["echo",{"_placeholder":true,"num":0}])", "b:one", R"(2["echo"])"};
    QTest::newRow("placeholder past attachments") << QList<QByteArray>{R"(51-["echo",{"_placeholder":true,"num":3}])"};
    QTest::newRow("too many attachments") << QList<QByteArray>{R"(511-["echo"])"};
    QTest::newRow("namespace too long") << QList<QByteArray>{"0/" + QByteArray(300, 'x') + ","};
}

void TestSocketIo::parseErrorClosesTheSession()
{
    QFETCH(QList<QByteArray>, frames);

    RawClient client;
    QVERIFY(join(client));
    QVERIFY(join(client, "/custom"));
    for (const QByteArray &frame : std::as_const(frames)) {
        if (frame.startsWith("b:"))
            client.sendBinary(frame.mid(2));
        else
            client.send(frame);
    }
    QVERIFY(client.waitClosed());
    QTRY_COMPARE(m_stack->reasons, (QStringList{u"parse error"_s, u"parse error"_s}));
    QVERIFY(m_stack->events.isEmpty());
    QTRY_COMPARE(m_stack->io().clientCount(), 0);
}

void TestSocketIo::attachmentLimitIsTheSetting()
{
    SocketIoServer::Settings settings;
    settings.maxAttachments = 1;
    Stack stack({}, settings);
    RawClient client;
    QVERIFY(client.open(stack.url()));
    client.send(R"(51-["echo",{"_placeholder":true,"num":0}])");
    client.sendBinary("one");
    // Not joined: nothing comes back, but the packet was fine.
    client.send(R"(52-["echo",{"_placeholder":true,"num":0}])");
    QVERIFY(client.waitClosed());
}

void TestSocketIo::reasonTransportCloseWhenTheSocketGoes()
{
    RawClient client;
    QVERIFY(join(client));
    client.abort();
    QTRY_COMPARE(m_stack->reasons, QStringList{u"transport close"_s});
    QTRY_VERIFY(m_stack->sockets.first().isNull());
    QTRY_COMPARE(m_stack->io().clientCount(), 0);
}

void TestSocketIo::reasonTransportCloseOnTheClientsClosePacket()
{
    RawClient client;
    QVERIFY(join(client));
    QVERIFY(join(client, "/custom"));
    client.sendEngine("1");
    QTRY_COMPARE(m_stack->reasons, (QStringList{u"transport close"_s, u"transport close"_s}));
}

void TestSocketIo::reasonForcedCloseWhenTheServerClosesTheSession()
{
    RawClient client;
    QVERIFY(join(client));
    client.send(R"(2["kick"])");
    QCOMPARE(client.next()->data, QByteArray("1"));
    QVERIFY(client.waitClosed());
    QTRY_COMPARE(m_stack->reasons, QStringList{u"forced close"_s});
}

void TestSocketIo::reasonPingTimeout()
{
    EngineIoServer::Settings engineSettings;
    engineSettings.pingIntervalMs = 100;
    engineSettings.pingTimeoutMs = 100;
    Stack stack(engineSettings, {});
    RawClient client;
    client.setAnswerPings(false);
    QVERIFY(client.open(stack.url()));
    client.send("0");
    QVERIFY(client.nextPacket().startsWith("0{"));
    QTRY_COMPARE(stack.reasons, QStringList{u"ping timeout"_s});
}

void TestSocketIo::reasonServerShuttingDown()
{
    RawClient first;
    RawClient second;
    QVERIFY(join(first));
    QVERIFY(join(first, "/custom"));
    QVERIFY(join(second));
    m_stack->io().closeAll();
    QCOMPARE(m_stack->reasons,
             (QStringList{u"server shutting down"_s, u"server shutting down"_s, u"server shutting down"_s}));
    QCOMPARE(first.next()->data, QByteArray("1"));
    QCOMPARE(second.next()->data, QByteArray("1"));
    QVERIFY(first.waitClosed());
    QVERIFY(second.waitClosed());
    QTRY_COMPARE(m_stack->io().clientCount(), 0);
}

void TestSocketIo::destroyedEngineServerDisconnectsSockets()
{
    RawClient client;
    QVERIFY(join(client));
    m_stack->destroyEngine();
    QTRY_COMPARE(m_stack->reasons, QStringList{u"server shutting down"_s});
    QTRY_COMPARE(m_stack->io().clientCount(), 0);
}

void TestSocketIo::socketIdsAreRandomAndDistinct()
{
    RawClient first;
    RawClient second;
    QVERIFY(join(first));
    QVERIFY(join(second));
    QCOMPARE(m_stack->sockets.size(), 2);
    const QString a = m_stack->sockets.at(0)->id();
    const QString b = m_stack->sockets.at(1)->id();
    QVERIFY(a != b);
    QCOMPARE(a.size(), 20);
    QCOMPARE(b.size(), 20);
    static const QRegularExpression base64url(u"^[A-Za-z0-9_-]+$"_s);
    QVERIFY(base64url.match(a).hasMatch());
}

QTEST_GUILESS_MAIN(TestSocketIo)
#include "tst_socketio.moc"
