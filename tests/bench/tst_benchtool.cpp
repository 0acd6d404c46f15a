// tst_benchtool: the parts of wsinfra-bench that the smoke run does not reach: server frames of every
// length encoding, fragments and hostile headers, the client's masking, and bad command lines.
#include "benchoptions.h"
#include "procsampler.h"
#include "websocketframer.h"

#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace wsinfra::bench;

class TestBenchTool : public QObject
{
    Q_OBJECT

private slots:
    void serverFrames_data();
    void serverFrames();
    void hostileServerFrames_data();
    void hostileServerFrames();
    void clientFramesAreMasked_data();
    void clientFramesAreMasked();
    void badOptions_data();
    void badOptions();
    void goodOptions();
    void procSampler();
};

namespace {

std::string serverFrame(uint8_t firstByte, const std::string &payload)
{
    std::string frame(1, char(firstByte));
    const uint64_t length = payload.size();
    if (length < 126) {
        frame.push_back(char(length));
    } else if (length <= 0xFFFF) {
        frame.push_back(char(126));
        frame.push_back(char(length >> 8));
        frame.push_back(char(length & 0xFF));
    } else {
        frame.push_back(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.push_back(char((length >> shift) & 0xFF));
    }
    return frame + payload;
}

} // namespace

void TestBenchTool::serverFrames_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("firstByte");
    QTest::newRow("empty text") << 0 << 0x81;
    QTest::newRow("125, 7-bit length") << 125 << 0x81;
    QTest::newRow("126, 16-bit length") << 126 << 0x81;
    QTest::newRow("65535, 16-bit length") << 65535 << 0x82;
    QTest::newRow("65536, 64-bit length") << 65536 << 0x81;
    QTest::newRow("first fragment") << 10 << 0x01;
    QTest::newRow("last continuation") << 10 << 0x80;
    QTest::newRow("ping") << 4 << 0x89;
}

void TestBenchTool::serverFrames()
{
    QFETCH(int, length);
    QFETCH(int, firstByte);
    const std::string payload(std::size_t(length), 'p');
    const std::string frame = serverFrame(uint8_t(firstByte), payload) + "next";
    // Every strict prefix of the frame is incomplete, not an error.
    const std::size_t frameLength = frame.size() - 4;
    for (std::size_t cut : {std::size_t(0), std::size_t(1), frameLength / 2, frameLength - 1}) {
        WebSocketFramer::Frame parsed;
        QCOMPARE(WebSocketFramer::parseServerFrame(std::string_view(frame).substr(0, cut), &parsed), 0);
    }
    WebSocketFramer::Frame parsed;
    QCOMPARE(WebSocketFramer::parseServerFrame(frame, &parsed), std::ptrdiff_t(frame.size() - 4));
    QCOMPARE(parsed.fin, (firstByte & 0x80) != 0);
    QCOMPARE(int(parsed.opcode), firstByte & 0x0F);
    QCOMPARE(parsed.payload, std::string_view(payload));
}

void TestBenchTool::hostileServerFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("masked by the server") << QByteArray("\x81\x81\x01\x02\x03\x04x", 7);
    QTest::newRow("RSV1 without an extension") << QByteArray("\xC1\x01x", 3);
    QTest::newRow("over the payload limit") << QByteArray("\x81\x7F\x00\x00\x00\x00\x10\x00\x00\x00", 10);
}

void TestBenchTool::hostileServerFrames()
{
    QFETCH(QByteArray, bytes);
    WebSocketFramer::Frame parsed;
    QCOMPARE(WebSocketFramer::parseServerFrame(std::string_view(bytes.constData(), std::size_t(bytes.size())), &parsed,
                                               1u << 20),
             -1);
}

void TestBenchTool::clientFramesAreMasked_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("headerLength");
    QTest::newRow("7-bit") << 5 << 6;
    QTest::newRow("16-bit") << 300 << 8;
    QTest::newRow("64-bit") << 70000 << 14;
}

void TestBenchTool::clientFramesAreMasked()
{
    QFETCH(int, length);
    QFETCH(int, headerLength);
    std::string payload(std::size_t(length), '\0');
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = char('a' + i % 26);
    std::string out = "kept";
    WebSocketFramer::appendClientFrame(out, WebSocketFramer::Text, payload, 0x11223344u);
    QCOMPARE(out.size(), std::size_t(4 + headerLength + length));
    QCOMPARE(uint8_t(out[4]), uint8_t(0x81));
    QVERIFY(uint8_t(out[5]) & 0x80); // the mask bit: a server closes an unmasked client frame
    const std::string_view key = std::string_view(out).substr(std::size_t(4 + headerLength - 4), 4);
    QCOMPARE(key, std::string_view("\x11\x22\x33\x44", 4));
    std::string unmasked = out.substr(std::size_t(4 + headerLength));
    for (std::size_t i = 0; i < unmasked.size(); ++i)
        unmasked[i] = char(unmasked[i] ^ key[i & 3]);
    QCOMPARE(unmasked, payload);
}

void TestBenchTool::badOptions_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("error");
    QTest::newRow("no port") << QStringList{} << u"--port is required"_s;
    QTest::newRow("port out of range") << QStringList{u"--port"_s, u"70000"_s} << u"--port: '70000'"_s;
    QTest::newRow("follow above bills") << QStringList{u"--port"_s, u"1"_s, u"--bills"_s, u"2"_s, u"--follow"_s, u"3"_s}
                                        << u"--follow 3 is more than --bills 2"_s;
    QTest::newRow("unknown transport") << QStringList{u"--port"_s, u"1"_s, u"--transport"_s, u"sse"_s}
                                       << u"--transport: 'sse'"_s;
    QTest::newRow("unknown distribution")
        << QStringList{u"--port"_s, u"1"_s, u"--dist"_s, u"pareto"_s} << u"--dist: 'pareto'"_s;
    QTest::newRow("negative rate") << QStringList{u"--port"_s, u"1"_s, u"--rate"_s, u"-5"_s} << u"--rate: '-5'"_s;
    QTest::newRow("not a number") << QStringList{u"--port"_s, u"1"_s, u"--connections"_s, u"many"_s}
                                  << u"--connections: 'many'"_s;
    QTest::newRow("endless without a duration")
        << QStringList{u"--port"_s, u"1"_s, u"--publishes"_s, u"-1"_s} << u"--publishes -1 needs a --duration"_s;
    QTest::newRow("unknown option") << QStringList{u"--port"_s, u"1"_s, u"--colour"_s} << u"colour"_s;
}

void TestBenchTool::badOptions()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, error);
    QString message;
    QString help;
    QVERIFY(!parseBenchOptions(QStringList{u"wsinfra-bench"_s} + arguments, &message, &help));
    QVERIFY2(message.contains(error), qPrintable(message));
    QVERIFY(help.isEmpty());
}

void TestBenchTool::goodOptions()
{
    QString message;
    QString help;
    const auto options = parseBenchOptions({u"wsinfra-bench"_s, u"--port"_s, u"4000"_s, u"--transport"_s, u"socketio"_s,
                                            u"--bills"_s, u"100"_s, u"--follow"_s, u"10"_s, u"--dist"_s, u"zipf"_s,
                                            u"--rate"_s, u"50.5"_s, u"--json"_s},
                                           &message, &help);
    QVERIFY2(options, qPrintable(message));
    QCOMPARE(options->port, 4000);
    QVERIFY(options->transport == Transport::SocketIo);
    QVERIFY(options->distribution == BillDistribution::Zipf);
    QCOMPARE(options->follow, 10);
    QCOMPARE(options->rate, 50.5);
    QVERIFY(options->json);
    QVERIFY(!parseBenchOptions({u"wsinfra-bench"_s, u"--help"_s}, &message, &help));
    QVERIFY(help.contains(u"--follow"_s));
}

void TestBenchTool::procSampler()
{
    const ProcSampler self{int(getpid())};
    QVERIFY(self.cpuSeconds() >= 0);
    QVERIFY(self.rssBytes() > 1024 * 1024);
    const ProcSampler none(0);
    QCOMPARE(none.cpuSeconds(), -1.0);
    QCOMPARE(none.rssBytes(), int64_t(-1));
}

QTEST_GUILESS_MAIN(TestBenchTool)
#include "tst_benchtool.moc"
