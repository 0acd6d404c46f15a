#include "ui/pages/memorypage.h"

#include "ui/chartsupport.h"

#include "consolesession.h"
#include "models/modelsupport.h"
#include "ui/chartview.h"

#include <QAreaSeries>
#include <QChart>
#include <QComboBox>
#include <QCursor>
#include <QDateTimeAxis>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QPushButton>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr double BytesPerMb = 1024.0 * 1024.0;
constexpr qint64 FiveMinutesMs = 5 * 60 * 1000;
constexpr qint64 OneHourMs = 60 * 60 * 1000;

const QColor PressureColour(0x15, 0x65, 0xc0);
const QColor RssColour(0x6a, 0x1b, 0x9a);

// A figure of the "Current" box: a small caption over a bold value.
QLabel *addFigure(QWidget *parent, QHBoxLayout *row, const QString &caption, const QString &objectName)
{
    auto *column = new QVBoxLayout();
    column->setSpacing(0);
    auto *captionLabel = new QLabel(caption, parent);
    QPalette captionPalette = captionLabel->palette();
    captionPalette.setColor(QPalette::WindowText, captionPalette.color(QPalette::PlaceholderText));
    captionLabel->setPalette(captionPalette);
    auto *value = new QLabel(u"-"_s, parent);
    value->setObjectName(objectName);
    QFont font = value->font();
    font.setPointSizeF(font.pointSizeF() * 1.4);
    font.setBold(true);
    value->setFont(font);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    column->addWidget(captionLabel);
    column->addWidget(value);
    row->addLayout(column, 1);
    return value;
}

} // namespace

MemoryPage::MemoryPage(ConsoleSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_window(new QComboBox(this)), m_chart(new QChart()),
      m_timeAxis(new QDateTimeAxis()), m_percentAxis(new QValueAxis()), m_rssAxis(new QValueAxis()),
      m_pressure(new QLineSeries()), m_rss(new QLineSeries()), m_analyseNow(new QPushButton(tr("Analyse now"), this)),
      m_analysisSummary(new QLabel(this))
{
    // The figures of the latest push.
    auto *currentBox = new QGroupBox(tr("Current"), this);
    auto *currentRow = new QHBoxLayout(currentBox);
    m_currentRss = addFigure(currentBox, currentRow, tr("Resident memory"), u"currentRss"_s);
    m_budget = addFigure(currentBox, currentRow, tr("Budget"), u"budget"_s);
    m_percent = addFigure(currentBox, currentRow, tr("Pressure"), u"percent"_s);
    m_level = addFigure(currentBox, currentRow, tr("Level"), u"level"_s);

    // The controls: the window shown and the leak analysis.
    m_window->setObjectName(u"window"_s);
    m_window->addItem(tr("5 minutes"), FiveMinutesMs);
    m_window->addItem(tr("1 hour"), OneHourMs);
    m_window->addItem(tr("All"), qint64(0));
    m_analyseNow->setObjectName(u"analyseNow"_s);
    m_analyseNow->setToolTip(tr("Ask the service for a leak report now (the Leaks page shows it in full)"));
    m_analysisSummary->setObjectName(u"analysisSummary"_s);
    m_analysisSummary->setWordWrap(true);
    m_analysisSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *controls = new QHBoxLayout();
    auto *windowLabel = new QLabel(tr("&Show:"), this);
    windowLabel->setBuddy(m_window);
    controls->addWidget(windowLabel);
    controls->addWidget(m_window);
    controls->addSpacing(24);
    controls->addWidget(m_analysisSummary, 1);
    controls->addWidget(m_analyseNow);

    // The chart: pressure on the left axis, RSS on the right, thresholds as bands under dashed lines.
    m_chart->setTitle(tr("Memory pressure and resident size"));
    m_chart->setMargins(QMargins(6, 6, 6, 6));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_timeAxis->setFormat(u"hh:mm:ss"_s);
    m_timeAxis->setTickCount(7);
    m_timeAxis->setTitleText(tr("Time"));
    m_percentAxis->setTitleText(tr("Pressure (% of budget)"));
    m_percentAxis->setLabelFormat(u"%d"_s);
    m_percentAxis->setRange(0, 100);
    m_percentAxis->setTickCount(11);
    m_rssAxis->setTitleText(tr("Resident memory (MB)"));
    m_rssAxis->setLabelFormat(u"%.0f"_s);
    m_rssAxis->setRange(0, 10);
    m_rssAxis->setTickCount(6);
    m_rssAxis->setGridLineVisible(false);
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_percentAxis, Qt::AlignLeft);
    m_chart->addAxis(m_rssAxis, Qt::AlignRight);

    const std::array<QString, ThresholdCount> thresholdNames{u"warning"_s, u"critical"_s, u"emergency"_s};
    for (int threshold = 0; threshold < ThresholdCount; ++threshold) {
        const QColor colour = memoryLevelColour(threshold + 1);
        auto *line = new QLineSeries();
        line->setObjectName(thresholdNames.at(std::size_t(threshold)) + u"Threshold"_s);
        QPen pen(colour);
        pen.setStyle(Qt::DashLine);
        pen.setWidthF(1.5);
        line->setPen(pen);
        m_thresholdLines.at(std::size_t(threshold)) = line;

        // The band from this threshold up to the next one (or the top of the axis).
        auto *top = new QLineSeries();
        auto *bottom = new QLineSeries();
        auto *band = new QAreaSeries(top, bottom);
        top->setParent(band); // the area series does not own its lines
        bottom->setParent(band);
        band->setObjectName(thresholdNames.at(std::size_t(threshold)) + u"Band"_s);
        QColor fill = colour;
        fill.setAlpha(38);
        band->setBrush(fill);
        band->setPen(Qt::NoPen);
        m_bandTops.at(std::size_t(threshold)) = top;
        m_bands.at(std::size_t(threshold)) = band;
        m_chart->addSeries(band);
        band->attachAxis(m_timeAxis);
        band->attachAxis(m_percentAxis);
    }
    for (QLineSeries *line : m_thresholdLines) {
        m_chart->addSeries(line);
        line->attachAxis(m_timeAxis);
        line->attachAxis(m_percentAxis);
    }

    m_rss->setName(tr("Resident memory (MB)"));
    m_rss->setObjectName(u"rss"_s);
    QPen rssPen(RssColour);
    rssPen.setWidthF(1.5);
    m_rss->setPen(rssPen);
    m_chart->addSeries(m_rss);
    m_rss->attachAxis(m_timeAxis);
    m_rss->attachAxis(m_rssAxis);

    m_pressure->setName(tr("Pressure (%)"));
    m_pressure->setObjectName(u"pressure"_s);
    QPen pressurePen(PressureColour);
    pressurePen.setWidthF(2.0);
    m_pressure->setPen(pressurePen);
    m_chart->addSeries(m_pressure);
    m_pressure->attachAxis(m_timeAxis);
    m_pressure->attachAxis(m_percentAxis);

    const std::array<QString, 4> changeNames{tr("Back to normal"), tr("Became warning"), tr("Became critical"),
                                             tr("Became emergency")};
    const std::array<QString, 4> changeObjects{u"becameNormal"_s, u"becameWarning"_s, u"becameCritical"_s,
                                               u"becameEmergency"_s};
    for (std::size_t level = 0; level < m_levelChanges.size(); ++level) {
        auto *changes = new QScatterSeries();
        changes->setName(changeNames.at(level));
        changes->setObjectName(changeObjects.at(level));
        changes->setMarkerShape(QScatterSeries::MarkerShapeCircle);
        changes->setMarkerSize(12);
        changes->setColor(memoryLevelColour(int(level)));
        changes->setBorderColor(Qt::white);
        m_chart->addSeries(changes);
        changes->attachAxis(m_timeAxis);
        changes->attachAxis(m_percentAxis);
        connect(changes, &QScatterSeries::hovered, this, &MemoryPage::showLevelChange);
        m_levelChanges.at(level) = changes;
    }
    // The bands explain themselves through the dashed lines, the level markers through the note below the
    // chart (four more legend entries would crowd it).
    QList<QAbstractSeries *> unlisted(m_bands.cbegin(), m_bands.cend());
    unlisted.append(QList<QAbstractSeries *>(m_levelChanges.cbegin(), m_levelChanges.cend()));
    for (QAbstractSeries *series : std::as_const(unlisted)) {
        const QList<QLegendMarker *> markers = m_chart->legend()->markers(series);
        for (QLegendMarker *marker : markers)
            marker->setVisible(false);
    }

    auto *view = new ChartView(m_chart, this);
    view->setObjectName(u"memoryChart"_s);
    view->setMinimumHeight(320);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->setSpacing(10);
    layout->addWidget(currentBox);
    layout->addLayout(controls);
    layout->addWidget(view, 1);
    auto *note = new QLabel(tr("Dots mark where the memory level changed, in the colour of the new level "
                               "(green normal, amber warning, orange critical, red emergency); point at one "
                               "for details."),
                            this);
    note->setWordWrap(true);
    setTextColour(note, note->palette().color(QPalette::PlaceholderText));
    layout->addWidget(note);

    connect(m_window, &QComboBox::currentIndexChanged, this, &MemoryPage::rebuild);
    connect(session, &ConsoleSession::updated, this, &MemoryPage::refresh);
    connect(m_analyseNow, &QPushButton::clicked, this, [this] {
        const QJsonValue id = m_session->analyse();
        if (id.isUndefined()) {
            m_analysisSummary->setText(tr("Not connected to a service: no analysis is possible now."));
            setTextColour(m_analysisSummary, palette().color(QPalette::WindowText));
            return;
        }
        m_pendingAnalysis = id;
        m_analyseNow->setEnabled(false);
        m_analysisSummary->setText(tr("Analysing…"));
        setTextColour(m_analysisSummary, palette().color(QPalette::WindowText));
    });
    connect(session, &ConsoleSession::analysisReceived, this, &MemoryPage::showAnalysis);
    connect(session, &ConsoleSession::commandFinished, this,
            [this](const QJsonValue &id, bool ok, const QJsonObject &resultOrError) {
                if (m_pendingAnalysis.isUndefined() || id != m_pendingAnalysis)
                    return;
                m_pendingAnalysis = QJsonValue(QJsonValue::Undefined);
                m_analyseNow->setEnabled(true);
                if (!ok) {
                    m_analysisSummary->setText(
                        tr("The analysis failed: %1").arg(resultOrError.value("message"_L1).toString()));
                    setTextColour(m_analysisSummary, LevelColour::Emergency);
                }
            });
    connect(session, &ConsoleSession::connectionStateChanged, this, [this] {
        // An answer cannot come over a link that went down.
        if (m_session->connectionState() != ControlClient::State::Live && !m_pendingAnalysis.isUndefined()) {
            m_pendingAnalysis = QJsonValue(QJsonValue::Undefined);
            m_analyseNow->setEnabled(true);
            m_analysisSummary->setText(tr("The link went down before the analysis came."));
        }
    });
    refresh();
}

void MemoryPage::refresh()
{
    readThresholds();
    refreshFigures();
    appendNewPoints();
}

void MemoryPage::refreshFigures()
{
    const ConsoleState &state = m_session->state();
    const QJsonObject memory = state.metrics().value("memory"_L1).toObject();
    const QLocale locale;
    if (!state.hasSnapshot()) {
        for (QLabel *label : {m_currentRss, m_budget, m_percent, m_level}) {
            label->setText(u"-"_s);
            setTextColour(label, palette().color(QPalette::WindowText));
        }
        return;
    }
    const auto bytes = [&memory](QLatin1StringView field) {
        return memory.value(field).isDouble() ? displayBytes(jsonCount(memory.value(field))) : u"-"_s;
    };
    m_currentRss->setText(bytes("rssBytes"_L1));
    m_budget->setText(bytes("budgetBytes"_L1));
    const QJsonValue percent = memory.value("percent"_L1);
    m_percent->setText(percent.isDouble() && std::isfinite(percent.toDouble())
                           ? tr("%1 %").arg(locale.toString(percent.toDouble(), 'f', 1))
                           : u"-"_s);
    const QString level = memory.value("level"_L1).toString();
    m_level->setText(memoryLevelText(level));
    const int index = memoryLevelIndex(level);
    const QColor colour = index >= 0 ? memoryLevelColour(index) : palette().color(QPalette::WindowText);
    if (m_level->palette().color(QPalette::WindowText) != colour)
        setTextColour(m_level, colour);
}

void MemoryPage::readThresholds()
{
    // The service's own thresholds; the documented defaults for a service that does not send them.
    const QJsonObject thresholds =
        m_session->state().metrics().value("memory"_L1).toObject().value("thresholds"_L1).toObject();
    const std::array<QLatin1StringView, ThresholdCount> keys{"warning"_L1, "critical"_L1, "emergency"_L1};
    const std::array<double, ThresholdCount> defaults{70.0, 85.0, 95.0};
    for (std::size_t threshold = 0; threshold < keys.size(); ++threshold) {
        const QJsonValue value = thresholds.value(keys.at(threshold));
        const double number = value.isDouble() ? value.toDouble() : defaults.at(threshold);
        m_thresholds.at(threshold) = std::isfinite(number) ? std::clamp(number, 0.0, 1000.0) : defaults.at(threshold);
        const QString name =
            tr("%1 threshold (%2 %)")
                .arg(memoryLevelText(keys.at(threshold)), QLocale().toString(m_thresholds.at(threshold), 'g', 4));
        if (m_thresholdLines.at(threshold)->name() != name)
            m_thresholdLines.at(threshold)->setName(name);
    }
}

qint64 MemoryPage::windowStartMs() const
{
    const qint64 window = m_window->currentData().toLongLong();
    const CircularBuffer<ConsoleState::Point> &series = m_session->state().series();
    if (window <= 0 || series.isEmpty())
        return 0;
    return series.back().atMs - window;
}

MemoryPage::Points MemoryPage::pointsFrom(const CircularBuffer<ConsoleState::Point> &series, qsizetype first)
{
    Points points;
    points.pressure.reserve(series.size() - first);
    points.rss.reserve(series.size() - first);
    for (qsizetype i = first; i < series.size(); ++i) {
        const ConsoleState::Point &point = series.at(i);
        const double x = double(point.atMs);
        const double rssMb = double(point.rssBytes) / BytesPerMb;
        points.pressure.append(QPointF(x, point.memoryPercent));
        points.rss.append(QPointF(x, rssMb));
        m_maxPercent = std::max(m_maxPercent, point.memoryPercent);
        m_maxRssMb = std::max(m_maxRssMb, rssMb);
        if (i > 0 && !series.at(i - 1).memoryLevel.isEmpty() && series.at(i - 1).memoryLevel != point.memoryLevel) {
            if (const int level = memoryLevelIndex(point.memoryLevel); level >= 0)
                points.changes.at(std::size_t(level)).append(QPointF(x, point.memoryPercent));
        }
    }
    return points;
}

void MemoryPage::appendNewPoints()
{
    const CircularBuffer<ConsoleState::Point> &series = m_session->state().series();
    // Nothing drawn yet, or a series that no longer reaches the chart's newest point (another service).
    if (m_lastAtMs == 0 || series.isEmpty() || series.back().atMs < m_lastAtMs) {
        rebuild();
        return;
    }
    const Points points = pointsFrom(series, firstPointAfter(series, m_lastAtMs));
    m_pressure->append(points.pressure);
    m_rss->append(points.rss);
    for (std::size_t level = 0; level < points.changes.size(); ++level) {
        if (!points.changes.at(level).isEmpty())
            m_levelChanges.at(level)->append(points.changes.at(level));
    }
    m_lastAtMs = series.back().atMs;

    // The points that left the window (or the session's series) go from the front.
    const double start = double(std::max(windowStartMs(), series.front().atMs));
    const bool pressureDropped = dropPointsBefore(m_pressure, start);
    const bool rssDropped = dropPointsBefore(m_rss, start);
    for (QScatterSeries *changesSeries : m_levelChanges)
        dropPointsBefore(changesSeries, start);
    if (pressureDropped)
        m_maxPercent = maxY(m_pressure);
    if (rssDropped)
        m_maxRssMb = maxY(m_rss);
    fitAxes();
}

void MemoryPage::rebuild()
{
    const CircularBuffer<ConsoleState::Point> &series = m_session->state().series();
    m_maxPercent = 0.0;
    m_maxRssMb = 0.0;
    const Points points = pointsFrom(series, firstPointAfter(series, windowStartMs() - 1));
    // replace() hands the chart the whole list at once: one repaint, not one per point.
    m_pressure->replace(points.pressure);
    m_rss->replace(points.rss);
    for (std::size_t level = 0; level < points.changes.size(); ++level)
        m_levelChanges.at(level)->replace(points.changes.at(level));
    m_lastAtMs = series.isEmpty() ? 0 : series.back().atMs;
    fitAxes();
}

void MemoryPage::fitAxes()
{
    // Called on every push: only what changed is set, since each change makes the chart lay out its series.
    const CircularBuffer<ConsoleState::Point> &series = m_session->state().series();
    const qint64 window = m_window->currentData().toLongLong();
    const qint64 newest = series.isEmpty() ? QDateTime::currentMSecsSinceEpoch() : series.back().atMs;
    qint64 start = window > 0 ? newest - window : (series.isEmpty() ? newest : series.front().atMs);
    if (newest - start < 10'000)
        start = newest - 10'000; // a few seconds of data still get a readable axis
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(start), QDateTime::fromMSecsSinceEpoch(newest));
    const qint64 span = newest - start;
    const QString format = span <= 15 * 60 * 1000        ? u"hh:mm:ss"_s
                           : span <= 24 * 60 * 60 * 1000 ? u"hh:mm"_s
                                                         : u"dd MMM hh:mm"_s;
    if (m_timeAxis->format() != format)
        m_timeAxis->setFormat(format);

    // 0-100 %, or up to the highest pressure seen when the service went past its budget.
    const double top = m_maxPercent > 100.0 ? std::ceil(m_maxPercent / 10.0) * 10.0 : 100.0;
    if (m_percentAxis->max() != top) {
        m_percentAxis->setRange(0, top);
        m_percentAxis->setTickCount(top <= 200.0 ? int(top / 10.0) + 1 : 11);
    }
    if (const double rssTop = niceTop(std::max(10.0, m_maxRssMb * 1.2)); m_rssAxis->max() != rssTop) {
        m_rssAxis->setRange(0, rssTop);
        m_rssAxis->setTickCount(tickCountFor(rssTop));
    }

    // The thresholds reach a shown span beyond the time shown either way (the plot clips them), so that
    // they are laid out again once per span or when a threshold changes, not on every push. Not further:
    // the dash pattern of a line many times the plot's width is drawn solid.
    const bool sameThresholds = m_drawnThresholds == m_thresholds && m_drawnTop == top;
    if (!sameThresholds || start < m_thresholdsFromMs || newest > m_thresholdsToMs ||
        m_thresholdsToMs - m_thresholdsFromMs > 4 * span) {
        m_thresholdsFromMs = start - span;
        m_thresholdsToMs = newest + span;
        m_drawnThresholds = m_thresholds;
        m_drawnTop = top;
        const double left = double(m_thresholdsFromMs);
        const double right = double(m_thresholdsToMs);
        for (std::size_t threshold = 0; threshold < m_thresholds.size(); ++threshold) {
            const double level = m_thresholds.at(threshold);
            const double next =
                std::max(level, threshold + 1 < m_thresholds.size() ? m_thresholds.at(threshold + 1) : top);
            m_thresholdLines.at(threshold)->replace({QPointF(left, level), QPointF(right, level)});
            m_bands.at(threshold)->lowerSeries()->replace({QPointF(left, level), QPointF(right, level)});
            m_bandTops.at(threshold)->replace({QPointF(left, next), QPointF(right, next)});
        }
    }
}

void MemoryPage::showAnalysis()
{
    if (m_session->analyses().isEmpty())
        return;
    const ConsoleSession::Analysis &latest = m_session->analyses().constLast();
    const QJsonObject analysis = latest.report.value("analysis"_L1).toObject();
    const qint64 orphans = jsonCount(analysis.value("orphanCount"_L1));
    const QJsonArray growth = analysis.value("growth"_L1).toArray();
    QStringList growing;
    for (const QJsonValue &finding : growth) {
        const QString series = finding.toObject().value("series"_L1).toString();
        if (!series.isEmpty())
            growing.append(series);
    }
    QString text =
        tr("Analysis of %1: %2, %3.")
            .arg(displayTime(latest.atMs),
                 tr("%n orphaned entries", nullptr, int(std::min<qint64>(orphans, std::numeric_limits<int>::max()))),
                 tr("%n growing series", nullptr, int(growth.size())));
    if (!growing.isEmpty())
        text += u' ' + tr("Growing: %1.").arg(growing.join(u", "_s));
    m_analysisSummary->setText(text);
    m_analysisSummary->setToolTip(tr("The Leaks page shows the full report."));
    const bool clean = orphans == 0 && growth.isEmpty();
    setTextColour(m_analysisSummary, clean ? LevelColour::Normal : LevelColour::Emergency);
}

void MemoryPage::showLevelChange(const QPointF &point, bool hovered)
{
    if (!hovered) {
        QToolTip::hideText();
        return;
    }
    const CircularBuffer<ConsoleState::Point> &series = m_session->state().series();
    const qsizetype index = firstPointAfter(series, qint64(point.x()) - 1);
    QString text;
    if (index > 0 && index < series.size()) {
        text = tr("%1: memory level %2 → %3 at %4 %")
                   .arg(displayTime(series.at(index).atMs), memoryLevelText(series.at(index - 1).memoryLevel),
                        memoryLevelText(series.at(index).memoryLevel), QLocale().toString(point.y(), 'f', 1));
    } else {
        text = tr("%1: memory level changed at %2 %")
                   .arg(displayTime(qint64(point.x())), QLocale().toString(point.y(), 'f', 1));
    }
    QToolTip::showText(QCursor::pos(), text, this);
}

} // namespace wsinfra
