#pragma once

#include <QLatin1StringView>

namespace wsinfra {

/// WebSocket close codes of the wire contract (PROTOCOL.md). 4000-4499: reconnect with backoff;
/// 4500-4999: do not reconnect.
namespace CloseCode {
inline constexpr int Normal = 1000;
inline constexpr int GoingAway = 1001;
inline constexpr int ProtocolError = 1002;
inline constexpr int PolicyViolation = 1008;
inline constexpr int TooBig = 1009;
inline constexpr int InternalError = 1011;
inline constexpr int TryAgainLater = 1013;
inline constexpr int SlowConsumer = 4001;
inline constexpr int RateLimited = 4002;
inline constexpr int HeartbeatTimeout = 4003;
inline constexpr int ShedUnderPressure = 4004;
inline constexpr int TokenExpired = 4005;
inline constexpr int InvalidToken = 4500;
inline constexpr int TooManyProtocolErrors = 4501;
inline constexpr int DisconnectedByOperator = 4503;
inline constexpr int ConnectionLimit = 4504;
} // namespace CloseCode

/// The stable `code` strings of `error` frames and HTTP error bodies.
namespace ErrorCode {
inline constexpr QLatin1StringView BadRequest{"bad_request"};
inline constexpr QLatin1StringView RateLimited{"rate_limited"};
inline constexpr QLatin1StringView PayloadTooLarge{"payload_too_large"};
inline constexpr QLatin1StringView NotAuthorized{"not_authorized"};
inline constexpr QLatin1StringView UnrecoverablePosition{"unrecoverable_position"};
inline constexpr QLatin1StringView InvalidToken{"invalid_token"};
inline constexpr QLatin1StringView TokenExpired{"token_expired"};
inline constexpr QLatin1StringView TokenNotYetValid{"token_not_yet_valid"};
inline constexpr QLatin1StringView NotFound{"not_found"};
inline constexpr QLatin1StringView MethodNotAllowed{"method_not_allowed"};
inline constexpr QLatin1StringView TooManySubscriptions{"too_many_subscriptions"};
inline constexpr QLatin1StringView InvalidConfig{"invalid_config"};
inline constexpr QLatin1StringView Unavailable{"unavailable"};
inline constexpr QLatin1StringView InternalError{"internal_error"};
/// Socket.IO has no close codes: a connection the service closes gets an `error` event with this code
/// and the WebSocket close code as `close_code`.
inline constexpr QLatin1StringView ConnectionClosed{"connection_closed"};
/// A client over the per-user or per-address connection limit (Socket.IO CONNECT_ERROR data).
inline constexpr QLatin1StringView ConnectionLimit{"connection_limit"};
/// A browser page whose Origin is not in allowedOrigins (HTTP 403 before the WebSocket upgrade).
inline constexpr QLatin1StringView ForbiddenOrigin{"forbidden_origin"};
} // namespace ErrorCode

} // namespace wsinfra
