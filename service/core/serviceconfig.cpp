#include "core/serviceconfig.h"

#include "cluster/redistlstunnel.h"
#include "core/configvalue.h"
#include "protocol/codes.h"
#include "transport/tlscredentials.h"

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

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

namespace wsinfra {
namespace {

// A config file is a few kilobytes; the cap keeps a wrong path (a log, /dev/zero) from eating memory.
constexpr qint64 kMaxConfigFileBytes = 1 * ConfigUnit::MiB;
// Values quoted in error messages are cut here so a hostile value cannot make a huge message.
constexpr qsizetype kMaxQuotedChars = 80;

using T = ConfigType;
using C = ConfigCheck;

struct Setting
{
    qint64 number = 0;
    QString text;
    QString source;      // as error messages name it: "config file /x.json key \"port\""
    ConfigSource origin; // as --print-config shows it
};
using Settings = std::vector<Setting>; // one per option of the schema, in its order

Error invalidConfig(QString message)
{
    return Error{QString(ErrorCode::InvalidConfig), std::move(message)};
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
    return quoted(option.check == C::RedisUrl ? ConfigValue::maskUrlPassword(value) : value);
}

/// `shownValue` is the rejected value as quotedValue() or describeJson() shows it; `mismatch` says what was expected.
Error invalidValue(const QString &shownValue, const QString &source, const Error &mismatch)
{
    return invalidConfig(u"invalid value %1 for %2: %3"_s.arg(shownValue, source, mismatch.message));
}

/// Parses the text form of a value (flag, environment, JSON string, default) into the slot.
std::optional<Error> applyText(const ConfigOption &option, const QString &value, const QString &source,
                               const ConfigSource &origin, Setting &slot)
{
    if (option.type == T::String) {
        const Result<QString> text = ConfigValue::parseText(option, value);
        if (!text)
            return invalidValue(quotedValue(option, value), source, text.error());
        slot = Setting{0, text.value(), source, origin};
        return std::nullopt;
    }
    const Result<qint64> number = ConfigValue::parseNumber(option, value);
    if (!number)
        return invalidValue(quotedValue(option, value), source, number.error());
    slot = Setting{number.value(), QString(), source, origin};
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
                                    const ConfigSource &origin, Setting &slot)
{
    if (value.isString())
        return applyText(option, value.toString(), source, origin, slot);
    if (value.isBool() && option.type == T::Bool) {
        slot = Setting{value.toBool() ? 1 : 0, QString(), source, origin};
        return std::nullopt;
    }
    const Result<qint64> number =
        value.isDouble() ? ConfigValue::fromJsonNumber(option, value.toDouble()) : ConfigValue::mismatch(option);
    if (!number)
        return invalidValue(option.secret ? u"(hidden)"_s : describeJson(value), source, number.error());
    slot = Setting{number.value(), QString(), source, origin};
    return std::nullopt;
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
    for (const ConfigOption &option : configSchema()) {
        const QString candidate = QString(option.key);
        if (editDistance(key, candidate) <= 2)
            return u"; did you mean \"%1\"?"_s.arg(candidate);
    }
    return QString();
}

/// The original design's Redis section, {"redis": {enabled, url, config: {enableCompression,
/// compressionThreshold, maxRetries, retryDelayOnFailover}}}, as the flat keys of the schema. maxRetries
/// is checked and ignored: a node reconnects for as long as it runs and a publish never waits for Redis.
Result<QJsonObject> flattenRedisSection(QJsonObject object, const QString &place)
{
    const auto it = object.constFind("redis"_L1);
    if (it == object.constEnd())
        return object;
    if (!it->isObject())
        return invalidConfig(u"key \"redis\" in %1 must be an object {enabled, url, config}"_s.arg(place));
    const QJsonObject redis = it->toObject();
    object.remove("redis"_L1);
    for (const QString &flat :
         {u"redisUrl"_s, u"redisEnableCompression"_s, u"redisCompressionThreshold"_s, u"redisRetryDelayOnFailover"_s}) {
        if (object.contains(flat))
            return invalidConfig(u"%1 has both \"redis\" and \"%2\": give the Redis settings once"_s.arg(place, flat));
    }
    for (auto key = redis.constBegin(); key != redis.constEnd(); ++key) {
        if (key.key() != "enabled"_L1 && key.key() != "url"_L1 && key.key() != "config"_L1)
            return invalidConfig(u"unknown key \"redis.%1\" in %2 (enabled, url, config)"_s.arg(key.key(), place));
    }
    const QJsonValue enabled = redis.value("enabled"_L1);
    if (!enabled.isUndefined() && !enabled.isBool())
        return invalidConfig(u"key \"redis.enabled\" in %1 must be true or false"_s.arg(place));
    const QJsonValue url = redis.value("url"_L1);
    if (enabled.toBool(true)) {
        if (!url.isUndefined())
            object.insert("redisUrl"_L1, url);
    } else {
        object.insert("redisUrl"_L1, u""_s); // disabled: single node, whatever the url
    }
    const QJsonValue config = redis.value("config"_L1);
    if (config.isUndefined())
        return object;
    if (!config.isObject())
        return invalidConfig(u"key \"redis.config\" in %1 must be an object"_s.arg(place));
    const QJsonObject settings = config.toObject();
    for (auto key = settings.constBegin(); key != settings.constEnd(); ++key) {
        if (key.key() == "enableCompression"_L1)
            object.insert("redisEnableCompression"_L1, key.value());
        else if (key.key() == "compressionThreshold"_L1)
            object.insert("redisCompressionThreshold"_L1, key.value());
        else if (key.key() == "retryDelayOnFailover"_L1)
            object.insert("redisRetryDelayOnFailover"_L1, key.value());
        else if (key.key() == "maxRetries"_L1) {
            const double retries = key.value().toDouble(-1);
            if (!key.value().isDouble() || retries < 0 || retries > 1000 || retries != std::floor(retries))
                return invalidConfig(
                    u"key \"redis.config.maxRetries\" in %1 must be a whole number from 0 to 1000"_s.arg(place));
        } else {
            return invalidConfig(
                u"unknown key \"redis.config.%1\" in %2 (enableCompression, compressionThreshold, maxRetries, "
                u"retryDelayOnFailover)"_s.arg(key.key(), place));
        }
    }
    return object;
}

/// Applies a JSON object as the file layer. `place` names where it came from, e.g. "config file /x.json",
/// `origin` the same for --print-config.
std::optional<Error> applyJson(const QJsonObject &original, const QString &place, const ConfigSource &origin,
                               Settings &settings)
{
    const Result<QJsonObject> flattened = flattenRedisSection(original, place);
    if (!flattened)
        return flattened.error();
    const QJsonObject &object = *flattened;
    const std::span<const ConfigOption> options = configSchema();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        const auto known =
            std::find_if(options.begin(), options.end(), [&](const ConfigOption &option) { return option.key == key; });
        if (known == options.end()) {
            return invalidConfig(u"unknown key %1 in %2%3"_s.arg(quoted(key), place, suggestionFor(key)));
        }
    }
    for (std::size_t i = 0; i < options.size(); ++i) {
        const ConfigOption &option = options[i];
        const auto it = object.constFind(option.key);
        if (it == object.constEnd())
            continue;
        const QString source = u"%1 key \"%2\""_s.arg(place, option.key);
        if (std::optional<Error> error = applyJsonValue(option, it.value(), source, origin, settings[i]))
            return error;
    }
    return std::nullopt;
}

std::optional<Error> applyDefaults(Settings &settings)
{
    const std::span<const ConfigOption> options = configSchema();
    for (std::size_t i = 0; i < options.size(); ++i) {
        if (std::optional<Error> error =
                applyText(options[i], QString(options[i].defaultValue), u"default"_s, ConfigSource{}, settings[i]))
            return error;
    }
    return std::nullopt;
}

std::optional<Error> applyEnvironment(const QProcessEnvironment &env, Settings &settings)
{
    const std::span<const ConfigOption> options = configSchema();
    for (std::size_t i = 0; i < options.size(); ++i) {
        const ConfigOption &option = options[i];
        const QString name = QString(option.environment);
        const QString value = env.value(name);
        if (value.isEmpty())
            continue; // empty counts as unset, so `FOO= service` does not fail
        const QString source = u"environment variable %1 (%2)"_s.arg(name, option.key);
        const ConfigSource origin{ConfigSource::Layer::Environment, name};
        if (std::optional<Error> error = applyText(option, value, source, origin, settings[i]))
            return error;
    }
    return std::nullopt;
}

std::optional<Error> applyFlags(const QCommandLineParser &parser, Settings &settings)
{
    const std::span<const ConfigOption> options = configSchema();
    for (std::size_t i = 0; i < options.size(); ++i) {
        const ConfigOption &option = options[i];
        const QString name = QString(option.flag);
        if (name.isEmpty() || !parser.isSet(name))
            continue;
        const QString source = "--"_L1 + name;
        // A bool flag takes no value: giving it means true.
        const QString value = option.type == T::Bool ? u"true"_s : parser.value(name);
        if (std::optional<Error> error =
                applyText(option, value, source, ConfigSource{ConfigSource::Layer::Flag, source}, settings[i]))
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
        return invalidConfig(
            u"config file %1 is larger than %2"_s.arg(path, ConfigValue::formatSize(kMaxConfigFileBytes)));
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
    const QString value = option.type == T::Milliseconds ? ConfigValue::formatDuration(slot.number)
                          : option.type == T::String     ? slot.text
                                                         : QString::number(slot.number);
    return u"%1 (%2, from %3)"_s.arg(option.key, value, slot.source);
}

std::size_t indexOf(QLatin1StringView key)
{
    const std::span<const ConfigOption> options = configSchema();
    for (std::size_t i = 0; i < options.size(); ++i) {
        if (options[i].key == key)
            return i;
    }
    Q_UNREACHABLE();
    return 0;
}

std::optional<Error> checkLessThan(const Settings &settings, QLatin1StringView lowerKey, QLatin1StringView higherKey,
                                   QLatin1StringView relation)
{
    const std::span<const ConfigOption> options = configSchema();
    const std::size_t lower = indexOf(lowerKey);
    const std::size_t higher = indexOf(higherKey);
    if (settings[lower].number < settings[higher].number)
        return std::nullopt;
    return invalidConfig(
        u"invalid configuration: %1 must be %2 %3"_s.arg(describeSetting(options[lower], settings[lower]), relation,
                                                         describeSetting(options[higher], settings[higher])));
}

bool isAnyAddress(const QString &text)
{
    const QHostAddress address(text);
    return address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6 || address == QHostAddress::Any;
}

std::optional<Error> checkCrossField(const Settings &settings, bool readFiles)
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
        const std::span<const ConfigOption> options = configSchema();
        return invalidConfig(u"invalid configuration: %1 and %2 listen on the same port of overlapping addresses "
                             "%3 and %4"_s.arg(describeSetting(options[indexOf("port"_L1)], port),
                                               describeSetting(options[indexOf("controlPort"_L1)], controlPort),
                                               bind.text, controlBind.text));
    }
    // TLS needs both files; they are read here so that --check-config finds a bad one before a start.
    const Setting &certificate = settings[indexOf("tlsCertFile"_L1)];
    const Setting &key = settings[indexOf("tlsKeyFile"_L1)];
    if (certificate.text.isEmpty() != key.text.isEmpty()) {
        const bool keyGiven = certificate.text.isEmpty();
        return invalidConfig(u"invalid configuration: %1 is set (from %2) but %3 is not; TLS needs both"_s.arg(
            keyGiven ? u"tlsKeyFile"_s : u"tlsCertFile"_s, keyGiven ? key.source : certificate.source,
            keyGiven ? u"tlsCertFile"_s : u"tlsKeyFile"_s));
    }
    const bool tls = !certificate.text.isEmpty();
    if (tls && readFiles) {
        const Result<TlsCredentials> credentials = TlsCredentials::load(certificate.text, key.text);
        if (!credentials)
            return invalidConfig(u"invalid configuration: "_s + credentials.error().message);
    }
    // Read here too, for the same reason: a CA file that does not load would fail every rediss:// connection.
    const Setting &redisCa = settings[indexOf("redisTlsCaFile"_L1)];
    if (!redisCa.text.isEmpty() && readFiles) {
        const Result<QList<QSslCertificate>> certificates = RedisTlsTunnel::loadCaFile(redisCa.text);
        if (!certificates) {
            return invalidConfig(u"invalid configuration: redisTlsCaFile (from %1): %2"_s.arg(
                redisCa.source, certificates.error().message));
        }
    }
    const Setting &controlTls = settings[indexOf("controlTls"_L1)];
    if (controlTls.number != 0 && !tls) {
        return invalidConfig(
            u"invalid configuration: controlTls (from %1) needs tlsCertFile and tlsKeyFile"_s.arg(controlTls.source));
    }
    // Without TLS the control port carries the console's token and commands in clear text: ControlServer
    // refuses any other address, and refusing here lets --check-config see it too.
    const Setting &controlToken = settings[indexOf("controlToken"_L1)];
    if (!controlToken.text.isEmpty() && controlTls.number == 0 && !QHostAddress(controlBind.text).isLoopback()) {
        return invalidConfig(u"invalid configuration: controlBind (%1, from %2) must be a loopback address while the "
                             "control port is open (controlToken is set) without TLS; set controlTls to open it "
                             "elsewhere"_s.arg(controlBind.text, controlBind.source));
    }
    return std::nullopt;
}

Result<ServiceConfig> finish(const Settings &settings, bool readFiles)
{
    const std::span<const ConfigOption> options = configSchema();
    if (std::optional<Error> error = checkCrossField(settings, readFiles))
        return *error;
    ServiceConfig config;
    for (std::size_t i = 0; i < options.size(); ++i) {
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
            options[i].field);
    }
    if (config.ioThreads == 0)
        config.ioThreads = std::max(1, QThread::idealThreadCount());
    return config;
}

Result<ServiceConfig> resolveLayers(const QJsonObject *file, const QString &place, const ConfigSource &fileOrigin,
                                    const QProcessEnvironment *env, const QCommandLineParser *parser,
                                    ConfigSources *sources, bool readFiles = true)
{
    Settings settings(configSchema().size());
    std::optional<Error> error = applyDefaults(settings);
    if (!error && file)
        error = applyJson(*file, place, fileOrigin, settings);
    if (!error && env)
        error = applyEnvironment(*env, settings);
    if (!error && parser)
        error = applyFlags(*parser, settings);
    if (error)
        return *error;
    Result<ServiceConfig> config = finish(settings, readFiles);
    if (config && sources) {
        sources->clear();
        sources->reserve(settings.size());
        for (const Setting &slot : settings)
            sources->push_back(slot.origin);
    }
    return config;
}

} // namespace

std::span<const ConfigOption> ConfigLoader::schema()
{
    return configSchema();
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
    for (const ConfigOption &option : configSchema()) {
        if (option.secret)
            secretVariables.append(QString(option.environment));
    }
    parser.addOption(QCommandLineOption(
        u"config"_s,
        u"JSON file of settings, keys in camelCase (\"maxConnections\"); environment variables and flags override "
        "it. Secrets are not accepted as flags: set them in this file or in %1."_s.arg(secretVariables.join(", "_L1)),
        u"FILE"_s));
    for (const ConfigOption &option : configSchema()) {
        if (option.flag.isEmpty())
            continue;
        parser.addOption(QCommandLineOption(QString(option.flag), helpText(option), valueName(option)));
    }
}

QString ConfigLoader::valueName(const ConfigOption &option)
{
    switch (option.type) {
    case T::Int:
        return u"N"_s;
    case T::Bool:
        return QString();
    case T::Bytes:
        return u"SIZE"_s;
    case T::Milliseconds:
        return u"DURATION"_s;
    case T::String:
        switch (option.check) {
        case C::RedisUrl:
            return u"URL"_s;
        case C::IpAddress:
            return u"ADDRESS"_s;
        case C::OriginList:
            return u"ORIGINS"_s;
        case C::ProxyList:
            return u"ADDRESSES"_s;
        case C::EventDispatcher:
            return u"epoll|qt"_s;
        case C::PriorityOrder:
        case C::None:
            break;
        }
        return u"TEXT"_s;
    }
    return QString();
}

QString ConfigSource::toString() const
{
    switch (layer) {
    case Layer::Default:
        return u"default"_s;
    case Layer::File:
        return "file "_L1 + name;
    case Layer::Environment:
        return "environment "_L1 + name;
    case Layer::Flag:
        return "flag "_L1 + name;
    }
    return QString();
}

Result<ServiceConfig> ConfigLoader::resolve(const QCommandLineParser &parser, const QProcessEnvironment &env,
                                            ConfigSources *sources)
{
    return resolve(parser, env, sources, true);
}

Result<ServiceConfig> ConfigLoader::resolveWithoutReadingFiles(const QCommandLineParser &parser,
                                                               const QProcessEnvironment &env)
{
    return resolve(parser, env, nullptr, false);
}

Result<ServiceConfig> ConfigLoader::resolve(const QCommandLineParser &parser, const QProcessEnvironment &env,
                                            ConfigSources *sources, bool readFiles)
{
    const QString configOption = u"config"_s;
    if (!parser.isSet(configOption))
        return resolveLayers(nullptr, QString(), ConfigSource{}, &env, &parser, sources, readFiles);
    const QString path = parser.value(configOption);
    const Result<QJsonObject> file = readConfigFile(path);
    if (!file)
        return file.error();
    return resolveLayers(&file.value(), u"config file "_s + path, ConfigSource{ConfigSource::Layer::File, path}, &env,
                         &parser, sources, readFiles);
}

Result<ServiceConfig> ConfigLoader::fromJson(const QJsonObject &object)
{
    return resolveLayers(&object, u"JSON"_s, ConfigSource{ConfigSource::Layer::File, u"JSON"_s}, nullptr, nullptr,
                         nullptr);
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
                return option.check == C::RedisUrl ? ConfigValue::maskUrlPassword(value) : value;
            } else if constexpr (std::is_same_v<Value, bool>) {
                return value ? u"true"_s : u"false"_s;
            } else if (option.type == T::Bytes) {
                return ConfigValue::formatSize(value);
            } else if (option.type == T::Milliseconds) {
                return ConfigValue::formatDuration(value);
            } else {
                return QString::number(value);
            }
        },
        option.field);
}

} // namespace wsinfra
