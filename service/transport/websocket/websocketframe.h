#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringView>

#include <array>

namespace wsinfra {

/// The server side of RFC 6455 framing: what a server writes. Server frames are never masked, and we
/// never fragment, so every frame is final. A publish is framed once and the same bytes go to every
/// recipient.
namespace WebSocketFrame {

enum class OpCode : quint8 { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };

/// Header bytes of an unmasked final server frame with `payloadLength` bytes (2, 4 or 10 bytes).
qsizetype headerSize(qint64 payloadLength);
/// Appends one unmasked, final server frame (header + payload) to `out`.
void append(QByteArray &out, OpCode opCode, QByteArrayView payload);
/// The same as a new buffer (reserve exactly headerSize + payload).
QByteArray encode(OpCode opCode, QByteArrayView payload);
/// Payload of a close frame: the code big-endian, then the reason in UTF-8 cut to at most 123 bytes
/// on a character boundary. Code 0: empty payload (no status).
QByteArray closePayload(int code, QStringView reason);
/// Whether a close code may appear in a close frame on the wire (RFC 6455 7.4: 1000-1003, 1007-1011,
/// 3000-4999).
bool isValidCloseCode(int code);

} // namespace WebSocketFrame

/// Reads a client's frames (RFC 6455 section 5) from a byte stream that arrives in arbitrary pieces.
///
/// Strict, as a server may be: a client frame must be masked, no RSV bit may be set (we negotiate no
/// extension), control frames are final and at most 125 bytes, a text message must be valid UTF-8
/// (checked after reassembly). A close code from the peer is accepted if it is 1000-1003, 1007-1014 or
/// 3000-4999 (the registered codes a peer may send, and the application range); anything else is a
/// protocol error. Non-minimal 16/64-bit length encodings are accepted (RFC 6455 does not forbid them).
/// Size limits are checked on the frame header, so a hostile length never allocates anything.
///
/// Payloads are unmasked straight into the event's buffer: a complete frame in one feed() costs one
/// allocation, and only the header of an incomplete frame (at most 14 bytes) and the payload received
/// so far are held between feeds. Nothing may follow a client's close frame, so after a Close event,
/// as after an Error, further input is ignored.
class WebSocketFrameParser
{
public:
    struct Event
    {
        enum class Kind { Text, Binary, Ping, Pong, Close, Error };
        Kind kind = Kind::Error;
        QByteArray payload; ///< Text: the whole message in UTF-8 (validated); Binary; Ping/Pong payload
        int closeCode = 0;  ///< Close: the peer's code (1005 when it sent none); Error: the code to close with
        QString reason;     ///< Close: the peer's reason; Error: what was wrong, for the close frame and logs
    };

    /// `maxMessageBytes`: a message (all its fragments) or frame larger than this is an Error 1009,
    /// detected from the frame header, before its payload is buffered.
    explicit WebSocketFrameParser(qint64 maxMessageBytes);
    /// Applies from the next frame header on.
    void setMaxMessageBytes(qint64 maxMessageBytes);
    /// Consumes `bytes`, appending every complete event to `events`. After an Error (the last event it
    /// appends) the parser ignores all further input (hasFailed() is true).
    void feed(QByteArrayView bytes, QList<Event> &events);
    bool hasFailed() const;
    /// Bytes held for an incomplete frame or fragmented message (memory accounting and tests).
    qsizetype bufferedBytes() const;

private:
    static constexpr qsizetype MaxHeaderBytes = 14;

    /// Takes header bytes from `data`; returns how many it took. m_inFrame is set once the header is
    /// complete and valid.
    qsizetype readHeader(const char *data, qsizetype size, QList<Event> &events);
    bool checkFirstTwoBytes(QList<Event> &events);
    bool startFrame(QList<Event> &events);
    void finishFrame(QList<Event> &events);
    void finishClose(QList<Event> &events);
    void fail(int closeCode, const QString &reason, QList<Event> &events);
    /// Unmasks `size` payload bytes onto the end of `target`.
    void unmaskInto(QByteArray &target, const char *data, qsizetype size);

    qint64 m_maxMessageBytes;
    bool m_failed = false;
    bool m_closed = false;

    // The frame being read.
    std::array<unsigned char, MaxHeaderBytes> m_header{};
    qsizetype m_headerBytes = 0;
    bool m_inFrame = false; // header complete, payload being read
    bool m_final = false;
    WebSocketFrame::OpCode m_opCode = WebSocketFrame::OpCode::Continuation;
    std::array<unsigned char, 4> m_mask{};
    qint64 m_payloadRemaining = 0;
    qint64 m_payloadOffset = 0; // bytes of this frame's payload unmasked so far (the mask position)

    // The data message being assembled (its frames so far), and a control frame's payload.
    bool m_messageInProgress = false;
    WebSocketFrame::OpCode m_messageOpCode = WebSocketFrame::OpCode::Text;
    QByteArray m_message;
    QByteArray m_control;
};

} // namespace wsinfra
