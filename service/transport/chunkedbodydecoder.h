// chunkedbodydecoder.h: ChunkedBodyDecoder, which decodes a request body sent with
// "Transfer-Encoding: chunked" for HttpRequestParser.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace wsinfra {

/// Decodes a body sent with "Transfer-Encoding: chunked" (RFC 9112 7.1) as its bytes arrive: chunk-size
/// lines (extensions are checked and ignored), chunk data and the CRLF after it, then the trailer
/// section, which is checked and dropped. Bounded throughout: the decoded body by maxBodyBytes (413), a
/// chunk-size line by 4 KiB, the trailer section with its blank line by maxTrailerBytes (431). Once it has
/// failed it stays failed. One decoder serves one body.
class ChunkedBodyDecoder
{
public:
    enum class Status { Incomplete, Complete, Failed };

    ChunkedBodyDecoder(qsizetype maxBodyBytes, qsizetype maxTrailerBytes);

    /// Decodes what it can of data, the bytes that follow those earlier calls consumed: appends chunk data to
    /// body and adds the bytes of data it used up to consumed. Complete once the blank line that ends the
    /// trailer section is read; whatever follows it is left in data.
    Status decode(QByteArrayView data, QByteArray &body, qsizetype &consumed);

    /// The HTTP status to answer with when Failed: 400, 413 (body too large) or 431 (trailers too large).
    int errorStatus() const { return m_errorStatus; }
    /// Why the body was rejected, when Failed.
    const QString &errorMessage() const { return m_errorMessage; }

private:
    enum class State { Size, Data, DataEnd, Trailers, Done, Failed };

    // Each reads one piece at the start of data and adds its length to consumed; Complete means it did and
    // decoding goes on.
    Status readSize(QByteArrayView data, qsizetype bodySize, qsizetype &consumed);
    Status readDataEnd(QByteArrayView data, qsizetype &consumed);
    Status readTrailer(QByteArrayView data, qsizetype &consumed);
    Status fail(int status, const QString &message);

    qsizetype m_maxBodyBytes;
    qsizetype m_maxTrailerBytes;
    State m_state = State::Size;
    qint64 m_remaining = 0; // bytes of the current chunk still to come
    qsizetype m_trailerBytes = 0;
    int m_errorStatus = 0;
    QString m_errorMessage;
};

} // namespace wsinfra
