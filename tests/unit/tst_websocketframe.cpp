#include "transport/websocket/websocketframe.h"

#include "util/utf8.h"

#include <QRandomGenerator>
#include <QtEndian>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;
using namespace wsinfra;

using OpCode = WebSocketFrame::OpCode;
using Event = WebSocketFrameParser::Event;
using Kind = Event::Kind;

namespace {

constexpr qint64 DefaultMax = 1024 * 1024;
constexpr quint8 Fin = 0x80;

enum class LengthForm { Minimal, Bits16, Bits64 };

// The mask key of the example in RFC 6455 5.7.
constexpr uchar MaskKey[4] = {0x37, 0xFA, 0x21, 0x3D};

// A client frame header: `first` is FIN/RSV/opcode as sent, `length` the claimed payload length.
QByteArray clientHeader(quint8 first, quint64 length, LengthForm form = LengthForm::Minimal, bool masked = true)
{
    QByteArray header;
    header.append(char(first));
    const uchar maskBit = masked ? 0x80 : 0x00;
    if (form == LengthForm::Minimal && length <= 125) {
        header.append(char(maskBit | uchar(length)));
    } else if (form != LengthForm::Bits64 && length <= 0xFFFF) {
        header.append(char(maskBit | 126));
        uchar bytes[2];
        qToBigEndian(quint16(length), bytes);
        header.append(reinterpret_cast<const char *>(bytes), 2);
    } else {
        header.append(char(maskBit | 127));
        uchar bytes[8];
        qToBigEndian(length, bytes);
        header.append(reinterpret_cast<const char *>(bytes), 8);
    }
    if (masked)
        header.append(reinterpret_cast<const char *>(MaskKey), 4);
    return header;
}

QByteArray clientFrame(quint8 first, QByteArrayView payload, LengthForm form = LengthForm::Minimal, bool masked = true)
{
    QByteArray frame = clientHeader(first, quint64(payload.size()), form, masked);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(masked ? char(uchar(payload[i]) ^ MaskKey[i % 4]) : payload[i]);
    return frame;
}

QByteArray frame(OpCode opCode, const QByteArray &payload, bool final = true)
{
    return clientFrame(quint8((final ? Fin : 0) | quint8(opCode)), payload);
}

QByteArray closeFrame(int code, const QByteArray &reason)
{
    QByteArray payload;
    payload.append(char(code >> 8)).append(char(code & 0xFF)).append(reason);
    return frame(OpCode::Close, payload);
}

// Bytes that are all 256 values, so that unmasking errors show.
QByteArray binaryPayload(qsizetype size)
{
    QByteArray payload(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        payload[i] = char((i * 7 + i / 256) & 0xFF);
    return payload;
}

QString describe(const Event &event)
{
    static const char *const names[] = {"Text", "Binary", "Ping", "Pong", "Close", "Error"};
    return QString::fromLatin1(names[int(event.kind)]) + u' ' + QString::fromLatin1(event.payload.toHex()) + u' ' +
           QString::number(event.closeCode) + u' ' + event.reason;
}

QStringList describe(const QList<Event> &events)
{
    QStringList result;
    for (const Event &event : events)
        result.append(describe(event));
    return result;
}

QStringList feedInPieces(const QByteArray &stream, const QList<qsizetype> &cuts, qint64 max = DefaultMax)
{
    WebSocketFrameParser parser(max);
    QList<Event> events;
    qsizetype start = 0;
    for (const qsizetype cut : cuts) {
        parser.feed(QByteArrayView(stream).sliced(start, cut - start), events);
        start = cut;
    }
    parser.feed(QByteArrayView(stream).sliced(start), events);
    return describe(events);
}

QStringList feedByteByByte(const QByteArray &stream, qint64 max = DefaultMax)
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < stream.size(); ++i)
        cuts.append(i);
    return feedInPieces(stream, cuts, max);
}

} // namespace

class TestWebSocketFrame : public QObject
{
    Q_OBJECT

private slots:
    void encoderHeader_data();
    void encoderHeader();
    void encoderExactBytes();
    void closePayload_data();
    void closePayload();
    void validCloseCodes_data();
    void validCloseCodes();

    void parsesMaskedFrames_data();
    void parsesMaskedFrames();
    void parsesTheRfcExample();
    void splitsGiveTheSameEvents();
    void fragmentedTextAcrossFeeds();
    void fragmentedBinaryWithZeroLengthFragments();
    void acceptedCloseFrames_data();
    void acceptedCloseFrames();
    void rejects_data();
    void rejects();
    void claimedLengthIsNotAllocated();
    void maxMessageBytesAppliesToTheNextFrame();
};

void TestWebSocketFrame::encoderHeader_data()
{
    QTest::addColumn<qsizetype>("length");
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("0") << qsizetype(0) << QByteArray::fromHex("8200");
    QTest::newRow("125") << qsizetype(125) << QByteArray::fromHex("827d");
    QTest::newRow("126") << qsizetype(126) << QByteArray::fromHex("827e007e");
    QTest::newRow("65535") << qsizetype(65535) << QByteArray::fromHex("827effff");
    QTest::newRow("65536") << qsizetype(65536) << QByteArray::fromHex("827f0000000000010000");
    QTest::newRow("1 MiB + 3") << qsizetype(1024 * 1024 + 3) << QByteArray::fromHex("827f0000000000100003");
}

void TestWebSocketFrame::encoderHeader()
{
    QFETCH(qsizetype, length);
    QFETCH(QByteArray, header);
    QCOMPARE(WebSocketFrame::headerSize(length), header.size());

    const QByteArray payload = binaryPayload(length);
    const QByteArray encoded = WebSocketFrame::encode(OpCode::Binary, payload);
    QCOMPARE(encoded.size(), header.size() + length);
    QCOMPARE(encoded.first(header.size()), header);
    QVERIFY(encoded.sliced(header.size()) == payload);
    // One exact allocation: the frame is shared by every recipient of a publish.
    QCOMPARE(encoded.capacity(), encoded.size());

    QByteArray appended = "prefix"_ba;
    WebSocketFrame::append(appended, OpCode::Binary, payload);
    QCOMPARE(appended, "prefix"_ba + encoded);
}

void TestWebSocketFrame::encoderExactBytes()
{
    // RFC 6455 5.7: a single-frame unmasked text message and an unmasked ping.
    QCOMPARE(WebSocketFrame::encode(OpCode::Text, "Hello"), QByteArray::fromHex("810548656c6c6f"));
    QCOMPARE(WebSocketFrame::encode(OpCode::Ping, "Hello"), QByteArray::fromHex("890548656c6c6f"));
    QCOMPARE(WebSocketFrame::encode(OpCode::Pong, {}), QByteArray::fromHex("8a00"));
    QCOMPARE(WebSocketFrame::encode(OpCode::Close, WebSocketFrame::closePayload(1000, u"bye")),
             QByteArray::fromHex("880503e8627965"));

    QByteArray out;
    WebSocketFrame::append(out, OpCode::Text, "a");
    WebSocketFrame::append(out, OpCode::Text, "");
    QCOMPARE(out, QByteArray::fromHex("8101618100"));
}

void TestWebSocketFrame::closePayload_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("reasonBytes"); // how many bytes of the reason's UTF-8 are kept

    QTest::newRow("code only") << 1000 << QString() << 0;
    QTest::newRow("ascii") << 1001 << u"going away"_s << 10;
    QTest::newRow("123 ascii fit") << 4000 << QString(123, u'a') << 123;
    QTest::newRow("200 ascii cut") << 4000 << QString(200, u'a') << 123;
    QTest::newRow("2-byte chars: 140 bytes cut to 122") << 3000 << QString(70, QChar(0xE4)) << 122;
    QTest::newRow("3-byte chars: 123 bytes fit") << 1011 << QString(41, QChar(0x20AC)) << 123;
    QTest::newRow("3-byte chars: 150 bytes cut to 123") << 1011 << QString(50, QChar(0x20AC)) << 123;
    QTest::newRow("1 + 3-byte chars cut to 121") << 1011 << (u"a"_s + QString(50, QChar(0x20AC))) << 121;
    QTest::newRow("4-byte chars cut to 120") << 1008 << QString(u"😀"_s).repeated(40) << 120;
    QTest::newRow("122 ascii then a 4-byte char") << 1000 << (QString(122, u'a') + u"😀"_s) << 122;
    QTest::newRow("121 ascii then a 2-byte char") << 1000 << (QString(121, u'a') + QChar(0xE4) + u"b"_s) << 123;
    QTest::newRow("122 ascii then a 2-byte char") << 1000 << (QString(122, u'a') + QChar(0xE4)) << 122;
}

void TestWebSocketFrame::closePayload()
{
    QFETCH(int, code);
    QFETCH(QString, reason);
    QFETCH(int, reasonBytes);

    const QByteArray payload = WebSocketFrame::closePayload(code, reason);
    QCOMPARE(payload.size(), 2 + reasonBytes);
    QVERIFY(payload.size() <= 125);
    QCOMPARE(qFromBigEndian<quint16>(payload.constData()), quint16(code));
    const QByteArray kept = payload.sliced(2);
    QCOMPARE(kept, reason.toUtf8().first(reasonBytes));
    QVERIFY(isValidUtf8(kept));

    QVERIFY(WebSocketFrame::closePayload(0, reason).isEmpty());
}

void TestWebSocketFrame::validCloseCodes_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("valid");
    const QList<int> valid = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4000, 4999};
    const QList<int> invalid = {0, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2000, 2999, 5000, 65535, -1};
    for (int code : valid)
        QTest::addRow("%d", code) << code << true;
    for (int code : invalid)
        QTest::addRow("%d", code) << code << false;
}

void TestWebSocketFrame::validCloseCodes()
{
    QFETCH(int, code);
    QFETCH(bool, valid);
    QCOMPARE(WebSocketFrame::isValidCloseCode(code), valid);
}

void TestWebSocketFrame::parsesMaskedFrames_data()
{
    QTest::addColumn<quint8>("opCode");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("form");
    QTest::addColumn<int>("kind");

    const auto text = [](qsizetype size) { return QByteArray(size, 'x'); };
    const int minimal = int(LengthForm::Minimal);
    QTest::newRow("empty text") << quint8(0x1) << QByteArray() << minimal << int(Kind::Text);
    QTest::newRow("text 1") << quint8(0x1) << text(1) << minimal << int(Kind::Text);
    QTest::newRow("text 125") << quint8(0x1) << text(125) << minimal << int(Kind::Text);
    QTest::newRow("text 126 (16-bit)") << quint8(0x1) << text(126) << minimal << int(Kind::Text);
    QTest::newRow("text utf-8") << quint8(0x1) << u"Grüße, 法案 😀"_s.toUtf8() << minimal << int(Kind::Text);
    QTest::newRow("binary 1") << quint8(0x2) << binaryPayload(1) << minimal << int(Kind::Binary);
    QTest::newRow("binary 65535") << quint8(0x2) << binaryPayload(65535) << minimal << int(Kind::Binary);
    QTest::newRow("binary 65536 (64-bit)") << quint8(0x2) << binaryPayload(65536) << minimal << int(Kind::Binary);
    QTest::newRow("binary 300001") << quint8(0x2) << binaryPayload(300001) << minimal << int(Kind::Binary);
    QTest::newRow("empty ping") << quint8(0x9) << QByteArray() << minimal << int(Kind::Ping);
    QTest::newRow("ping 125") << quint8(0x9) << binaryPayload(125) << minimal << int(Kind::Ping);
    QTest::newRow("pong 7") << quint8(0xA) << binaryPayload(7) << minimal << int(Kind::Pong);
    // Non-minimal length encodings: RFC 6455 does not forbid them.
    QTest::newRow("text 5 in 16 bits") << quint8(0x1) << text(5) << int(LengthForm::Bits16) << int(Kind::Text);
    QTest::newRow("text 5 in 64 bits") << quint8(0x1) << text(5) << int(LengthForm::Bits64) << int(Kind::Text);
    QTest::newRow("binary 300 in 64 bits")
        << quint8(0x2) << binaryPayload(300) << int(LengthForm::Bits64) << int(Kind::Binary);
    QTest::newRow("ping 3 in 16 bits") << quint8(0x9) << text(3) << int(LengthForm::Bits16) << int(Kind::Ping);
}

void TestWebSocketFrame::parsesMaskedFrames()
{
    QFETCH(quint8, opCode);
    QFETCH(QByteArray, payload);
    QFETCH(int, form);
    QFETCH(int, kind);

    const QByteArray bytes = clientFrame(Fin | opCode, payload, LengthForm(form));
    WebSocketFrameParser parser(DefaultMax);
    QList<Event> events;
    parser.feed(bytes, events);
    QCOMPARE(events.size(), 1);
    QCOMPARE(int(events[0].kind), kind);
    QVERIFY(events[0].payload == payload);
    QCOMPARE(parser.bufferedBytes(), 0);
    QVERIFY(!parser.hasFailed());

    // The same in two pieces: the payload is held until the frame is complete.
    WebSocketFrameParser split(DefaultMax);
    QList<Event> splitEvents;
    split.feed(QByteArrayView(bytes).first(bytes.size() - 1), splitEvents);
    QVERIFY(splitEvents.isEmpty());
    // What has arrived: the payload so far, or of an empty frame the header without its last byte.
    QCOMPARE(split.bufferedBytes(), payload.isEmpty() ? bytes.size() - 1 : payload.size() - 1);
    split.feed(QByteArrayView(bytes).last(1), splitEvents);
    QCOMPARE(describe(splitEvents), describe(events));
}

void TestWebSocketFrame::parsesTheRfcExample()
{
    // RFC 6455 5.7: "A single-frame masked text message".
    WebSocketFrameParser parser(DefaultMax);
    QList<Event> events;
    parser.feed(QByteArray::fromHex("818537fa213d7f9f4d5158"), events);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].kind, Kind::Text);
    QCOMPARE(events[0].payload, "Hello"_ba);
}

void TestWebSocketFrame::splitsGiveTheSameEvents()
{
    const QByteArray euro = u"€"_s.toUtf8();
    QByteArray stream;
    stream += frame(OpCode::Text, "Hello");
    stream += frame(OpCode::Binary, binaryPayload(70'000));
    stream += frame(OpCode::Text, "Grüße "_ba + euro.first(1), false); // a character split over fragments
    stream += frame(OpCode::Ping, "p1");
    stream += frame(OpCode::Continuation, euro.sliced(1), false);
    stream += frame(OpCode::Pong, "");
    stream += frame(OpCode::Continuation, " done");
    stream += frame(OpCode::Text, "");
    stream += frame(OpCode::Binary, binaryPayload(126));
    stream += closeFrame(1000, "bye");

    const QStringList expected = {
        u"Text 48656c6c6f 0 "_s,
        describe(Event{Kind::Binary, binaryPayload(70'000), 0, {}}),
        u"Ping 7031 0 "_s,
        u"Pong  0 "_s,
        describe(Event{Kind::Text, "Grüße "_ba + euro + " done", 0, {}}),
        u"Text  0 "_s,
        describe(Event{Kind::Binary, binaryPayload(126), 0, {}}),
        u"Close  1000 bye"_s,
    };
    QCOMPARE(feedInPieces(stream, {}), expected);
    QCOMPARE(feedByteByByte(stream), expected);

    QRandomGenerator random(20240605);
    for (int round = 0; round < 50; ++round) {
        QList<qsizetype> cuts;
        qsizetype position = 0;
        // Pieces from one byte to a few kilobytes, so that both headers and payloads get cut.
        while (true) {
            position += 1 + random.bounded(round % 2 ? 16 : 4096);
            if (position >= stream.size())
                break;
            cuts.append(position);
        }
        QCOMPARE(feedInPieces(stream, cuts), expected);
    }
}

void TestWebSocketFrame::fragmentedTextAcrossFeeds()
{
    WebSocketFrameParser parser(DefaultMax);
    QList<Event> events;
    const QByteArray ping = frame(OpCode::Ping, "are you there");

    parser.feed(QByteArray(frame(OpCode::Text, "Hel", false) + ping.first(3)), events);
    QVERIFY(events.isEmpty());
    QCOMPARE(parser.bufferedBytes(), 3 + 3); // the first fragment and part of the ping's header

    // The ping between fragments is answered at once, not after the message.
    parser.feed(QByteArray(ping.sliced(3) + frame(OpCode::Continuation, "lo \xE2\x82", false)), events);
    QCOMPARE(describe(events), QStringList{describe(Event{Kind::Ping, "are you there", 0, {}})});
    QCOMPARE(parser.bufferedBytes(), 8);

    const QByteArray last = frame(OpCode::Continuation, "\xAC!");
    parser.feed(last.first(4), events);
    QCOMPARE(events.size(), 1);
    parser.feed(last.sliced(4), events);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[1].kind, Kind::Text);
    QCOMPARE(QString::fromUtf8(events[1].payload), u"Hello €!"_s);
    QCOMPARE(parser.bufferedBytes(), 0);

    // The message is over: a new one may start.
    parser.feed(frame(OpCode::Text, "next"), events);
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[2].payload, "next"_ba);
}

void TestWebSocketFrame::fragmentedBinaryWithZeroLengthFragments()
{
    WebSocketFrameParser parser(DefaultMax);
    QList<Event> events;
    parser.feed(QByteArray(frame(OpCode::Binary, "", false) + frame(OpCode::Continuation, "", false) +
                           frame(OpCode::Continuation, "\x00\x01"_ba, false) + frame(OpCode::Continuation, "")),
                events);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].kind, Kind::Binary);
    QCOMPARE(events[0].payload, "\x00\x01"_ba);

    parser.feed(QByteArray(frame(OpCode::Text, "", false) + frame(OpCode::Continuation, "")), events);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[1].kind, Kind::Text);
    QVERIFY(events[1].payload.isEmpty());
}

void TestWebSocketFrame::acceptedCloseFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");

    QTest::newRow("no status") << frame(OpCode::Close, "") << 1005 << QString();
    QTest::newRow("1000 bye €") << closeFrame(1000, u"bye €"_s.toUtf8()) << 1000 << u"bye €"_s;
    QTest::newRow("123-byte reason") << closeFrame(1001, QByteArray(123, 'r')) << 1001 << QString(123, u'r');
    const QList<int> codes = {1003, 1007, 1011, 1012, 1014, 3000, 4999};
    for (int code : codes)
        QTest::addRow("%d", code) << closeFrame(code, "") << code << QString();
}

void TestWebSocketFrame::acceptedCloseFrames()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    QFETCH(QString, reason);

    WebSocketFrameParser parser(DefaultMax);
    QList<Event> events;
    // A close frame between fragments ends the connection with the message unfinished.
    parser.feed(QByteArray(frame(OpCode::Text, "unfinished", false) + bytes), events);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].kind, Kind::Close);
    QCOMPARE(events[0].closeCode, code);
    QCOMPARE(events[0].reason, reason);
    QVERIFY(!parser.hasFailed());
    QCOMPARE(parser.bufferedBytes(), 0);

    // Nothing may follow a close frame: it is ignored, not reported.
    parser.feed(QByteArray(frame(OpCode::Continuation, "more") + frame(OpCode::Text, "after")), events);
    QCOMPARE(events.size(), 1);
}

void TestWebSocketFrame::rejects_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("eventsBefore"); // valid events before the error
    QTest::addColumn<int>("code");
    QTest::addColumn<qint64>("max");

    const QByteArray hello = frame(OpCode::Text, "hello");
    const QByteArray started = frame(OpCode::Text, "part", false);

    // 1002: protocol errors.
    QTest::newRow("unmasked text") << clientFrame(Fin | 0x1, "hi", LengthForm::Minimal, false) << 0 << 1002
                                   << DefaultMax;
    QTest::newRow("unmasked, first two bytes only") << QByteArray::fromHex("8102") << 0 << 1002 << DefaultMax;
    QTest::newRow("unmasked after a valid frame")
        << hello + clientFrame(Fin | 0x2, "x", LengthForm::Minimal, false) << 1 << 1002 << DefaultMax;
    QTest::newRow("unmasked empty close") << QByteArray::fromHex("8800") << 0 << 1002 << DefaultMax;
    QTest::newRow("RSV1") << clientFrame(Fin | 0x40 | 0x1, "hi") << 0 << 1002 << DefaultMax;
    QTest::newRow("RSV2") << clientFrame(Fin | 0x20 | 0x2, "hi") << 0 << 1002 << DefaultMax;
    QTest::newRow("RSV3 on a ping") << clientFrame(Fin | 0x10 | 0x9, "") << 0 << 1002 << DefaultMax;
    for (quint8 opCode : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
        QTest::addRow("opcode 0x%X", opCode) << clientFrame(Fin | opCode, "x") << 0 << 1002 << DefaultMax;
    QTest::newRow("ping of 126 bytes") << frame(OpCode::Ping, QByteArray(126, 'p')) << 0 << 1002 << DefaultMax;
    QTest::newRow("pong of 126 bytes") << frame(OpCode::Pong, QByteArray(126, 'p')) << 0 << 1002 << DefaultMax;
    QTest::newRow("close of 126 bytes") << closeFrame(1000, QByteArray(124, 'c')) << 0 << 1002 << DefaultMax;
    QTest::newRow("ping claiming 2^40 bytes, header only")
        << clientHeader(Fin | 0x9, quint64(1) << 40) << 0 << 1002 << DefaultMax;
    QTest::newRow("fragmented ping") << frame(OpCode::Ping, "p", false) << 0 << 1002 << DefaultMax;
    QTest::newRow("fragmented close") << frame(OpCode::Close, "", false) << 0 << 1002 << DefaultMax;
    QTest::newRow("continuation without a message") << frame(OpCode::Continuation, "x") << 0 << 1002 << DefaultMax;
    QTest::newRow("continuation after a finished message")
        << hello + frame(OpCode::Continuation, "x") << 1 << 1002 << DefaultMax;
    QTest::newRow("text while a message is in progress")
        << started + frame(OpCode::Text, "x") << 0 << 1002 << DefaultMax;
    QTest::newRow("binary while a text message is in progress")
        << started + frame(OpCode::Ping, "") + frame(OpCode::Binary, "x") << 1 << 1002 << DefaultMax;
    QTest::newRow("64-bit length with the top bit set") << clientHeader(Fin | 0x2, quint64(1) << 63, LengthForm::Bits64)
                                                        << 0 << 1002 << std::numeric_limits<qint64>::max();
    QTest::newRow("64-bit length all ones")
        << clientHeader(Fin | 0x2, ~quint64(0), LengthForm::Bits64) << 0 << 1002 << std::numeric_limits<qint64>::max();
    QTest::newRow("close payload of 1 byte") << frame(OpCode::Close, "\x03") << 0 << 1002 << DefaultMax;
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535})
        QTest::addRow("close code %d", code) << closeFrame(code, "") << 0 << 1002 << DefaultMax;

    // 1007: invalid UTF-8.
    const QList<QPair<const char *, QByteArray>> badUtf8 = {
        {"overlong NUL", "\xC0\x80"_ba},
        {"overlong slash", "\xE0\x80\xAF"_ba},
        {"overlong 4-byte", "\xF0\x8F\xBF\xBF"_ba},
        {"surrogate", "\xED\xA0\x80"_ba},
        {"above U+10FFFF", "\xF4\x90\x80\x80"_ba},
        {"F5", "\xF5\x80\x80\x80"_ba},
        {"lone continuation", "a\x80"_ba},
        {"truncated at the end", "ok\xE2\x82"_ba},
        {"FF", "\xFF"_ba},
    };
    for (const auto &[name, bytes] : badUtf8) {
        QTest::addRow("text: %s", name) << frame(OpCode::Text, bytes) << 0 << 1007 << DefaultMax;
        QTest::addRow("close reason: %s", name) << closeFrame(1000, bytes) << 0 << 1007 << DefaultMax;
    }
    QTest::newRow("text truncated in the last fragment")
        << frame(OpCode::Text, "a\xC3", false) + frame(OpCode::Continuation, "(") << 0 << 1007 << DefaultMax;

    // 1009: too big, seen in the header (only the header is sent).
    QTest::newRow("7-bit length over the limit") << clientHeader(Fin | 0x1, 11) << 0 << 1009 << qint64(10);
    QTest::newRow("16-bit length over the limit") << clientHeader(Fin | 0x2, 1001) << 0 << 1009 << qint64(1000);
    QTest::newRow("64-bit length over the limit") << clientHeader(Fin | 0x2, DefaultMax + 1) << 0 << 1009 << DefaultMax;
    QTest::newRow("header claiming 2^62 bytes") << clientHeader(Fin | 0x2, quint64(1) << 62) << 0 << 1009 << DefaultMax;
    QTest::newRow("ping over a small limit") << clientHeader(Fin | 0x9, 11) << 0 << 1009 << qint64(10);
    QTest::newRow("fragments add up over the limit")
        << frame(OpCode::Binary, QByteArray(600, 'a'), false) + frame(OpCode::Ping, "") +
               clientHeader(0x0, 401, LengthForm::Bits16)
        << 1 << 1009 << qint64(1000);
    QTest::newRow("fragments reach the limit, then one byte more")
        << frame(OpCode::Text, QByteArray(1000, 'a'), false) + frame(OpCode::Continuation, "", false) +
               clientHeader(Fin, 1)
        << 0 << 1009 << qint64(1000);
    QTest::newRow("second fragment claiming 2^62")
        << frame(OpCode::Text, "a", false) + clientHeader(Fin, quint64(1) << 62) << 0 << 1009 << DefaultMax;
}

void TestWebSocketFrame::rejects()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, eventsBefore);
    QFETCH(int, code);
    QFETCH(qint64, max);

    WebSocketFrameParser parser(max);
    QList<Event> events;
    parser.feed(bytes, events);
    QCOMPARE(events.size(), eventsBefore + 1);
    const Event &error = events.last();
    QCOMPARE(error.kind, Kind::Error);
    QCOMPARE(error.closeCode, code);
    QVERIFY(!error.reason.isEmpty());
    QVERIFY(WebSocketFrame::closePayload(code, error.reason).size() <= 125);
    for (qsizetype i = 0; i < eventsBefore; ++i)
        QVERIFY(events[i].kind != Kind::Error);
    QVERIFY(parser.hasFailed());
    QCOMPARE(parser.bufferedBytes(), 0);

    // Fed byte by byte, the same events come out, and the error as soon as its byte arrives.
    QCOMPARE(feedByteByByte(bytes, max), describe(events));

    // A failed parser ignores everything after the error.
    parser.feed(frame(OpCode::Text, "after"), events);
    parser.feed(frame(OpCode::Ping, ""), events);
    QCOMPARE(events.size(), eventsBefore + 1);
    QCOMPARE(parser.bufferedBytes(), 0);
}

void TestWebSocketFrame::claimedLengthIsNotAllocated()
{
    // With no practical limit, a header claiming 2^62 bytes is accepted, and the parser holds only
    // what has arrived (a reservation of the claimed size would throw std::bad_alloc or abort under ASan).
    WebSocketFrameParser parser(std::numeric_limits<qint64>::max());
    QList<Event> events;
    const QByteArray payload = binaryPayload(1000);
    QByteArray bytes = clientHeader(Fin | 0x2, quint64(1) << 62);
    for (qsizetype i = 0; i < payload.size(); ++i)
        bytes.append(char(uchar(payload[i]) ^ MaskKey[i % 4]));
    parser.feed(bytes, events);
    QVERIFY(events.isEmpty());
    QVERIFY(!parser.hasFailed());
    QCOMPARE(parser.bufferedBytes(), 1000);
}

void TestWebSocketFrame::maxMessageBytesAppliesToTheNextFrame()
{
    WebSocketFrameParser parser(10);
    QList<Event> events;
    parser.feed(frame(OpCode::Text, "0123456789"), events);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].kind, Kind::Text);

    parser.setMaxMessageBytes(5);
    parser.feed(frame(OpCode::Text, "01234"), events);
    QCOMPARE(events.size(), 2);
    parser.feed(frame(OpCode::Text, "012345"), events);
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[2].kind, Kind::Error);
    QCOMPARE(events[2].closeCode, 1009);
}

QTEST_GUILESS_MAIN(TestWebSocketFrame)
#include "tst_websocketframe.moc"
