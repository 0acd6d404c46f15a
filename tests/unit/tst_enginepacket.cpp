// The Engine.IO v4 codec (EngineCodec, parseEngineRequest, engineErrorResponse) with every hostile input we
// could think of: it reads bytes straight from clients.

#include "transport/engineio/enginepacket.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

using Type = EnginePacket::Type;

EnginePacket text(Type type, const QByteArray &data = {})
{
    return EnginePacket{type, data, false};
}

EnginePacket binary(const QByteArray &data)
{
    return EnginePacket{Type::Message, data, true};
}

/// A readable form of packets for comparisons: "4:hello", "b:01020304".
QStringList describe(const QList<EnginePacket> &packets)
{
    QStringList out;
    for (const EnginePacket &packet : packets) {
        if (packet.binary)
            out.append(u"b:"_s + QString::fromLatin1(packet.data.toHex()));
        else
            out.append(QChar::fromLatin1(char(packet.type)) + u':' + QString::fromUtf8(packet.data));
    }
    return out;
}

HttpRequest requestWithQuery(const QByteArray &query)
{
    HttpRequest request;
    request.method = "GET";
    request.target = "/engine.io/?" + query;
    request.path = "/engine.io/";
    request.query = QUrlQuery(QString::fromLatin1(query));
    return request;
}

} // namespace

class TestEnginePacket : public QObject
{
    Q_OBJECT

private slots:
    void decodeText_data();
    void decodeText();
    void decodeBinaryKeepsAnyBytes();
    void decodePayload_data();
    void decodePayload();
    void decodePayloadKeepsBinaryBytes();
    void decodePayloadBoundsThePacketCount();
    void encodeText_data();
    void encodeText();
    void encodePayload();
    void payloadRoundTrip();
    void parseEngineRequest_data();
    void parseEngineRequest();
    void engineErrorResponse_data();
    void engineErrorResponse();
};

void TestEnginePacket::decodeText_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("data");

    const int message = int(Type::Message);
    QTest::newRow("open") << "0{\"sid\":\"x\"}"_ba << true << int(Type::Open) << "{\"sid\":\"x\"}"_ba;
    QTest::newRow("close") << "1"_ba << true << int(Type::Close) << QByteArray();
    QTest::newRow("ping") << "2"_ba << true << int(Type::Ping) << QByteArray();
    QTest::newRow("probe") << "2probe"_ba << true << int(Type::Ping) << "probe"_ba;
    QTest::newRow("pong") << "3"_ba << true << int(Type::Pong) << QByteArray();
    QTest::newRow("message") << "4hello"_ba << true << message << "hello"_ba;
    QTest::newRow("empty message") << "4"_ba << true << message << QByteArray();
    QTest::newRow("message of a digit") << "44"_ba << true << message << "4"_ba;
    QTest::newRow("message with separator") << "4a\x1e"_ba << true << message << "a\x1e"_ba;
    QTest::newRow("upgrade") << "5"_ba << true << int(Type::Upgrade) << QByteArray();
    QTest::newRow("noop") << "6"_ba << true << int(Type::Noop) << QByteArray();
    QTest::newRow("multi-byte UTF-8") << "4\xe2\x82\xac \xf0\x9f\x98\x80"_ba << true << message
                                      << "\xe2\x82\xac \xf0\x9f\x98\x80"_ba;
    QTest::newRow("embedded NUL") << QByteArray("4a\0b", 4) << true << message << QByteArray("a\0b", 3);
    QTest::newRow("huge message") << "4" + QByteArray(2 * 1024 * 1024, 'x') << true << message
                                  << QByteArray(2 * 1024 * 1024, 'x');

    QTest::newRow("empty") << QByteArray() << false << 0 << QByteArray();
    QTest::newRow("type 7") << "7"_ba << false << 0 << QByteArray();
    QTest::newRow("type 9") << "9hello"_ba << false << 0 << QByteArray();
    QTest::newRow("type below 0") << "/x"_ba << false << 0 << QByteArray();
    QTest::newRow("letter type") << "abc"_ba << false << 0 << QByteArray();
    QTest::newRow("binary marker is not text") << "bAQIDBA=="_ba << false << 0 << QByteArray();
    QTest::newRow("NUL type") << QByteArray("\0hello", 6) << false << 0 << QByteArray();
    QTest::newRow("leading space") << " 4x"_ba << false << 0 << QByteArray();
    QTest::newRow("separator only") << "\x1e"_ba << false << 0 << QByteArray();
    QTest::newRow("high byte type") << "\xff"_ba << false << 0 << QByteArray();
    QTest::newRow("invalid UTF-8") << "4\xff\xfe"_ba << false << 0 << QByteArray();
    QTest::newRow("overlong encoding") << "4\xc0\xaf"_ba << false << 0 << QByteArray();
    QTest::newRow("truncated sequence") << "4\xe2\x82"_ba << false << 0 << QByteArray();
    QTest::newRow("lone continuation byte") << "4a\x80z"_ba << false << 0 << QByteArray();
    QTest::newRow("UTF-16 surrogate") << "4\xed\xa0\x80"_ba << false << 0 << QByteArray();
    QTest::newRow("beyond U+10FFFF") << "4\xf4\x90\x80\x80"_ba << false << 0 << QByteArray();
}

void TestEnginePacket::decodeText()
{
    QFETCH(QByteArray, frame);
    QFETCH(bool, ok);
    QFETCH(int, type);
    QFETCH(QByteArray, data);

    const Result<EnginePacket> packet = EngineCodec::decodeText(frame);
    QCOMPARE(packet.ok(), ok);
    if (!ok) {
        QCOMPARE(packet.error().code, u"3"_s);
        QVERIFY(!packet.error().message.isEmpty());
        return;
    }
    QCOMPARE(int(packet->type), type);
    QCOMPARE(packet->data, data);
    QVERIFY(!packet->binary);
}

void TestEnginePacket::decodeBinaryKeepsAnyBytes()
{
    const QByteArray bytes("\xff\x00\x1e"
                           "4\xc0",
                           5);
    const EnginePacket packet = EngineCodec::decodeBinary(bytes);
    QCOMPARE(packet.type, Type::Message);
    QVERIFY(packet.binary);
    QCOMPARE(packet.data, bytes);
    QVERIFY(EngineCodec::decodeBinary({}).binary);
    QVERIFY(EngineCodec::decodeBinary({}).data.isEmpty());
}

void TestEnginePacket::decodePayload_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("maxPackets");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QStringList>("packets");

    QTest::newRow("one text packet") << "4hello"_ba << 10 << true << QStringList{u"4:hello"_s};
    QTest::newRow("several text packets") << "4test1\x1e"
                                             "4test2\x1e"
                                             "4test3"_ba
                                          << 10 << true << QStringList{u"4:test1"_s, u"4:test2"_s, u"4:test3"_s};
    QTest::newRow("text and binary") << "4hello\x1e"
                                        "bAQIDBA=="_ba
                                     << 10 << true << QStringList{u"4:hello"_s, u"b:01020304"_s};
    QTest::newRow("pong and close") << "3\x1e"
                                       "1"_ba
                                    << 10 << true << QStringList{u"3:"_s, u"1:"_s};
    QTest::newRow("empty binary") << "b"_ba << 10 << true << QStringList{u"b:"_s};
    QTest::newRow("unpadded base64") << "bAQIDBA"_ba << 10 << true << QStringList{u"b:01020304"_s};
    QTest::newRow("exactly maxPackets") << "6\x1e"
                                           "6\x1e"
                                           "6"_ba
                                        << 3 << true << QStringList{u"6:"_s, u"6:"_s, u"6:"_s};
    QTest::newRow("embedded NUL") << QByteArray("4a\0b", 4) << 10 << true
                                  << QStringList{QString::fromUtf8("4:a\0b", 5)};

    QTest::newRow("empty body") << QByteArray() << 10 << false << QStringList();
    QTest::newRow("separator only") << "\x1e"_ba << 10 << false << QStringList();
    QTest::newRow("trailing separator") << "4a\x1e"_ba << 10 << false << QStringList();
    QTest::newRow("leading separator") << "\x1e"
                                          "4a"_ba
                                       << 10 << false << QStringList();
    QTest::newRow("double separator") << "4a\x1e\x1e"
                                         "4b"_ba
                                      << 10 << false << QStringList();
    QTest::newRow("malformed first") << "abc"_ba << 10 << false << QStringList();
    QTest::newRow("malformed second") << "4a\x1exyz"_ba << 10 << false << QStringList();
    QTest::newRow("invalid UTF-8 element") << "4ok\x1e"
                                              "4\xff"_ba
                                           << 10 << false << QStringList();
    QTest::newRow("bad base64") << "b$$$"_ba << 10 << false << QStringList();
    QTest::newRow("base64 with space") << "bAQ IDBA=="_ba << 10 << false << QStringList();
    QTest::newRow("half padding") << "bAQIDBA="_ba << 10 << false << QStringList();
    QTest::newRow("padding inside") << "bAQ=D"_ba << 10 << false << QStringList();
    QTest::newRow("base64url alphabet") << "b-_-_"_ba << 10 << false << QStringList();
    QTest::newRow("base64 with NUL") << QByteArray("bAQ\0DBA==", 9) << 10 << false << QStringList();
    QTest::newRow("too many packets") << "6\x1e"
                                         "6\x1e"
                                         "6\x1e"
                                         "6"_ba
                                      << 3 << false << QStringList();
    QTest::newRow("no packets allowed") << "6"_ba << 0 << false << QStringList();
    QTest::newRow("negative maximum") << "6"_ba << -1 << false << QStringList();
    QByteArray flood;
    for (int i = 0; i < 200'000; ++i)
        flood += "6\x1e";
    flood += '6';
    QTest::newRow("huge packet count") << flood << 10'000 << false << QStringList();
}

void TestEnginePacket::decodePayload()
{
    QFETCH(QByteArray, body);
    QFETCH(int, maxPackets);
    QFETCH(bool, ok);
    QFETCH(QStringList, packets);

    const Result<QList<EnginePacket>> decoded = EngineCodec::decodePayload(body, maxPackets);
    QCOMPARE(decoded.ok(), ok);
    if (!ok) {
        QCOMPARE(decoded.error().code, u"3"_s);
        return;
    }
    QCOMPARE(describe(*decoded), packets);
}

void TestEnginePacket::decodePayloadKeepsBinaryBytes()
{
    QByteArray bytes;
    for (int value = 0; value < 256; ++value)
        bytes += char(value);
    const Result<QList<EnginePacket>> decoded = EngineCodec::decodePayload(QByteArray("b" + bytes.toBase64()), 1);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->size(), 1);
    QCOMPARE(decoded->first(), binary(bytes));
}

void TestEnginePacket::decodePayloadBoundsThePacketCount()
{
    // The limit stops the decoder at the first packet too many, it does not decode the rest first.
    QByteArray body = "4a\x1e"
                      "4b\x1e"
                      "4c\x1e"_ba;
    body += "not even a packet";
    QVERIFY(!EngineCodec::decodePayload(body, 2).ok());
    QCOMPARE(EngineCodec::decodePayload(body, 2).error().message, u"too many packets in one payload"_s);
}

void TestEnginePacket::encodeText_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<bool>("isBinary");
    QTest::addColumn<QByteArray>("encoded");

    QTest::newRow("open") << int(Type::Open) << "{}"_ba << false << "0{}"_ba;
    QTest::newRow("close") << int(Type::Close) << QByteArray() << false << "1"_ba;
    QTest::newRow("ping") << int(Type::Ping) << QByteArray() << false << "2"_ba;
    QTest::newRow("probe answer") << int(Type::Pong) << "probe"_ba << false << "3probe"_ba;
    QTest::newRow("message") << int(Type::Message) << "hello"_ba << false << "4hello"_ba;
    QTest::newRow("upgrade") << int(Type::Upgrade) << QByteArray() << false << "5"_ba;
    QTest::newRow("noop") << int(Type::Noop) << QByteArray() << false << "6"_ba;
    QTest::newRow("binary") << int(Type::Message) << "\x01\x02\x03\x04"_ba << true << "bAQIDBA=="_ba;
    QTest::newRow("empty binary") << int(Type::Message) << QByteArray() << true << "b"_ba;
}

void TestEnginePacket::encodeText()
{
    QFETCH(int, type);
    QFETCH(QByteArray, data);
    QFETCH(bool, isBinary);
    QFETCH(QByteArray, encoded);
    QCOMPARE(EngineCodec::encodeText(EnginePacket{Type(type), data, isBinary}), encoded);
}

void TestEnginePacket::encodePayload()
{
    QCOMPARE(EngineCodec::encodePayload({}), QByteArray());
    QCOMPARE(EngineCodec::encodePayload({text(Type::Ping)}), "2"_ba);
    QCOMPARE(EngineCodec::encodePayload({text(Type::Message, "hello"), binary("\x01\x02\x03\x04"), text(Type::Close)}),
             "4hello\x1e"
             "bAQIDBA==\x1e"
             "1"_ba);
}

void TestEnginePacket::payloadRoundTrip()
{
    // Random text and binary packets survive encodePayload + decodePayload unchanged.
    QRandomGenerator random(20240601);
    for (int round = 0; round < 200; ++round) {
        QList<EnginePacket> packets;
        const int count = random.bounded(1, 20);
        for (int i = 0; i < count; ++i) {
            QByteArray data(random.bounded(0, 64), Qt::Uninitialized);
            for (char &byte : data)
                byte = char(random.bounded(256));
            if (random.bounded(2) == 0) {
                packets.append(binary(data));
            } else {
                // Text data: printable ASCII without the separator.
                for (char &byte : data)
                    byte = char(0x20 + (uchar(byte) % 0x5f));
                packets.append(text(Type::Message, data));
            }
        }
        const Result<QList<EnginePacket>> decoded =
            EngineCodec::decodePayload(EngineCodec::encodePayload(packets), packets.size());
        QVERIFY(decoded.ok());
        QCOMPARE(*decoded, packets);
    }
}

void TestEnginePacket::parseEngineRequest_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("errorCode"); // empty: accepted
    QTest::addColumn<bool>("webSocket");
    QTest::addColumn<QString>("sid");

    QTest::newRow("polling handshake") << "EIO=4&transport=polling"_ba << QString() << false << QString();
    QTest::newRow("websocket handshake") << "EIO=4&transport=websocket"_ba << QString() << true << QString();
    QTest::newRow("polling with sid") << "EIO=4&transport=polling&sid=abc"_ba << QString() << false << u"abc"_s;
    QTest::newRow("order does not matter")
        << "sid=abc&transport=websocket&EIO=4&t=123"_ba << QString() << true << u"abc"_s;
    QTest::newRow("percent-encoded sid") << "EIO=4&transport=polling&sid=a%2Bb%2F"_ba << QString() << false
                                         << u"a+b/"_s;
    QTest::newRow("empty sid is a handshake") << "EIO=4&transport=polling&sid="_ba << QString() << false << QString();
    QTest::newRow("long sid") << "EIO=4&transport=polling&sid=" + QByteArray(4000, 'x') << QString() << false
                              << QString(4000, u'x');

    QTest::newRow("no query") << QByteArray() << u"0"_s << false << QString();
    QTest::newRow("no transport") << "EIO=4"_ba << u"0"_s << false << QString();
    QTest::newRow("unknown transport") << "EIO=4&transport=abc"_ba << u"0"_s << false << QString();
    QTest::newRow("transport is case-sensitive") << "EIO=4&transport=POLLING"_ba << u"0"_s << false << QString();
    QTest::newRow("transport with NUL") << "EIO=4&transport=polling%00"_ba << u"0"_s << false << QString();
    QTest::newRow("no EIO") << "transport=polling"_ba << u"5"_s << false << QString();
    QTest::newRow("EIO=3") << "EIO=3&transport=polling"_ba << u"5"_s << false << QString();
    QTest::newRow("EIO=abc") << "EIO=abc&transport=polling"_ba << u"5"_s << false << QString();
    QTest::newRow("EIO=04") << "EIO=04&transport=polling"_ba << u"5"_s << false << QString();
    QTest::newRow("EIO=4 with a space") << "EIO=4%20&transport=polling"_ba << u"5"_s << false << QString();
    QTest::newRow("first EIO counts") << "EIO=3&EIO=4&transport=polling"_ba << u"5"_s << false << QString();
    QTest::newRow("huge EIO") << "EIO=" + QByteArray(10000, '4') + "&transport=polling" << u"5"_s << false << QString();
}

void TestEnginePacket::parseEngineRequest()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, errorCode);
    QFETCH(bool, webSocket);
    QFETCH(QString, sid);

    const Result<EngineRequest> parsed = wsinfra::parseEngineRequest(requestWithQuery(query));
    if (!errorCode.isEmpty()) {
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, errorCode);
        QCOMPARE(parsed.error().message, engineErrorMessage(errorCode.toInt()));
        return;
    }
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QCOMPARE(parsed->transport == EngineRequest::Transport::WebSocket, webSocket);
    QCOMPARE(parsed->sid, sid);
}

void TestEnginePacket::engineErrorResponse_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("bodyCode");
    QTest::addColumn<QString>("message");

    QTest::newRow("0") << 0 << 400 << 0 << u"Transport unknown"_s;
    QTest::newRow("1") << 1 << 400 << 1 << u"Session ID unknown"_s;
    QTest::newRow("2") << 2 << 400 << 2 << u"Bad handshake method"_s;
    QTest::newRow("3") << 3 << 400 << 3 << u"Bad request"_s;
    QTest::newRow("4") << 4 << 403 << 4 << u"Forbidden"_s;
    QTest::newRow("5") << 5 << 400 << 5 << u"Unsupported protocol version"_s;
    QTest::newRow("unknown code") << 42 << 400 << 3 << u"Bad request"_s;
    QTest::newRow("negative code") << -1 << 400 << 3 << u"Bad request"_s;
}

void TestEnginePacket::engineErrorResponse()
{
    QFETCH(int, code);
    QFETCH(int, status);
    QFETCH(int, bodyCode);
    QFETCH(QString, message);

    const HttpResponse response = wsinfra::engineErrorResponse(code);
    QCOMPARE(response.status, status);
    QCOMPARE(response.contentType, "application/json"_ba);
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(body.size(), 2);
    QCOMPARE(body.value(u"code"_s).toInt(-1), bodyCode);
    QCOMPARE(body.value(u"message"_s).toString(), message);
}

QTEST_GUILESS_MAIN(TestEnginePacket)
#include "tst_enginepacket.moc"
