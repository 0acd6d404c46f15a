#pragma once

#include "consolestate.h"
#include "controlclient.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

namespace wsinfra {

class ConnectionsModel;
class EventsModel;
class SubscriptionsModel;

/// One console's link to one service, as the pages see it: the ControlClient, the ConsoleState its pushes
/// build, the item models that follow the state, the commands, and the leak reports asked for. The pages
/// hold no protocol code: they read state() and the models after updated(), and call the commands.
class ConsoleSession : public QObject
{
    Q_OBJECT

public:
    /// A memory analysis as the service answered `analyse` (MemoryAnalysis: process, service, analysis).
    struct Analysis
    {
        qint64 atMs = 0; ///< when the answer came, local clock
        QJsonObject report;
    };

    struct Settings
    {
        Settings() { client.retryFirstConnection = true; } // an operator's window waits for a service to come up
        ControlClient::Settings client;
        ConsoleState::Limits limits;
        int analysisIntervalMs = 60'000; ///< while live, a leak report this often (0: only when asked)
        qsizetype maxAnalyses = 100;     ///< the history of leak reports kept
    };

    explicit ConsoleSession(QObject *parent = nullptr);
    explicit ConsoleSession(const Settings &settings, QObject *parent = nullptr);
    ~ConsoleSession() override;

    /// Connects to a service's control port (over TLS as `tls` says). A service other than the current one
    /// starts from an empty state.
    void connectToService(const QString &host, quint16 port, const QString &token, const ControlClient::Tls &tls = {});
    void disconnectFromService();

    ControlClient &client() { return m_client; }
    const ConsoleState &state() const { return m_state; }
    ControlClient::State connectionState() const { return m_client.state(); }
    /// "host:port" of the service, empty before connectToService().
    QString serviceName() const { return m_serviceName; }

    ConnectionsModel *connectionsModel() const { return m_connections; }
    SubscriptionsModel *subscriptionsModel() const { return m_subscriptions; }
    EventsModel *eventsModel() const { return m_events; }

    // Commands. Each returns the command's id, which commandFinished() repeats; Undefined (and nothing is
    // sent) when not welcomed.
    QJsonValue publishToBill(qint64 billId, const QJsonObject &data, const QString &idempotencyKey = {});
    QJsonValue publishToUser(const QString &userId, const QJsonObject &data);
    QJsonValue broadcast(const QJsonObject &data);
    QJsonValue disconnectConnection(const QString &connectionId);
    /// Asks for a memory analysis now; analysisReceived() follows.
    QJsonValue analyse();

    /// The leak reports received, oldest first, at most Settings::maxAnalyses.
    const QList<Analysis> &analyses() const { return m_analyses; }

signals:
    /// A push was applied: state() and the models show it.
    void updated();
    /// A push could not be applied (`error` names the field); the state is unchanged and a fresh snapshot
    /// has been asked for.
    void pushRejected(const QString &error);
    /// A command's answer: its result when `ok`, else its error ({"code","message"}).
    void commandFinished(const QJsonValue &id, bool ok, const QJsonObject &resultOrError);
    void analysisReceived(const wsinfra::ConsoleSession::Analysis &analysis);
    void connectionStateChanged(wsinfra::ControlClient::State state);

private:
    void onPush(const QJsonObject &push);
    void onReply(const QJsonValue &id, bool ok, const QJsonObject &resultOrError);
    QJsonValue send(const ControlCommand &command);

    Settings m_settings;
    ControlClient m_client;
    ConsoleState m_state;
    QString m_serviceName;
    ConnectionsModel *m_connections;
    SubscriptionsModel *m_subscriptions;
    EventsModel *m_events;
    QList<Analysis> m_analyses;
    QList<QJsonValue> m_pendingAnalyses; ///< ids of analyse commands not answered yet
    QTimer m_analysisTimer;
};

} // namespace wsinfra
