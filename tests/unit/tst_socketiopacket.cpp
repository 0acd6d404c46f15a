// The Socket.IO v5 codec: every packet shape the protocol has, and every malformed or hostile text a client can
// send, row by row. Decoding must never crash and never accept what socket.io-parser 4.2 refuses.

#include "transport/socketio/socketiopacket.h"

#include "protocol/codes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

using Type = SocketIoPacket::Type;

Q_DECLARE_METATYPE(wsinfra::SocketIoPacket)

namespace {

// Valid packets of every type, the seeds of the mutation test.
const QList<QByteArray> &seeds()
{
    static const QList<QByteArray> packets{
        "0",
        R"(0/custom,{"token":"abc"})",
        "1/custom,",
        R"(2["message",1,"2",{"3":[true]}])",
        R"(2/chat,42["a",[{"b":null}]])",
        R"(3456[1,"2",{"3":[false]}])",
        R"(4{"message":"Invalid namespace"})",
        R"(52-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
        R"(61-/x,789[{"_placeholder":true,"num":0}])",
    };
    return packets;
}

// "" stands for "no payload" (undefined); anything else is the JSON text of the expected value.
QJsonValue jsonOf(const QByteArray &text)
{
    if (text.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    const QJsonDocument document = QJsonDocument::fromJson("[" + text + "]");
    if (!document.isArray() || document.array().size() != 1)
        qFatal("test expectation is not one JSON value: %s", text.constData());
    return document.array().first();
}

QByteArray nested(int depth)
{
    return "2[\"deep\"," + QByteArray(depth, '[') + QByteArray(depth, ']') + "]";
}

SocketIoPacket packetOf(Type type, const QString &nsp, qint64 id, const QByteArray &data,
                        const QList<QByteArray> &attachments = {})
{
    SocketIoPacket packet;
    packet.type = type;
    packet.nsp = nsp;
    packet.id = id;
    packet.data = jsonOf(data);
    packet.attachments = attachments;
    return packet;
}

} // namespace

class TestSocketIoPacket : public QObject
{
    Q_OBJECT

private slots:
    void decodesValidPackets_data();
    void decodesValidPackets();
    void rejectsMalformedPackets_data();
    void rejectsMalformedPackets();
    void assemblesBinaryAttachments();
    void binaryAckKeepsIdAndNamespace();
    void textWhileAwaitingAttachmentsIsAnError();
    void binaryWithoutPendingPacketIsAnError();
    void surplusAttachmentIsAnError();
    void attachmentLimitIsConfigurable();
    void decoderRecoversAfterError();
    void encodesPackets_data();
    void encodesPackets();
    void encodedPacketsDecodeToTheSame_data();
    void encodedPacketsDecodeToTheSame();
    void encodesEventTextFastPath();
    void mutatedInputNeverBreaksTheDecoder();
};

void TestSocketIoPacket::decodesValidPackets_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("nsp");
    QTest::addColumn<qint64>("id");
    QTest::addColumn<QByteArray>("data");

    const auto row = [](const char *name, const QByteArray &text, Type type, const QString &nsp, qint64 id,
                        const QByteArray &data) { QTest::newRow(name) << text << int(type) << nsp << id << data; };
    row("connect main", "0", Type::Connect, u"/"_s, -1, "");
    row("connect main with auth", R"(0{"token":"123"})", Type::Connect, u"/"_s, -1, R"({"token":"123"})");
    row("connect custom with comma", "0/custom,", Type::Connect, u"/custom"_s, -1, "");
    row("connect custom without comma", "0/custom", Type::Connect, u"/custom"_s, -1, "");
    row("connect custom with auth", R"(0/custom,{"token":"abc"})", Type::Connect, u"/custom"_s, -1,
        R"({"token":"abc"})");
    row("connect nested auth", R"(0{"a":{"b":[1,2,{"c":null}]}})", Type::Connect, u"/"_s, -1,
        R"({"a":{"b":[1,2,{"c":null}]}})");
    row("connect empty object", "0{}", Type::Connect, u"/"_s, -1, "{}");
    row("disconnect main", "1", Type::Disconnect, u"/"_s, -1, "");
    row("disconnect custom", "1/custom,", Type::Disconnect, u"/custom"_s, -1, "");
    row("disconnect custom without comma", "1/custom", Type::Disconnect, u"/custom"_s, -1, "");
    row("event", R"(2["message",1,"2",{"3":[true]}])", Type::Event, u"/"_s, -1, R"(["message",1,"2",{"3":[true]}])");
    row("event name only", R"(2["hello"])", Type::Event, u"/"_s, -1, R"(["hello"])");
    row("event numeric name", R"(2[12,"x"])", Type::Event, u"/"_s, -1, R"([12,"x"])");
    row("event with ack id", R"(2456["message-with-ack",1])", Type::Event, u"/"_s, 456, R"(["message-with-ack",1])");
    row("event ack id leading zeros", R"(2007["a"])", Type::Event, u"/"_s, 7, R"(["a"])");
    row("event ack id zero", R"(20["a"])", Type::Event, u"/"_s, 0, R"(["a"])");
    row("event largest ack id", R"(29007199254740991["a"])", Type::Event, u"/"_s, 9007199254740991, R"(["a"])");
    row("event in namespace with id", R"(2/chat,42["a"])", Type::Event, u"/chat"_s, 42, R"(["a"])");
    row("event leading whitespace", "2 [\"a\"]", Type::Event, u"/"_s, -1, R"(["a"])");
    row("event unicode name", "2[\"h\xc3\xa9llo \xe2\x82\xac\"]", Type::Event, u"/"_s, -1,
        "[\"h\xc3\xa9llo \xe2\x82\xac\"]");
    row("event escaped name", R"(2["\u0063onnect_me"])", Type::Event, u"/"_s, -1, R"(["connect_me"])");
    row("event reserved name in other case", R"(2["Connect"])", Type::Event, u"/"_s, -1, R"(["Connect"])");
    row("event reserved name as argument", R"(2["x","disconnect"])", Type::Event, u"/"_s, -1, R"(["x","disconnect"])");
    row("event placeholder in plain event kept", R"(2["a",{"_placeholder":true,"num":5}])", Type::Event, u"/"_s, -1,
        R"(["a",{"_placeholder":true,"num":5}])");
    row("event unicode namespace", "2/\xc3\xa9,[\"a\"]", Type::Event, u"/\u00e9"_s, -1, R"(["a"])");
    row("event namespace of 256 bytes", "2/" + QByteArray(255, 'n') + ",[\"a\"]", Type::Event,
        u"/"_s + QString(255, u'n'), -1, R"(["a"])");
    row("event nested 63 deep", nested(63), Type::Event, u"/"_s, -1, nested(63).mid(1));
    row("ack", R"(3456[1,"2",{"3":[false]}])", Type::Ack, u"/"_s, 456, R"([1,"2",{"3":[false]}])");
    row("ack empty array", "31[]", Type::Ack, u"/"_s, 1, "[]");
    row("ack without id", R"(3["x"])", Type::Ack, u"/"_s, -1, R"(["x"])");
    row("ack in namespace", R"(3/custom,9[null])", Type::Ack, u"/custom"_s, 9, "[null]");
    row("connect error object", R"(4{"message":"Invalid namespace"})", Type::ConnectError, u"/"_s, -1,
        R"({"message":"Invalid namespace"})");
    row("connect error string", R"(4/random,"nope")", Type::ConnectError, u"/random"_s, -1, R"("nope")");
    row("connect error bare", "4", Type::ConnectError, u"/"_s, -1, "");
}

void TestSocketIoPacket::decodesValidPackets()
{
    QFETCH(QByteArray, text);
    QFETCH(int, type);
    QFETCH(QString, nsp);
    QFETCH(qint64, id);
    QFETCH(QByteArray, data);

    SocketIoDecoder decoder;
    const auto result = decoder.addText(text);
    QVERIFY2(result.ok(), qPrintable(result.error().message));
    QVERIFY(result->has_value());
    const SocketIoPacket &packet = **result;
    QCOMPARE(int(packet.type), type);
    QCOMPARE(packet.nsp, nsp);
    QCOMPARE(packet.id, id);
    QCOMPARE(packet.data, jsonOf(data));
    QVERIFY(packet.attachments.isEmpty());
    QVERIFY(!decoder.awaitingAttachments());
}

void TestSocketIoPacket::rejectsMalformedPackets_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("type 7") << QByteArray("7");
    QTest::newRow("type 9") << QByteArray("9[\"a\"]");
    QTest::newRow("type letter") << QByteArray("abc");
    QTest::newRow("type minus") << QByteArray("-1");
    QTest::newRow("type space") << QByteArray(" ");
    QTest::newRow("type NUL") << QByteArray("\0", 1);
    QTest::newRow("type high byte") << QByteArray("\xff[\"a\"]");
    QTest::newRow("connect with array") << QByteArray("0[]");
    QTest::newRow("connect with string") << QByteArray("0\"token\"");
    QTest::newRow("connect with null") << QByteArray("0null");
    QTest::newRow("connect with number after id") << QByteArray("01 2");
    QTest::newRow("connect truncated") << QByteArray("0{\"token\":");
    QTest::newRow("connect trailing garbage") << QByteArray("0{}x");
    QTest::newRow("connect two objects") << QByteArray("0{},{}");
    QTest::newRow("connect bracket injection") << QByteArray("0{}],[{}");
    QTest::newRow("disconnect with payload") << QByteArray("1{}");
    QTest::newRow("disconnect custom with payload") << QByteArray("1/custom,[\"x\"]");
    QTest::newRow("event without payload") << QByteArray("2");
    QTest::newRow("event id only") << QByteArray("21");
    QTest::newRow("event object payload") << QByteArray("2{}");
    QTest::newRow("event string payload") << QByteArray("2\"message\"");
    QTest::newRow("event number payload") << QByteArray("2 1");
    QTest::newRow("event null payload") << QByteArray("2null");
    QTest::newRow("event empty array") << QByteArray("2[]");
    QTest::newRow("event name true") << QByteArray("2[true]");
    QTest::newRow("event name null") << QByteArray("2[null]");
    QTest::newRow("event name object") << QByteArray("2[{}]");
    QTest::newRow("event name array") << QByteArray("2[[\"a\"]]");
    QTest::newRow("event reserved connect") << QByteArray("2[\"connect\"]");
    QTest::newRow("event reserved connect_error") << QByteArray("2[\"connect_error\",1]");
    QTest::newRow("event reserved disconnect") << QByteArray("2[\"disconnect\"]");
    QTest::newRow("event reserved disconnecting") << QByteArray("2[\"disconnecting\"]");
    QTest::newRow("event reserved newListener") << QByteArray("2[\"newListener\"]");
    QTest::newRow("event reserved removeListener") << QByteArray("2[\"removeListener\"]");
    QTest::newRow("event reserved escaped") << QByteArray(R"(2["\u0063onnect"])");
    QTest::newRow("event invalid ack id") << QByteArray(R"(2abc["message-with-ack",1,"2",{"3":[false]}])");
    QTest::newRow("event truncated") << QByteArray("2[\"message\"");
    QTest::newRow("event truncated after comma") << QByteArray("2[\"a\",");
    QTest::newRow("event truncated string") << QByteArray("2[\"mess");
    QTest::newRow("event trailing bracket") << QByteArray("2[\"a\"]]");
    QTest::newRow("event two arrays") << QByteArray("2[\"a\"],[\"b\"]");
    QTest::newRow("event trailing text") << QByteArray("2[\"a\"]x");
    QTest::newRow("event NUL after array") << QByteArray("2[\"a\"]\0", 7);
    QTest::newRow("event NUL inside array") << QByteArray("2[\"a\",\0]", 8);
    QTest::newRow("event invalid UTF-8 in string") << QByteArray("2[\"\xff\xfe\"]");
    QTest::newRow("event overlong UTF-8 in string") << QByteArray("2[\"\xc0\xaf\"]");
    QTest::newRow("event single quotes") << QByteArray("2['a']");
    QTest::newRow("event trailing comma") << QByteArray("2[\"a\",]");
    QTest::newRow("event nested 64 deep") << nested(64);
    QTest::newRow("event nested 2000 deep") << nested(2000);
    QTest::newRow("event nested objects 100 deep")
        << QByteArray("2[\"a\"," + QByteArray("{\"k\":").repeated(100) + "1" + QByteArray(100, '}') + "]");
    QTest::newRow("event namespace of 257 bytes") << QByteArray("2/" + QByteArray(256, 'n') + ",[\"a\"]");
    QTest::newRow("event huge namespace") << QByteArray("2/" + QByteArray(1 << 20, 'n'));
    QTest::newRow("event namespace invalid UTF-8") << QByteArray("2/\xff\xfe,[\"a\"]");
    QTest::newRow("event namespace without payload separator") << QByteArray("2/custom[\"a\"]");
    QTest::newRow("event ack id too large") << QByteArray("29007199254740992[\"a\"]");
    QTest::newRow("event ack id 17 digits") << QByteArray("212345678901234567[\"a\"]");
    QTest::newRow("event ack id 1000 digits") << QByteArray("2" + QByteArray(1000, '9') + "[\"a\"]");
    QTest::newRow("event ack id overflowing int64") << QByteArray("299999999999999999999[\"a\"]");
    QTest::newRow("ack without payload") << QByteArray("3456");
    QTest::newRow("ack object payload") << QByteArray("31{}");
    QTest::newRow("ack string payload") << QByteArray("31\"x\"");
    QTest::newRow("ack truncated") << QByteArray("31[1,");
    QTest::newRow("connect error array") << QByteArray("4[1]");
    QTest::newRow("connect error number") << QByteArray("4 1");
    QTest::newRow("connect error invalid JSON") << QByteArray("4abc");
    QTest::newRow("binary without count") << QByteArray("5[\"a\"]");
    QTest::newRow("binary empty count") << QByteArray("5-[\"a\"]");
    QTest::newRow("binary count without dash") << QByteArray("52[\"a\"]");
    QTest::newRow("binary count at end") << QByteArray("52");
    QTest::newRow("binary zero count") << QByteArray("50-[\"a\"]");
    QTest::newRow("binary count letter") << QByteArray("5a-[\"a\"]");
    QTest::newRow("binary negative count") << QByteArray("5-1-[\"a\"]");
    QTest::newRow("binary count over limit") << QByteArray("511-[\"a\"]");
    QTest::newRow("binary huge count") << QByteArray("5999999999999999999999-[\"a\"]");
    QTest::newRow("binary million digit count") << QByteArray("5" + QByteArray(1 << 20, '9') + "-[\"a\"]");
    QTest::newRow("binary event without payload") << QByteArray("51-");
    QTest::newRow("binary event object payload") << QByteArray("51-{}");
    QTest::newRow("binary event reserved name") << QByteArray(R"(51-["connect",{"_placeholder":true,"num":0}])");
    QTest::newRow("binary placeholder past attachments") << QByteArray(R"(51-["a",{"_placeholder":true,"num":1}])");
    QTest::newRow("binary placeholder negative") << QByteArray(R"(51-["a",{"_placeholder":true,"num":-1}])");
    QTest::newRow("binary placeholder fraction") << QByteArray(R"(52-["a",{"_placeholder":true,"num":0.5}])");
    QTest::newRow("binary placeholder string index") << QByteArray(R"(51-["a",{"_placeholder":true,"num":"0"}])");
    QTest::newRow("binary placeholder without index") << QByteArray(R"(51-["a",{"_placeholder":true}])");
    QTest::newRow("binary placeholder huge index") << QByteArray(R"(51-["a",{"_placeholder":true,"num":1e300}])");
    QTest::newRow("binary placeholder deep and wrong")
        << QByteArray(R"(51-["a",{"x":[[{"_placeholder":true,"num":3}]]}])");
    QTest::newRow("binary ack placeholder past attachments") << QByteArray(R"(61-789[{"_placeholder":true,"num":1}])");
    QTest::newRow("binary ack object payload") << QByteArray("61-1{}");
}

void TestSocketIoPacket::rejectsMalformedPackets()
{
    QFETCH(QByteArray, text);

    SocketIoDecoder decoder;
    const auto result = decoder.addText(text);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QString(ErrorCode::BadRequest));
    QVERIFY(!result.error().message.isEmpty());
    QVERIFY(!decoder.awaitingAttachments());
}

void TestSocketIoPacket::assemblesBinaryAttachments()
{
    SocketIoDecoder decoder;
    const auto first = decoder.addText(R"(52-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    QVERIFY2(first.ok(), qPrintable(first.error().message));
    QVERIFY(!first->has_value());
    QVERIFY(decoder.awaitingAttachments());
    QCOMPARE(decoder.missingAttachments(), 2);

    const auto second = decoder.addBinary(QByteArray("\x01\x02\x03", 3));
    QVERIFY(second.ok());
    QVERIFY(!second->has_value());
    QCOMPARE(decoder.missingAttachments(), 1);

    const auto third = decoder.addBinary(QByteArray("\x04\x00\x06", 3));
    QVERIFY(third.ok());
    QVERIFY(third->has_value());
    const SocketIoPacket &packet = **third;
    QCOMPARE(packet.type, Type::BinaryEvent);
    QCOMPARE(packet.nsp, u"/"_s);
    QCOMPARE(packet.id, -1);
    QCOMPARE(packet.data, jsonOf(R"(["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"));
    QCOMPARE(packet.attachments, (QList<QByteArray>{QByteArray("\x01\x02\x03", 3), QByteArray("\x04\x00\x06", 3)}));
    QVERIFY(!decoder.awaitingAttachments());
    QCOMPARE(decoder.missingAttachments(), 0);
}

void TestSocketIoPacket::binaryAckKeepsIdAndNamespace()
{
    SocketIoDecoder decoder;
    QVERIFY(decoder.addText(R"(61-/custom,789[{"_placeholder":true,"num":0}])").ok());
    const auto result = decoder.addBinary(QByteArray());
    QVERIFY(result.ok());
    QVERIFY(result->has_value());
    QCOMPARE((*result)->type, Type::BinaryAck);
    QCOMPARE((*result)->nsp, u"/custom"_s);
    QCOMPARE((*result)->id, 789);
    QCOMPARE((*result)->attachments, QList<QByteArray>{QByteArray()});
}

void TestSocketIoPacket::textWhileAwaitingAttachmentsIsAnError()
{
    SocketIoDecoder decoder;
    QVERIFY(decoder.addText(R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])").ok());
    QVERIFY(decoder.addBinary("one").ok());
    const auto result = decoder.addText(R"(2["b"])");
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QString(ErrorCode::BadRequest));
    QVERIFY(!decoder.awaitingAttachments());
}

void TestSocketIoPacket::binaryWithoutPendingPacketIsAnError()
{
    SocketIoDecoder decoder;
    const auto result = decoder.addBinary("stray");
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QString(ErrorCode::BadRequest));
}

void TestSocketIoPacket::surplusAttachmentIsAnError()
{
    SocketIoDecoder decoder;
    QVERIFY(decoder.addText(R"(51-["a",{"_placeholder":true,"num":0}])").ok());
    const auto complete = decoder.addBinary("x");
    QVERIFY(complete.ok() && complete->has_value());
    QVERIFY(!decoder.addBinary("surplus").ok());
}

void TestSocketIoPacket::attachmentLimitIsConfigurable()
{
    SocketIoDecoder two(2);
    QVERIFY(two.addText(R"(52-["a"])").ok());
    QVERIFY(two.awaitingAttachments());
    SocketIoDecoder stillTwo(2);
    QVERIFY(!stillTwo.addText(R"(53-["a"])").ok());

    // The default is socket.io-parser's: 10.
    SocketIoDecoder byDefault;
    QVERIFY(byDefault.addText(R"(510-["a"])").ok());
    QCOMPARE(byDefault.missingAttachments(), 10);
    SocketIoDecoder overDefault;
    QVERIFY(!overDefault.addText(R"(511-["a"])").ok());
}

void TestSocketIoPacket::decoderRecoversAfterError()
{
    SocketIoDecoder decoder;
    QVERIFY(!decoder.addText("2{}").ok());
    const auto result = decoder.addText(R"(2["after"])");
    QVERIFY(result.ok() && result->has_value());
    QCOMPARE((*result)->data, jsonOf(R"(["after"])"));
}

void TestSocketIoPacket::encodesPackets_data()
{
    QTest::addColumn<SocketIoPacket>("packet");
    QTest::addColumn<QList<QByteArray>>("messages");

    const QByteArray placeholders = R"({"_placeholder":true,"num":0},{"_placeholder":true,"num":1})";
    const QList<QByteArray> attachments{QByteArray("\x01\x02\x03", 3), QByteArray("\x04\x05\x06", 3)};

    QTest::newRow("connect answer") << packetOf(Type::Connect, u"/"_s, -1, R"({"sid":"abc"})")
                                    << QList<QByteArray>{R"(0{"sid":"abc"})"};
    QTest::newRow("connect answer custom")
        << packetOf(Type::Connect, u"/custom"_s, -1, R"({"sid":"x"})") << QList<QByteArray>{R"(0/custom,{"sid":"x"})"};
    QTest::newRow("connect without payload") << packetOf(Type::Connect, u"/"_s, -1, "") << QList<QByteArray>{"0"};
    QTest::newRow("connect ignores attachments")
        << packetOf(Type::Connect, u"/"_s, -1, "{}", attachments) << QList<QByteArray>{"0{}"};
    QTest::newRow("connect error") << packetOf(Type::ConnectError, u"/random"_s, -1,
                                               R"({"message":"Invalid namespace"})")
                                   << QList<QByteArray>{R"(4/random,{"message":"Invalid namespace"})"};
    QTest::newRow("connect error string")
        << packetOf(Type::ConnectError, u"/"_s, -1, R"("boom")") << QList<QByteArray>{R"(4"boom")"};
    QTest::newRow("disconnect") << packetOf(Type::Disconnect, u"/"_s, -1, "") << QList<QByteArray>{"1"};
    QTest::newRow("disconnect custom") << packetOf(Type::Disconnect, u"/custom"_s, -1, "")
                                       << QList<QByteArray>{"1/custom,"};
    QTest::newRow("event") << packetOf(Type::Event, u"/"_s, -1, R"(["message-back",1,"2",{"3":[true]}])")
                           << QList<QByteArray>{R"(2["message-back",1,"2",{"3":[true]}])"};
    QTest::newRow("event with id in namespace")
        << packetOf(Type::Event, u"/chat"_s, 12, R"(["a"])") << QList<QByteArray>{R"(2/chat,12["a"])"};
    QTest::newRow("event null data") << packetOf(Type::Event, u"/"_s, -1, "null") << QList<QByteArray>{"2"};
    QTest::newRow("event unicode") << packetOf(Type::Event, u"/\u00e9"_s, -1, "[\"\xe2\x82\xac\"]")
                                   << QList<QByteArray>{"2/\xc3\xa9,[\"\xe2\x82\xac\"]"};
    QTest::newRow("event escapes") << packetOf(Type::Event, u"/"_s, -1, R"(["a\"b\\c\n"])")
                                   << QList<QByteArray>{R"(2["a\"b\\c\n"])"};
    QTest::newRow("ack") << packetOf(Type::Ack, u"/"_s, 456, R"([1,"2",{"3":[false]}])")
                         << QList<QByteArray>{R"(3456[1,"2",{"3":[false]}])"};
    QTest::newRow("ack empty") << packetOf(Type::Ack, u"/custom"_s, 0, "[]") << QList<QByteArray>{"3/custom,0[]"};
    QTest::newRow("event with attachments")
        << packetOf(Type::Event, u"/"_s, -1, "[\"message-back\"," + placeholders + "]", attachments)
        << (QList<QByteArray>{"52-[\"message-back\"," + placeholders + "]"} + attachments);
    QTest::newRow("binary event typed") << packetOf(Type::BinaryEvent, u"/custom"_s, 3, "[\"x\"," + placeholders + "]",
                                                    attachments)
                                        << (QList<QByteArray>{"52-/custom,3[\"x\"," + placeholders + "]"} +
                                            attachments);
    QTest::newRow("ack with attachments") << packetOf(Type::Ack, u"/"_s, 789, "[" + placeholders + "]", attachments)
                                          << (QList<QByteArray>{"62-789[" + placeholders + "]"} + attachments);
    QTest::newRow("binary event without attachments")
        << packetOf(Type::BinaryEvent, u"/"_s, -1, R"(["a"])") << QList<QByteArray>{R"(2["a"])"};
    QTest::newRow("binary ack without attachments")
        << packetOf(Type::BinaryAck, u"/"_s, 5, R"([1])") << QList<QByteArray>{R"(35[1])"};
}

void TestSocketIoPacket::encodesPackets()
{
    QFETCH(SocketIoPacket, packet);
    QFETCH(QList<QByteArray>, messages);

    QCOMPARE(encodeSocketIoPacket(packet), messages);
}

void TestSocketIoPacket::encodedPacketsDecodeToTheSame_data()
{
    QTest::addColumn<SocketIoPacket>("packet");

    QTest::newRow("connect") << packetOf(Type::Connect, u"/custom"_s, -1, R"({"token":"t"})");
    QTest::newRow("disconnect") << packetOf(Type::Disconnect, u"/x"_s, -1, "");
    QTest::newRow("event") << packetOf(Type::Event, u"/"_s, 77, R"(["e",1.5,-2,"\u0000",{"k":[null,false]}])");
    QTest::newRow("ack") << packetOf(Type::Ack, u"/a"_s, 1, R"([])");
    QTest::newRow("binary event") << packetOf(Type::BinaryEvent, u"/bin"_s, 9,
                                              R"(["b",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}])",
                                              {QByteArray(70000, '\0'), QByteArray("\xff")});
    QTest::newRow("binary ack") << packetOf(Type::BinaryAck, u"/"_s, 0, R"([{"_placeholder":true,"num":0}])",
                                            {QByteArray()});
    QTest::newRow("connect error") << packetOf(Type::ConnectError, u"/"_s, -1, R"({"message":"m","data":[1]})");
}

void TestSocketIoPacket::encodedPacketsDecodeToTheSame()
{
    QFETCH(SocketIoPacket, packet);

    const QList<QByteArray> messages = encodeSocketIoPacket(packet);
    QCOMPARE(messages.size(), packet.attachments.size() + 1);
    SocketIoDecoder decoder;
    auto result = decoder.addText(messages.first());
    for (qsizetype i = 1; i < messages.size(); ++i) {
        QVERIFY(result.ok());
        QVERIFY(!result->has_value());
        result = decoder.addBinary(messages.at(i));
    }
    QVERIFY2(result.ok(), qPrintable(result.error().message));
    QVERIFY(result->has_value());
    const SocketIoPacket &decoded = **result;
    QCOMPARE(decoded.type, packet.type);
    QCOMPARE(decoded.nsp, packet.nsp);
    QCOMPARE(decoded.id, packet.id);
    QCOMPARE(decoded.data, packet.data);
    QCOMPARE(decoded.attachments, packet.attachments);
}

void TestSocketIoPacket::encodesEventTextFastPath()
{
    QCOMPARE(encodeEventText(R"(["bill_update",{"id":1},"17"])"), QByteArray(R"(2["bill_update",{"id":1},"17"])"));
    QCOMPARE(encodeAckText(17, R"(["ok"])"), QByteArray(R"(317["ok"])"));
    QCOMPARE(encodeAckText(0, "[]"), QByteArray("30[]"));
    QCOMPARE(encodeEventText(u"/custom"_s, R"(["a"])"), QByteArray(R"(2/custom,["a"])"));
    QCOMPARE(encodeEventText(u"/"_s, R"(["a"])"), QByteArray(R"(2["a"])"));
    QCOMPARE(encodeAckText(u"/custom"_s, 5, "[1]"), QByteArray("3/custom,5[1]"));
    QCOMPARE(encodeEventText(u"/"_s, 12, R"(["notification",{}])"), QByteArray(R"(212["notification",{}])"));
    QCOMPARE(encodeEventText(u"/custom"_s, 0, R"(["a"])"), QByteArray(R"(2/custom,0["a"])"));
    QCOMPARE(encodeEventText(u"/custom"_s, -1, R"(["a"])"), QByteArray(R"(2/custom,["a"])"));

    // What the fast path writes is what the decoder reads.
    SocketIoDecoder decoder;
    const auto result = decoder.addText(encodeEventText(u"/n"_s, R"(["x",[1,2]])"));
    QVERIFY(result.ok() && result->has_value());
    QCOMPARE((*result)->nsp, u"/n"_s);
    QCOMPARE((*result)->data, jsonOf(R"(["x",[1,2]])"));
    QCOMPARE((*result)->id, -1);
    const auto withAck = decoder.addText(encodeEventText(u"/n"_s, 9'007'199'254'740'991, R"(["x"])"));
    QVERIFY(withAck.ok() && withAck->has_value());
    QCOMPARE((*withAck)->type, SocketIoPacket::Type::Event);
    QCOMPARE((*withAck)->nsp, u"/n"_s);
    QCOMPARE((*withAck)->id, SocketIoLimits::MaxAckId);
    QCOMPARE((*withAck)->data, jsonOf(R"(["x"])"));
}

void TestSocketIoPacket::mutatedInputNeverBreaksTheDecoder()
{
    // Byte flips, truncations and insertions of protocol characters in valid packets, fed to one long-lived
    // decoder with binary messages in between: every answer is a packet, a wait or a bad_request, and the
    // decoder never holds more attachments than it may.
    QRandomGenerator random(20240607);
    static constexpr char protocolBytes[] = "0123456789-/,[]{}\":_placeholdernum\\\x00\xff\xc3";
    const QByteArray interesting(protocolBytes, sizeof(protocolBytes) - 1);
    SocketIoDecoder decoder;
    int decoded = 0;
    int failed = 0;
    for (int round = 0; round < 20000; ++round) {
        QByteArray text = seeds().at(random.bounded(int(seeds().size())));
        const int edits = 1 + random.bounded(4);
        for (int e = 0; e < edits && !text.isEmpty(); ++e) {
            const int at = random.bounded(int(text.size()));
            switch (random.bounded(4)) {
            case 0:
                text[at] = interesting.at(random.bounded(int(interesting.size())));
                break;
            case 1:
                text.truncate(at);
                break;
            case 2:
                text.insert(at, interesting.at(random.bounded(int(interesting.size()))));
                break;
            default:
                text[at] = char(random.bounded(256));
            }
        }
        const auto result = random.bounded(8) == 0 ? decoder.addBinary(text) : decoder.addText(text);
        if (!result.ok()) {
            QCOMPARE(result.error().code, QString(ErrorCode::BadRequest));
            ++failed;
        } else if (result->has_value()) {
            const SocketIoPacket &packet = **result;
            QVERIFY(packet.attachments.size() <= 10);
            QVERIFY(packet.nsp.startsWith(u'/'));
            QVERIFY(packet.id >= -1 && packet.id <= SocketIoLimits::MaxAckId);
            ++decoded;
        }
        QVERIFY(decoder.missingAttachments() >= 0 && decoder.missingAttachments() <= 10);
    }
    // Both outcomes happen: the mutations are neither all harmless nor all fatal.
    QVERIFY(decoded > 100);
    QVERIFY(failed > 100);
}

QTEST_GUILESS_MAIN(TestSocketIoPacket)
#include "tst_socketiopacket.moc"
