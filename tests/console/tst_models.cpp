// The console's item models over ConsoleState: rows after a snapshot, deltas merged in place with exactly the
// row signals they need (and no reset), snapshots and missed pushes resetting, numeric sorting through a proxy,
// hostile row fields shown without harm, and every step checked by QAbstractItemModelTester.

#include "consolepushes.h"
#include "consolestate.h"
#include "models/connectionsmodel.h"
#include "models/eventsmodel.h"
#include "models/subscriptionsmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QTest>

#include <ctime>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test::pushes;

namespace {

// Every structural signal of a model, in order, as text: "reset", "inserted 2-3", "removed 0-0",
// "changed 1-1 0-9" (rows, then columns).
class SignalLog
{
public:
    explicit SignalLog(QAbstractItemModel *model)
    {
        QObject::connect(model, &QAbstractItemModel::modelReset, &m_context, [this] { m_entries.append(u"reset"_s); });
        QObject::connect(model, &QAbstractItemModel::rowsInserted, &m_context,
                         [this](const QModelIndex &, int first, int last) {
                             m_entries.append(u"inserted %1-%2"_s.arg(first).arg(last));
                         });
        QObject::connect(model, &QAbstractItemModel::rowsRemoved, &m_context,
                         [this](const QModelIndex &, int first, int last) {
                             m_entries.append(u"removed %1-%2"_s.arg(first).arg(last));
                         });
        QObject::connect(model, &QAbstractItemModel::dataChanged, &m_context,
                         [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                             m_entries.append(u"changed %1-%2 %3-%4"_s.arg(topLeft.row())
                                                  .arg(bottomRight.row())
                                                  .arg(topLeft.column())
                                                  .arg(bottomRight.column()));
                         });
        QObject::connect(model, &QAbstractItemModel::layoutChanged, &m_context,
                         [this] { m_entries.append(u"layout"_s); });
        QObject::connect(model, &QAbstractItemModel::columnsInserted, &m_context,
                         [this] { m_entries.append(u"columns"_s); });
    }

    QStringList take() { return std::exchange(m_entries, {}); }

private:
    QObject m_context;
    QStringList m_entries;
};

// A state with the three models over it, each under QAbstractItemModelTester for the whole sequence
// unless the case is about scale: the tester re-reads every row after each signal, which turns a
// thousand-row case into minutes under ASan without checking anything the small cases do not.
struct Fixture
{
    enum class Testers { On, Off };

    explicit Fixture(const ConsoleState::Limits &limits = {}, Testers testers = Testers::On) : state(limits)
    {
        if (testers == Testers::Off)
            return;
        constexpr auto mode = QAbstractItemModelTester::FailureReportingMode::QtTest;
        connectionsTester.emplace(&connections, mode);
        subscriptionsTester.emplace(&subscriptions, mode);
        eventsTester.emplace(&events, mode);
    }

    // Applies a push the test means to be valid and updates every model.
    bool apply(const QJsonObject &push)
    {
        QString error;
        if (!state.apply(push, &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        update();
        return true;
    }

    void update()
    {
        connections.update(state);
        subscriptions.update(state);
        events.update(state);
    }

    ConsoleState state;
    ConnectionsModel connections;
    SubscriptionsModel subscriptions;
    EventsModel events;
    std::optional<QAbstractItemModelTester> connectionsTester;
    std::optional<QAbstractItemModelTester> subscriptionsTester;
    std::optional<QAbstractItemModelTester> eventsTester;
};

QStringList column(const QAbstractItemModel &model, int column, int role = Qt::DisplayRole)
{
    QStringList values;
    for (int row = 0; row < model.rowCount(); ++row)
        values.append(model.index(row, column).data(role).toString());
    return values;
}

// The base of the delta cases: connections a, b, c, d (in that order), bills 7 and 9, events 1-2.
QJsonObject baseSnapshot()
{
    return snapshot(
        1, {row(u"a"_s, u"amy"_s, {7, 9}), row(u"b"_s, u"bob"_s, {7}), row(u"c"_s, u"cid"_s), row(u"d"_s, u"dan"_s)},
        {bill(7, {u"amy"_s, u"bob"_s}), bill(9, {u"amy"_s})}, events(1, 2));
}

} // namespace

class TestModels : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void snapshotRows();
    void connectionCells_data();
    void connectionCells();
    void hostileRowFields_data();
    void hostileRowFields();
    void headers();
    void connectionDeltas_data();
    void connectionDeltas();
    void subscriptionDeltas_data();
    void subscriptionDeltas();
    void eventDeltas();
    void eventsBoundDropsOldest();
    void secondSnapshotMergesInPlace();
    void reconnectSnapshotMergesInPlace();
    void refusedPushChangesNothing();
    void missedPushResyncs();
    void sortsNumerically();
    void thousandConnections();
};

void TestModels::initTestCase()
{
    // Times show as local time and sizes in the default locale: fix both so the expected texts hold.
    qputenv("TZ", "UTC");
    tzset();
    QLocale::setDefault(QLocale::c());
}

void TestModels::snapshotRows()
{
    Fixture f;
    QVERIFY(f.apply(baseSnapshot()));
    QCOMPARE(f.connections.rowCount(), 4);
    QCOMPARE(f.connections.columnCount(), int(ConnectionsModel::ColumnCount));
    QCOMPARE(column(f.connections, ConnectionsModel::Id), (QStringList{u"a"_s, u"b"_s, u"c"_s, u"d"_s}));
    QCOMPARE(column(f.connections, ConnectionsModel::User), (QStringList{u"amy"_s, u"bob"_s, u"cid"_s, u"dan"_s}));

    QCOMPARE(f.subscriptions.rowCount(), 2);
    QCOMPARE(f.subscriptions.columnCount(), int(SubscriptionsModel::ColumnCount));
    QCOMPARE(column(f.subscriptions, SubscriptionsModel::BillId), (QStringList{u"7"_s, u"9"_s}));
    QCOMPARE(column(f.subscriptions, SubscriptionsModel::Subscribers), (QStringList{u"2"_s, u"1"_s}));
    QCOMPARE(column(f.subscriptions, SubscriptionsModel::Users), (QStringList{u"amy, bob"_s, u"amy"_s}));
    QCOMPARE(f.subscriptions.index(0, 0).data(SubscriptionsModel::UsersRole).toStringList(),
             (QStringList{u"amy"_s, u"bob"_s}));
    QCOMPARE(f.subscriptions.index(1, SubscriptionsModel::Users).data(SubscriptionsModel::BillIdRole),
             QVariant(qint64(9)));

    QCOMPARE(f.events.rowCount(), 2);
    QCOMPARE(f.events.columnCount(), int(EventsModel::ColumnCount));
    QCOMPARE(column(f.events, EventsModel::Time), (QStringList{u"22:13:21"_s, u"22:13:22"_s}));
    QCOMPARE(column(f.events, EventsModel::Level), (QStringList{u"info"_s, u"info"_s}));
    QCOMPARE(column(f.events, EventsModel::Category), (QStringList{u"service"_s, u"service"_s}));
    QCOMPARE(column(f.events, EventsModel::Message), (QStringList{u"event 1"_s, u"event 2"_s}));
    QCOMPARE(f.events.index(1, EventsModel::Message).data(EventsModel::IdRole), QVariant(qint64(2)));
    QCOMPARE(f.events.index(0, EventsModel::Time).data(Qt::ToolTipRole).toString(), u"2023-11-14 22:13:21.000"_s);

    // Off-model indexes read as nothing.
    QVERIFY(!f.connections.data({}, Qt::DisplayRole).isValid());
    QVERIFY(!f.connections.index(4, 0).isValid());
    QCOMPARE(f.connections.rowCount(f.connections.index(0, 0)), 0);
}

void TestModels::connectionCells_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("role");
    QTest::addColumn<QVariant>("expected");

    const int display = Qt::DisplayRole;
    const int sort = ConnectionsModel::SortRole;
    QTest::newRow("id") << int(ConnectionsModel::Id) << display << QVariant(u"a"_s);
    QTest::newRow("user") << int(ConnectionsModel::User) << display << QVariant(u"amy"_s);
    QTest::newRow("address") << int(ConnectionsModel::Address) << display << QVariant(u"127.0.0.1"_s);
    QTest::newRow("transport") << int(ConnectionsModel::Transport) << display << QVariant(u"websocket"_s);
    QTest::newRow("since") << int(ConnectionsModel::ConnectedSince) << display << QVariant(u"22:13:20"_s);
    QTest::newRow("since sort") << int(ConnectionsModel::ConnectedSince) << sort << QVariant(T0);
    QTest::newRow("bills") << int(ConnectionsModel::Bills) << display << QVariant(u"2"_s);
    QTest::newRow("bills sort") << int(ConnectionsModel::Bills) << sort << QVariant(qint64(2));
    QTest::newRow("bills tooltip") << int(ConnectionsModel::Bills) << int(Qt::ToolTipRole) << QVariant(u"7, 9"_s);
    QTest::newRow("no tooltip elsewhere") << int(ConnectionsModel::User) << int(Qt::ToolTipRole) << QVariant();
    QTest::newRow("bills role") << int(ConnectionsModel::User) << int(ConnectionsModel::BillsRole)
                                << QVariant(QVariantList{qint64(7), qint64(9)});
    QTest::newRow("queued") << int(ConnectionsModel::QueuedBytes) << display << QVariant(u"1.2 KB"_s);
    QTest::newRow("queued sort") << int(ConnectionsModel::QueuedBytes) << sort << QVariant(qint64(1234));
    QTest::newRow("messages in") << int(ConnectionsModel::MessagesIn) << display << QVariant(u"3"_s);
    QTest::newRow("messages in sort") << int(ConnectionsModel::MessagesIn) << sort << QVariant(qint64(3));
    QTest::newRow("messages out") << int(ConnectionsModel::MessagesOut) << display
                                  << QVariant(u"12345"_s); // C locale: no group separator
    QTest::newRow("messages out sort") << int(ConnectionsModel::MessagesOut) << sort << QVariant(qint64(12345));
    QTest::newRow("last seen") << int(ConnectionsModel::LastSeen) << display << QVariant(u"22:13:20"_s);
    QTest::newRow("id role") << int(ConnectionsModel::LastSeen) << int(ConnectionsModel::IdRole) << QVariant(u"a"_s);
    QTest::newRow("user sort") << int(ConnectionsModel::User) << sort << QVariant(u"amy"_s);
    QTest::newRow("unknown role") << int(ConnectionsModel::User) << int(Qt::UserRole + 100) << QVariant();
}

void TestModels::connectionCells()
{
    QFETCH(int, column);
    QFETCH(int, role);
    QFETCH(QVariant, expected);

    Fixture f;
    QJsonObject amy = row(u"a"_s, u"amy"_s, {7, 9}, 1234);
    amy.insert(u"messages_in"_s, 3);
    amy.insert(u"messages_out"_s, 12345);
    QVERIFY(f.apply(snapshot(1, {amy})));
    const QVariant value = f.connections.index(0, column).data(role);
    QCOMPARE(value, expected);
    QCOMPARE(value.metaType(), expected.metaType()); // qint64, not a string, for the proxy's numeric sort
}

void TestModels::hostileRowFields_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("display");
    QTest::addColumn<QVariant>("sort");

    const int queued = ConnectionsModel::QueuedBytes;
    const int since = ConnectionsModel::ConnectedSince;
    const int bills = ConnectionsModel::Bills;
    const int user = ConnectionsModel::User;
    QTest::newRow("user missing") << u"user"_s << QJsonValue(QJsonValue::Undefined) << user << QString()
                                  << QVariant(QString());
    QTest::newRow("user a number") << u"user"_s << QJsonValue(42) << user << QString() << QVariant(QString());
    QTest::newRow("user an object") << u"user"_s << QJsonValue(QJsonObject{{u"x"_s, 1}}) << user << QString()
                                    << QVariant(QString());
    QTest::newRow("user with NUL") << u"user"_s << QJsonValue(QString(u"a\0b"_s)) << user << QString(u"a\0b"_s)
                                   << QVariant(QString(u"a\0b"_s));
    QTest::newRow("queued a string") << u"queued_bytes"_s << QJsonValue(u"1000"_s) << queued << u"0 bytes"_s
                                     << QVariant(qint64(0));
    QTest::newRow("queued huge") << u"queued_bytes"_s << QJsonValue(1e300) << queued << u"8.0 PB"_s
                                 << QVariant((qint64(1) << 53) - 1);
    QTest::newRow("queued negative huge")
        << u"queued_bytes"_s << QJsonValue(-1e300) << queued << u"-8.0 PB"_s << QVariant(-((qint64(1) << 53) - 1));
    QTest::newRow("queued fractional") << u"queued_bytes"_s << QJsonValue(2.9) << queued << u"2 bytes"_s
                                       << QVariant(qint64(2));
    QTest::newRow("queued null") << u"queued_bytes"_s << QJsonValue(QJsonValue::Null) << queued << u"0 bytes"_s
                                 << QVariant(qint64(0));
    QTest::newRow("since missing") << u"since"_s << QJsonValue(QJsonValue::Undefined) << since << QString()
                                   << QVariant(qint64(0));
    QTest::newRow("since a string") << u"since"_s << QJsonValue(u"yesterday"_s) << since << QString()
                                    << QVariant(qint64(0));
    QTest::newRow("bills not an array") << u"bills"_s << QJsonValue(7) << bills << u"0"_s << QVariant(qint64(0));
    QTest::newRow("bills with strings") << u"bills"_s << QJsonValue(QJsonArray{7, u"x"_s, QJsonObject{}, 9}) << bills
                                        << u"2"_s << QVariant(qint64(2));
    QTest::newRow("bills nested") << u"bills"_s << QJsonValue(QJsonArray{QJsonArray{QJsonArray{1}}}) << bills << u"0"_s
                                  << QVariant(qint64(0));
}

void TestModels::hostileRowFields()
{
    QFETCH(QString, field);
    QFETCH(QJsonValue, value);
    QFETCH(int, column);
    QFETCH(QString, display);
    QFETCH(QVariant, sort);

    QJsonObject hostile = row(u"a"_s, u"amy"_s, {7});
    if (value.isUndefined())
        hostile.remove(field);
    else
        hostile.insert(field, value);
    Fixture f;
    QVERIFY(f.apply(snapshot(1, {hostile})));
    QCOMPARE(f.connections.rowCount(), 1);
    QCOMPARE(f.connections.index(0, column).data().toString(), display);
    QCOMPARE(f.connections.index(0, column).data(ConnectionsModel::SortRole), sort);
    QCOMPARE(f.connections.index(0, ConnectionsModel::Id).data().toString(), u"a"_s);
}

void TestModels::headers()
{
    ConnectionsModel connections;
    SubscriptionsModel subscriptions;
    EventsModel events;
    const auto headers = [](const QAbstractItemModel &model) {
        QStringList texts;
        for (int section = 0; section < model.columnCount(); ++section)
            texts.append(model.headerData(section, Qt::Horizontal).toString());
        return texts;
    };
    QCOMPARE(headers(connections), (QStringList{u"Id"_s, u"User"_s, u"Address"_s, u"Transport"_s, u"Connected since"_s,
                                                u"Bills"_s, u"Queued"_s, u"In"_s, u"Out"_s, u"Last seen"_s}));
    QCOMPARE(headers(subscriptions), (QStringList{u"Bill"_s, u"Subscribers"_s, u"Users"_s}));
    QCOMPARE(headers(events), (QStringList{u"Time"_s, u"Level"_s, u"Category"_s, u"Message"_s}));
    QVERIFY(!connections.headerData(ConnectionsModel::ColumnCount, Qt::Horizontal).isValid());
    QVERIFY(!connections.headerData(-1, Qt::Horizontal).isValid());
    QVERIFY(!events.headerData(0, Qt::Horizontal, Qt::ToolTipRole).isValid());
}

void TestModels::connectionDeltas_data()
{
    QTest::addColumn<QJsonArray>("added");
    QTest::addColumn<QJsonArray>("changed");
    QTest::addColumn<QStringList>("removed");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QStringList>("ids");

    const QStringList base{u"a"_s, u"b"_s, u"c"_s, u"d"_s};
    QTest::newRow("nothing") << QJsonArray{} << QJsonArray{} << QStringList{} << QStringList{} << base;
    QTest::newRow("add one") << QJsonArray{row(u"e"_s, u"eve"_s)} << QJsonArray{} << QStringList{}
                             << QStringList{u"inserted 4-4"_s} << (base + QStringList{u"e"_s});
    QTest::newRow("add two in push order")
        << QJsonArray{row(u"z"_s, u"zed"_s), row(u"e"_s, u"eve"_s)} << QJsonArray{} << QStringList{}
        << QStringList{u"inserted 4-5"_s} << (base + QStringList{u"z"_s, u"e"_s});
    QTest::newRow("change one") << QJsonArray{} << QJsonArray{row(u"b"_s, u"bob"_s, {7, 8})} << QStringList{}
                                << QStringList{u"changed 1-1 0-9"_s} << base;
    QTest::newRow("change two apart") << QJsonArray{} << QJsonArray{row(u"d"_s, u"dee"_s), row(u"a"_s, u"ann"_s)}
                                      << QStringList{} << QStringList{u"changed 0-0 0-9"_s, u"changed 3-3 0-9"_s}
                                      << base;
    QTest::newRow("change two adjacent") << QJsonArray{} << QJsonArray{row(u"c"_s, u"cy"_s), row(u"b"_s, u"bo"_s)}
                                         << QStringList{} << QStringList{u"changed 1-2 0-9"_s} << base;
    QTest::newRow("change to the same row")
        << QJsonArray{} << QJsonArray{row(u"c"_s, u"cid"_s)} << QStringList{} << QStringList{} << base;
    QTest::newRow("remove first") << QJsonArray{} << QJsonArray{} << QStringList{u"a"_s}
                                  << QStringList{u"removed 0-0"_s} << QStringList{u"b"_s, u"c"_s, u"d"_s};
    QTest::newRow("remove last") << QJsonArray{} << QJsonArray{} << QStringList{u"d"_s} << QStringList{u"removed 3-3"_s}
                                 << QStringList{u"a"_s, u"b"_s, u"c"_s};
    QTest::newRow("remove apart, bottom first")
        << QJsonArray{} << QJsonArray{} << QStringList{u"a"_s, u"c"_s}
        << QStringList{u"removed 2-2"_s, u"removed 0-0"_s} << QStringList{u"b"_s, u"d"_s};
    QTest::newRow("remove a run") << QJsonArray{} << QJsonArray{} << QStringList{u"c"_s, u"b"_s}
                                  << QStringList{u"removed 1-2"_s} << QStringList{u"a"_s, u"d"_s};
    QTest::newRow("remove all") << QJsonArray{} << QJsonArray{} << base << QStringList{u"removed 0-3"_s}
                                << QStringList{};
    QTest::newRow("remove unknown") << QJsonArray{} << QJsonArray{} << QStringList{u"nobody"_s} << QStringList{}
                                    << base;
    QTest::newRow("add, change, remove") << QJsonArray{row(u"e"_s, u"eve"_s)} << QJsonArray{row(u"d"_s, u"dee"_s)}
                                         << QStringList{u"b"_s}
                                         << QStringList{u"removed 1-1"_s, u"inserted 3-3"_s, u"changed 2-2 0-9"_s}
                                         << QStringList{u"a"_s, u"c"_s, u"d"_s, u"e"_s};
    QTest::newRow("removed and added again")
        << QJsonArray{row(u"a"_s, u"amy"_s, {7, 9})} << QJsonArray{} << QStringList{u"a"_s}
        << QStringList{u"removed 0-0"_s, u"inserted 3-3"_s} << QStringList{u"b"_s, u"c"_s, u"d"_s, u"a"_s};
    QTest::newRow("added that exists is a change") << QJsonArray{row(u"b"_s, u"bea"_s)} << QJsonArray{} << QStringList{}
                                                   << QStringList{u"changed 1-1 0-9"_s} << base;
    QTest::newRow("changed that is new is an addition")
        << QJsonArray{} << QJsonArray{row(u"f"_s, u"fay"_s)} << QStringList{} << QStringList{u"inserted 4-4"_s}
        << (base + QStringList{u"f"_s});
}

void TestModels::connectionDeltas()
{
    QFETCH(QJsonArray, added);
    QFETCH(QJsonArray, changed);
    QFETCH(QStringList, removed);
    QFETCH(QStringList, expected);
    QFETCH(QStringList, ids);

    Fixture f;
    QVERIFY(f.apply(baseSnapshot()));
    SignalLog log(&f.connections);
    SignalLog otherLog(&f.subscriptions);
    QVERIFY(f.apply(delta(2, added, changed, removed)));
    QCOMPARE(log.take(), expected);
    QCOMPARE(otherLog.take(), QStringList{});
    QCOMPARE(column(f.connections, ConnectionsModel::Id), ids);
    // Each row shows what the state holds for its id.
    for (int r = 0; r < f.connections.rowCount(); ++r) {
        const QString id = f.connections.index(r, 0).data(ConnectionsModel::IdRole).toString();
        QVERIFY(f.state.connections().contains(id));
        QCOMPARE(f.connections.index(r, ConnectionsModel::User).data().toString(),
                 f.state.connections().value(id).value("user"_L1).toString());
    }
}

void TestModels::subscriptionDeltas_data()
{
    QTest::addColumn<QJsonArray>("changed");
    QTest::addColumn<QJsonArray>("removed");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QStringList>("users");

    QTest::newRow("nothing") << QJsonArray{} << QJsonArray{} << QStringList{} << QStringList{u"amy, bob"_s, u"amy"_s};
    QTest::newRow("new bill") << QJsonArray{bill(3, {u"cid"_s})} << QJsonArray{} << QStringList{u"inserted 2-2"_s}
                              << QStringList{u"amy, bob"_s, u"amy"_s, u"cid"_s};
    QTest::newRow("changed bill") << QJsonArray{bill(9, {u"amy"_s, u"dan"_s})} << QJsonArray{}
                                  << QStringList{u"changed 1-1 0-2"_s} << QStringList{u"amy, bob"_s, u"amy, dan"_s};
    QTest::newRow("same users") << QJsonArray{bill(9, {u"amy"_s})} << QJsonArray{} << QStringList{}
                                << QStringList{u"amy, bob"_s, u"amy"_s};
    QTest::newRow("removed bill") << QJsonArray{} << QJsonArray{7} << QStringList{u"removed 0-0"_s}
                                  << QStringList{u"amy"_s};
    QTest::newRow("removed unknown bill")
        << QJsonArray{} << QJsonArray{12345} << QStringList{} << QStringList{u"amy, bob"_s, u"amy"_s};
    QTest::newRow("all at once") << QJsonArray{bill(9, {}), bill(11, {u"eve"_s})} << QJsonArray{7}
                                 << QStringList{u"removed 0-0"_s, u"inserted 1-1"_s, u"changed 0-0 0-2"_s}
                                 << QStringList{QString(), u"eve"_s};
}

void TestModels::subscriptionDeltas()
{
    QFETCH(QJsonArray, changed);
    QFETCH(QJsonArray, removed);
    QFETCH(QStringList, expected);
    QFETCH(QStringList, users);

    Fixture f;
    QVERIFY(f.apply(baseSnapshot()));
    SignalLog log(&f.subscriptions);
    SignalLog otherLog(&f.connections);
    QVERIFY(f.apply(delta(2, {}, {}, {}, changed, removed)));
    QCOMPARE(log.take(), expected);
    QCOMPARE(otherLog.take(), QStringList{});
    QCOMPARE(column(f.subscriptions, SubscriptionsModel::Users), users);
    QCOMPARE(f.subscriptions.rowCount(), int(f.state.subscriptions().size()));
    for (int r = 0; r < f.subscriptions.rowCount(); ++r) {
        const qint64 billId = f.subscriptions.index(r, 0).data(SubscriptionsModel::SortRole).toLongLong();
        QCOMPARE(f.subscriptions.index(r, 0).data(SubscriptionsModel::UsersRole).toStringList(),
                 f.state.subscriptions().value(billId));
    }
}

void TestModels::eventDeltas()
{
    Fixture f;
    QVERIFY(f.apply(baseSnapshot()));
    SignalLog log(&f.events);
    QVERIFY(f.apply(delta(2, {}, {}, {}, {}, {}, {logEvent(3, u"warning"_s), logEvent(4, u"error"_s)})));
    QCOMPARE(log.take(), QStringList{u"inserted 2-3"_s});
    QCOMPARE(column(f.events, EventsModel::Message),
             (QStringList{u"event 1"_s, u"event 2"_s, u"event 3"_s, u"event 4"_s}));
    QCOMPARE(column(f.events, EventsModel::Level, EventsModel::LevelRole),
             (QStringList{u"info"_s, u"info"_s, u"warning"_s, u"error"_s}));
    QCOMPARE(f.events.index(3, EventsModel::Level).data(EventsModel::SortRole), QVariant(qint64(2)));

    // A delta without events changes nothing; unknown or mistyped levels read as "info".
    QVERIFY(f.apply(delta(3)));
    QCOMPARE(log.take(), QStringList{});
    QJsonObject odd = logEvent(5, u"fatal"_s);
    odd.insert(u"category"_s, 7);
    QJsonObject mistyped = logEvent(6);
    mistyped.insert(u"level"_s, QJsonArray{u"error"_s});
    mistyped.insert(u"timestamp"_s, u"now"_s);
    QVERIFY(f.apply(delta(4, {}, {}, {}, {}, {}, {odd, mistyped})));
    QCOMPARE(log.take(), QStringList{u"inserted 4-5"_s});
    QCOMPARE(f.events.index(4, EventsModel::Level).data(EventsModel::LevelRole).toString(), u"info"_s);
    QCOMPARE(f.events.index(4, EventsModel::Category).data().toString(), QString());
    QCOMPARE(f.events.index(5, EventsModel::Level).data().toString(), u"info"_s);
    QCOMPARE(f.events.index(5, EventsModel::Time).data().toString(), QString());
}

void TestModels::eventsBoundDropsOldest()
{
    ConsoleState::Limits limits;
    limits.maxEvents = 5;
    Fixture f(limits);
    QVERIFY(f.apply(snapshot(1, {}, {}, events(1, 4))));
    QCOMPARE(f.events.rowCount(), 4);
    SignalLog log(&f.events);

    QVERIFY(f.apply(delta(2, {}, {}, {}, {}, {}, events(5, 7))));
    QCOMPARE(log.take(), (QStringList{u"removed 0-1"_s, u"inserted 2-4"_s}));
    QCOMPARE(column(f.events, EventsModel::Message),
             (QStringList{u"event 3"_s, u"event 4"_s, u"event 5"_s, u"event 6"_s, u"event 7"_s}));

    // A delta larger than the bound: everything held goes, and only its newest fit.
    QVERIFY(f.apply(delta(3, {}, {}, {}, {}, {}, events(8, 15))));
    QCOMPARE(log.take(), (QStringList{u"removed 0-4"_s, u"inserted 0-4"_s}));
    QCOMPARE(column(f.events, EventsModel::Time, EventsModel::IdRole),
             (QStringList{u"11"_s, u"12"_s, u"13"_s, u"14"_s, u"15"_s}));
}

void TestModels::secondSnapshotMergesInPlace()
{
    Fixture f;
    QVERIFY(f.apply(baseSnapshot()));
    SignalLog connectionLog(&f.connections);
    SignalLog subscriptionLog(&f.subscriptions);
    SignalLog eventLog(&f.events);
    // A resync: its seq continues, it holds a different set of rows. Row b stays as it was, so a view
    // keeps it selected: the rest goes and comes without a reset.
    QVERIFY(
        f.apply(snapshot(2, {row(u"x"_s, u"xia"_s), row(u"b"_s, u"bob"_s, {7})}, {bill(5, {u"xia"_s})}, events(2, 3))));
    QCOMPARE(connectionLog.take(), (QStringList{u"removed 2-3"_s, u"removed 0-0"_s, u"inserted 1-1"_s}));
    QCOMPARE(subscriptionLog.take(), (QStringList{u"removed 0-1"_s, u"inserted 0-0"_s}));
    // Event 2 came again: replaced, not doubled.
    QCOMPARE(eventLog.take(), (QStringList{u"removed 1-1"_s, u"inserted 1-2"_s}));
    QCOMPARE(column(f.connections, ConnectionsModel::Id), (QStringList{u"b"_s, u"x"_s}));
    QCOMPARE(column(f.subscriptions, SubscriptionsModel::BillId), QStringList{u"5"_s});
    QCOMPARE(column(f.events, EventsModel::Message), (QStringList{u"event 1"_s, u"event 2"_s, u"event 3"_s}));

    // Deltas after it merge in place again.
    QVERIFY(f.apply(delta(3, {row(u"y"_s, u"yan"_s)})));
    QCOMPARE(connectionLog.take(), QStringList{u"inserted 2-2"_s});
    QCOMPARE(subscriptionLog.take(), QStringList{});
    QCOMPARE(eventLog.take(), QStringList{});
}

void TestModels::reconnectSnapshotMergesInPlace()
{
    Fixture f;
    QVERIFY(f.apply(baseSnapshot()));
    QVERIFY(f.apply(delta(2, {}, {row(u"a"_s, u"amy"_s, {7})})));
    SignalLog connectionLog(&f.connections);
    // A new session (the link dropped and came back) starts at seq 1 again: still merged, row a changed back.
    QVERIFY(f.apply(baseSnapshot()));
    QCOMPARE(f.state.seq(), 1);
    QCOMPARE(connectionLog.take(), QStringList{u"changed 0-0 0-9"_s});
    QCOMPARE(column(f.connections, ConnectionsModel::Id), (QStringList{u"a"_s, u"b"_s, u"c"_s, u"d"_s}));
}

void TestModels::refusedPushChangesNothing()
{
    Fixture f;
    QVERIFY(f.apply(baseSnapshot()));
    SignalLog log(&f.connections);
    SignalLog eventLog(&f.events);
    // Out of sequence, then malformed: the state refuses both, so update() must not move the models.
    QVERIFY(!f.state.apply(delta(5, {row(u"e"_s, u"eve"_s)})));
    f.update();
    QVERIFY(!f.state.apply(delta(2, {QJsonObject{{u"id"_s, 5}}})));
    f.update();
    QCOMPARE(log.take(), QStringList{});
    QCOMPARE(eventLog.take(), QStringList{});
    QCOMPARE(f.connections.rowCount(), 4);
    // Updating twice with the same state is a no-op too.
    QVERIFY(f.apply(delta(2, {row(u"e"_s, u"eve"_s)}, {}, {}, {}, {}, {logEvent(3)})));
    QCOMPARE(log.take(), QStringList{u"inserted 4-4"_s});
    f.update();
    QCOMPARE(log.take(), QStringList{});
    QCOMPARE(eventLog.take(), QStringList{u"inserted 2-2"_s});
    QCOMPARE(f.events.rowCount(), 3);
}

void TestModels::missedPushResyncs()
{
    Fixture f;
    QVERIFY(f.apply(baseSnapshot()));
    // The models do not see push 2: its changes are not in lastChanges() of push 3.
    QVERIFY(f.state.apply(delta(2, {row(u"e"_s, u"eve"_s)}, {}, {u"a"_s}, {bill(1, {u"eve"_s})}, {}, {logEvent(3)})));
    SignalLog log(&f.connections);
    SignalLog subscriptionLog(&f.subscriptions);
    SignalLog eventLog(&f.events);
    QVERIFY(f.apply(delta(3, {row(u"f"_s, u"fay"_s)}, {}, {}, {}, {}, {logEvent(4)})));
    QCOMPARE(log.take(), QStringList{u"reset"_s});
    QCOMPARE(subscriptionLog.take(), QStringList{u"reset"_s});
    QCOMPARE(eventLog.take(), QStringList{u"reset"_s});
    QCOMPARE(column(f.connections, ConnectionsModel::Id), (QStringList{u"b"_s, u"c"_s, u"d"_s, u"e"_s, u"f"_s}));
    QCOMPARE(column(f.subscriptions, SubscriptionsModel::BillId), (QStringList{u"1"_s, u"7"_s, u"9"_s}));
    QCOMPARE(f.events.rowCount(), 4);

    // A fresh state (a new session) empties the models.
    ConsoleState fresh;
    f.connections.update(fresh);
    f.events.update(fresh);
    QCOMPARE(f.connections.rowCount(), 0);
    QCOMPARE(f.events.rowCount(), 0);
}

void TestModels::sortsNumerically()
{
    Fixture f;
    QVERIFY(f.apply(snapshot(1,
                             {row(u"a"_s, u"amy"_s, {1, 2}, 900), row(u"b"_s, u"bob"_s, {}, 10'000),
                              row(u"c"_s, u"cid"_s, {1}, 100), row(u"d"_s, u"dan"_s, {}, 2'000'000)},
                             {bill(100, {u"a"_s}), bill(7, {u"a"_s, u"b"_s, u"c"_s}), bill(10, {u"b"_s})})));

    QSortFilterProxyModel proxy;
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&f.connections);
    proxy.setSortRole(ConnectionsModel::SortRole);
    proxy.sort(ConnectionsModel::QueuedBytes, Qt::AscendingOrder);
    // As display text "1.9 MB" < "100 bytes" < "9.8 KB" < "900 bytes": the sort role must be the number.
    QCOMPARE(column(proxy, ConnectionsModel::Id), (QStringList{u"c"_s, u"a"_s, u"b"_s, u"d"_s}));
    proxy.sort(ConnectionsModel::Bills, Qt::DescendingOrder);
    QCOMPARE(column(proxy, ConnectionsModel::Id).first(), u"a"_s);

    // The proxy follows the merges: c grows past everyone.
    QVERIFY(f.apply(delta(2, {}, {row(u"c"_s, u"cid"_s, {1, 2, 3})})));
    QCOMPARE(column(proxy, ConnectionsModel::Id).first(), u"c"_s);

    QSortFilterProxyModel bills;
    bills.setSourceModel(&f.subscriptions);
    bills.setSortRole(SubscriptionsModel::SortRole);
    bills.sort(SubscriptionsModel::BillId, Qt::AscendingOrder);
    QCOMPARE(column(bills, SubscriptionsModel::BillId), (QStringList{u"7"_s, u"10"_s, u"100"_s}));
    bills.sort(SubscriptionsModel::Subscribers, Qt::DescendingOrder);
    QCOMPARE(column(bills, SubscriptionsModel::BillId), (QStringList{u"7"_s, u"10"_s, u"100"_s}));
}

void TestModels::thousandConnections()
{
    Fixture f({}, Fixture::Testers::Off);
    QJsonArray rows;
    for (int i = 0; i < 1000; ++i)
        rows.append(row(u"n-0-%1"_s.arg(i, 4, 10, QChar(u'0')), u"user%1"_s.arg(i), {}, i));
    QVERIFY(f.apply(snapshot(1, rows)));
    QCOMPARE(f.connections.rowCount(), 1000);

    QStringList removed;
    QStringList expectedSignals;
    for (int i = 0; i < 1000; i += 2)
        removed.append(u"n-0-%1"_s.arg(i, 4, 10, QChar(u'0')));
    for (int i = 998; i >= 0; i -= 2)
        expectedSignals.append(u"removed %1-%1"_s.arg(i));
    SignalLog log(&f.connections);
    QVERIFY(f.apply(delta(2, {}, {}, removed)));
    QCOMPARE(log.take(), expectedSignals);
    QCOMPARE(f.connections.rowCount(), 500);
    for (int r = 0; r < 500; ++r) {
        const QString id = u"n-0-%1"_s.arg(2 * r + 1, 4, 10, QChar(u'0'));
        QCOMPARE(f.connections.index(r, ConnectionsModel::Id).data().toString(), id);
        QCOMPARE(f.connections.index(r, ConnectionsModel::User).data(ConnectionsModel::IdRole).toString(), id);
        QCOMPARE(f.connections.index(r, ConnectionsModel::QueuedBytes).data(ConnectionsModel::SortRole),
                 QVariant(qint64(2 * r + 1)));
    }

    // The id -> row index followed the removals: changes and removals land on the right rows.
    QVERIFY(f.apply(delta(3, {row(u"new"_s, u"nia"_s)}, {row(u"n-0-0999"_s, u"last"_s), row(u"n-0-0001"_s, u"first"_s)},
                          {u"n-0-0501"_s})));
    QCOMPARE(log.take(), (QStringList{u"removed 250-250"_s, u"inserted 499-499"_s, u"changed 0-0 0-9"_s,
                                      u"changed 498-498 0-9"_s}));
    QCOMPARE(f.connections.index(0, ConnectionsModel::User).data().toString(), u"first"_s);
    QCOMPARE(f.connections.index(498, ConnectionsModel::User).data().toString(), u"last"_s);
    QCOMPARE(f.connections.index(499, ConnectionsModel::Id).data().toString(), u"new"_s);
    QCOMPARE(f.connections.index(250, ConnectionsModel::Id).data().toString(), u"n-0-0503"_s);
}

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
