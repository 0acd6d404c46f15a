#include "transport/httprequestparser.h"

#include "protocol/codes.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

using Status = HttpRequestParser::Status;

namespace {

// Small limits so that every limit can be crossed with a short test input.
constexpr HttpLimits SmallLimits{512, 8, 100};

enum class FeedMode { Whole, ByteByByte };

// Feeds raw in the given way until the parser leaves Incomplete; returns the final status.
Status feedAll(HttpRequestParser &parser, const QByteArray &raw, FeedMode mode)
{
    if (mode == FeedMode::Whole)
        return parser.feed(raw);
    Status status = Status::Incomplete;
    for (qsizetype i = 0; i < raw.size() && status == Status::Incomplete; ++i)
        status = parser.feed(QByteArrayView(raw).sliced(i, 1));
    return status;
}

QByteArray repeated(QByteArrayView piece, int count)
{
    QByteArray result;
    for (int i = 0; i < count; ++i)
        result += piece;
    return result;
}

QString expectedCode(int status)
{
    return status == 413 || status == 431 ? QString(ErrorCode::PayloadTooLarge) : QString(ErrorCode::BadRequest);
}

} // namespace

class TestHttpRequestParser : public QObject
{
    Q_OBJECT

private slots:
    void bearerToken_data();
    void bearerToken();
    void validRequest_data();
    void validRequest();
    void pipelinedRequests();
    void completedRequestWaitsToBeTaken();
    void rejection_data();
    void rejection();
    void failedParserStaysFailed();
    void oversizedBodyRejectedBeforeItArrives();
    void limitBoundaries();
    void keepAlive_data();
    void keepAlive();
    void webSocketUpgrade_data();
    void webSocketUpgrade();
    void headerLookupIsCaseInsensitive();
    void parseHead_data();
    void parseHead();
    void randomGarbage();
    void mutatedRequests();
};

void TestHttpRequestParser::validRequest_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("versionMinor");
    QTest::addColumn<int>("headerCount");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue");
    QTest::addColumn<QString>("queryKey");
    QTest::addColumn<QString>("queryValue");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("simple GET") << "GET /health HTTP/1.1\r\nHost: localhost:3000\r\n\r\n"_ba
                                << "GET"_ba
                                << "/health"_ba
                                << "/health"_ba << 1 << 1 << "host"_ba
                                << "localhost:3000"_ba << QString() << QString() << QByteArray();
    QTest::newRow("query") << "GET /api/users?page=2&limit=50 HTTP/1.1\r\nHost: a\r\n\r\n"_ba
                           << "GET"_ba
                           << "/api/users?page=2&limit=50"_ba
                           << "/api/users"_ba << 1 << 1 << "Host"_ba
                           << "a"_ba << u"page"_s << u"2"_s << QByteArray();
    QTest::newRow("encoded query") << "GET /ws?token=a%2Bb%3D&x=%E2%9C%93 HTTP/1.1\r\nHost: a\r\n\r\n"_ba
                                   << "GET"_ba
                                   << "/ws?token=a%2Bb%3D&x=%E2%9C%93"_ba
                                   << "/ws"_ba << 1 << 1 << "host"_ba
                                   << "a"_ba << u"token"_s << u"a+b="_s << QByteArray();
    QTest::newRow("empty query") << "GET /x? HTTP/1.1\r\nHost: a\r\n\r\n"_ba
                                 << "GET"_ba
                                 << "/x?"_ba
                                 << "/x"_ba << 1 << 1 << "host"_ba
                                 << "a"_ba << u"missing"_s << QString() << QByteArray();
    QTest::newRow("percent-encoded path") << "GET /a%20b/%C3%A9%2f HTTP/1.1\r\nHost: a\r\n\r\n"_ba
                                          << "GET"_ba
                                          << "/a%20b/%C3%A9%2f"_ba
                                          << "/a b/\xc3\xa9/"_ba << 1 << 1 << "host"_ba
                                          << "a"_ba << QString() << QString() << QByteArray();
    QTest::newRow("POST with body")
        << "POST /api/bills/42/updates HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
           "Content-Length: 17\r\n\r\n{\"status\":\"new\"}\n"_ba
        << "POST"_ba
        << "/api/bills/42/updates"_ba
        << "/api/bills/42/updates"_ba << 1 << 3 << "content-type"_ba
        << "application/json"_ba << QString() << QString() << "{\"status\":\"new\"}\n"_ba;
    QTest::newRow("binary body") << "PUT /b HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n\r\n\r\n\0\xff:x"_ba
                                 << "PUT"_ba
                                 << "/b"_ba
                                 << "/b"_ba << 1 << 2 << "content-length"_ba
                                 << "8"_ba << QString() << QString() << "\r\n\r\n\0\xff:x"_ba;
    QTest::newRow("content-length 0") << "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"_ba
                                      << "POST"_ba
                                      << "/a"_ba
                                      << "/a"_ba << 1 << 2 << "Content-Length"_ba
                                      << "0"_ba << QString() << QString() << QByteArray();
    QTest::newRow("content-length leading zeros") << "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 0003\r\n\r\nabc"_ba
                                                  << "POST"_ba
                                                  << "/a"_ba
                                                  << "/a"_ba << 1 << 2 << "Content-Length"_ba
                                                  << "0003"_ba << QString() << QString() << "abc"_ba;
    QTest::newRow("repeated equal content-length")
        << "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc"_ba
        << "POST"_ba
        << "/a"_ba
        << "/a"_ba << 1 << 3 << "Content-Length"_ba
        << "3"_ba << QString() << QString() << "abc"_ba;
    QTest::newRow("HTTP/1.0 without Host")
        << "GET / HTTP/1.0\r\n\r\n"_ba
        << "GET"_ba
        << "/"_ba
        << "/"_ba << 0 << 0 << "host"_ba << QByteArray() << QString() << QString() << QByteArray();
    QTest::newRow("leading empty lines") << "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"_ba
                                         << "GET"_ba
                                         << "/"_ba
                                         << "/"_ba << 1 << 1 << "host"_ba
                                         << "a"_ba << QString() << QString() << QByteArray();
    QTest::newRow("OPTIONS asterisk") << "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"_ba
                                      << "OPTIONS"_ba
                                      << "*"_ba
                                      << "*"_ba << 1 << 1 << "host"_ba
                                      << "a"_ba << QString() << QString() << QByteArray();
    QTest::newRow("value whitespace trimmed") << "GET / HTTP/1.1\r\nHost:a\r\nX-Pad: \t  spaced \t value\t \r\n\r\n"_ba
                                              << "GET"_ba
                                              << "/"_ba
                                              << "/"_ba << 1 << 2 << "x-pad"_ba
                                              << "spaced \t value"_ba << QString() << QString() << QByteArray();
    QTest::newRow("empty value") << "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n"_ba
                                 << "GET"_ba
                                 << "/"_ba
                                 << "/"_ba << 1 << 2 << "x-empty"_ba << QByteArray() << QString() << QString()
                                 << QByteArray();
    QTest::newRow("obs-text value") << "GET / HTTP/1.1\r\nHost: a\r\nX-Name: J\xc3\xbcrgen\xff\r\n\r\n"_ba
                                    << "GET"_ba
                                    << "/"_ba
                                    << "/"_ba << 1 << 2 << "X-NAME"_ba
                                    << "J\xc3\xbcrgen\xff"_ba << QString() << QString() << QByteArray();
    QTest::newRow("all token characters in name") << "GET / HTTP/1.1\r\nHost: a\r\nX-!#$%&'*+.^_`|~09: v\r\n\r\n"_ba
                                                  << "GET"_ba
                                                  << "/"_ba
                                                  << "/"_ba << 1 << 2 << "x-!#$%&'*+.^_`|~09"_ba
                                                  << "v"_ba << QString() << QString() << QByteArray();
    QTest::newRow("colon in value") << "GET / HTTP/1.1\r\nHost: [::1]:3000\r\n\r\n"_ba
                                    << "GET"_ba
                                    << "/"_ba
                                    << "/"_ba << 1 << 1 << "host"_ba
                                    << "[::1]:3000"_ba << QString() << QString() << QByteArray();
    QTest::newRow("DELETE") << "DELETE /api/x HTTP/1.1\r\nHost: a\r\n\r\n"_ba
                            << "DELETE"_ba
                            << "/api/x"_ba
                            << "/api/x"_ba << 1 << 1 << "host"_ba
                            << "a"_ba << QString() << QString() << QByteArray();
    QTest::newRow("chunked") << "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"_ba
                             << "POST"_ba
                             << "/c"_ba
                             << "/c"_ba << 1 << 2 << "transfer-encoding"_ba
                             << "chunked"_ba << QString() << QString() << "hello world"_ba;
    QTest::newRow("chunked hex sizes") << "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
                                          "a\r\n0123456789\r\nB\r\nabcdefghijk\r\n0000\r\n\r\n"_ba
                                       << "POST"_ba
                                       << "/c"_ba
                                       << "/c"_ba << 1 << 2 << "transfer-encoding"_ba
                                       << "Chunked"_ba << QString() << QString() << "0123456789abcdefghijk"_ba;
    QTest::newRow("chunked extensions and trailers")
        << "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
           "3;name=value\r\nabc\r\n2 ; quoted=\"x;y\"\r\nde\r\n0;last\r\nX-Checksum: 1234\r\nY:\r\n\r\n"_ba
        << "POST"_ba
        << "/c"_ba
        << "/c"_ba << 1 << 2 << "host"_ba
        << "a"_ba << QString() << QString() << "abcde"_ba;
    QTest::newRow("chunk data with CRLF inside")
        << "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n\r\n\r\n\r\n0\r\n\r\n"_ba
        << "POST"_ba
        << "/c"_ba
        << "/c"_ba << 1 << 2 << "host"_ba
        << "a"_ba << QString() << QString() << "\r\n\r\n"_ba;
    QTest::newRow("chunked empty body")
        << "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"_ba
        << "POST"_ba
        << "/c"_ba
        << "/c"_ba << 1 << 2 << "host"_ba
        << "a"_ba << QString() << QString() << QByteArray();
    QTest::newRow("chunked with empty list elements")
        << "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked ,\r\n\r\n1\r\nx\r\n0\r\n\r\n"_ba
        << "POST"_ba
        << "/c"_ba
        << "/c"_ba << 1 << 2 << "host"_ba
        << "a"_ba << QString() << QString() << "x"_ba;
}

void TestHttpRequestParser::validRequest()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, path);
    QFETCH(int, versionMinor);
    QFETCH(int, headerCount);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);
    QFETCH(QString, queryKey);
    QFETCH(QString, queryValue);
    QFETCH(QByteArray, body);

    const auto check = [&](const HttpRequest &request) {
        QCOMPARE(request.method, method);
        QCOMPARE(request.target, target);
        QCOMPARE(request.path, path);
        QCOMPARE(request.versionMinor, versionMinor);
        QCOMPARE(request.headers.size(), headerCount);
        QCOMPARE(request.header(headerName), headerValue);
        QCOMPARE(request.body, body);
        if (!queryKey.isEmpty())
            QCOMPARE(request.query.queryItemValue(queryKey, QUrl::FullyDecoded), queryValue);
    };

    {
        HttpRequestParser parser;
        QCOMPARE(parser.feed(raw), Status::Complete);
        QCOMPARE(parser.bufferedBytes(), 0);
        check(parser.takeRequest());
        QCOMPARE(parser.parse(), Status::Incomplete);
    }
    {
        // Byte by byte: Incomplete up to the very last byte, then Complete.
        HttpRequestParser parser;
        for (qsizetype i = 0; i + 1 < raw.size(); ++i)
            QCOMPARE(parser.feed(QByteArrayView(raw).sliced(i, 1)), Status::Incomplete);
        QCOMPARE(parser.feed(QByteArrayView(raw).last(1)), Status::Complete);
        check(parser.takeRequest());
    }
    // Two feeds split at every position.
    for (qsizetype split = 1; split < raw.size(); ++split) {
        HttpRequestParser parser;
        QCOMPARE(parser.feed(QByteArrayView(raw).first(split)), Status::Incomplete);
        QCOMPARE(parser.feed(QByteArrayView(raw).sliced(split)), Status::Complete);
        check(parser.takeRequest());
    }
    {
        // Pipelined copies of the same request in one feed.
        HttpRequestParser parser;
        QCOMPARE(parser.feed(QByteArray(raw + raw + raw)), Status::Complete);
        QCOMPARE(parser.bufferedBytes(), 2 * raw.size());
        check(parser.takeRequest());
        QCOMPARE(parser.parse(), Status::Complete);
        check(parser.takeRequest());
        QCOMPARE(parser.parse(), Status::Complete);
        check(parser.takeRequest());
        QCOMPARE(parser.bufferedBytes(), 0);
        QCOMPARE(parser.parse(), Status::Incomplete);
    }
    {
        const auto head = HttpRequestParser::parseHead(raw);
        QCOMPARE(head.status, Status::Complete);
        QCOMPARE(head.request.method, method);
        QCOMPARE(head.request.path, path);
        QVERIFY(head.request.body.isEmpty());
        QVERIFY(head.headLength > 0 && head.headLength <= raw.size());
        QVERIFY(raw.first(head.headLength).endsWith("\r\n\r\n"));
    }
}

void TestHttpRequestParser::pipelinedRequests()
{
    const QByteArray first = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"_ba;
    const QByteArray second = "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"_ba;
    const QByteArray third =
        "POST /three HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"_ba;
    const QByteArray fourthStart = "GET /fo"_ba;
    const QByteArray all = first + second + third + fourthStart;

    // At once, and in odd-sized pieces that cut across request boundaries.
    for (const qsizetype pieceSize : {all.size(), qsizetype(1), qsizetype(7), qsizetype(13), qsizetype(50)}) {
        HttpRequestParser parser;
        QList<HttpRequest> requests;
        for (qsizetype offset = 0; offset < all.size(); offset += pieceSize) {
            Status status = parser.feed(QByteArrayView(all).sliced(offset, std::min(pieceSize, all.size() - offset)));
            while (status == Status::Complete) {
                requests.append(parser.takeRequest());
                status = parser.parse();
            }
            QCOMPARE(status, Status::Incomplete);
        }
        QCOMPARE(requests.size(), 3);
        QCOMPARE(requests[0].path, "/one"_ba);
        QCOMPARE(requests[1].path, "/two"_ba);
        QCOMPARE(requests[1].body, "body"_ba);
        QCOMPARE(requests[2].path, "/three"_ba);
        QCOMPARE(requests[2].body, "ok"_ba);
        QCOMPARE(parser.bufferedBytes(), fourthStart.size());
        QCOMPARE(parser.feed("ur HTTP/1.1\r\nHost: a\r\n\r\n"), Status::Complete);
        QCOMPARE(parser.takeRequest().path, "/four"_ba);
    }
}

void TestHttpRequestParser::completedRequestWaitsToBeTaken()
{
    HttpRequestParser parser;
    QCOMPARE(parser.takeRequest().method, QByteArray());
    QCOMPARE(parser.feed("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"), Status::Complete);
    // Bytes fed before the request is taken are kept for the next one, not parsed into this one.
    QCOMPARE(parser.feed("GET /b HTTP/1.1\r\nHo"), Status::Complete);
    QCOMPARE(parser.parse(), Status::Complete);
    QCOMPARE(parser.bufferedBytes(), 19);
    QCOMPARE(parser.takeRequest().path, "/a"_ba);
    QCOMPARE(parser.takeRequest().method, QByteArray());
    QCOMPARE(parser.parse(), Status::Incomplete);
    QCOMPARE(parser.feed("st: a\r\n\r\n"), Status::Complete);
    QCOMPARE(parser.takeRequest().path, "/b"_ba);
}

void TestHttpRequestParser::rejection_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("inHead"); // whether parseHead() must reject it as well

    const QByteArray host = "Host: a\r\n"_ba;
    const auto get = [&host](const QByteArray &extraHeaders) -> QByteArray {
        return "GET / HTTP/1.1\r\n"_ba + host + extraHeaders + "\r\n";
    };
    const auto post = [&host](const QByteArray &extraHeaders, const QByteArray &body) -> QByteArray {
        return "POST /p HTTP/1.1\r\n"_ba + host + extraHeaders + "\r\n" + body;
    };
    const auto chunked = [&](const QByteArray &body) { return post("Transfer-Encoding: chunked\r\n", body); };

    // Request line.
    QTest::newRow("garbage line") << "hello\r\n\r\n"_ba << 400 << true;
    QTest::newRow("empty lines then garbage") << "\r\n\r\nfoo bar\r\n\r\n"_ba << 400 << true;
    QTest::newRow("lower-case method") << "get / HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("digit in method") << "G3T / HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("dash in method") << "M-SEARCH / HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("leading space") << " GET / HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("two spaces") << "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("tab separator") << "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("no version") << "GET /\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("trailing space") << "GET / HTTP/1.1 \r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("space in target") << "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("relative target") << "GET api HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("absolute-form target") << "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("authority-form target") << "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("asterisk for GET") << "GET * HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("control char in target") << "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("DEL in target") << "GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("8-bit target") << "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("fragment in target") << "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("bad percent %zz") << "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("truncated percent %4") << "GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("lone percent") << "GET /a% HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("percent before query") << "GET /a%?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("decoded NUL") << "GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("HTTP/2.0") << "GET / HTTP/2.0\r\nHost: a\r\n\r\n"_ba << 505 << true;
    QTest::newRow("HTTP/1.2") << "GET / HTTP/1.2\r\nHost: a\r\n\r\n"_ba << 505 << true;
    QTest::newRow("HTTP/0.9") << "GET / HTTP/0.9\r\nHost: a\r\n\r\n"_ba << 505 << true;
    QTest::newRow("HTTP/2 preface") << "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"_ba << 505 << true;
    QTest::newRow("HTTP/1.10") << "GET / HTTP/1.10\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("HTTP/11") << "GET / HTTP/11\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("HTTP/3") << "GET / HTTP/3\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("lower-case http") << "GET / http/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("HTTP/a.b") << "GET / HTTP/a.b\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("HTTP/1-1") << "GET / HTTP/1-1\r\nHost: a\r\n\r\n"_ba << 400 << true;

    // Line endings and NULs.
    QTest::newRow("bare LF everywhere") << "GET / HTTP/1.1\nHost: a\n\n"_ba << 400 << true;
    QTest::newRow("bare LF after header") << "GET / HTTP/1.1\r\nHost: a\n\r\n"_ba << 400 << true;
    QTest::newRow("leading bare LF") << "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("bare CR") << "GET / HTTP/1.1\rHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("CR CR LF") << "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("NUL in method") << "GE\0T / HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("NUL in target") << "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("NUL in header value") << get("X: a\0b\r\n"_ba) << 400 << true;
    QTest::newRow("NUL in header name") << get("X\0: ab\r\n"_ba) << 400 << true;
    QTest::newRow("NUL alone") << "\0"_ba << 400 << true;

    // Header fields.
    QTest::newRow("space before colon") << get("X-Foo : bar\r\n") << 400 << true;
    QTest::newRow("tab before colon") << get("X-Foo\t: bar\r\n") << 400 << true;
    QTest::newRow("space in name") << get("X Foo: bar\r\n") << 400 << true;
    QTest::newRow("no colon") << get("X-Foo bar\r\n") << 400 << true;
    QTest::newRow("empty name") << get(": bar\r\n") << 400 << true;
    QTest::newRow("separator in name") << get("X(Foo): bar\r\n") << 400 << true;
    QTest::newRow("8-bit name") << get("X-F\xc3\xb6o: bar\r\n") << 400 << true;
    QTest::newRow("obs-fold space") << get("X-Foo: bar\r\n baz\r\n") << 400 << true;
    QTest::newRow("obs-fold tab") << get("X-Foo: bar\r\n\tbaz\r\n") << 400 << true;
    QTest::newRow("fold as first header") << "GET / HTTP/1.1\r\n Host: a\r\n\r\n"_ba << 400 << true;
    QTest::newRow("control char in value") << get("X-Foo: a\x01z\r\n") << 400 << true;
    QTest::newRow("escape in value") << get("X-Foo: \x1b[31m\r\n") << 400 << true;
    QTest::newRow("DEL in value") << get("X-Foo: a\x7fz\r\n") << 400 << true;
    QTest::newRow("missing Host in 1.1") << "GET / HTTP/1.1\r\nX: y\r\n\r\n"_ba << 400 << true;
    QTest::newRow("two Hosts") << get("host: b\r\n") << 400 << true;
    QTest::newRow("two Hosts in 1.0") << "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"_ba << 400 << true;
    QTest::newRow("too many headers") << get(repeated("X: y\r\n", 8)) << 431 << true;
    QTest::newRow("head too large, complete") << get("X: " + QByteArray(500, 'y') + "\r\n") << 431 << true;
    QTest::newRow("head too large, no CRLF") << "GET /" + QByteArray(600, 'a') << 431 << true;
    QTest::newRow("endless header") << "GET / HTTP/1.1\r\nX: " + QByteArray(600, 'a') << 431 << true;
    QTest::newRow("endless empty lines") << repeated("\r\n", 300) << 431 << true;

    // Content-Length.
    QTest::newRow("CL letters") << post("Content-Length: abc\r\n", "") << 400 << true;
    QTest::newRow("CL negative") << post("Content-Length: -1\r\n", "") << 400 << true;
    QTest::newRow("CL plus") << post("Content-Length: +1\r\n", "x") << 400 << true;
    QTest::newRow("CL hex") << post("Content-Length: 0x1\r\n", "x") << 400 << true;
    QTest::newRow("CL exponent") << post("Content-Length: 1e1\r\n", "x") << 400 << true;
    QTest::newRow("CL fraction") << post("Content-Length: 1.0\r\n", "x") << 400 << true;
    QTest::newRow("CL empty") << post("Content-Length:\r\n", "") << 400 << true;
    QTest::newRow("CL inner space") << post("Content-Length: 1 1\r\n", "x") << 400 << true;
    QTest::newRow("CL list") << post("Content-Length: 1,1\r\n", "x") << 400 << true;
    QTest::newRow("CL conflicting") << post("Content-Length: 1\r\nContent-Length: 2\r\n", "xx") << 400 << true;
    QTest::newRow("CL overflow") << post("Content-Length: 99999999999999999999\r\n", "") << 400 << true;
    QTest::newRow("CL int64 max + 1") << post("Content-Length: 9223372036854775808\r\n", "") << 400 << true;
    QTest::newRow("CL int64 max") << post("Content-Length: 9223372036854775807\r\n", "") << 413 << true;
    QTest::newRow("CL over limit") << post("Content-Length: 101\r\n", "") << 413 << true;

    // Transfer-Encoding.
    QTest::newRow("TE gzip") << post("Transfer-Encoding: gzip\r\n", "") << 501 << true;
    QTest::newRow("TE identity") << post("Transfer-Encoding: identity\r\n", "") << 501 << true;
    QTest::newRow("TE gzip, chunked") << post("Transfer-Encoding: gzip, chunked\r\n", "") << 501 << true;
    QTest::newRow("TE chunked, gzip") << post("Transfer-Encoding: chunked, gzip\r\n", "") << 501 << true;
    QTest::newRow("TE in two headers") << post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "") << 501
                                       << true;
    QTest::newRow("TE chunked with params") << post("Transfer-Encoding: chunked;q=1\r\n", "") << 501 << true;
    QTest::newRow("TE chunked twice") << post("Transfer-Encoding: chunked, chunked\r\n", "") << 400 << true;
    QTest::newRow("TE empty") << post("Transfer-Encoding:\r\n", "") << 400 << true;
    QTest::newRow("TE only commas") << post("Transfer-Encoding: , ,\r\n", "") << 400 << true;
    QTest::newRow("CL and TE") << post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n") << 400
                               << true;
    QTest::newRow("TE and CL") << post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n") << 400
                               << true;
    QTest::newRow("TE in HTTP/1.0") << "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"_ba << 400
                                    << true;

    // Chunked bodies.
    QTest::newRow("chunk size not hex") << chunked("zz\r\n") << 400 << false;
    QTest::newRow("chunk size empty") << chunked("\r\n") << 400 << false;
    QTest::newRow("chunk size negative") << chunked("-1\r\n") << 400 << false;
    QTest::newRow("chunk size 0x prefix") << chunked("0x5\r\nhello\r\n0\r\n\r\n") << 400 << false;
    QTest::newRow("chunk size junk after") << chunked("5 x\r\nhello\r\n0\r\n\r\n") << 400 << false;
    QTest::newRow("chunk extension control char") << chunked("5;a\x01\r\nhello\r\n0\r\n\r\n") << 400 << false;
    QTest::newRow("chunk size bare LF") << chunked("5\nhello\r\n0\r\n\r\n") << 400 << false;
    QTest::newRow("chunk size NUL") << chunked("5\0\r\nhello\r\n0\r\n\r\n"_ba) << 400 << false;
    QTest::newRow("chunk data too long") << chunked("3\r\nabcd\r\n0\r\n\r\n") << 400 << false;
    QTest::newRow("chunk data too short") << chunked("5\r\nabc\r\n0\r\n\r\n") << 400 << false;
    QTest::newRow("chunk data bare LF after") << chunked("3\r\nabc\n0\r\n\r\n") << 400 << false;
    QTest::newRow("chunk size line too long") << chunked("1;" + QByteArray(5000, 'a') + "\r\n") << 400 << false;
    QTest::newRow("chunk over limit") << chunked("65\r\n") << 413 << false;
    QTest::newRow("chunk size overflow") << chunked("ffffffffffffffffffffffff\r\n") << 413 << false;
    QTest::newRow("chunks together over limit")
        << chunked("32\r\n" + QByteArray(50, 'x') + "\r\n33\r\n") << 413 << false;
    QTest::newRow("malformed trailer") << chunked("0\r\nno colon here\r\n\r\n") << 400 << false;
    QTest::newRow("trailer bad name") << chunked("0\r\nX Y: z\r\n\r\n") << 400 << false;
    QTest::newRow("trailer control char") << chunked("0\r\nX: \x02\r\n\r\n") << 400 << false;
    QTest::newRow("trailer bare LF") << chunked("0\r\nX: y\n\r\n") << 400 << false;
    QTest::newRow("trailers too large") << chunked("0\r\n" + repeated("X-Trailer: 0123456789\r\n", 30)) << 431 << false;
}

void TestHttpRequestParser::rejection()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    QFETCH(bool, inHead);

    for (const FeedMode mode : {FeedMode::Whole, FeedMode::ByteByByte}) {
        HttpRequestParser parser(SmallLimits);
        QCOMPARE(feedAll(parser, raw, mode), Status::Failed);
        QCOMPARE(parser.errorStatus(), status);
        QCOMPARE(parser.error().code, expectedCode(status));
        QVERIFY(!parser.error().message.isEmpty());
    }
    const auto head = HttpRequestParser::parseHead(raw, SmallLimits);
    if (inHead) {
        QCOMPARE(head.status, Status::Failed);
        QCOMPARE(head.errorStatus, status);
        QCOMPARE(head.error.code, expectedCode(status));
    } else {
        QCOMPARE(head.status, Status::Complete);
    }
}

void TestHttpRequestParser::failedParserStaysFailed()
{
    HttpRequestParser parser;
    QCOMPARE(parser.feed("GET / HTTP/1.1\nHost: a\n\n"), Status::Failed);
    const QString message = parser.error().message;
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), Status::Failed);
    QCOMPARE(parser.parse(), Status::Failed);
    QCOMPARE(parser.takeRequest().method, QByteArray());
    QCOMPARE(parser.errorStatus(), 400);
    QCOMPARE(parser.error().message, message);
}

void TestHttpRequestParser::oversizedBodyRejectedBeforeItArrives()
{
    HttpRequestParser parser;
    // 1 MiB + 1: rejected as soon as the head is complete, before any body byte.
    QCOMPARE(parser.feed("POST /api/broadcast HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n"), Status::Failed);
    QCOMPARE(parser.errorStatus(), 413);

    HttpRequestParser exact;
    QCOMPARE(exact.feed("POST /api/broadcast HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n"),
             Status::Incomplete);
    QCOMPARE(exact.feed(QByteArray(1048576, 'x')), Status::Complete);
    QCOMPARE(exact.takeRequest().body.size(), 1048576);
}

void TestHttpRequestParser::limitBoundaries()
{
    const HttpLimits limits{256, 4, 50};
    const auto parse = [&limits](const QByteArray &raw) {
        HttpRequestParser parser(limits);
        const Status status = parser.feed(raw);
        return std::make_pair(status, parser.errorStatus());
    };
    const auto headOfSize = [](qsizetype size) -> QByteArray {
        const QByteArray start = "GET / HTTP/1.1\r\nHost: a\r\nX: "_ba;
        return start + QByteArray(size - start.size() - 4, 'v') + "\r\n\r\n";
    };
    QCOMPARE(headOfSize(256).size(), 256);
    QCOMPARE(parse(headOfSize(256)).first, Status::Complete);
    QCOMPARE(parse(headOfSize(257)), std::make_pair(Status::Failed, 431));
    QCOMPARE(HttpRequestParser::parseHead(headOfSize(256), limits).status, Status::Complete);
    QCOMPARE(HttpRequestParser::parseHead(headOfSize(257), limits).errorStatus, 431);
    // Leading empty lines count towards the head.
    QCOMPARE(parse("\r\n" + headOfSize(254)).first, Status::Complete);
    QCOMPARE(parse("\r\n" + headOfSize(255)), std::make_pair(Status::Failed, 431));

    const QByteArray fourHeaders = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"_ba;
    QCOMPARE(parse(fourHeaders).first, Status::Complete);
    QCOMPARE(parse("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"_ba),
             std::make_pair(Status::Failed, 431));

    const QByteArray post = "POST / HTTP/1.1\r\nHost: a\r\n"_ba;
    QCOMPARE(parse(post + "Content-Length: 50\r\n\r\n" + QByteArray(50, 'x')).first, Status::Complete);
    QCOMPARE(parse(post + "Content-Length: 51\r\n\r\n"), std::make_pair(Status::Failed, 413));

    const QByteArray chunked = post + "Transfer-Encoding: chunked\r\n\r\n";
    const QByteArray half = "19\r\n" + QByteArray(25, 'x') + "\r\n";
    QCOMPARE(parse(chunked + half + half + "0\r\n\r\n").first, Status::Complete);
    QCOMPARE(parse(chunked + half + half + "1\r\n"), std::make_pair(Status::Failed, 413));
    QCOMPARE(parse(chunked + half + "1a\r\n"), std::make_pair(Status::Failed, 413));

    // The trailer section may take up to maxHeadBytes including its blank line.
    const QByteArray trailerStart = "0\r\nT: "_ba;
    const auto trailersOfSize = [&](qsizetype size) -> QByteArray {
        return trailerStart + QByteArray(size - (trailerStart.size() - 3) - 4, 't') + "\r\n\r\n";
    };
    QCOMPARE(parse(chunked + trailersOfSize(256)).first, Status::Complete);
    QCOMPARE(parse(chunked + trailersOfSize(257)), std::make_pair(Status::Failed, 431));
}

void TestHttpRequestParser::keepAlive_data()
{
    QTest::addColumn<int>("versionMinor");
    QTest::addColumn<QByteArrayList>("connection"); // one Connection header per entry
    QTest::addColumn<bool>("keepAlive");

    QTest::newRow("1.1 default") << 1 << QByteArrayList() << true;
    QTest::newRow("1.1 close") << 1 << QByteArrayList{"close"} << false;
    QTest::newRow("1.1 CLOSE") << 1 << QByteArrayList{"CLOSE"} << false;
    QTest::newRow("1.1 keep-alive") << 1 << QByteArrayList{"keep-alive"} << true;
    QTest::newRow("1.1 keep-alive, close") << 1 << QByteArrayList{"keep-alive, close"} << false;
    QTest::newRow("1.1 close in second header") << 1 << QByteArrayList{"keep-alive", "close"} << false;
    QTest::newRow("1.1 upgrade") << 1 << QByteArrayList{"Upgrade"} << true;
    QTest::newRow("1.1 closed (not the token)") << 1 << QByteArrayList{"closed"} << true;
    QTest::newRow("1.1 empty") << 1 << QByteArrayList{""} << true;
    QTest::newRow("1.1 padded close") << 1 << QByteArrayList{"foo ,\tclose\t, bar"} << false;
    QTest::newRow("1.0 default") << 0 << QByteArrayList() << false;
    QTest::newRow("1.0 keep-alive") << 0 << QByteArrayList{"keep-alive"} << true;
    QTest::newRow("1.0 Keep-Alive") << 0 << QByteArrayList{"Keep-Alive"} << true;
    QTest::newRow("1.0 in list") << 0 << QByteArrayList{"foo, keep-alive"} << true;
    QTest::newRow("1.0 keep-alive, close") << 0 << QByteArrayList{"keep-alive, close"} << false;
    QTest::newRow("1.0 keep-alives") << 0 << QByteArrayList{"keep-alives"} << false;
    QTest::newRow("1.0 close") << 0 << QByteArrayList{"close"} << false;
}

void TestHttpRequestParser::keepAlive()
{
    QFETCH(int, versionMinor);
    QFETCH(QByteArrayList, connection);
    QFETCH(bool, keepAlive);

    QByteArray raw = "GET / HTTP/1." + QByteArray::number(versionMinor) + "\r\nHost: a\r\n";
    for (const QByteArray &value : std::as_const(connection))
        raw += "Connection: " + value + "\r\n";
    raw += "\r\n";
    HttpRequestParser parser;
    QCOMPARE(parser.feed(raw), Status::Complete);
    const HttpRequest request = parser.takeRequest();
    QCOMPARE(request.versionMinor, versionMinor);
    QCOMPARE(request.keepAlive(), keepAlive);
}

void TestHttpRequestParser::webSocketUpgrade_data()
{
    QTest::addColumn<QByteArray>("requestLine");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<bool>("upgrade");

    const QByteArray get = "GET /ws HTTP/1.1"_ba;
    QTest::newRow("standard") << get << "Upgrade: websocket\r\nConnection: Upgrade\r\n"_ba << true;
    QTest::newRow("mixed case") << get << "upgrade: WebSocket\r\nconnection: UPGRADE\r\n"_ba << true;
    QTest::newRow("Firefox connection list")
        << get << "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"_ba << true;
    QTest::newRow("upgrade list") << get << "Upgrade: h2c, websocket\r\nConnection: Upgrade\r\n"_ba << true;
    QTest::newRow("connection in two headers")
        << get << "Upgrade: websocket\r\nConnection: keep-alive\r\nConnection: upgrade\r\n"_ba << true;
    QTest::newRow("POST") << "POST /ws HTTP/1.1"_ba
                          << "Upgrade: websocket\r\nConnection: Upgrade\r\n"_ba << false;
    QTest::newRow("HEAD") << "HEAD /ws HTTP/1.1"_ba
                          << "Upgrade: websocket\r\nConnection: Upgrade\r\n"_ba << false;
    QTest::newRow("HTTP/1.0") << "GET /ws HTTP/1.0"_ba
                              << "Upgrade: websocket\r\nConnection: Upgrade\r\n"_ba << false;
    QTest::newRow("no Upgrade") << get << "Connection: Upgrade\r\n"_ba << false;
    QTest::newRow("no Connection") << get << "Upgrade: websocket\r\n"_ba << false;
    QTest::newRow("h2c") << get << "Upgrade: h2c\r\nConnection: Upgrade\r\n"_ba << false;
    QTest::newRow("websockets") << get << "Upgrade: websockets\r\nConnection: Upgrade\r\n"_ba << false;
    QTest::newRow("versioned product") << get << "Upgrade: websocket/13\r\nConnection: Upgrade\r\n"_ba << false;
    QTest::newRow("connection close") << get << "Upgrade: websocket\r\nConnection: close\r\n"_ba << false;
    QTest::newRow("connection upgrade-insecure")
        << get << "Upgrade: websocket\r\nConnection: upgrade-insecure\r\n"_ba << false;
    QTest::newRow("tokens swapped") << get << "Upgrade: Upgrade\r\nConnection: websocket\r\n"_ba << false;
}

void TestHttpRequestParser::webSocketUpgrade()
{
    QFETCH(QByteArray, requestLine);
    QFETCH(QByteArray, headers);
    QFETCH(bool, upgrade);

    HttpRequestParser parser;
    QCOMPARE(parser.feed(QByteArray(requestLine + "\r\nHost: a\r\nSec-WebSocket-Version: 13\r\n" + headers + "\r\n")),
             Status::Complete);
    QCOMPARE(parser.takeRequest().isWebSocketUpgrade(), upgrade);
}

void TestHttpRequestParser::headerLookupIsCaseInsensitive()
{
    HttpRequestParser parser;
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\nhOsT: a\r\nX-Api-Key: first\r\nx-api-key: second\r\n"
                         "Authorization: Bearer abc\r\n\r\n"),
             Status::Complete);
    const HttpRequest request = parser.takeRequest();
    QCOMPARE(request.header("host"), "a"_ba);
    QCOMPARE(request.header("HOST"), "a"_ba);
    QCOMPARE(request.header("X-API-KEY"), "first"_ba);
    QCOMPARE(request.header("x-api-key"), "first"_ba);
    QCOMPARE(request.header("authorization"), "Bearer abc"_ba);
    QCOMPARE(request.header("X-Missing"), QByteArray());
    QCOMPARE(request.header("X-Api-Ke"), QByteArray());
    QCOMPARE(request.header("X-Api-Keys"), QByteArray());
    QVERIFY(request.hasHeader("AUTHORIZATION"));
    QVERIFY(!request.hasHeader("X-Missing"));
    QVERIFY(!request.hasHeader(""));
    // Names are kept as sent.
    QCOMPARE(request.headers.at(0).first, "hOsT"_ba);
    QCOMPARE(request.headers.at(2).first, "x-api-key"_ba);
    QCOMPARE(request.headers.at(2).second, "second"_ba);
}

void TestHttpRequestParser::parseHead_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("status");
    QTest::addColumn<qsizetype>("headLength");
    QTest::addColumn<int>("errorStatus");

    const QByteArray upgrade = "GET /ws?token=abc HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"_ba;
    const int complete = int(Status::Complete);
    const int incomplete = int(Status::Incomplete);
    const int failed = int(Status::Failed);

    QTest::newRow("empty") << QByteArray() << incomplete << qsizetype(0) << 0;
    QTest::newRow("CR only") << "\r"_ba << incomplete << qsizetype(0) << 0;
    QTest::newRow("empty lines only") << "\r\n\r\n\r\n"_ba << incomplete << qsizetype(0) << 0;
    QTest::newRow("request line only") << "GET / HTTP/1.1\r\n"_ba << incomplete << qsizetype(0) << 0;
    QTest::newRow("partial header") << "GET / HTTP/1.1\r\nHo"_ba << incomplete << qsizetype(0) << 0;
    QTest::newRow("ends in CR") << "GET / HTTP/1.1\r\nHost: a\r\n\r"_ba << incomplete << qsizetype(0) << 0;
    QTest::newRow("upgrade") << upgrade << complete << upgrade.size() << 0;
    QTest::newRow("upgrade then frame bytes") << upgrade + "\x81\x85garbage"_ba << complete << upgrade.size() << 0;
    QTest::newRow("head then body") << "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"_ba << complete
                                    << qsizetype(47) << 0;
    QTest::newRow("leading empty lines counted") << "\r\n" + upgrade << complete << upgrade.size() + 2 << 0;
    QTest::newRow("incomplete at the limit")
        << "GET /" + QByteArray(16 * 1024 - 5, 'a') << incomplete << qsizetype(0) << 0;
    QTest::newRow("incomplete over the limit")
        << "GET /" + QByteArray(16 * 1024 - 4, 'a') << failed << qsizetype(0) << 431;
    QTest::newRow("complete over the limit") << "GET /" + QByteArray(16 * 1024, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n"
                                             << failed << qsizetype(0) << 431;
    QTest::newRow("bare LF detected early") << "GET / HTTP/1.1\nHo"_ba << failed << qsizetype(0) << 400;
    QTest::newRow("NUL detected early") << "GET /\0"_ba << failed << qsizetype(0) << 400;
    QTest::newRow("version") << "GET / HTTP/2.0\r\nHost: a\r\n\r\n"_ba << failed << qsizetype(0) << 505;
    QTest::newRow("body too large") << "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n"_ba << failed
                                    << qsizetype(0) << 413;
    QTest::newRow("TLS client hello") << "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"_ba << failed << qsizetype(0)
                                      << 400;
}

void TestHttpRequestParser::parseHead()
{
    QFETCH(QByteArray, data);
    QFETCH(int, status);
    QFETCH(qsizetype, headLength);
    QFETCH(int, errorStatus);

    const auto result = HttpRequestParser::parseHead(data);
    QCOMPARE(int(result.status), status);
    QCOMPARE(result.errorStatus, errorStatus);
    if (result.status == Status::Complete) {
        QCOMPARE(result.headLength, headLength);
        QVERIFY(result.request.body.isEmpty());
        QVERIFY(!result.request.method.isEmpty());
    }
    if (result.status == Status::Failed)
        QCOMPARE(result.error.code, expectedCode(errorStatus));
}

void TestHttpRequestParser::randomGarbage()
{
    // Random bytes, some of them HTTP-shaped, must end Failed or Incomplete and never hold more than the limits.
    static const QByteArrayList fragments = {
        "GET ",
        "POST ",
        "/",
        " HTTP/1.1",
        "\r\n",
        "\r\n\r\n",
        "Host: a",
        "Content-Length: ",
        "Transfer-Encoding: ",
        "chunked",
        ":",
        " ",
        "\t",
        "%",
        "?",
        "5",
        "0",
        "ff",
        "\n",
        "\r",
        "\0"_ba,
        "\xff",
    };
    QRandomGenerator random(20240601);
    const HttpLimits limits;
    int failed = 0;
    for (int round = 0; round < 400; ++round) {
        HttpRequestParser parser(limits);
        QByteArray sent;
        Status status = Status::Incomplete;
        for (int piece = 0; piece < 200 && status != Status::Failed; ++piece) {
            QByteArray bytes;
            if (random.bounded(2) == 0) {
                bytes = fragments.at(random.bounded(int(fragments.size())));
            } else {
                bytes.resize(random.bounded(1, 300));
                for (char &byte : bytes)
                    byte = char(random.bounded(256));
            }
            sent += bytes;
            status = parser.feed(bytes);
            while (status == Status::Complete) {
                const HttpRequest request = parser.takeRequest();
                QVERIFY(!request.method.isEmpty());
                QVERIFY(request.body.size() <= limits.maxBodyBytes);
                status = parser.parse();
            }
            if (status == Status::Incomplete)
                QVERIFY2(parser.bufferedBytes() <= limits.maxHeadBytes, qPrintable(QString::number(round)));
        }
        QVERIFY(status == Status::Failed || status == Status::Incomplete);
        if (status == Status::Failed) {
            ++failed;
            QVERIFY(QList<int>({400, 413, 431, 501, 505}).contains(parser.errorStatus()));
        }
        const auto head = HttpRequestParser::parseHead(sent, limits);
        if (head.status == Status::Incomplete)
            QVERIFY(sent.size() <= limits.maxHeadBytes);
        if (head.status == Status::Complete)
            QVERIFY(head.headLength <= std::min(sent.size(), limits.maxHeadBytes));
    }
    QVERIFY(failed > 0);
}

void TestHttpRequestParser::mutatedRequests()
{
    // Valid requests with a few random bytes changed, fed in random pieces: whatever the outcome, the parser
    // stays within its limits, and both Complete and Failed occur (so the mutations reach the deep states).
    const QByteArrayList seeds = {
        "GET /api/users?page=2 HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n"_ba,
        "POST /api/bills/1/updates HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n{\"a\":\"b\"}\r\n"_ba,
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n"_ba,
    };
    QRandomGenerator random(7);
    const HttpLimits limits{1024, 16, 4096};
    int completed = 0;
    int failed = 0;
    for (int round = 0; round < 3000; ++round) {
        QByteArray raw = seeds.at(round % seeds.size());
        const int mutations = random.bounded(1, 4);
        for (int m = 0; m < mutations; ++m) {
            const qsizetype at = random.bounded(int(raw.size()));
            switch (random.bounded(3)) {
            case 0:
                raw[at] = char(random.bounded(256));
                break;
            case 1:
                raw.insert(at, char(random.bounded(256)));
                break;
            default:
                raw.remove(at, 1);
                break;
            }
        }
        HttpRequestParser parser(limits);
        Status status = Status::Incomplete;
        for (qsizetype offset = 0; offset < raw.size() && status != Status::Failed;) {
            const qsizetype size = std::min<qsizetype>(random.bounded(1, 20), raw.size() - offset);
            status = parser.feed(QByteArrayView(raw).sliced(offset, size));
            offset += size;
            while (status == Status::Complete) {
                ++completed;
                QVERIFY(parser.takeRequest().body.size() <= limits.maxBodyBytes);
                status = parser.parse();
            }
            if (status == Status::Incomplete)
                QVERIFY(parser.bufferedBytes() <= limits.maxHeadBytes);
        }
        if (status == Status::Failed) {
            ++failed;
            QVERIFY(QList<int>({400, 413, 431, 501, 505}).contains(parser.errorStatus()));
            QVERIFY(!parser.error().message.isEmpty());
        }
    }
    QVERIFY(completed > 0);
    QVERIFY(failed > 0);
}

void TestHttpRequestParser::bearerToken_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("bearer") << QByteArray("Bearer abc.def") << QByteArray("abc.def");
    QTest::newRow("scheme case") << QByteArray("bEaReR abc") << QByteArray("abc");
    QTest::newRow("padded") << QByteArray("Bearer   abc  ") << QByteArray("abc");
    QTest::newRow("basic") << QByteArray("Basic dXNlcjpwdw==") << QByteArray();
    QTest::newRow("scheme only") << QByteArray("Bearer") << QByteArray();
    QTest::newRow("scheme and space") << QByteArray("Bearer ") << QByteArray();
    QTest::newRow("no space") << QByteArray("Bearerabc") << QByteArray();
    QTest::newRow("none") << QByteArray() << QByteArray();
}

void TestHttpRequestParser::bearerToken()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QByteArray, expected);
    QByteArray head = "GET / HTTP/1.1\r\nHost: x\r\n";
    if (!authorization.isNull())
        head += "Authorization: " + authorization + "\r\n";
    head += "\r\n";
    const HttpRequestParser::HeadResult result = HttpRequestParser::parseHead(head);
    QCOMPARE(result.status, HttpRequestParser::Status::Complete);
    QCOMPARE(result.request.bearerToken(), expected);
}

QTEST_GUILESS_MAIN(TestHttpRequestParser)
#include "tst_httprequestparser.moc"
