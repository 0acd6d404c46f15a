// configschema.cpp: the table of the options of wsinfra-service and its compile-time checks.
#include "core/configschema.h"

#include "core/configvalue.h"
#include "core/serviceconfig.h"

#include <climits>

using namespace Qt::StringLiterals;

namespace wsinfra {
namespace {

using namespace ConfigUnit;
using T = ConfigType;
using C = ConfigCheck;
using S = ServiceConfig;

// The schema: the single source of truth for the loader, --help, the docs and --print-config.
// Columns: key, environment variable, flag, type, default, minimum, maximum, help, secret, check, member.
constexpr ConfigOption kOptions[] = {
    {"port"_L1, "WSINFRA_PORT"_L1, "port"_L1, T::Int, "3000"_L1, 0, 65535,
     "Port of the public listener (0 picks a free port)"_L1, false, C::None, &S::port},
    {"bind"_L1, "WSINFRA_BIND"_L1, "bind"_L1, T::String, "0.0.0.0"_L1, 0, 0, "Address of the public listener"_L1, false,
     C::IpAddress, &S::bind},
    {"controlPort"_L1, "WSINFRA_CONTROL_PORT"_L1, "control-port"_L1, T::Int, "3001"_L1, 0, 65535,
     "Port of the control listener for the console (0 picks a free port)"_L1, false, C::None, &S::controlPort},
    {"controlBind"_L1, "WSINFRA_CONTROL_BIND"_L1, "control-bind"_L1, T::String, "127.0.0.1"_L1, 0, 0,
     "Address of the control listener"_L1, false, C::IpAddress, &S::controlBind},
    {"controlToken"_L1, "WSINFRA_CONTROL_TOKEN"_L1, QLatin1StringView(), T::String, ""_L1, 0, 0,
     "Token the console must present on the control port (empty: the control port is not opened)"_L1, true, C::None,
     &S::controlToken},
    {"controlInterval"_L1, "WSINFRA_CONTROL_INTERVAL"_L1, "control-interval"_L1, T::Milliseconds, "1s"_L1, 50, Minute,
     "How often the console is sent what changed"_L1, false, C::None, &S::controlIntervalMs},
    {"controlTls"_L1, "WSINFRA_CONTROL_TLS"_L1, "control-tls"_L1, T::Bool, "false"_L1, 0, 1,
     "The control port speaks TLS (wss) with tlsCertFile and tlsKeyFile; it may then listen on any address"_L1, false,
     C::None, &S::controlTls},
    {"tlsCertFile"_L1, "WSINFRA_TLS_CERT"_L1, "tls-cert"_L1, T::String, ""_L1, 0, 0,
     "PEM certificate (then its intermediates) of the public port; with tlsKeyFile set, that port speaks only TLS 1.2+ (https, wss) and SIGHUP re-reads both files"_L1,
     false, C::None, &S::tlsCertFile},
    {"tlsKeyFile"_L1, "WSINFRA_TLS_KEY"_L1, "tls-key"_L1, T::String, ""_L1, 0, 0,
     "Unencrypted PEM private key (RSA or EC) of tlsCertFile; keep it readable by the service only"_L1, false, C::None,
     &S::tlsKeyFile},
    {"apiKey"_L1, "WSINFRA_API_KEY"_L1, QLatin1StringView(), T::String, ""_L1, 0, 0,
     "API key of the HTTP publish and query API"_L1, true, C::None, &S::apiKey},
    {"jwtSecret"_L1, "JWT_SECRET"_L1, QLatin1StringView(), T::String, ""_L1, 0, 0,
     "HS256 secret that client tokens are signed with"_L1, true, C::None, &S::jwtSecret},
    {"allowAnonymous"_L1, "WSINFRA_ALLOW_ANONYMOUS"_L1, "allow-anonymous"_L1, T::Bool, "false"_L1, 0, 1,
     "Accept clients without a token (they may subscribe to bills only)"_L1, false, C::None, &S::allowAnonymous},
    {"maxConnections"_L1, "WEBSOCKET_MAX_CONNECTIONS"_L1, "max-connections"_L1, T::Int, "10000"_L1, 1, 10000000,
     "Maximum number of client connections"_L1, false, C::None, &S::maxConnections},
    {"maxConnectionsPerIp"_L1, "WSINFRA_MAX_CONNECTIONS_PER_IP"_L1, "max-connections-per-ip"_L1, T::Int, "0"_L1, 0,
     10000000, "Maximum connections from one IP address (0 = unlimited)"_L1, false, C::None, &S::maxConnectionsPerIp},
    {"maxConnectionsPerUser"_L1, "WSINFRA_MAX_CONNECTIONS_PER_USER"_L1, "max-connections-per-user"_L1, T::Int, "0"_L1,
     0, 10000000, "Maximum connections of one user (0 = unlimited)"_L1, false, C::None, &S::maxConnectionsPerUser},
    {"connectionRatePerIp"_L1, "WSINFRA_CONNECTION_RATE_PER_IP"_L1, "connection-rate-per-ip"_L1, T::Int, "0"_L1, 0,
     1000000,
     "New WebSockets and Socket.IO sessions one client address may open per second, more get 429 (0 = unlimited; off by default because every client behind a carrier NAT or an unlisted proxy shares one address)"_L1,
     false, C::None, &S::connectionRatePerIp},
    {"connectionBurstPerIp"_L1, "WSINFRA_CONNECTION_BURST_PER_IP"_L1, "connection-burst-per-ip"_L1, T::Int, "40"_L1, 1,
     1000000, "New connections one client address may open at once above connectionRatePerIp"_L1, false, C::None,
     &S::connectionBurstPerIp},
    {"maxPendingRequests"_L1, "WSINFRA_MAX_PENDING_REQUESTS"_L1, "max-pending-requests"_L1, T::Int, "4096"_L1, 1,
     10000000,
     "Connections whose request head has not arrived plus connections the HTTP API holds; beyond it new connections get 503 at once"_L1,
     false, C::None, &S::maxPendingRequests},
    {"maxPendingRequestsPerIp"_L1, "WSINFRA_MAX_PENDING_REQUESTS_PER_IP"_L1, "max-pending-requests-per-ip"_L1, T::Int,
     "128"_L1, 0, 10000000,
     "The same from one peer address, trusted proxies excepted; beyond it 503 at once (0 = unlimited)"_L1, false,
     C::None, &S::maxPendingRequestsPerIp},
    {"heartbeatInterval"_L1, "WEBSOCKET_HEARTBEAT_INTERVAL"_L1, "heartbeat-interval"_L1, T::Milliseconds, "30s"_L1, 100,
     Hour, "Interval of the pings the service sends to clients"_L1, false, C::None, &S::heartbeatIntervalMs},
    {"connectionTimeout"_L1, "WEBSOCKET_CONNECTION_TIMEOUT"_L1, "connection-timeout"_L1, T::Milliseconds, "60s"_L1, 200,
     Day, "Close a connection silent for this long (must exceed the heartbeat interval)"_L1, false, C::None,
     &S::connectionTimeoutMs},
    {"maxPayload"_L1, "WSINFRA_MAX_PAYLOAD"_L1, "max-payload"_L1, T::Bytes, "64KB"_L1, 128, 64 * MiB,
     "Largest message a client may send"_L1, false, C::None, &S::maxPayloadBytes},
    {"messagesPerSecond"_L1, "WSINFRA_MESSAGES_PER_SECOND"_L1, "messages-per-second"_L1, T::Int, "100"_L1, 1, 1000000,
     "Messages per second a connection may send, sustained"_L1, false, C::None, &S::messagesPerSecond},
    {"messageBurst"_L1, "WSINFRA_MESSAGE_BURST"_L1, "message-burst"_L1, T::Int, "200"_L1, 1, 1000000,
     "Messages a connection may send in a burst above that rate"_L1, false, C::None, &S::messageBurst},
    {"rateLimitMaxViolations"_L1, "WSINFRA_RATE_LIMIT_MAX_VIOLATIONS"_L1, "rate-limit-max-violations"_L1, T::Int,
     "20"_L1, 1, 1000000, "Refused messages before a connection is closed with code 4002"_L1, false, C::None,
     &S::rateLimitMaxViolations},
    {"maxSubscriptionsPerConnection"_L1, "WSINFRA_MAX_SUBSCRIPTIONS"_L1, "max-subscriptions"_L1, T::Int, "1000"_L1, 1,
     1000000, "Maximum subscriptions of one connection"_L1, false, C::None, &S::maxSubscriptionsPerConnection},
    {"historySize"_L1, "WSINFRA_HISTORY_SIZE"_L1, "history-size"_L1, T::Int, "1000"_L1, 0, 1000000,
     "Messages kept per bill for recovery (0 = none)"_L1, false, C::None, &S::historySize},
    {"historyTtl"_L1, "WSINFRA_HISTORY_TTL"_L1, "history-ttl"_L1, T::Milliseconds, "24h"_L1, 1000, 365 * Day,
     "How long history messages are kept"_L1, false, C::None, &S::historyTtlMs},
    {"notificationInboxSize"_L1, "NOTIFICATION_INBOX_SIZE"_L1, "notification-inbox-size"_L1, T::Int, "100"_L1, 0,
     100000, "Unacknowledged notifications kept per user for redelivery on connect (0 = off)"_L1, false, C::None,
     &S::notificationInboxSize},
    {"notificationInboxTtl"_L1, "NOTIFICATION_INBOX_TTL"_L1, "notification-inbox-ttl"_L1, T::Milliseconds, "24h"_L1,
     1000, 365 * Day, "How long an unacknowledged notification is kept"_L1, false, C::None, &S::notificationInboxTtlMs},
    {"notificationInboxMaxEntries"_L1, "NOTIFICATION_INBOX_MAX_ENTRIES"_L1, "notification-inbox-max-entries"_L1, T::Int,
     "100000"_L1, 1, 100000000, "Unacknowledged notifications kept over all users (the oldest give way)"_L1, false,
     C::None, &S::notificationInboxMaxEntries},
    {"notificationInboxMaxBytes"_L1, "NOTIFICATION_INBOX_MAX_BYTES"_L1, "notification-inbox-max-bytes"_L1, T::Bytes,
     "64MB"_L1, 64 * KiB, 64 * GiB, "Memory the kept notifications may take over all users (the oldest give way)"_L1,
     false, C::None, &S::notificationInboxMaxBytes},
    {"ioThreads"_L1, "WSINFRA_IO_THREADS"_L1, "io-threads"_L1, T::Int, "0"_L1, 0, 256,
     "Threads serving connections (0 = number of cores)"_L1, false, C::None, &S::ioThreads},
    {"eventDispatcher"_L1, "WSINFRA_EVENT_DISPATCHER"_L1, "event-dispatcher"_L1, T::String, "epoll"_L1, 0, 0,
     "Event loop of the main and I/O threads: epoll (cost per turn grows with ready sockets only) or qt (Qt's poll() dispatcher)"_L1,
     false, C::EventDispatcher, &S::eventDispatcher},
    {"memoryLimit"_L1, "WSINFRA_MEMORY_LIMIT"_L1, "memory-limit"_L1, T::Bytes, "0"_L1, 0, 16 * TiB,
     "Memory budget the thresholds are percentages of (0 = cgroup limit, else physical memory)"_L1, false, C::None,
     &S::memoryLimitBytes},
    {"memoryWarningThreshold"_L1, "MEMORY_WARNING_THRESHOLD"_L1, "memory-warning-threshold"_L1, T::Int, "70"_L1, 1, 100,
     "Memory use in percent of the budget that raises a warning"_L1, false, C::None, &S::memoryWarningThreshold},
    {"memoryCriticalThreshold"_L1, "MEMORY_CRITICAL_THRESHOLD"_L1, "memory-critical-threshold"_L1, T::Int, "85"_L1, 1,
     100, "Memory use in percent of the budget that starts degradation"_L1, false, C::None,
     &S::memoryCriticalThreshold},
    {"memoryEmergencyThreshold"_L1, "MEMORY_EMERGENCY_THRESHOLD"_L1, "memory-emergency-threshold"_L1, T::Int, "95"_L1,
     1, 100, "Memory use in percent of the budget that refuses new connections"_L1, false, C::None,
     &S::memoryEmergencyThreshold},
    {"maxQueuedBytes"_L1, "WSINFRA_MAX_QUEUED_BYTES"_L1, "max-queued-bytes"_L1, T::Bytes, "1MB"_L1, 4 * KiB, 1 * GiB,
     "Outbound bytes one connection may hold before bill updates and broadcasts are shed"_L1, false, C::None,
     &S::maxQueuedBytes},
    {"slowConsumerGrace"_L1, "WSINFRA_SLOW_CONSUMER_GRACE"_L1, "slow-consumer-grace"_L1, T::Milliseconds, "10s"_L1, 0,
     Hour, "How long a connection may stay over its outbound budget before it is closed with 4001"_L1, false, C::None,
     &S::slowConsumerGraceMs},
    {"deliveryPriorities"_L1, "WSINFRA_DELIVERY_PRIORITIES"_L1, "delivery-priorities"_L1, T::String,
     "notification,bill_update,broadcast"_L1, 0, 0,
     "Order in which waiting messages go to a congested client (shedding order stays bill_update, broadcast)"_L1, false,
     C::PriorityOrder, &S::deliveryPriorities},
    {"messageBatchSize"_L1, "MESSAGE_BATCH_SIZE"_L1, "message-batch-size"_L1, T::Int, "50"_L1, 1, 10000,
     "Most messages sent to a connection in one batch"_L1, false, C::None, &S::messageBatchSize},
    {"messageBatchDelay"_L1, "MESSAGE_BATCH_DELAY"_L1, "message-batch-delay"_L1, T::Milliseconds, "10ms"_L1, 0,
     10 * Second, "Longest wait to fill a batch"_L1, false, C::None, &S::messageBatchDelayMs},
    {"dedupeCacheSize"_L1, "DEDUPE_CACHE_SIZE"_L1, "dedupe-cache-size"_L1, T::Int, "10000"_L1, 0, 10000000,
     "Message ids remembered to drop duplicates (0 = off)"_L1, false, C::None, &S::dedupeCacheSize},
    {"dedupeWindow"_L1, "DEDUPE_WINDOW"_L1, "dedupe-window"_L1, T::Milliseconds, "5m"_L1, 0, Day,
     "How long message ids are remembered"_L1, false, C::None, &S::dedupeWindowMs},
    {"redisUrl"_L1, "REDIS_URL"_L1, "redis-url"_L1, T::String, ""_L1, 0, 0,
     "Redis that joins several nodes, redis://[:password@]host[:port][/db], or rediss:// for TLS with the server's certificate verified (empty = single node)"_L1,
     false, C::RedisUrl, &S::redisUrl},
    {"redisTlsCaFile"_L1, "WSINFRA_REDIS_TLS_CA"_L1, "redis-tls-ca"_L1, T::String, ""_L1, 0, 0,
     "PEM file of the CA certificates trusted for a rediss:// redisUrl, instead of the system's (empty: the system's)"_L1,
     false, C::None, &S::redisTlsCaFile},
    {"redisTimeout"_L1, "REDIS_TIMEOUT"_L1, "redis-timeout"_L1, T::Milliseconds, "2s"_L1, 50, Minute,
     "Longest wait for Redis to answer a command or the watchdog's PING before the link counts as lost"_L1, false,
     C::None, &S::redisTimeoutMs},
    {"redisRetryDelayOnFailover"_L1, "REDIS_RETRY_DELAY"_L1, "redis-retry-delay"_L1, T::Milliseconds, "100ms"_L1, 10,
     Minute, "First delay before reconnecting to Redis; it doubles (with jitter) up to 5 s"_L1, false, C::None,
     &S::redisRetryDelayMs},
    {"redisEnableCompression"_L1, "REDIS_ENABLE_COMPRESSION"_L1, "redis-enable-compression"_L1, T::Bool, "true"_L1, 0,
     1, "Compress payloads between nodes above the compression threshold"_L1, false, C::None,
     &S::redisEnableCompression},
    {"redisCompressionThreshold"_L1, "REDIS_COMPRESSION_THRESHOLD"_L1, "redis-compression-threshold"_L1, T::Bytes,
     "1024"_L1, 0, 64 * MiB, "Payloads larger than this are compressed between nodes"_L1, false, C::None,
     &S::redisCompressionThreshold},
    {"shutdownTimeout"_L1, "WSINFRA_SHUTDOWN_TIMEOUT"_L1, "shutdown-timeout"_L1, T::Milliseconds, "10s"_L1, 0,
     10 * Minute, "Longest time to drain connections on shutdown"_L1, false, C::None, &S::shutdownTimeoutMs},
    {"maxHttpBody"_L1, "WSINFRA_MAX_HTTP_BODY"_L1, "max-http-body"_L1, T::Bytes, "1MB"_L1, 1024, 64 * MiB,
     "Largest body of an HTTP API request"_L1, false, C::None, &S::maxHttpBodyBytes},
    {"requestHeadTimeout"_L1, "WSINFRA_REQUEST_HEAD_TIMEOUT"_L1, "request-head-timeout"_L1, T::Milliseconds, "10s"_L1,
     100, 10 * Minute, "Longest wait for a new connection's request head (slow clients are answered 408)"_L1, false,
     C::None, &S::requestHeadTimeoutMs},
    {"memoryCheckInterval"_L1, "MEMORY_CHECK_INTERVAL"_L1, "memory-check-interval"_L1, T::Milliseconds, "10s"_L1, 100,
     Hour, "Interval of memory measurements"_L1, false, C::None, &S::memoryCheckIntervalMs},
    {"healthCheckInterval"_L1, "HEALTH_CHECK_INTERVAL"_L1, "health-check-interval"_L1, T::Milliseconds, "5s"_L1, 100,
     Hour, "Interval of health evaluation"_L1, false, C::None, &S::healthCheckIntervalMs},
    {"maxLatencySamples"_L1, "MAX_LATENCY_SAMPLES"_L1, "max-latency-samples"_L1, T::Int, "1000"_L1, 1, 1000000,
     "Latest delivery latencies kept for the p50/p99 in the metrics"_L1, false, C::None, &S::maxLatencySamples},
    {"socketioPingInterval"_L1, "SOCKETIO_PING_INTERVAL"_L1, "socketio-ping-interval"_L1, T::Milliseconds, "25s"_L1,
     100, Hour, "Interval of the Engine.IO pings the service sends to Socket.IO clients"_L1, false, C::None,
     &S::socketioPingIntervalMs},
    {"socketioPingTimeout"_L1, "SOCKETIO_PING_TIMEOUT"_L1, "socketio-ping-timeout"_L1, T::Milliseconds, "20s"_L1, 100,
     Hour, "Close a Socket.IO client that does not answer a ping within this time"_L1, false, C::None,
     &S::socketioPingTimeoutMs},
    {"socketioConnectTimeout"_L1, "SOCKETIO_CONNECT_TIMEOUT"_L1, "socketio-connect-timeout"_L1, T::Milliseconds,
     "45s"_L1, 100, Hour, "Close an Engine.IO session that joins no namespace within this time"_L1, false, C::None,
     &S::socketioConnectTimeoutMs},
    {"socketioRecoveryDuration"_L1, "SOCKETIO_RECOVERY_DURATION"_L1, "socketio-recovery-duration"_L1, T::Milliseconds,
     "2m"_L1, 0, Day, "How long a Socket.IO client that lost its transport may resume its session (0 = no recovery)"_L1,
     false, C::None, &S::socketioRecoveryDurationMs},
    {"degradationCachePercent"_L1, "DEGRADATION_CACHE_PERCENT"_L1, "degradation-cache-percent"_L1, T::Int, "25"_L1, 1,
     100, "At the warning level, history, dedupe and inbox caches shrink to this percent of their size"_L1, false,
     C::None, &S::degradationCachePercent},
    {"degradationQueuePercent"_L1, "DEGRADATION_QUEUE_PERCENT"_L1, "degradation-queue-percent"_L1, T::Int, "25"_L1, 1,
     100, "At the critical level, each connection may queue this percent of MAX_QUEUED_BYTES"_L1, false, C::None,
     &S::degradationQueuePercent},
    {"degradationSubscriptionFloor"_L1, "DEGRADATION_SUBSCRIPTION_FLOOR"_L1, "degradation-subscription-floor"_L1,
     T::Int, "10"_L1, 0, 1000000,
     "At the critical level, subscriptions beyond this many bills per connection are refused"_L1, false, C::None,
     &S::degradationSubscriptionFloor},
    {"degradationShedPercent"_L1, "DEGRADATION_SHED_PERCENT"_L1, "degradation-shed-percent"_L1, T::Int, "5"_L1, 1, 100,
     "At the emergency level, this percent of the connections (largest queues first, at least one) is closed at each memory check"_L1,
     false, C::None, &S::degradationShedPercent},
    {"corsOrigins"_L1, "WSINFRA_CORS_ORIGINS"_L1, "cors-origins"_L1, T::String, ""_L1, 0, 0,
     "Origins given CORS headers on Socket.IO polling, comma-separated (* = any); used only while allowedOrigins is empty"_L1,
     false, C::OriginList, &S::corsOrigins},
    {"allowedOrigins"_L1, "WSINFRA_ALLOWED_ORIGINS"_L1, "allowed-origins"_L1, T::String, ""_L1, 0, 0,
     "Browser origins (scheme://host[:port], comma-separated, * = any) allowed to open WebSockets and Socket.IO; other Origins are refused with 403 (empty = not checked; set it when browsers connect)"_L1,
     false, C::OriginList, &S::allowedOrigins},
    {"trustedProxies"_L1, "WSINFRA_TRUSTED_PROXIES"_L1, "trusted-proxies"_L1, T::String, ""_L1, 0, 0,
     "Reverse proxies (IP addresses or CIDR subnets, comma-separated) whose X-Forwarded-For names the client (empty = none)"_L1,
     false, C::ProxyList, &S::trustedProxies},
};

constexpr bool fieldMatchesType(const ConfigOption &option)
{
    switch (option.type) {
    case T::Int:
        return std::holds_alternative<int S::*>(option.field) && option.minimum >= INT_MIN && option.maximum <= INT_MAX;
    case T::Bool:
        return std::holds_alternative<bool S::*>(option.field);
    case T::Bytes:
    case T::Milliseconds:
        return std::holds_alternative<qint64 S::*>(option.field);
    case T::String:
        return std::holds_alternative<QString S::*>(option.field) ||
               std::holds_alternative<QByteArray S::*>(option.field);
    }
    return false;
}

constexpr bool schemaIsConsistent()
{
    for (const ConfigOption &option : kOptions) {
        if (!fieldMatchesType(option) || option.minimum > option.maximum || option.key.isEmpty() ||
            option.environment.isEmpty() || option.help.isEmpty() || option.secret != option.flag.isEmpty() ||
            (option.secret && option.type != T::String))
            return false;
    }
    return true;
}
static_assert(schemaIsConsistent(), "every option needs a matching member, a range, an env name and help; "
                                    "exactly the secrets have no flag");

} // namespace

std::span<const ConfigOption> configSchema()
{
    return kOptions;
}

} // namespace wsinfra
