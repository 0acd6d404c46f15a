#include "core/service.h"

#include "auth/jwtverifier.h"
#include "cluster/redisbroker.h"
#include "cluster/redisendpoint.h"
#include "cluster/redistlstunnel.h"
#include "control/controlserver.h"
#include "core/broker.h"
#include "core/channelhistory.h"
#include "core/configcommand.h"
#include "core/connectionmanager.h"
#include "core/deduplicator.h"
#include "core/epolleventdispatcher.h"
#include "core/eventlog.h"
#include "core/notificationinbox.h"
#include "core/recoverystore.h"
#include "core/shard.h"
#include "core/shardpool.h"
#include "memory/leakdetector.h"
#include "memory/memoryanalysis.h"
#include "memory/memorymanager.h"
#include "memory/processmemory.h"
#include "memory/progressivedegradation.h"
#include "monitoring/healthchecker.h"
#include "monitoring/metricsreporter.h"
#include "monitoring/statisticscollector.h"
#include "protocol/codes.h"
#include "protocol/servermessage.h"
#include "transport/connectionratelimiter.h"
#include "transport/frontdoor.h"
#include "transport/httpapi.h"
#include "transport/originpolicy.h"
#include "transport/tlscredentials.h"
#include "transport/trustedproxies.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <iterator>
#include <utility>
#include <variant>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcService, "wsinfra.core", QtWarningMsg)

namespace wsinfra {

namespace {

QString randomNodeId()
{
    return QString::number(QRandomGenerator::system()->generate(), 36).rightJustified(7, u'0');
}

ShardSettings shardSettingsOf(const ServiceConfig &config)
{
    ShardSettings settings;
    settings.heartbeatIntervalMs = config.heartbeatIntervalMs;
    settings.connectionTimeoutMs = config.connectionTimeoutMs;
    settings.maxPayloadBytes = config.maxPayloadBytes;
    settings.messagesPerSecond = config.messagesPerSecond;
    settings.messageBurst = config.messageBurst;
    settings.rateLimitMaxViolations = config.rateLimitMaxViolations;
    settings.maxSubscriptionsPerConnection = config.maxSubscriptionsPerConnection;
    settings.allowAnonymous = config.allowAnonymous;
    settings.maxQueuedBytes = config.maxQueuedBytes;
    settings.slowConsumerGraceMs = config.slowConsumerGraceMs;
    settings.messageBatchSize = config.messageBatchSize;
    settings.deliveryOrder = DeliveryQueue::orderOf(config.deliveryPriorities.split(u','));
    settings.messageBatchDelayMs = config.messageBatchDelayMs;
    settings.socketIoPingIntervalMs = config.socketioPingIntervalMs;
    settings.socketIoPingTimeoutMs = config.socketioPingTimeoutMs;
    settings.socketIoConnectTimeoutMs = config.socketioConnectTimeoutMs;
    // Both lists were checked with the configuration. allowedOrigins supersedes corsOrigins, which
    // only adds CORS headers and refuses nothing (its behaviour before allowedOrigins existed).
    const OriginPolicy allowed = OriginPolicy::parse(config.allowedOrigins).value();
    settings.refuseOtherOrigins = !allowed.isEmpty();
    settings.corsOrigins = allowed.isEmpty() ? OriginPolicy::parse(config.corsOrigins).value() : allowed;
    return settings;
}

QByteArray compactJson(const QJsonValue &value)
{
    // A JSON text of any value: QJsonDocument takes objects and arrays only, so wrap and unwrap.
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

Service::PublishResult publishResult(const QString &messageId, qint64 offset, bool duplicate = false)
{
    Service::PublishResult result;
    result.messageId = messageId;
    result.offset = offset;
    result.duplicate = duplicate;
    return result;
}

int ioThreadsOf(const ServiceConfig &config)
{
    return config.ioThreads > 0 ? config.ioThreads : QThread::idealThreadCount();
}

} // namespace

Service::Service(const ServiceConfig &config, const Clock &clock, QObject *parent)
    : QObject(parent), m_config(config), m_clock(clock), m_nodeId(randomNodeId()),
      m_statistics(std::make_unique<StatisticsCollector>(clock, config.maxLatencySamples, ioThreadsOf(config))),
      m_history(std::make_unique<ChannelHistory>(config.historySize, config.historyTtlMs, clock)),
      m_jwtVerifier(std::make_unique<JwtVerifier>(config.jwtSecret, clock)),
      m_recovery(std::make_unique<RecoveryStore>(config.socketioRecoveryDurationMs, config.maxConnections, clock)),
      m_processMemory(std::make_unique<ProcessMemory>()),
      m_deduplicator(std::make_unique<Deduplicator>(config.dedupeCacheSize, config.dedupeWindowMs, clock)),
      m_inbox(std::make_unique<NotificationInbox>(
          NotificationInbox::Settings{config.notificationInboxSize, config.notificationInboxTtlMs,
                                      config.notificationInboxMaxEntries, config.notificationInboxMaxBytes},
          clock, &m_statistics->common())),
      m_events(std::make_unique<EventLog>(clock)), m_leaks(std::make_unique<LeakDetector>())
{
    m_connections =
        new ConnectionManager({config.maxConnections, config.maxConnectionsPerIp, config.maxConnectionsPerUser},
                              m_statistics->common(), this);
    const ShardContext context{m_nodeId,        shardSettingsOf(config),
                               m_history.get(), m_statistics.get(),
                               &clock,          m_jwtVerifier.get(),
                               m_connections,   m_recovery.get(),
                               m_inbox.get(),   config.eventDispatcher == "epoll"_L1};
    m_shards = new ShardPool(ioThreadsOf(config), context, this);
    connect(m_shards, &ShardPool::connectionReleased, m_connections, [this](const AdmissionTicket &ticket) {
        // Clients refused over a limit were upgraded only to be told why: they were never counted.
        if (ticket.refuseCloseCode == 0)
            m_connections->release(ticket.address, ticket.userId);
    });
    MemoryManager::Settings memorySettings;
    memorySettings.limitBytes = config.memoryLimitBytes;
    memorySettings.warningPercent = config.memoryWarningThreshold;
    memorySettings.criticalPercent = config.memoryCriticalThreshold;
    memorySettings.emergencyPercent = config.memoryEmergencyThreshold;
    memorySettings.checkIntervalMs = config.memoryCheckIntervalMs;
    // The unit's MemoryMax= (systemd) is the budget when no memoryLimit is configured.
    memorySettings.sources.cgroupV2Limit = MemoryManager::ownCgroupV2Limit();
    m_memory = new MemoryManager(memorySettings, *m_processMemory, clock, this);
    connect(m_memory, &MemoryManager::levelChanged, this,
            [this](MemoryManager::Level level, MemoryManager::Level previous) {
                memoryLevelChanged(int(level), int(previous));
            });
    const ProgressiveDegradation::Baseline baseline{config.historySize,
                                                    config.dedupeCacheSize,
                                                    config.notificationInboxSize,
                                                    config.maxQueuedBytes,
                                                    config.degradationCachePercent,
                                                    config.degradationQueuePercent,
                                                    config.degradationSubscriptionFloor,
                                                    config.degradationShedPercent};
    m_degradation =
        new ProgressiveDegradation(baseline, *m_history, *m_deduplicator, *m_inbox, *m_shards, *m_events, this);
    if (config.redisUrl.isEmpty()) {
        m_broker = new LocalBroker(this);
    } else {
        RedisBroker::Settings cluster;
        cluster.endpoint = parseRedisUrl(config.redisUrl).value(); // checked with the configuration
        if (!config.redisTlsCaFile.isEmpty()) {
            // Checked with the configuration too; should it have changed since, the system's CAs are used.
            const Result<QList<QSslCertificate>> certificates = RedisTlsTunnel::loadCaFile(config.redisTlsCaFile);
            if (certificates)
                cluster.tlsCaCertificates = *certificates;
            else
                qCWarning(lcService).noquote() << certificates.error().message;
        }
        cluster.nodeId = m_nodeId;
        cluster.timeoutMs = int(config.redisTimeoutMs);
        cluster.reconnectDelayMs = int(config.redisRetryDelayMs);
        cluster.historySize = config.historySize;
        cluster.historyTtlMs = config.historyTtlMs;
        cluster.compression = {config.redisEnableCompression, qsizetype(config.redisCompressionThreshold)};
        cluster.maxPayloadBytes = qsizetype(config.maxHttpBodyBytes);
        m_broker = new RedisBroker(
            cluster, [history = m_history.get()](qint64 billId) { return history->currentOffset(billId); }, this);
    }
    connect(m_broker, &Broker::sharedPublication, this, &Service::deliverShared);
    connect(m_broker, &Broker::sharedEvent, this, &Service::applySharedEvent);
    if (m_broker->isClustered())
        mirrorAcrossTheCluster();
    connect(m_broker, &Broker::connectionChanged, this, &Service::clusterConnectionChanged);
}

Service::~Service()
{
    delete m_frontDoor;
    m_shards->stop();
}

bool Service::initialize()
{
    const QStringList warnings = ConfigCommand::warnings(m_config);
    for (const QString &warning : warnings)
        qCWarning(lcService).noquote() << warning;

    HttpLimits limits;
    limits.maxBodyBytes = m_config.maxHttpBodyBytes;
    // Both lists were checked with the configuration.
    const TrustedProxies proxies = TrustedProxies::parse(m_config.trustedProxies).value();
    m_connectionRate = std::make_unique<ConnectionRateLimiter>(
        ConnectionRateLimiter::Settings{m_config.connectionRatePerIp, m_config.connectionBurstPerIp}, m_clock);
    ConnectionRateLimiter *connectionRate = m_connectionRate->isEnabled() ? m_connectionRate.get() : nullptr;
    m_httpApi = new HttpApi({limits, 30'000, m_config.apiKey.toUtf8(), proxies, connectionRate}, *this, this);

    FrontDoor::Settings frontDoorSettings;
    frontDoorSettings.headLimits = limits;
    frontDoorSettings.headTimeoutMs = m_config.requestHeadTimeoutMs;
    frontDoorSettings.allowAnonymous = m_config.allowAnonymous;
    frontDoorSettings.allowedOrigins = OriginPolicy::parse(m_config.allowedOrigins).value();
    frontDoorSettings.trustedProxies = proxies;
    if (!m_config.tlsCertFile.isEmpty()) {
        // Checked with the configuration; read again here, as a reload does.
        const Result<TlsCredentials> credentials = TlsCredentials::load(m_config.tlsCertFile, m_config.tlsKeyFile);
        if (!credentials) {
            m_errorString = credentials.error().message;
            return false;
        }
        m_tls = std::make_unique<TlsCredentials>(*credentials);
        frontDoorSettings.tls = true;
        frontDoorSettings.tlsConfiguration = m_tls->serverConfiguration();
        m_events->append(EventLog::Level::Info, u"tls"_s,
                         u"TLS on the public port%1: %2"_s.arg(
                             m_config.controlTls ? u" and the control port"_s : QString(), m_tls->describe()));
    }
    frontDoorSettings.maxPendingRequests = m_config.maxPendingRequests;
    frontDoorSettings.maxPendingRequestsPerIp = m_config.maxPendingRequestsPerIp;
    frontDoorSettings.connectionRate = connectionRate;
    m_memory->start(); // before the first client: an emergency at start already refuses it
    m_frontDoor = new FrontDoor(
        frontDoorSettings, *m_jwtVerifier, *m_connections, *m_shards, m_statistics->common(),
        [this](const IncomingSocket &incoming) { m_httpApi->adopt(incoming); }, this);
    m_frontDoor->setHttpLoad({[this] { return m_httpApi->connectionCount(); },
                              [this](const QString &peer) { return m_httpApi->connectionsFrom(peer); }});
    if (!m_frontDoor->listen(QHostAddress(m_config.bind), quint16(m_config.port))) {
        m_errorString =
            u"cannot listen on %1:%2: %3"_s.arg(m_config.bind).arg(m_config.port).arg(m_frontDoor->errorString());
        return false;
    }
    if (!m_config.controlToken.isEmpty()) {
        ControlServer::Settings control;
        control.token = m_config.controlToken;
        if (m_config.controlTls && m_tls) {
            control.tls = true;
            control.tlsConfiguration = m_tls->serverConfiguration();
        }
        control.intervalMs = int(m_config.controlIntervalMs);
        m_control = new ControlServer(control, *this, m_clock, this);
        if (!m_control->listen(QHostAddress(m_config.controlBind), quint16(m_config.controlPort))) {
            m_errorString = u"cannot open the control port %1:%2: %3"_s.arg(m_config.controlBind)
                                .arg(m_config.controlPort)
                                .arg(m_control->errorString());
            return false;
        }
    }
    m_shards->start();
    if (auto *cluster = qobject_cast<RedisBroker *>(m_broker)) {
        cluster->start();
        // The other nodes answer queries about this node's users from what it shares here.
        QTimer *presenceTimer = new QTimer(this);
        presenceTimer->setInterval(std::chrono::milliseconds(RedisBroker::PresenceIntervalMs));
        connect(presenceTimer, &QTimer::timeout, this, &Service::sharePresence);
        presenceTimer->start();
        sharePresence();
    }
    // Degradation reaches into the shards: only once they run (the first check came before).
    connect(m_memory, &MemoryManager::checked, m_degradation, &ProgressiveDegradation::update);
    m_degradation->update(m_memory->level());
    m_events->append(EventLog::Level::Info, u"service"_s,
                     u"started, listening on %1:%2"_s.arg(m_config.bind).arg(serverPort()));
    QTimer *healthTimer = new QTimer(this);
    healthTimer->setInterval(std::chrono::milliseconds(m_config.healthCheckIntervalMs));
    connect(healthTimer, &QTimer::timeout, this, &Service::evaluateHealth);
    healthTimer->start();
    evaluateHealth();
    QTimer *pruneTimer = new QTimer(this);
    pruneTimer->setInterval(std::chrono::milliseconds(qBound(qint64(1000), m_config.historyTtlMs / 10, qint64(60000))));
    connect(pruneTimer, &QTimer::timeout, this, [this] { m_history->pruneExpired(); });
    pruneTimer->start();
    QTimer *leakTimer = new QTimer(this);
    leakTimer->setInterval(std::chrono::milliseconds(qMax<qint64>(1, m_config.memoryCheckIntervalMs)));
    connect(leakTimer, &QTimer::timeout, this, &Service::sampleMemory);
    leakTimer->start();
    sampleMemory();
    if (m_inbox->isEnabled()) {
        QTimer *inboxPruneTimer = new QTimer(this);
        inboxPruneTimer->setInterval(
            std::chrono::milliseconds(qBound(qint64(1000), m_config.notificationInboxTtlMs / 10, qint64(60000))));
        connect(inboxPruneTimer, &QTimer::timeout, this, [this] { m_inbox->pruneExpired(); });
        inboxPruneTimer->start();
    }
    return true;
}

void Service::shutdown(std::function<void()> done)
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_events->append(EventLog::Level::Info, u"service"_s, u"shutting down"_s);
    evaluateHealth();
    if (m_frontDoor)
        m_frontDoor->stopAccepting();

    struct Progress
    {
        int pending = 2;
        bool finished = false;
        std::function<void()> done;
    };
    auto progress = std::make_shared<Progress>(Progress{2, false, std::move(done)});
    auto finish = [progress] {
        if (progress->finished)
            return;
        progress->finished = true;
        if (progress->done)
            progress->done();
    };
    auto step = [progress, finish] {
        if (--progress->pending == 0)
            finish();
    };
    QTimer::singleShot(std::chrono::milliseconds(m_config.shutdownTimeoutMs), this, [finish] {
        qCWarning(lcService) << "shutdown timeout reached: closing what is left";
        finish();
    });
    m_shards->closeAll(CloseCode::GoingAway, u"server shutting down"_s, step);
    if (m_httpApi)
        m_httpApi->drain(step);
    else
        step();
}

namespace {

/// The options reload() can apply without a restart (schema keys).
bool isReloadable(QLatin1StringView key)
{
    static constexpr QLatin1StringView Reloadable[] = {
        "jwtSecret"_L1,
        "apiKey"_L1,
        "controlToken"_L1,
        "maxConnections"_L1,
        "maxConnectionsPerIp"_L1,
        "maxConnectionsPerUser"_L1,
        "messagesPerSecond"_L1,
        "messageBurst"_L1,
        "rateLimitMaxViolations"_L1,
        "maxSubscriptionsPerConnection"_L1,
        "memoryLimit"_L1,
        "memoryWarningThreshold"_L1,
        "memoryCriticalThreshold"_L1,
        "memoryEmergencyThreshold"_L1,
    };
    return std::find(std::begin(Reloadable), std::end(Reloadable), key) != std::end(Reloadable);
}

} // namespace

Service::ReloadOutcome Service::reload(const ServiceConfig &config)
{
    ReloadOutcome outcome;
    for (const ConfigOption &option : ConfigLoader::schema()) {
        const bool changed =
            std::visit([&](auto member) { return !(m_config.*member == config.*member); }, option.field);
        if (!changed)
            continue;
        // The control port opens at start only: without one, a token has nothing to guard yet. TLS is
        // switched on or off by a restart; while on, its files may change.
        const bool tlsFile = option.key == "tlsCertFile"_L1 || option.key == "tlsKeyFile"_L1;
        const bool reloadable = tlsFile ? (m_tls && !config.tlsCertFile.isEmpty())
                                        : isReloadable(option.key) && (option.key != "controlToken"_L1 || m_control);
        if (!reloadable) {
            outcome.restartNeeded.append(QString(option.key));
            continue;
        }
        std::visit([&](auto member) { m_config.*member = config.*member; }, option.field);
        outcome.reloaded.append(QString(option.key));
    }

    // Each part takes its new values the way its threads allow (see the setters).
    m_jwtVerifier->setSecret(m_config.jwtSecret);
    if (m_httpApi)
        m_httpApi->setApiKey(m_config.apiKey.toUtf8());
    if (m_control)
        m_control->setToken(m_config.controlToken);
    m_connections->setLimits({m_config.maxConnections, m_config.maxConnectionsPerIp, m_config.maxConnectionsPerUser});
    m_shards->setClientLimits(m_config.messagesPerSecond, m_config.messageBurst, m_config.rateLimitMaxViolations,
                              m_config.maxSubscriptionsPerConnection);
    m_memory->setThresholds(m_config.memoryLimitBytes, m_config.memoryWarningThreshold,
                            m_config.memoryCriticalThreshold, m_config.memoryEmergencyThreshold);
    if (m_tls)
        reloadTls();

    for (const QString &key : std::as_const(outcome.restartNeeded)) {
        const QString message = u"%1 changed in the configuration; it takes effect after a restart"_s.arg(key);
        m_events->append(EventLog::Level::Warning, u"config"_s, message);
        qCWarning(lcService).noquote() << message;
    }
    const QString summary = outcome.reloaded.isEmpty()
                                ? u"configuration reloaded: no option that can change at runtime changed"_s
                                : u"configuration reloaded: %1 now in effect"_s.arg(outcome.reloaded.join(u", "_s));
    m_events->append(EventLog::Level::Info, u"config"_s, summary);
    qCInfo(lcService).noquote() << summary;
    if (outcome.reloaded.contains("maxConnections"_L1) || outcome.reloaded.contains("memoryWarningThreshold"_L1) ||
        outcome.reloaded.contains("memoryCriticalThreshold"_L1) ||
        outcome.reloaded.contains("memoryEmergencyThreshold"_L1))
        evaluateHealth(); // health reads these from m_config
    return outcome;
}

void Service::reloadTls()
{
    // A renewed certificate usually keeps its file names: the files are read on every reload.
    const Result<TlsCredentials> credentials = TlsCredentials::load(m_config.tlsCertFile, m_config.tlsKeyFile);
    if (!credentials) {
        const QString message =
            u"TLS credentials not reloaded, the previous ones stay in use: "_s + credentials.error().message;
        m_events->append(EventLog::Level::Error, u"tls"_s, message);
        qCWarning(lcService).noquote() << message;
        return;
    }
    *m_tls = *credentials;
    const QSslConfiguration configuration = m_tls->serverConfiguration();
    if (m_frontDoor)
        m_frontDoor->setTlsConfiguration(configuration);
    if (m_control)
        m_control->setTlsConfiguration(configuration);
    m_events->append(EventLog::Level::Info, u"tls"_s, u"TLS credentials reloaded: "_s + m_tls->describe());
}

QHostAddress Service::serverAddress() const
{
    return m_frontDoor ? m_frontDoor->serverAddress() : QHostAddress();
}

quint16 Service::controlPort() const
{
    return m_control ? m_control->serverPort() : 0;
}

quint16 Service::serverPort() const
{
    return m_frontDoor ? m_frontDoor->serverPort() : 0;
}

QString Service::nextMessageId()
{
    return m_nodeId + u'-' + QString::number(++m_messageSerial, 36);
}

QJsonObject Service::PublishResult::toJson() const
{
    QJsonObject answer{{u"message_id"_s, messageId}, {u"delivered"_s, delivered}, {u"duplicate"_s, duplicate}};
    if (shared)
        answer.insert(u"cluster"_s, *shared);
    return answer;
}

void Service::deliverLocally(const Publication &publication, PublishResult result, PublishedCallback done)
{
    if (!done) {
        m_shards->deliver(publication, {});
        return;
    }
    m_shards->deliver(publication, [result = std::move(result), done = std::move(done)](int delivered) mutable {
        result.delivered = delivered;
        done(result);
    });
}

std::optional<bool> Service::share(const Publication &publication, const QJsonValue &payload)
{
    if (!m_broker->isClustered())
        return std::nullopt;
    SharedPublication shared;
    shared.kind = publication.kind;
    shared.messageId = publication.messageId;
    shared.timestampMs = publication.timestampMs;
    shared.userId = publication.userId;
    shared.payload = compactJson(payload);
    const bool handed = m_broker->publish(shared);
    if (!handed)
        ++m_unsharedPublishes;
    return handed;
}

void Service::deliverShared(const SharedPublication &shared, bool deliver)
{
    const QJsonDocument document = QJsonDocument::fromJson(u"[%1]"_s.arg(QString::fromUtf8(shared.payload)).toUtf8());
    if (!document.isArray() || document.array().size() != 1) {
        qCWarning(lcService) << "ignored a cluster publication whose payload is not JSON:" << shared.messageId;
        return;
    }
    const QJsonValue payload = document.array().at(0);
    Publication publication;
    publication.kind = shared.kind;
    publication.messageId = shared.messageId;
    publication.timestampMs = shared.timestampMs;
    switch (shared.kind) {
    case Publication::Kind::BillUpdate: {
        const std::optional<HistoryEntry> entry = m_history->insert(
            shared.billId, shared.offset, shared.sequence, shared.messageId, shared.timestampMs, [&](qint64 offset) {
                return ServerMessage::encode(
                    ServerMessage::billUpdate(shared.billId, offset, shared.messageId, shared.timestampMs, payload));
            });
        const std::optional<AwaitedUpdate> awaited = m_awaitedUpdates.contains(shared.messageId)
                                                         ? std::optional(m_awaitedUpdates.take(shared.messageId))
                                                         : std::nullopt;
        publication.billId = shared.billId;
        publication.offset = shared.offset;
        publication.sequence = shared.sequence;
        PublishResult result = publishResult(shared.messageId, shared.offset);
        result.shared = true;
        if (!entry) {
            // This node numbered that offset itself while Redis was away: the cluster's update loses.
            qCWarning(lcService) << "bill" << shared.billId << "offset" << shared.offset
                                 << "was already taken on this node; the cluster's update is not delivered here";
            if (awaited && awaited->done)
                awaited->done(result);
            return;
        }
        publication.frame = entry->frame;
        if (awaited)
            rememberPublish(awaited->scopeKey, publication);
        if (deliver)
            deliverLocally(publication, result, awaited ? awaited->done : PublishedCallback());
        else if (awaited && awaited->done)
            awaited->done(result);
        return;
    }
    case Publication::Kind::Notification:
        publication.userId = shared.userId;
        publication.frame =
            ServerMessage::encode(ServerMessage::notification(shared.messageId, shared.timestampMs, payload));
        // Every node keeps it until any client of the user acknowledges it (the "ack" event).
        m_inbox->store(shared.userId, shared.messageId, shared.timestampMs, publication.frame);
        break;
    case Publication::Kind::Broadcast:
        publication.frame =
            ServerMessage::encode(ServerMessage::broadcast(shared.messageId, shared.timestampMs, payload));
        break;
    }
    if (deliver)
        m_shards->deliver(publication, {});
}

void Service::mirrorAcrossTheCluster()
{
    // Shards acknowledge and keep sessions on their threads: the broker is told from this one.
    const auto share = [this](ClusterEvent event) {
        QMetaObject::invokeMethod(
            this, [this, event = std::move(event)] { m_broker->shareEvent(event); }, Qt::QueuedConnection);
    };
    m_inbox->setAcknowledgedListener([share](const QString &userId, const QStringList &messageIds) {
        share(ClusterEvent{u"ack"_s, userId, messageIds.join(u'\n').toUtf8()});
    });
    RecoveryStore::Listener listener;
    listener.kept = [share](const QString &pid, const RecoveryStore::Session &session) {
        QJsonArray bills;
        for (qint64 billId : session.bills)
            bills.append(billId);
        const QJsonObject state{{u"pid"_s, pid}, {u"connection"_s, session.connectionId}, {u"bills"_s, bills}};
        share(ClusterEvent{u"session-kept"_s, session.userId, QJsonDocument(state).toJson(QJsonDocument::Compact)});
    };
    listener.taken = [share](const QString &pid) { share(ClusterEvent{u"session-resumed"_s, {}, pid.toUtf8()}); };
    m_recovery->setListener(std::move(listener));
}

void Service::applySharedEvent(const ClusterEvent &event)
{
    constexpr qsizetype MaxIds = 1000;
    if (event.name == "ack"_L1) {
        const QList<QByteArray> ids = event.payload.split('\n');
        QStringList messageIds;
        for (qsizetype i = 0; i < ids.size() && i < MaxIds; ++i)
            messageIds.append(QString::fromUtf8(ids.at(i)));
        m_inbox->acknowledgeShared(event.userId, messageIds);
    } else if (event.name == "session-kept"_L1) {
        const QJsonObject state = QJsonDocument::fromJson(event.payload).object();
        const QString pid = state.value(u"pid"_s).toString();
        RecoveryStore::Session session;
        session.userId = event.userId;
        session.connectionId = state.value(u"connection"_s).toString();
        const QJsonArray bills = state.value(u"bills"_s).toArray();
        for (qsizetype i = 0; i < bills.size() && i < MaxIds; ++i) {
            const qint64 billId = bills.at(i).toInteger();
            if (billId > 0)
                session.bills.append(billId);
        }
        if (!pid.isEmpty() && !session.connectionId.isEmpty())
            m_recovery->keepShared(pid, std::move(session));
    } else if (event.name == "session-resumed"_L1) {
        m_recovery->forgetShared(QString::fromUtf8(event.payload));
    }
}

void Service::claimThen(const QString &scopeKey, const PublishedCallback &done,
                        std::function<void(const QString &claimedId)> proceed)
{
    if (scopeKey.isEmpty() || !m_broker->isClustered() || !m_broker->isConnected()) {
        proceed({});
        return;
    }
    // The key is claimed cluster-wide before anything is delivered: a repeat on any node is answered.
    const QString messageId = nextMessageId();
    m_broker->claimIdempotencyKey(
        scopeKey, messageId, m_config.dedupeWindowMs, this,
        [this, done, messageId, proceed = std::move(proceed)](const Result<std::optional<QString>> &original) {
            if (!original || !*original) {
                proceed(messageId); // first (or Redis did not answer: this node's cache still guards)
                return;
            }
            m_statistics->common().duplicateMessage();
            PublishResult result = publishResult(**original, 0, true);
            result.shared = true;
            if (done)
                done(result);
        });
}

void Service::clusterConnectionChanged(bool connected)
{
    evaluateHealth();
    if (!connected) {
        const QString message =
            m_broker->lastError() + u"; publishes reach this node's clients only until it is back"_s;
        m_events->append(EventLog::Level::Warning, u"cluster"_s, message);
        qCWarning(lcService).noquote() << message;
        return;
    }
    // Offsets this node has seen (or given itself while Redis was away) are never given again, even by
    // a Redis that lost its data; sent before any publish of this node on the same connection.
    m_broker->reserveLocalNumbers(m_history->lastOffsets(), m_history->currentSequence());
    QString message = u"connected to Redis: publishes are shared with the cluster"_s;
    if (m_unsharedPublishes > 0) {
        message += u"; %1 publishes made while it was away reached this node's clients only"_s.arg(m_unsharedPublishes);
        m_unsharedPublishes = 0;
    }
    m_events->append(EventLog::Level::Info, u"cluster"_s, message);
    qCInfo(lcService).noquote() << message;
}

void Service::memoryLevelChanged(int level, int previous)
{
    const bool emergency = MemoryManager::Level(level) == MemoryManager::Level::Emergency;
    m_connections->setRefusingNewConnections(emergency);
    evaluateHealth();
    const MemoryManager::Sample sample = m_memory->latest();
    QString message = u"memory pressure %1 (was %2): %3% of a %4 MiB budget"_s
                          .arg(MemoryManager::levelName(MemoryManager::Level(level)),
                               MemoryManager::levelName(MemoryManager::Level(previous)),
                               QString::number(sample.pressurePercent, 'f', 1))
                          .arg(sample.budgetBytes / (1024 * 1024));
    if (emergency)
        message += u"; new connections are refused"_s;
    else if (MemoryManager::Level(previous) == MemoryManager::Level::Emergency)
        message += u"; new connections are accepted again"_s;
    const EventLog::Level eventLevel = emergency          ? EventLog::Level::Error
                                       : level > previous ? EventLog::Level::Warning
                                                          : EventLog::Level::Info;
    m_events->append(eventLevel, u"memory"_s, message);
    qCWarning(lcService).noquote() << message;
}

Publication Service::newPublication(Publication::Kind kind, bool toEveryone, const QString &messageId)
{
    m_statistics->common().messagePublished(toEveryone);
    Publication publication;
    publication.kind = kind;
    publication.messageId = messageId.isEmpty() ? nextMessageId() : messageId;
    publication.timestampMs = m_clock.nowMs();
    return publication;
}

bool Service::answerDuplicate(const QString &scopeKey, const PublishedCallback &done)
{
    if (scopeKey.isEmpty())
        return false;
    const std::optional<Deduplicator::Remembered> original = m_deduplicator->find(scopeKey);
    if (!original)
        return false;
    m_statistics->common().duplicateMessage();
    PublishResult result = publishResult(original->messageId, original->offset, true);
    if (m_broker->isClustered())
        result.shared = true;
    if (done) // later, as for a real publish: the caller may only now store the result
        QMetaObject::invokeMethod(
            this, [done, result] { done(result); }, Qt::QueuedConnection);
    return true;
}

void Service::rememberPublish(const QString &scopeKey, const Publication &publication)
{
    if (!scopeKey.isEmpty())
        m_deduplicator->remember(scopeKey, {publication.messageId, publication.offset, publication.timestampMs});
}

void Service::broadcastBillUpdate(qint64 billId, const QJsonValue &update, PublishedCallback done,
                                  const QString &idempotencyKey)
{
    const QString scopeKey = idempotencyKey.isEmpty() ? QString() : Deduplicator::billScope(billId, idempotencyKey);
    if (answerDuplicate(scopeKey, done))
        return;
    Publication publication = newPublication(Publication::Kind::BillUpdate, false);
    publication.billId = billId;
    if (m_broker->isClustered() && m_broker->isConnected()) {
        // The cluster numbers it; it comes back through deliverShared, on every node.
        BillUpdateRequest request;
        request.publication.kind = Publication::Kind::BillUpdate;
        request.publication.messageId = publication.messageId;
        request.publication.timestampMs = publication.timestampMs;
        request.publication.billId = billId;
        request.publication.payload = compactJson(update);
        request.dedupeKey = scopeKey;
        request.dedupeWindowMs = m_config.dedupeWindowMs;
        m_awaitedUpdates.insert(publication.messageId, AwaitedUpdate{done, scopeKey});
        const QString messageId = publication.messageId;
        m_broker->publishBillUpdate(request, this, [this, messageId, billId](const Result<BillUpdateOutcome> &outcome) {
            const auto awaited = m_awaitedUpdates.constFind(messageId);
            if (awaited == m_awaitedUpdates.cend())
                return; // delivered here already
            const bool numbered = outcome && !outcome->duplicate;
            // Numbered but not delivered yet: it waits for an earlier update (a gap) and is answered when
            // delivered here; unless this node has that offset already (a Redis that lost its data).
            if (numbered && m_history->currentOffset(billId) < outcome->offset)
                return;
            const PublishedCallback done = awaited->done;
            m_awaitedUpdates.erase(awaited);
            if (!done)
                return;
            if (numbered) {
                done(Error{QString(ErrorCode::Unavailable),
                           u"Redis gave offset %1 of bill %2 a second time; publish again"_s.arg(outcome->offset)
                               .arg(billId)});
            } else if (!outcome) {
                done(Error{QString(ErrorCode::Unavailable),
                           u"Redis did not confirm the bill update (%1); it may have been published: publish "
                           u"again with the same idempotency key to be sure"_s.arg(outcome.error().message)});
            } else {
                m_statistics->common().duplicateMessage();
                PublishResult result = publishResult(outcome->messageId, outcome->offset, true);
                result.shared = true;
                done(result);
            }
        });
        return;
    }
    const HistoryEntry entry =
        m_history->append(billId, publication.messageId, publication.timestampMs, [&](qint64 offset) {
            return ServerMessage::encode(
                ServerMessage::billUpdate(billId, offset, publication.messageId, publication.timestampMs, update));
        });
    publication.offset = entry.offset;
    publication.sequence = entry.sequence;
    publication.frame = entry.frame;
    rememberPublish(scopeKey, publication);
    PublishResult result = publishResult(publication.messageId, publication.offset);
    if (m_broker->isClustered()) {
        // Redis is away: numbered here, for this node's clients only.
        result.shared = false;
        ++m_unsharedPublishes;
    }
    deliverLocally(publication, result, std::move(done));
}

void Service::sendUserNotification(const QString &userId, const QJsonValue &notification, PublishedCallback done,
                                   const QString &idempotencyKey)
{
    const QString scopeKey = idempotencyKey.isEmpty() ? QString() : Deduplicator::userScope(userId, idempotencyKey);
    if (answerDuplicate(scopeKey, done))
        return;
    claimThen(scopeKey, done, [this, userId, notification, done, scopeKey](const QString &claimedId) {
        Publication publication = newPublication(Publication::Kind::Notification, false, claimedId);
        publication.userId = userId;
        publication.frame = ServerMessage::encode(
            ServerMessage::notification(publication.messageId, publication.timestampMs, notification));
        rememberPublish(scopeKey, publication);
        // Kept before the shards deliver it: a client connecting meanwhile gets it from one or the other.
        PublishResult result = publishResult(publication.messageId, 0);
        result.stored = m_inbox->store(userId, publication.messageId, publication.timestampMs, publication.frame);
        result.shared = share(publication, notification);
        deliverLocally(publication, result, done);
    });
}

void Service::broadcastToAll(const QJsonValue &message, PublishedCallback done, const QString &idempotencyKey)
{
    const QString scopeKey = idempotencyKey.isEmpty() ? QString() : Deduplicator::broadcastScope(idempotencyKey);
    if (answerDuplicate(scopeKey, done))
        return;
    claimThen(scopeKey, done, [this, message, done, scopeKey](const QString &claimedId) {
        Publication publication = newPublication(Publication::Kind::Broadcast, true, claimedId);
        publication.frame =
            ServerMessage::encode(ServerMessage::broadcast(publication.messageId, publication.timestampMs, message));
        rememberPublish(scopeKey, publication);
        PublishResult result = publishResult(publication.messageId, 0);
        result.shared = share(publication, message);
        deliverLocally(publication, result, done);
    });
}

void Service::handleEngineIoHttp(const HttpRequest &request, const QString &peerAddress,
                                 std::function<void(const HttpResponse &)> respond)
{
    m_shards->handleEngineIoHttp(request, peerAddress, std::move(respond));
}

bool Service::isUserConnected(const QString &userId) const
{
    return m_connections->isUserConnected(userId) || m_broker->remoteUser(userId).connections > 0;
}

QList<qint64> Service::getUserSubscriptions(const QString &userId) const
{
    const QList<QSet<qint64>> perShard =
        m_shards->collect<QSet<qint64>>([&userId](const Shard &shard) { return shard.subscriptionsOfUser(userId); });
    QSet<qint64> bills = m_broker->remoteUser(userId).bills;
    for (const QSet<qint64> &part : perShard)
        bills.unite(part);
    QList<qint64> sorted(bills.cbegin(), bills.cend());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

int Service::getConnectionCount(const QString &userId) const
{
    return m_connections->connectionCount(userId) + m_broker->remoteUser(userId).connections;
}

QStringList Service::getAllConnectedUsers() const
{
    QStringList users = m_connections->connectedUsers();
    if (m_broker->isClustered()) {
        users += m_broker->remoteUsers();
        users.sort();
        users.removeDuplicates();
    }
    return users;
}

QStringList Service::getBillSubscribers(qint64 billId) const
{
    const QList<QSet<QString>> perShard =
        m_shards->collect<QSet<QString>>([billId](const Shard &shard) { return shard.subscribersOf(billId); });
    QSet<QString> users = m_broker->remoteSubscribers(billId);
    for (const QSet<QString> &part : perShard)
        users.unite(part);
    QStringList sorted(users.cbegin(), users.cend());
    sorted.sort();
    return sorted;
}

QList<ConnectionRow> Service::connectionRows() const
{
    const QList<QList<ConnectionRow>> perShard =
        m_shards->collect<QList<ConnectionRow>>([](const Shard &shard) { return shard.connectionRows(); });
    QList<ConnectionRow> rows;
    for (const QList<ConnectionRow> &part : perShard)
        rows.append(part);
    return rows;
}

QHash<qint64, QSet<QString>> Service::subscriptionMap() const
{
    const QList<QHash<qint64, QSet<QString>>> perShard =
        m_shards->collect<QHash<qint64, QSet<QString>>>([](const Shard &shard) { return shard.subscriptionMap(); });
    QHash<qint64, QSet<QString>> map;
    for (const auto &part : perShard) {
        for (auto it = part.cbegin(); it != part.cend(); ++it)
            map[it.key()].unite(it.value());
    }
    return map;
}

bool Service::closeConnection(const QString &publicId, int code, const QString &reason)
{
    const QList<std::optional<ConnectionId>> found = m_shards->collect<std::optional<ConnectionId>>(
        [&publicId](const Shard &shard) { return shard.findConnection(publicId); });
    for (const std::optional<ConnectionId> &id : found) {
        if (id) {
            m_shards->closeConnections({*id}, code, reason);
            return true;
        }
    }
    return false;
}

void Service::logEvent(EventLog::Level level, const QString &category, const QString &message)
{
    m_events->append(level, category, message);
}

void Service::sharePresence()
{
    const quint64 changes = m_shards->presenceChanges();
    if (m_presenceShared && changes == m_presenceChanges)
        return;
    m_presenceChanges = changes;
    m_presenceShared = true;
    const QList<PresenceSnapshot> perShard =
        m_shards->collect<PresenceSnapshot>([](const Shard &shard) { return shard.presence(); });
    PresenceSnapshot users;
    for (const PresenceSnapshot &part : perShard) {
        for (auto it = part.cbegin(); it != part.cend(); ++it) {
            UserPresence &user = users[it.key()];
            user.connections += it->connections;
            user.bills.unite(it->bills);
        }
    }
    m_broker->updatePresence(users);
}

ServiceStats Service::getStats() const
{
    return m_statistics->snapshot(m_connections->uniqueUsers(), m_processMemory->residentBytes());
}

void Service::evaluateHealth()
{
    HealthChecker::Thresholds thresholds;
    thresholds.memoryWarning = m_config.memoryWarningThreshold;
    thresholds.memoryCritical = m_config.memoryCriticalThreshold;
    thresholds.memoryEmergency = m_config.memoryEmergencyThreshold;
    HealthChecker::Inputs inputs;
    inputs.nowMs = m_clock.nowMs();
    inputs.uptimeMs = inputs.nowMs - m_statistics->startTime();
    // The manager's latest sample, so that health and admission agree on the level (with hysteresis).
    const MemoryManager::Sample memory = m_memory->latest();
    inputs.memoryPercent = memory.pressurePercent;
    inputs.memoryLevel = int(memory.level);
    inputs.activeConnections = m_connections->totalConnections();
    inputs.maxConnections = m_config.maxConnections;
    inputs.slowConsumers = m_statistics->slowConsumerCount();
    inputs.brokerConnected = m_broker->isConnected();
    inputs.brokerError = m_broker->lastError();
    inputs.shuttingDown = m_shuttingDown;
    const HealthStatus previous = std::exchange(m_health, HealthChecker(thresholds).evaluate(inputs));
    if (previous.status == m_health.status)
        return;
    // The first evaluation is news only when it is not healthy.
    if (!previous.status.isEmpty() || m_health.status != "healthy"_L1) {
        const QStringList reasons = m_health.errors + m_health.warnings;
        const QString message = reasons.isEmpty() ? u"health: %1"_s.arg(m_health.status)
                                                  : u"health: %1: %2"_s.arg(m_health.status, reasons.join(u"; "_s));
        const EventLog::Level level = !m_health.isHealthy                ? EventLog::Level::Error
                                      : m_health.status == "degraded"_L1 ? EventLog::Level::Warning
                                                                         : EventLog::Level::Info;
        m_events->append(level, u"health"_s, message);
        qCInfo(lcService).noquote() << message;
    }
    emit healthChanged(m_health);
}

namespace {

struct ShardFigures
{
    qint64 subscriptions = 0;
    QList<qint64> bills;
};

} // namespace

MetricsReporter::Figures Service::collectFigures() const
{
    MetricsReporter::Figures figures;
    figures.stats = getStats();
    figures.health = getHealthStatus();
    const QList<ShardFigures> perShard = m_shards->collect<ShardFigures>([](const Shard &shard) {
        return ShardFigures{shard.subscriptionCount(), shard.subscribedBills()};
    });
    QSet<qint64> bills;
    for (const ShardFigures &part : perShard) {
        figures.subscriptions += part.subscriptions;
        bills.unite(QSet<qint64>(part.bills.cbegin(), part.bills.cend()));
    }
    figures.subscribedBills = bills.size();
    figures.historyEntries = m_history->entryCount();
    figures.historyBills = m_history->billCount();
    figures.inboxEntries = m_inbox->entryCount();
    figures.inboxUsers = m_inbox->userCount();
    const MemoryManager::Sample memory = m_memory->latest();
    figures.memoryBudgetBytes = memory.budgetBytes;
    figures.memoryLevel = int(memory.level);
    for (int level = 1; level < int(figures.memoryThresholds.size()); ++level)
        figures.memoryThresholds[std::size_t(level)] = m_memory->thresholdOf(MemoryManager::Level(level));
    figures.degradationStep = m_degradation->step();
    for (int step = 1; step < ProgressiveDegradation::StepCount; ++step)
        figures.degradationStepsTaken[std::size_t(step)] = m_degradation->timesTaken(step);
    figures.shedConnections = m_degradation->shedConnections();
    figures.totals = m_statistics->totals();
    figures.brokerEnabled = m_broker->isClustered();
    figures.brokerConnected = m_broker->isConnected();
    figures.tls = m_tls != nullptr;
    figures.tlsHandshakeFailures = m_frontDoor ? m_frontDoor->tlsHandshakeFailures() : 0;
    figures.tlsCertificateExpiresAt = m_tls ? m_tls->expiresAt().toSecsSinceEpoch() : 0;
    figures.ioThreads = m_shards->shardCount();
    const bool mainOnEpoll = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance(thread()));
    const int shardsOnEpoll = m_shards->epollThreadCount();
    figures.eventDispatcher = mainOnEpoll && shardsOnEpoll == m_shards->shardCount() ? u"epoll"_s
                              : !mainOnEpoll && shardsOnEpoll == 0                   ? u"qt"_s
                                                                                     : u"mixed"_s;
    const StatisticsCollector::LatencySummary latency = m_statistics->latencySummary();
    figures.latencyP50 = latency.p50;
    figures.latencyP99 = latency.p99;
    figures.latencyCount = latency.count;
    figures.latencySumMs = latency.sumMs;
    return figures;
}

QJsonObject Service::getMetrics() const
{
    return MetricsReporter::toJson(collectFigures());
}

QByteArray Service::prometheusMetrics() const
{
    return MetricsReporter::toPrometheus(collectFigures());
}

namespace {

MemoryAnalysis::Census takeCensus(const ShardPool &shards, const ChannelHistory &history,
                                  const NotificationInbox &inbox, const RecoveryStore &recovery,
                                  const ProcessMemory &process, qint64 messages, qint64 nowMs)
{
    using Series = LeakDetector::Series;
    struct ShardPart
    {
        Shard::MemoryCensus census;
        QList<qint64> bills;
    };
    const QList<ShardPart> perShard = shards.collect<ShardPart>([](const Shard &shard) {
        return ShardPart{shard.memoryCensus(), shard.subscribedBills()};
    });
    MemoryAnalysis::Census census;
    LeakDetector::Sample &sample = census.sample;
    sample.timestampMs = nowMs;
    QSet<qint64> bills;
    for (int shard = 0; shard < perShard.size(); ++shard) {
        const Shard::MemoryCensus &part = perShard.at(shard).census;
        sample[Series::Connections] += part.connections;
        sample[Series::EngineIoSessions] += part.engineIoSessions;
        sample[Series::Subscriptions] += part.subscriptions;
        sample[Series::QueuedMessages] += part.queuedMessages;
        census.queuedBytes += part.queuedBytes;
        census.orphanTotal += part.orphans.total;
        for (const OrphanCheck::Orphan &orphan : part.orphans.orphans)
            census.orphans.append({shard, orphan});
        bills.unite(QSet<qint64>(perShard.at(shard).bills.cbegin(), perShard.at(shard).bills.cend()));
    }
    census.subscribedBills = bills.size();
    sample[Series::HistoryEntries] = history.entryCount();
    census.historyBills = history.billCount();
    sample[Series::InboxEntries] = inbox.entryCount();
    census.inboxUsers = inbox.userCount();
    census.inboxBytes = inbox.byteCount();
    sample[Series::RecoverySessions] = recovery.size();
    sample[Series::Rss] = process.residentBytes();
    sample[Series::Messages] = messages;
    return census;
}

} // namespace

void Service::sampleMemory()
{
    const MemoryAnalysis::Census census = takeCensus(*m_shards, *m_history, *m_inbox, *m_recovery, *m_processMemory,
                                                     m_statistics->snapshot(0, 0).totalMessages, m_clock.nowMs());
    m_leaks->record(census.sample);
    // Each finding once while it lasts, not at every sample.
    const QList<MemoryAnalysis::Finding> findings = MemoryAnalysis::findings(census, m_leaks->growth());
    QStringList keys;
    for (const MemoryAnalysis::Finding &finding : findings)
        keys.append(finding.key);
    const QStringList fresh = m_leaks->newFindings(keys);
    for (const MemoryAnalysis::Finding &finding : findings) {
        if (fresh.contains(finding.key)) {
            m_events->append(EventLog::Level::Warning, u"leak"_s, finding.message);
            qCWarning(lcService).noquote() << "possible leak:" << finding.message;
        }
    }
}

QJsonObject Service::forceMemoryAnalysis() const
{
    const MemoryAnalysis::Census census = takeCensus(*m_shards, *m_history, *m_inbox, *m_recovery, *m_processMemory,
                                                     m_statistics->snapshot(0, 0).totalMessages, m_clock.nowMs());
    return MemoryAnalysis::toJson(census, m_memory->latest(), *m_leaks);
}

} // namespace wsinfra
