// The console's table pages against the real service: the Connections page follows real clients coming and
// going (keeping the operator's selection), filters them and disconnects one for real (4503); the
// Subscriptions page shows who follows which bill, searches by bill and by user and charts the top bills
// without redrawing for nothing; the Events page shows the log live, filtered by level and text, following
// the newest events unless the operator scrolled away or paused.

#include "consolesession.h"
#include "consolestate.h"
#include "models/connectionsmodel.h"
#include "models/eventsmodel.h"
#include "models/subscriptionsmodel.h"
#include "servicefixture.h"
#include "ui/chartview.h"
#include "ui/pages/connectionspage.h"
#include "ui/pages/eventspage.h"
#include "ui/pages/subscriptionspage.h"
#include "wsclient.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMap>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QWebSocket>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test;

namespace {

constexpr char ControlToken[] = "table-pages-token";
constexpr int Timeout = 10'000;

/// The text of one column of every row a view shows, in the view's order.
QStringList column(const QTableView *view, int column)
{
    QStringList texts;
    for (int row = 0; row < view->model()->rowCount(); ++row)
        texts.append(view->model()->index(row, column).data().toString());
    return texts;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

/// The view's row whose `column` shows `text`, -1 when none.
int rowOf(const QTableView *view, int column, const QString &text)
{
    return int(::column(view, column).indexOf(text));
}

/// The bills a Subscriptions view shows, with their subscriber counts.
QMap<qint64, qint64> billsShown(const QTableView *view)
{
    QMap<qint64, qint64> bills;
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        const QModelIndex index = view->model()->index(row, SubscriptionsModel::BillId);
        bills.insert(index.data(SubscriptionsModel::BillIdRole).toLongLong(),
                     index.data(SubscriptionsModel::UsersRole).toStringList().size());
    }
    return bills;
}

QStringList listItems(const QListWidget *list)
{
    QStringList items;
    for (int i = 0; i < list->count(); ++i)
        items.append(list->item(i)->text());
    return items;
}

/// Saves a picture of `page` to $WSINFRA_PAGE_SHOTS/<name>.png when that is set, to look at the pages.
void shoot(QWidget *page, const QString &name)
{
    const QString dir = qEnvironmentVariable("WSINFRA_PAGE_SHOTS");
    if (!dir.isEmpty())
        page->grab().save(QDir(dir).filePath(name + u".png"_s));
}

} // namespace

class TestTablePages : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void connectionsFollowClients();
    void connectionsDisconnect();
    void subscriptionsMapBillsToUsers();
    void subscriptionsChartRedrawsOnlyOnChange();
    void eventsAreLive();
    void eventsFilterByLevel();
    void eventsFollowTheTail();

private:
    /// Waits for `pushes` more pushes of the session.
    void waitPushes(int pushes);

    ServiceProcess m_service;
    ConsoleSession *m_session = nullptr;
};

void TestTablePages::initTestCase()
{
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, QString::fromLatin1(ControlToken));
    QVERIFY2(m_service.start({u"--control-port"_s, u"0"_s, u"--control-interval"_s, u"100ms"_s}, environment),
             qPrintable(m_service.errorString()));
    QVERIFY(m_service.controlPort() != 0);
    m_session = new ConsoleSession(this);
    m_session->connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken));
    QTRY_VERIFY_WITH_TIMEOUT(m_session->state().hasSnapshot(), Timeout);
}

void TestTablePages::cleanupTestCase()
{
    delete m_session;
    m_session = nullptr;
    QCOMPARE(m_service.terminate(), 0);
}

void TestTablePages::waitPushes(int pushes)
{
    QSignalSpy updated(m_session, &ConsoleSession::updated);
    QTRY_VERIFY_WITH_TIMEOUT(updated.count() >= pushes, Timeout);
}

void TestTablePages::connectionsFollowClients()
{
    ConnectionsPage page(m_session);
    page.resize(1100, 700);
    page.show();
    auto *view = page.findChild<QTableView *>(u"connectionsView"_s);
    auto *filter = page.findChild<QLineEdit *>(u"filter"_s);
    auto *count = page.findChild<QLabel *>(u"count"_s);
    auto *detailUser = page.findChild<QLabel *>(u"detailUser"_s);
    auto *detailBills = page.findChild<QListWidget *>(u"detailBills"_s);
    QVERIFY(view && filter && count && detailUser && detailBills);

    WsClient amy;
    WsClient bob;
    WsClient cat;
    QVERIFY(amy.open(m_service.wsUrlFor(u"amy"_s)));
    QVERIFY(amy.subscribe(5));
    QVERIFY(bob.open(m_service.wsUrlFor(u"bob"_s)));
    QVERIFY(bob.subscribe(5));
    QVERIFY(bob.subscribe(6));
    QVERIFY(cat.open(m_service.wsUrlFor(u"cat"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(sorted(column(view, ConnectionsModel::User)), (QStringList{u"amy"_s, u"bob"_s, u"cat"_s}),
                              Timeout);
    QCOMPARE(count->text(), u"3 of 3 connections"_s);
    QCOMPARE(sorted(column(view, ConnectionsModel::Transport)),
             (QStringList{u"websocket"_s, u"websocket"_s, u"websocket"_s}));

    // The operator selects bob: the details show him and his bills.
    const int bobRow = rowOf(view, ConnectionsModel::User, u"bob"_s);
    QVERIFY(bobRow >= 0);
    const QString bobId = view->model()->index(bobRow, 0).data(ConnectionsModel::IdRole).toString();
    QVERIFY(!bobId.isEmpty());
    view->selectRow(bobRow);
    QCOMPARE(page.selectedIds(), QStringList{bobId});
    QCOMPARE(detailUser->text(), u"bob"_s);
    QCOMPARE(listItems(detailBills), (QStringList{u"Bill 5"_s, u"Bill 6"_s}));
    shoot(&page, u"connections"_s);

    // cat leaves: its row goes, bob stays selected.
    cat.close();
    QTRY_COMPARE_WITH_TIMEOUT(sorted(column(view, ConnectionsModel::User)), (QStringList{u"amy"_s, u"bob"_s}), Timeout);
    QCOMPARE(page.selectedIds(), QStringList{bobId});
    QCOMPARE(detailUser->text(), u"bob"_s);

    // bob's row changes (a new bill): still selected, and the details follow.
    QVERIFY(bob.subscribe(7));
    QTRY_COMPARE_WITH_TIMEOUT(listItems(detailBills), (QStringList{u"Bill 5"_s, u"Bill 6"_s, u"Bill 7"_s}), Timeout);
    QCOMPARE(page.selectedIds(), QStringList{bobId});
    QCOMPARE(view->model()->index(rowOf(view, ConnectionsModel::User, u"bob"_s), ConnectionsModel::Bills).data(),
             QVariant(u"3"_s));

    // The filter narrows the rows, case-insensitively, on user, id, address and transport.
    QTest::keyClicks(filter, u"127.0.0.1"_s);
    QCOMPARE(view->model()->rowCount(), 2);
    QCOMPARE(page.selectedIds(), QStringList{bobId}); // a filter that keeps bob keeps him selected
    filter->clear();
    QTest::keyClicks(filter, u"AMY"_s);
    QCOMPARE(column(view, ConnectionsModel::User), QStringList{u"amy"_s});
    QCOMPARE(count->text(), u"1 of 2 connections"_s);
    filter->setText(bobId);
    QCOMPARE(column(view, ConnectionsModel::User), QStringList{u"bob"_s});
    filter->setText(u"WebSocket"_s);
    QCOMPARE(view->model()->rowCount(), 2);
    filter->setText(u"socket.io"_s);
    QCOMPARE(view->model()->rowCount(), 0);
    QCOMPARE(count->text(), u"0 of 2 connections"_s);
    filter->clear();
    QCOMPARE(view->model()->rowCount(), 2);
}

void TestTablePages::connectionsDisconnect()
{
    ConnectionsPage page(m_session);
    page.resize(1100, 700);
    page.show();
    auto *view = page.findChild<QTableView *>(u"connectionsView"_s);
    auto *button = page.findChild<QPushButton *>(u"disconnect"_s);
    auto *status = page.findChild<QLabel *>(u"status"_s);
    QVERIFY(view && button && status);

    WsClient dora;
    WsClient ed;
    QVERIFY(dora.open(m_service.wsUrlFor(u"dora"_s)));
    QVERIFY(ed.open(m_service.wsUrlFor(u"ed"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(sorted(column(view, ConnectionsModel::User)), (QStringList{u"dora"_s, u"ed"_s}), Timeout);
    QVERIFY(!button->isEnabled()); // nothing selected
    QCOMPARE(page.disconnectSelected(false), 0);

    const int doraRow = rowOf(view, ConnectionsModel::User, u"dora"_s);
    const QString doraId = view->model()->index(doraRow, 0).data(ConnectionsModel::IdRole).toString();
    view->selectRow(doraRow);
    QVERIFY(button->isEnabled());
    QCOMPARE(page.disconnectSelected(false), 1);
    QVERIFY(dora.waitClosed());
    QCOMPARE(dora.closeCode(), 4503);
    QVERIFY(ed.isOpen());
    QTRY_COMPARE_WITH_TIMEOUT(column(view, ConnectionsModel::User), QStringList{u"ed"_s}, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), u"Connection %1 was closed."_s.arg(doraId), Timeout);
    QVERIFY(page.selectedIds().isEmpty());
    QVERIFY(!button->isEnabled());
}

void TestTablePages::subscriptionsMapBillsToUsers()
{
    SubscriptionsPage page(m_session);
    page.resize(1100, 700);
    page.show();
    auto *view = page.findChild<QTableView *>(u"billsView"_s);
    auto *search = page.findChild<QLineEdit *>(u"search"_s);
    auto *users = page.findChild<QListWidget *>(u"users"_s);
    auto *chartView = page.findChild<ChartView *>(u"topChart"_s);
    QVERIFY(view && search && users && chartView);

    WsClient dan;
    WsClient eve;
    QVERIFY(dan.open(m_service.wsUrlFor(u"dan"_s)));
    QVERIFY(dan.subscribe(7));
    QVERIFY(dan.subscribe(9));
    QVERIFY(eve.open(m_service.wsUrlFor(u"eve"_s)));
    QVERIFY(eve.subscribe(9));
    // (The clients of the tests before have left: their bills go too.)
    QTRY_COMPARE_WITH_TIMEOUT(billsShown(view), (QMap<qint64, qint64>{{7, 1}, {9, 2}}), Timeout);
    // Most-followed first.
    QCOMPARE(column(view, SubscriptionsModel::BillId), (QStringList{u"9"_s, u"7"_s}));

    // Search: digits for a bill, text for a user.
    QTest::keyClicks(search, u"9"_s);
    QCOMPARE(billsShown(view), (QMap<qint64, qint64>{{9, 2}}));
    search->setText(u"EVE"_s);
    QCOMPARE(billsShown(view), (QMap<qint64, qint64>{{9, 2}}));
    search->setText(u"dan"_s);
    QCOMPARE(billsShown(view), (QMap<qint64, qint64>{{7, 1}, {9, 2}}));
    search->setText(u"zed"_s);
    QCOMPARE(view->model()->rowCount(), 0);
    search->setText(u"42"_s);
    QCOMPARE(view->model()->rowCount(), 0);
    search->clear();
    QCOMPARE(view->model()->rowCount(), 2);

    // Drill-down: the followers of the selected bill, live.
    QVERIFY(users->count() == 0);
    view->selectRow(rowOf(view, SubscriptionsModel::BillId, u"9"_s));
    QCOMPARE(listItems(users), (QStringList{u"dan"_s, u"eve"_s}));
    WsClient fay;
    QVERIFY(fay.open(m_service.wsUrlFor(u"fay"_s)));
    QVERIFY(fay.subscribe(9));
    QTRY_COMPARE_WITH_TIMEOUT(listItems(users), (QStringList{u"dan"_s, u"eve"_s, u"fay"_s}), Timeout);
    QCOMPARE(view->selectionModel()->selectedRows().value(0).data(SubscriptionsModel::BillIdRole), QVariant(9LL));
    // A double-click on a user searches the bills it follows.
    users->itemActivated(users->item(0));
    QCOMPARE(search->text(), u"dan"_s);
    QCOMPARE(billsShown(view), (QMap<qint64, qint64>{{7, 1}, {9, 3}}));
    search->clear();

    // The chart: the bills, most-followed on top.
    const QList<std::pair<qint64, qint64>> top{{9, 3}, {7, 1}};
    QCOMPARE(page.topBills(), top);
    const QList<QAbstractSeries *> series = chartView->chart()->series();
    QCOMPARE(series.size(), 1);
    auto *bars = qobject_cast<QHorizontalBarSeries *>(series.constFirst());
    QVERIFY(bars);
    QCOMPARE(bars->barSets().size(), 1);
    const QBarSet *set = bars->barSets().constFirst();
    QCOMPARE(set->count(), 2);
    QCOMPARE(set->at(0), 1.0); // bill 7, at the bottom
    QCOMPARE(set->at(1), 3.0); // bill 9, on top
    auto *axis = qobject_cast<QBarCategoryAxis *>(chartView->chart()->axes(Qt::Vertical).value(0));
    QVERIFY(axis);
    QCOMPARE(axis->categories(), (QStringList{u"7"_s, u"9"_s}));
    shoot(&page, u"subscriptions"_s);
}

void TestTablePages::subscriptionsChartRedrawsOnlyOnChange()
{
    SubscriptionsPage page(m_session);
    page.resize(1100, 700);
    page.show();
    auto *chartView = page.findChild<ChartView *>(u"topChart"_s);
    QVERIFY(chartView);
    auto *bars = qobject_cast<QHorizontalBarSeries *>(chartView->chart()->series().value(0));
    QVERIFY(bars && bars->count() == 1);
    QBarSet *set = bars->barSets().constFirst();

    // The clients of the test before have left.
    QTRY_VERIFY_WITH_TIMEOUT(m_session->state().subscriptions().isEmpty(), Timeout);
    // Bill 103 followed by three clients, 102 by two, and 200..208 by one each: the top 10 leaves 208 out.
    WsClient one;
    WsClient two;
    WsClient three;
    QVERIFY(one.open(m_service.wsUrlFor(u"one"_s)));
    QVERIFY(two.open(m_service.wsUrlFor(u"two"_s)));
    QVERIFY(three.open(m_service.wsUrlFor(u"three"_s)));
    for (WsClient *client : {&one, &two, &three})
        QVERIFY(client->subscribe(103));
    for (WsClient *client : {&one, &two})
        QVERIFY(client->subscribe(102));
    for (qint64 bill = 200; bill < 209; ++bill)
        QVERIFY(three.subscribe(bill));
    QTRY_COMPARE_WITH_TIMEOUT(page.topBills().size(), 10, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(page.topBills().value(0), (std::pair<qint64, qint64>(103, 3)), Timeout);
    QCOMPARE(page.topBills().value(1), (std::pair<qint64, qint64>(102, 2)));
    // Equal counts: the lower bills first, so 208 is the one left out.
    QCOMPARE(page.topBills().value(9), (std::pair<qint64, qint64>(207, 1)));
    QCOMPARE(set->count(), 10);

    // Pushes that do not change the top 10 do not touch the chart...
    QSignalSpy added(set, &QBarSet::valuesAdded);
    QSignalSpy removed(set, &QBarSet::valuesRemoved);
    waitPushes(5);
    QCOMPARE(added.count(), 0);
    QCOMPARE(removed.count(), 0);
    // ... nor does one outside it (a new bill of one follower, after 200..207)...
    QVERIFY(one.subscribe(301));
    waitPushes(5);
    QCOMPARE(added.count(), 0);
    // ... a change inside it does.
    QVERIFY(one.subscribe(208));
    QVERIFY(two.subscribe(208));
    QTRY_COMPARE_WITH_TIMEOUT(page.topBills().value(0), (std::pair<qint64, qint64>(103, 3)), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(page.topBills().value(1), (std::pair<qint64, qint64>(208, 3)), Timeout);
    QVERIFY(added.count() > 0);
    QCOMPARE(set->at(set->count() - 2), 3.0);
}

void TestTablePages::eventsAreLive()
{
    EventsPage page(m_session);
    page.resize(1100, 700);
    page.show();
    auto *view = page.findChild<QTableView *>(u"eventsView"_s);
    auto *filter = page.findChild<QLineEdit *>(u"filter"_s);
    QVERIFY(view && filter);

    // The service's start event, from the snapshot.
    QVERIFY(column(view, EventsModel::Category).contains(u"service"_s));
    // A command of the console is written to the log, and shows here with the next push.
    const QString ghost = u"n-ghost-%1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    QVERIFY(!m_session->disconnectConnection(ghost).isUndefined());
    QTRY_VERIFY_WITH_TIMEOUT(column(view, EventsModel::Message).join(u'\n').contains(ghost), Timeout);
    const QStringList messages = column(view, EventsModel::Message);
    const auto found = std::find_if(messages.cbegin(), messages.cend(),
                                    [&ghost](const QString &message) { return message.contains(ghost); });
    const int row = int(found - messages.cbegin());
    QCOMPARE(view->model()->index(row, EventsModel::Category).data().toString(), u"control"_s);
    QCOMPARE(view->model()->index(row, EventsModel::Level).data(EventsModel::LevelRole).toString(), u"info"_s);

    // The text filter finds it by message and by category.
    filter->setText(ghost);
    QCOMPARE(view->model()->rowCount(), 1);
    filter->setText(u"CONTROL"_s);
    const QStringList categories = column(view, EventsModel::Category);
    QVERIFY(!categories.isEmpty());
    QCOMPARE(categories.count(u"control"_s), categories.size());
    QVERIFY(view->model()->rowCount() < m_session->eventsModel()->rowCount());
    filter->clear();
    QCOMPARE(view->model()->rowCount(), m_session->eventsModel()->rowCount());
}

void TestTablePages::eventsFilterByLevel()
{
    // Five failed hellos from one address: the service logs a warning (and refuses new consoles from it for a
    // minute; the session of this test is already in, and this is the last test that needs a new one).
    for (int i = 0; i < 5; ++i) {
        QWebSocket socket;
        QSignalSpy closed(&socket, &QWebSocket::disconnected);
        socket.open(QUrl(u"ws://127.0.0.1:%1/"_s.arg(m_service.controlPort())));
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, Timeout);
        socket.sendTextMessage(u"{\"type\":\"hello\",\"version\":1,\"token\":\"wrong\",\"client\":\"test\"}"_s);
        QTRY_VERIFY_WITH_TIMEOUT(closed.count() > 0, Timeout);
    }

    EventsPage page(m_session);
    page.resize(1100, 700);
    page.show();
    auto *view = page.findChild<QTableView *>(u"eventsView"_s);
    auto *level = page.findChild<QComboBox *>(u"level"_s);
    auto *count = page.findChild<QLabel *>(u"count"_s);
    QVERIFY(view && level && count);
    const auto levels = [view] {
        QStringList texts;
        for (int row = 0; row < view->model()->rowCount(); ++row)
            texts.append(view->model()->index(row, 0).data(EventsModel::LevelRole).toString());
        return texts;
    };
    QTRY_VERIFY_WITH_TIMEOUT(levels().contains(u"warning"_s), Timeout);
    QVERIFY(levels().contains(u"info"_s));
    // Coloured by level.
    const int warningRow = int(levels().indexOf(u"warning"_s));
    const int infoRow = int(levels().indexOf(u"info"_s));
    QVERIFY(view->model()->index(warningRow, EventsModel::Message).data(Qt::BackgroundRole).isValid());
    QVERIFY(view->model()->index(warningRow, EventsModel::Message).data(Qt::ForegroundRole).isValid());
    QVERIFY(!view->model()->index(infoRow, EventsModel::Message).data(Qt::BackgroundRole).isValid());
    shoot(&page, u"events"_s);

    level->setCurrentIndex(EventsPage::WarningsAndErrors);
    QStringList shown = levels();
    QVERIFY(shown.contains(u"warning"_s));
    QVERIFY(!shown.contains(u"info"_s));
    QCOMPARE(count->text(), u"%1 of %2 events"_s.arg(shown.size()).arg(m_session->eventsModel()->rowCount()));
    level->setCurrentIndex(EventsPage::ErrorsOnly);
    shown = levels();
    QCOMPARE(shown.count(u"error"_s), shown.size());
    level->setCurrentIndex(EventsPage::AllLevels);
    QCOMPARE(view->model()->rowCount(), m_session->eventsModel()->rowCount());
}

void TestTablePages::eventsFollowTheTail()
{
    EventsPage page(m_session);
    page.resize(900, 260); // a few rows only, so that the log scrolls
    page.show();
    auto *view = page.findChild<QTableView *>(u"eventsView"_s);
    auto *pause = page.findChild<QPushButton *>(u"pause"_s);
    QVERIFY(view && pause);
    QScrollBar *bar = view->verticalScrollBar();

    const auto logSomething = [this](int events) {
        const int before = m_session->eventsModel()->rowCount();
        for (int i = 0; i < events; ++i)
            QVERIFY(!m_session->disconnectConnection(u"n-none-%1"_s.arg(i)).isUndefined());
        QTRY_VERIFY_WITH_TIMEOUT(m_session->eventsModel()->rowCount() >= before + events, Timeout);
    };
    logSomething(20);
    QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > 0, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(bar->value(), bar->maximum(), Timeout);
    QVERIFY(page.isFollowing());

    // New events scroll to them.
    const int oldMaximum = bar->maximum();
    logSomething(3);
    QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > oldMaximum, Timeout);
    QCOMPARE(bar->value(), bar->maximum());

    // Scrolled up: it stays where the operator reads.
    bar->setValue(0);
    QVERIFY(!page.isFollowing());
    logSomething(3);
    QCOMPARE(bar->value(), 0);

    // Back at the end it follows again; paused it does not.
    bar->setValue(bar->maximum());
    QVERIFY(page.isFollowing());
    pause->click();
    QVERIFY(!page.isFollowing());
    const int pausedAt = bar->value();
    logSomething(3);
    QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > pausedAt, Timeout);
    QCOMPARE(bar->value(), pausedAt);
    pause->click();
    QCOMPARE(bar->value(), bar->maximum());
    QVERIFY(page.isFollowing());
}

QTEST_MAIN(TestTablePages)
#include "tst_tablepages.moc"
