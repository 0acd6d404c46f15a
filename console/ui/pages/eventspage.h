#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace wsinfra {

class ConsoleSession;

/// The console's Events page: the service's event log, live, one row per event coloured by its level, with
/// a level filter (all, warnings and errors, errors) and a text filter on category and message. The view
/// follows the newest event unless the operator scrolled away from it or paused it.
class EventsPage : public QWidget
{
    Q_OBJECT

public:
    /// The entries of the level filter, in order.
    enum LevelFilter { AllLevels, WarningsAndErrors, ErrorsOnly };

    explicit EventsPage(ConsoleSession *session, QWidget *parent = nullptr);

    /// Whether new events scroll the view to them: not paused, and the view shows the newest end.
    bool isFollowing() const;

private:
    bool atNewestEnd() const;
    void scrollToNewest();
    void refreshCount();

    ConsoleSession *m_session;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QComboBox *m_level;
    QLineEdit *m_filter;
    QPushButton *m_pause;
    QLabel *m_count;
    bool m_followOnInsert = false; ///< the view showed the newest end when rows started to come in
};

} // namespace wsinfra
