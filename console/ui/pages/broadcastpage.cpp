#include "ui/pages/broadcastpage.h"

#include "ui/broadcasttemplates.h"

#include "consolesession.h"
#include "models/modelsupport.h"
#include "protocol/controlmessage.h"

#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QShortcut>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBlock>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// The item data of a history row's first cell.
enum HistoryRole {
    CommandIdRole = Qt::UserRole, ///< the command's id, as commandFinished() repeats it
    PendingRole,                  ///< true until the answer came (or the link dropped)
    PayloadRole,                  ///< the payload sent (QJsonObject)
    TargetRole,                   ///< BroadcastPage::Target
};

const auto ErrorColour = "#b3261e"_L1;
const auto OkColour = "#1b7f3b"_L1;
const auto MutedColour = "#5f6368"_L1;

QString targetName(BroadcastPage::Target target)
{
    switch (target) {
    case BroadcastPage::BillUpdate:
        return BroadcastPage::tr("Bill update");
    case BroadcastPage::UserNotification:
        return BroadcastPage::tr("User notification");
    case BroadcastPage::BroadcastToAll:
        return BroadcastPage::tr("Broadcast to everyone");
    }
    return {};
}

QString coloured(QLatin1StringView colour, const QString &text)
{
    return u"<span style=\"color:%1\">%2</span>"_s.arg(colour, text);
}

} // namespace

BroadcastPage::BroadcastPage(ConsoleSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_target(new QComboBox(this)), m_billId(new QLineEdit(this)),
      m_userId(new QLineEdit(this)), m_idempotencyKey(new QLineEdit(this)), m_templates(new QComboBox(this)),
      m_payload(new QPlainTextEdit(this)), m_format(new QPushButton(tr("&Format"), this)),
      m_validation(new QLabel(this)), m_targetProblem(new QLabel(this)), m_sendHint(new QLabel(this)),
      m_send(new QPushButton(tr("&Send"), this)), m_answer(new QLabel(this)),
      m_history(new QTableWidget(0, HistoryColumnCount, this))
{
    m_target->setObjectName(u"target"_s);
    m_target->addItem(targetName(BillUpdate));
    m_target->addItem(targetName(UserNotification));
    m_target->addItem(targetName(BroadcastToAll));

    m_billId->setObjectName(u"billId"_s);
    // Digits only; the range (1 .. 2^53-1) is the control protocol's, checked in checkTarget().
    m_billId->setValidator(new QRegularExpressionValidator(QRegularExpression(u"[0-9]{0,16}"_s), m_billId));
    m_billId->setPlaceholderText(tr("e.g. 7"));
    m_userId->setObjectName(u"userId"_s);
    m_userId->setPlaceholderText(tr("e.g. amy"));
    m_idempotencyKey->setObjectName(u"idempotencyKey"_s);
    m_idempotencyKey->setPlaceholderText(tr("optional"));
    m_idempotencyKey->setToolTip(tr("A repeat with the same key within the service's dedupe window is answered "
                                    "with the first message's id and is not delivered again."));

    m_templates->setObjectName(u"templates"_s);
    m_templates->setToolTip(tr("Fills the editor with a typical payload"));
    m_templates->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_format->setObjectName(u"format"_s);
    m_format->setToolTip(tr("Pretty-print the payload"));

    m_payload->setObjectName(u"payload"_s);
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_payload->setTabStopDistance(4 * m_payload->fontMetrics().horizontalAdvance(u' '));
    m_payload->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_payload->setPlaceholderText(tr("{\"status\": \"passed_second_reading\", ...}"));
    m_validation->setObjectName(u"validation"_s);
    m_validation->setWordWrap(true);
    m_validation->setTextFormat(Qt::PlainText);
    m_targetProblem->setObjectName(u"targetProblem"_s);
    m_targetProblem->setWordWrap(true);
    m_targetProblem->setStyleSheet(u"color: %1"_s.arg(ErrorColour));
    m_sendHint->setObjectName(u"sendHint"_s);
    m_sendHint->setWordWrap(true);
    m_sendHint->setStyleSheet(u"color: %1"_s.arg(MutedColour));
    m_send->setObjectName(u"send"_s);
    m_send->setDefault(true);
    m_send->setToolTip(tr("Publish the message (Ctrl+Return)"));
    m_send->setMinimumWidth(110);

    m_answer->setObjectName(u"answer"_s);
    m_answer->setTextFormat(Qt::RichText);
    m_answer->setWordWrap(true);
    m_answer->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_answer->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_answer->setMinimumHeight(90);
    setAnswer(coloured(MutedColour, tr("Nothing sent yet. The service's answer to the last message shows here.")));

    m_history->setObjectName(u"history"_s);
    m_history->setHorizontalHeaderLabels({tr("Time"), tr("Target"), tr("Id"), tr("Result")});
    m_history->verticalHeader()->hide();
    m_history->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_history->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_history->setSelectionMode(QAbstractItemView::SingleSelection);
    m_history->setAlternatingRowColors(true);
    m_history->setWordWrap(false);
    m_history->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_history->horizontalHeader()->setStretchLastSection(true);
    m_history->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);

    // Left: what to send. Right: what the service said, and what was sent before.
    auto *compose = new QGroupBox(tr("Message"), this);
    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->addRow(tr("Send &to:"), m_target);
    m_form->addRow(tr("&Bill id:"), m_billId);
    m_form->addRow(tr("&User id:"), m_userId);
    m_form->addRow(tr("Idempotency &key:"), m_idempotencyKey);
    auto *editorBar = new QHBoxLayout;
    auto *payloadLabel = new QLabel(tr("&Payload (a JSON object, sent to the clients as \"data\"):"), this);
    payloadLabel->setBuddy(m_payload);
    editorBar->addWidget(payloadLabel);
    editorBar->addStretch();
    editorBar->addWidget(m_templates);
    editorBar->addWidget(m_format);
    auto *sendBar = new QHBoxLayout;
    sendBar->addWidget(m_sendHint, 1);
    sendBar->addWidget(m_send);
    auto *composeLayout = new QVBoxLayout(compose);
    composeLayout->addLayout(m_form);
    composeLayout->addWidget(m_targetProblem);
    composeLayout->addSpacing(6);
    composeLayout->addLayout(editorBar);
    composeLayout->addWidget(m_payload, 1);
    composeLayout->addWidget(m_validation);
    composeLayout->addLayout(sendBar);

    auto *answerBox = new QGroupBox(tr("Answer"), this);
    auto *answerLayout = new QVBoxLayout(answerBox);
    answerLayout->addWidget(m_answer);
    auto *historyBox = new QGroupBox(tr("History"), this);
    auto *historyLayout = new QVBoxLayout(historyBox);
    historyLayout->addWidget(m_history);
    auto *historyHint = new QLabel(tr("Newest first. Double-click a row to load its message into the editor."), this);
    historyHint->setStyleSheet(u"color: %1"_s.arg(MutedColour));
    historyLayout->addWidget(historyHint);
    auto *results = new QWidget(this);
    auto *resultsLayout = new QVBoxLayout(results);
    resultsLayout->setContentsMargins(0, 0, 0, 0);
    resultsLayout->addWidget(answerBox);
    resultsLayout->addWidget(historyBox, 1);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(compose);
    splitter->addWidget(results);
    splitter->setChildrenCollapsible(false);
    splitter->setStretchFactor(0, 5);
    splitter->setStretchFactor(1, 4);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->addWidget(splitter);

    auto *sendShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    sendShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(sendShortcut, &QShortcut::activated, this, [this] {
        if (m_send->isEnabled())
            m_send->click();
    });

    connect(m_target, &QComboBox::currentIndexChanged, this, &BroadcastPage::onTargetChanged);
    connect(m_templates, &QComboBox::currentIndexChanged, this, &BroadcastPage::applyTemplate);
    connect(m_billId, &QLineEdit::textChanged, this, &BroadcastPage::validate);
    connect(m_userId, &QLineEdit::textChanged, this, &BroadcastPage::validate);
    connect(m_idempotencyKey, &QLineEdit::textChanged, this, &BroadcastPage::validate);
    connect(m_payload, &QPlainTextEdit::textChanged, this, &BroadcastPage::validate);
    connect(m_format, &QPushButton::clicked, this, &BroadcastPage::formatPayload);
    connect(m_send, &QPushButton::clicked, this, &BroadcastPage::send);
    connect(m_history, &QTableWidget::cellDoubleClicked, this, &BroadcastPage::loadFromHistory);
    connect(m_session, &ConsoleSession::commandFinished, this, &BroadcastPage::onCommandFinished);
    connect(m_session, &ConsoleSession::connectionStateChanged, this, &BroadcastPage::onConnectionStateChanged);

    onTargetChanged();
}

BroadcastPage::Target BroadcastPage::target() const
{
    return Target(std::clamp(m_target->currentIndex(), int(BillUpdate), int(BroadcastToAll)));
}

bool BroadcastPage::isLive() const
{
    const ControlClient::State state = m_session->connectionState();
    return state == ControlClient::State::Live || state == ControlClient::State::Lagging;
}

void BroadcastPage::onTargetChanged()
{
    m_form->setRowVisible(m_billId, target() == BillUpdate);
    m_form->setRowVisible(m_idempotencyKey, target() == BillUpdate);
    m_form->setRowVisible(m_userId, target() == UserNotification);
    fillTemplates();
    validate();
}

void BroadcastPage::fillTemplates()
{
    const QSignalBlocker blocker(m_templates);
    m_templates->clear();
    m_templates->addItem(tr("Templates..."));
    const QList<BroadcastTemplate> templates = broadcastTemplates(target());
    for (const BroadcastTemplate &entry : templates)
        m_templates->addItem(entry.name);
}

void BroadcastPage::applyTemplate(int index)
{
    const QList<BroadcastTemplate> templates = broadcastTemplates(target());
    if (index < 1 || index > templates.size())
        return;
    m_payload->setPlainText(QString::fromUtf8(QJsonDocument(templates.at(index - 1).payload).toJson()));
    m_payload->setFocus();
}

void BroadcastPage::formatPayload()
{
    const std::optional<QJsonObject> payload = checkPayload();
    if (payload)
        m_payload->setPlainText(QString::fromUtf8(QJsonDocument(*payload).toJson(QJsonDocument::Indented)));
}

std::optional<QJsonObject> BroadcastPage::checkPayload()
{
    const QString text = m_payload->toPlainText();
    QList<QTextEdit::ExtraSelection> marks;
    std::optional<QJsonObject> payload;
    QString problem;
    if (text.trimmed().isEmpty()) {
        problem = tr("Type a JSON object, or pick a template.");
    } else {
        const QByteArray utf8 = text.toUtf8();
        QJsonParseError error;
        QJsonDocument document = QJsonDocument::fromJson(utf8, &error);
        // Qt lets a raw control character through inside a string; JSON does not, and neither does the service
        // on its HTTP API. Whitespace between tokens is fine.
        const auto control = std::find_if(text.cbegin(), text.cend(), [](QChar c) {
            return c.unicode() < 0x20 && c != u'\t' && c != u'\n' && c != u'\r';
        });
        const bool rawControl = error.error == QJsonParseError::NoError && control != text.cend();
        if (rawControl) {
            error.error = QJsonParseError::IllegalValue;
            error.offset = int(QStringView(text.cbegin(), control).toUtf8().size());
        }
        if (error.error != QJsonParseError::NoError) {
            // The parser's offset counts UTF-8 bytes; the operator counts lines and characters.
            const qsizetype offset = std::clamp<qsizetype>(error.offset, 0, utf8.size());
            const QString before = QString::fromUtf8(utf8.left(offset));
            const qsizetype line = before.count(u'\n') + 1;
            const qsizetype column = before.size() - before.lastIndexOf(u'\n');
            // Qt's parser takes objects and arrays only: "42" is a value all the same, just not an object.
            const bool singleValue = QJsonDocument::fromJson("[" + utf8 + "]").isArray() && !rawControl;
            if (singleValue) {
                problem = tr("The payload must be a JSON object ({...}), not an array or a single value.");
            } else {
                const QString reason = rawControl ? tr("control character U+%1 (write it as \\u%1)")
                                                        .arg(uint(control->unicode()), 4, 16, QChar(u'0'))
                                                  : error.errorString();
                problem = tr("Not valid JSON at line %1, column %2 (offset %3): %4.")
                              .arg(line)
                              .arg(column)
                              .arg(offset)
                              .arg(reason);
                QTextEdit::ExtraSelection mark;
                mark.format.setBackground(QColor(0xfd, 0xe7, 0xe9));
                mark.format.setProperty(QTextFormat::FullWidthSelection, true);
                mark.cursor = QTextCursor(m_payload->document()->findBlockByNumber(int(line - 1)));
                marks.append(mark);
            }
        } else if (!document.isObject()) {
            problem = tr("The payload must be a JSON object ({...}), not an array or a single value.");
        } else {
            payload = document.object();
        }
    }
    m_payload->setExtraSelections(marks);
    if (payload) {
        const qint64 bytes = QJsonDocument(*payload).toJson(QJsonDocument::Compact).size();
        m_validation->setText(
            tr("Valid JSON object: %n field(s), %1.", nullptr, int(payload->size())).arg(displayBytes(bytes)));
        m_validation->setStyleSheet(u"color: %1"_s.arg(OkColour));
    } else {
        m_validation->setText(problem);
        m_validation->setStyleSheet(u"color: %1"_s.arg(ErrorColour));
    }
    return payload;
}

QString BroadcastPage::checkTarget() const
{
    // The control protocol's own parser judges the ids and the key, so that the page refuses exactly what the
    // service would refuse.
    ControlCommand command;
    command.type = ControlCommand::Type::Publish;
    switch (target()) {
    case BillUpdate: {
        if (m_billId->text().isEmpty())
            return tr("Enter the id of the bill whose subscribers get the update.");
        bool ok = false;
        command.target = ControlCommand::Target::Bill;
        command.billId = m_billId->text().toLongLong(&ok);
        if (!ok)
            command.billId = 0;
        command.idempotencyKey = m_idempotencyKey->text();
        break;
    }
    case UserNotification:
        if (m_userId->text().trimmed().isEmpty())
            return tr("Enter the id of the user whose clients get the notification.");
        command.target = ControlCommand::Target::User;
        command.userId = m_userId->text().trimmed();
        break;
    case BroadcastToAll:
        command.target = ControlCommand::Target::All;
        break;
    }
    const Result<ControlCommand> parsed = parseControlCommand(command.toJson());
    if (!parsed)
        return tr("Cannot be sent: %1.").arg(parsed.error().message);
    return {};
}

QString BroadcastPage::recipientText() const
{
    switch (target()) {
    case BillUpdate:
        return m_billId->text();
    case UserNotification:
        return m_userId->text().trimmed();
    case BroadcastToAll:
        return tr("everyone");
    }
    return {};
}

void BroadcastPage::validate()
{
    const bool payloadOk = checkPayload().has_value();
    const QString targetProblem = checkTarget();
    m_targetProblem->setText(targetProblem);
    // An empty field is not an error yet: the hint near Send says what is missing.
    const bool emptyId = (target() == BillUpdate && m_billId->text().isEmpty()) ||
                         (target() == UserNotification && m_userId->text().trimmed().isEmpty());
    m_targetProblem->setVisible(!targetProblem.isEmpty() && !emptyId);
    m_format->setEnabled(payloadOk);

    QString hint;
    if (!isLive())
        hint = tr("Not connected to a service: connect first (File > Connect).");
    else if (!m_awaited.isUndefined())
        hint = tr("Waiting for the answer to the last message...");
    else if (!targetProblem.isEmpty())
        hint = emptyId ? targetProblem : tr("Correct the recipient first.");
    else if (!payloadOk)
        hint = tr("Correct the payload first.");
    else
        hint = tr("Ready: %1 to %2.").arg(targetName(target()), recipientText());
    m_sendHint->setText(hint);
    m_send->setEnabled(payloadOk && targetProblem.isEmpty() && isLive() && m_awaited.isUndefined());
}

void BroadcastPage::send()
{
    const std::optional<QJsonObject> payload = checkPayload();
    if (!payload || !checkTarget().isEmpty() || !isLive() || !m_awaited.isUndefined())
        return;
    QJsonValue id;
    switch (target()) {
    case BillUpdate:
        id = m_session->publishToBill(m_billId->text().toLongLong(), *payload, m_idempotencyKey->text());
        break;
    case UserNotification:
        id = m_session->publishToUser(m_userId->text().trimmed(), *payload);
        break;
    case BroadcastToAll:
        id = m_session->broadcast(*payload);
        break;
    }
    if (id.isUndefined()) {
        setAnswer(coloured(ErrorColour, tr("<b>Not sent:</b> the console is not connected to the service.")));
        validate();
        return;
    }
    m_awaited = id;
    addHistoryRow(id, *payload);
    setAnswer(coloured(MutedColour, tr("Sent. Waiting for the service's answer...")));
    validate();
}

void BroadcastPage::onCommandFinished(const QJsonValue &id, bool ok, const QJsonObject &resultOrError)
{
    QString summary;
    QString html;
    if (ok) {
        // Read tolerantly: a newer service may add fields, an older one may lack some.
        const QString messageId = resultOrError.value("message_id"_L1).toString();
        const qint64 delivered = jsonCount(resultOrError.value("delivered"_L1));
        const bool duplicate = resultOrError.value("duplicate"_L1).toBool();
        QStringList parts{messageId.isEmpty() ? u"-"_s : messageId};
        QString rows = u"<tr><td>%1</td><td><code>%2</code></td></tr>"_s.arg(
            tr("Message id:"), messageId.isEmpty() ? u"-"_s : messageId.toHtmlEscaped());
        if (resultOrError.contains("offset"_L1)) {
            const qint64 offset = jsonCount(resultOrError.value("offset"_L1));
            parts.append(tr("offset %1").arg(offset));
            rows += u"<tr><td>%1</td><td>%2</td></tr>"_s.arg(tr("Offset:")).arg(offset);
        }
        parts.append(tr("delivered to %n", nullptr, int(std::min<qint64>(delivered, std::numeric_limits<int>::max()))));
        rows += u"<tr><td>%1</td><td>%2</td></tr>"_s.arg(
            tr("Delivered:"),
            tr("%n live connection(s)", nullptr, int(std::min<qint64>(delivered, std::numeric_limits<int>::max()))));
        QStringList notes;
        if (duplicate) {
            parts.append(tr("duplicate"));
            notes.append(tr("Duplicate: the service had seen this idempotency key; nothing was delivered again."));
        }
        if (resultOrError.value("stored"_L1).toBool()) {
            parts.append(tr("stored"));
            notes.append(tr("Stored in the user's inbox until one of their clients acknowledges it."));
        }
        if (resultOrError.contains("cluster"_L1) && !resultOrError.value("cluster"_L1).toBool())
            notes.append(tr("Only this node's clients got it: the cluster link is down."));
        for (const QString &note : std::as_const(notes))
            rows += u"<tr><td></td><td><i>%1</i></td></tr>"_s.arg(note.toHtmlEscaped());
        summary = parts.join(u", "_s);
        html = u"<p><b style=\"color:%1\">%2</b></p><table cellspacing=\"2\" cellpadding=\"2\">%3</table>"_s.arg(
            OkColour, tr("Published"), rows);
    } else {
        const QString code = resultOrError.value("code"_L1).toString();
        const QString message = resultOrError.value("message"_L1).toString();
        summary = tr("refused: %1 (%2)").arg(message, code);
        html = coloured(ErrorColour, u"<b>%1</b><br><code>%2</code>: %3"_s.arg(
                                         tr("Refused by the service"), code.toHtmlEscaped(), message.toHtmlEscaped()));
    }
    // The session answers every command of the console here; only those sent from this page have a row.
    finishHistoryRow(id, summary, ok);
    if (!m_awaited.isUndefined() && id == m_awaited) {
        m_awaited = QJsonValue(QJsonValue::Undefined);
        setAnswer(html);
        validate();
    }
}

void BroadcastPage::onConnectionStateChanged(ControlClient::State state)
{
    if (state == ControlClient::State::Connecting || state == ControlClient::State::Disconnected) {
        // Answers do not survive the link: what is still open will never be answered.
        const QString lost = tr("no answer: the link to the service dropped (the message may have been published)");
        for (int row = 0; row < m_history->rowCount(); ++row) {
            const QTableWidgetItem *first = m_history->item(row, TimeColumn);
            if (first && first->data(PendingRole).toBool())
                finishHistoryRow(first->data(CommandIdRole).toJsonValue(), lost, false);
        }
        if (!m_awaited.isUndefined()) {
            m_awaited = QJsonValue(QJsonValue::Undefined);
            setAnswer(coloured(ErrorColour, u"<b>%1</b><br>%2"_s.arg(tr("No answer"), lost.toHtmlEscaped())));
        }
    }
    validate();
}

void BroadcastPage::setAnswer(const QString &html)
{
    m_answer->setText(html);
}

void BroadcastPage::addHistoryRow(const QJsonValue &commandId, const QJsonObject &payload)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_history->insertRow(0);
    auto *time = new QTableWidgetItem(displayTime(now));
    time->setToolTip(displayDateTime(now));
    time->setData(CommandIdRole, QVariant(commandId));
    time->setData(PendingRole, true);
    time->setData(PayloadRole, QVariant(payload));
    time->setData(TargetRole, int(target()));
    auto *recipient = new QTableWidgetItem(recipientText());
    if (target() == BillUpdate)
        recipient->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto *result = new QTableWidgetItem(tr("waiting for the answer..."));
    result->setForeground(QColor(QLatin1StringView(MutedColour)));
    auto *targetItem = new QTableWidgetItem(targetName(target()));
    // The payload as a tool tip, cut: a history row is no place for a megabyte.
    const QString preview = QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Indented)).left(2000);
    for (QTableWidgetItem *item : {targetItem, recipient, result})
        item->setToolTip(preview);
    m_history->setItem(0, TimeColumn, time);
    m_history->setItem(0, TargetColumn, targetItem);
    m_history->setItem(0, IdColumn, recipient);
    m_history->setItem(0, ResultColumn, result);
    while (m_history->rowCount() > MaxHistoryRows)
        m_history->removeRow(m_history->rowCount() - 1);
}

void BroadcastPage::finishHistoryRow(const QJsonValue &commandId, const QString &summary, bool ok)
{
    for (int row = 0; row < m_history->rowCount(); ++row) {
        QTableWidgetItem *first = m_history->item(row, TimeColumn);
        if (!first || !first->data(PendingRole).toBool() || first->data(CommandIdRole).toJsonValue() != commandId)
            continue;
        first->setData(PendingRole, false);
        if (QTableWidgetItem *result = m_history->item(row, ResultColumn)) {
            result->setText(summary);
            result->setToolTip(summary);
            result->setForeground(ok ? palette().color(QPalette::Text) : QColor(QLatin1StringView(ErrorColour)));
        }
        return;
    }
}

void BroadcastPage::loadFromHistory(int row)
{
    const QTableWidgetItem *first = m_history->item(row, TimeColumn);
    const QTableWidgetItem *recipient = m_history->item(row, IdColumn);
    if (!first)
        return;
    const int sentTo = first->data(TargetRole).toInt();
    if (sentTo >= BillUpdate && sentTo <= BroadcastToAll)
        m_target->setCurrentIndex(sentTo);
    if (recipient && sentTo == BillUpdate)
        m_billId->setText(recipient->text());
    else if (recipient && sentTo == UserNotification)
        m_userId->setText(recipient->text());
    const QJsonObject payload = first->data(PayloadRole).toJsonObject();
    m_payload->setPlainText(QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Indented)));
}

} // namespace wsinfra
