#pragma once

#include "core/publication.h"
#include "core/serviceconfig.h"
#include "monitoring/metricsreporter.h"
#include "protocol/servicestats.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace wsinfra {

class Broker;
class ChannelHistory;
class Clock;
class ConnectionManager;
class FrontDoor;
class HttpApi;
class JwtVerifier;
class ProcessMemory;
class ShardPool;
class StatisticsCollector;

/// The orchestrator and public C++ API of wsinfra, mirroring the original design's service
/// (initialize, shutdown, broadcastBillUpdate, ...). It lives on the main thread; the HTTP API
/// calls it, and it reaches the clients through the shards.
class Service : public QObject
{
    Q_OBJECT
public:
    Service(const ServiceConfig &config, const Clock &clock, QObject *parent = nullptr);
    ~Service() override;

    /// Starts the shards and listens on the public port. On failure returns false and sets errorString().
    bool initialize();
    /// Graceful stop: refuses new clients, closes every client with 1001, lets in-flight HTTP finish,
    /// then calls `done` (at the latest after the configured shutdown timeout).
    void shutdown(std::function<void()> done);

    QString errorString() const { return m_errorString; }
    QHostAddress serverAddress() const;
    quint16 serverPort() const;
    const ServiceConfig &config() const { return m_config; }

    struct PublishResult
    {
        QString messageId;
        qint64 offset = 0; ///< bill updates only
    };
    using DeliveredCallback = std::function<void(int delivered)>;

    /// Sends an update to every subscriber of the bill and stores it in the bill's history.
    /// `delivered` runs once every shard has handed it to its subscribers.
    PublishResult broadcastBillUpdate(qint64 billId, const QJsonValue &update, DeliveredCallback delivered = {});
    /// Sends a notification to every live connection of the user.
    PublishResult sendUserNotification(const QString &userId, const QJsonValue &notification,
                                       DeliveredCallback delivered = {});
    /// Sends a message to every connection.
    PublishResult broadcastToAll(const QJsonValue &message, DeliveredCallback delivered = {});

    bool isUserConnected(const QString &userId) const;
    QList<qint64> getUserSubscriptions(const QString &userId) const;
    int getConnectionCount(const QString &userId) const;
    QStringList getAllConnectedUsers() const;
    QStringList getBillSubscribers(qint64 billId) const;
    ServiceStats getStats() const;
    HealthStatus getHealthStatus() const;
    /// ServiceMetrics: stats, health, and the sizes of the service's structures.
    QJsonObject getMetrics() const;
    /// The Prometheus text exposition of getMetrics().
    QByteArray prometheusMetrics() const;

    StatisticsCollector &statistics() { return *m_statistics; }

private:
    MetricsReporter::Figures collectFigures() const;
    QString nextMessageId();
    /// A publication of `kind` with a fresh message id and timestamp, counted as published.
    Publication newPublication(Publication::Kind kind, bool toEveryone);
    void publish(const Publication &publication, DeliveredCallback delivered);
    void deliverRemote(const Publication &publication);

    const ServiceConfig m_config;
    const Clock &m_clock;
    const QString m_nodeId;
    quint64 m_messageSerial = 0;
    std::unique_ptr<StatisticsCollector> m_statistics;
    std::unique_ptr<ChannelHistory> m_history;
    std::unique_ptr<JwtVerifier> m_jwtVerifier;
    std::unique_ptr<ProcessMemory> m_processMemory;
    ConnectionManager *m_connections = nullptr;
    ShardPool *m_shards = nullptr;
    Broker *m_broker = nullptr;
    HttpApi *m_httpApi = nullptr;
    FrontDoor *m_frontDoor = nullptr;
    QString m_errorString;
    bool m_shuttingDown = false;
};

} // namespace wsinfra
