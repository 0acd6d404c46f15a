// configvalue.cpp: parsing, checking and formatting of one configuration value (see configvalue.h).
#include "core/configvalue.h"

#include "cluster/redisendpoint.h"

#include "protocol/codes.h"
#include "transport/originpolicy.h"
#include "transport/trustedproxies.h"
#include "util/booleanword.h"

#include <QHostAddress>
#include <QUrl>

#include <climits>
#include <cmath>
#include <limits>
#include <optional>
#include <span>

using namespace Qt::StringLiterals;

namespace wsinfra {
namespace {

using namespace ConfigUnit;

struct Unit
{
    QLatin1StringView name;
    qint64 factor;
};

constexpr Unit kSizeUnits[] = {
    {""_L1, 1},      {"b"_L1, 1},   {"k"_L1, KiB},  {"kb"_L1, KiB},  {"kib"_L1, KiB}, {"m"_L1, MiB},  {"mb"_L1, MiB},
    {"mib"_L1, MiB}, {"g"_L1, GiB}, {"gb"_L1, GiB}, {"gib"_L1, GiB}, {"t"_L1, TiB},   {"tb"_L1, TiB}, {"tib"_L1, TiB},
};

constexpr Unit kDurationUnits[] = {
    {""_L1, 1}, {"ms"_L1, 1}, {"s"_L1, Second}, {"m"_L1, Minute}, {"h"_L1, Hour}, {"d"_L1, Day},
};

// Largest first: the canonical form of a value uses its largest exact unit.
constexpr Unit kSizeFormats[] = {{"TB"_L1, TiB}, {"GB"_L1, GiB}, {"MB"_L1, MiB}, {"KB"_L1, KiB}};
constexpr Unit kDurationFormats[] = {{"h"_L1, Hour}, {"m"_L1, Minute}, {"s"_L1, Second}};

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

bool isIpAddress(const QString &text)
{
    // QHostAddress tolerates surrounding blanks and inet_aton forms ("10.1" is 10.0.0.1, "010.0.0.1" is
    // decimal there but octal elsewhere). In a bind address those are typos, so IPv4 must be canonical.
    QHostAddress address;
    if (text.isEmpty() || text != text.trimmed() || !address.setAddress(text))
        return false;
    return address.protocol() != QAbstractSocket::IPv4Protocol || address.toString() == text;
}

// The one reader of REDIS_URL is the cluster's: what it accepts is what the option accepts.
bool isRedisUrl(const QString &text)
{
    return text.isEmpty() || parseRedisUrl(text).ok();
}

bool isPriorityOrder(const QString &text)
{
    const QStringList names = text.split(u',');
    QStringList seen;
    for (const QString &name : names) {
        const QString type = name.trimmed();
        if (seen.contains(type) || (type != "notification"_L1 && type != "bill_update"_L1 && type != "broadcast"_L1))
            return false;
        seen.append(type);
    }
    return seen.size() == 3;
}

QString describeSize(qint64 bytes)
{
    const QString text = ConfigValue::formatSize(bytes);
    return text.back().isDigit() ? text + " bytes"_L1 : text;
}

/// What the option accepts, completing "expected ...".
QString expectation(const ConfigOption &option)
{
    switch (option.type) {
    case ConfigType::Int:
        return u"an integer from %1 to %2"_s.arg(option.minimum).arg(option.maximum);
    case ConfigType::Bool:
        return u"true or false (or 1/0, yes/no, on/off)"_s;
    case ConfigType::Bytes:
        return u"a size from %1 to %2 (bytes, or a whole number with a unit KB, MB, GB; 1KB = 1024 bytes)"_s.arg(
            describeSize(option.minimum), describeSize(option.maximum));
    case ConfigType::Milliseconds:
        return u"a duration from %1 to %2 (milliseconds, or a whole number with a unit ms, s, m, h)"_s.arg(
            ConfigValue::formatDuration(option.minimum), ConfigValue::formatDuration(option.maximum));
    case ConfigType::String:
        break;
    }
    switch (option.check) {
    case ConfigCheck::IpAddress:
        return u"an IP address such as 0.0.0.0, 127.0.0.1 or ::"_s;
    case ConfigCheck::RedisUrl:
        return u"nothing, or a URL redis://[user:password@]host[:port][/db]"_s;
    case ConfigCheck::PriorityOrder:
        return u"notification, bill_update and broadcast, each once, in delivery order, comma-separated"_s;
    case ConfigCheck::OriginList:
        return u"origins scheme://host[:port] such as https://example.org, comma-separated, or *"_s;
    case ConfigCheck::ProxyList:
        return u"IP addresses or CIDR subnets such as 127.0.0.1 or 10.0.0.0/8, comma-separated"_s;
    case ConfigCheck::EventDispatcher:
        return u"epoll or qt"_s;
    case ConfigCheck::None:
        break;
    }
    return u"a string"_s;
}

} // namespace

Result<qint64> ConfigValue::parseNumber(const ConfigOption &option, QStringView text)
{
    const QStringView trimmed = text.trimmed();
    std::optional<qint64> number;
    switch (option.type) {
    case ConfigType::Int:
        number = parseInteger(trimmed);
        break;
    case ConfigType::Bool:
        if (const std::optional<bool> flag = parseBooleanWord(trimmed))
            number = *flag ? 1 : 0;
        break;
    case ConfigType::Bytes:
        number = parseWithUnit(trimmed, kSizeUnits);
        break;
    case ConfigType::Milliseconds:
        number = parseWithUnit(trimmed, kDurationUnits);
        break;
    case ConfigType::String:
        break;
    }
    if (!number || *number < option.minimum || *number > option.maximum)
        return mismatch(option);
    return *number;
}

Result<qint64> ConfigValue::fromJsonNumber(const ConfigOption &option, double number)
{
    // Compared as double first: converting an out-of-range double to an integer is undefined.
    if (option.type != ConfigType::String && std::isfinite(number) && number == std::floor(number) &&
        number >= double(option.minimum) && number <= double(option.maximum))
        return qint64(number);
    return mismatch(option);
}

Result<QString> ConfigValue::parseText(const ConfigOption &option, const QString &text)
{
    if ((option.check == ConfigCheck::IpAddress && !isIpAddress(text)) ||
        (option.check == ConfigCheck::RedisUrl && !isRedisUrl(text)) ||
        (option.check == ConfigCheck::PriorityOrder && !isPriorityOrder(text)) ||
        (option.check == ConfigCheck::EventDispatcher && text != "epoll"_L1 && text != "qt"_L1))
        return mismatch(option);
    // Lists name the entry that is wrong: one bad origin among ten is otherwise hard to find.
    std::optional<Error> listError;
    if (option.check == ConfigCheck::OriginList) {
        if (const Result<OriginPolicy> origins = OriginPolicy::parse(text); !origins)
            listError = origins.error();
    } else if (option.check == ConfigCheck::ProxyList) {
        if (const Result<TrustedProxies> proxies = TrustedProxies::parse(text); !proxies)
            listError = proxies.error();
    }
    if (listError)
        return Error{QString(ErrorCode::InvalidConfig), mismatch(option).message + u"; "_s + listError->message};
    return text;
}

Error ConfigValue::mismatch(const ConfigOption &option)
{
    return Error{QString(ErrorCode::InvalidConfig), "expected "_L1 + expectation(option)};
}

QString ConfigValue::formatSize(qint64 bytes)
{
    for (const Unit &unit : kSizeFormats) {
        if (bytes != 0 && bytes % unit.factor == 0)
            return QString::number(bytes / unit.factor) + unit.name;
    }
    return QString::number(bytes);
}

QString ConfigValue::formatDuration(qint64 ms)
{
    for (const Unit &unit : kDurationFormats) {
        if (ms != 0 && ms % unit.factor == 0)
            return QString::number(ms / unit.factor) + unit.name;
    }
    return QString::number(ms) + "ms"_L1;
}

QString ConfigValue::maskUrlPassword(const QString &url)
{
    const qsizetype schemeEnd = url.indexOf("://"_L1);
    const qsizetype at = url.lastIndexOf(u'@');
    if (schemeEnd < 0 || at < schemeEnd + 3)
        return url;
    const qsizetype start = schemeEnd + 3;
    const QStringView userInfo = QStringView(url).sliced(start, at - start);
    const qsizetype colon = userInfo.indexOf(u':');
    const QString masked = colon >= 0 ? userInfo.first(colon).toString() + ":***"_L1 : u"***"_s;
    return url.first(start) + masked + QStringView(url).sliced(at);
}

} // namespace wsinfra
