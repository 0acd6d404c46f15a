#pragma once

#include <QColor>
#include <QWidget>

class QDateTimeAxis;
class QGridLayout;
class QLabel;
class QLineSeries;
class QListWidget;
class QValueAxis;

namespace wsinfra {

class ConsoleSession;

/// The console's Overview page: the node's health at a glance (a coloured badge with the status, the
/// health check's errors and warnings), a grid of key figures (connections, users, message rates,
/// latency, uptime, nodes, memory, degradation) and two small trend charts of the last five minutes.
/// Everything is read from the session's state after each push.
///
/// Object names for tests: "healthBadge", "healthErrors", "healthWarnings" (QListWidget), the value
/// labels "activeConnections", "uniqueUsers", "peakConnections", "messagesInRate", "messagesOutRate",
/// "latencyP50", "latencyP99", "uptime", "nodes", "memoryLevel", "degradationStep", "totalConnections",
/// and the charts "connectionsChart", "messagesChart" (ChartView; series "connections", "messagesIn",
/// "messagesOut").
class OverviewPage : public QWidget
{
    Q_OBJECT

public:
    explicit OverviewPage(ConsoleSession *session, QWidget *parent = nullptr);

    /// "2 d 3 h", "5 min 12 s", "12 s": a duration in ms as an operator reads it (translated).
    static QString displayUptime(qint64 ms);

private:
    QLabel *addFigure(QGridLayout *grid, int row, int column, const QString &caption, const QString &objectName);
    void refresh();
    void refreshHealth();
    void refreshFigures();
    void refreshCharts();

    ConsoleSession *m_session;
    QLabel *m_badge;
    QListWidget *m_errors;
    QListWidget *m_warnings;
    QLabel *m_activeConnections;
    QLabel *m_uniqueUsers;
    QLabel *m_peakConnections;
    QLabel *m_totalConnections;
    QLabel *m_messagesIn;
    QLabel *m_messagesOut;
    QLabel *m_latencyP50;
    QLabel *m_latencyP99;
    QLabel *m_uptime;
    QLabel *m_nodes;
    QLabel *m_memoryLevel;
    QLabel *m_degradation;
    QLineSeries *m_connectionsSeries;
    QLineSeries *m_inSeries;
    QLineSeries *m_outSeries;
    QDateTimeAxis *m_connectionsTime;
    QValueAxis *m_connectionsAxis;
    QDateTimeAxis *m_messagesTime;
    QValueAxis *m_messagesAxis;
    QColor m_badgeColour;       ///< the badge's colour now: its style sheet is only set again when it changes
    qint64 m_lastChartAtMs = 0; ///< the time of the newest point in the trend charts
};

} // namespace wsinfra
