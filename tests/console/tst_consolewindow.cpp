// The console's window and its session against the real service: the status bar follows the link, every
// page is there and reachable, File -> Export writes what the service sent, leak reports arrive, a refusal
// is shown, a second service starts from an empty state, screenshots are written, and the French
// translation is complete enough to switch the window's language.

#include "consolesession.h"
#include "models/connectionsmodel.h"
#include "servicefixture.h"
#include "ui/mainwindow.h"
#include "wsclient.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test;

namespace {

constexpr char ControlToken[] = "window-token";

bool startWithControl(ServiceProcess &service)
{
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, QString::fromLatin1(ControlToken));
    return service.start({u"--control-port"_s, u"0"_s, u"--control-interval"_s, u"100ms"_s}, environment);
}

RecentServers::Server serverOf(const ServiceProcess &service, const QString &token = QString::fromLatin1(ControlToken))
{
    return {u"127.0.0.1"_s, service.controlPort(), token, false};
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object() : QJsonObject();
}

} // namespace

class TestConsoleWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void goesLiveAndShowsEveryPage();
    void exportWritesWhatTheServiceSent();
    void sessionFollowsClientsAndCommands();
    void leakReportsArrive();
    void refusalIsShown();
    void anotherServiceStartsEmpty();
    void lostLinkSaysSoAndReconnects();
    void screenshotsOfEveryPage();
    void frenchTranslation();

private:
    QSettings *freshSettings()
    {
        m_settings = std::make_unique<QSettings>(m_dir.filePath(u"settings-%1.ini"_s.arg(++m_settingsCount)),
                                                 QSettings::IniFormat);
        return m_settings.get();
    }

    ServiceProcess m_service;
    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
    int m_settingsCount = 0;
};

void TestConsoleWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(startWithControl(m_service), qPrintable(m_service.errorString()));
    QVERIFY(m_service.controlPort() != 0);
}

void TestConsoleWindow::cleanupTestCase()
{
    QCOMPARE(m_service.terminate(), 0);
}

void TestConsoleWindow::goesLiveAndShowsEveryPage()
{
    ConsoleSession session;
    MainWindow window(&session, freshSettings());
    window.show();
    QCOMPARE(window.connectionStatusText(), u"Disconnected"_s);
    window.connectTo(serverOf(m_service));
    QTRY_COMPARE_WITH_TIMEOUT(window.connectionStatusText(), u"Live"_s, 10'000);
    QTRY_VERIFY(session.state().hasSnapshot());
    QVERIFY(window.windowTitle().contains(QString::number(m_service.controlPort())));

    auto *list = window.findChild<QListWidget *>(u"pageList"_s);
    QVERIFY(list);
    QCOMPARE(list->count(), int(MainWindow::PageCount));
    for (int page = 0; page < MainWindow::PageCount; ++page) {
        QCOMPARE(list->item(page)->text(), MainWindow::pageTitle(MainWindow::Page(page)));
        QVERIFY(window.page(MainWindow::Page(page)));
        QCOMPARE(window.page(MainWindow::Page(page))->objectName(),
                 MainWindow::pageKey(MainWindow::Page(page)) + u"Page"_s);
        // The list and the View menu both lead to it.
        list->setCurrentRow(page);
        QCOMPARE(window.currentPage(), MainWindow::Page(page));
        QVERIFY(window.page(MainWindow::Page(page))->isVisible());
    }
    window.showPage(MainWindow::Overview);
    QCOMPARE(list->currentRow(), 0);

    // The connected service is remembered for the next start; its token is not (not asked to be).
    const QList<RecentServers::Server> recent = RecentServers(m_settings.get()).load();
    QCOMPARE(recent.size(), 1);
    QCOMPARE(recent.constFirst().port, m_service.controlPort());
    QVERIFY(recent.constFirst().token.isEmpty());
}

void TestConsoleWindow::exportWritesWhatTheServiceSent()
{
    WsClient amy;
    QVERIFY(amy.open(m_service.wsUrlFor(u"amy"_s)));
    QVERIFY(amy.subscribe(7));
    ConsoleSession session;
    MainWindow window(&session, freshSettings());
    window.connectTo(serverOf(m_service));
    QTRY_VERIFY_WITH_TIMEOUT(session.state().subscriptions().contains(7), 10'000);

    const QString jsonPath = m_dir.filePath(u"window.json"_s);
    QVERIFY(window.exportSnapshot(jsonPath));
    const QJsonObject exported = readJson(jsonPath);
    QVERIFY(exported.value("stats"_L1).toObject().value("activeConnections"_L1).toInteger() >= 1);
    QCOMPARE(exported.value("health"_L1).toObject().value("status"_L1).toString(), u"healthy"_s);
    QCOMPARE(exported.value("subscriptions"_L1).toArray().first().toObject().value("users"_L1).toArray(),
             QJsonArray{u"amy"_s});

    const QString csvPath = m_dir.filePath(u"window.csv"_s);
    QVERIFY(window.exportSnapshot(csvPath));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QByteArray text = csv.readAll();
    for (const char *section : {"# series", "# connections", "# subscriptions", "# stats"})
        QVERIFY2(text.contains(section), section);
    QVERIFY(text.contains(",amy,"));

    const Result<bool> refused = window.exportSnapshot(m_dir.filePath(u"window.txt"_s));
    QVERIFY(!refused);
    QVERIFY(refused.error().message.contains(u"extension"_s));
    QVERIFY(!QFile::exists(m_dir.filePath(u"window.txt"_s)));
}

void TestConsoleWindow::sessionFollowsClientsAndCommands()
{
    ConsoleSession session;
    QSignalSpy updates(&session, &ConsoleSession::updated);
    session.connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken));
    QTRY_VERIFY_WITH_TIMEOUT(session.state().hasSnapshot(), 10'000);
    QCOMPARE(session.serviceName(), u"127.0.0.1:%1"_s.arg(m_service.controlPort()));

    WsClient bob;
    QVERIFY(bob.open(m_service.wsUrlFor(u"bob"_s)));
    QVERIFY(bob.subscribe(11));
    const auto rowOf = [&](const QString &user) {
        ConnectionsModel *model = session.connectionsModel();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, ConnectionsModel::User).data().toString() == user)
                return row;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(u"bob"_s) >= 0, 10'000);
    QVERIFY(updates.count() >= 2);

    // A publish from the session reaches bob, and its answer comes back under the id it was sent with.
    QSignalSpy finished(&session, &ConsoleSession::commandFinished);
    const QJsonValue id = session.publishToBill(11, QJsonObject{{u"status"_s, u"enacted"_s}});
    QVERIFY(!id.isUndefined());
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).value<QJsonValue>(), id);
    QVERIFY(finished.at(0).at(1).toBool());
    QCOMPARE(finished.at(0).at(2).value<QJsonObject>().value("delivered"_L1).toInteger(), 1);
    const QJsonObject update = bob.waitFor(u"bill_update"_s);
    QCOMPARE(update.value("data"_L1).toObject().value("status"_L1).toString(), u"enacted"_s);

    // Disconnecting bob from the console: his client is closed, his row goes.
    const QString bobId =
        session.connectionsModel()->index(rowOf(u"bob"_s), 0).data(ConnectionsModel::IdRole).toString();
    session.disconnectConnection(bobId);
    QVERIFY(bob.waitClosed());
    QTRY_COMPARE_WITH_TIMEOUT(rowOf(u"bob"_s), -1, 10'000);
    QTRY_COMPARE(finished.count(), 2);
    QVERIFY(finished.at(1).at(1).toBool());

    // Not connected: nothing is sent, and the caller is told so.
    session.disconnectFromService();
    QTRY_COMPARE(session.connectionState(), ControlClient::State::Disconnected);
    QVERIFY(session.broadcast(QJsonObject{{u"message"_s, u"x"_s}}).isUndefined());
}

void TestConsoleWindow::leakReportsArrive()
{
    ConsoleSession::Settings settings;
    settings.analysisIntervalMs = 200;
    settings.maxAnalyses = 3;
    ConsoleSession session(settings);
    QSignalSpy reports(&session, &ConsoleSession::analysisReceived);
    session.connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken));
    // One when the link comes up, then one per interval; the history keeps the latest three.
    QTRY_VERIFY_WITH_TIMEOUT(reports.count() >= 5, 10'000);
    QCOMPARE(session.analyses().size(), 3);
    const QJsonObject report = session.analyses().constLast().report;
    QVERIFY(report.value("process"_L1).toObject().value("rssBytes"_L1).toInteger() > 0);
    QVERIFY(report.value("analysis"_L1).toObject().contains("orphanCount"_L1));
    QVERIFY(session.analyses().constFirst().atMs <= session.analyses().constLast().atMs);
}

void TestConsoleWindow::refusalIsShown()
{
    ConsoleSession session;
    MainWindow window(&session, freshSettings());
    window.show();
    window.connectTo(serverOf(m_service, u"not-the-token"_s));
    QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().contains(u"invalid_token"_s), 10'000);
    QCOMPARE(window.connectionStatusText(), u"Disconnected"_s);
    QVERIFY(!session.state().hasSnapshot());
}

void TestConsoleWindow::anotherServiceStartsEmpty()
{
    ServiceProcess other;
    QVERIFY2(startWithControl(other), qPrintable(other.errorString()));
    WsClient carl;
    QVERIFY(carl.open(m_service.wsUrlFor(u"carl"_s)));

    ConsoleSession session;
    session.connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken));
    QTRY_VERIFY_WITH_TIMEOUT(session.connectionsModel()->rowCount() >= 1, 10'000);
    // The other service has no clients: nothing of the first may show there, not even for a moment.
    QSignalSpy updates(&session, &ConsoleSession::updated);
    session.connectToService(u"127.0.0.1"_s, other.controlPort(), QString::fromLatin1(ControlToken));
    QCOMPARE(session.connectionsModel()->rowCount(), 0);
    QVERIFY(!session.state().hasSnapshot());
    QTRY_VERIFY_WITH_TIMEOUT(session.state().hasSnapshot(), 10'000);
    QCOMPARE(session.connectionsModel()->rowCount(), 0);
    QCOMPARE(other.terminate(), 0);
}

void TestConsoleWindow::lostLinkSaysSoAndReconnects()
{
    ServiceProcess service;
    QVERIFY2(startWithControl(service), qPrintable(service.errorString()));
    ConsoleSession session;
    MainWindow window(&session, freshSettings());
    window.connectTo(serverOf(service));
    QTRY_COMPARE_WITH_TIMEOUT(window.connectionStatusText(), u"Live"_s, 10'000);
    QCOMPARE(service.terminate(), 0);
    // The client retries with backoff, and the status bar counts down to the next attempt.
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionStatusText().startsWith(u"Disconnected, reconnecting in"_s), 10'000);
}

void TestConsoleWindow::screenshotsOfEveryPage()
{
    ConsoleSession session;
    MainWindow window(&session, freshSettings());
    window.resize(1100, 700);
    window.show();
    window.connectTo(serverOf(m_service));
    QTRY_VERIFY_WITH_TIMEOUT(session.state().hasSnapshot(), 10'000);
    window.showPage(MainWindow::Memory);
    const QString directory = m_dir.filePath(u"shots"_s);
    QVERIFY(QDir().mkpath(directory));
    QVERIFY(window.saveScreenshots(directory));
    for (int page = 0; page < MainWindow::PageCount; ++page) {
        const QString path = QDir(directory).filePath(
            u"%1-%2.png"_s.arg(page + 1, 2, 10, QChar(u'0')).arg(MainWindow::pageKey(MainWindow::Page(page))));
        const QImage image(path);
        QVERIFY2(!image.isNull(), qPrintable(path));
        QCOMPARE(image.size(), window.size());
    }
    QCOMPARE(window.currentPage(), MainWindow::Memory); // put back where the operator was
    QVERIFY(!window.saveScreenshots(m_dir.filePath(u"no/such/dir"_s)));
}

void TestConsoleWindow::frenchTranslation()
{
    QTranslator french;
    QVERIFY(french.load(u":/i18n/wsinfra_fr.qm"_s));
    QCoreApplication::installTranslator(&french);
    ConsoleSession session;
    MainWindow window(&session, freshSettings());
    QCOMPARE(MainWindow::pageTitle(MainWindow::Overview), u"Vue d'ensemble"_s);
    QCOMPARE(MainWindow::pageTitle(MainWindow::Connections), u"Connexions"_s);
    QCOMPARE(window.connectionStatusText(), u"Déconnecté"_s);
    // Every menu and every page title is in French: none is left as its English source.
    QStringList english;
    for (int page = 0; page < MainWindow::PageCount; ++page) {
        QCoreApplication::removeTranslator(&french);
        english.append(MainWindow::pageTitle(MainWindow::Page(page)));
        QCoreApplication::installTranslator(&french);
        QVERIFY(MainWindow::pageTitle(MainWindow::Page(page)) != english.constLast());
    }
    const QList<QAction *> menus = window.menuBar()->actions();
    QCOMPARE(menus.size(), 3);
    QCOMPARE(menus.at(0)->text(), u"&Fichier"_s);
    QCoreApplication::removeTranslator(&french);
}

QTEST_MAIN(TestConsoleWindow)
#include "tst_consolewindow.moc"
