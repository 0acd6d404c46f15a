#include "core/serviceconfig.h"

#include "protocol/codes.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QLocale>
#include <QProcessEnvironment>
#include <QStringList>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

namespace wsinfra {
namespace {

constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;
constexpr qint64 kKiB = 1024;
constexpr qint64 kMiB = 1024 * kKiB;
constexpr qint64 kGiB = 1024 * kMiB;
constexpr qint64 kTiB = 1024 * kGiB;

// A config file is a few kilobytes; the cap keeps a wrong path (a log, /dev/zero) from eating memory.
constexpr qint64 kMaxConfigFileBytes = 1 * kMiB;
// Values quoted in error messages are cut here so a hostile value cannot make a huge message.
constexpr qsizetype kMaxQuotedChars = 80;

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
     "Token the console must present on the control port"_L1, true, C::None, &S::controlToken},
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
    {"heartbeatInterval"_L1, "WEBSOCKET_HEARTBEAT_INTERVAL"_L1, "heartbeat-interval"_L1, T::Milliseconds, "30s"_L1, 100,
     kHour, "Interval of the pings the service sends to clients"_L1, false, C::None, &S::heartbeatIntervalMs},
    {"connectionTimeout"_L1, "WEBSOCKET_CONNECTION_TIMEOUT"_L1, "connection-timeout"_L1, T::Milliseconds, "60s"_L1, 200,
     kDay, "Close a connection silent for this long (must exceed the heartbeat interval)"_L1, false, C::None,
     &S::connectionTimeoutMs},
    {"maxPayload"_L1, "WSINFRA_MAX_PAYLOAD"_L1, "max-payload"_L1, T::Bytes, "64KB"_L1, 128, 64 * kMiB,
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
    {"historyTtl"_L1, "WSINFRA_HISTORY_TTL"_L1, "history-ttl"_L1, T::Milliseconds, "24h"_L1, 1000, 365 * kDay,
     "How long history messages are kept"_L1, false, C::None, &S::historyTtlMs},
    {"ioThreads"_L1, "WSINFRA_IO_THREADS"_L1, "io-threads"_L1, T::Int, "0"_L1, 0, 256,
     "Threads serving connections (0 = number of cores)"_L1, false, C::None, &S::ioThreads},
    {"memoryLimit"_L1, "WSINFRA_MEMORY_LIMIT"_L1, "memory-limit"_L1, T::Bytes, "0"_L1, 0, 16 * kTiB,
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
    {"messageBatchSize"_L1, "MESSAGE_BATCH_SIZE"_L1, "message-batch-size"_L1, T::Int, "50"_L1, 1, 10000,
     "Most messages sent to a connection in one batch"_L1, false, C::None, &S::messageBatchSize},
    {"messageBatchDelay"_L1, "MESSAGE_BATCH_DELAY"_L1, "message-batch-delay"_L1, T::Milliseconds, "10ms"_L1, 0,
     10 * kSecond, "Longest wait to fill a batch"_L1, false, C::None, &S::messageBatchDelayMs},
    {"dedupeCacheSize"_L1, "DEDUPE_CACHE_SIZE"_L1, "dedupe-cache-size"_L1, T::Int, "10000"_L1, 0, 10000000,
     "Message ids remembered to drop duplicates (0 = off)"_L1, false, C::None, &S::dedupeCacheSize},
    {"dedupeWindow"_L1, "DEDUPE_WINDOW"_L1, "dedupe-window"_L1, T::Milliseconds, "5m"_L1, 0, kDay,
     "How long message ids are remembered"_L1, false, C::None, &S::dedupeWindowMs},
    {"redisUrl"_L1, "REDIS_URL"_L1, "redis-url"_L1, T::String, ""_L1, 0, 0,
     "Redis that joins several nodes, redis://[:password@]host[:port][/db] (empty = single node)"_L1, false,
     C::RedisUrl, &S::redisUrl},
    {"shutdownTimeout"_L1, "WSINFRA_SHUTDOWN_TIMEOUT"_L1, "shutdown-timeout"_L1, T::Milliseconds, "10s"_L1, 0,
     10 * kMinute, "Longest time to drain connections on shutdown"_L1, false, C::None, &S::shutdownTimeoutMs},
    {"maxHttpBody"_L1, "WSINFRA_MAX_HTTP_BODY"_L1, "max-http-body"_L1, T::Bytes, "1MB"_L1, 1024, 64 * kMiB,
     "Largest body of an HTTP API request"_L1, false, C::None, &S::maxHttpBodyBytes},
    {"memoryCheckInterval"_L1, "MEMORY_CHECK_INTERVAL"_L1, "memory-check-interval"_L1, T::Milliseconds, "10s"_L1, 100,
     kHour, "Interval of memory measurements"_L1, false, C::None, &S::memoryCheckIntervalMs},
    {"healthCheckInterval"_L1, "HEALTH_CHECK_INTERVAL"_L1, "health-check-interval"_L1, T::Milliseconds, "5s"_L1, 100,
     kHour, "Interval of health evaluation"_L1, false, C::None, &S::healthCheckIntervalMs},
};

constexpr std::size_t kOptionCount = std::size(kOptions);

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

struct Unit
{
    QLatin1StringView name;
    qint64 factor;
};

constexpr Unit kSizeUnits[] = {
    {""_L1, 1},       {"b"_L1, 1},     {"k"_L1, kKiB},   {"kb"_L1, kKiB},  {"kib"_L1, kKiB},
    {"m"_L1, kMiB},   {"mb"_L1, kMiB}, {"mib"_L1, kMiB}, {"g"_L1, kGiB},   {"gb"_L1, kGiB},
    {"gib"_L1, kGiB}, {"t"_L1, kTiB},  {"tb"_L1, kTiB},  {"tib"_L1, kTiB},
};

constexpr Unit kDurationUnits[] = {
    {""_L1, 1}, {"ms"_L1, 1}, {"s"_L1, kSecond}, {"m"_L1, kMinute}, {"h"_L1, kHour}, {"d"_L1, kDay},
};

// One resolved value and where it came from (for cross-field messages).
struct Setting
{
    qint64 number = 0;
    QString text;
    QString source;
};
using Settings = std::array<Setting, kOptionCount>;

Error invalidConfig(QString message)
{
    return Error{QString(ErrorCode::InvalidConfig), std::move(message)};
}

/// Strict decimal integer: optional '-', then digits only; nullopt on anything else or overflow.
std::optional<qint64> parseInteger(QStringView text)
{
    qsizetype i = 0;
    const bool negative = text.startsWith(u'-');
    if (negative)
        i = 1;
    if (i == text.size())
        return std::nullopt;
    qint64 value = 0;
    for (; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c < u'0' || c > u'9')
            return std::nullopt;
        const int digit = c - u'0';
        if (value > (std::numeric_limits<qint64>::max() - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return negative ? -value : value;
}

std::optional<qint64> parseWithUnit(QStringView text, std::span<const Unit> units)
{
    qsizetype end = text.startsWith(u'-') ? 1 : 0;
    while (end < text.size() && text[end].unicode() >= u'0' && text[end].unicode() <= u'9')
        ++end;
    const std::optional<qint64> number = parseInteger(text.first(end));
    if (!number)
        return std::nullopt;
    const QStringView unitName = text.sliced(end).trimmed();
    for (const Unit &unit : units) {
        if (unitName.compare(unit.name, Qt::CaseInsensitive) != 0)
            continue;
        if (*number > std::numeric_limits<qint64>::max() / unit.factor ||
            *number < std::numeric_limits<qint64>::min() / unit.factor)
            return std::nullopt;
        return *number * unit.factor;
    }
    return std::nullopt;
}

std::optional<bool> parseBool(QStringView text)
{
    for (QLatin1StringView word : {"true"_L1, "1"_L1, "yes"_L1, "on"_L1}) {
        if (text.compare(word, Qt::CaseInsensitive) == 0)
            return true;
    }
    for (QLatin1StringView word : {"false"_L1, "0"_L1, "no"_L1, "off"_L1}) {
        if (text.compare(word, Qt::CaseInsensitive) == 0)
            return false;
    }
    return std::nullopt;
}

bool isIpAddress(const QString &text)
{
    // QHostAddress tolerates surrounding blanks and inet_aton forms ("10.1" is 10.0.0.1, "010.0.0.1" is
    // decimal there but octal elsewhere). In a bind address those are typos, so IPv4 must be canonical.
    QHostAddress address;
    if (text.isEmpty() || text != text.trimmed() || !address.setAddress(text))
        return false;
    return address.protocol() != QAbstractSocket::IPv4Protocol || address.toString() == text;
}

bool isRedisUrl(const QString &text)
{
    if (text.isEmpty())
        return true;
    if (!text.startsWith("redis://"_L1))
        return false;
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || url.hasFragment() || url.port() == 0)
        return false;
    // The path, if any, is the database number.
    const QString path = url.path();
    if (path.isEmpty() || path == "/"_L1)
        return true;
    const std::optional<qint64> database = parseInteger(QStringView(path).sliced(1));
    return database && *database >= 0 && *database <= INT_MAX && path.size() <= 11;
}

/// Replaces the password (or, without a ':', the whole user info) of a URL by "***". Masks too
/// much rather than too little: everything up to the last '@' counts as user info.
QString maskUrlPassword(const QString &text)
{
    const qsizetype schemeEnd = text.indexOf("://"_L1);
    const qsizetype at = text.lastIndexOf(u'@');
    if (schemeEnd < 0 || at < schemeEnd + 3)
        return text;
    const qsizetype start = schemeEnd + 3;
    const QStringView userInfo = QStringView(text).sliced(start, at - start);
    const qsizetype colon = userInfo.indexOf(u':');
    const QString masked = colon >= 0 ? userInfo.first(colon).toString() + ":***"_L1 : u"***"_s;
    return text.first(start) + masked + QStringView(text).sliced(at);
}

/// Text as it may appear in a message: quoted, escaped and shortened.
QString quoted(const QString &shown)
{
    QString out = u"\""_s;
    for (qsizetype i = 0; i < shown.size(); ++i) {
        if (i == kMaxQuotedChars) {
            if (out.back().isHighSurrogate())
                out.chop(1);
            out += "...\""_L1 + u" (%1 characters)"_s.arg(shown.size());
            return out;
        }
        const QChar c = shown[i];
        if (c == u'"' || c == u'\\') {
            out += u'\\';
            out += c;
        } else if (c.unicode() < 0x20 || c.unicode() == 0x7f) {
            out += u"\\u%1"_s.arg(uint(c.unicode()), 4, 16, QChar(u'0'));
        } else {
            out += c;
        }
    }
    return out + u'"';
}

/// A value of an option as it may appear in a message: secrets hidden, redis passwords masked.
QString quotedValue(const ConfigOption &option, const QString &value)
{
    if (option.secret)
        return u"(hidden)"_s;
    return quoted(option.check == C::RedisUrl ? maskUrlPassword(value) : value);
}

// Largest first: the canonical form of a value uses its largest exact unit.
constexpr Unit kSizeFormats[] = {{"TB"_L1, kTiB}, {"GB"_L1, kGiB}, {"MB"_L1, kMiB}, {"KB"_L1, kKiB}};
constexpr Unit kDurationFormats[] = {{"h"_L1, kHour}, {"m"_L1, kMinute}, {"s"_L1, kSecond}};

QString formatSize(qint64 bytes)
{
    for (const Unit &unit : kSizeFormats) {
        if (bytes != 0 && bytes % unit.factor == 0)
            return QString::number(bytes / unit.factor) + unit.name;
    }
    return QString::number(bytes);
}

QString formatDuration(qint64 ms)
{
    for (const Unit &unit : kDurationFormats) {
        if (ms != 0 && ms % unit.factor == 0)
            return QString::number(ms / unit.factor) + unit.name;
    }
    return QString::number(ms) + "ms"_L1;
}

QString describeSize(qint64 bytes)
{
    const QString text = formatSize(bytes);
    return text.back().isDigit() ? text + " bytes"_L1 : text;
}

/// What the option accepts, completing "expected ...".
QString expectation(const ConfigOption &option)
{
    switch (option.type) {
    case T::Int:
        return u"an integer from %1 to %2"_s.arg(option.minimum).arg(option.maximum);
    case T::Bool:
        return u"true or false (or 1/0, yes/no, on/off)"_s;
    case T::Bytes:
        return u"a size from %1 to %2 (bytes, or a whole number with a unit KB, MB, GB; 1KB = 1024 bytes)"_s.arg(
            describeSize(option.minimum), describeSize(option.maximum));
    case T::Milliseconds:
        return u"a duration from %1 to %2 (milliseconds, or a whole number with a unit ms, s, m, h)"_s.arg(
            formatDuration(option.minimum), formatDuration(option.maximum));
    case T::String:
        break;
    }
    switch (option.check) {
    case C::IpAddress:
        return u"an IP address such as 0.0.0.0, 127.0.0.1 or ::"_s;
    case C::RedisUrl:
        return u"nothing, or a URL redis://[user:password@]host[:port][/db]"_s;
    case C::None:
        break;
    }
    return u"a string"_s;
}

Error invalidValue(const ConfigOption &option, const QString &shownValue, const QString &source)
{
    return invalidConfig(u"invalid value %1 for %2: expected %3"_s.arg(shownValue, source, expectation(option)));
}

/// Parses the text form of a value (flag, environment, JSON string, default) into the slot.
std::optional<Error> applyText(const ConfigOption &option, const QString &value, const QString &source, Setting &slot)
{
    const QStringView trimmed = QStringView(value).trimmed();
    std::optional<qint64> number;
    switch (option.type) {
    case T::Int:
        number = parseInteger(trimmed);
        break;
    case T::Bool:
        if (const std::optional<bool> flag = parseBool(trimmed))
            number = *flag ? 1 : 0;
        break;
    case T::Bytes:
        number = parseWithUnit(trimmed, kSizeUnits);
        break;
    case T::Milliseconds:
        number = parseWithUnit(trimmed, kDurationUnits);
        break;
    case T::String:
        if ((option.check == C::IpAddress && !isIpAddress(value)) ||
            (option.check == C::RedisUrl && !isRedisUrl(value)))
            return invalidValue(option, quotedValue(option, value), source);
        slot = Setting{0, value, source};
        return std::nullopt;
    }
    if (!number || *number < option.minimum || *number > option.maximum)
        return invalidValue(option, quotedValue(option, value), source);
    slot = Setting{*number, QString(), source};
    return std::nullopt;
}

QString describeJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
    case QJsonValue::Array:
        return u"(a JSON array)"_s;
    case QJsonValue::Object:
        return u"(a JSON object)"_s;
    case QJsonValue::String:
    case QJsonValue::Undefined:
        break;
    }
    return u"(undefined)"_s;
}

std::optional<Error> applyJsonValue(const ConfigOption &option, const QJsonValue &value, const QString &source,
                                    Setting &slot)
{
    if (value.isString())
        return applyText(option, value.toString(), source, slot);
    if (value.isBool() && option.type == T::Bool) {
        slot = Setting{value.toBool() ? 1 : 0, QString(), source};
        return std::nullopt;
    }
    if (value.isDouble() && option.type != T::String) {
        // Compared as double first: converting an out-of-range double to an integer is undefined.
        const double number = value.toDouble();
        if (std::isfinite(number) && number == std::floor(number) && number >= double(option.minimum) &&
            number <= double(option.maximum)) {
            slot = Setting{qint64(number), QString(), source};
            return std::nullopt;
        }
    }
    return invalidValue(option, option.secret ? u"(hidden)"_s : describeJson(value), source);
}

/// Edit distance for "did you mean"; only called with short strings.
qsizetype editDistance(QStringView a, QStringView b)
{
    std::vector<qsizetype> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (qsizetype i = 1; i <= a.size(); ++i) {
        qsizetype diagonal = row[0];
        row[0] = i;
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const qsizetype above = row[j];
            const bool same = a[i - 1].toCaseFolded() == b[j - 1].toCaseFolded();
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

QString suggestionFor(const QString &key)
{
    if (key.size() > 64)
        return QString();
    for (const ConfigOption &option : kOptions) {
        const QString candidate = QString(option.key);
        if (editDistance(key, candidate) <= 2)
            return u"; did you mean \"%1\"?"_s.arg(candidate);
    }
    return QString();
}

/// Applies a JSON object as the file layer. `place` names where it came from, e.g. "config file /x.json".
std::optional<Error> applyJson(const QJsonObject &object, const QString &place, Settings &settings)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        const auto known = std::find_if(std::begin(kOptions), std::end(kOptions),
                                        [&](const ConfigOption &option) { return option.key == key; });
        if (known == std::end(kOptions)) {
            return invalidConfig(u"unknown key %1 in %2%3"_s.arg(quoted(key), place, suggestionFor(key)));
        }
    }
    for (std::size_t i = 0; i < kOptionCount; ++i) {
        const ConfigOption &option = kOptions[i];
        const auto it = object.constFind(option.key);
        if (it == object.constEnd())
            continue;
        const QString source = u"%1 key \"%2\""_s.arg(place, option.key);
        if (std::optional<Error> error = applyJsonValue(option, it.value(), source, settings[i]))
            return error;
    }
    return std::nullopt;
}

std::optional<Error> applyDefaults(Settings &settings)
{
    for (std::size_t i = 0; i < kOptionCount; ++i) {
        if (std::optional<Error> error =
                applyText(kOptions[i], QString(kOptions[i].defaultValue), u"default"_s, settings[i]))
            return error;
    }
    return std::nullopt;
}

std::optional<Error> applyEnvironment(const QProcessEnvironment &env, Settings &settings)
{
    for (std::size_t i = 0; i < kOptionCount; ++i) {
        const ConfigOption &option = kOptions[i];
        const QString name = QString(option.environment);
        const QString value = env.value(name);
        if (value.isEmpty())
            continue; // empty counts as unset, so `FOO= service` does not fail
        const QString source = u"environment variable %1 (%2)"_s.arg(name, option.key);
        if (std::optional<Error> error = applyText(option, value, source, settings[i]))
            return error;
    }
    return std::nullopt;
}

std::optional<Error> applyFlags(const QCommandLineParser &parser, Settings &settings)
{
    for (std::size_t i = 0; i < kOptionCount; ++i) {
        const ConfigOption &option = kOptions[i];
        const QString name = QString(option.flag);
        if (name.isEmpty() || !parser.isSet(name))
            continue;
        const QString source = "--"_L1 + name;
        // A bool flag takes no value: giving it means true.
        const QString value = option.type == T::Bool ? u"true"_s : parser.value(name);
        if (std::optional<Error> error = applyText(option, value, source, settings[i]))
            return error;
    }
    return std::nullopt;
}

Result<QJsonObject> readConfigFile(const QString &path)
{
    if (path.isEmpty())
        return invalidConfig(u"--config needs the path of a JSON file"_s);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return invalidConfig(u"cannot read config file %1: %2"_s.arg(path, file.errorString()));
    QByteArray data = file.read(kMaxConfigFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return invalidConfig(u"cannot read config file %1: %2"_s.arg(path, file.errorString()));
    if (data.size() > kMaxConfigFileBytes)
        return invalidConfig(u"config file %1 is larger than %2"_s.arg(path, formatSize(kMaxConfigFileBytes)));
    if (data.startsWith("\xEF\xBB\xBF"))
        data.remove(0, 3); // a UTF-8 byte order mark, as some editors write
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalidConfig(u"config file %1 is not valid JSON: %2 at offset %3"_s.arg(path, parseError.errorString())
                                 .arg(parseError.offset));
    if (!document.isObject())
        return invalidConfig(u"config file %1 must hold a JSON object of settings"_s.arg(path));
    return document.object();
}

QString describeSetting(const ConfigOption &option, const Setting &slot)
{
    const QString value = option.type == T::Milliseconds ? formatDuration(slot.number)
                          : option.type == T::String     ? slot.text
                                                         : QString::number(slot.number);
    return u"%1 (%2, from %3)"_s.arg(option.key, value, slot.source);
}

std::size_t indexOf(QLatin1StringView key)
{
    for (std::size_t i = 0; i < kOptionCount; ++i) {
        if (kOptions[i].key == key)
            return i;
    }
    Q_UNREACHABLE();
    return 0;
}

std::optional<Error> checkLessThan(const Settings &settings, QLatin1StringView lowerKey, QLatin1StringView higherKey,
                                   QLatin1StringView relation)
{
    const std::size_t lower = indexOf(lowerKey);
    const std::size_t higher = indexOf(higherKey);
    if (settings[lower].number < settings[higher].number)
        return std::nullopt;
    return invalidConfig(
        u"invalid configuration: %1 must be %2 %3"_s.arg(describeSetting(kOptions[lower], settings[lower]), relation,
                                                         describeSetting(kOptions[higher], settings[higher])));
}

bool isAnyAddress(const QString &text)
{
    const QHostAddress address(text);
    return address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6 || address == QHostAddress::Any;
}

std::optional<Error> checkCrossField(const Settings &settings)
{
    if (auto error = checkLessThan(settings, "heartbeatInterval"_L1, "connectionTimeout"_L1, "less than"_L1))
        return error;
    if (auto error = checkLessThan(settings, "memoryWarningThreshold"_L1, "memoryCriticalThreshold"_L1, "less than"_L1))
        return error;
    if (auto error =
            checkLessThan(settings, "memoryCriticalThreshold"_L1, "memoryEmergencyThreshold"_L1, "less than"_L1))
        return error;
    // Two listeners on one port only work on distinct, specific addresses.
    const Setting &port = settings[indexOf("port"_L1)];
    const Setting &controlPort = settings[indexOf("controlPort"_L1)];
    const Setting &bind = settings[indexOf("bind"_L1)];
    const Setting &controlBind = settings[indexOf("controlBind"_L1)];
    if (port.number != 0 && port.number == controlPort.number &&
        (QHostAddress(bind.text) == QHostAddress(controlBind.text) || isAnyAddress(bind.text) ||
         isAnyAddress(controlBind.text))) {
        return invalidConfig(u"invalid configuration: %1 and %2 listen on the same port of overlapping addresses "
                             "%3 and %4"_s.arg(describeSetting(kOptions[indexOf("port"_L1)], port),
                                               describeSetting(kOptions[indexOf("controlPort"_L1)], controlPort),
                                               bind.text, controlBind.text));
    }
    return std::nullopt;
}

Result<ServiceConfig> finish(const Settings &settings)
{
    if (std::optional<Error> error = checkCrossField(settings))
        return *error;
    ServiceConfig config;
    for (std::size_t i = 0; i < kOptionCount; ++i) {
        const Setting &slot = settings[i];
        std::visit(
            [&](auto member) {
                auto &target = config.*member;
                using Target = std::remove_reference_t<decltype(target)>;
                if constexpr (std::is_same_v<Target, QString>)
                    target = slot.text;
                else if constexpr (std::is_same_v<Target, QByteArray>)
                    target = slot.text.toUtf8();
                else if constexpr (std::is_same_v<Target, bool>)
                    target = slot.number != 0;
                else
                    target = Target(slot.number); // fits: the range was checked against the schema
            },
            kOptions[i].field);
    }
    if (config.ioThreads == 0)
        config.ioThreads = std::max(1, QThread::idealThreadCount());
    return config;
}

Result<ServiceConfig> resolveLayers(const QJsonObject *file, const QString &place, const QProcessEnvironment *env,
                                    const QCommandLineParser *parser)
{
    Settings settings;
    std::optional<Error> error = applyDefaults(settings);
    if (!error && file)
        error = applyJson(*file, place, settings);
    if (!error && env)
        error = applyEnvironment(*env, settings);
    if (!error && parser)
        error = applyFlags(*parser, settings);
    if (error)
        return *error;
    return finish(settings);
}

} // namespace

std::span<const ConfigOption> ConfigLoader::schema()
{
    return kOptions;
}

QString ConfigLoader::helpText(const ConfigOption &option)
{
    const QString defaultText = option.defaultValue.isEmpty() ? u"none"_s : QString(option.defaultValue);
    return u"%1 [env %2, %3default %4]"_s.arg(option.help, option.environment, option.secret ? "secret, "_L1 : ""_L1,
                                              defaultText);
}

void ConfigLoader::addOptions(QCommandLineParser &parser)
{
    QStringList secretVariables;
    for (const ConfigOption &option : kOptions) {
        if (option.secret)
            secretVariables.append(QString(option.environment));
    }
    parser.addOption(QCommandLineOption(
        u"config"_s,
        u"JSON file of settings, keys in camelCase (\"maxConnections\"); environment variables and flags override "
        "it. Secrets are not accepted as flags: set them in this file or in %1."_s.arg(secretVariables.join(", "_L1)),
        u"FILE"_s));
    for (const ConfigOption &option : kOptions) {
        if (option.flag.isEmpty())
            continue;
        QString valueName;
        switch (option.type) {
        case T::Int:
            valueName = u"N"_s;
            break;
        case T::Bool:
            break;
        case T::Bytes:
            valueName = u"SIZE"_s;
            break;
        case T::Milliseconds:
            valueName = u"DURATION"_s;
            break;
        case T::String:
            valueName = option.check == C::RedisUrl ? u"URL"_s : u"ADDRESS"_s;
            break;
        }
        parser.addOption(QCommandLineOption(QString(option.flag), helpText(option), valueName));
    }
}

Result<ServiceConfig> ConfigLoader::resolve(const QCommandLineParser &parser, const QProcessEnvironment &env)
{
    const QString configOption = u"config"_s;
    if (!parser.isSet(configOption))
        return resolveLayers(nullptr, QString(), &env, &parser);
    const QString path = parser.value(configOption);
    const Result<QJsonObject> file = readConfigFile(path);
    if (!file)
        return file.error();
    return resolveLayers(&file.value(), u"config file "_s + path, &env, &parser);
}

Result<ServiceConfig> ConfigLoader::fromJson(const QJsonObject &object)
{
    return resolveLayers(&object, u"JSON"_s, nullptr, nullptr);
}

QString ConfigLoader::displayValue(const ServiceConfig &config, const ConfigOption &option)
{
    return std::visit(
        [&](auto member) -> QString {
            const auto &value = config.*member;
            using Value = std::remove_cvref_t<decltype(value)>;
            if constexpr (std::is_same_v<Value, QByteArray>) {
                return value.isEmpty() ? QString() : u"***"_s; // only secrets are bytes
            } else if constexpr (std::is_same_v<Value, QString>) {
                if (option.secret)
                    return value.isEmpty() ? QString() : u"***"_s;
                return option.check == C::RedisUrl ? maskUrlPassword(value) : value;
            } else if constexpr (std::is_same_v<Value, bool>) {
                return value ? u"true"_s : u"false"_s;
            } else if (option.type == T::Bytes) {
                return formatSize(value);
            } else if (option.type == T::Milliseconds) {
                return formatDuration(value);
            } else {
                return QString::number(value);
            }
        },
        option.field);
}

} // namespace wsinfra
