#pragma once

#include "consolestate.h"

#include <QJsonValue>
#include <QList>
#include <QPointF>
#include <QWidget>

#include <array>

class QAreaSeries;
class QChart;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QPushButton;
class QScatterSeries;
class QValueAxis;

namespace wsinfra {

class ConsoleSession;

/// The console's Memory page: one chart of the memory pressure (% of the budget, left axis) and the
/// resident size (MB, right axis) over a chosen window, with the service's three thresholds as dashed
/// lines over shaded bands and a marker wherever the memory level changed; the current figures; and
/// "Analyse now", which asks the service for a leak report and sums it up.
///
/// The chart follows the session's series incrementally: each push appends its point, and the series is
/// only rebuilt when the window changes or the series starts again (another service).
///
/// Object names for tests: "window" (QComboBox: 5 minutes, 1 hour, All), "memoryChart" (ChartView) with
/// the series "pressure", "rss", "warningThreshold", "criticalThreshold", "emergencyThreshold",
/// "warningBand", "criticalBand", "emergencyBand", and "becameNormal", "becameWarning", "becameCritical",
/// "becameEmergency" (QScatterSeries, where the level changed to that one); the labels "currentRss", "budget",
/// "percent", "level", "analysisSummary"; the button "analyseNow".
class MemoryPage : public QWidget
{
    Q_OBJECT

public:
    explicit MemoryPage(ConsoleSession *session, QWidget *parent = nullptr);

private:
    enum Threshold { Warning, Critical, Emergency, ThresholdCount };

    void refresh();
    void refreshFigures();
    void readThresholds();
    /// The chart's points for series[first..], in the chart's units (ms, %, MB), with the level changes
    /// by the level entered; raises m_maxPercent and m_maxRssMb to what they hold.
    struct Points
    {
        QList<QPointF> pressure;
        QList<QPointF> rss;
        std::array<QList<QPointF>, 4> changes;
    };
    Points pointsFrom(const CircularBuffer<ConsoleState::Point> &series, qsizetype first);
    /// Appends the points the chart does not have yet and drops those that left the window.
    void appendNewPoints();
    /// Fills the chart again from the session's series, for the window chosen.
    void rebuild();
    void fitAxes();
    /// The time before which points are not shown (0: all of them).
    qint64 windowStartMs() const;
    void showAnalysis();
    void showLevelChange(const QPointF &point, bool hovered);

    ConsoleSession *m_session;
    QComboBox *m_window;
    QChart *m_chart;
    QDateTimeAxis *m_timeAxis;
    QValueAxis *m_percentAxis;
    QValueAxis *m_rssAxis;
    QLineSeries *m_pressure;
    QLineSeries *m_rss;
    /// Where the memory level changed, one series per level reached (normal, warning, critical, emergency).
    std::array<QScatterSeries *, 4> m_levelChanges{};
    std::array<QLineSeries *, ThresholdCount> m_thresholdLines{};
    std::array<QLineSeries *, ThresholdCount> m_bandTops{};
    std::array<QAreaSeries *, ThresholdCount> m_bands{};
    std::array<double, ThresholdCount> m_thresholds{70.0, 85.0, 95.0};
    QLabel *m_currentRss;
    QLabel *m_budget;
    QLabel *m_percent;
    QLabel *m_level;
    QPushButton *m_analyseNow;
    QLabel *m_analysisSummary;
    QJsonValue m_pendingAnalysis; ///< the id of the analyse command this page sent, until its answer
    qint64 m_lastAtMs = 0;        ///< the time of the newest point in the chart (0: none)
    double m_maxPercent = 0.0;
    double m_maxRssMb = 0.0;
    // What the threshold lines and bands were last laid out for.
    std::array<double, ThresholdCount> m_drawnThresholds{};
    double m_drawnTop = 0.0;
    qint64 m_thresholdsFromMs = 0;
    qint64 m_thresholdsToMs = 0;
};

} // namespace wsinfra
