#pragma once

#include <QList>
#include <QWidget>

#include <utility>

class QBarCategoryAxis;
class QBarSet;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSortFilterProxyModel;
class QTableView;
class QValueAxis;

namespace wsinfra {

class ChartView;
class ConsoleSession;

/// The console's Subscriptions page: which bills are followed and by whom. A sortable table of the
/// subscribed bills with their subscriber counts, a search by bill id (digits) or by user (any other text),
/// the followers of the selected bill, and a bar chart of the ten most-followed bills. The table follows the
/// session's SubscriptionsModel, merged in place on each push; the chart is redrawn only when its ten bills
/// or their counts change.
class SubscriptionsPage : public QWidget
{
    Q_OBJECT

public:
    explicit SubscriptionsPage(ConsoleSession *session, QWidget *parent = nullptr);

    /// The bills the chart shows, most-followed first, as (bill id, subscriber count).
    const QList<std::pair<qint64, qint64>> &topBills() const { return m_top; }

private:
    void refreshSummary();
    void refreshUsers();
    void refreshChart();

    ConsoleSession *m_session;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QLineEdit *m_search;
    QLabel *m_summary;
    QGroupBox *m_usersBox;
    QListWidget *m_users;
    ChartView *m_chart;
    QBarSet *m_barSet;
    QBarCategoryAxis *m_billAxis;
    QValueAxis *m_countAxis;
    QList<std::pair<qint64, qint64>> m_top;
};

} // namespace wsinfra
