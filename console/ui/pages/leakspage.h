#pragma once

#include <QJsonObject>
#include <QWidget>

class QLabel;
class QListWidget;
class QStackedWidget;
class QTabWidget;
class QTableWidget;

namespace wsinfra {

class ConsoleSession;

/// The console's Leaks page: on the left the history of the session's leak reports (newest first: time,
/// orphans, growing series), on the right the selected report in full: the process figures, the orphaned
/// entries, the series that grow (growth, slope per minute, confidence), the per-structure memory
/// estimates with their total, and the report's warnings. A new report is selected when it arrives if the
/// newest one was; an older selection stays.
///
/// Object names for tests: "history" (QListWidget; Qt::UserRole holds the report's time in ms),
/// "reportSummary", "processFigures", "estimatesTotal" (QLabel), "orphans", "growth", "estimates"
/// (QTableWidget), "warnings" (QListWidget), "reportTabs" (QTabWidget).
class LeaksPage : public QWidget
{
    Q_OBJECT

public:
    explicit LeaksPage(ConsoleSession *session, QWidget *parent = nullptr);

private:
    /// Lists the session's reports again, keeping the selection (or following the newest).
    void refreshHistory();
    void showSelected();
    void showReport(const QJsonObject &report, qint64 atMs);
    void fillOrphans(const QJsonObject &analysis);
    void fillGrowth(const QJsonObject &analysis);
    void fillEstimates(const QJsonObject &service);
    void fillWarnings(const QJsonObject &analysis);

    ConsoleSession *m_session;
    QListWidget *m_history;
    QStackedWidget *m_detail; ///< the placeholder until a report is selected, then the report
    QLabel *m_title;
    QLabel *m_summary;
    QLabel *m_process;
    QTabWidget *m_tabs;
    QTableWidget *m_orphans;
    QTableWidget *m_growth;
    QTableWidget *m_estimates;
    QLabel *m_estimatesTotal;
    QListWidget *m_warnings;
};

} // namespace wsinfra
