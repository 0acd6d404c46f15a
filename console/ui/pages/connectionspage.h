#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace wsinfra {

class ConsoleSession;

/// The console's Connections page: the node's connections as a live table (sortable, filtered by id, user,
/// address or transport), a details pane for the selected connection with the bills it follows, and
/// "Disconnect" for the selected connections, from a button or the context menu. The table follows the
/// session's ConnectionsModel, which merges each push in place, so selection and scroll survive updates.
class ConnectionsPage : public QWidget
{
    Q_OBJECT

public:
    explicit ConnectionsPage(ConsoleSession *session, QWidget *parent = nullptr);

    /// The ids of the selected connections, in the table's order.
    QStringList selectedIds() const;
    /// Asks the service to close the selected connections (code 4503), after a confirmation when `confirm`.
    /// Returns how many disconnect commands were sent; the answers show in the status line.
    int disconnectSelected(bool confirm = true);

private:
    struct Pending
    {
        QJsonValue commandId;
        QString connectionId;
    };

    void refreshCount();
    void refreshDetails();
    void refreshActions();
    void showContextMenu(const QPoint &position);
    void onCommandFinished(const QJsonValue &id, bool ok, const QJsonObject &resultOrError);
    void showStatus(const QString &text, bool error);

    ConsoleSession *m_session;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QLineEdit *m_filter;
    QLabel *m_count;
    QPushButton *m_disconnect;
    QLabel *m_status;
    QWidget *m_details;
    QLabel *m_detailsHint;
    QStackedWidget *m_detailsStack = nullptr; ///< the hint, or the fields of the selected connection
    QList<QLabel *> m_detailValues;           ///< one per ConnectionsModel column but Bills
    QListWidget *m_detailBills;
    QList<Pending> m_pending; ///< disconnect commands not answered yet
};

} // namespace wsinfra
