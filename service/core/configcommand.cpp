// configcommand.cpp: --print-config, --check-config and --print-config-reference (see configcommand.h).
#include "core/configcommand.h"

#include "core/configvalue.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QProcessEnvironment>

#include <algorithm>
#include <array>

using namespace Qt::StringLiterals;

namespace wsinfra {
namespace {

const QString kPrintConfig = u"print-config"_s;
const QString kCheckConfig = u"check-config"_s;
const QString kPrintReference = u"print-config-reference"_s;

// A long value (a URL, a list of origins) would push every source far to the right; past this width
// a value only shifts the source of its own line.
constexpr qsizetype kMaxValueColumn = 40;

using T = ConfigType;
using C = ConfigCheck;

QString typeName(const ConfigOption &option)
{
    switch (option.type) {
    case T::Int:
        return u"integer"_s;
    case T::Bool:
        return u"boolean"_s;
    case T::Bytes:
        return u"size"_s;
    case T::Milliseconds:
        return u"duration"_s;
    case T::String:
        break;
    }
    switch (option.check) {
    case C::IpAddress:
        return u"IP address"_s;
    case C::RedisUrl:
        return u"Redis URL"_s;
    case C::PriorityOrder:
        return u"priority list"_s;
    case C::OriginList:
        return u"origin list"_s;
    case C::ProxyList:
        return u"address list"_s;
    case C::EventDispatcher:
        return u"dispatcher name"_s;
    case C::None:
        break;
    }
    return u"text"_s;
}

QString rangeText(const ConfigOption &option)
{
    switch (option.type) {
    case T::Int:
        return u"%1 to %2"_s.arg(option.minimum).arg(option.maximum);
    case T::Bytes:
        return u"%1 to %2"_s.arg(ConfigValue::formatSize(option.minimum), ConfigValue::formatSize(option.maximum));
    case T::Milliseconds:
        return u"%1 to %2"_s.arg(ConfigValue::formatDuration(option.minimum),
                                 ConfigValue::formatDuration(option.maximum));
    case T::Bool:
    case T::String:
        break;
    }
    return QString();
}

/// Text in a Markdown table cell: a '|' would end the cell.
QString cell(QString text)
{
    return text.replace(u'|', "\\|"_L1);
}

QString code(const QString &text)
{
    return u'`' + text + u'`';
}

} // namespace

void ConfigCommand::addOptions(QCommandLineParser &parser)
{
    parser.addOption(QCommandLineOption(
        kPrintConfig, u"Print the effective configuration and exit: one line per option, \"key value source\", "
                      "where source is default, file PATH, environment NAME or flag --NAME. Secrets show as ***."_s));
    parser.addOption(QCommandLineOption(
        kCheckConfig, u"Check the configuration (file, environment, flags) and exit: 0 and \"configuration OK\" "
                      "when the service would accept it, 2 and the error on stderr when not. Binds no port."_s));
    parser.addOption(QCommandLineOption(
        kPrintReference, u"Print the reference of every option as Markdown (as in docs/configuration.md) and exit."_s));
}

std::optional<ConfigCommand::Outcome> ConfigCommand::run(const QCommandLineParser &parser,
                                                         const QProcessEnvironment &env)
{
    if (parser.isSet(kPrintReference))
        return Outcome{0, reference(), QString()};
    const bool print = parser.isSet(kPrintConfig);
    if (!print && !parser.isSet(kCheckConfig))
        return std::nullopt;

    ConfigSources sources;
    const Result<ServiceConfig> config = ConfigLoader::resolve(parser, env, &sources);
    if (!config)
        return Outcome{2, QString(), u"wsinfra-service: %1\n"_s.arg(config.error().message)};
    QString warningText;
    for (const QString &warning : warnings(*config))
        warningText += u"wsinfra-service: warning: %1\n"_s.arg(warning);
    if (print)
        return Outcome{0, effectiveConfiguration(*config, sources), warningText};
    const QString configFile = parser.isSet(u"config"_s) ? parser.value(u"config"_s) : QString();
    return Outcome{0, summary(sources, configFile) + u'\n', warningText};
}

QString ConfigCommand::effectiveConfiguration(const ServiceConfig &config, const ConfigSources &sources)
{
    const std::span<const ConfigOption> options = ConfigLoader::schema();
    QStringList values;
    qsizetype keyWidth = 3;   // "KEY"
    qsizetype valueWidth = 5; // "VALUE"
    for (const ConfigOption &option : options) {
        QString value = ConfigLoader::displayValue(config, option);
        if (value.isEmpty())
            value = u"\"\""_s;
        keyWidth = std::max(keyWidth, option.key.size());
        valueWidth = std::max(valueWidth, std::min(value.size(), kMaxValueColumn));
        values.append(value);
    }
    const auto line = [&](const QString &key, const QString &value, const QString &source) -> QString {
        return key.leftJustified(keyWidth) + "  "_L1 + value.leftJustified(valueWidth) + "  "_L1 + source + u'\n';
    };
    QString out = line(u"KEY"_s, u"VALUE"_s, u"SOURCE"_s);
    for (std::size_t i = 0; i < options.size(); ++i) {
        const QString source = i < sources.size() ? sources[i].toString() : u"unknown"_s;
        out += line(QString(options[i].key), values[qsizetype(i)], source);
    }
    return out;
}

QString ConfigCommand::summary(const ConfigSources &sources, const QString &configFile)
{
    using Layer = ConfigSource::Layer;
    std::array<int, 4> counts{};
    for (const ConfigSource &source : sources)
        ++counts[std::size_t(source.layer)];
    QStringList parts{u"default %1"_s.arg(counts[std::size_t(Layer::Default)])};
    // The file is named even when it sets nothing: the operator checks that it was read.
    if (!configFile.isEmpty())
        parts.append(u"file %1 %2"_s.arg(configFile).arg(counts[std::size_t(Layer::File)]));
    if (counts[std::size_t(Layer::Environment)] > 0)
        parts.append(u"environment %1"_s.arg(counts[std::size_t(Layer::Environment)]));
    if (counts[std::size_t(Layer::Flag)] > 0)
        parts.append(u"flag %1"_s.arg(counts[std::size_t(Layer::Flag)]));
    return u"configuration OK (%1 options, from: %2)"_s.arg(sources.size()).arg(parts.join(", "_L1));
}

QStringList ConfigCommand::warnings(const ServiceConfig &config)
{
    // Service::initialize() logs these at start too.
    QStringList out;
    if (config.jwtSecret.isEmpty() && !config.allowAnonymous)
        out.append(u"JWT_SECRET is not set and anonymous clients are not allowed: no client can connect"_s);
    if (config.apiKey.isEmpty())
        out.append(u"WSINFRA_API_KEY is not set: the HTTP API answers loopback clients only"_s);
    return out;
}

QString ConfigCommand::reference()
{
    QString out = u"| JSON key | Environment variable | Flag | Type | Default | Range | Description |\n"
                  "|---|---|---|---|---|---|---|\n"_s;
    for (const ConfigOption &option : ConfigLoader::schema()) {
        QString flag;
        if (option.secret) {
            flag = u"none (secret: environment or file only)"_s;
        } else {
            const QString valueName = ConfigLoader::valueName(option);
            flag = code("--"_L1 + option.flag + (valueName.isEmpty() ? QString() : u' ' + valueName));
        }
        const QString defaultValue = option.defaultValue.isEmpty() ? u"(empty)"_s : code(QString(option.defaultValue));
        const QStringList cells = {code(QString(option.key)),
                                   code(QString(option.environment)),
                                   flag,
                                   typeName(option),
                                   defaultValue,
                                   rangeText(option),
                                   QString(option.help)};
        out += u"| "_s;
        for (const QString &text : cells)
            out += cell(text) + " | "_L1;
        out.chop(1);
        out += u'\n';
    }
    return out;
}

} // namespace wsinfra
