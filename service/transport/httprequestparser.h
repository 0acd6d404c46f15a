#pragma once

#include "protocol/result.h"
#include "transport/chunkedbodydecoder.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QUrlQuery>

namespace wsinfra {

/// One HTTP/1.0 or HTTP/1.1 request as received on the public port.
struct HttpRequest
{
    QByteArray method;                            // "GET"
    QByteArray target;                            // raw request target "/api/users?page=2"
    QByteArray path;                              // percent-decoded path "/api/users"
    QUrlQuery query;                              // decoded query
    int versionMinor = 1;                         // HTTP/1.<minor>; only 1.0 and 1.1 accepted
    QList<QPair<QByteArray, QByteArray>> headers; // names as sent, values trimmed
    QByteArray body;

    /// The value of the first header called `name` (compared case-insensitively), empty if there is none.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    /// Whether the connection stays open after the response: HTTP/1.1 unless "Connection: close",
    /// HTTP/1.0 only with "Connection: keep-alive".
    bool keepAlive() const;
    /// An RFC 6455 opening handshake: HTTP/1.1 GET with "Upgrade: websocket" and the "upgrade" token in
    /// Connection (both compared case-insensitively, both comma-separated lists).
    bool isWebSocketUpgrade() const;
    /// Whether any `name` header, read as a comma-separated list, holds `token` (case-insensitive).
    bool hasHeaderToken(QByteArrayView name, QByteArrayView token) const;
    /// The credentials of an "Authorization: Bearer ..." header (scheme case-insensitive); empty if none.
    QByteArray bearerToken() const;
};

/// Bounds that keep a hostile client from making the parser grow without limit.
struct HttpLimits
{
    qsizetype maxHeadBytes = 16 * 1024; // request line + headers + blank line (and the trailers of a chunked body)
    int maxHeaders = 100;
    qsizetype maxBodyBytes = 1024 * 1024;
};

/// An incremental HTTP/1.1 request parser for the server side. Bytes go in as they arrive; a request comes
/// out once its head and body are complete. It is strict where leniency lets requests be smuggled past a
/// proxy (CRLF only, no obsolete folding, no Content-Length together with Transfer-Encoding) and bounded by
/// HttpLimits everywhere. Once it has failed it stays failed: the connection is answered with errorStatus()
/// and closed.
class HttpRequestParser
{
public:
    enum class Status { Incomplete, Complete, Failed };

    /// What parseHead() found at the start of some bytes.
    struct HeadResult
    {
        Status status = Status::Incomplete;
        HttpRequest request;      // when Complete; the body is never read
        qsizetype headLength = 0; // when Complete: bytes up to and including the blank line
        Error error;              // when Failed
        int errorStatus = 0;      // when Failed
    };

    explicit HttpRequestParser(HttpLimits limits = {});

    /// Appends bytes and parses as far as possible. Complete: takeRequest() returns the request and the parser
    /// keeps any bytes after it (pipelining / keep-alive); call parse() again for the next one. While a request
    /// waits to be taken, further bytes are only buffered.
    Status feed(QByteArrayView bytes);
    /// Continues parsing the buffered bytes without new ones.
    Status parse();
    /// The completed request (an empty one unless the last result was Complete); the parser then starts on
    /// the next request with the bytes it kept.
    HttpRequest takeRequest();

    /// Why the request was rejected, when Failed.
    const Error &error() const { return m_error; }
    /// The HTTP status to answer a failed request with: 400, 413 (body too large), 431 (head too large or too
    /// many headers), 501 (unsupported transfer coding) or 505 (HTTP version).
    int errorStatus() const { return m_errorStatus; }
    /// Bytes received but not yet part of a taken request or a body being assembled.
    qsizetype bufferedBytes() const { return m_buffer.size() - m_consumed; }

    /// Parses just a request head (request line + headers, up to and including the blank line) from the start
    /// of data, without a body. Incomplete when the blank line has not arrived yet (and the bytes are within
    /// limits). The same rules as for a full request apply, including the Content-Length and
    /// Transfer-Encoding checks (so a body over the limit is already Failed with 413).
    static HeadResult parseHead(QByteArrayView data, const HttpLimits &limits = {});

private:
    enum class State { Head, Body, Chunked, Done, Failed };

    /// Where the search for the end of a head stopped, so feeding a head byte by byte stays linear.
    struct HeadScan
    {
        qsizetype position = 0;          // next byte to look at
        qsizetype lineStart = 0;         // first byte of the current line
        qsizetype requestLineStart = -1; // first byte of the request line, -1 while skipping empty lines
        qsizetype headEnd = 0;           // one past the blank line, once found
    };

    static Status scanHead(QByteArrayView data, HeadScan &scan, const HttpLimits &limits, Error &error,
                           int &errorStatus);
    Status parseHeadState();
    void readBody();
    Status fail(int status, const QString &message);

    HttpLimits m_limits;
    QByteArray m_buffer;
    qsizetype m_consumed = 0; // bytes at the front of m_buffer that belong to earlier requests or to m_request
    State m_state = State::Head;
    HeadScan m_scan;
    HttpRequest m_request;
    qint64 m_remaining = 0; // body bytes still to come (Content-Length)
    ChunkedBodyDecoder m_chunked;
    Error m_error;
    int m_errorStatus = 0;
};

} // namespace wsinfra
