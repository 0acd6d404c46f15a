#pragma once

#include "protocol/result.h"
#include "recentservers.h"

#include <QList>
#include <QMainWindow>

class QLabel;
class QListWidget;
class QSettings;
class QStackedWidget;

namespace wsinfra {

class ConsoleSession;

/// The console's window: the pages in a list on the left, the File menu (connect, export, quit), and a
/// status bar that says whether the link is live, lagging, reconnecting or down.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum Page { Overview, Connections, Memory, Leaks, Subscriptions, Broadcast, Events, PageCount };
    Q_ENUM(Page)

    /// `settings` keeps the recent services and the window's geometry; it must outlive the window.
    MainWindow(ConsoleSession *session, QSettings *settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    void showPage(Page page);
    Page currentPage() const;
    QWidget *page(Page page) const { return m_pages.at(page); }
    /// The page's title as the list shows it (translated).
    static QString pageTitle(Page page);
    /// A lower-case file-name stem for the page ("overview", "connections", ...).
    static QString pageKey(Page page);

    /// Connects to `server` and remembers it among the recent services.
    void connectTo(const RecentServers::Server &server);
    /// Writes what the console knows to `path` (.json or .csv), as File -> Export snapshot does.
    Result<bool> exportSnapshot(const QString &path);
    /// Saves a PNG of every page, `DIR/NN-key.png`, showing each in turn. Error: unavailable, naming the file.
    Result<bool> saveScreenshots(const QString &directory);

    /// File -> Connect: asks for a service and connects to it.
    void openConnectionDialog();

    /// The text of the status bar's connection state ("Live", "Lagging", ...), for tests.
    QString connectionStatusText() const;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void chooseExportFile();
    void showAbout();
    void refreshStatus();

    ConsoleSession *m_session;
    QSettings *m_settings;
    RecentServers m_recent;
    QListWidget *m_pageList;
    QStackedWidget *m_stack;
    QList<QWidget *> m_pages;
    QLabel *m_stateLabel;
    QLabel *m_serviceLabel;
    QLabel *m_pushLabel;
    QString m_reconnectNote; ///< why disconnected: "reconnecting in N s" while the client waits to retry, or a final
                             ///< TLS failure
};

} // namespace wsinfra
