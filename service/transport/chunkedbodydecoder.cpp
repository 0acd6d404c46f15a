// chunkedbodydecoder.cpp: the state machine of the chunked transfer coding (see chunkedbodydecoder.h).
#include "transport/chunkedbodydecoder.h"

#include "transport/httpsyntax.h"

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsinfra {

using namespace HttpSyntax;

namespace {

// A chunk-size line is a hex number and rarely used extensions; anything longer is an attack.
constexpr qsizetype MaxChunkSizeLine = 4096;

enum class LineScan { NeedMore, Found, TooLong, Malformed };

// Finds a CRLF-terminated line at the start of data that is at most maxLength bytes long (without the CRLF).
LineScan findLine(QByteArrayView data, qsizetype maxLength, qsizetype &lineLength)
{
    const qsizetype limit = std::min(data.size(), maxLength + 2);
    for (qsizetype i = 0; i < limit; ++i) {
        const char c = data[i];
        if (c == '\n') {
            if (i == 0 || data[i - 1] != '\r')
                return LineScan::Malformed;
            lineLength = i - 1;
            return LineScan::Found;
        }
        if (c == '\0' || (c == '\r' && i + 1 < data.size() && data[i + 1] != '\n'))
            return LineScan::Malformed;
    }
    return data.size() >= maxLength + 2 ? LineScan::TooLong : LineScan::NeedMore;
}

} // namespace

ChunkedBodyDecoder::ChunkedBodyDecoder(qsizetype maxBodyBytes, qsizetype maxTrailerBytes)
    : m_maxBodyBytes(maxBodyBytes), m_maxTrailerBytes(maxTrailerBytes)
{
}

ChunkedBodyDecoder::Status ChunkedBodyDecoder::decode(QByteArrayView data, QByteArray &body, qsizetype &consumed)
{
    consumed = 0;
    while (true) {
        const QByteArrayView rest = data.sliced(consumed);
        Status status = Status::Complete;
        switch (m_state) {
        case State::Failed:
            return Status::Failed;
        case State::Done:
            return Status::Complete;
        case State::Size:
            status = readSize(rest, body.size(), consumed);
            break;
        case State::Data: {
            const qint64 take = std::min<qint64>(m_remaining, rest.size());
            body.append(rest.data(), take);
            consumed += take;
            m_remaining -= take;
            if (m_remaining > 0)
                return Status::Incomplete;
            m_state = State::DataEnd;
            break;
        }
        case State::DataEnd:
            status = readDataEnd(rest, consumed);
            break;
        case State::Trailers:
            status = readTrailer(rest, consumed);
            break;
        }
        if (status != Status::Complete)
            return status;
    }
}

ChunkedBodyDecoder::Status ChunkedBodyDecoder::readSize(QByteArrayView data, qsizetype bodySize, qsizetype &consumed)
{
    qsizetype lineLength = 0;
    switch (findLine(data, MaxChunkSizeLine, lineLength)) {
    case LineScan::NeedMore:
        return Status::Incomplete;
    case LineScan::TooLong:
    case LineScan::Malformed:
        return fail(StatusBadRequest, u"malformed chunk size line"_s);
    case LineScan::Found:
        break;
    }
    const QByteArrayView line = data.first(lineLength);
    const qint64 budget = m_maxBodyBytes - bodySize;
    qint64 size = 0;
    qsizetype digits = 0;
    for (; digits < line.size(); ++digits) {
        const int value = hexValue(line[digits]);
        if (value < 0)
            break;
        if (size > (std::numeric_limits<qint64>::max() - value) / 16)
            return fail(StatusPayloadTooLarge, u"request body too large"_s);
        size = size * 16 + value;
        if (size > budget)
            return fail(StatusPayloadTooLarge, u"request body too large"_s);
    }
    if (digits == 0)
        return fail(StatusBadRequest, u"malformed chunk size"_s);
    // What follows the size may only be chunk extensions: BWS ";" ..., which are ignored.
    const QByteArrayView extensions = trimmedOws(line.sliced(digits));
    if ((!extensions.isEmpty() && extensions.front() != ';') || !isFieldValue(extensions))
        return fail(StatusBadRequest, u"malformed chunk extension"_s);
    consumed += lineLength + 2;
    if (size == 0) {
        m_trailerBytes = 0;
        m_state = State::Trailers;
    } else {
        m_remaining = size;
        m_state = State::Data;
    }
    return Status::Complete;
}

ChunkedBodyDecoder::Status ChunkedBodyDecoder::readDataEnd(QByteArrayView data, qsizetype &consumed)
{
    if ((data.size() >= 1 && data[0] != '\r') || (data.size() >= 2 && data[1] != '\n'))
        return fail(StatusBadRequest, u"chunk data not followed by CRLF"_s);
    if (data.size() < 2)
        return Status::Incomplete;
    consumed += 2;
    m_state = State::Size;
    return Status::Complete;
}

ChunkedBodyDecoder::Status ChunkedBodyDecoder::readTrailer(QByteArrayView data, qsizetype &consumed)
{
    qsizetype lineLength = 0;
    // The trailer section, blank line included, is bounded like a head.
    const qsizetype budget = m_maxTrailerBytes - m_trailerBytes - 2;
    if (budget < 0)
        return fail(StatusHeaderFieldsTooLarge, u"chunked trailers too large"_s);
    switch (findLine(data, budget, lineLength)) {
    case LineScan::NeedMore:
        return Status::Incomplete;
    case LineScan::TooLong:
        return fail(StatusHeaderFieldsTooLarge, u"chunked trailers too large"_s);
    case LineScan::Malformed:
        return fail(StatusBadRequest, u"malformed trailer line"_s);
    case LineScan::Found:
        break;
    }
    const QByteArrayView line = data.first(lineLength);
    consumed += lineLength + 2;
    m_trailerBytes += lineLength + 2;
    if (line.isEmpty()) {
        m_state = State::Done;
        return Status::Complete;
    }
    // Trailers are skipped, but only well-formed ones: a field line must be "name: value".
    const qsizetype colon = line.indexOf(':');
    if (colon < 0 || !isToken(line.first(colon)) || !isFieldValue(line.sliced(colon + 1)))
        return fail(StatusBadRequest, u"malformed trailer line"_s);
    return Status::Complete;
}

ChunkedBodyDecoder::Status ChunkedBodyDecoder::fail(int status, const QString &message)
{
    m_state = State::Failed;
    m_errorStatus = status;
    m_errorMessage = message;
    return Status::Failed;
}

} // namespace wsinfra
