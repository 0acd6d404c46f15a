#include "ui/mainwindow.h"

#include "consolesession.h"
#include "protocol/codes.h"
#include "snapshotexporter.h"
#include "ui/connectiondialog.h"
#include "ui/pages/broadcastpage.h"
#include "ui/pages/connectionspage.h"
#include "ui/pages/eventspage.h"
#include "ui/pages/leakspage.h"
#include "ui/pages/memorypage.h"
#include "ui/pages/overviewpage.h"
#include "ui/pages/subscriptionspage.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPixmap>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace wsinfra {

MainWindow::MainWindow(ConsoleSession *session, QSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_session(session), m_settings(settings), m_recent(settings),
      m_pageList(new QListWidget(this)), m_stack(new QStackedWidget(this)), m_stateLabel(new QLabel(this)),
      m_serviceLabel(new QLabel(this)), m_pushLabel(new QLabel(this))
{
    setWindowTitle(tr("wsinfra console"));
    setWindowIcon(QIcon(u":/wsinfra/icons/wsinfra-console-256.png"_s));
    m_pages = {new OverviewPage(session, this), new ConnectionsPage(session, this),   new MemoryPage(session, this),
               new LeaksPage(session, this),    new SubscriptionsPage(session, this), new BroadcastPage(session, this),
               new EventsPage(session, this)};
    for (int page = 0; page < PageCount; ++page) {
        m_pages.at(page)->setObjectName(pageKey(Page(page)) + u"Page"_s);
        m_stack->addWidget(m_pages.at(page));
        m_pageList->addItem(pageTitle(Page(page)));
    }
    m_pageList->setObjectName(u"pageList"_s);
    m_pageList->setFixedWidth(170);
    m_pageList->setFrameShape(QFrame::NoFrame);
    m_pageList->setStyleSheet(u"QListWidget { background: palette(window); font-size: 11pt; }"
                              u"QListWidget::item { padding: 9px 14px; }"_s);
    m_pageList->setCurrentRow(0);
    connect(m_pageList, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto *rule = new QFrame(central);
    rule->setFrameShape(QFrame::VLine);
    rule->setFrameShadow(QFrame::Sunken);
    layout->addWidget(m_pageList);
    layout->addWidget(rule);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    m_stateLabel->setObjectName(u"connectionState"_s);
    m_stateLabel->setMinimumWidth(160);
    statusBar()->addWidget(m_stateLabel);
    statusBar()->addWidget(m_serviceLabel);
    statusBar()->addPermanentWidget(m_pushLabel);
    buildMenus();

    connect(session, &ConsoleSession::connectionStateChanged, this, [this] {
        if (m_session->connectionState() != ControlClient::State::Disconnected)
            m_reconnectNote.clear();
        refreshStatus();
    });
    connect(session, &ConsoleSession::updated, this, &MainWindow::refreshStatus);
    connect(&session->client(), &ControlClient::reconnectScheduled, this, [this](int delayMs) {
        m_reconnectNote = tr("reconnecting in %n s", nullptr, std::max(1, (delayMs + 999) / 1000));
        refreshStatus();
    });
    connect(&session->client(), &ControlClient::refused, this, [this](const QString &code, const QString &message) {
        m_reconnectNote.clear();
        statusBar()->showMessage(tr("Refused by the service: %1 (%2)").arg(message, code), 15'000);
        refreshStatus();
    });
    connect(&session->client(), &ControlClient::certificateRejected, this, [this](const QString &reason) {
        // Kept in the state label until the next attempt: the console does not retry on its own.
        m_reconnectNote = tr("certificate not trusted");
        statusBar()->showMessage(tr("Not connected: %1").arg(reason), 30'000);
        refreshStatus();
    });
    connect(&session->client(), &ControlClient::connectionFailed, this,
            [this](const QString &reason) { statusBar()->showMessage(tr("Cannot connect: %1").arg(reason), 15'000); });
    connect(session, &ConsoleSession::pushRejected, this, [this](const QString &error) {
        statusBar()->showMessage(tr("The service sent an update this console cannot read (%1); asked for a "
                                    "fresh snapshot.")
                                     .arg(error),
                                 15'000);
    });
    restoreGeometry(m_settings->value("window/geometry"_L1).toByteArray());
    refreshStatus();
}

MainWindow::~MainWindow() = default;

QString MainWindow::pageTitle(Page page)
{
    switch (page) {
    case Overview:
        return tr("Overview");
    case Connections:
        return tr("Connections");
    case Memory:
        return tr("Memory");
    case Leaks:
        return tr("Leaks");
    case Subscriptions:
        return tr("Subscriptions");
    case Broadcast:
        return tr("Broadcast");
    case Events:
        return tr("Events");
    case PageCount:
        break;
    }
    return {};
}

QString MainWindow::pageKey(Page page)
{
    static const char *const keys[] = {"overview",      "connections", "memory", "leaks",
                                       "subscriptions", "broadcast",   "events"};
    return page >= 0 && page < PageCount ? QString::fromLatin1(keys[page]) : QString();
}

void MainWindow::showPage(Page page)
{
    m_pageList->setCurrentRow(page);
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(m_stack->currentIndex());
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *connectAction = file->addAction(tr("&Connect..."), this, &MainWindow::openConnectionDialog);
    connectAction->setShortcut(QKeySequence::Open);
    file->addAction(tr("&Disconnect"), this, [this] { m_session->disconnectFromService(); });
    file->addSeparator();
    QAction *exportAction = file->addAction(tr("&Export snapshot..."), this, &MainWindow::chooseExportFile);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->setObjectName(u"exportAction"_s);
    file->addSeparator();
    QAction *quitAction = file->addAction(tr("&Quit"), this, &QWidget::close);
    quitAction->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int page = 0; page < PageCount; ++page) {
        QAction *action = view->addAction(pageTitle(Page(page)), this, [this, page] { showPage(Page(page)); });
        action->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + page)));
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About wsinfra console"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::connectTo(const RecentServers::Server &server)
{
    m_recent.remember(server);
    m_session->connectToService(server.host, server.port, server.token,
                                ControlClient::Tls{server.tls, server.caCertificateFile});
    setWindowTitle(tr("wsinfra console - %1").arg(server.name()));
    refreshStatus();
}

void MainWindow::openConnectionDialog()
{
    ConnectionDialog dialog(&m_recent, this);
    if (dialog.exec() == QDialog::Accepted)
        connectTo(dialog.server());
}

Result<bool> MainWindow::exportSnapshot(const QString &path)
{
    return SnapshotExporter::write(m_session->state(), path);
}

void MainWindow::chooseExportFile()
{
    const QString stamp = QDateTime::currentDateTime().toString(u"yyyyMMdd-hhmmss"_s);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export snapshot"), QDir::home().filePath(u"wsinfra-%1.json"_s.arg(stamp)),
        tr("Snapshot as JSON (*.json);;Time series and tables as CSV (*.csv)"));
    if (path.isEmpty())
        return;
    const Result<bool> written = exportSnapshot(path);
    if (!written) {
        QMessageBox::warning(this, tr("Export snapshot"), written.error().message);
        return;
    }
    statusBar()->showMessage(tr("Exported to %1").arg(QDir::toNativeSeparators(path)), 10'000);
}

Result<bool> MainWindow::saveScreenshots(const QString &directory)
{
    const Page before = currentPage();
    for (int page = 0; page < PageCount; ++page) {
        showPage(Page(page));
        QApplication::processEvents();
        const QString path =
            QDir(directory).filePath(u"%1-%2.png"_s.arg(page + 1, 2, 10, QChar(u'0')).arg(pageKey(Page(page))));
        if (!grab().save(path, "PNG"))
            return Error{QString(ErrorCode::Unavailable), u"cannot write %1"_s.arg(path)};
    }
    showPage(before);
    return true;
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About wsinfra console"),
                       tr("<p><b>wsinfra console %1</b></p><p>The operations console of the wsinfra real-time "
                          "service: live connections, memory pressure, leak reports, subscriptions and "
                          "broadcasts, over the service's control port.</p>")
                           .arg(QApplication::applicationVersion()));
}

QString MainWindow::connectionStatusText() const
{
    return m_stateLabel->text();
}

void MainWindow::refreshStatus()
{
    QString text;
    QString color;
    switch (m_session->connectionState()) {
    case ControlClient::State::Live:
        text = tr("Live");
        color = u"#1b7f3b"_s;
        break;
    case ControlClient::State::Lagging:
        text = tr("Lagging");
        color = u"#b06f00"_s;
        break;
    case ControlClient::State::Connecting:
        text = tr("Connecting...");
        color = u"#505050"_s;
        break;
    case ControlClient::State::Disconnected:
        text = m_reconnectNote.isEmpty() ? tr("Disconnected") : tr("Disconnected, %1").arg(m_reconnectNote);
        color = u"#b3261e"_s;
        break;
    }
    m_stateLabel->setText(text);
    m_stateLabel->setStyleSheet(u"QLabel { color: %1; font-weight: bold; }"_s.arg(color));
    m_serviceLabel->setText(m_session->serviceName());
    const ConsoleState &state = m_session->state();
    m_pushLabel->setText(state.hasSnapshot()
                             ? tr("update %1 at %2")
                                   .arg(state.seq())
                                   .arg(QDateTime::fromMSecsSinceEpoch(state.atMs()).toString(u"hh:mm:ss"_s))
                             : QString());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_settings->setValue("window/geometry"_L1, saveGeometry());
    m_session->disconnectFromService();
    event->accept();
}

} // namespace wsinfra
