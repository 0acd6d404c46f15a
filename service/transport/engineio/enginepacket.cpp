#include "transport/engineio/enginepacket.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr char RecordSeparator = '\x1e';

Error packetError(const QString &message)
{
    return Error{QString::number(EngineError::BadRequest), message};
}

Result<EnginePacket> decodeElement(QByteArrayView element)
{
    if (element.startsWith('b')) {
        // A binary message in a polling payload.
        const QByteArray::FromBase64Result decoded =
            QByteArray::fromBase64Encoding(element.sliced(1).toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return packetError(u"invalid base64 in a binary packet"_s);
        return EnginePacket{EnginePacket::Type::Message, *decoded, true};
    }
    return EngineCodec::decodeText(element);
}

} // namespace

namespace EngineCodec {

Result<EnginePacket> decodeText(QByteArrayView frame)
{
    if (frame.isEmpty())
        return packetError(u"empty packet"_s);
    const char type = frame.front();
    if (type < '0' || type > '6')
        return packetError(u"unknown packet type"_s);
    const QByteArrayView data = frame.sliced(1);
    if (!data.isValidUtf8())
        return packetError(u"packet data is not valid UTF-8"_s);
    return EnginePacket{EnginePacket::Type(type), data.toByteArray(), false};
}

EnginePacket decodeBinary(const QByteArray &frame)
{
    return EnginePacket{EnginePacket::Type::Message, frame, true};
}

Result<QList<EnginePacket>> decodePayload(QByteArrayView body, qsizetype maxPackets)
{
    if (body.isEmpty())
        return packetError(u"empty payload"_s);
    QList<EnginePacket> packets;
    qsizetype start = 0;
    while (true) {
        if (packets.size() >= maxPackets)
            return packetError(u"too many packets in one payload"_s);
        const qsizetype separator = body.indexOf(RecordSeparator, start);
        const qsizetype end = separator < 0 ? body.size() : separator;
        Result<EnginePacket> packet = decodeElement(body.sliced(start, end - start));
        if (!packet)
            return packet.error();
        packets.append(std::move(packet).value());
        if (separator < 0)
            return packets;
        start = separator + 1;
    }
}

QByteArray encodeText(const EnginePacket &packet)
{
    if (packet.type == EnginePacket::Type::Message && packet.binary)
        return 'b' + packet.data.toBase64();
    return char(packet.type) + packet.data;
}

QByteArray encodePayload(const QList<EnginePacket> &packets)
{
    QByteArray payload;
    for (const EnginePacket &packet : packets) {
        if (!payload.isEmpty())
            payload += RecordSeparator;
        payload += encodeText(packet);
    }
    return payload;
}

} // namespace EngineCodec

Result<EngineRequest> parseEngineRequest(const HttpRequest &request)
{
    const auto fail = [](int code) {
        return Result<EngineRequest>::failure(QString::number(code), engineErrorMessage(code));
    };
    const QString transport = request.query.queryItemValue(u"transport"_s, QUrl::FullyDecoded);
    EngineRequest parsed;
    if (transport == "polling"_L1)
        parsed.transport = EngineRequest::Transport::Polling;
    else if (transport == "websocket"_L1)
        parsed.transport = EngineRequest::Transport::WebSocket;
    else
        return fail(EngineError::UnknownTransport);
    // Only v4 is spoken: EIO=3 clients (and those sending no version at all) are refused.
    if (request.query.queryItemValue(u"EIO"_s, QUrl::FullyDecoded) != "4"_L1)
        return fail(EngineError::UnsupportedProtocolVersion);
    parsed.sid = request.query.queryItemValue(u"sid"_s, QUrl::FullyDecoded);
    return parsed;
}

QString engineErrorMessage(int code)
{
    switch (code) {
    case EngineError::UnknownTransport:
        return u"Transport unknown"_s;
    case EngineError::UnknownSid:
        return u"Session ID unknown"_s;
    case EngineError::BadHandshakeMethod:
        return u"Bad handshake method"_s;
    case EngineError::Forbidden:
        return u"Forbidden"_s;
    case EngineError::UnsupportedProtocolVersion:
        return u"Unsupported protocol version"_s;
    default:
        return u"Bad request"_s;
    }
}

HttpResponse engineErrorResponse(int code)
{
    if (code < EngineError::UnknownTransport || code > EngineError::UnsupportedProtocolVersion)
        code = EngineError::BadRequest;
    return HttpResponse::json(code == EngineError::Forbidden ? 403 : 400,
                              QJsonObject{{u"code"_s, code}, {u"message"_s, engineErrorMessage(code)}});
}

} // namespace wsinfra
