#include "core/serviceconfig.h"
#include "protocol/codes.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;
using wsinfra::ConfigLoader;
using wsinfra::ConfigOption;
using wsinfra::Result;
using wsinfra::ServiceConfig;

namespace {

// Written out by hand, not read from the schema, so a wrong member or name in the schema fails here.
std::optional<QString> fieldOf(const ServiceConfig &c, const QString &key)
{
    const auto n = [](qint64 value) { return QString::number(value); };
    if (key == "port"_L1)
        return n(c.port);
    if (key == "bind"_L1)
        return c.bind;
    if (key == "controlPort"_L1)
        return n(c.controlPort);
    if (key == "controlBind"_L1)
        return c.controlBind;
    if (key == "controlTls"_L1)
        return c.controlTls ? u"true"_s : u"false"_s;
    if (key == "tlsCertFile"_L1)
        return c.tlsCertFile;
    if (key == "tlsKeyFile"_L1)
        return c.tlsKeyFile;
    if (key == "controlToken"_L1)
        return c.controlToken;
    if (key == "controlInterval"_L1)
        return n(c.controlIntervalMs);
    if (key == "apiKey"_L1)
        return c.apiKey;
    if (key == "jwtSecret"_L1)
        return QString::fromUtf8(c.jwtSecret);
    if (key == "allowAnonymous"_L1)
        return c.allowAnonymous ? u"true"_s : u"false"_s;
    if (key == "maxConnections"_L1)
        return n(c.maxConnections);
    if (key == "maxConnectionsPerIp"_L1)
        return n(c.maxConnectionsPerIp);
    if (key == "maxConnectionsPerUser"_L1)
        return n(c.maxConnectionsPerUser);
    if (key == "connectionRatePerIp"_L1)
        return n(c.connectionRatePerIp);
    if (key == "connectionBurstPerIp"_L1)
        return n(c.connectionBurstPerIp);
    if (key == "maxPendingRequests"_L1)
        return n(c.maxPendingRequests);
    if (key == "maxPendingRequestsPerIp"_L1)
        return n(c.maxPendingRequestsPerIp);
    if (key == "heartbeatInterval"_L1)
        return n(c.heartbeatIntervalMs);
    if (key == "connectionTimeout"_L1)
        return n(c.connectionTimeoutMs);
    if (key == "maxPayload"_L1)
        return n(c.maxPayloadBytes);
    if (key == "messagesPerSecond"_L1)
        return n(c.messagesPerSecond);
    if (key == "messageBurst"_L1)
        return n(c.messageBurst);
    if (key == "rateLimitMaxViolations"_L1)
        return n(c.rateLimitMaxViolations);
    if (key == "maxSubscriptionsPerConnection"_L1)
        return n(c.maxSubscriptionsPerConnection);
    if (key == "historySize"_L1)
        return n(c.historySize);
    if (key == "historyTtl"_L1)
        return n(c.historyTtlMs);
    if (key == "notificationInboxSize"_L1)
        return n(c.notificationInboxSize);
    if (key == "notificationInboxTtl"_L1)
        return n(c.notificationInboxTtlMs);
    if (key == "notificationInboxMaxEntries"_L1)
        return n(c.notificationInboxMaxEntries);
    if (key == "notificationInboxMaxBytes"_L1)
        return n(c.notificationInboxMaxBytes);
    if (key == "ioThreads"_L1)
        return n(c.ioThreads);
    if (key == "eventDispatcher"_L1)
        return c.eventDispatcher;
    if (key == "memoryLimit"_L1)
        return n(c.memoryLimitBytes);
    if (key == "memoryWarningThreshold"_L1)
        return n(c.memoryWarningThreshold);
    if (key == "memoryCriticalThreshold"_L1)
        return n(c.memoryCriticalThreshold);
    if (key == "memoryEmergencyThreshold"_L1)
        return n(c.memoryEmergencyThreshold);
    if (key == "messageBatchSize"_L1)
        return n(c.messageBatchSize);
    if (key == "messageBatchDelay"_L1)
        return n(c.messageBatchDelayMs);
    if (key == "dedupeCacheSize"_L1)
        return n(c.dedupeCacheSize);
    if (key == "dedupeWindow"_L1)
        return n(c.dedupeWindowMs);
    if (key == "redisUrl"_L1)
        return c.redisUrl;
    if (key == "redisTlsCaFile"_L1)
        return c.redisTlsCaFile;
    if (key == "redisTimeout"_L1)
        return n(c.redisTimeoutMs);
    if (key == "redisRetryDelayOnFailover"_L1)
        return n(c.redisRetryDelayMs);
    if (key == "redisEnableCompression"_L1)
        return c.redisEnableCompression ? u"true"_s : u"false"_s;
    if (key == "redisCompressionThreshold"_L1)
        return n(c.redisCompressionThreshold);
    if (key == "shutdownTimeout"_L1)
        return n(c.shutdownTimeoutMs);
    if (key == "maxHttpBody"_L1)
        return n(c.maxHttpBodyBytes);
    if (key == "requestHeadTimeout"_L1)
        return n(c.requestHeadTimeoutMs);
    if (key == "memoryCheckInterval"_L1)
        return n(c.memoryCheckIntervalMs);
    if (key == "deliveryPriorities"_L1)
        return c.deliveryPriorities;
    if (key == "maxQueuedBytes"_L1)
        return n(c.maxQueuedBytes);
    if (key == "slowConsumerGrace"_L1)
        return n(c.slowConsumerGraceMs);
    if (key == "healthCheckInterval"_L1)
        return n(c.healthCheckIntervalMs);
    if (key == "maxLatencySamples"_L1)
        return n(c.maxLatencySamples);
    if (key == "degradationCachePercent"_L1)
        return n(c.degradationCachePercent);
    if (key == "degradationQueuePercent"_L1)
        return n(c.degradationQueuePercent);
    if (key == "degradationSubscriptionFloor"_L1)
        return n(c.degradationSubscriptionFloor);
    if (key == "degradationShedPercent"_L1)
        return n(c.degradationShedPercent);
    if (key == "socketioPingInterval"_L1)
        return n(c.socketioPingIntervalMs);
    if (key == "socketioPingTimeout"_L1)
        return n(c.socketioPingTimeoutMs);
    if (key == "socketioConnectTimeout"_L1)
        return n(c.socketioConnectTimeoutMs);
    if (key == "socketioRecoveryDuration"_L1)
        return n(c.socketioRecoveryDurationMs);
    if (key == "corsOrigins"_L1)
        return c.corsOrigins;
    if (key == "allowedOrigins"_L1)
        return c.allowedOrigins;
    if (key == "trustedProxies"_L1)
        return c.trustedProxies;
    return std::nullopt;
}

QString fieldText(const ServiceConfig &c, const QString &key)
{
    return fieldOf(c, key).value_or(u"(unknown key)"_s);
}

// Every environment variable of the documentation, by hand.
QStringList allEnvironmentNames()
{
    return {u"WSINFRA_PORT"_s,
            u"WSINFRA_BIND"_s,
            u"WSINFRA_CONTROL_PORT"_s,
            u"WSINFRA_CONTROL_BIND"_s,
            u"WSINFRA_CONTROL_TOKEN"_s,
            u"WSINFRA_CONTROL_INTERVAL"_s,
            u"WSINFRA_CONTROL_TLS"_s,
            u"WSINFRA_TLS_CERT"_s,
            u"WSINFRA_TLS_KEY"_s,
            u"WSINFRA_API_KEY"_s,
            u"JWT_SECRET"_s,
            u"WSINFRA_ALLOW_ANONYMOUS"_s,
            u"WEBSOCKET_MAX_CONNECTIONS"_s,
            u"WSINFRA_MAX_CONNECTIONS_PER_IP"_s,
            u"WSINFRA_MAX_CONNECTIONS_PER_USER"_s,
            u"WSINFRA_CONNECTION_RATE_PER_IP"_s,
            u"WSINFRA_CONNECTION_BURST_PER_IP"_s,
            u"WSINFRA_MAX_PENDING_REQUESTS"_s,
            u"WSINFRA_MAX_PENDING_REQUESTS_PER_IP"_s,
            u"WEBSOCKET_HEARTBEAT_INTERVAL"_s,
            u"WEBSOCKET_CONNECTION_TIMEOUT"_s,
            u"WSINFRA_MAX_PAYLOAD"_s,
            u"WSINFRA_MESSAGES_PER_SECOND"_s,
            u"WSINFRA_MESSAGE_BURST"_s,
            u"WSINFRA_RATE_LIMIT_MAX_VIOLATIONS"_s,
            u"WSINFRA_MAX_SUBSCRIPTIONS"_s,
            u"WSINFRA_HISTORY_SIZE"_s,
            u"WSINFRA_HISTORY_TTL"_s,
            u"NOTIFICATION_INBOX_SIZE"_s,
            u"NOTIFICATION_INBOX_MAX_BYTES"_s,
            u"NOTIFICATION_INBOX_TTL"_s,
            u"NOTIFICATION_INBOX_MAX_ENTRIES"_s,
            u"WSINFRA_IO_THREADS"_s,
            u"WSINFRA_EVENT_DISPATCHER"_s,
            u"WSINFRA_MEMORY_LIMIT"_s,
            u"MEMORY_WARNING_THRESHOLD"_s,
            u"MEMORY_CRITICAL_THRESHOLD"_s,
            u"MEMORY_EMERGENCY_THRESHOLD"_s,
            u"WSINFRA_MAX_QUEUED_BYTES"_s,
            u"WSINFRA_DELIVERY_PRIORITIES"_s,
            u"WSINFRA_SLOW_CONSUMER_GRACE"_s,
            u"MESSAGE_BATCH_SIZE"_s,
            u"MESSAGE_BATCH_DELAY"_s,
            u"DEDUPE_CACHE_SIZE"_s,
            u"DEDUPE_WINDOW"_s,
            u"REDIS_URL"_s,
            u"WSINFRA_REDIS_TLS_CA"_s,
            u"REDIS_TIMEOUT"_s,
            u"REDIS_RETRY_DELAY"_s,
            u"REDIS_ENABLE_COMPRESSION"_s,
            u"REDIS_COMPRESSION_THRESHOLD"_s,
            u"WSINFRA_SHUTDOWN_TIMEOUT"_s,
            u"WSINFRA_MAX_HTTP_BODY"_s,
            u"WSINFRA_REQUEST_HEAD_TIMEOUT"_s,
            u"MEMORY_CHECK_INTERVAL"_s,
            u"HEALTH_CHECK_INTERVAL"_s,
            u"MAX_LATENCY_SAMPLES"_s,
            u"SOCKETIO_PING_INTERVAL"_s,
            u"SOCKETIO_PING_TIMEOUT"_s,
            u"SOCKETIO_CONNECT_TIMEOUT"_s,
            u"SOCKETIO_RECOVERY_DURATION"_s,
            u"DEGRADATION_CACHE_PERCENT"_s,
            u"DEGRADATION_QUEUE_PERCENT"_s,
            u"DEGRADATION_SUBSCRIPTION_FLOOR"_s,
            u"DEGRADATION_SHED_PERCENT"_s,
            u"WSINFRA_CORS_ORIGINS"_s,
            u"WSINFRA_ALLOWED_ORIGINS"_s,
            u"WSINFRA_TRUSTED_PROXIES"_s};
}

QProcessEnvironment environment(const QStringList &assignments)
{
    QProcessEnvironment env;
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.indexOf(u'=');
        env.insert(assignment.left(equals), assignment.mid(equals + 1));
    }
    return env;
}

Result<ServiceConfig> resolveWith(const QStringList &flags, const QProcessEnvironment &env = {})
{
    QCommandLineParser parser;
    ConfigLoader::addOptions(parser);
    if (!parser.parse(QStringList{u"wsinfra-service"_s} + flags))
        return Result<ServiceConfig>::failure(u"command_line"_s, parser.errorText());
    return ConfigLoader::resolve(parser, env);
}

Result<ServiceConfig> fromJsonText(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return Result<ServiceConfig>::failure(u"test_bug"_s, error.errorString());
    return ConfigLoader::fromJson(document.object());
}

int idealThreads()
{
    return std::max(1, QThread::idealThreadCount());
}

} // namespace

class TestServiceConfig : public QObject
{
    Q_OBJECT

private:
    QString writeFile(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size())
            return QString();
        return path;
    }

    void expectInvalid(const Result<ServiceConfig> &result, const QStringList &fragments)
    {
        QVERIFY2(!result.ok(), "expected an error");
        QCOMPARE(result.error().code, QString(wsinfra::ErrorCode::InvalidConfig));
        for (const QString &fragment : fragments)
            QVERIFY2(result.error().message.contains(fragment),
                     qPrintable(u"missing \"%1\" in: %2"_s.arg(fragment, result.error().message)));
    }

    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void defaults_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("expected");
        const QList<std::pair<const char *, const char *>> rows = {
            {"port", "3000"},
            {"bind", "0.0.0.0"},
            {"controlPort", "3001"},
            {"controlBind", "127.0.0.1"},
            {"controlTls", "false"},
            {"tlsCertFile", ""},
            {"tlsKeyFile", ""},
            {"controlToken", ""},
            {"controlInterval", "1000"},
            {"apiKey", ""},
            {"jwtSecret", ""},
            {"allowAnonymous", "false"},
            {"maxConnections", "10000"},
            {"maxConnectionsPerIp", "0"},
            {"maxConnectionsPerUser", "0"},
            {"connectionRatePerIp", "0"},
            {"connectionBurstPerIp", "40"},
            {"maxPendingRequests", "4096"},
            {"maxPendingRequestsPerIp", "128"},
            {"heartbeatInterval", "30000"},
            {"connectionTimeout", "60000"},
            {"maxPayload", "65536"},
            {"messagesPerSecond", "100"},
            {"messageBurst", "200"},
            {"rateLimitMaxViolations", "20"},
            {"maxSubscriptionsPerConnection", "1000"},
            {"historySize", "1000"},
            {"historyTtl", "86400000"},
            {"notificationInboxSize", "100"},
            {"notificationInboxTtl", "86400000"},
            {"notificationInboxMaxEntries", "100000"},
            {"notificationInboxMaxBytes", "67108864"},
            {"ioThreads", "0"},
            {"eventDispatcher", "epoll"},
            {"memoryLimit", "0"},
            {"memoryWarningThreshold", "70"},
            {"memoryCriticalThreshold", "85"},
            {"memoryEmergencyThreshold", "95"},
            {"maxQueuedBytes", "1048576"},
            {"deliveryPriorities", "notification,bill_update,broadcast"},
            {"slowConsumerGrace", "10000"},
            {"messageBatchSize", "50"},
            {"messageBatchDelay", "10"},
            {"dedupeCacheSize", "10000"},
            {"dedupeWindow", "300000"},
            {"redisUrl", ""},
            {"redisTlsCaFile", ""},
            {"redisTimeout", "2000"},
            {"redisRetryDelayOnFailover", "100"},
            {"redisEnableCompression", "true"},
            {"redisCompressionThreshold", "1024"},
            {"shutdownTimeout", "10000"},
            {"maxHttpBody", "1048576"},
            {"requestHeadTimeout", "10000"},
            {"memoryCheckInterval", "10000"},
            {"healthCheckInterval", "5000"},
            {"maxLatencySamples", "1000"},
            {"socketioPingInterval", "25000"},
            {"socketioPingTimeout", "20000"},
            {"socketioConnectTimeout", "45000"},
            {"socketioRecoveryDuration", "120000"},
            {"degradationCachePercent", "25"},
            {"degradationQueuePercent", "25"},
            {"degradationSubscriptionFloor", "10"},
            {"degradationShedPercent", "5"},
            {"corsOrigins", ""},
            {"allowedOrigins", ""},
            {"trustedProxies", ""},
        };
        QCOMPARE(rows.size(), qsizetype(ConfigLoader::schema().size()));
        for (const auto &[key, expected] : rows)
            QTest::newRow(key) << QString::fromLatin1(key) << QString::fromLatin1(expected);
    }

    void defaults()
    {
        QFETCH(QString, key);
        QFETCH(QString, expected);
        QCOMPARE(fieldText(ServiceConfig{}, key), expected);

        // A resolved config holds the real number of I/O threads.
        const QString resolvedExpected = key == "ioThreads"_L1 ? QString::number(idealThreads()) : expected;
        const Result<ServiceConfig> fromJson = ConfigLoader::fromJson(QJsonObject());
        QVERIFY2(fromJson.ok(), qPrintable(fromJson.error().message));
        QCOMPARE(fieldText(*fromJson, key), resolvedExpected);
        const Result<ServiceConfig> resolved = resolveWith({});
        QVERIFY2(resolved.ok(), qPrintable(resolved.error().message));
        QCOMPARE(fieldText(*resolved, key), resolvedExpected);
    }

    void defaultsOfSchemaMatchStruct()
    {
        const Result<ServiceConfig> resolved = resolveWith({});
        QVERIFY(resolved.ok());
        ServiceConfig expected;
        expected.ioThreads = idealThreads();
        QVERIFY(*resolved == expected);
    }

    void schemaIsConsistent()
    {
        QSet<QString> keys, environments, flags;
        const QStringList documented = allEnvironmentNames();
        for (const ConfigOption &option : ConfigLoader::schema()) {
            const QString key = QString(option.key);
            QVERIFY2(fieldOf(ServiceConfig{}, key).has_value(), qPrintable(key));
            QVERIFY2(!keys.contains(key), qPrintable(key));
            keys.insert(key);
            QVERIFY2(!environments.contains(QString(option.environment)), qPrintable(key));
            environments.insert(QString(option.environment));
            QVERIFY2(documented.contains(QString(option.environment)), qPrintable(key));
            QCOMPARE(option.flag.isEmpty(), option.secret);
            if (!option.flag.isEmpty()) {
                QVERIFY2(!flags.contains(QString(option.flag)), qPrintable(key));
                flags.insert(QString(option.flag));
            }
            QVERIFY(!option.help.isEmpty());
            QVERIFY(!option.help.contains(u'\n'));
        }
        QCOMPARE(environments.size(), documented.size());
        const QStringList secrets = {u"controlToken"_s, u"apiKey"_s, u"jwtSecret"_s};
        for (const ConfigOption &option : ConfigLoader::schema())
            QCOMPARE(option.secret, secrets.contains(QString(option.key)));
    }

    void precedence_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QByteArray>("fileValue"); // JSON text; empty = key not in the file
        QTest::addColumn<QString>("envName");
        QTest::addColumn<QString>("envValue"); // empty = unset
        QTest::addColumn<QString>("flag");
        QTest::addColumn<bool>("flagGiven");
        QTest::addColumn<QString>("flagValue");
        QTest::addColumn<QString>("expected");

        const QString port = u"port"_s, portEnv = u"WSINFRA_PORT"_s, portFlag = u"--port"_s;
        QTest::newRow("port default") << port << QByteArray() << portEnv << QString() << portFlag << false << QString()
                                      << u"3000"_s;
        QTest::newRow("port file") << port << "4000"_ba << portEnv << QString() << portFlag << false << QString()
                                   << u"4000"_s;
        QTest::newRow("port file string")
            << port << "\"4001\""_ba << portEnv << QString() << portFlag << false << QString() << u"4001"_s;
        QTest::newRow("port env over file")
            << port << "4000"_ba << portEnv << u"5000"_s << portFlag << false << QString() << u"5000"_s;
        QTest::newRow("port flag over env over file")
            << port << "4000"_ba << portEnv << u"5000"_s << portFlag << true << u"6000"_s << u"6000"_s;
        QTest::newRow("port flag over file")
            << port << "4000"_ba << portEnv << QString() << portFlag << true << u"6000"_s << u"6000"_s;
        QTest::newRow("port flag over env")
            << port << QByteArray() << portEnv << u"5000"_s << portFlag << true << u"0"_s << u"0"_s;
        QTest::newRow("port empty env is unset")
            << port << "4000"_ba << portEnv << QString() << portFlag << false << QString() << u"4000"_s;

        const QString max = u"maxConnections"_s, maxEnv = u"WEBSOCKET_MAX_CONNECTIONS"_s,
                      maxFlag = u"--max-connections"_s;
        QTest::newRow("maxConnections file")
            << max << "20"_ba << maxEnv << QString() << maxFlag << false << QString() << u"20"_s;
        QTest::newRow("maxConnections env")
            << max << "20"_ba << maxEnv << u"30"_s << maxFlag << false << QString() << u"30"_s;
        QTest::newRow("maxConnections flag")
            << max << "20"_ba << maxEnv << u"30"_s << maxFlag << true << u"40"_s << u"40"_s;

        const QString hb = u"heartbeatInterval"_s, hbEnv = u"WEBSOCKET_HEARTBEAT_INTERVAL"_s,
                      hbFlag = u"--heartbeat-interval"_s;
        QTest::newRow("heartbeat file number")
            << hb << "20000"_ba << hbEnv << QString() << hbFlag << false << QString() << u"20000"_s;
        QTest::newRow("heartbeat file unit")
            << hb << "\"25s\""_ba << hbEnv << QString() << hbFlag << false << QString() << u"25000"_s;
        QTest::newRow("heartbeat env unit")
            << hb << "\"25s\""_ba << hbEnv << u"1500ms"_s << hbFlag << false << QString() << u"1500"_s;
        QTest::newRow("heartbeat flag unit")
            << hb << "\"25s\""_ba << hbEnv << u"1500ms"_s << hbFlag << true << u"2s"_s << u"2000"_s;

        const QString payload = u"maxPayload"_s, payloadEnv = u"WSINFRA_MAX_PAYLOAD"_s,
                      payloadFlag = u"--max-payload"_s;
        QTest::newRow("payload file") << payload << "\"1MB\""_ba << payloadEnv << QString() << payloadFlag << false
                                      << QString() << u"1048576"_s;
        QTest::newRow("payload env") << payload << "\"1MB\""_ba << payloadEnv << u"2KiB"_s << payloadFlag << false
                                     << QString() << u"2048"_s;
        QTest::newRow("payload flag") << payload << "\"1MB\""_ba << payloadEnv << u"2KiB"_s << payloadFlag << true
                                      << u"4096"_s << u"4096"_s;

        const QString bind = u"bind"_s, bindEnv = u"WSINFRA_BIND"_s, bindFlag = u"--bind"_s;
        QTest::newRow("bind file") << bind << "\"127.0.0.1\""_ba << bindEnv << QString() << bindFlag << false
                                   << QString() << u"127.0.0.1"_s;
        QTest::newRow("bind env") << bind << "\"127.0.0.1\""_ba << bindEnv << u"::1"_s << bindFlag << false << QString()
                                  << u"::1"_s;
        QTest::newRow("bind flag") << bind << "\"127.0.0.1\""_ba << bindEnv << u"::1"_s << bindFlag << true << u"::"_s
                                   << u"::"_s;

        const QString anon = u"allowAnonymous"_s, anonEnv = u"WSINFRA_ALLOW_ANONYMOUS"_s,
                      anonFlag = u"--allow-anonymous"_s;
        QTest::newRow("anonymous file true")
            << anon << "true"_ba << anonEnv << QString() << anonFlag << false << QString() << u"true"_s;
        QTest::newRow("anonymous file string")
            << anon << "\"yes\""_ba << anonEnv << QString() << anonFlag << false << QString() << u"true"_s;
        QTest::newRow("anonymous env off over file")
            << anon << "true"_ba << anonEnv << u"off"_s << anonFlag << false << QString() << u"false"_s;
        QTest::newRow("anonymous env on over file")
            << anon << "false"_ba << anonEnv << u"ON"_s << anonFlag << false << QString() << u"true"_s;
        QTest::newRow("anonymous flag over env")
            << anon << "false"_ba << anonEnv << u"0"_s << anonFlag << true << QString() << u"true"_s;

        const QString redis = u"redisUrl"_s, redisEnv = u"REDIS_URL"_s, redisFlag = u"--redis-url"_s;
        QTest::newRow("redis file") << redis << "\"redis://a:6379\""_ba << redisEnv << QString() << redisFlag << false
                                    << QString() << u"redis://a:6379"_s;
        QTest::newRow("redis env") << redis << "\"redis://a:6379\""_ba << redisEnv << u"redis://b"_s << redisFlag
                                   << false << QString() << u"redis://b"_s;
        QTest::newRow("redis flag") << redis << "\"redis://a:6379\""_ba << redisEnv << u"redis://b"_s << redisFlag
                                    << true << u"redis://c/2"_s << u"redis://c/2"_s;

        // Original-design names.
        QTest::newRow("batch delay env") << u"messageBatchDelay"_s << "5"_ba << u"MESSAGE_BATCH_DELAY"_s << u"1s"_s
                                         << u"--message-batch-delay"_s << false << QString() << u"1000"_s;
        QTest::newRow("warning env") << u"memoryWarningThreshold"_s << "50"_ba << u"MEMORY_WARNING_THRESHOLD"_s
                                     << u"60"_s << u"--memory-warning-threshold"_s << false << QString() << u"60"_s;
        QTest::newRow("dedupe size flag") << u"dedupeCacheSize"_s << "5"_ba << u"DEDUPE_CACHE_SIZE"_s << u"6"_s
                                          << u"--dedupe-cache-size"_s << true << u"7"_s << u"7"_s;
        QTest::newRow("io threads flag") << u"ioThreads"_s << "2"_ba << u"WSINFRA_IO_THREADS"_s << u"3"_s
                                         << u"--io-threads"_s << true << u"4"_s << u"4"_s;
        QTest::newRow("dispatcher flag") << u"eventDispatcher"_s << "\"qt\""_ba << u"WSINFRA_EVENT_DISPATCHER"_s
                                         << u"epoll"_s << u"--event-dispatcher"_s << true << u"qt"_s << u"qt"_s;
        QTest::newRow("dispatcher env") << u"eventDispatcher"_s << "\"epoll\""_ba << u"WSINFRA_EVENT_DISPATCHER"_s
                                        << u"qt"_s << u"--event-dispatcher"_s << false << QString() << u"qt"_s;
        QTest::newRow("memory limit env") << u"memoryLimit"_s << "\"1GB\""_ba << u"WSINFRA_MEMORY_LIMIT"_s << u"512MB"_s
                                          << u"--memory-limit"_s << false << QString() << u"536870912"_s;
    }

    void precedence()
    {
        QFETCH(QString, key);
        QFETCH(QByteArray, fileValue);
        QFETCH(QString, envName);
        QFETCH(QString, envValue);
        QFETCH(QString, flag);
        QFETCH(bool, flagGiven);
        QFETCH(QString, flagValue);
        QFETCH(QString, expected);

        QStringList arguments;
        if (!fileValue.isEmpty()) {
            const QString path = writeFile(u"precedence.json"_s, "{\"" + key.toUtf8() + "\": " + fileValue + "}");
            QVERIFY(!path.isEmpty());
            arguments << u"--config"_s << path;
        }
        if (flagGiven) {
            arguments << flag;
            if (!flagValue.isEmpty())
                arguments << flagValue;
        }
        QProcessEnvironment env;
        env.insert(envName, envValue); // an empty value must count as unset
        env.insert(u"UNRELATED_VARIABLE"_s, u"x"_s);

        const Result<ServiceConfig> result = resolveWith(arguments, env);
        QVERIFY2(result.ok(), qPrintable(result.error().message));
        QCOMPARE(fieldText(*result, key), expected);
    }

    void secretsFromFileAndEnvironment()
    {
        const QString path = writeFile(u"secrets.json"_s, R"({"apiKey": "file-key", "jwtSecret": "file-jwt",
                                                              "controlToken": "file-token"})"_ba);
        const Result<ServiceConfig> fileOnly = resolveWith({u"--config"_s, path});
        QVERIFY(fileOnly.ok());
        QCOMPARE(fileOnly->apiKey, u"file-key"_s);
        QCOMPARE(fileOnly->jwtSecret, "file-jwt"_ba);
        QCOMPARE(fileOnly->controlToken, u"file-token"_s);

        const Result<ServiceConfig> withEnv = resolveWith(
            {u"--config"_s, path},
            environment({u"JWT_SECRET=env-jwt"_s, u"WSINFRA_API_KEY=env-key"_s, u"WSINFRA_CONTROL_TOKEN=env-token"_s}));
        QVERIFY(withEnv.ok());
        QCOMPARE(withEnv->apiKey, u"env-key"_s);
        QCOMPARE(withEnv->jwtSecret, "env-jwt"_ba);
        QCOMPARE(withEnv->controlToken, u"env-token"_s);

        // Secrets have no flags: the parser refuses them.
        for (const QString &flag : {u"--jwt-secret"_s, u"--api-key"_s, u"--control-token"_s}) {
            const Result<ServiceConfig> refused = resolveWith({flag, u"x"_s});
            QVERIFY(!refused.ok());
            QCOMPARE(refused.error().code, u"command_line"_s);
        }
    }

    void invalidValue_data()
    {
        QTest::addColumn<QString>("layer"); // flag, env or file
        QTest::addColumn<QString>("name");  // flag, variable or JSON key
        QTest::addColumn<QString>("value"); // for "file": JSON text
        QTest::addColumn<QStringList>("fragments");

        const auto row = [](const char *tag, const QString &layer, const QString &name, const QString &value,
                            const QStringList &fragments) {
            QTest::newRow(tag) << layer << name << value << fragments;
        };
        const QString flag = u"flag"_s, env = u"env"_s, file = u"file"_s;
        const QString portRange = u"expected an integer from 0 to 65535"_s;

        row("port letters flag", flag, u"--port"_s, u"abc"_s,
            {u"invalid value \"abc\" for --port: expected an integer from 0 to 65535"_s});
        row("port too big flag", flag, u"--port"_s, u"65536"_s, {u"\"65536\""_s, u"--port"_s, portRange});
        row("port negative flag", flag, u"--port"_s, u"-1"_s, {u"\"-1\""_s, portRange});
        row("port trailing garbage", flag, u"--port"_s, u"12abc"_s, {u"\"12abc\""_s, portRange});
        row("port overflow", flag, u"--port"_s, u"99999999999999999999"_s, {u"\"99999999999999999999\""_s, portRange});
        row("port empty flag", flag, u"--port"_s, QString(), {u"\"\""_s, portRange});
        row("port blank flag", flag, u"--port"_s, u"   "_s, {portRange});
        row("port plus sign", flag, u"--port"_s, u"+80"_s, {portRange});
        row("port hex", flag, u"--port"_s, u"0x50"_s, {portRange});
        row("port decimal point", flag, u"--port"_s, u"80.0"_s, {portRange});
        row("port exponent", flag, u"--port"_s, u"8e1"_s, {portRange});
        row("port lone minus", flag, u"--port"_s, u"-"_s, {portRange});
        row("port unicode digits", flag, u"--port"_s, u"\u0663\u0660"_s, {portRange});
        row("port embedded nul", env, u"WSINFRA_PORT"_s, u"80\0"_s + u"1"_s, {u"\\u0000"_s, portRange});
        row("port env", env, u"WSINFRA_PORT"_s, u"abc"_s,
            {u"\"abc\""_s, u"environment variable WSINFRA_PORT"_s, u"port"_s, portRange});
        row("port file string", file, u"port"_s, u"\"abc\""_s,
            {u"\"abc\""_s, u"key \"port\""_s, u"config file "_s, portRange});
        row("port file too big", file, u"port"_s, u"70000"_s, {u"70000"_s, u"key \"port\""_s, portRange});
        row("port file fraction", file, u"port"_s, u"80.5"_s, {u"80.5"_s, portRange});
        row("port file negative", file, u"port"_s, u"-1"_s, {u"-1"_s, portRange});
        row("port file huge", file, u"port"_s, u"1e300"_s, {u"1e+300"_s, portRange});
        row("port file bool", file, u"port"_s, u"true"_s, {u"true"_s, portRange});
        row("port file null", file, u"port"_s, u"null"_s, {u"null"_s, portRange});
        row("port file object", file, u"port"_s, u"{\"a\": 1}"_s, {u"JSON object"_s, portRange});
        row("port file array", file, u"port"_s, u"[80]"_s, {u"JSON array"_s, portRange});
        row("port file overflow", file, u"port"_s, u"99999999999999999999"_s, {portRange});

        row("maxConnections zero", env, u"WEBSOCKET_MAX_CONNECTIONS"_s, u"0"_s,
            {u"environment variable WEBSOCKET_MAX_CONNECTIONS"_s, u"maxConnections"_s,
             u"expected an integer from 1 to 10000000"_s});
        row("maxConnections too many", flag, u"--max-connections"_s, u"10000001"_s, {u"1 to 10000000"_s});
        row("perIp negative", env, u"WSINFRA_MAX_CONNECTIONS_PER_IP"_s, u"-5"_s, {u"\"-5\""_s, u"0 to"_s});
        row("perUser negative", flag, u"--max-connections-per-user"_s, u"-1"_s, {u"0 to"_s});
        row("ioThreads too many", flag, u"--io-threads"_s, u"257"_s, {u"from 0 to 256"_s});
        row("eventDispatcher unknown", env, u"WSINFRA_EVENT_DISPATCHER"_s, u"glib"_s,
            {u"\"glib\""_s, u"epoll or qt"_s});
        row("warning over 100", env, u"MEMORY_WARNING_THRESHOLD"_s, u"101"_s, {u"from 1 to 100"_s});
        row("emergency zero", flag, u"--memory-emergency-threshold"_s, u"0"_s, {u"from 1 to 100"_s});
        row("batch size zero", env, u"MESSAGE_BATCH_SIZE"_s, u"0"_s, {u"from 1 to 10000"_s});
        row("dedupe size words", env, u"DEDUPE_CACHE_SIZE"_s, u"many"_s, {u"\"many\""_s});
        row("burst zero", flag, u"--message-burst"_s, u"0"_s, {u"from 1 to 1000000"_s});
        row("rate zero", flag, u"--messages-per-second"_s, u"0"_s, {u"from 1 to 1000000"_s});
        row("violations zero", flag, u"--rate-limit-max-violations"_s, u"0"_s, {u"from 1 to 1000000"_s});
        row("subscriptions zero", env, u"WSINFRA_MAX_SUBSCRIPTIONS"_s, u"0"_s, {u"from 1 to 1000000"_s});
        row("history negative", flag, u"--history-size"_s, u"-1"_s, {u"from 0 to 1000000"_s});

        const QString hbRange = u"expected a duration from 100ms to 1h"_s;
        row("heartbeat too short", flag, u"--heartbeat-interval"_s, u"99"_s, {u"\"99\""_s, hbRange});
        row("heartbeat too long", env, u"WEBSOCKET_HEARTBEAT_INTERVAL"_s, u"2h"_s, {u"\"2h\""_s, hbRange});
        row("heartbeat bad unit", flag, u"--heartbeat-interval"_s, u"30sec"_s, {u"\"30sec\""_s, hbRange});
        row("heartbeat fraction", flag, u"--heartbeat-interval"_s, u"1.5s"_s, {hbRange});
        row("heartbeat unit only", flag, u"--heartbeat-interval"_s, u"s"_s, {hbRange});
        row("heartbeat negative", flag, u"--heartbeat-interval"_s, u"-30s"_s, {hbRange});
        row("heartbeat overflow unit", flag, u"--heartbeat-interval"_s, u"9223372036854775807h"_s, {hbRange});
        row("heartbeat file fraction", file, u"heartbeatInterval"_s, u"1000.5"_s, {hbRange});
        row("heartbeat file object", file, u"heartbeatInterval"_s, u"{}"_s, {u"JSON object"_s, hbRange});
        row("timeout too long", flag, u"--connection-timeout"_s, u"2d"_s, {u"from 200ms to 24h"_s});
        row("history ttl too short", flag, u"--history-ttl"_s, u"999"_s, {u"from 1s to 8760h"_s});
        row("batch delay too long", flag, u"--message-batch-delay"_s, u"11s"_s, {u"from 0ms to 10s"_s});
        row("shutdown too long", flag, u"--shutdown-timeout"_s, u"11m"_s, {u"from 0ms to 10m"_s});
        row("dedupe window too long", env, u"DEDUPE_WINDOW"_s, u"25h"_s, {u"from 0ms to 24h"_s});
        row("memory check too short", env, u"MEMORY_CHECK_INTERVAL"_s, u"50ms"_s, {u"from 100ms to 1h"_s});
        row("health check garbage", env, u"HEALTH_CHECK_INTERVAL"_s, u"5 s s"_s, {u"\"5 s s\""_s});

        const QString payloadRange = u"expected a size from 128 bytes to 64MB"_s;
        row("payload too small", flag, u"--max-payload"_s, u"127"_s, {u"\"127\""_s, payloadRange});
        row("payload too large", env, u"WSINFRA_MAX_PAYLOAD"_s, u"65MB"_s, {u"\"65MB\""_s, payloadRange});
        row("payload bad unit", flag, u"--max-payload"_s, u"64XB"_s, {u"\"64XB\""_s, payloadRange});
        row("payload fraction", flag, u"--max-payload"_s, u"1.5MB"_s, {payloadRange});
        row("payload unit first", flag, u"--max-payload"_s, u"KB64"_s, {payloadRange});
        row("payload overflow", flag, u"--max-payload"_s, u"99999999999999999999"_s, {payloadRange});
        row("payload unit overflow", flag, u"--max-payload"_s, u"9999999999999GB"_s, {payloadRange});
        row("payload negative", flag, u"--max-payload"_s, u"-1KB"_s, {payloadRange});
        row("payload file array", file, u"maxPayload"_s, u"[1]"_s, {u"JSON array"_s, payloadRange});
        row("http body too small", flag, u"--max-http-body"_s, u"1023"_s, {u"from 1KB to 64MB"_s});
        row("memory limit too large", env, u"WSINFRA_MEMORY_LIMIT"_s, u"17TB"_s, {u"from 0 bytes to 16TB"_s});
        row("memory limit words", env, u"WSINFRA_MEMORY_LIMIT"_s, u"auto"_s, {u"\"auto\""_s});

        const QString boolExpected = u"expected true or false"_s;
        row("bool maybe", env, u"WSINFRA_ALLOW_ANONYMOUS"_s, u"maybe"_s, {u"\"maybe\""_s, boolExpected});
        row("bool two", env, u"WSINFRA_ALLOW_ANONYMOUS"_s, u"2"_s, {boolExpected});
        row("bool truthy", env, u"WSINFRA_ALLOW_ANONYMOUS"_s, u"truee"_s, {boolExpected});
        row("bool file number", file, u"allowAnonymous"_s, u"2"_s, {boolExpected});
        row("bool file object", file, u"allowAnonymous"_s, u"{}"_s, {boolExpected});
        row("bool file null", file, u"allowAnonymous"_s, u"null"_s, {boolExpected});

        const QString ipExpected = u"expected an IP address"_s;
        row("bind hostname", flag, u"--bind"_s, u"localhost"_s, {u"\"localhost\""_s, u"--bind"_s, ipExpected});
        row("bind octet too big", env, u"WSINFRA_BIND"_s, u"256.0.0.1"_s, {ipExpected});
        row("bind short form", flag, u"--bind"_s, u"127.1"_s, {ipExpected});
        row("bind three parts", flag, u"--bind"_s, u"10.0.1"_s, {ipExpected});
        row("bind leading zero", flag, u"--bind"_s, u"010.0.0.1"_s, {ipExpected});
        row("bind blanks", flag, u"--bind"_s, u" 127.0.0.1"_s, {ipExpected});
        row("bind cidr", flag, u"--bind"_s, u"10.0.0.0/8"_s, {ipExpected});
        row("bind with port", flag, u"--bind"_s, u"127.0.0.1:80"_s, {ipExpected});
        row("bind bad v6", flag, u"--bind"_s, u":::"_s, {ipExpected});
        row("bind file number", file, u"bind"_s, u"127"_s, {u"127"_s, ipExpected});
        row("bind file empty", file, u"bind"_s, u"\"\""_s, {ipExpected});
        row("control bind", flag, u"--control-bind"_s, u"example.com"_s, {u"--control-bind"_s, ipExpected});

        const QString prioritiesExpected = u"each once"_s;
        row("priorities missing one", flag, u"--delivery-priorities"_s, u"notification,broadcast"_s,
            {prioritiesExpected});
        row("priorities twice", env, u"WSINFRA_DELIVERY_PRIORITIES"_s, u"broadcast,broadcast,notification"_s,
            {prioritiesExpected});
        row("priorities unknown", flag, u"--delivery-priorities"_s, u"notification,bill_update,shout"_s,
            {prioritiesExpected});
        row("priorities empty", flag, u"--delivery-priorities"_s, u""_s, {prioritiesExpected});
        row("priorities four", flag, u"--delivery-priorities"_s, u"notification,bill_update,broadcast,broadcast"_s,
            {prioritiesExpected});

        const QString redisExpected = u"redis://"_s;
        row("redis http", env, u"REDIS_URL"_s, u"http://h:6379"_s, {u"\"http://h:6379\""_s, redisExpected});
        row("redis no host", flag, u"--redis-url"_s, u"redis://"_s, {redisExpected});
        row("redis bad port", flag, u"--redis-url"_s, u"redis://h:99999"_s, {redisExpected});
        row("redis port zero", flag, u"--redis-url"_s, u"redis://h:0"_s, {redisExpected});
        row("redis bad db", flag, u"--redis-url"_s, u"redis://h/abc"_s, {redisExpected});
        row("redis space", flag, u"--redis-url"_s, u"redis://h ost"_s, {redisExpected});
        row("redis bare host", flag, u"--redis-url"_s, u"localhost:6379"_s, {redisExpected});
        row("redis file number", file, u"redisUrl"_s, u"6379"_s, {redisExpected});

        const QString originsExpected = u"expected origins scheme://host[:port]"_s;
        row("origins path", flag, u"--allowed-origins"_s, u"https://a.example/app"_s,
            {u"--allowed-origins"_s, originsExpected, u"\"https://a.example/app\" is not an origin"_s, u"path"_s});
        row("origins one bad of two", env, u"WSINFRA_ALLOWED_ORIGINS"_s, u"https://a.example, a.example"_s,
            {u"WSINFRA_ALLOWED_ORIGINS"_s, u"\"a.example\" is not an origin"_s, u"no scheme"_s});
        row("origins userinfo", flag, u"--allowed-origins"_s, u"https://u@a.example"_s, {u"user name"_s});
        row("origins port", flag, u"--allowed-origins"_s, u"http://localhost:99999"_s, {u"port"_s});
        row("origins null", flag, u"--allowed-origins"_s, u"null"_s, {originsExpected});
        row("origins unicode", flag, u"--allowed-origins"_s, u"https://b\u00fccher.example"_s, {u"punycode"_s});
        row("origins file array", file, u"allowedOrigins"_s, u"[\"https://a.example\"]"_s, {u"JSON array"_s});
        row("cors origins path", env, u"WSINFRA_CORS_ORIGINS"_s, u"https://a.example/"_s, {u"path"_s});
        const QString proxiesExpected = u"expected IP addresses or CIDR subnets"_s;
        row("proxies hostname", flag, u"--trusted-proxies"_s, u"nginx"_s,
            {u"--trusted-proxies"_s, proxiesExpected, u"\"nginx\" is not an IP address"_s});
        row("proxies prefix too long", env, u"WSINFRA_TRUSTED_PROXIES"_s, u"10.0.0.0/33"_s, {u"\"10.0.0.0/33\""_s});
        row("proxies short form", flag, u"--trusted-proxies"_s, u"127.1"_s, {proxiesExpected});
        row("proxies one bad of two", flag, u"--trusted-proxies"_s, u"127.0.0.1, ::1/129"_s, {u"\"::1/129\""_s});
        row("proxies with port", flag, u"--trusted-proxies"_s, u"127.0.0.1:80"_s, {proxiesExpected});

        row("secret file number", file, u"jwtSecret"_s, u"12345"_s, {u"(hidden)"_s, u"key \"jwtSecret\""_s});
    }

    void invalidValue()
    {
        QFETCH(QString, layer);
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(QStringList, fragments);

        Result<ServiceConfig> result = ServiceConfig{};
        if (layer == "flag"_L1) {
            result = resolveWith({name + u'=' + value});
        } else if (layer == "env"_L1) {
            result = resolveWith({}, environment({name + u'=' + value}));
        } else {
            const QString path = writeFile(u"invalid.json"_s, "{\"" + name.toUtf8() + "\": " + value.toUtf8() + "}");
            QVERIFY(!path.isEmpty());
            result = resolveWith({u"--config"_s, path});
            expectInvalid(result, fragments);
            QVERIFY(result.error().message.contains(QString(u"config file "_s + path + u" key \""_s + name + u'"')));
            // fromJson judges the same object the same way, naming the key without a file.
            result = fromJsonText("{\"" + name.toUtf8() + "\": " + value.toUtf8() + "}");
            QVERIFY(result.error().message.contains(QString(u"JSON key \""_s + name + u'"')));
            fragments.removeIf([](const QString &fragment) { return fragment.startsWith(u"config file"_s); });
        }
        expectInvalid(result, fragments);
    }

    void invalidValueIsAnErrorEvenWhenOverridden()
    {
        const Result<ServiceConfig> result =
            resolveWith({u"--port"_s, u"4000"_s}, environment({u"WSINFRA_PORT=abc"_s}));
        expectInvalid(result, {u"environment variable WSINFRA_PORT"_s, u"\"abc\""_s});
    }

    void crossField_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QStringList>("env");
        QTest::addColumn<QStringList>("fragments");

        QTest::newRow("timeout equals heartbeat")
            << QStringList{u"--connection-timeout"_s, u"30s"_s} << QStringList{}
            << QStringList{u"heartbeatInterval"_s, u"connectionTimeout"_s, u"--connection-timeout"_s, u"30s"_s};
        QTest::newRow("timeout below heartbeat") << QStringList{u"--heartbeat-interval"_s, u"2m"_s} << QStringList{}
                                                 << QStringList{u"heartbeatInterval (2m, from --heartbeat-interval)"_s,
                                                                u"connectionTimeout (1m, from default)"_s};
        QTest::newRow("timeout below heartbeat from env")
            << QStringList{} << QStringList{u"WEBSOCKET_CONNECTION_TIMEOUT=1000"_s}
            << QStringList{u"heartbeatInterval"_s, u"connectionTimeout"_s,
                           u"environment variable WEBSOCKET_CONNECTION_TIMEOUT"_s};
        QTest::newRow("warning equals critical")
            << QStringList{u"--memory-warning-threshold"_s, u"85"_s} << QStringList{}
            << QStringList{u"memoryWarningThreshold"_s, u"memoryCriticalThreshold"_s};
        QTest::newRow("warning above critical")
            << QStringList{} << QStringList{u"MEMORY_WARNING_THRESHOLD=90"_s}
            << QStringList{u"memoryWarningThreshold (90"_s, u"memoryCriticalThreshold (85"_s};
        QTest::newRow("critical equals emergency")
            << QStringList{u"--memory-critical-threshold"_s, u"95"_s} << QStringList{}
            << QStringList{u"memoryCriticalThreshold"_s, u"memoryEmergencyThreshold"_s};
        QTest::newRow("emergency below critical")
            << QStringList{} << QStringList{u"MEMORY_EMERGENCY_THRESHOLD=80"_s}
            << QStringList{u"memoryCriticalThreshold"_s, u"memoryEmergencyThreshold (80"_s};
        QTest::newRow("same port on any address") << QStringList{u"--port"_s, u"4000"_s, u"--control-port"_s, u"4000"_s}
                                                  << QStringList{} << QStringList{u"port"_s, u"controlPort"_s};
        QTest::newRow("same port on same address")
            << QStringList{u"--bind"_s, u"127.0.0.1"_s, u"--control-port"_s, u"3000"_s} << QStringList{}
            << QStringList{u"port"_s, u"controlPort"_s};
    }

    void crossField()
    {
        QFETCH(QStringList, flags);
        QFETCH(QStringList, env);
        QFETCH(QStringList, fragments);
        expectInvalid(resolveWith(flags, environment(env)), fragments << u"invalid configuration"_s);
    }

    void crossFieldBoundariesPass()
    {
        const Result<ServiceConfig> result =
            resolveWith({u"--heartbeat-interval"_s, u"1000"_s, u"--connection-timeout"_s, u"1001"_s,
                         u"--memory-warning-threshold"_s, u"1"_s, u"--memory-critical-threshold"_s, u"2"_s,
                         u"--memory-emergency-threshold"_s, u"3"_s, u"--port"_s, u"0"_s, u"--control-port"_s, u"0"_s});
        QVERIFY2(result.ok(), qPrintable(result.error().message));
        QCOMPARE(result->connectionTimeoutMs, qint64(1001));
        QCOMPARE(result->memoryEmergencyThreshold, 3);
        // Same port on two distinct specific addresses is fine.
        const Result<ServiceConfig> distinct = resolveWith(
            {u"--bind"_s, u"127.0.0.2"_s, u"--control-bind"_s, u"127.0.0.1"_s, u"--control-port"_s, u"3000"_s});
        QVERIFY2(distinct.ok(), qPrintable(distinct.error().message));
    }

    void unknownKey_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("fragments");
        QTest::newRow("typo") << R"({"prot": 80})"_ba
                              << QStringList{u"unknown key \"prot\""_s, u"did you mean \"port\""_s};
        QTest::newRow("wrong case") << R"({"MaxConnections": 80})"_ba
                                    << QStringList{u"\"MaxConnections\""_s, u"did you mean \"maxConnections\""_s};
        QTest::newRow("env name as key") << R"({"WSINFRA_PORT": 80})"_ba << QStringList{u"\"WSINFRA_PORT\""_s};
        QTest::newRow("flag name as key") << R"({"max-connections": 80})"_ba << QStringList{u"\"max-connections\""_s};
        QTest::newRow("nested") << R"({"port": 80, "redis": {"host": "x"}})"_ba << QStringList{u"redis.host"_s};
        QTest::newRow("empty key") << R"({"": 1})"_ba << QStringList{u"unknown key \"\""_s};
        QTest::newRow("control chars") << "{\"a\\u0000b\\n\": 1}"_ba << QStringList{u"\"a\\u0000b\\u000a\""_s};
        QTest::newRow("long key") << QByteArray("{\"" + QByteArray(100000, 'k') + "\": 1}")
                                  << QStringList{u"(100000 characters)"_s};
    }

    void unknownKey()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, fragments);
        const QString path = writeFile(u"unknown.json"_s, json);
        const Result<ServiceConfig> result = resolveWith({u"--config"_s, path});
        expectInvalid(result, fragments << path);
        QVERIFY(result.error().message.size() < 1000);
        expectInvalid(fromJsonText(json), fragments.mid(0, fragments.size() - 1));
    }

    void fileErrors_data()
    {
        QTest::addColumn<QByteArray>("content"); // written to a file unless "missing" / "directory"
        QTest::addColumn<QString>("special");
        QTest::addColumn<QStringList>("fragments");
        QTest::newRow("missing") << QByteArray() << u"missing"_s << QStringList{u"cannot read config file"_s};
        QTest::newRow("directory") << QByteArray() << u"directory"_s << QStringList{u"cannot read config file"_s};
        QTest::newRow("empty path") << QByteArray() << u"empty"_s << QStringList{u"--config"_s};
        QTest::newRow("trailing comma") << R"({"port": 80,})"_ba << QString()
                                        << QStringList{u"not valid JSON"_s, u"at offset 13"_s};
        QTest::newRow("empty file") << QByteArray() << QString() << QStringList{u"not valid JSON"_s, u"at offset 0"_s};
        QTest::newRow("truncated") << R"({"port": )"_ba << QString() << QStringList{u"not valid JSON"_s};
        QTest::newRow("comment") << "// port\n{}"_ba << QString() << QStringList{u"not valid JSON"_s};
        QTest::newRow("invalid utf8") << "{\"bind\": \"\xff\xfe\"}"_ba << QString() << QStringList{u"not valid JSON"_s};
        QTest::newRow("top-level array") << R"([{"port": 80}])"_ba << QString() << QStringList{u"JSON object"_s};
        QTest::newRow("top-level number") << "80"_ba << QString() << QStringList{u"not valid JSON"_s};
        QTest::newRow("top-level string") << "\"port\""_ba << QString() << QStringList{u"not valid JSON"_s};
        QTest::newRow("deep nesting") << QByteArray(100000, '[') << QString() << QStringList{u"not valid JSON"_s};
        QTest::newRow("too large") << QByteArray("{\"port\": 80" + QByteArray(2 * 1024 * 1024, ' ') + "}") << QString()
                                   << QStringList{u"larger than 1MB"_s};
        QTest::newRow("nul byte") << QByteArray("{\"port\":\0 80}", 13) << QString()
                                  << QStringList{u"not valid JSON"_s};
    }

    void fileErrors()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, special);
        QFETCH(QStringList, fragments);
        QString path;
        if (special == "missing"_L1) {
            path = m_dir.filePath(u"does-not-exist.json"_s);
        } else if (special == "directory"_L1) {
            path = m_dir.path();
        } else if (special.isEmpty()) {
            path = writeFile(u"broken.json"_s, content);
            QVERIFY(!path.isEmpty());
        }
        const Result<ServiceConfig> result = resolveWith({u"--config"_s, path});
        expectInvalid(result, fragments << path);
        QVERIFY(result.error().message.size() < 1000);
    }

    void fileWithBomAndValues()
    {
        const QString path =
            writeFile(u"bom.json"_s, "\xEF\xBB\xBF{\"port\": 4100, \"heartbeatInterval\": \"10s\"}"_ba);
        const Result<ServiceConfig> result = resolveWith({u"--config"_s, path});
        QVERIFY2(result.ok(), qPrintable(result.error().message));
        QCOMPARE(result->port, 4100);
        QCOMPARE(result->heartbeatIntervalMs, qint64(10000));
    }

    void units_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expected"); // -1: invalid

        const QString size = u"memoryLimit"_s;
        const qint64 k = 1024, m = k * k, g = m * k;
        QTest::newRow("plain bytes") << size << u"12345"_s << qint64(12345);
        QTest::newRow("zero") << size << u"0"_s << qint64(0);
        QTest::newRow("B") << size << u"100B"_s << qint64(100);
        QTest::newRow("64KB") << size << u"64KB"_s << 64 * k;
        QTest::newRow("64kb") << size << u"64kb"_s << 64 * k;
        QTest::newRow("64 KB") << size << u"64 KB"_s << 64 * k;
        QTest::newRow("1KiB") << size << u"1KiB"_s << k;
        QTest::newRow("1k") << size << u"1k"_s << k;
        QTest::newRow("1MB") << size << u"1MB"_s << m;
        QTest::newRow("512MB") << size << u"512MB"_s << 512 * m;
        QTest::newRow("1MiB") << size << u"1MiB"_s << m;
        QTest::newRow("3m") << size << u"3m"_s << 3 * m;
        QTest::newRow("2GB") << size << u"2GB"_s << 2 * g;
        QTest::newRow("2GiB") << size << u"2GiB"_s << 2 * g;
        QTest::newRow("2g") << size << u"2g"_s << 2 * g;
        QTest::newRow("1TB") << size << u"1TB"_s << 1024 * g;
        QTest::newRow("surrounding blanks") << size << u"  8MB "_s << 8 * m;
        QTest::newRow("leading zeros") << size << u"007KB"_s << 7 * k;
        QTest::newRow("1.5GB") << size << u"1.5GB"_s << qint64(-1);
        QTest::newRow("1 K B") << size << u"1 K B"_s << qint64(-1);
        QTest::newRow("GB") << size << u"GB"_s << qint64(-1);
        QTest::newRow("1GBs") << size << u"1GBs"_s << qint64(-1);
        QTest::newRow("1e3") << size << u"1e3"_s << qint64(-1);
        QTest::newRow("1_000") << size << u"1_000"_s << qint64(-1);
        QTest::newRow("+5") << size << u"+5"_s << qint64(-1);
        QTest::newRow("1PB") << size << u"1PB"_s << qint64(-1);
        QTest::newRow("1 bit") << size << u"1b b"_s << qint64(-1);

        const QString ms = u"dedupeWindow"_s;
        QTest::newRow("plain ms") << ms << u"1500"_s << qint64(1500);
        QTest::newRow("0") << ms << u"0"_s << qint64(0);
        QTest::newRow("250ms") << ms << u"250ms"_s << qint64(250);
        QTest::newRow("30s") << ms << u"30s"_s << qint64(30000);
        QTest::newRow("30 s") << ms << u"30 s"_s << qint64(30000);
        QTest::newRow("30S") << ms << u"30S"_s << qint64(30000);
        QTest::newRow("5m") << ms << u"5m"_s << qint64(300000);
        QTest::newRow("2h") << ms << u"2h"_s << qint64(7200000);
        QTest::newRow("1d") << ms << u"1d"_s << qint64(86400000);
        QTest::newRow("1h30m") << ms << u"1h30m"_s << qint64(-1);
        QTest::newRow("1.5s") << ms << u"1.5s"_s << qint64(-1);
        QTest::newRow("30sec") << ms << u"30sec"_s << qint64(-1);
        QTest::newRow("1hour") << ms << u"1hour"_s << qint64(-1);
        QTest::newRow("5us") << ms << u"5us"_s << qint64(-1);
        QTest::newRow("ms") << ms << u"ms"_s << qint64(-1);
    }

    void units()
    {
        QFETCH(QString, key);
        QFETCH(QString, text);
        QFETCH(qint64, expected);
        QJsonObject object;
        object.insert(key, text);
        const Result<ServiceConfig> result = ConfigLoader::fromJson(object);
        if (expected < 0) {
            QVERIFY(!result.ok());
            QCOMPARE(result.error().code, QString(wsinfra::ErrorCode::InvalidConfig));
            return;
        }
        QVERIFY2(result.ok(), qPrintable(result.error().message));
        QCOMPARE(fieldText(*result, key), QString::number(expected));
    }

    void redisUrl_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("valid");
        QTest::newRow("empty") << QString() << true;
        QTest::newRow("host") << u"redis://localhost"_s << true;
        QTest::newRow("host port") << u"redis://127.0.0.1:6379"_s << true;
        QTest::newRow("password") << u"redis://:secret@redis.internal:6380"_s << true;
        QTest::newRow("user password db") << u"redis://app:secret@redis:6379/3"_s << true;
        QTest::newRow("trailing slash") << u"redis://redis/"_s << true;
        QTest::newRow("ipv6") << u"redis://[::1]:6379"_s << true;
        QTest::newRow("no scheme") << u"localhost:6379"_s << false;
        QTest::newRow("http") << u"http://localhost:6379"_s << false;
        QTest::newRow("rediss") << u"rediss://localhost"_s << true;
        QTest::newRow("rediss port password") << u"rediss://:secret@redis.internal:6380/2"_s << true;
        QTest::newRow("redis+tls") << u"redis+tls://localhost"_s << false;
        QTest::newRow("redisss") << u"redisss://localhost"_s << false;
        QTest::newRow("upper scheme (schemes are case-insensitive)") << u"REDIS://localhost"_s << true;
        QTest::newRow("no host") << u"redis://"_s << false;
        QTest::newRow("only path") << u"redis:///0"_s << false;
        QTest::newRow("port too big") << u"redis://h:65536"_s << false;
        QTest::newRow("port letters") << u"redis://h:abc"_s << false;
        QTest::newRow("db letters") << u"redis://h/db"_s << false;
        QTest::newRow("db deep") << u"redis://h/1/2"_s << false;
        QTest::newRow("fragment") << u"redis://h#x"_s << false;
        QTest::newRow("blank") << u" "_s << false;
        QTest::newRow("spaces") << u"redis://h /0"_s << false;
    }

    // The original design's section: {"redis": {enabled, url, config: {...}}}.
    void redisSection_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("url");       // expected redisUrl; "!" = refused
        QTest::addColumn<QString>("errorPart"); // when refused: a part of the message
        QTest::addColumn<bool>("compression");
        QTest::addColumn<qint64>("threshold");
        QTest::addColumn<qint64>("retryDelayMs");
        QTest::newRow("as in the original")
            << QByteArray("{\"redis\":{\"enabled\":true,\"url\":\"redis://cache:6380/"
                          "2\",\"config\":{\"enableCompression\":false,\"compressionThreshold\":2048,\"maxRetries\":3,"
                          "\"retryDelayOnFailover\":250}}}")
            << u"redis://cache:6380/2"_s << QString() << false << qint64(2048) << qint64(250);
        QTest::newRow("url only") << QByteArray("{\"redis\":{\"url\":\"redis://h\"}}") << u"redis://h"_s << QString()
                                  << true << qint64(1024) << qint64(100);
        QTest::newRow("disabled: single node whatever the url")
            << QByteArray("{\"redis\":{\"enabled\":false,\"url\":\"redis://h\"}}") << QString() << QString() << true
            << qint64(1024) << qint64(100);
        QTest::newRow("enabled without url (the environment may give it)")
            << QByteArray("{\"redis\":{\"enabled\":true}}") << QString() << QString() << true << qint64(1024)
            << qint64(100);
        QTest::newRow("durations with units")
            << QByteArray("{\"redis\":{\"config\":{\"retryDelayOnFailover\":\"2s\"}}}") << QString() << QString()
            << true << qint64(1024) << qint64(2000);
        const auto refused = [](const char *name, const char *json, const QString &part) {
            QTest::newRow(name) << QByteArray(json) << u"!"_s << part << true << qint64(0) << qint64(0);
        };
        refused("not an object", "{\"redis\":\"redis://h\"}", u"must be an object"_s);
        refused("unknown key", "{\"redis\":{\"host\":\"h\"}}", u"redis.host"_s);
        refused("unknown config key", "{\"redis\":{\"config\":{\"cluster\":true}}}", u"redis.config.cluster"_s);
        refused("enabled not a bool", "{\"redis\":{\"enabled\":\"yes\"}}", u"redis.enabled"_s);
        refused("config not an object", "{\"redis\":{\"config\":[]}}", u"redis.config"_s);
        refused("bad url", "{\"redis\":{\"url\":\"http://h\"}}", u"redisUrl"_s);
        refused("url not a string", "{\"redis\":{\"url\":6379}}", u"redisUrl"_s);
        refused("negative maxRetries", "{\"redis\":{\"config\":{\"maxRetries\":-1}}}", u"maxRetries"_s);
        refused("fractional maxRetries", "{\"redis\":{\"config\":{\"maxRetries\":1.5}}}", u"maxRetries"_s);
        refused("maxRetries as text", "{\"redis\":{\"config\":{\"maxRetries\":\"3\"}}}", u"maxRetries"_s);
        refused("threshold negative", "{\"redis\":{\"config\":{\"compressionThreshold\":-5}}}",
                u"redisCompressionThreshold"_s);
        refused("both forms", "{\"redis\":{\"url\":\"redis://h\"},\"redisUrl\":\"redis://g\"}", u"once"_s);
    }

    void redisSection()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, url);
        QFETCH(QString, errorPart);
        QFETCH(bool, compression);
        QFETCH(qint64, threshold);
        QFETCH(qint64, retryDelayMs);
        const Result<ServiceConfig> result = ConfigLoader::fromJson(QJsonDocument::fromJson(json).object());
        if (url == "!"_L1) {
            QVERIFY(!result.ok());
            QVERIFY2(result.error().message.contains(errorPart), qPrintable(result.error().message));
            return;
        }
        QVERIFY2(result.ok(), qPrintable(result.error().message));
        QCOMPARE(result->redisUrl, url);
        QCOMPARE(result->redisEnableCompression, compression);
        QCOMPARE(result->redisCompressionThreshold, threshold);
        QCOMPARE(result->redisRetryDelayMs, retryDelayMs);
    }

    void redisUrl()
    {
        QFETCH(QString, url);
        QFETCH(bool, valid);
        QJsonObject object;
        object.insert(u"redisUrl"_s, url);
        const Result<ServiceConfig> result = ConfigLoader::fromJson(object);
        QCOMPARE(result.ok(), valid);
        if (valid)
            QCOMPARE(result->redisUrl, url);
        else
            QVERIFY(result.error().message.contains(u"redisUrl"_s));
    }

    // The CA file for rediss:// is read with the configuration: one that does not load is named.
    void redisTlsCaFile()
    {
        const QString missing = m_dir.filePath(u"no-such-ca.pem"_s);
        expectInvalid(resolveWith({}, environment({u"WSINFRA_REDIS_TLS_CA="_s + missing})),
                      {u"redisTlsCaFile"_s, u"environment variable WSINFRA_REDIS_TLS_CA"_s, missing});
        const QString notPem = writeFile(u"not-a-ca.pem"_s, "hello");
        expectInvalid(resolveWith({u"--redis-tls-ca"_s, notPem}),
                      {u"redisTlsCaFile"_s, notPem, u"no PEM certificate"_s});

        // A real certificate, made here so that it cannot expire.
        const QString certificate = m_dir.filePath(u"ca-cert.pem"_s);
        QProcess openssl;
        openssl.start(u"openssl"_s,
                      {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                       u"-nodes"_s, u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=ca"_s, u"-keyout"_s,
                       m_dir.filePath(u"ca-key.pem"_s), u"-out"_s, certificate});
        QVERIFY(openssl.waitForFinished(30'000) && openssl.exitCode() == 0);
        const Result<ServiceConfig> result = resolveWith({u"--redis-tls-ca"_s, certificate});
        QVERIFY2(result.ok(), qPrintable(result.error().message));
        QCOMPARE(result->redisTlsCaFile, certificate);
    }

    void secretsStayOutOfMessages()
    {
        Result<ServiceConfig> result = resolveWith({}, environment({u"REDIS_URL=http://user:hunter2@h:1"_s}));
        expectInvalid(result, {u"REDIS_URL"_s, u"user:***@h:1"_s});
        QVERIFY(!result.error().message.contains(u"hunter2"_s));

        result = resolveWith({u"--redis-url"_s, u"redis://:pa/ss@w:rd@"_s});
        expectInvalid(result, {u"--redis-url"_s});
        QVERIFY(!result.error().message.contains(u"pa/ss"_s));

        result = fromJsonText(R"({"apiKey": ["top-secret"]})"_ba);
        expectInvalid(result, {u"apiKey"_s, u"(hidden)"_s});
        QVERIFY(!result.error().message.contains(u"top-secret"_s));
    }

    void displayValue()
    {
        QJsonObject object{{u"redisUrl"_s, u"redis://app:hunter2@redis:6379/1"_s},
                           {u"jwtSecret"_s, u"s3cret"_s},
                           {u"maxPayload"_s, 65536 * 2},
                           {u"historyTtl"_s, u"90m"_s},
                           {u"memoryLimit"_s, 1000}};
        const Result<ServiceConfig> result = ConfigLoader::fromJson(object);
        QVERIFY2(result.ok(), qPrintable(result.error().message));
        QJsonObject printed;
        for (const ConfigOption &option : ConfigLoader::schema()) {
            const QString shown = ConfigLoader::displayValue(*result, option);
            if (option.key == "jwtSecret"_L1)
                QCOMPARE(shown, u"***"_s);
            else if (option.key == "apiKey"_L1)
                QCOMPARE(shown, QString());
            else if (option.key == "redisUrl"_L1)
                QCOMPARE(shown, u"redis://app:***@redis:6379/1"_s);
            else if (option.key == "maxPayload"_L1)
                QCOMPARE(shown, u"128KB"_s);
            else if (option.key == "historyTtl"_L1)
                QCOMPARE(shown, u"90m"_s);
            else if (option.key == "memoryLimit"_L1)
                QCOMPARE(shown, u"1000"_s);
            else if (option.key == "heartbeatInterval"_L1)
                QCOMPARE(shown, u"30s"_s);
            else if (option.key == "messageBatchDelay"_L1)
                QCOMPARE(shown, u"10ms"_s);
            else if (option.key == "allowAnonymous"_L1)
                QCOMPARE(shown, u"false"_s);
            if (!option.secret && option.key != "redisUrl"_L1)
                printed.insert(QString(option.key), shown);
        }
        // What --print-config shows reads back to the same configuration.
        printed.insert(u"redisUrl"_s, result->redisUrl);
        printed.insert(u"jwtSecret"_s, QString::fromUtf8(result->jwtSecret));
        const Result<ServiceConfig> reread = ConfigLoader::fromJson(printed);
        QVERIFY2(reread.ok(), qPrintable(reread.error().message));
        QVERIFY(*reread == *result);
    }

    void helpText()
    {
        QCommandLineParser parser;
        ConfigLoader::addOptions(parser);
        const QString help = parser.helpText();
        for (const QString &name : allEnvironmentNames())
            QVERIFY2(help.contains(name), qPrintable(name));
        QVERIFY(help.contains(u"--config <FILE>"_s));
        QVERIFY(help.contains(u"--port <N>"_s));
        QVERIFY(help.contains(u"--heartbeat-interval <DURATION>"_s));
        QVERIFY(help.contains(u"--max-payload <SIZE>"_s));
        QVERIFY(!help.contains(u"--jwt-secret"_s));

        const auto port = std::find_if(ConfigLoader::schema().begin(), ConfigLoader::schema().end(),
                                       [](const ConfigOption &option) { return option.key == "port"_L1; });
        QVERIFY(port != ConfigLoader::schema().end());
        QCOMPARE(ConfigLoader::helpText(*port),
                 u"Port of the public listener (0 picks a free port) [env WSINFRA_PORT, default 3000]"_s);
        for (const ConfigOption &option : ConfigLoader::schema()) {
            const QString line = ConfigLoader::helpText(option);
            QVERIFY(line.contains(QString(u"[env "_s + option.environment)));
            QVERIFY(line.contains(u"default "_s));
        }
    }

    void ioThreadsResolved()
    {
        const Result<ServiceConfig> explicitCount = resolveWith({u"--io-threads"_s, u"3"_s});
        QVERIFY(explicitCount.ok());
        QCOMPARE(explicitCount->ioThreads, 3);
        const Result<ServiceConfig> automatic = resolveWith({}, environment({u"WSINFRA_IO_THREADS=0"_s}));
        QVERIFY(automatic.ok());
        QCOMPARE(automatic->ioThreads, idealThreads());
        QVERIFY(automatic->ioThreads >= 1);
    }

    void hugeValueGivesShortMessage()
    {
        const QString huge(1000000, u'9');
        const Result<ServiceConfig> result = resolveWith({}, environment({u"WEBSOCKET_MAX_CONNECTIONS="_s + huge}));
        expectInvalid(result, {u"WEBSOCKET_MAX_CONNECTIONS"_s, u"(1000000 characters)"_s});
        QVERIFY(result.error().message.size() < 1000);
    }

    // resources/wsinfra.example.json is what operators copy: it must load, hold the documented
    // defaults, and name every option of the schema (so it cannot go stale).
    void exampleConfigFileIsCompleteAndHoldsTheDefaults()
    {
        QFile file(QStringLiteral(WSINFRA_SOURCE_DIR "/resources/wsinfra.example.json"));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QJsonObject example = QJsonDocument::fromJson(file.readAll()).object();
        const Result<ServiceConfig> loaded = ConfigLoader::fromJson(example);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error().message));
        const Result<ServiceConfig> defaults = ConfigLoader::fromJson({});
        QVERIFY(defaults.ok());
        QVERIFY(*loaded == *defaults);
        for (const ConfigOption &option : ConfigLoader::schema())
            QVERIFY2(example.contains(option.key), option.key.data());
        QCOMPARE(example.size(), qsizetype(ConfigLoader::schema().size()));
    }
};

QTEST_GUILESS_MAIN(TestServiceConfig)
#include "tst_serviceconfig.moc"
