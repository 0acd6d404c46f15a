#include "transport/httprequestparser.h"

#include "protocol/codes.h"
#include "transport/httpsyntax.h"

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsinfra {

using namespace HttpSyntax;

namespace {

bool percentDecodePath(QByteArrayView raw, QByteArray &decoded)
{
    decoded.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw[i] != '%') {
            decoded.append(raw[i]);
            continue;
        }
        if (i + 2 >= raw.size())
            return false;
        const int high = hexValue(raw[i + 1]);
        const int low = hexValue(raw[i + 2]);
        if (high < 0 || low < 0)
            return false;
        const int byte = high * 16 + low;
        if (byte == 0)
            return false;
        decoded.append(static_cast<char>(byte));
        i += 2;
    }
    return true;
}

struct HeadFailure
{
    int status = 0;
    QString message;
};

struct ParsedHead
{
    HttpRequest request;
    bool chunked = false;
    qint64 contentLength = 0;
    HeadFailure failure;
};

bool parseRequestLine(QByteArrayView line, HttpRequest &request, HeadFailure &failure)
{
    const auto bad = [&failure](QString message) {
        failure = {StatusBadRequest, std::move(message)};
        return false;
    };
    const qsizetype methodEnd = line.indexOf(' ');
    if (methodEnd <= 0)
        return bad(u"malformed request line"_s);
    const QByteArrayView method = line.first(methodEnd);
    if (!std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        return bad(u"invalid method"_s);
    const QByteArrayView rest = line.sliced(methodEnd + 1);
    const qsizetype targetEnd = rest.indexOf(' ');
    if (targetEnd <= 0)
        return bad(u"malformed request line"_s);
    const QByteArrayView target = rest.first(targetEnd);
    const QByteArrayView version = rest.sliced(targetEnd + 1);

    // The version goes first so that an HTTP/2 preface ("PRI * HTTP/2.0") is answered with 505.
    const auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
    if (version.size() != 8 || !version.startsWith("HTTP/") || !isDigit(version[5]) || version[6] != '.' ||
        !isDigit(version[7])) {
        return bad(u"malformed HTTP version"_s);
    }
    if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
        failure = {StatusVersionNotSupported, u"only HTTP/1.0 and HTTP/1.1 are supported"_s};
        return false;
    }
    request.versionMinor = version[7] - '0';

    const bool visibleAscii = std::all_of(target.begin(), target.end(), [](char c) {
        const auto u = static_cast<uchar>(c);
        return u > 0x20 && u < 0x7f && c != '#';
    });
    if (!visibleAscii)
        return bad(u"invalid character in request target"_s);
    request.method = method.toByteArray();
    request.target = target.toByteArray();
    if (target == "*") {
        if (method != "OPTIONS")
            return bad(u"asterisk-form target is only allowed for OPTIONS"_s);
        request.path = request.target;
        return true;
    }
    if (target.front() != '/')
        return bad(u"request target must start with '/'"_s);
    const qsizetype questionMark = target.indexOf('?');
    const QByteArrayView rawPath = questionMark < 0 ? target : target.first(questionMark);
    if (!percentDecodePath(rawPath, request.path))
        return bad(u"invalid percent-encoding in path"_s);
    if (questionMark >= 0)
        request.query.setQuery(QString::fromLatin1(target.sliced(questionMark + 1)));
    return true;
}

// Reads the decimal value of a Content-Length header; -1 when it is not digits only or overflows.
qint64 parseContentLength(QByteArrayView value)
{
    if (value.isEmpty())
        return -1;
    qint64 length = 0;
    for (const char c : value) {
        if (c < '0' || c > '9')
            return -1;
        const int digit = c - '0';
        if (length > (std::numeric_limits<qint64>::max() - digit) / 10)
            return -1;
        length = length * 10 + digit;
    }
    return length;
}

// Decides how the body is framed, rejecting the ambiguous combinations that enable request smuggling.
bool parseFraming(ParsedHead &head, const HttpLimits &limits)
{
    const auto fail = [&head](int status, QString message) {
        head.failure = {status, std::move(message)};
        return false;
    };
    int hostCount = 0;
    bool hasContentLength = false;
    bool hasTransferEncoding = false;
    int codings = 0;
    int chunkedCodings = 0;
    for (const auto &[name, value] : std::as_const(head.request.headers)) {
        if (equalsIgnoreCase(name, "host")) {
            ++hostCount;
        } else if (equalsIgnoreCase(name, "content-length")) {
            const qint64 length = parseContentLength(value);
            if (length < 0)
                return fail(StatusBadRequest, u"invalid Content-Length"_s);
            if (hasContentLength && length != head.contentLength)
                return fail(StatusBadRequest, u"conflicting Content-Length headers"_s);
            hasContentLength = true;
            head.contentLength = length;
        } else if (equalsIgnoreCase(name, "transfer-encoding")) {
            hasTransferEncoding = true;
            forEachListElement(value, [&](QByteArrayView coding) {
                ++codings;
                if (equalsIgnoreCase(coding, "chunked"))
                    ++chunkedCodings;
            });
        }
    }
    // RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
    if (hostCount > 1)
        return fail(StatusBadRequest, u"more than one Host header"_s);
    if (hostCount == 0 && head.request.versionMinor == 1)
        return fail(StatusBadRequest, u"missing Host header"_s);
    if (hasTransferEncoding) {
        if (hasContentLength)
            return fail(StatusBadRequest, u"both Content-Length and Transfer-Encoding"_s);
        // RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
        if (head.request.versionMinor == 0)
            return fail(StatusBadRequest, u"Transfer-Encoding in an HTTP/1.0 request"_s);
        if (codings == 0)
            return fail(StatusBadRequest, u"empty Transfer-Encoding"_s);
        if (chunkedCodings != codings)
            return fail(StatusNotImplemented, u"unsupported transfer coding"_s);
        if (codings > 1)
            return fail(StatusBadRequest, u"chunked applied more than once"_s);
        head.chunked = true;
        return true;
    }
    if (head.contentLength > limits.maxBodyBytes)
        return fail(StatusPayloadTooLarge, u"request body too large"_s);
    return true;
}

// Parses the lines of a head whose end has been found: data[requestLineStart, headEnd) holds CRLF-terminated
// lines and the final empty line.
ParsedHead parseHeadLines(QByteArrayView data, qsizetype requestLineStart, qsizetype headEnd, const HttpLimits &limits)
{
    ParsedHead head;
    const auto fail = [&head](int status, QString message) {
        head.failure = {status, std::move(message)};
        return head;
    };
    const qsizetype linesEnd = headEnd - 2; // without the blank line's CRLF
    qsizetype lineStart = requestLineStart;
    bool requestLine = true;
    while (lineStart < linesEnd) {
        const qsizetype lineEnd = data.indexOf("\r\n", lineStart);
        const QByteArrayView line = data.sliced(lineStart, lineEnd - lineStart);
        lineStart = lineEnd + 2;
        if (requestLine) {
            requestLine = false;
            if (!parseRequestLine(line, head.request, head.failure))
                return head;
            continue;
        }
        if (line.front() == ' ' || line.front() == '\t')
            return fail(StatusBadRequest, u"obsolete line folding"_s);
        if (head.request.headers.size() >= limits.maxHeaders)
            return fail(StatusHeaderFieldsTooLarge, u"too many header fields"_s);
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            return fail(StatusBadRequest, u"header line without a colon"_s);
        const QByteArrayView name = line.first(colon);
        if (!isToken(name))
            return fail(StatusBadRequest, u"invalid header name"_s);
        const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
        if (!isFieldValue(value))
            return fail(StatusBadRequest, u"control character in header value"_s);
        head.request.headers.append({name.toByteArray(), value.toByteArray()});
    }
    parseFraming(head, limits);
    return head;
}

Error makeError(int status, const QString &message)
{
    const bool tooLarge = status == StatusPayloadTooLarge || status == StatusHeaderFieldsTooLarge;
    return Error{tooLarge ? QString(ErrorCode::PayloadTooLarge) : QString(ErrorCode::BadRequest), message};
}

} // namespace

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[headerName, value] : headers) {
        if (equalsIgnoreCase(headerName, name))
            return value;
    }
    return {};
}

bool HttpRequest::hasHeader(QByteArrayView name) const
{
    return std::any_of(headers.begin(), headers.end(),
                       [name](const auto &header) { return equalsIgnoreCase(header.first, name); });
}

bool HttpRequest::hasHeaderToken(QByteArrayView name, QByteArrayView token) const
{
    bool found = false;
    for (const auto &[headerName, value] : headers) {
        if (!equalsIgnoreCase(headerName, name))
            continue;
        forEachListElement(value, [&](QByteArrayView element) { found = found || equalsIgnoreCase(element, token); });
    }
    return found;
}

bool HttpRequest::keepAlive() const
{
    if (hasHeaderToken("Connection", "close"))
        return false;
    return versionMinor >= 1 || hasHeaderToken("Connection", "keep-alive");
}

QByteArray HttpRequest::bearerToken() const
{
    const QByteArray authorization = header("authorization");
    if (authorization.size() > 7 && authorization.first(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return authorization.mid(7).trimmed();
    return {};
}

bool HttpRequest::isWebSocketUpgrade() const
{
    return method == "GET" && versionMinor >= 1 && hasHeaderToken("Upgrade", "websocket") &&
           hasHeaderToken("Connection", "upgrade");
}

HttpRequestParser::HttpRequestParser(HttpLimits limits)
    : m_limits(limits), m_chunked(limits.maxBodyBytes, limits.maxHeadBytes)
{
}

HttpRequestParser::Status HttpRequestParser::feed(QByteArrayView bytes)
{
    if (m_state == State::Failed)
        return Status::Failed;
    // Compacting here rather than per request keeps a burst of pipelined requests linear; clearing a fully
    // consumed buffer also returns the memory of a large body on an idle keep-alive connection.
    if (m_consumed == m_buffer.size())
        m_buffer.clear();
    else if (m_consumed > 0)
        m_buffer.remove(0, m_consumed);
    m_consumed = 0;
    m_buffer.append(bytes.data(), bytes.size());
    return parse();
}

HttpRequestParser::Status HttpRequestParser::parse()
{
    while (true) {
        switch (m_state) {
        case State::Failed:
            return Status::Failed;
        case State::Done:
            return Status::Complete;
        case State::Head:
            if (const Status status = parseHeadState(); status != Status::Complete)
                return status;
            break;
        case State::Body:
            readBody();
            if (m_remaining > 0)
                return Status::Incomplete;
            m_state = State::Done;
            break;
        case State::Chunked: {
            qsizetype used = 0;
            const ChunkedBodyDecoder::Status status =
                m_chunked.decode(QByteArrayView(m_buffer).sliced(m_consumed), m_request.body, used);
            m_consumed += used;
            if (status == ChunkedBodyDecoder::Status::Failed)
                return fail(m_chunked.errorStatus(), m_chunked.errorMessage());
            if (status == ChunkedBodyDecoder::Status::Incomplete)
                return Status::Incomplete;
            m_state = State::Done;
            break;
        }
        }
    }
}

HttpRequest HttpRequestParser::takeRequest()
{
    if (m_state != State::Done)
        return {};
    HttpRequest request = std::move(m_request);
    m_request = {};
    m_state = State::Head;
    return request;
}

HttpRequestParser::HeadResult HttpRequestParser::parseHead(QByteArrayView data, const HttpLimits &limits)
{
    HeadResult result;
    HeadScan scan;
    result.status = scanHead(data, scan, limits, result.error, result.errorStatus);
    if (result.status != Status::Complete)
        return result;
    ParsedHead head = parseHeadLines(data, scan.requestLineStart, scan.headEnd, limits);
    if (head.failure.status != 0) {
        result.status = Status::Failed;
        result.errorStatus = head.failure.status;
        result.error = makeError(head.failure.status, head.failure.message);
        return result;
    }
    result.request = std::move(head.request);
    result.headLength = scan.headEnd;
    return result;
}

HttpRequestParser::Status HttpRequestParser::scanHead(QByteArrayView data, HeadScan &scan, const HttpLimits &limits,
                                                      Error &error, int &errorStatus)
{
    const auto fail = [&](int status, const QString &message) {
        errorStatus = status;
        error = makeError(status, message);
        return Status::Failed;
    };
    const auto tooLarge = [&] { return fail(StatusHeaderFieldsTooLarge, u"request head too large"_s); };
    qsizetype i = scan.position;
    while (i < data.size()) {
        if (i >= limits.maxHeadBytes)
            return tooLarge();
        const char c = data[i];
        if (c == '\r') {
            if (i + 1 >= data.size())
                break; // wait for the byte after CR
            if (data[i + 1] != '\n')
                return fail(StatusBadRequest, u"CR without LF in request head"_s);
            if (i == scan.lineStart && scan.requestLineStart >= 0) {
                scan.headEnd = i + 2;
                scan.position = scan.headEnd;
                if (scan.headEnd > limits.maxHeadBytes)
                    return tooLarge();
                return Status::Complete;
            }
            // Empty lines before the request line are tolerated (RFC 9112 2.2).
            if (i != scan.lineStart && scan.requestLineStart < 0)
                scan.requestLineStart = scan.lineStart;
            i += 2;
            scan.lineStart = i;
            continue;
        }
        if (c == '\n')
            return fail(StatusBadRequest, u"LF without CR in request head"_s);
        if (c == '\0')
            return fail(StatusBadRequest, u"NUL in request head"_s);
        ++i;
    }
    scan.position = i;
    if (data.size() > limits.maxHeadBytes)
        return tooLarge();
    return Status::Incomplete;
}

HttpRequestParser::Status HttpRequestParser::parseHeadState()
{
    const QByteArrayView rest = QByteArrayView(m_buffer).sliced(m_consumed);
    const Status status = scanHead(rest, m_scan, m_limits, m_error, m_errorStatus);
    if (status == Status::Failed) {
        m_state = State::Failed;
        return status;
    }
    if (status == Status::Incomplete)
        return status;
    ParsedHead head = parseHeadLines(rest, m_scan.requestLineStart, m_scan.headEnd, m_limits);
    if (head.failure.status != 0)
        return fail(head.failure.status, head.failure.message);
    m_consumed += m_scan.headEnd;
    m_scan = {};
    m_request = std::move(head.request);
    m_remaining = 0;
    if (head.chunked) {
        m_chunked = ChunkedBodyDecoder(m_limits.maxBodyBytes, m_limits.maxHeadBytes);
        m_state = State::Chunked;
    } else if (head.contentLength > 0) {
        m_remaining = head.contentLength;
        m_state = State::Body;
    } else {
        m_state = State::Done;
    }
    return Status::Complete;
}

void HttpRequestParser::readBody()
{
    const qint64 take = std::min<qint64>(m_remaining, m_buffer.size() - m_consumed);
    m_request.body.append(m_buffer.constData() + m_consumed, take);
    m_consumed += take;
    m_remaining -= take;
}

HttpRequestParser::Status HttpRequestParser::fail(int status, const QString &message)
{
    m_state = State::Failed;
    m_errorStatus = status;
    m_error = makeError(status, message);
    return Status::Failed;
}

} // namespace wsinfra
