// The console's Overview, Memory and Leaks pages against a real service: the memory chart follows the
// pushes and shows the service's own thresholds, "Analyse now" brings a leak report the Leaks page lists,
// and the Overview counts real clients coming and going.

#include "consolesession.h"
#include "servicefixture.h"
#include "ui/chartview.h"
#include "ui/pages/leakspage.h"
#include "ui/pages/memorypage.h"
#include "ui/pages/overviewpage.h"
#include "wsclient.h"

#include <QAbstractSeries>
#include <QAreaSeries>
#include <QChart>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QDir>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test;

namespace {

constexpr char ControlToken[] = "chart-pages-token";
// Not the defaults (70/85/95): the page must show what the service runs with.
constexpr int WarningThreshold = 61;
constexpr int CriticalThreshold = 77;
constexpr int EmergencyThreshold = 89;

template <typename T> T *seriesNamed(ChartView *view, const QString &name)
{
    const QList<QAbstractSeries *> series = view->chart()->series();
    for (QAbstractSeries *candidate : series) {
        if (candidate->objectName() == name)
            return qobject_cast<T *>(candidate);
    }
    return nullptr;
}

double maxY(const QXYSeries *series)
{
    const QList<QPointF> points = series->points();
    double max = 0.0;
    for (const QPointF &point : points)
        max = std::max(max, point.y());
    return max;
}

qint64 axisSpanMs(ChartView *view)
{
    const QList<QAbstractAxis *> axes = view->chart()->axes(Qt::Horizontal);
    if (axes.isEmpty())
        return -1;
    const auto *time = qobject_cast<QDateTimeAxis *>(axes.constFirst());
    return time ? time->min().msecsTo(time->max()) : -1;
}

// Saves a picture of `page` to $WSINFRA_PAGE_SHOTS/<name>.png when that variable names a directory.
void maybeSaveShot(QWidget *page, const QString &name)
{
    const QString directory = qEnvironmentVariable("WSINFRA_PAGE_SHOTS");
    if (directory.isEmpty())
        return;
    page->resize(1100, 700);
    page->show();
    QCoreApplication::processEvents();
    page->grab().save(QDir(directory).filePath(name + u".png"_s));
}

/// A control port that welcomes one console and sends the pushes the test makes up: for what a real
/// service cannot be made to do on cue (memory levels that change, half an hour of history).
class ScriptedService : public QObject
{
public:
    ScriptedService() : m_server(u"scripted"_s, QWebSocketServer::NonSecureMode)
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            m_socket = m_server.nextPendingConnection();
            m_socket->setParent(this);
            connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
                if (QJsonDocument::fromJson(text.toUtf8()).object().value("type"_L1).toString() == "hello"_L1)
                    send({{u"type"_s, u"welcome"_s},
                          {u"version"_s, 1},
                          {u"session"_s, u"c-1"_s},
                          {u"interval_ms"_s, 1000}});
            });
        });
    }
    ~ScriptedService() override
    {
        if (m_socket)
            m_socket->abort();
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    void send(const QJsonObject &frame)
    {
        m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    }
    /// Push number `seq` (1: the snapshot), at T0 + seq seconds, with this memory pressure and level.
    void push(qint64 seq, double percent, const QString &level)
    {
        const QJsonObject memory{{u"rssBytes"_s, qint64(percent * 10 * 1024 * 1024)},
                                 {u"budgetBytes"_s, qint64(1000) * 1024 * 1024},
                                 {u"percent"_s, percent},
                                 {u"level"_s, level},
                                 {u"thresholds"_s, QJsonObject{{u"warning"_s, WarningThreshold},
                                                               {u"critical"_s, CriticalThreshold},
                                                               {u"emergency"_s, EmergencyThreshold}}}};
        QJsonObject frame{{u"type"_s, seq == 1 ? u"snapshot"_s : u"delta"_s},
                          {u"seq"_s, seq},
                          {u"at"_s, T0 + seq * 1000},
                          {u"stats"_s, QJsonObject{{u"activeConnections"_s, 1}}},
                          {u"health"_s, QJsonObject{{u"status"_s, u"healthy"_s}}},
                          {u"metrics"_s, QJsonObject{{u"memory"_s, memory}}},
                          {u"events"_s, QJsonArray()}};
        if (seq == 1) {
            frame.insert(u"connections"_s, QJsonArray());
            frame.insert(u"subscriptions"_s, QJsonArray());
        } else {
            frame.insert(
                u"connections"_s,
                QJsonObject{{u"added"_s, QJsonArray()}, {u"changed"_s, QJsonArray()}, {u"removed"_s, QJsonArray()}});
            frame.insert(u"subscriptions"_s, QJsonObject{{u"changed"_s, QJsonArray()}, {u"removed"_s, QJsonArray()}});
        }
        send(frame);
    }

    static constexpr qint64 T0 = 1'700'000'000'000;

private:
    QWebSocketServer m_server;
    QWebSocket *m_socket = nullptr;
};

} // namespace

class TestChartPages : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void memoryPageFollowsThePushes();
    void analyseNowFillsTheLeaksPage();
    void overviewCountsClients();
    void memoryPageMarksLevelChangesAndKeepsItsWindow();

private:
    /// A session connected to the service, with its first snapshot; no periodic leak reports, so that
    /// every report comes from the test.
    std::unique_ptr<ConsoleSession> connectedSession();

    ServiceProcess m_service;
};

void TestChartPages::initTestCase()
{
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, QString::fromLatin1(ControlToken));
    QVERIFY2(m_service.start({u"--control-port"_s, u"0"_s, u"--control-interval"_s, u"100ms"_s,
                              u"--memory-warning-threshold"_s, QString::number(WarningThreshold),
                              u"--memory-critical-threshold"_s, QString::number(CriticalThreshold),
                              u"--memory-emergency-threshold"_s, QString::number(EmergencyThreshold)},
                             environment),
             qPrintable(m_service.errorString()));
    QVERIFY(m_service.controlPort() != 0);
}

void TestChartPages::cleanupTestCase()
{
    QCOMPARE(m_service.terminate(), 0);
}

std::unique_ptr<ConsoleSession> TestChartPages::connectedSession()
{
    ConsoleSession::Settings settings;
    settings.analysisIntervalMs = 0;
    auto session = std::make_unique<ConsoleSession>(settings);
    session->connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken));
    if (!QTest::qWaitFor([&session] { return session->state().hasSnapshot(); }, 10'000))
        return nullptr;
    return session;
}

void TestChartPages::memoryPageFollowsThePushes()
{
    const std::unique_ptr<ConsoleSession> session = connectedSession();
    QVERIFY(session);
    MemoryPage page(session.get());
    auto *view = page.findChild<ChartView *>(u"memoryChart"_s);
    QVERIFY(view);
    auto *pressure = seriesNamed<QLineSeries>(view, u"pressure"_s);
    auto *rss = seriesNamed<QLineSeries>(view, u"rss"_s);
    QVERIFY(pressure);
    QVERIFY(rss);

    // Each push adds a point; the chart shows the newest one as the session has it.
    QTRY_VERIFY_WITH_TIMEOUT(pressure->count() >= 3, 10'000);
    const int before = pressure->count();
    QTRY_VERIFY_WITH_TIMEOUT(pressure->count() >= before + 3, 10'000);
    QCOMPARE(rss->count(), pressure->count());
    const ConsoleState::Point &newest = session->state().series().back();
    QCOMPARE(pressure->at(pressure->count() - 1).x(), double(newest.atMs));
    QCOMPARE(pressure->at(pressure->count() - 1).y(), newest.memoryPercent);
    QVERIFY(newest.rssBytes > 0);
    QCOMPARE(rss->at(rss->count() - 1).y(), double(newest.rssBytes) / (1024.0 * 1024.0));
    QCOMPARE(pressure->count(), int(session->state().series().size()));

    // The thresholds are the service's, as lines and as the lower edges of their bands.
    const QList<std::pair<QString, int>> thresholds{
        {u"warning"_s, WarningThreshold}, {u"critical"_s, CriticalThreshold}, {u"emergency"_s, EmergencyThreshold}};
    for (const auto &[name, value] : thresholds) {
        auto *line = seriesNamed<QLineSeries>(view, name + u"Threshold"_s);
        QVERIFY2(line, qPrintable(name));
        QCOMPARE(line->count(), 2);
        QCOMPARE(line->at(0).y(), double(value));
        QCOMPARE(line->at(1).y(), double(value));
        QVERIFY(line->name().contains(QString::number(value)));
        auto *band = seriesNamed<QAreaSeries>(view, name + u"Band"_s);
        QVERIFY2(band, qPrintable(name));
        QCOMPARE(band->lowerSeries()->at(0).y(), double(value));
    }
    QCOMPARE(seriesNamed<QAreaSeries>(view, u"warningBand"_s)->upperSeries()->at(0).y(), double(CriticalThreshold));
    QCOMPARE(seriesNamed<QAreaSeries>(view, u"criticalBand"_s)->upperSeries()->at(0).y(), double(EmergencyThreshold));

    // The figures of the latest push.
    QVERIFY(page.findChild<QLabel *>(u"currentRss"_s)->text().contains("MB"_L1));
    QCOMPARE(page.findChild<QLabel *>(u"level"_s)->text(), u"Normal"_s);
    QVERIFY(page.findChild<QLabel *>(u"percent"_s)->text().endsWith(u'%'));

    // The window chosen sets the time shown: 5 minutes, 1 hour, or everything the session has.
    auto *window = page.findChild<QComboBox *>(u"window"_s);
    QVERIFY(window);
    QCOMPARE(window->currentText(), u"5 minutes"_s);
    QCOMPARE(axisSpanMs(view), 5 * 60 * 1000);
    window->setCurrentIndex(window->findText(u"1 hour"_s));
    QCOMPARE(axisSpanMs(view), 60 * 60 * 1000);
    QCOMPARE(pressure->count(), int(session->state().series().size()));
    window->setCurrentIndex(window->findText(u"All"_s));
    // A few seconds of data: the span is what the session holds (at least 10 s for a readable axis).
    QVERIFY(axisSpanMs(view) < 60 * 1000);
    QVERIFY(axisSpanMs(view) >= 10 * 1000);
    QCOMPARE(pressure->count(), int(session->state().series().size()));
    // ... and keeps following the pushes.
    const int shown = pressure->count();
    QTRY_VERIFY_WITH_TIMEOUT(pressure->count() > shown, 10'000);
    QCOMPARE(pressure->count(), int(session->state().series().size()));
    window->setCurrentIndex(0);
    QCOMPARE(axisSpanMs(view), 5 * 60 * 1000);
    maybeSaveShot(&page, u"memory"_s);
}

void TestChartPages::analyseNowFillsTheLeaksPage()
{
    const std::unique_ptr<ConsoleSession> session = connectedSession();
    QVERIFY(session);
    MemoryPage memory(session.get());
    LeaksPage leaks(session.get());
    auto *history = leaks.findChild<QListWidget *>(u"history"_s);
    auto *estimates = leaks.findChild<QTableWidget *>(u"estimates"_s);
    auto *analyseNow = memory.findChild<QPushButton *>(u"analyseNow"_s);
    auto *summary = memory.findChild<QLabel *>(u"analysisSummary"_s);
    QVERIFY(history);
    QVERIFY(estimates);
    QVERIFY(analyseNow);
    QVERIFY(summary);
    QCOMPARE(history->count(), 0);
    QCOMPARE(estimates->rowCount(), 0);

    // Two clients on a bill: the connections and subscriptions have a size to estimate.
    WsClient amy;
    WsClient ben;
    QVERIFY(amy.open(m_service.wsUrlFor(u"amy"_s)));
    QVERIFY(ben.open(m_service.wsUrlFor(u"ben"_s)));
    QVERIFY(amy.subscribe(42));
    QVERIFY(ben.subscribe(42));

    QSignalSpy received(session.get(), &ConsoleSession::analysisReceived);
    QTest::mouseClick(analyseNow, Qt::LeftButton);
    QVERIFY(!analyseNow->isEnabled()); // one analysis at a time
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 10'000);
    QTRY_VERIFY(analyseNow->isEnabled());
    QVERIFY2(summary->text().contains("0 orphaned entries"_L1), qPrintable(summary->text()));

    // The report is listed and shown: the estimates, one row per structure, the largest first.
    QCOMPARE(history->count(), 1);
    QCOMPARE(history->currentRow(), 0);
    QVERIFY(history->item(0)->text().contains("0 orphans"_L1));
    QVERIFY(estimates->rowCount() >= 3);
    QStringList structures;
    for (int row = 0; row < estimates->rowCount(); ++row)
        structures.append(estimates->item(row, 0)->text());
    QVERIFY2(structures.contains(u"connections"_s), qPrintable(structures.join(u',')));
    QVERIFY2(structures.contains(u"subscriptions"_s), qPrintable(structures.join(u',')));
    const int connectionsRow = int(structures.indexOf(u"connections"_s));
    QCOMPARE(estimates->item(connectionsRow, 1)->text(), u"2"_s);
    QVERIFY(estimates->item(connectionsRow, 2)->data(Qt::UserRole).toDouble() > 0);
    QCOMPARE(estimates->horizontalHeader()->sortIndicatorSection(), 2);
    QCOMPARE(estimates->horizontalHeader()->sortIndicatorOrder(), Qt::DescendingOrder);
    QVERIFY(estimates->item(0, 2)->data(Qt::UserRole).toDouble() > 0);
    for (int row = 1; row < estimates->rowCount(); ++row)
        QVERIFY(estimates->item(row - 1, 2)->data(Qt::UserRole).toDouble() >=
                estimates->item(row, 2)->data(Qt::UserRole).toDouble());
    QVERIFY(leaks.findChild<QLabel *>(u"estimatesTotal"_s)->text().startsWith("Total estimated: "_L1));
    QVERIFY(leaks.findChild<QLabel *>(u"processFigures"_s)->text().contains("resident of a"_L1));
    QCOMPARE(leaks.findChild<QTableWidget *>(u"orphans"_s)->rowCount(), 0);
    const QJsonArray growth =
        session->analyses().constLast().report.value("analysis"_L1).toObject().value("growth"_L1).toArray();
    QCOMPARE(leaks.findChild<QTableWidget *>(u"growth"_s)->rowCount(), int(growth.size()));
    // A young service has too few samples for a trend, and the report says so.
    QVERIFY(leaks.findChild<QListWidget *>(u"warnings"_s)->count() >= 1);

    // A second report goes on top and is shown; the first stays in the history.
    const qint64 firstAtMs = history->item(0)->data(Qt::UserRole).toLongLong();
    QTest::qWait(20); // two reports of the same millisecond would not tell newest from oldest
    analyseNow->click();
    QTRY_COMPARE_WITH_TIMEOUT(history->count(), 2, 10'000);
    QVERIFY(history->item(0)->data(Qt::UserRole).toLongLong() > firstAtMs);
    QCOMPARE(history->item(1)->data(Qt::UserRole).toLongLong(), firstAtMs);
    QCOMPARE(history->currentRow(), 0);

    // An older report selected stays selected when a new one comes.
    history->setCurrentRow(1);
    QVERIFY(leaks.findChild<QLabel *>(u"reportTitle"_s)->text().contains(u"Leak report of"_s));
    analyseNow->click();
    QTRY_COMPARE_WITH_TIMEOUT(history->count(), 3, 10'000);
    QCOMPARE(history->currentItem()->data(Qt::UserRole).toLongLong(), firstAtMs);
    QVERIFY(estimates->rowCount() >= 3);
    maybeSaveShot(&leaks, u"leaks"_s);
}

void TestChartPages::overviewCountsClients()
{
    const std::unique_ptr<ConsoleSession> session = connectedSession();
    QVERIFY(session);
    OverviewPage page(session.get());
    auto *active = page.findChild<QLabel *>(u"activeConnections"_s);
    auto *users = page.findChild<QLabel *>(u"uniqueUsers"_s);
    auto *badge = page.findChild<QLabel *>(u"healthBadge"_s);
    auto *connectionsChart = page.findChild<ChartView *>(u"connectionsChart"_s);
    QVERIFY(active);
    QVERIFY(users);
    QVERIFY(badge);
    QVERIFY(connectionsChart);
    auto *connections = seriesNamed<QLineSeries>(connectionsChart, u"connections"_s);
    QVERIFY(connections);

    QTRY_COMPARE(active->text(), u"0"_s);
    QCOMPARE(badge->text(), u"Healthy"_s);
    QCOMPARE(page.findChild<QLabel *>(u"nodes"_s)->text(), u"1 (single node)"_s);
    QCOMPARE(page.findChild<QLabel *>(u"memoryLevel"_s)->text().section(u' ', 0, 0), u"Normal"_s);
    QCOMPARE(page.findChild<QListWidget *>(u"healthErrors"_s)->item(0)->text(), u"No errors"_s);
    QTRY_VERIFY(page.findChild<QLabel *>(u"messagesInRate"_s)->text().endsWith(u"/s"_s));

    {
        // Two users on three connections.
        WsClient amy1;
        WsClient amy2;
        WsClient ben;
        QVERIFY(amy1.open(m_service.wsUrlFor(u"amy"_s)));
        QVERIFY(amy2.open(m_service.wsUrlFor(u"amy"_s)));
        QVERIFY(ben.open(m_service.wsUrlFor(u"ben"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(active->text(), u"3"_s, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(users->text(), u"2"_s, 10'000);
        QVERIFY(page.findChild<QLabel *>(u"peakConnections"_s)->text().toInt() >= 3);
        QCOMPARE(connections->at(connections->count() - 1).y(), 3.0);
        // The greetings went out: the rate chart saw traffic.
        auto *messagesChart = page.findChild<ChartView *>(u"messagesChart"_s);
        QVERIFY(messagesChart);
        auto *out = seriesNamed<QLineSeries>(messagesChart, u"messagesOut"_s);
        QVERIFY(out);
        QTRY_VERIFY(maxY(out) > 0);
        maybeSaveShot(&page, u"overview"_s);
    }
    // They leave: the figures follow.
    QTRY_COMPARE_WITH_TIMEOUT(active->text(), u"0"_s, 10'000);
    QTRY_COMPARE(connections->at(connections->count() - 1).y(), 0.0);
    QCOMPARE(badge->text(), u"Healthy"_s);
}

void TestChartPages::memoryPageMarksLevelChangesAndKeepsItsWindow()
{
    ScriptedService service;
    QVERIFY(service.listen());
    ConsoleSession::Settings settings;
    settings.analysisIntervalMs = 0;
    ConsoleSession session(settings);
    MemoryPage page(&session);
    session.connectToService(u"127.0.0.1"_s, service.port(), u"token"_s);
    QTRY_COMPARE(session.connectionState(), ControlClient::State::Live);

    // 20 minutes, one push a second: normal, warning from push 600, critical from 900, normal from 1000.
    const auto levelAt = [](qint64 seq) -> std::pair<double, QString> {
        if (seq >= 1000)
            return {50.0, u"normal"_s};
        if (seq >= 900)
            return {80.0, u"critical"_s};
        if (seq >= 600)
            return {65.0, u"warning"_s};
        return {50.0, u"normal"_s};
    };
    for (qint64 seq = 1; seq <= 1200; ++seq) {
        const auto [percent, level] = levelAt(seq);
        service.push(seq, percent, level);
    }
    QTRY_COMPARE_WITH_TIMEOUT(session.state().seq(), 1200, 20'000);

    auto *view = page.findChild<ChartView *>(u"memoryChart"_s);
    auto *pressure = seriesNamed<QLineSeries>(view, u"pressure"_s);
    auto *becameWarning = seriesNamed<QScatterSeries>(view, u"becameWarning"_s);
    auto *becameCritical = seriesNamed<QScatterSeries>(view, u"becameCritical"_s);
    auto *becameNormal = seriesNamed<QScatterSeries>(view, u"becameNormal"_s);
    QVERIFY(pressure && becameWarning && becameCritical && becameNormal);
    const auto at = [](qint64 seq) { return double(ScriptedService::T0 + seq * 1000); };

    // The last five minutes: pushes 900 to 1200, with the two changes among them.
    QCOMPARE(pressure->count(), 301);
    QCOMPARE(pressure->at(0).x(), at(900));
    QCOMPARE(pressure->at(300).x(), at(1200));
    QCOMPARE(becameWarning->count(), 0);
    QCOMPARE(becameCritical->count(), 1);
    QCOMPARE(becameCritical->at(0), QPointF(at(900), 80.0));
    QCOMPARE(becameNormal->count(), 1);
    QCOMPARE(becameNormal->at(0), QPointF(at(1000), 50.0));
    // The thresholds the service sent, and the axis the window asks for.
    QCOMPARE(seriesNamed<QLineSeries>(view, u"criticalThreshold"_s)->at(0).y(), double(CriticalThreshold));
    QCOMPARE(axisSpanMs(view), 5 * 60 * 1000);

    // Everything: the whole series and every change.
    auto *window = page.findChild<QComboBox *>(u"window"_s);
    window->setCurrentIndex(window->findText(u"All"_s));
    QCOMPARE(pressure->count(), 1200);
    QCOMPARE(axisSpanMs(view), 1199 * 1000);
    QCOMPARE(becameWarning->count(), 1);
    QCOMPARE(becameWarning->at(0), QPointF(at(600), 65.0));
    QCOMPARE(becameCritical->count(), 1);
    QCOMPARE(becameNormal->count(), 1);

    // Back to five minutes, and more pushes: appended at the end, dropped at the front, as a rebuild would.
    window->setCurrentIndex(window->findText(u"5 minutes"_s));
    for (qint64 seq = 1201; seq <= 1400; ++seq)
        service.push(seq, 40.0 + double(seq % 10), u"normal"_s);
    QTRY_COMPARE_WITH_TIMEOUT(session.state().seq(), 1400, 20'000);
    QCOMPARE(pressure->count(), 301);
    QCOMPARE(pressure->at(0).x(), at(1100));
    QCOMPARE(pressure->at(300), QPointF(at(1400), 40.0));
    QCOMPARE(becameCritical->count(), 0); // push 900 left the window
    QCOMPARE(becameNormal->count(), 0);   // and so did 1000
    const QList<QPointF> appended = pressure->points();
    window->setCurrentIndex(window->findText(u"1 hour"_s));
    window->setCurrentIndex(window->findText(u"5 minutes"_s));
    QCOMPARE(pressure->points(), appended);
}

QTEST_MAIN(TestChartPages)
#include "tst_chartpages.moc"
