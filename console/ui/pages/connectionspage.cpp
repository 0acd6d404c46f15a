#include "ui/pages/connectionspage.h"

#include "consolesession.h"
#include "models/connectionsmodel.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// The columns the filter searches: what an operator knows of a client (not its times or counts).
constexpr int FilteredColumns[] = {ConnectionsModel::Id, ConnectionsModel::User, ConnectionsModel::Address,
                                   ConnectionsModel::Transport};

// The details pane shows every column but Bills, which has its own list.
constexpr int DetailColumns[] = {
    ConnectionsModel::Id,         ConnectionsModel::User,           ConnectionsModel::Address,
    ConnectionsModel::Transport,  ConnectionsModel::ConnectedSince, ConnectionsModel::QueuedBytes,
    ConnectionsModel::MessagesIn, ConnectionsModel::MessagesOut,    ConnectionsModel::LastSeen};

bool isNumeric(int column)
{
    return column == ConnectionsModel::Bills || column == ConnectionsModel::QueuedBytes ||
           column == ConnectionsModel::MessagesIn || column == ConnectionsModel::MessagesOut;
}

/// Filters on the identifying columns only, and right-aligns the numbers.
class ConnectionsProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::TextAlignmentRole && isNumeric(index.column()))
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QSortFilterProxyModel::data(index, role);
    }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (role == Qt::TextAlignmentRole && orientation == Qt::Horizontal && isNumeric(section))
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QSortFilterProxyModel::headerData(section, orientation, role);
    }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override
    {
        const QRegularExpression &pattern = filterRegularExpression();
        if (pattern.pattern().isEmpty())
            return true;
        return std::any_of(std::begin(FilteredColumns), std::end(FilteredColumns), [&](int column) {
            const QModelIndex index = sourceModel()->index(sourceRow, column, sourceParent);
            return pattern.match(index.data(Qt::DisplayRole).toString()).hasMatch();
        });
    }
};

QString detailName(int column)
{
    switch (column) {
    case ConnectionsModel::Id:
        return ConnectionsPage::tr("Id:");
    case ConnectionsModel::User:
        return ConnectionsPage::tr("User:");
    case ConnectionsModel::Address:
        return ConnectionsPage::tr("Address:");
    case ConnectionsModel::Transport:
        return ConnectionsPage::tr("Transport:");
    case ConnectionsModel::ConnectedSince:
        return ConnectionsPage::tr("Connected since:");
    case ConnectionsModel::QueuedBytes:
        return ConnectionsPage::tr("Queued for it:");
    case ConnectionsModel::MessagesIn:
        return ConnectionsPage::tr("Messages received:");
    case ConnectionsModel::MessagesOut:
        return ConnectionsPage::tr("Messages sent:");
    case ConnectionsModel::LastSeen:
        return ConnectionsPage::tr("Last activity:");
    default:
        return {};
    }
}

QString detailObjectName(int column)
{
    switch (column) {
    case ConnectionsModel::Id:
        return u"detailId"_s;
    case ConnectionsModel::User:
        return u"detailUser"_s;
    case ConnectionsModel::Address:
        return u"detailAddress"_s;
    case ConnectionsModel::Transport:
        return u"detailTransport"_s;
    case ConnectionsModel::ConnectedSince:
        return u"detailSince"_s;
    case ConnectionsModel::QueuedBytes:
        return u"detailQueued"_s;
    case ConnectionsModel::MessagesIn:
        return u"detailMessagesIn"_s;
    case ConnectionsModel::MessagesOut:
        return u"detailMessagesOut"_s;
    case ConnectionsModel::LastSeen:
        return u"detailLastSeen"_s;
    default:
        return {};
    }
}

} // namespace

ConnectionsPage::ConnectionsPage(ConsoleSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_proxy(new ConnectionsProxy(this)), m_view(new QTableView(this)),
      m_filter(new QLineEdit(this)), m_count(new QLabel(this)), m_disconnect(new QPushButton(tr("Disconnect"), this)),
      m_status(new QLabel(this)), m_details(new QGroupBox(tr("Selected connection"), this)),
      m_detailsHint(new QLabel(tr("Select a connection to see its details and the bills it follows."), this)),
      m_detailBills(new QListWidget(this))
{
    m_proxy->setSourceModel(session->connectionsModel());
    m_proxy->setSortRole(ConnectionsModel::SortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);

    m_filter->setObjectName(u"filter"_s);
    m_filter->setPlaceholderText(tr("Filter by id, user, address or transport"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text.trimmed());
        refreshCount();
    });
    m_count->setObjectName(u"count"_s);
    m_disconnect->setObjectName(u"disconnect"_s);
    m_disconnect->setToolTip(tr("Close the selected connections (code 4503). Their clients may reconnect."));
    connect(m_disconnect, &QPushButton::clicked, this, [this] { disconnectSelected(); });

    m_view->setObjectName(u"connectionsView"_s);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ConnectionsModel::ConnectedSince, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    // Wide enough for typical contents and for the header's text (which a translation may make longer).
    const QList<std::pair<int, QString>> samples{
        {ConnectionsModel::Id, u"abcdefg-0-000"_s},        {ConnectionsModel::User, u"user-name-00"_s},
        {ConnectionsModel::Address, u"255.255.255.255"_s}, {ConnectionsModel::Transport, u"socket.io"_s},
        {ConnectionsModel::ConnectedSince, u"00:00:00"_s}, {ConnectionsModel::Bills, u"0000"_s},
        {ConnectionsModel::QueuedBytes, u"000.0 KB"_s},    {ConnectionsModel::MessagesIn, u"000,000"_s},
        {ConnectionsModel::MessagesOut, u"000,000"_s}};
    for (const auto &[column, sample] : samples) {
        m_view->setColumnWidth(column, std::max(m_view->fontMetrics().horizontalAdvance(sample) + 16,
                                                m_view->horizontalHeader()->sectionSizeHint(column)));
    }
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, &ConnectionsPage::showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        refreshDetails();
        refreshActions();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &ConnectionsPage::refreshDetails);

    // The details pane: the fields of the selected connection, then the bills it follows.
    m_details->setObjectName(u"details"_s);
    auto *fields = new QWidget(m_details);
    auto *form = new QFormLayout(fields);
    form->setContentsMargins(0, 0, 0, 0);
    form->setLabelAlignment(Qt::AlignRight);
    for (int column : DetailColumns) {
        auto *value = new QLabel(fields);
        value->setObjectName(detailObjectName(column));
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        form->addRow(detailName(column), value);
        m_detailValues.append(value);
    }
    m_detailBills->setObjectName(u"detailBills"_s);
    m_detailBills->setAlternatingRowColors(true);
    form->addRow(new QLabel(tr("Bills followed:"), fields));
    form->addRow(m_detailBills);
    m_detailsHint->setWordWrap(true);
    m_detailsHint->setAlignment(Qt::AlignCenter);
    m_detailsHint->setForegroundRole(QPalette::PlaceholderText);
    m_detailsStack = new QStackedWidget(m_details);
    m_detailsStack->addWidget(m_detailsHint);
    m_detailsStack->addWidget(fields);
    auto *detailsLayout = new QVBoxLayout(m_details);
    detailsLayout->addWidget(m_detailsStack);
    m_details->setMinimumWidth(260);

    m_status->setObjectName(u"status"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addSpacing(12);
    top->addWidget(m_count);
    top->addSpacing(12);
    top->addWidget(m_disconnect);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 1);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({840, 260});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_status);

    // The model merges each push in place; the count and the selected connection's fields follow it.
    connect(session, &ConsoleSession::updated, this, [this] {
        refreshCount();
        refreshDetails();
        refreshActions();
    });
    connect(session, &ConsoleSession::commandFinished, this, &ConnectionsPage::onCommandFinished);
    connect(session, &ConsoleSession::connectionStateChanged, this, [this] {
        // Answers to commands of a session that ended never come.
        if (m_session->connectionState() == ControlClient::State::Disconnected)
            m_pending.clear();
        refreshActions();
    });
    refreshCount();
    refreshDetails();
    refreshActions();
}

QStringList ConnectionsPage::selectedIds() const
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &left, const QModelIndex &right) { return left.row() < right.row(); });
    QStringList ids;
    ids.reserve(rows.size());
    for (const QModelIndex &row : std::as_const(rows))
        ids.append(row.data(ConnectionsModel::IdRole).toString());
    return ids;
}

int ConnectionsPage::disconnectSelected(bool confirm)
{
    const QStringList ids = selectedIds();
    if (ids.isEmpty())
        return 0;
    if (confirm) {
        const QString question =
            ids.size() == 1
                ? tr("Disconnect connection %1 of user %2?")
                      .arg(ids.constFirst(),
                           m_view->selectionModel()->selectedRows(ConnectionsModel::User).value(0).data().toString())
                : tr("Disconnect the %n selected connections?", nullptr, int(ids.size()));
        const QMessageBox::StandardButton answer = QMessageBox::question(
            this, tr("Disconnect"),
            question + u"\n\n"_s + tr("The service closes them with code 4503; their clients may reconnect."),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return 0;
    }
    int sent = 0;
    for (const QString &id : ids) {
        const QJsonValue commandId = m_session->disconnectConnection(id);
        if (commandId.isUndefined()) {
            showStatus(tr("Not connected to a service: nothing was sent."), true);
            break;
        }
        m_pending.append({commandId, id});
        ++sent;
    }
    if (sent == 1)
        showStatus(tr("Closing connection %1...").arg(ids.constFirst()), false);
    else if (sent > 1)
        showStatus(tr("Closing %n connections...", nullptr, sent), false);
    return sent;
}

void ConnectionsPage::onCommandFinished(const QJsonValue &id, bool ok, const QJsonObject &resultOrError)
{
    const auto it = std::find_if(m_pending.begin(), m_pending.end(),
                                 [&id](const Pending &pending) { return pending.commandId == id; });
    if (it == m_pending.end())
        return;
    const QString connectionId = it->connectionId;
    m_pending.erase(it);
    if (ok) {
        showStatus(tr("Connection %1 was closed.").arg(connectionId), false);
        return;
    }
    const QString code = resultOrError.value("code"_L1).toString();
    const QString message = resultOrError.value("message"_L1).toString();
    showStatus(code == "not_found"_L1 ? tr("Connection %1 had already gone.").arg(connectionId)
                                      : tr("Could not close connection %1: %2 (%3)").arg(connectionId, message, code),
               true);
}

void ConnectionsPage::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"color: #c62828;"_s : QString());
}

void ConnectionsPage::refreshCount()
{
    const int total = m_proxy->sourceModel()->rowCount();
    m_count->setText(tr("%1 of %n connections", nullptr, total).arg(m_proxy->rowCount()));
}

void ConnectionsPage::refreshActions()
{
    m_disconnect->setEnabled(m_view->selectionModel()->hasSelection() &&
                             m_session->connectionState() == ControlClient::State::Live);
}

void ConnectionsPage::refreshDetails()
{
    // The current row when it is selected, else the first selected one.
    QModelIndex row = m_view->selectionModel()->currentIndex();
    if (!row.isValid() || !m_view->selectionModel()->isRowSelected(row.row(), row.parent())) {
        const QModelIndexList rows = m_view->selectionModel()->selectedRows();
        row = rows.isEmpty() ? QModelIndex() : rows.constFirst();
    }
    if (!row.isValid()) {
        m_detailsStack->setCurrentIndex(0);
        m_detailBills->clear();
        return;
    }
    m_detailsStack->setCurrentIndex(1);
    for (qsizetype i = 0; i < m_detailValues.size(); ++i) {
        const int column = DetailColumns[i];
        const QModelIndex cell = row.siblingAtColumn(column);
        QString text;
        if (column == ConnectionsModel::ConnectedSince || column == ConnectionsModel::LastSeen) {
            // To the second: the milliseconds of displayDateTime() would only widen the pane.
            const qint64 ms = cell.data(ConnectionsModel::SortRole).toLongLong();
            text = ms == 0 ? QString() : QDateTime::fromMSecsSinceEpoch(ms).toString(u"yyyy-MM-dd hh:mm:ss"_s);
        } else {
            text = cell.data(Qt::DisplayRole).toString();
        }
        m_detailValues.at(i)->setText(text.isEmpty() ? u"-"_s : text);
    }
    const QVariantList bills = row.data(ConnectionsModel::BillsRole).toList();
    QList<qint64> sorted;
    sorted.reserve(bills.size());
    for (const QVariant &bill : bills)
        sorted.append(bill.toLongLong());
    std::sort(sorted.begin(), sorted.end());
    QStringList texts;
    texts.reserve(sorted.size());
    for (qint64 bill : std::as_const(sorted))
        texts.append(tr("Bill %1").arg(bill));
    // Rebuilt only when it differs, so that a push does not reset the list's own selection and scroll.
    QStringList shown;
    shown.reserve(m_detailBills->count());
    for (int i = 0; i < m_detailBills->count(); ++i)
        shown.append(m_detailBills->item(i)->text());
    if (shown != texts) {
        m_detailBills->clear();
        m_detailBills->addItems(texts);
    }
}

void ConnectionsPage::showContextMenu(const QPoint &position)
{
    const QModelIndex clicked = m_view->indexAt(position);
    if (!clicked.isValid())
        return;
    if (!m_view->selectionModel()->isRowSelected(clicked.row(), {}))
        m_view->selectionModel()->select(clicked, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QMenu menu(this);
    QAction *disconnectAction = menu.addAction(tr("&Disconnect..."), this, [this] { disconnectSelected(); });
    disconnectAction->setEnabled(m_disconnect->isEnabled());
    menu.addSeparator();
    const QString id = clicked.data(ConnectionsModel::IdRole).toString();
    const QString user = clicked.siblingAtColumn(ConnectionsModel::User).data().toString();
    menu.addAction(tr("Copy &id"), this, [id] { QApplication::clipboard()->setText(id); });
    menu.addAction(tr("Copy &user"), this, [user] { QApplication::clipboard()->setText(user); });
    menu.exec(m_view->viewport()->mapToGlobal(position));
}

} // namespace wsinfra
