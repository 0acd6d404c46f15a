#pragma once

#include "controlclient.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QWidget>

#include <optional>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace wsinfra {

class ConsoleSession;

/// The console's Broadcast page: compose a bill update, a user notification or a broadcast to everyone in a
/// JSON editor that validates as it is typed (with templates for the common cases), send it through the
/// session, see the service's answer (message id, offset, live deliveries, duplicate/stored), and keep a
/// history of what was sent; double-clicking a history row loads it back into the editor.
///
/// Child widgets tests find by objectName: "target", "billId", "userId", "idempotencyKey", "templates",
/// "payload", "format", "validation", "targetProblem", "sendHint", "send", "answer", "history".
class BroadcastPage : public QWidget
{
    Q_OBJECT

public:
    /// The recipients a message goes to, in the order of the "target" combo box.
    enum Target { BillUpdate, UserNotification, BroadcastToAll };
    /// The history table's columns.
    enum HistoryColumn { TimeColumn, TargetColumn, IdColumn, ResultColumn, HistoryColumnCount };

    explicit BroadcastPage(ConsoleSession *session, QWidget *parent = nullptr);

    /// The history keeps this many rows; older ones go.
    static constexpr int MaxHistoryRows = 500;

private:
    void onTargetChanged();
    void fillTemplates();
    void applyTemplate(int index);
    void formatPayload();
    void validate();
    void send();
    void onCommandFinished(const QJsonValue &id, bool ok, const QJsonObject &resultOrError);
    void onConnectionStateChanged(ControlClient::State state);
    void loadFromHistory(int row);

    Target target() const;
    bool isLive() const;
    /// The payload when the editor holds a JSON object; otherwise empty, with m_validation saying why.
    std::optional<QJsonObject> checkPayload();
    /// Empty when the target's id (and key) would be accepted by the control protocol, else why not.
    QString checkTarget() const;
    QString recipientText() const;
    void setAnswer(const QString &html);
    void addHistoryRow(const QJsonValue &commandId, const QJsonObject &payload);
    void finishHistoryRow(const QJsonValue &commandId, const QString &summary, bool ok);

    ConsoleSession *m_session;
    QComboBox *m_target;
    QLineEdit *m_billId;
    QLineEdit *m_userId;
    QLineEdit *m_idempotencyKey;
    QComboBox *m_templates;
    QPlainTextEdit *m_payload;
    QPushButton *m_format;
    QLabel *m_validation;
    QLabel *m_targetProblem;
    QLabel *m_sendHint;
    QPushButton *m_send;
    QLabel *m_answer;
    QTableWidget *m_history;
    QFormLayout *m_form = nullptr;
    QJsonValue m_awaited = QJsonValue(QJsonValue::Undefined); ///< the id of the last command sent, until answered
};

} // namespace wsinfra
