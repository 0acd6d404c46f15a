// configschema.h: the schema of the options of wsinfra-service. The type of a row (ConfigOption, with
// the ConfigType and ConfigCheck of its value and the ServiceConfig member it fills) and the table itself,
// configSchema(), which configschema.cpp checks for consistency at compile time.
#pragma once

#include <QByteArray>
#include <QLatin1StringView>
#include <QString>
#include <QtGlobal>

#include <span>
#include <variant>

namespace wsinfra {

struct ServiceConfig;

/// How the text of an option is parsed.
enum class ConfigType {
    Int,          // decimal integer
    Bool,         // true/false, 1/0, yes/no, on/off
    String,       // any text
    Bytes,        // bytes, or a number with a unit: 64KB, 1MB, 2GiB, 512m (1KB = 1024)
    Milliseconds, // milliseconds, or a number with a unit: 250ms, 30s, 5m, 1h, 7d
};

/// A rule on a String option beyond its type.
enum class ConfigCheck {
    None,
    IpAddress,       // parses as a QHostAddress
    RedisUrl,        // empty, or redis://[user:password@]host[:port][/db]
    PriorityOrder,   // notification, bill_update and broadcast, each once, comma-separated
    OriginList,      // comma-separated origins scheme://host[:port], or *; empty = none
    ProxyList,       // comma-separated IP addresses or CIDR subnets; empty = none
    EventDispatcher, // epoll or qt
};

/// The ServiceConfig member an option is stored in.
using ConfigField = std::variant<int ServiceConfig::*, bool ServiceConfig::*, qint64 ServiceConfig::*,
                                 QString ServiceConfig::*, QByteArray ServiceConfig::*>;

/// One row of the configuration schema: everything the loader, `--help`, the documentation
/// generator and `--print-config` know about an option.
struct ConfigOption
{
    QLatin1StringView key;         // JSON key, camelCase
    QLatin1StringView environment; // environment variable
    QLatin1StringView flag;        // command-line flag without the leading "--"; empty for secrets
    ConfigType type;
    QLatin1StringView defaultValue; // as a user would write it ("3000", "30s", "64KB", "" for none)
    qint64 minimum;                 // range of numeric types, inclusive (in ms / bytes)
    qint64 maximum;
    QLatin1StringView help; // one line, without the env/default suffix
    bool secret;            // never on the command line, never printed
    ConfigCheck check;
    ConfigField field;
};

/// The options of wsinfra-service in documentation order: the single source of truth for the loader,
/// `--help`, the documentation and `--print-config` (ConfigLoader::schema() returns the same table).
std::span<const ConfigOption> configSchema();

} // namespace wsinfra
