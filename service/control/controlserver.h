#pragma once

#include "core/connectionrow.h"
#include "util/clock.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QSslConfiguration>
#include <QStringList>
#include <QTimer>

#include <memory>

class QWebSocket;
class QWebSocketServer;

namespace wsinfra {

class Service;

/// The console's port (docs/control-protocol.md): a WebSocket server where an operator's console
/// authenticates with the control token, then receives a snapshot of the node and a delta every
/// interval, and sends commands (publish, disconnect, analyse, metrics, events). Lives on the
/// orchestrator's thread and reads the node through Service, like the HTTP API.
class ControlServer : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QString token;
        int intervalMs = 1000;
        qint64 maxBacklogBytes = 1024 * 1024; ///< a console further behind is resynchronised
        int helloTimeoutMs = 10'000;
        int maxFailures = 5; ///< failed hellos from one address within failureWindowMs ...
        qint64 failureWindowMs = 60'000;
        qint64 blockMs = 60'000; ///< ... block it this long
        int maxProtocolErrors = 10;
        qsizetype maxFrameBytes = 1024 * 1024;
        bool tls = false; ///< wss: may then listen on any address
        QSslConfiguration tlsConfiguration;
    };

    ControlServer(const Settings &settings, Service &service, const Clock &clock, QObject *parent = nullptr);

    /// Replaces the token (a configuration reload): consoles that say hello from now on need the new
    /// one; sessions already authenticated stay. An empty token refuses every new session.
    void setToken(const QString &token) { m_settings.token = token; }
    ~ControlServer() override;

    /// Listens; without TLS, refuses an address other than loopback. On failure see errorString().
    bool listen(const QHostAddress &address, quint16 port);
    /// New TLS credentials for the consoles that connect from now on (reload); no-op without TLS.
    void setTlsConfiguration(const QSslConfiguration &configuration);
    quint16 serverPort() const;
    QString errorString() const { return m_error; }
    /// Consoles past their hello.
    int sessionCount() const;

    /// What a push describes (built once per interval for every console).
    struct State
    {
        qint64 atMs = 0;
        QJsonObject stats;
        QJsonObject health;
        QJsonObject metrics;
        QHash<QString, QJsonObject> connections;  ///< by public id
        QHash<qint64, QStringList> subscriptions; ///< bill -> users, sorted
    };

private:
    struct Session;

    void onNewConnection();
    void onText(Session *session, const QString &text);
    void handleHello(Session *session, const QJsonObject &frame);
    void handleCommand(Session *session, const QJsonObject &frame);
    void protocolError(Session *session, const QJsonValue &id, const QString &message);
    void reply(Session *session, const QJsonValue &id, const QJsonObject &result);
    void replyError(Session *session, const QJsonValue &id, const QString &code, const QString &message);
    void refuse(Session *session, const QString &code, int closeCode, const QString &message);
    void send(Session *session, const QJsonObject &frame);
    void pushAll();
    void push(Session *session, const State &state);
    State captureState() const;
    bool isBlocked(const QString &address);
    void recordFailure(const QString &address);
    void remove(Session *session);

    Settings m_settings;
    Service &m_service;
    const Clock &m_clock;
    QWebSocketServer *m_server = nullptr;
    QTimer m_pushTimer;
    QString m_error;
    quint64 m_nextSession = 0;
    std::vector<std::unique_ptr<Session>> m_sessions;
    struct Failures
    {
        QList<qint64> times;
        qint64 blockedUntilMs = 0;
    };
    QHash<QString, Failures> m_failures;
};

} // namespace wsinfra
