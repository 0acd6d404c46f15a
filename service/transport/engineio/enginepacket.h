#pragma once

#include "protocol/result.h"
#include "transport/httprequestparser.h"
#include "transport/httpresponse.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace wsinfra {

/// One Engine.IO v4 packet (https://socket.io/docs/v4/engine-io-protocol/).
struct EnginePacket
{
    enum class Type : char {
        Open = '0',
        Close = '1',
        Ping = '2',
        Pong = '3',
        Message = '4',
        Upgrade = '5',
        Noop = '6'
    };
    Type type = Type::Message;
    QByteArray data;     // UTF-8 text after the type digit, or the raw bytes of a binary message
    bool binary = false; // only for Type::Message

    friend bool operator==(const EnginePacket &, const EnginePacket &) = default;
};

/// The Engine.IO v4 wire format. Decoders take bytes from clients and never trust them.
namespace EngineCodec {

/// "<digit><data>": a WebSocket text frame or one element of a polling payload. Fails on an empty frame, a
/// type that is not '0'..'6' and data that is not valid UTF-8.
Result<EnginePacket> decodeText(QByteArrayView frame);
/// A WebSocket binary frame: always a binary message.
EnginePacket decodeBinary(const QByteArray &frame);
/// A polling POST body: packets separated by \x1e, "b" + base64 for a binary message. Fails on an empty body,
/// an empty element (also a trailing separator), a bad element, and more than `maxPackets` elements.
Result<QList<EnginePacket>> decodePayload(QByteArrayView body, qsizetype maxPackets);
/// "<digit><data>". A binary message, which travels as a binary frame on a WebSocket, is written in its polling
/// form "b" + base64.
QByteArray encodeText(const EnginePacket &packet);
/// A polling GET body: encodeText() of each packet, separated by \x1e.
QByteArray encodePayload(const QList<EnginePacket> &packets);

} // namespace EngineCodec

/// What the query of a request at the Engine.IO path asks for.
struct EngineRequest
{
    enum class Transport { Polling, WebSocket };
    Transport transport = Transport::Polling;
    QString sid; // empty = handshake
};

/// The error codes of the protocol's HTTP error answers.
namespace EngineError {
inline constexpr int UnknownTransport = 0;
inline constexpr int UnknownSid = 1;
inline constexpr int BadHandshakeMethod = 2;
inline constexpr int BadRequest = 3;
inline constexpr int Forbidden = 4;
inline constexpr int UnsupportedProtocolVersion = 5;
} // namespace EngineError

/// Validates the query of a request at the Engine.IO path: EIO=4, transport=polling|websocket, sid.
/// Errors carry the protocol's numeric code in Error::code ("0".."5") and its message.
Result<EngineRequest> parseEngineRequest(const HttpRequest &request);
/// The protocol's error answer {"code":N,"message":"..."} (Content-Type application/json): HTTP 400, or 403 for
/// code 4 (Forbidden) as the reference server does. 0 Transport unknown, 1 Session ID unknown, 2 Bad handshake
/// method, 3 Bad request, 4 Forbidden, 5 Unsupported protocol version; any other code is answered as 3.
HttpResponse engineErrorResponse(int code);
/// The message of a protocol error code ("Transport unknown", ...).
QString engineErrorMessage(int code);

} // namespace wsinfra
