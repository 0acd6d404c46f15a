#include "ui/pages/overviewpage.h"

#include "ui/chartsupport.h"

#include "consolesession.h"
#include "models/modelsupport.h"
#include "ui/chartview.h"

#include <QChart>
#include <QDateTimeAxis>
#include <QFrame>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QListWidget>
#include <QLocale>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr qint64 TrendWindowMs = 5 * 60 * 1000;

// What each degradation step does (docs: 0 none, 1 caches shrunk, 2 delivery throttled, 3 connections shed).
QString stepText(qint64 step)
{
    switch (step) {
    case 0:
        return OverviewPage::tr("None");
    case 1:
        return OverviewPage::tr("Caches shrunk");
    case 2:
        return OverviewPage::tr("Delivery throttled");
    case 3:
        return OverviewPage::tr("Connections shed");
    default:
        return OverviewPage::tr("Step %1").arg(step);
    }
}

void setColoured(QLabel *label, const QString &text, const QColor &colour)
{
    label->setText(text);
    setTextColour(label, colour);
}

// Messages a second between two points of the series; 0 when time did not advance or the count went down
// (the service restarted).
double ratePerSecond(qint64 countBefore, qint64 countAfter, qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs || countAfter < countBefore)
        return 0.0;
    return double(countAfter - countBefore) * 1000.0 / double(toMs - fromMs);
}

QChart *trendChart(const QString &title)
{
    auto *chart = new QChart();
    chart->setTitle(title);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setBackgroundRoundness(4);
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

QDateTimeAxis *timeAxis(QChart *chart)
{
    auto *axis = new QDateTimeAxis();
    axis->setFormat(u"hh:mm"_s);
    axis->setTickCount(6);
    chart->addAxis(axis, Qt::AlignBottom);
    return axis;
}

QValueAxis *countAxis(QChart *chart)
{
    auto *axis = new QValueAxis();
    axis->setLabelFormat(u"%g"_s);
    axis->setRange(0, 5);
    axis->setTickCount(6);
    chart->addAxis(axis, Qt::AlignLeft);
    return axis;
}

QLineSeries *trendSeries(QChart *chart, const QString &name, const QString &objectName, const QColor &colour,
                         QDateTimeAxis *x, QValueAxis *y)
{
    auto *series = new QLineSeries();
    series->setName(name);
    series->setObjectName(objectName);
    QPen pen(colour);
    pen.setWidthF(2.0);
    series->setPen(pen);
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
    return series;
}

void fitAxes(QDateTimeAxis *time, QValueAxis *values, qint64 newestMs, double max)
{
    const qint64 newest = newestMs > 0 ? newestMs : QDateTime::currentMSecsSinceEpoch();
    time->setRange(QDateTime::fromMSecsSinceEpoch(newest - TrendWindowMs), QDateTime::fromMSecsSinceEpoch(newest));
    if (const double top = niceTop(std::max(5.0, max * 1.1)); values->max() != top) {
        values->setRange(0, top);
        values->setTickCount(tickCountFor(top));
    }
}

} // namespace

OverviewPage::OverviewPage(ConsoleSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_badge(new QLabel(this)), m_errors(new QListWidget(this)),
      m_warnings(new QListWidget(this))
{
    // Health: the badge and the two lists of what the health check found.
    auto *healthBox = new QGroupBox(tr("Health"), this);
    auto *healthLayout = new QHBoxLayout(healthBox);
    m_badge->setObjectName(u"healthBadge"_s);
    m_badge->setAlignment(Qt::AlignCenter);
    m_badge->setMinimumSize(220, 84);
    QFont badgeFont = m_badge->font();
    badgeFont.setPointSizeF(badgeFont.pointSizeF() * 2.0);
    badgeFont.setBold(true);
    m_badge->setFont(badgeFont);
    healthLayout->addWidget(m_badge);
    const auto addProblems = [healthBox, healthLayout](QListWidget *list, const QString &title,
                                                       const QString &objectName) {
        auto *column = new QVBoxLayout();
        auto *caption = new QLabel(title, healthBox);
        QFont font = caption->font();
        font.setBold(true);
        caption->setFont(font);
        column->addWidget(caption);
        list->setObjectName(objectName);
        list->setMaximumHeight(72);
        list->setWordWrap(true);
        list->setSelectionMode(QAbstractItemView::NoSelection);
        list->setFocusPolicy(Qt::NoFocus);
        column->addWidget(list);
        healthLayout->addLayout(column, 1);
    };
    addProblems(m_errors, tr("Errors"), u"healthErrors"_s);
    addProblems(m_warnings, tr("Warnings"), u"healthWarnings"_s);

    // Key figures, four to a row.
    auto *figuresBox = new QGroupBox(tr("Key figures"), this);
    auto *grid = new QGridLayout(figuresBox);
    grid->setSpacing(8);
    m_activeConnections = addFigure(grid, 0, 0, tr("Active connections"), u"activeConnections"_s);
    m_uniqueUsers = addFigure(grid, 0, 1, tr("Unique users"), u"uniqueUsers"_s);
    m_peakConnections = addFigure(grid, 0, 2, tr("Peak connections"), u"peakConnections"_s);
    m_totalConnections = addFigure(grid, 0, 3, tr("Connections since start"), u"totalConnections"_s);
    m_messagesIn = addFigure(grid, 1, 0, tr("Messages in"), u"messagesInRate"_s);
    m_messagesOut = addFigure(grid, 1, 1, tr("Messages out"), u"messagesOutRate"_s);
    m_latencyP50 = addFigure(grid, 1, 2, tr("Latency p50"), u"latencyP50"_s);
    m_latencyP99 = addFigure(grid, 1, 3, tr("Latency p99"), u"latencyP99"_s);
    m_uptime = addFigure(grid, 2, 0, tr("Uptime"), u"uptime"_s);
    m_nodes = addFigure(grid, 2, 1, tr("Nodes"), u"nodes"_s);
    m_memoryLevel = addFigure(grid, 2, 2, tr("Memory"), u"memoryLevel"_s);
    m_degradation = addFigure(grid, 2, 3, tr("Degradation"), u"degradationStep"_s);

    // Trends of the last five minutes.
    QChart *connectionsChart = trendChart(tr("Connections, last 5 minutes"));
    m_connectionsTime = timeAxis(connectionsChart);
    m_connectionsAxis = countAxis(connectionsChart);
    m_connectionsSeries = trendSeries(connectionsChart, tr("Active connections"), u"connections"_s,
                                      QColor(0x15, 0x65, 0xc0), m_connectionsTime, m_connectionsAxis);
    connectionsChart->legend()->hide();
    auto *connectionsView = new ChartView(connectionsChart, this);
    connectionsView->setObjectName(u"connectionsChart"_s);
    connectionsView->setMinimumHeight(200);

    QChart *messagesChart = trendChart(tr("Messages per second, last 5 minutes"));
    m_messagesTime = timeAxis(messagesChart);
    m_messagesAxis = countAxis(messagesChart);
    m_inSeries =
        trendSeries(messagesChart, tr("In"), u"messagesIn"_s, QColor(0x00, 0x83, 0x8f), m_messagesTime, m_messagesAxis);
    m_outSeries = trendSeries(messagesChart, tr("Out"), u"messagesOut"_s, QColor(0x8e, 0x24, 0xaa), m_messagesTime,
                              m_messagesAxis);
    auto *messagesView = new ChartView(messagesChart, this);
    messagesView->setObjectName(u"messagesChart"_s);
    messagesView->setMinimumHeight(200);

    auto *charts = new QHBoxLayout();
    charts->addWidget(connectionsView);
    charts->addWidget(messagesView);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->setSpacing(10);
    layout->addWidget(healthBox);
    layout->addWidget(figuresBox);
    layout->addLayout(charts, 1);

    connect(session, &ConsoleSession::updated, this, &OverviewPage::refresh);
    refresh();
}

QString OverviewPage::displayUptime(qint64 ms)
{
    const qint64 seconds = std::max<qint64>(0, ms / 1000);
    const qint64 days = seconds / 86'400;
    const qint64 hours = seconds % 86'400 / 3600;
    const qint64 minutes = seconds % 3600 / 60;
    const qint64 rest = seconds % 60;
    if (days > 0)
        return tr("%1 d %2 h").arg(days).arg(hours);
    if (hours > 0)
        return tr("%1 h %2 min").arg(hours).arg(minutes);
    if (minutes > 0)
        return tr("%1 min %2 s").arg(minutes).arg(rest);
    return tr("%1 s").arg(rest);
}

QLabel *OverviewPage::addFigure(QGridLayout *grid, int row, int column, const QString &caption,
                                const QString &objectName)
{
    auto *tile = new QFrame(this);
    tile->setObjectName(u"figureTile"_s);
    tile->setStyleSheet(u"QFrame#figureTile { border: 1px solid palette(midlight); border-radius: 6px; "
                        "background: palette(base); }"_s);
    auto *layout = new QVBoxLayout(tile);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->setSpacing(2);
    auto *captionLabel = new QLabel(caption, tile);
    QPalette captionPalette = captionLabel->palette();
    captionPalette.setColor(QPalette::WindowText, captionPalette.color(QPalette::PlaceholderText));
    captionLabel->setPalette(captionPalette);
    auto *value = new QLabel(u"-"_s, tile);
    value->setObjectName(objectName);
    value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont font = value->font();
    font.setPointSizeF(font.pointSizeF() * 1.5);
    font.setBold(true);
    value->setFont(font);
    layout->addWidget(captionLabel);
    layout->addWidget(value);
    grid->addWidget(tile, row, column);
    return value;
}

void OverviewPage::refresh()
{
    refreshHealth();
    refreshFigures();
    refreshCharts();
}

void OverviewPage::refreshHealth()
{
    const ConsoleState &state = m_session->state();
    const QJsonObject health = state.health();
    const QString status = health.value("status"_L1).toString();
    QString text;
    QColor colour = LevelColour::Unknown;
    if (!state.hasSnapshot()) {
        text = tr("No data");
    } else if (status == "healthy"_L1) {
        text = tr("Healthy");
        colour = LevelColour::Normal;
    } else if (status == "degraded"_L1) {
        text = tr("Degraded");
        colour = LevelColour::Warning;
    } else if (status == "unhealthy"_L1) {
        text = tr("Unhealthy");
        colour = LevelColour::Emergency;
    } else {
        text = status.isEmpty() ? tr("Unknown") : status;
    }
    m_badge->setText(text);
    m_badge->setToolTip(health.contains("lastCheck"_L1)
                            ? tr("Last health check: %1").arg(displayDateTime(jsonCount(health.value("lastCheck"_L1))))
                            : QString());
    if (colour != m_badgeColour) {
        m_badgeColour = colour;
        m_badge->setStyleSheet(
            u"QLabel { color: white; background: %1; border-radius: 10px; padding: 8px 24px; }"_s.arg(colour.name()));
    }

    const auto fill = [](QListWidget *list, const QJsonValue &value, const QColor &colour, const QString &none) {
        QStringList lines;
        const QJsonArray items = value.toArray();
        for (const QJsonValue &item : items) {
            if (item.isString() && !item.toString().isEmpty())
                lines.append(item.toString());
        }
        QStringList shown;
        for (int row = 0; row < list->count(); ++row)
            shown.append(list->item(row)->text());
        if (lines.isEmpty())
            lines.append(none);
        if (shown == lines)
            return; // unchanged: keep the scroll position
        list->clear();
        for (const QString &line : std::as_const(lines)) {
            auto *item = new QListWidgetItem(line, list);
            if (line == none) {
                item->setForeground(list->palette().color(QPalette::PlaceholderText));
                item->setData(Qt::UserRole, true); // the placeholder, not a finding
            } else {
                item->setForeground(colour);
            }
        }
    };
    fill(m_errors, health.value("errors"_L1), LevelColour::Emergency, tr("No errors"));
    fill(m_warnings, health.value("warnings"_L1), LevelColour::Critical, tr("No warnings"));
}

void OverviewPage::refreshFigures()
{
    const ConsoleState &state = m_session->state();
    const QLocale locale;
    if (!state.hasSnapshot()) {
        for (QLabel *label :
             {m_activeConnections, m_uniqueUsers, m_peakConnections, m_totalConnections, m_messagesIn, m_messagesOut,
              m_latencyP50, m_latencyP99, m_uptime, m_nodes, m_memoryLevel, m_degradation})
            setColoured(label, u"-"_s, palette().color(QPalette::WindowText));
        return;
    }
    const QJsonObject stats = state.stats();
    const QJsonObject metrics = state.metrics();
    const auto count = [&locale](const QJsonObject &object, QLatin1StringView field) {
        return object.contains(field) ? locale.toString(jsonCount(object.value(field))) : u"-"_s;
    };
    m_activeConnections->setText(count(stats, "activeConnections"_L1));
    m_uniqueUsers->setText(count(stats, "uniqueUsers"_L1));
    m_peakConnections->setText(count(stats, "peakConnections"_L1));
    m_totalConnections->setText(count(stats, "totalConnections"_L1));

    // Rates from the last two points: the counts are totals since the service started.
    const CircularBuffer<ConsoleState::Point> &series = state.series();
    if (series.size() >= 2) {
        const ConsoleState::Point &before = series.at(series.size() - 2);
        const ConsoleState::Point &after = series.back();
        m_messagesIn->setText(tr("%1 /s").arg(
            locale.toString(ratePerSecond(before.messagesIn, after.messagesIn, before.atMs, after.atMs), 'f', 1)));
        m_messagesOut->setText(tr("%1 /s").arg(
            locale.toString(ratePerSecond(before.messagesOut, after.messagesOut, before.atMs, after.atMs), 'f', 1)));
    } else {
        m_messagesIn->setText(u"-"_s);
        m_messagesOut->setText(u"-"_s);
    }

    const QJsonObject performance = metrics.value("performance"_L1).toObject();
    const auto latency = [&locale](const QJsonValue &value) {
        return value.isDouble() && std::isfinite(value.toDouble())
                   ? tr("%1 ms").arg(locale.toString(value.toDouble(), 'f', 1))
                   : u"-"_s;
    };
    m_latencyP50->setText(latency(performance.value("latencyP50"_L1)));
    m_latencyP99->setText(latency(performance.value("latencyP99"_L1)));

    const QJsonValue uptime =
        stats.contains("uptime"_L1) ? stats.value("uptime"_L1) : state.health().value("uptime"_L1);
    m_uptime->setText(uptime.isDouble() ? displayUptime(jsonCount(uptime)) : u"-"_s);
    if (stats.contains("startTime"_L1))
        m_uptime->setToolTip(tr("Started %1").arg(displayDateTime(jsonCount(stats.value("startTime"_L1)))));

    const QJsonObject cluster = metrics.value("cluster"_L1).toObject();
    if (!cluster.value("enabled"_L1).toBool()) {
        setColoured(m_nodes, tr("1 (single node)"), palette().color(QPalette::WindowText));
    } else if (cluster.value("connected"_L1).toBool()) {
        setColoured(m_nodes, tr("Cluster: connected"), LevelColour::Normal);
    } else {
        setColoured(m_nodes, tr("Cluster: unreachable"), LevelColour::Emergency);
    }

    const QJsonObject memory = metrics.value("memory"_L1).toObject();
    const QString level = memory.value("level"_L1).toString();
    const QJsonValue percent = memory.value("percent"_L1);
    setColoured(m_memoryLevel,
                percent.isDouble()
                    ? tr("%1 (%2 %)").arg(memoryLevelText(level), locale.toString(percent.toDouble(), 'f', 1))
                    : memoryLevelText(level),
                memoryLevelColour(memoryLevelIndex(level)));
    m_memoryLevel->setToolTip(tr("%1 resident of a %2 budget")
                                  .arg(displayBytes(jsonCount(memory.value("rssBytes"_L1))),
                                       displayBytes(jsonCount(memory.value("budgetBytes"_L1)))));

    const QJsonObject degradation = metrics.value("degradation"_L1).toObject();
    if (degradation.contains("step"_L1)) {
        const qint64 step = jsonCount(degradation.value("step"_L1));
        setColoured(m_degradation, stepText(step),
                    step <= 0   ? LevelColour::Normal
                    : step == 1 ? LevelColour::Warning
                    : step == 2 ? LevelColour::Critical
                                : LevelColour::Emergency);
        m_degradation->setToolTip(
            tr("Connections shed so far: %1").arg(locale.toString(jsonCount(degradation.value("shedConnections"_L1)))));
    } else {
        setColoured(m_degradation, u"-"_s, palette().color(QPalette::WindowText));
    }
}

void OverviewPage::refreshCharts()
{
    const CircularBuffer<ConsoleState::Point> &series = m_session->state().series();
    // A series that no longer reaches the charts' newest point belongs to another service: start again.
    if (series.isEmpty() || series.back().atMs < m_lastChartAtMs) {
        m_connectionsSeries->clear();
        m_inSeries->clear();
        m_outSeries->clear();
        m_lastChartAtMs = 0;
    }
    if (series.isEmpty()) {
        fitAxes(m_connectionsTime, m_connectionsAxis, 0, 0.0);
        fitAxes(m_messagesTime, m_messagesAxis, 0, 0.0);
        return;
    }
    const qint64 newest = series.back().atMs;
    const qint64 windowStart = newest - TrendWindowMs;
    // Only the points not drawn yet are appended: the series is one point a push.
    QList<QPointF> connections;
    QList<QPointF> in;
    QList<QPointF> out;
    for (qsizetype i = firstPointAfter(series, std::max(m_lastChartAtMs, windowStart - 1)); i < series.size(); ++i) {
        const ConsoleState::Point &point = series.at(i);
        connections.append(QPointF(double(point.atMs), double(point.connections)));
        if (i > 0) {
            const ConsoleState::Point &previous = series.at(i - 1);
            in.append(QPointF(double(point.atMs),
                              ratePerSecond(previous.messagesIn, point.messagesIn, previous.atMs, point.atMs)));
            out.append(QPointF(double(point.atMs),
                               ratePerSecond(previous.messagesOut, point.messagesOut, previous.atMs, point.atMs)));
        }
    }
    m_connectionsSeries->append(connections);
    m_inSeries->append(in);
    m_outSeries->append(out);
    m_lastChartAtMs = newest;
    for (QLineSeries *line : {m_connectionsSeries, m_inSeries, m_outSeries})
        dropPointsBefore(line, double(windowStart));

    fitAxes(m_connectionsTime, m_connectionsAxis, newest, maxY(m_connectionsSeries));
    fitAxes(m_messagesTime, m_messagesAxis, newest, std::max(maxY(m_inSeries), maxY(m_outSeries)));
}

} // namespace wsinfra
