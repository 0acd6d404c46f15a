#include "consolesession.h"

#include "models/connectionsmodel.h"
#include "models/eventsmodel.h"
#include "models/subscriptionsmodel.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace wsinfra {

ConsoleSession::ConsoleSession(QObject *parent) : ConsoleSession(Settings{}, parent) {}

ConsoleSession::ConsoleSession(const Settings &settings, QObject *parent)
    : QObject(parent), m_settings(settings), m_client(settings.client), m_state(settings.limits),
      m_connections(new ConnectionsModel(this)), m_subscriptions(new SubscriptionsModel(this)),
      m_events(new EventsModel(this))
{
    connect(&m_client, &ControlClient::snapshotReceived, this, &ConsoleSession::onPush);
    connect(&m_client, &ControlClient::deltaReceived, this, &ConsoleSession::onPush);
    connect(&m_client, &ControlClient::replyReceived, this, &ConsoleSession::onReply);
    connect(&m_client, &ControlClient::stateChanged, this, [this](ControlClient::State state) {
        // A report when the link comes up, then one per interval while it stays.
        if (state == ControlClient::State::Live && !m_analysisTimer.isActive() && m_settings.analysisIntervalMs > 0) {
            analyse();
            m_analysisTimer.start();
        } else if (state == ControlClient::State::Disconnected || state == ControlClient::State::Connecting) {
            m_analysisTimer.stop();
            m_pendingAnalyses.clear();
        }
        emit connectionStateChanged(state);
    });
    m_analysisTimer.setInterval(std::max(1, m_settings.analysisIntervalMs));
    connect(&m_analysisTimer, &QTimer::timeout, this, [this] { analyse(); });
}

ConsoleSession::~ConsoleSession() = default;

void ConsoleSession::connectToService(const QString &host, quint16 port, const QString &token,
                                      const ControlClient::Tls &tls)
{
    const QString name = u"%1:%2"_s.arg(host).arg(port);
    if (name != m_serviceName) {
        m_serviceName = name;
        m_state = ConsoleState(m_settings.limits);
        m_analyses.clear();
        m_connections->update(m_state);
        m_subscriptions->update(m_state);
        m_events->update(m_state);
        emit updated();
    }
    m_client.connectToService(host, port, token, tls);
}

void ConsoleSession::disconnectFromService()
{
    m_client.disconnectFromService();
}

void ConsoleSession::onPush(const QJsonObject &push)
{
    QString error;
    if (!m_state.apply(push, &error)) {
        ControlCommand resync;
        resync.type = ControlCommand::Type::Resync;
        m_client.sendCommand(resync);
        emit pushRejected(error);
        return;
    }
    m_connections->update(m_state);
    m_subscriptions->update(m_state);
    m_events->update(m_state);
    emit updated();
}

void ConsoleSession::onReply(const QJsonValue &id, bool ok, const QJsonObject &resultOrError)
{
    if (const qsizetype pending = m_pendingAnalyses.indexOf(id); pending >= 0) {
        m_pendingAnalyses.remove(pending);
        if (ok) {
            m_analyses.append({QDateTime::currentMSecsSinceEpoch(), resultOrError});
            if (m_analyses.size() > m_settings.maxAnalyses)
                m_analyses.remove(0, m_analyses.size() - m_settings.maxAnalyses);
            emit analysisReceived(m_analyses.constLast());
        }
    }
    emit commandFinished(id, ok, resultOrError);
}

QJsonValue ConsoleSession::send(const ControlCommand &command)
{
    return m_client.sendCommand(command);
}

QJsonValue ConsoleSession::publishToBill(qint64 billId, const QJsonObject &data, const QString &idempotencyKey)
{
    ControlCommand command;
    command.type = ControlCommand::Type::Publish;
    command.target = ControlCommand::Target::Bill;
    command.billId = billId;
    command.data = data;
    command.idempotencyKey = idempotencyKey;
    return send(command);
}

QJsonValue ConsoleSession::publishToUser(const QString &userId, const QJsonObject &data)
{
    ControlCommand command;
    command.type = ControlCommand::Type::Publish;
    command.target = ControlCommand::Target::User;
    command.userId = userId;
    command.data = data;
    return send(command);
}

QJsonValue ConsoleSession::broadcast(const QJsonObject &data)
{
    ControlCommand command;
    command.type = ControlCommand::Type::Publish;
    command.target = ControlCommand::Target::All;
    command.data = data;
    return send(command);
}

QJsonValue ConsoleSession::disconnectConnection(const QString &connectionId)
{
    ControlCommand command;
    command.type = ControlCommand::Type::Disconnect;
    command.connectionId = connectionId;
    return send(command);
}

QJsonValue ConsoleSession::analyse()
{
    ControlCommand command;
    command.type = ControlCommand::Type::Analyse;
    const QJsonValue id = send(command);
    if (!id.isUndefined())
        m_pendingAnalyses.append(id);
    return id;
}

} // namespace wsinfra
