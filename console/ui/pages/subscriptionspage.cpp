#include "ui/pages/subscriptionspage.h"

#include "consolesession.h"
#include "models/subscriptionsmodel.h"
#include "ui/chartview.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr qsizetype TopCount = 10;

/// The search of the bills table: digits look for a bill id (containing them) or a user of exactly that name,
/// since user ids may be numbers too; any other text looks for the bills a matching user follows
/// (case-insensitive, part of the name). Also right-aligns the numbers.
class BillFilterProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setSearch(const QString &text)
    {
        const QString search = text.trimmed();
        if (search == m_search)
            return;
        m_search = search;
        m_digits = !search.isEmpty() &&
                   std::all_of(search.cbegin(), search.cend(), [](QChar c) { return c >= u'0' && c <= u'9'; });
        invalidateFilter();
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::TextAlignmentRole && index.column() != SubscriptionsModel::Users)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QSortFilterProxyModel::data(index, role);
    }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override
    {
        if (m_search.isEmpty())
            return true;
        const QModelIndex row = sourceModel()->index(sourceRow, SubscriptionsModel::BillId, sourceParent);
        const QStringList users = row.data(SubscriptionsModel::UsersRole).toStringList();
        if (m_digits) {
            return QString::number(row.data(SubscriptionsModel::BillIdRole).toLongLong()).contains(m_search) ||
                   users.contains(m_search);
        }
        return std::any_of(users.cbegin(), users.cend(),
                           [this](const QString &user) { return user.contains(m_search, Qt::CaseInsensitive); });
    }

private:
    QString m_search;
    bool m_digits = false;
};

} // namespace

SubscriptionsPage::SubscriptionsPage(ConsoleSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_proxy(new BillFilterProxy(this)), m_view(new QTableView(this)),
      m_search(new QLineEdit(this)), m_summary(new QLabel(this)), m_usersBox(new QGroupBox(this)),
      m_users(new QListWidget(m_usersBox)), m_chart(new ChartView(new QChart, this)),
      m_barSet(new QBarSet(tr("Subscribers"))), m_billAxis(new QBarCategoryAxis), m_countAxis(new QValueAxis)
{
    m_proxy->setSourceModel(session->subscriptionsModel());
    m_proxy->setSortRole(SubscriptionsModel::SortRole);

    m_search->setObjectName(u"search"_s);
    m_search->setPlaceholderText(tr("Search a bill id, or a user"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        static_cast<BillFilterProxy *>(m_proxy)->setSearch(text);
        refreshSummary();
        refreshUsers();
    });
    m_summary->setObjectName(u"summary"_s);

    m_view->setObjectName(u"billsView"_s);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(SubscriptionsModel::Subscribers, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_view->setColumnWidth(SubscriptionsModel::BillId, 90);
    m_view->setColumnWidth(SubscriptionsModel::Subscribers, 100);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &SubscriptionsPage::refreshUsers);

    // Drill-down: the users of the selected bill; a double-click on one searches the bills it follows.
    m_users->setObjectName(u"users"_s);
    m_users->setAlternatingRowColors(true);
    m_users->setSortingEnabled(true);
    m_users->setToolTip(tr("Double-click a user to see every bill it follows."));
    connect(m_users, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { m_search->setText(item->text()); });
    auto *usersLayout = new QVBoxLayout(m_usersBox);
    usersLayout->addWidget(m_users);
    m_usersBox->setMinimumWidth(220);

    QChart *chart = m_chart->chart();
    chart->setTitle(tr("Most-followed bills"));
    chart->legend()->hide();
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_barSet->setColor(QColor(0x1e, 0x88, 0xe5));
    m_barSet->setBorderColor(QColor(0x15, 0x65, 0xc0));
    m_barSet->setLabelColor(palette().color(QPalette::WindowText));
    auto *series = new QHorizontalBarSeries;
    series->append(m_barSet);
    series->setLabelsVisible(true);
    series->setLabelsPosition(QAbstractBarSeries::LabelsInsideEnd);
    series->setBarWidth(0.7);
    chart->addSeries(series);
    m_billAxis->setTitleText(tr("Bill"));
    m_countAxis->setTitleText(tr("Subscribers"));
    m_countAxis->setLabelFormat(u"%.0f"_s);
    chart->addAxis(m_billAxis, Qt::AlignLeft);
    chart->addAxis(m_countAxis, Qt::AlignBottom);
    series->attachAxis(m_billAxis);
    series->attachAxis(m_countAxis);
    m_chart->setObjectName(u"topChart"_s);
    m_chart->setMinimumHeight(220);

    auto *top = new QHBoxLayout;
    top->addWidget(m_search, 1);
    top->addSpacing(12);
    top->addWidget(m_summary);

    auto *tables = new QSplitter(Qt::Horizontal, this);
    tables->addWidget(m_view);
    tables->addWidget(m_usersBox);
    tables->setStretchFactor(0, 1);
    tables->setChildrenCollapsible(false);
    tables->setSizes({700, 260});
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(tables);
    split->addWidget(m_chart);
    split->setChildrenCollapsible(false);
    split->setSizes({380, 320});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    connect(session, &ConsoleSession::updated, this, [this] {
        refreshSummary();
        refreshUsers();
        refreshChart();
    });
    refreshSummary();
    refreshUsers();
    refreshChart();
}

void SubscriptionsPage::refreshSummary()
{
    const QMap<qint64, QStringList> &subscriptions = m_session->state().subscriptions();
    qint64 followers = 0;
    for (const QStringList &users : subscriptions)
        followers += users.size();
    const int bills = m_proxy->sourceModel()->rowCount();
    m_summary->setText(m_search->text().trimmed().isEmpty()
                           ? tr("%n bills followed, %1 subscriptions in all", nullptr, bills).arg(followers)
                           : tr("%1 of %n bills match", nullptr, bills).arg(m_proxy->rowCount()));
}

void SubscriptionsPage::refreshUsers()
{
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    if (selected.isEmpty()) {
        m_usersBox->setTitle(tr("Followers (select a bill)"));
        m_users->clear();
        return;
    }
    const QModelIndex row = selected.constFirst();
    QStringList users = row.data(SubscriptionsModel::UsersRole).toStringList();
    users.sort();
    m_usersBox->setTitle(
        tr("Followers of bill %1 (%2)").arg(row.data(SubscriptionsModel::BillIdRole).toLongLong()).arg(users.size()));
    // Rebuilt only when it differs, so that a push does not lose the list's selection and scroll.
    QStringList shown;
    shown.reserve(m_users->count());
    for (int i = 0; i < m_users->count(); ++i)
        shown.append(m_users->item(i)->text());
    if (shown != users) {
        m_users->clear();
        m_users->addItems(users);
    }
}

void SubscriptionsPage::refreshChart()
{
    const QMap<qint64, QStringList> &subscriptions = m_session->state().subscriptions();
    QList<std::pair<qint64, qint64>> bills;
    bills.reserve(subscriptions.size());
    for (auto it = subscriptions.cbegin(); it != subscriptions.cend(); ++it)
        bills.append({it.key(), it.value().size()});
    // Most followers first; among equals the lower bill id, so that the order is stable between pushes.
    const auto first = [](const std::pair<qint64, qint64> &left, const std::pair<qint64, qint64> &right) {
        return left.second != right.second ? left.second > right.second : left.first < right.first;
    };
    const qsizetype shown = std::min(TopCount, bills.size());
    std::partial_sort(bills.begin(), bills.begin() + shown, bills.end(), first);
    bills.resize(shown);
    if (bills == m_top && m_barSet->count() == shown)
        return;
    m_top = bills;

    // A horizontal bar chart draws its first category at the bottom: the most-followed go last, to be on top.
    QStringList categories;
    QList<qreal> values;
    for (auto it = m_top.crbegin(); it != m_top.crend(); ++it) {
        categories.append(QString::number(it->first));
        values.append(qreal(it->second));
    }
    m_barSet->remove(0, m_barSet->count());
    m_barSet->append(values);
    m_billAxis->setCategories(categories);
    const qint64 most = m_top.isEmpty() ? 0 : m_top.constFirst().second;
    if (most <= 8) {
        // Whole numbers only: one tick per subscriber.
        m_countAxis->setRange(0, qreal(std::max<qint64>(most, 1)));
        m_countAxis->setTickCount(int(std::max<qint64>(most, 1)) + 1);
    } else {
        m_countAxis->setRange(0, qreal(most));
        m_countAxis->setTickCount(5);
        m_countAxis->applyNiceNumbers();
    }
    m_chart->chart()->setTitle(m_top.isEmpty() ? tr("Most-followed bills: no subscriptions yet")
                                               : tr("Most-followed bills"));
}

} // namespace wsinfra
