#include "transport/websocket/websockethandshake.h"

#include "protocol/codes.h"
#include "transport/httprequestparser.h"

#include <QCryptographicHash>

using namespace Qt::StringLiterals;

namespace wsinfra::WebSocketHandshake {

namespace {

constexpr QByteArrayView KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// A key is 16 random bytes in base64 (RFC 6455 4.1): 24 characters.
constexpr qsizetype KeyLength = 24;
constexpr qsizetype KeyBytes = 16;

} // namespace

QByteArray acceptKey(QByteArrayView clientKey)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    hash.addData(clientKey);
    hash.addData(KeyGuid);
    return hash.result().toBase64();
}

std::optional<HttpResponse> refusal(const HttpRequest &request)
{
    if (request.header("Sec-WebSocket-Version").trimmed() != "13") {
        HttpResponse answer = HttpResponse::error(426, ErrorCode::BadRequest,
                                                  u"unsupported WebSocket version: this server speaks version 13"_s);
        answer.headers.append({"Sec-WebSocket-Version"_ba, "13"_ba});
        return answer;
    }
    const QByteArray key = request.header("Sec-WebSocket-Key").trimmed();
    const auto decoded = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    if (key.size() != KeyLength || !decoded || decoded.decoded.size() != KeyBytes)
        return HttpResponse::error(400, ErrorCode::BadRequest,
                                   u"Sec-WebSocket-Key must be 16 bytes in base64 (RFC 6455 4.1)"_s);
    return std::nullopt;
}

} // namespace wsinfra::WebSocketHandshake
