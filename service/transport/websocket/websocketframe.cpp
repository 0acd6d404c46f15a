#include "transport/websocket/websocketframe.h"

#include "util/utf8.h"

#include <QtEndian>

#include <cstdint>
#include <cstring>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr unsigned char FinBit = 0x80;
constexpr unsigned char RsvBits = 0x70;
constexpr unsigned char OpCodeBits = 0x0F;
constexpr unsigned char MaskBit = 0x80;
constexpr unsigned char LengthBits = 0x7F;
constexpr qint64 MaxControlPayload = 125;
constexpr qsizetype MaxCloseReasonBytes = 123;

constexpr int ProtocolError = 1002;
constexpr int InvalidPayload = 1007;
constexpr int MessageTooBig = 1009;

bool isControl(WebSocketFrame::OpCode opCode)
{
    return quint8(opCode) >= 0x8;
}

bool isKnownOpCode(quint8 value)
{
    return value <= 0x2 || (value >= 0x8 && value <= 0xA);
}

// What a peer may send us: the codes of isValidCloseCode plus 1012-1014 (service restart, try again
// later, bad gateway), which IANA registered after RFC 6455 and which servers send to browsers.
bool isReceivableCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

} // namespace

namespace WebSocketFrame {

qsizetype headerSize(qint64 payloadLength)
{
    if (payloadLength <= MaxControlPayload)
        return 2;
    if (payloadLength <= 0xFFFF)
        return 4;
    return 10;
}

void append(QByteArray &out, OpCode opCode, QByteArrayView payload)
{
    uchar header[10];
    const qint64 length = payload.size();
    header[0] = uchar(FinBit | quint8(opCode));
    qsizetype size = 2;
    if (length <= MaxControlPayload) {
        header[1] = uchar(length);
    } else if (length <= 0xFFFF) {
        header[1] = 126;
        qToBigEndian(quint16(length), header + 2);
        size = 4;
    } else {
        header[1] = 127;
        qToBigEndian(quint64(length), header + 2);
        size = 10;
    }
    out.append(reinterpret_cast<const char *>(header), size);
    out.append(payload);
}

QByteArray encode(OpCode opCode, QByteArrayView payload)
{
    QByteArray out;
    out.reserve(headerSize(payload.size()) + payload.size());
    append(out, opCode, payload);
    return out;
}

QByteArray closePayload(int code, QStringView reason)
{
    if (code == 0)
        return {};
    // 124 UTF-16 units encode to at least 124 bytes, and a surrogate pair cut at the end only affects
    // bytes past 123, so converting no more than that keeps a long reason cheap.
    QByteArray utf8 = reason.first(qMin<qsizetype>(reason.size(), MaxCloseReasonBytes + 1)).toUtf8();
    qsizetype cut = utf8.size();
    if (cut > MaxCloseReasonBytes) {
        cut = MaxCloseReasonBytes;
        // Back off to the start of the character that does not fit.
        while (cut > 0 && (uchar(utf8.at(cut)) & 0xC0) == 0x80)
            --cut;
    }
    QByteArray out;
    out.reserve(2 + cut);
    out.append(char((code >> 8) & 0xFF));
    out.append(char(code & 0xFF));
    out.append(QByteArrayView(utf8).first(cut));
    return out;
}

bool isValidCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
}

} // namespace WebSocketFrame

using WebSocketFrame::OpCode;

WebSocketFrameParser::WebSocketFrameParser(qint64 maxMessageBytes) : m_maxMessageBytes(qMax<qint64>(0, maxMessageBytes))
{
}

void WebSocketFrameParser::setMaxMessageBytes(qint64 maxMessageBytes)
{
    m_maxMessageBytes = qMax<qint64>(0, maxMessageBytes);
}

bool WebSocketFrameParser::hasFailed() const
{
    return m_failed;
}

qsizetype WebSocketFrameParser::bufferedBytes() const
{
    return m_headerBytes + m_message.size() + m_control.size();
}

void WebSocketFrameParser::feed(QByteArrayView bytes, QList<Event> &events)
{
    const char *data = bytes.data();
    qsizetype size = bytes.size();
    while (size > 0 && !m_failed && !m_closed) {
        if (!m_inFrame) {
            const qsizetype taken = readHeader(data, size, events);
            data += taken;
            size -= taken;
            if (!m_inFrame)
                continue; // the header is incomplete (all bytes taken) or invalid
        }
        const auto chunk = qsizetype(qMin<qint64>(m_payloadRemaining, size));
        if (chunk > 0) {
            QByteArray &target = isControl(m_opCode) ? m_control : m_message;
            // Exactly the chunk when a frame starts a buffer: a whole frame in one read is one
            // allocation of its size. Later chunks grow it geometrically (QByteArray::resize).
            if (target.isEmpty())
                target.reserve(chunk);
            unmaskInto(target, data, chunk);
            data += chunk;
            size -= chunk;
            m_payloadRemaining -= chunk;
        }
        if (m_payloadRemaining == 0)
            finishFrame(events);
    }
}

qsizetype WebSocketFrameParser::readHeader(const char *data, qsizetype size, QList<Event> &events)
{
    qsizetype taken = 0;
    if (m_headerBytes < 2) {
        while (m_headerBytes < 2 && taken < size)
            m_header[m_headerBytes++] = uchar(data[taken++]);
        if (m_headerBytes < 2)
            return taken;
        // Reject what the first two bytes already show, before waiting for the rest of the header.
        if (!checkFirstTwoBytes(events))
            return taken;
    }
    const unsigned char length7 = m_header[1] & LengthBits;
    const qsizetype extendedBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
    const qsizetype headerBytes = 2 + extendedBytes + 4;
    const qsizetype copy = qMin(headerBytes - m_headerBytes, size - taken);
    std::memcpy(m_header.data() + m_headerBytes, data + taken, size_t(copy));
    m_headerBytes += copy;
    taken += copy;
    if (m_headerBytes == headerBytes)
        startFrame(events);
    return taken;
}

bool WebSocketFrameParser::checkFirstTwoBytes(QList<Event> &events)
{
    const unsigned char first = m_header[0];
    const unsigned char second = m_header[1];
    const quint8 opCodeValue = first & OpCodeBits;
    if (first & RsvBits) {
        fail(ProtocolError, u"reserved bits set without a negotiated extension"_s, events);
        return false;
    }
    if (!isKnownOpCode(opCodeValue)) {
        fail(ProtocolError, u"unknown opcode %1"_s.arg(opCodeValue), events);
        return false;
    }
    if (!(second & MaskBit)) {
        fail(ProtocolError, u"unmasked client frame"_s, events);
        return false;
    }
    const auto opCode = OpCode(opCodeValue);
    if (isControl(opCode)) {
        if (!(first & FinBit)) {
            fail(ProtocolError, u"fragmented control frame"_s, events);
            return false;
        }
    } else if (opCode == OpCode::Continuation) {
        if (!m_messageInProgress) {
            fail(ProtocolError, u"continuation frame without a message"_s, events);
            return false;
        }
    } else if (m_messageInProgress) {
        fail(ProtocolError, u"new message before the fragmented one ended"_s, events);
        return false;
    }
    return true;
}

bool WebSocketFrameParser::startFrame(QList<Event> &events)
{
    const unsigned char length7 = m_header[1] & LengthBits;
    qsizetype position = 2;
    quint64 length = length7;
    if (length7 == 126) {
        length = qFromBigEndian<quint16>(m_header.data() + position);
        position += 2;
    } else if (length7 == 127) {
        length = qFromBigEndian<quint64>(m_header.data() + position);
        position += 8;
        if (length >> 63) {
            fail(ProtocolError, u"payload length with the most significant bit set"_s, events);
            return false;
        }
    }
    std::memcpy(m_mask.data(), m_header.data() + position, m_mask.size());

    const auto opCode = OpCode(m_header[0] & OpCodeBits);
    const auto payloadLength = qint64(length);
    if (isControl(opCode)) {
        if (payloadLength > MaxControlPayload) {
            fail(ProtocolError, u"control frame of %1 bytes (at most 125)"_s.arg(payloadLength), events);
            return false;
        }
        if (payloadLength > m_maxMessageBytes) {
            fail(MessageTooBig,
                 u"frame of %1 bytes exceeds the limit of %2"_s.arg(payloadLength).arg(m_maxMessageBytes), events);
            return false;
        }
    } else if (payloadLength > m_maxMessageBytes - m_message.size()) {
        // m_message holds the earlier fragments; comparing this way cannot overflow.
        fail(MessageTooBig,
             u"message of more than %1 bytes exceeds the limit of %2"_s
                 .arg(m_message.size() + qMin(payloadLength, m_maxMessageBytes))
                 .arg(m_maxMessageBytes),
             events);
        return false;
    }

    m_final = m_header[0] & FinBit;
    m_opCode = opCode;
    if (opCode == OpCode::Text || opCode == OpCode::Binary) {
        m_messageInProgress = true;
        m_messageOpCode = opCode;
    }
    m_payloadRemaining = payloadLength;
    m_payloadOffset = 0;
    m_headerBytes = 0;
    m_inFrame = true;
    return true;
}

void WebSocketFrameParser::finishFrame(QList<Event> &events)
{
    m_inFrame = false;
    switch (m_opCode) {
    case OpCode::Ping:
        events.append({Event::Kind::Ping, std::exchange(m_control, {}), 0, {}});
        return;
    case OpCode::Pong:
        events.append({Event::Kind::Pong, std::exchange(m_control, {}), 0, {}});
        return;
    case OpCode::Close:
        finishClose(events);
        return;
    case OpCode::Continuation:
    case OpCode::Text:
    case OpCode::Binary:
        break;
    }
    if (!m_final)
        return;
    m_messageInProgress = false;
    if (m_messageOpCode == OpCode::Text) {
        if (!isValidUtf8(m_message)) {
            fail(InvalidPayload, u"text message is not valid UTF-8"_s, events);
            return;
        }
        events.append({Event::Kind::Text, std::exchange(m_message, {}), 0, {}});
    } else {
        events.append({Event::Kind::Binary, std::exchange(m_message, {}), 0, {}});
    }
}

void WebSocketFrameParser::finishClose(QList<Event> &events)
{
    const QByteArray payload = std::exchange(m_control, {});
    if (payload.size() == 1) {
        fail(ProtocolError, u"close frame with a 1-byte payload"_s, events);
        return;
    }
    int code = 1005; // RFC 6455 7.1.5: no status code was present
    QString reason;
    if (!payload.isEmpty()) {
        code = qFromBigEndian<quint16>(payload.constData());
        if (!isReceivableCloseCode(code)) {
            fail(ProtocolError, u"invalid close code %1"_s.arg(code), events);
            return;
        }
        const QByteArrayView reasonBytes = QByteArrayView(payload).sliced(2);
        if (!isValidUtf8(reasonBytes)) {
            fail(InvalidPayload, u"close reason is not valid UTF-8"_s, events);
            return;
        }
        reason = QString::fromUtf8(reasonBytes);
    }
    events.append({Event::Kind::Close, {}, code, reason});
    m_closed = true;
    m_message = QByteArray();
    m_messageInProgress = false;
}

void WebSocketFrameParser::fail(int closeCode, const QString &reason, QList<Event> &events)
{
    events.append({Event::Kind::Error, {}, closeCode, reason});
    m_failed = true;
    m_inFrame = false;
    m_headerBytes = 0;
    m_message = QByteArray();
    m_control = QByteArray();
}

void WebSocketFrameParser::unmaskInto(QByteArray &target, const char *data, qsizetype size)
{
    const qsizetype oldSize = target.size();
    target.resize(oldSize + size);
    char *out = target.data() + oldSize;
    // The mask key rotated to this chunk's position and repeated over eight bytes: 8 is a multiple
    // of 4, so every eight-byte step starts at the same key position.
    const auto start = size_t(m_payloadOffset & 3);
    unsigned char key[8];
    for (size_t k = 0; k < sizeof key; ++k)
        key[k] = m_mask[(start + k) & 3];
    std::uint64_t keyWord;
    std::memcpy(&keyWord, key, sizeof keyWord);
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + i, sizeof word);
        word ^= keyWord;
        std::memcpy(out + i, &word, sizeof word);
    }
    for (; i < size; ++i)
        out[i] = char(uchar(data[i]) ^ key[i & 7]);
    m_payloadOffset += size;
}

} // namespace wsinfra
