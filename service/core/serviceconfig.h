#pragma once

#include "core/configschema.h"
#include "protocol/result.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <span>
#include <vector>

class QCommandLineParser;
class QJsonObject;
class QProcessEnvironment;

namespace wsinfra {

/// The resolved, validated settings of wsinfra-service. Durations are milliseconds, sizes bytes.
/// The in-class initialisers are the documented defaults, so `ServiceConfig{}` is what a service
/// started without any configuration uses (except ioThreads, which ConfigLoader resolves from 0 to
/// the number of cores). tst_serviceconfig checks that they agree with ConfigLoader::schema().
struct ServiceConfig
{
    int port = 3000;
    QString bind = QStringLiteral("0.0.0.0");
    int controlPort = 3001;
    QString controlBind = QStringLiteral("127.0.0.1");
    QString controlToken;
    qint64 controlIntervalMs = 1000;
    bool controlTls = false;
    QString tlsCertFile; // with tlsKeyFile: the public port speaks TLS
    QString tlsKeyFile;
    QString apiKey;
    QByteArray jwtSecret;
    bool allowAnonymous = false;
    int maxConnections = 10000;
    int maxConnectionsPerIp = 0;   // 0 = unlimited
    int maxConnectionsPerUser = 0; // 0 = unlimited
    int connectionRatePerIp = 0;   // new connections per second per address; 0 = unlimited
    int connectionBurstPerIp = 40;
    int maxPendingRequests = 4096;
    int maxPendingRequestsPerIp = 128; // 0 = unlimited
    qint64 heartbeatIntervalMs = 30000;
    qint64 connectionTimeoutMs = 60000;
    qint64 maxPayloadBytes = 65536;
    int messagesPerSecond = 100;
    int messageBurst = 200;
    int rateLimitMaxViolations = 20;
    int maxSubscriptionsPerConnection = 1000;
    int historySize = 1000;
    qint64 historyTtlMs = 86400000;
    int notificationInboxSize = 100; // per user; 0 = off
    qint64 notificationInboxTtlMs = 86400000;
    int notificationInboxMaxEntries = 100000;
    qint64 notificationInboxMaxBytes = 67108864;
    int ioThreads = 0;                                 // 0 = number of cores; resolved configs hold the real number
    QString eventDispatcher = QStringLiteral("epoll"); // "epoll" or "qt"
    qint64 memoryLimitBytes = 0;                       // 0 = automatic (cgroup limit, else physical memory)
    int memoryWarningThreshold = 70;
    int memoryCriticalThreshold = 85;
    int memoryEmergencyThreshold = 95;
    qint64 maxQueuedBytes = 1048576;
    qint64 slowConsumerGraceMs = 10000;
    QString deliveryPriorities = QStringLiteral("notification,bill_update,broadcast");
    int messageBatchSize = 50;
    qint64 messageBatchDelayMs = 10;
    int dedupeCacheSize = 10000;
    qint64 dedupeWindowMs = 300000;
    QString redisUrl;       // empty = single node
    QString redisTlsCaFile; // rediss://: CAs trusted besides the system's
    qint64 redisTimeoutMs = 2000;
    qint64 redisRetryDelayMs = 100;
    bool redisEnableCompression = true;
    qint64 redisCompressionThreshold = 1024;
    qint64 shutdownTimeoutMs = 10000;
    qint64 maxHttpBodyBytes = 1048576;
    qint64 requestHeadTimeoutMs = 10000;
    qint64 memoryCheckIntervalMs = 10000;
    qint64 healthCheckIntervalMs = 5000;
    int maxLatencySamples = 1000;
    int degradationCachePercent = 25;
    int degradationQueuePercent = 25;
    int degradationSubscriptionFloor = 10;
    int degradationShedPercent = 5;
    qint64 socketioPingIntervalMs = 25000;
    qint64 socketioPingTimeoutMs = 20000;
    qint64 socketioConnectTimeoutMs = 45000;
    qint64 socketioRecoveryDurationMs = 120000; // 0 = no connection state recovery
    QString corsOrigins;                        // comma-separated; empty = no cross-origin access
    QString allowedOrigins;                     // comma-separated origins or *; empty = Origin not checked
    QString trustedProxies;                     // comma-separated addresses/subnets; empty = none trusted

    bool operator==(const ServiceConfig &other) const = default;
};

/// Where the value of one option came from, for `--print-config`.
struct ConfigSource
{
    enum class Layer {
        Default,
        File,        // the --config file (or, for ConfigLoader::fromJson, the JSON object)
        Environment, // an environment variable
        Flag,        // a command-line flag
    };
    Layer layer = Layer::Default;
    QString name; // the file's path, the variable ("WSINFRA_PORT") or the flag ("--port"); empty for a default

    /// "default", "file /etc/wsinfra/wsinfra.json", "environment WSINFRA_PORT" or "flag --port".
    QString toString() const;

    bool operator==(const ConfigSource &other) const = default;
};

/// The source of every option, in the order of ConfigLoader::schema().
using ConfigSources = std::vector<ConfigSource>;

/// Resolves a ServiceConfig from defaults < JSON file (`--config FILE`) < environment variables <
/// command-line flags, table-driven by schema(). Every value given on any layer is validated, even
/// one a higher layer overrides, so a typo never waits for the day the override is removed.
class ConfigLoader
{
public:
    /// The single source of truth of the options, in documentation order: configSchema().
    static std::span<const ConfigOption> schema();

    /// Adds --config and every flag of the schema (help text names the environment variable, e.g.
    /// "Port of the public listener [env WSINFRA_PORT, default 3000]") to the parser.
    static void addOptions(QCommandLineParser &parser);

    /// Resolves defaults < --config JSON file < env < flags. The parser has already parsed the arguments.
    /// When `sources` is given and the configuration is valid, it receives where each value came from.
    static Result<ServiceConfig> resolve(const QCommandLineParser &parser, const QProcessEnvironment &env,
                                         ConfigSources *sources = nullptr);
    /// The same without reading the TLS certificate, key and CA files the options name (they are only
    /// checked for presence): for what must be known before the application exists, such as the event
    /// dispatcher (Qt's TLS backend wants an application).
    static Result<ServiceConfig> resolveWithoutReadingFiles(const QCommandLineParser &parser,
                                                            const QProcessEnvironment &env);

    /// The same from a JSON object, for tests and for the later control API.
    static Result<ServiceConfig> fromJson(const QJsonObject &object);

    /// The value of an option in the syntax the loader accepts ("30s", "64KB", "true"), for
    /// `--print-config`. Secrets come out as "***" when set, and a password in redisUrl is masked.
    static QString displayValue(const ServiceConfig &config, const ConfigOption &option);

    /// The placeholder of the flag's value in `--help` ("N", "SIZE", "DURATION", "URL", ...); empty for a bool.
    static QString valueName(const ConfigOption &option);

    /// The `--help` line of an option: its help text plus "[env NAME, default VALUE]".
    static QString helpText(const ConfigOption &option);

private:
    static Result<ServiceConfig> resolve(const QCommandLineParser &parser, const QProcessEnvironment &env,
                                         ConfigSources *sources, bool readFiles);
};

} // namespace wsinfra
