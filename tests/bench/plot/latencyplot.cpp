// latencyplot.cpp: the latency-vs-rate figure, drawn by Qt Charts into a QImage.
#include "latencyplot.h"

#include <QChart>
#include <QDateTime>
#include <QGraphicsScene>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QLogValueAxis>
#include <QPainter>
#include <QPen>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsinfra::bench {

LatencyPlot::LatencyPlot(SweepData data) : m_data(std::move(data)) {}

QColor LatencyPlot::colourOf(const QString &target, int index)
{
    if (target == "wsinfra-native"_L1)
        return QColor(0x1f, 0x77, 0xb4);
    if (target == "node-ws"_L1)
        return QColor(0xff, 0x7f, 0x0e);
    if (target == "wsinfra-socketio"_L1)
        return QColor(0x2c, 0xa0, 0x2c);
    if (target == "node-socketio"_L1)
        return QColor(0xd6, 0x27, 0x28);
    static constexpr QRgb spare[] = {0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    return QColor::fromRgb(spare[index % int(std::size(spare))]);
}

QImage LatencyPlot::render(QSize size) const
{
    // The scene owns the chart, the chart its series and axes.
    QGraphicsScene scene;
    auto *chart = new QChart;
    scene.addItem(chart);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundRoundness(0);
    const QDateTime when = QDateTime::fromString(m_data.date(), Qt::ISODate);
    const QString date = when.isValid() ? when.toString(u"yyyy-MM-dd HH:mm"_s) : m_data.date();
    const QString who =
        m_data.connections() > 0
            ? u"%1 connections following one bill"_s.arg(QLocale(QLocale::English).toString(m_data.connections()))
            : u"one bill"_s;
    // Two lines, so that the title fits a narrow image too.
    chart->setTitle(u"<b>p99 latency vs delivered rate</b>, %1, %2<br>solid: p99, dashed: p50, circled: the point "
                    "where a target stopped keeping up"_s.arg(who, date));
    QFont titleFont = chart->titleFont();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    chart->setTitleFont(titleFont);

    auto *xAxis = new QValueAxis;
    xAxis->setTitleText(u"delivered (thousand deliveries/s)"_s);
    xAxis->setLabelFormat(u"%.0f"_s);
    auto *yAxis = new QLogValueAxis;
    yAxis->setBase(10);
    yAxis->setTitleText(u"latency (ms, log scale)"_s);
    yAxis->setLabelFormat(u"%g"_s);
    yAxis->setMinorTickCount(8);
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);

    double maxX = 0;
    double minY = std::numeric_limits<double>::max();
    double maxY = 0;
    auto *missed = new QScatterSeries;
    missed->setName(u"did not keep up"_s);
    missed->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    missed->setMarkerSize(16);
    missed->setColor(Qt::transparent);
    missed->setBorderColor(Qt::black);
    const QList<SweepSeries> allSeries = m_data.series();
    for (int index = 0; index < allSeries.size(); ++index) {
        const SweepSeries &series = allSeries.at(index);
        const QColor colour = colourOf(series.target, index);
        auto *p99 = new QLineSeries;
        auto *p50 = new QLineSeries;
        p99->setName(series.target);
        p99->setPointsVisible(true);
        p99->setPen(QPen(colour, 2.5));
        p50->setPen(QPen(colour, 1.5, Qt::DashLine));
        for (const SweepPoint &point : series.points) {
            const double x = point.deliveredPerSecond / 1000.0;
            // A log axis has no place for "nothing arrived" (-1): such a point is left out.
            if (point.p99Ms > 0) {
                p99->append(x, point.p99Ms);
                maxX = std::max(maxX, x);
                minY = std::min(minY, point.p99Ms);
                maxY = std::max(maxY, point.p99Ms);
                if (!point.keptUp)
                    missed->append(x, point.p99Ms);
            }
            if (point.p50Ms > 0) {
                p50->append(x, point.p50Ms);
                maxX = std::max(maxX, x);
                minY = std::min(minY, point.p50Ms);
                maxY = std::max(maxY, point.p50Ms);
            }
        }
        for (QLineSeries *line : {p99, p50}) {
            chart->addSeries(line);
            line->attachAxis(xAxis);
            line->attachAxis(yAxis);
        }
        // One legend entry per target: the dashes are explained in the title.
        chart->legend()->markers(p50).constFirst()->setVisible(false);
    }
    chart->addSeries(missed);
    missed->attachAxis(xAxis);
    missed->attachAxis(yAxis);
    if (missed->count() == 0)
        chart->legend()->markers(missed).constFirst()->setVisible(false);

    xAxis->setRange(0, maxX > 0 ? maxX * 1.05 : 1);
    xAxis->applyNiceNumbers();
    if (maxY > 0) {
        // Whole decades, so that the labels are 1, 10, 100 ...
        const double bottom = std::pow(10.0, std::floor(std::log10(minY)));
        const double top = std::pow(10.0, std::ceil(std::log10(maxY)));
        yAxis->setRange(bottom, top > bottom ? top : bottom * 10);
    }
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setGeometry(QRectF(QPointF(0, 0), QSizeF(size)));
    scene.setSceneRect(QRectF(QPointF(0, 0), QSizeF(size)));

    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    scene.render(&painter, QRectF(image.rect()), scene.sceneRect());
    painter.end();
    return image;
}

} // namespace wsinfra::bench
