#pragma once

#include "transport/httpresponse.h"

#include <QByteArray>

#include <optional>

namespace wsinfra {

struct HttpRequest;

/// The server's side of the WebSocket opening handshake (RFC 6455 section 4.2).
namespace WebSocketHandshake {

/// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
QByteArray acceptKey(QByteArrayView clientKey);
/// Why an upgrade request (already known to ask for `Upgrade: websocket`) cannot be accepted, as the
/// answer to send: 426 with `Sec-WebSocket-Version: 13` for another protocol version, 400 for a missing
/// or malformed Sec-WebSocket-Key. nullopt when it can be accepted.
std::optional<HttpResponse> refusal(const HttpRequest &request);

} // namespace WebSocketHandshake
} // namespace wsinfra
