// ConsoleState: snapshots and deltas applied as docs/control-protocol.md describes them, hostile pushes
// refused with the state untouched, and every collection bounded.

#include "consolepushes.h"
#include "consolestate.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test::pushes;

namespace {

// The state the data-driven cases start from: amy (a) on bills 7 and 9, bob (b) on bill 7.
QJsonObject baseSnapshot()
{
    return snapshot(1, {row(u"a"_s, u"amy"_s, {7, 9}), row(u"b"_s, u"bob"_s, {7})},
                    {bill(7, {u"amy"_s, u"bob"_s}), bill(9, {u"amy"_s})}, events(1, 2));
}

// `object` with the value at `path` replaced (an Undefined value removes it). Numeric path parts index arrays.
QJsonValue replaced(const QJsonValue &value, QStringList path, const QJsonValue &replacement)
{
    if (path.isEmpty())
        return replacement;
    const QString key = path.takeFirst();
    if (value.isArray()) {
        QJsonArray array = value.toArray();
        const qsizetype index = key.toLongLong();
        if (replacement.isUndefined() && path.isEmpty())
            array.removeAt(index);
        else
            array.replace(index, replaced(array.at(index), path, replacement));
        return array;
    }
    QJsonObject object = value.toObject();
    if (replacement.isUndefined() && path.isEmpty())
        object.remove(key);
    else
        object.insert(key, replaced(object.value(key), path, replacement));
    return object;
}

QJsonObject with(const QJsonObject &object, const QString &path, const QJsonValue &replacement)
{
    return replaced(object, path.split(u'.'), replacement).toObject();
}

QJsonObject usersById(const ConsoleState &state)
{
    QJsonObject users;
    for (auto it = state.connections().cbegin(); it != state.connections().cend(); ++it)
        users.insert(it.key(), it.value().value("user"_L1));
    return users;
}

QJsonObject subscribersByBill(const ConsoleState &state)
{
    QJsonObject bills;
    for (auto it = state.subscriptions().cbegin(); it != state.subscriptions().cend(); ++it)
        bills.insert(QString::number(it.key()), QJsonArray::fromStringList(it.value()));
    return bills;
}

QList<qint64> eventIds(const ConsoleState &state)
{
    QList<qint64> ids;
    for (const QJsonObject &item : state.events())
        ids.append(item.value("id"_L1).toInteger());
    return ids;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> ids;
    for (qint64 id = first; id <= last; ++id)
        ids.append(id);
    return ids;
}

} // namespace

class TestConsoleState : public QObject
{
    Q_OBJECT

private slots:
    void startsEmpty();
    void snapshotReplacesEverything();
    void deltaConnections_data();
    void deltaConnections();
    void deltaSubscriptions_data();
    void deltaSubscriptions();
    void statsHealthAndMetricsAreWhole();
    void hostilePushRejected_data();
    void hostilePushRejected();
    void oddButValidPushAccepted_data();
    void oddButValidPushAccepted();
    void deltaBeforeSnapshotRejected();
    void snapshotAcceptsAnySeq();
    void limitsRefuseGrowth();
    void eventsAppendedAndBounded();
    void snapshotDoesNotDoubleEvents();
    void seriesPointFromPush();
    void seriesPointFallbacks();
    void seriesBoundedByCount();
    void seriesBoundedByWindow();
    void seriesDefaultBoundIs24hAt1s();
    void toJsonShape();
    void randomMutationsNeverCorruptTheState();
};

void TestConsoleState::startsEmpty()
{
    const ConsoleState state;
    QVERIFY(!state.hasSnapshot());
    QCOMPARE(state.seq(), 0);
    QVERIFY(state.connections().isEmpty());
    QVERIFY(state.series().isEmpty());
    QCOMPARE(state.limits().maxEvents, 10'000);
    QCOMPARE(state.limits().maxSeriesPoints, 86'400);
    const QJsonObject json = state.toJson();
    QCOMPARE(json.value("connections"_L1).toArray().size(), 0);
    QCOMPARE(json.value("seq"_L1).toInteger(), 0);
}

void TestConsoleState::snapshotReplacesEverything()
{
    ConsoleState state;
    QString error;
    QVERIFY2(state.apply(baseSnapshot(), &error), qPrintable(error));
    QVERIFY(state.hasSnapshot());
    QCOMPARE(state.seq(), 1);
    QCOMPARE(usersById(state), (QJsonObject{{u"a"_s, u"amy"_s}, {u"b"_s, u"bob"_s}}));
    QCOMPARE(state.lastChanges().connectionsAdded, (QStringList{u"a"_s, u"b"_s}));
    QCOMPARE(state.lastChanges().billsChanged, (QList<qint64>{7, 9}));

    // A later snapshot (a resync) replaces rows and bills and reports the difference.
    QVERIFY2(state.apply(snapshot(5, {row(u"b"_s, u"bobby"_s, {7}), row(u"c"_s, u"cat"_s)}, {bill(7, {u"bobby"_s})}),
                         &error),
             qPrintable(error));
    QCOMPARE(state.seq(), 5);
    QCOMPARE(usersById(state), (QJsonObject{{u"b"_s, u"bobby"_s}, {u"c"_s, u"cat"_s}}));
    QCOMPARE(subscribersByBill(state), (QJsonObject{{u"7"_s, QJsonArray{u"bobby"_s}}}));
    const ConsoleState::Changes &changes = state.lastChanges();
    QVERIFY(changes.snapshot);
    QCOMPARE(changes.connectionsAdded, QStringList{u"c"_s});
    QCOMPARE(changes.connectionsChanged, QStringList{u"b"_s});
    QCOMPARE(changes.connectionsRemoved, QStringList{u"a"_s});
    QCOMPARE(changes.billsChanged, QList<qint64>{7});
    QCOMPARE(changes.billsRemoved, QList<qint64>{9});
}

void TestConsoleState::deltaConnections_data()
{
    QTest::addColumn<QJsonObject>("delta");
    QTest::addColumn<QJsonObject>("expectedUsers");
    QTest::addColumn<QStringList>("added");
    QTest::addColumn<QStringList>("changed");
    QTest::addColumn<QStringList>("removed");

    const QJsonObject amyAndBob{{u"a"_s, u"amy"_s}, {u"b"_s, u"bob"_s}};
    QTest::newRow("nothing") << delta(2) << amyAndBob << QStringList() << QStringList() << QStringList();
    QTest::newRow("added") << delta(2, {row(u"c"_s, u"cat"_s)})
                           << QJsonObject{{u"a"_s, u"amy"_s}, {u"b"_s, u"bob"_s}, {u"c"_s, u"cat"_s}}
                           << QStringList{u"c"_s} << QStringList() << QStringList();
    QTest::newRow("changed") << delta(2, {}, {row(u"b"_s, u"bobby"_s)})
                             << QJsonObject{{u"a"_s, u"amy"_s}, {u"b"_s, u"bobby"_s}} << QStringList()
                             << QStringList{u"b"_s} << QStringList();
    QTest::newRow("removed") << delta(2, {}, {}, {u"a"_s}) << QJsonObject{{u"b"_s, u"bob"_s}} << QStringList()
                             << QStringList() << QStringList{u"a"_s};
    QTest::newRow("removed twice") << delta(2, {}, {}, {u"a"_s, u"a"_s}) << QJsonObject{{u"b"_s, u"bob"_s}}
                                   << QStringList() << QStringList() << QStringList{u"a"_s};
    QTest::newRow("removed unknown id is ignored")
        << delta(2, {}, {}, {u"zzz"_s}) << amyAndBob << QStringList() << QStringList() << QStringList();
    QTest::newRow("changed to the same row is no change")
        << delta(2, {}, {row(u"b"_s, u"bob"_s, {7})}) << amyAndBob << QStringList() << QStringList() << QStringList();
    QTest::newRow("added with a known id is a change")
        << delta(2, {row(u"a"_s, u"ann"_s)}) << QJsonObject{{u"a"_s, u"ann"_s}, {u"b"_s, u"bob"_s}} << QStringList()
        << QStringList{u"a"_s} << QStringList();
    QTest::newRow("changed with an unknown id is an addition")
        << delta(2, {}, {row(u"d"_s, u"dan"_s)})
        << QJsonObject{{u"a"_s, u"amy"_s}, {u"b"_s, u"bob"_s}, {u"d"_s, u"dan"_s}} << QStringList{u"d"_s}
        << QStringList() << QStringList();
    QTest::newRow("all at once") << delta(2, {row(u"c"_s, u"cat"_s)}, {row(u"a"_s, u"ann"_s)}, {u"b"_s})
                                 << QJsonObject{{u"a"_s, u"ann"_s}, {u"c"_s, u"cat"_s}} << QStringList{u"c"_s}
                                 << QStringList{u"a"_s} << QStringList{u"b"_s};
    QTest::newRow("removed and added again in one delta")
        << delta(2, {row(u"a"_s, u"ann"_s)}, {}, {u"a"_s}) << QJsonObject{{u"a"_s, u"ann"_s}, {u"b"_s, u"bob"_s}}
        << QStringList{u"a"_s} << QStringList() << QStringList{u"a"_s};
    QTest::newRow("everyone leaves") << delta(2, {}, {}, {u"a"_s, u"b"_s}) << QJsonObject() << QStringList()
                                     << QStringList() << QStringList{u"a"_s, u"b"_s};
}

void TestConsoleState::deltaConnections()
{
    QFETCH(QJsonObject, delta);
    QFETCH(QJsonObject, expectedUsers);
    QFETCH(QStringList, added);
    QFETCH(QStringList, changed);
    QFETCH(QStringList, removed);

    ConsoleState state;
    QVERIFY(state.apply(baseSnapshot()));
    QString error;
    QVERIFY2(state.apply(delta, &error), qPrintable(error));
    QCOMPARE(state.seq(), 2);
    QCOMPARE(usersById(state), expectedUsers);
    const ConsoleState::Changes &changes = state.lastChanges();
    QVERIFY(!changes.snapshot);
    QCOMPARE(changes.connectionsAdded, added);
    QCOMPARE(changes.connectionsChanged, changed);
    QCOMPARE(changes.connectionsRemoved, removed);
    // Rows are kept whole, as the service sent them.
    for (auto it = state.connections().cbegin(); it != state.connections().cend(); ++it)
        QCOMPARE(it.value().value("id"_L1).toString(), it.key());
}

void TestConsoleState::deltaSubscriptions_data()
{
    QTest::addColumn<QJsonObject>("delta");
    QTest::addColumn<QJsonObject>("expected");
    QTest::addColumn<QList<qint64>>("changed");
    QTest::addColumn<QList<qint64>>("removed");

    const QJsonObject base{{u"7"_s, QJsonArray{u"amy"_s, u"bob"_s}}, {u"9"_s, QJsonArray{u"amy"_s}}};
    QTest::newRow("nothing") << delta(2) << base << QList<qint64>() << QList<qint64>();
    QTest::newRow("changed") << delta(2, {}, {}, {}, {bill(7, {u"amy"_s})})
                             << QJsonObject{{u"7"_s, QJsonArray{u"amy"_s}}, {u"9"_s, QJsonArray{u"amy"_s}}}
                             << QList<qint64>{7} << QList<qint64>();
    QTest::newRow("changed to the same users is no change")
        << delta(2, {}, {}, {}, {bill(9, {u"amy"_s})}) << base << QList<qint64>() << QList<qint64>();
    QTest::newRow("a new bill") << delta(2, {}, {}, {}, {bill(11, {u"cat"_s})})
                                << QJsonObject{{u"7"_s, QJsonArray{u"amy"_s, u"bob"_s}},
                                               {u"9"_s, QJsonArray{u"amy"_s}},
                                               {u"11"_s, QJsonArray{u"cat"_s}}}
                                << QList<qint64>{11} << QList<qint64>();
    QTest::newRow("removed") << delta(2, {}, {}, {}, {}, {9}) << QJsonObject{{u"7"_s, QJsonArray{u"amy"_s, u"bob"_s}}}
                             << QList<qint64>() << QList<qint64>{9};
    QTest::newRow("removed unknown bill is ignored")
        << delta(2, {}, {}, {}, {}, {12}) << base << QList<qint64>() << QList<qint64>();
    QTest::newRow("changed and removed") << delta(2, {}, {}, {}, {bill(7, {u"bob"_s})}, {9})
                                         << QJsonObject{{u"7"_s, QJsonArray{u"bob"_s}}} << QList<qint64>{7}
                                         << QList<qint64>{9};
    QTest::newRow("bill id as a whole double")
        << delta(2, {}, {}, {}, {}, {9.0}) << QJsonObject{{u"7"_s, QJsonArray{u"amy"_s, u"bob"_s}}} << QList<qint64>()
        << QList<qint64>{9};
}

void TestConsoleState::deltaSubscriptions()
{
    QFETCH(QJsonObject, delta);
    QFETCH(QJsonObject, expected);
    QFETCH(QList<qint64>, changed);
    QFETCH(QList<qint64>, removed);

    ConsoleState state;
    QVERIFY(state.apply(baseSnapshot()));
    QString error;
    QVERIFY2(state.apply(delta, &error), qPrintable(error));
    QCOMPARE(subscribersByBill(state), expected);
    QCOMPARE(state.lastChanges().billsChanged, changed);
    QCOMPARE(state.lastChanges().billsRemoved, removed);
}

void TestConsoleState::statsHealthAndMetricsAreWhole()
{
    ConsoleState state;
    QVERIFY(state.apply(baseSnapshot()));
    const QJsonObject stats{{u"activeConnections"_s, 7}};
    const QJsonObject health{{u"status"_s, u"degraded"_s}};
    QJsonObject next = delta(2);
    next.insert(u"stats"_s, stats);
    next.insert(u"health"_s, health);
    next.insert(u"metrics"_s, QJsonObject{{u"traffic"_s, QJsonObject()}});
    QVERIFY(state.apply(next));
    // Replaced, not merged: the fields the delta does not carry are gone.
    QCOMPARE(state.stats(), stats);
    QCOMPARE(state.health(), health);
    QCOMPARE(state.metrics(), (QJsonObject{{u"traffic"_s, QJsonObject()}}));
    QCOMPARE(state.atMs(), T0 + 2000);
}

void TestConsoleState::hostilePushRejected_data()
{
    QTest::addColumn<QJsonObject>("push");
    QTest::addColumn<QString>("field");

    const QJsonObject s =
        snapshot(2, {row(u"x"_s, u"xena"_s), row(u"y"_s, u"yan"_s)}, {bill(7, {u"xena"_s, u"yan"_s})}, events(10, 11));
    const QJsonObject d =
        delta(2, {row(u"c"_s, u"cat"_s)}, {row(u"a"_s, u"ann"_s)}, {u"b"_s}, {bill(7, {u"amy"_s})}, {9}, events(3, 3));
    const QJsonValue remove(QJsonValue::Undefined);
    const QString longId(257, u'x');
    const double huge = 1e300;
    const double maxSafePlusOne = 9007199254740992.0;

    QTest::newRow("empty object") << QJsonObject() << u"type"_s;
    for (const auto &[name, base] : {std::pair{"snapshot", s}, std::pair{"delta", d}}) {
        const auto row = [&](const char *what, const QJsonObject &push, const QString &field) {
            QTest::addRow("%s: %s", name, what) << push << field;
        };
        row("no type", with(base, u"type"_s, remove), u"type"_s);
        row("type a number", with(base, u"type"_s, 1), u"type"_s);
        row("type unknown", with(base, u"type"_s, u"welcome"_s), u"type"_s);
        row("type empty", with(base, u"type"_s, u""_s), u"type"_s);
        row("type with a NUL", with(base, u"type"_s, QString::fromUtf8("snapshot\0", 9)), u"type"_s);
        row("type in capitals", with(base, u"type"_s, u"SNAPSHOT"_s), u"type"_s);
        row("no seq", with(base, u"seq"_s, remove), u"seq"_s);
        row("seq a string", with(base, u"seq"_s, u"2"_s), u"seq"_s);
        row("seq zero", with(base, u"seq"_s, 0), u"seq"_s);
        row("seq negative", with(base, u"seq"_s, -2), u"seq"_s);
        row("seq fractional", with(base, u"seq"_s, 2.5), u"seq"_s);
        row("seq 2^53", with(base, u"seq"_s, maxSafePlusOne), u"seq"_s);
        row("seq huge", with(base, u"seq"_s, huge), u"seq"_s);
        row("seq infinite", with(base, u"seq"_s, std::numeric_limits<double>::infinity()), u"seq"_s);
        row("seq a bool", with(base, u"seq"_s, true), u"seq"_s);
        row("seq null", with(base, u"seq"_s, QJsonValue::Null), u"seq"_s);
        row("no at", with(base, u"at"_s, remove), u"at"_s);
        row("at a string", with(base, u"at"_s, u"now"_s), u"at"_s);
        row("at negative", with(base, u"at"_s, -1), u"at"_s);
        row("at fractional", with(base, u"at"_s, 1.5), u"at"_s);
        row("at NaN", with(base, u"at"_s, std::numeric_limits<double>::quiet_NaN()), u"at"_s);
        for (const char *part : {"stats", "health", "metrics"}) {
            const QString field = QString::fromLatin1(part);
            row(qPrintable(u"no "_s + field), with(base, field, remove), field);
            row(qPrintable(field + u" an array"_s), with(base, field, QJsonArray{1}), field);
            row(qPrintable(field + u" a string"_s), with(base, field, u"{}"_s), field);
            row(qPrintable(field + u" null"_s), with(base, field, QJsonValue::Null), field);
        }
        row("no connections", with(base, u"connections"_s, remove), u"connections"_s);
        row("connections a string", with(base, u"connections"_s, u"[]"_s), u"connections"_s);
        row("connections null", with(base, u"connections"_s, QJsonValue::Null), u"connections"_s);
        row("no subscriptions", with(base, u"subscriptions"_s, remove), u"subscriptions"_s);
        row("subscriptions a number", with(base, u"subscriptions"_s, 7), u"subscriptions"_s);
        row("no events", with(base, u"events"_s, remove), u"events"_s);
        row("events an object", with(base, u"events"_s, QJsonObject()), u"events"_s);
        row("event a number", with(base, u"events.0"_s, 3), u"events[0]"_s);
        row("event without id", with(base, u"events.0.id"_s, remove), u"events[0].id"_s);
        row("event id a string", with(base, u"events.0.id"_s, u"3"_s), u"events[0].id"_s);
        row("event id negative", with(base, u"events.0.id"_s, -3), u"events[0].id"_s);
        row("event id fractional", with(base, u"events.0.id"_s, 3.25), u"events[0].id"_s);
    }

    // A snapshot's tables are arrays of rows.
    QTest::newRow("snapshot: connections an object") << with(s, u"connections"_s, QJsonObject()) << u"connections"_s;
    QTest::newRow("snapshot: row a number") << with(s, u"connections.1"_s, 5) << u"connections[1]"_s;
    QTest::newRow("snapshot: row a string") << with(s, u"connections.0"_s, u"x"_s) << u"connections[0]"_s;
    QTest::newRow("snapshot: row an array") << with(s, u"connections.0"_s, QJsonArray{u"x"_s}) << u"connections[0]"_s;
    QTest::newRow("snapshot: row null") << with(s, u"connections.0"_s, QJsonValue::Null) << u"connections[0]"_s;
    QTest::newRow("snapshot: row without id") << with(s, u"connections.1.id"_s, remove) << u"connections[1].id"_s;
    QTest::newRow("snapshot: row id a number") << with(s, u"connections.0.id"_s, 1) << u"connections[0].id"_s;
    QTest::newRow("snapshot: row id empty") << with(s, u"connections.0.id"_s, u""_s) << u"connections[0].id"_s;
    QTest::newRow("snapshot: row id null")
        << with(s, u"connections.0.id"_s, QJsonValue::Null) << u"connections[0].id"_s;
    QTest::newRow("snapshot: row id too long") << with(s, u"connections.0.id"_s, longId) << u"connections[0].id"_s;
    QTest::newRow("snapshot: subscriptions an object")
        << with(s, u"subscriptions"_s, QJsonObject{{u"changed"_s, QJsonArray()}}) << u"subscriptions"_s;
    QTest::newRow("snapshot: subscription a number") << with(s, u"subscriptions.0"_s, 7) << u"subscriptions[0]"_s;
    QTest::newRow("snapshot: no bill_id")
        << with(s, u"subscriptions.0.bill_id"_s, remove) << u"subscriptions[0].bill_id"_s;
    QTest::newRow("snapshot: bill_id a string")
        << with(s, u"subscriptions.0.bill_id"_s, u"7"_s) << u"subscriptions[0].bill_id"_s;
    QTest::newRow("snapshot: bill_id zero")
        << with(s, u"subscriptions.0.bill_id"_s, 0) << u"subscriptions[0].bill_id"_s;
    QTest::newRow("snapshot: bill_id negative")
        << with(s, u"subscriptions.0.bill_id"_s, -7) << u"subscriptions[0].bill_id"_s;
    QTest::newRow("snapshot: bill_id fractional")
        << with(s, u"subscriptions.0.bill_id"_s, 7.5) << u"subscriptions[0].bill_id"_s;
    QTest::newRow("snapshot: bill_id 2^53")
        << with(s, u"subscriptions.0.bill_id"_s, maxSafePlusOne) << u"subscriptions[0].bill_id"_s;
    QTest::newRow("snapshot: bill_id 1e300")
        << with(s, u"subscriptions.0.bill_id"_s, huge) << u"subscriptions[0].bill_id"_s;
    QTest::newRow("snapshot: no users") << with(s, u"subscriptions.0.users"_s, remove) << u"subscriptions[0].users"_s;
    QTest::newRow("snapshot: users a string")
        << with(s, u"subscriptions.0.users"_s, u"amy"_s) << u"subscriptions[0].users"_s;
    QTest::newRow("snapshot: users an object")
        << with(s, u"subscriptions.0.users"_s, QJsonObject()) << u"subscriptions[0].users"_s;
    QTest::newRow("snapshot: a user a number")
        << with(s, u"subscriptions.0.users.1"_s, 5) << u"subscriptions[0].users[1]"_s;
    QTest::newRow("snapshot: a user null")
        << with(s, u"subscriptions.0.users.0"_s, QJsonValue::Null) << u"subscriptions[0].users[0]"_s;

    // A delta's tables are objects of lists.
    QTest::newRow("delta: connections an array") << with(d, u"connections"_s, QJsonArray()) << u"connections"_s;
    QTest::newRow("delta: no added") << with(d, u"connections.added"_s, remove) << u"connections.added"_s;
    QTest::newRow("delta: added an object") << with(d, u"connections.added"_s, QJsonObject()) << u"connections.added"_s;
    QTest::newRow("delta: no changed") << with(d, u"connections.changed"_s, remove) << u"connections.changed"_s;
    QTest::newRow("delta: no removed") << with(d, u"connections.removed"_s, remove) << u"connections.removed"_s;
    QTest::newRow("delta: added row without id")
        << with(d, u"connections.added.0.id"_s, remove) << u"connections.added[0].id"_s;
    QTest::newRow("delta: added row a string")
        << with(d, u"connections.added.0"_s, u"c"_s) << u"connections.added[0]"_s;
    QTest::newRow("delta: changed row id a number")
        << with(d, u"connections.changed.0.id"_s, 4) << u"connections.changed[0].id"_s;
    QTest::newRow("delta: changed row id an object")
        << with(d, u"connections.changed.0.id"_s, QJsonObject()) << u"connections.changed[0].id"_s;
    QTest::newRow("delta: removed id a number")
        << with(d, u"connections.removed.0"_s, 1) << u"connections.removed[0]"_s;
    QTest::newRow("delta: removed id empty")
        << with(d, u"connections.removed.0"_s, u""_s) << u"connections.removed[0]"_s;
    QTest::newRow("delta: removed id a row")
        << with(d, u"connections.removed.0"_s, row(u"b"_s, u"bob"_s)) << u"connections.removed[0]"_s;
    QTest::newRow("delta: removed id too long")
        << with(d, u"connections.removed.0"_s, longId) << u"connections.removed[0]"_s;
    QTest::newRow("delta: subscriptions an array") << with(d, u"subscriptions"_s, QJsonArray()) << u"subscriptions"_s;
    QTest::newRow("delta: no changed bills")
        << with(d, u"subscriptions.changed"_s, remove) << u"subscriptions.changed"_s;
    QTest::newRow("delta: changed bill without users")
        << with(d, u"subscriptions.changed.0.users"_s, remove) << u"subscriptions.changed[0].users"_s;
    QTest::newRow("delta: changed bill id a string")
        << with(d, u"subscriptions.changed.0.bill_id"_s, u"7"_s) << u"subscriptions.changed[0].bill_id"_s;
    QTest::newRow("delta: no removed bills")
        << with(d, u"subscriptions.removed"_s, remove) << u"subscriptions.removed"_s;
    QTest::newRow("delta: removed bill a string")
        << with(d, u"subscriptions.removed.0"_s, u"9"_s) << u"subscriptions.removed[0]"_s;
    QTest::newRow("delta: removed bill zero")
        << with(d, u"subscriptions.removed.0"_s, 0) << u"subscriptions.removed[0]"_s;
    QTest::newRow("delta: removed bill an object")
        << with(d, u"subscriptions.removed.0"_s, bill(9, {})) << u"subscriptions.removed[0]"_s;

    // A delta that does not follow the state's last push.
    QTest::newRow("delta: seq skips one") << with(d, u"seq"_s, 3) << u"seq"_s;
    QTest::newRow("delta: seq repeated") << with(d, u"seq"_s, 1) << u"seq"_s;
    QTest::newRow("delta: a bad row after good ones")
        << with(d, u"connections.added"_s, QJsonArray{row(u"c"_s, u"cat"_s), row(u"e"_s, u"eve"_s), 5})
        << u"connections.added[2]"_s;
}

void TestConsoleState::hostilePushRejected()
{
    QFETCH(QJsonObject, push);
    QFETCH(QString, field);

    ConsoleState state;
    QVERIFY(state.apply(baseSnapshot()));
    const QJsonObject before = state.toJson();
    QString error;
    QVERIFY(!state.apply(push, &error));
    QVERIFY2(error.startsWith(field), qPrintable(u"\"%1\" does not name %2"_s.arg(error, field)));
    // Nothing of it was applied, not even the parts before the fault.
    QCOMPARE(state.toJson(), before);
    QCOMPARE(state.seq(), 1);
    QCOMPARE(state.series().size(), 1);
    // And the state still takes the next good push.
    QVERIFY2(state.apply(delta(2, {row(u"c"_s, u"cat"_s)}), &error), qPrintable(error));
    QVERIFY(state.connections().contains(u"c"_s));
}

void TestConsoleState::oddButValidPushAccepted_data()
{
    QTest::addColumn<QJsonObject>("push");

    const QJsonObject d = delta(2, {row(u"c"_s, u"cat"_s)});
    QJsonValue deep = QJsonObject();
    for (int i = 0; i < 200; ++i)
        deep = QJsonObject{{u"x"_s, deep}};
    QTest::newRow("row id with a NUL") << with(d, u"connections.added.0.id"_s, QString::fromUtf8("c\0d", 3));
    QTest::newRow("row id with a lone surrogate")
        << with(d, u"connections.added.0.id"_s, QString(QString(QChar(0xd800)) + u"x"_s));
    QTest::newRow("row id of 256 characters") << with(d, u"connections.added.0.id"_s, QString(256, u'x'));
    QTest::newRow("row with unknown fields") << with(d, u"connections.added.0.extra"_s, QJsonArray{1, 2});
    QTest::newRow("row with wrong-typed known fields") << with(d, u"connections.added.0.bills"_s, u"7,9"_s);
    QTest::newRow("unknown top-level field") << with(d, u"future"_s, QJsonObject{{u"a"_s, 1}});
    QTest::newRow("deeply nested stats") << with(d, u"stats"_s, deep);
    QTest::newRow("seq as a whole double") << with(d, u"seq"_s, 2.0);
    QTest::newRow("empty tables") << delta(2);
    QTest::newRow("at zero") << with(d, u"at"_s, 0);
    QTest::newRow("a user with a NUL") << with(d, u"subscriptions.changed"_s,
                                               QJsonArray{bill(7, {QString::fromUtf8("a\0b", 3)})});
    QTest::newRow("metrics of the wrong shape") << with(d, u"metrics"_s, QJsonObject{{u"memory"_s, 5}});
}

void TestConsoleState::oddButValidPushAccepted()
{
    QFETCH(QJsonObject, push);

    ConsoleState state;
    QVERIFY(state.apply(baseSnapshot()));
    QString error;
    QVERIFY2(state.apply(push, &error), qPrintable(error));
    QCOMPARE(state.seq(), 2);
    QCOMPARE(state.series().size(), 2);
}

void TestConsoleState::deltaBeforeSnapshotRejected()
{
    ConsoleState state;
    QString error;
    QVERIFY(!state.apply(delta(1, {row(u"a"_s, u"amy"_s)}), &error));
    QVERIFY2(error.startsWith("seq: a delta cannot be applied before a snapshot"_L1), qPrintable(error));
    QVERIFY(!state.hasSnapshot());
    QVERIFY(state.connections().isEmpty());
    QVERIFY(state.series().isEmpty());
    // Without an error pointer too.
    QVERIFY(!state.apply(delta(1)));
}

void TestConsoleState::snapshotAcceptsAnySeq()
{
    // A reconnect starts a new session at seq 1; a resync continues the count.
    ConsoleState state;
    QVERIFY(state.apply(baseSnapshot()));
    QVERIFY(state.apply(delta(2)));
    QVERIFY(state.apply(with(baseSnapshot(), u"seq"_s, 1)));
    QCOMPARE(state.seq(), 1);
    QVERIFY(state.apply(delta(2)));
    QVERIFY(state.apply(with(baseSnapshot(), u"seq"_s, 40)));
    QVERIFY(state.apply(delta(41)));
    QCOMPARE(state.seq(), 41);
}

void TestConsoleState::limitsRefuseGrowth()
{
    ConsoleState::Limits limits;
    limits.maxConnections = 2;
    limits.maxBills = 2;
    ConsoleState state(limits);
    QString error;
    QVERIFY(
        !state.apply(snapshot(1, {row(u"a"_s, u"amy"_s), row(u"b"_s, u"bob"_s), row(u"c"_s, u"cat"_s)}, {}), &error));
    QVERIFY2(error.startsWith("connections"_L1), qPrintable(error));
    QVERIFY(!state.hasSnapshot());

    QVERIFY(state.apply(baseSnapshot()));
    QVERIFY(!state.apply(delta(2, {row(u"c"_s, u"cat"_s)}), &error));
    QVERIFY2(error.startsWith("connections"_L1), qPrintable(error));
    QVERIFY(!state.apply(delta(2, {}, {}, {}, {bill(11, {u"cat"_s})}), &error));
    QVERIFY2(error.startsWith("subscriptions"_L1), qPrintable(error));
    QCOMPARE(state.connections().size(), 2);
    // What leaves makes room in the same delta.
    QVERIFY2(state.apply(delta(2, {row(u"c"_s, u"cat"_s)}, {}, {u"a"_s}, {bill(11, {u"cat"_s})}, {9}), &error),
             qPrintable(error));
    QCOMPARE(usersById(state), (QJsonObject{{u"b"_s, u"bob"_s}, {u"c"_s, u"cat"_s}}));
    QCOMPARE(state.subscriptions().keys(), (QList<qint64>{7, 11}));
    // Changing a row that is there is no growth.
    QVERIFY2(state.apply(delta(3, {}, {row(u"b"_s, u"bobby"_s)}), &error), qPrintable(error));
}

void TestConsoleState::eventsAppendedAndBounded()
{
    ConsoleState::Limits limits;
    limits.maxEvents = 5;
    ConsoleState state(limits);
    QVERIFY(state.apply(snapshot(1, {}, {}, events(1, 3))));
    QCOMPARE(eventIds(state), range(1, 3));
    QCOMPARE(state.lastChanges().eventsAdded, 3);

    QVERIFY(state.apply(delta(2, {}, {}, {}, {}, {}, events(4, 4))));
    QCOMPARE(eventIds(state), range(1, 4));
    QCOMPARE(state.lastChanges().eventsAdded, 1);
    QCOMPARE(state.lastChanges().eventsDropped, 0);

    QVERIFY(state.apply(delta(3, {}, {}, {}, {}, {}, events(5, 7))));
    QCOMPARE(eventIds(state), range(3, 7));
    QCOMPARE(state.lastChanges().eventsDropped, 2);
    QCOMPARE(state.lastChanges().eventsAdded, 3);

    // More in one push than the bound: only the newest stay.
    QVERIFY(state.apply(delta(4, {}, {}, {}, {}, {}, events(8, 20))));
    QCOMPARE(eventIds(state), range(16, 20));
    QCOMPARE(state.lastChanges().eventsDropped, 5);
    QCOMPARE(state.lastChanges().eventsAdded, 5);

    QVERIFY(state.apply(delta(5)));
    QCOMPARE(eventIds(state), range(16, 20));
    QCOMPARE(state.lastChanges().eventsAdded, 0);
    QCOMPARE(state.lastChanges().eventsDropped, 0);
}

void TestConsoleState::snapshotDoesNotDoubleEvents()
{
    ConsoleState state;
    QVERIFY(state.apply(snapshot(1, {}, {}, events(1, 5))));
    QVERIFY(state.apply(delta(2, {}, {}, {}, {}, {}, events(6, 7))));
    // A resync's snapshot repeats the latest events: they replace what is held from its first id on.
    QVERIFY(state.apply(snapshot(3, {}, {}, events(4, 8))));
    QCOMPARE(eventIds(state), range(1, 8));
    QCOMPARE(state.lastChanges().eventsReplaced, 4);
    QCOMPARE(state.lastChanges().eventsAdded, 5);
    // A snapshot without events keeps what is held.
    QVERIFY(state.apply(snapshot(4, {}, {})));
    QCOMPARE(eventIds(state), range(1, 8));
    // A restarted service counts from 1 again: its events replace everything.
    QVERIFY(state.apply(snapshot(1, {}, {}, events(1, 2))));
    QCOMPARE(eventIds(state), range(1, 2));
    QCOMPARE(state.lastChanges().eventsReplaced, 8);
}

void TestConsoleState::seriesPointFromPush()
{
    ConsoleState state;
    QJsonObject first = baseSnapshot();
    first.insert(u"metrics"_s, metrics(4096, 33.5, u"warning"_s));
    QVERIFY(state.apply(first));
    QVERIFY(state.apply(delta(2)));
    QCOMPARE(state.series().size(), 2);
    const ConsoleState::Point &point = state.series().front();
    QCOMPARE(point.atMs, T0 + 1000);
    QCOMPARE(point.rssBytes, 4096);
    QCOMPARE(point.memoryPercent, 33.5);
    QCOMPARE(point.memoryLevel, u"warning"_s);
    QCOMPARE(point.connections, 2);
    QCOMPARE(point.messagesIn, 5);
    QCOMPARE(point.messagesOut, 7);
    QCOMPARE(state.series().back().atMs, T0 + 2000);
    QCOMPARE(state.series().back().memoryLevel, u"normal"_s);
}

void TestConsoleState::seriesPointFallbacks()
{
    ConsoleState state;
    QJsonObject first = baseSnapshot();
    // Without metrics.memory the figures of stats and health stand in.
    first.insert(u"metrics"_s, QJsonObject());
    first.insert(u"stats"_s, QJsonObject{{u"memoryUsage"_s, 777}, {u"activeConnections"_s, u"three"_s}});
    first.insert(u"health"_s, QJsonObject{{u"memoryUsage"_s, 4.5}});
    QVERIFY(state.apply(first));
    const ConsoleState::Point &point = state.series().back();
    QCOMPARE(point.rssBytes, 777);
    QCOMPARE(point.memoryPercent, 4.5);
    QCOMPARE(point.memoryLevel, QString());
    QCOMPARE(point.connections, 0);
    QCOMPARE(point.messagesIn, 0);

    // Hostile figures read as numbers in range, never overflow.
    QJsonObject next = delta(2);
    next.insert(
        u"metrics"_s,
        QJsonObject{{u"memory"_s, QJsonObject{{u"rssBytes"_s, 1e300}, {u"percent"_s, u"x"_s}}},
                    {u"traffic"_s,
                     QJsonObject{{u"received"_s, QJsonObject{{u"a"_s, 9e15}, {u"b"_s, 9e15}, {u"c"_s, u"many"_s}}},
                                 {u"sent"_s, QJsonArray{1, 2}}}}});
    QVERIFY(state.apply(next));
    QCOMPARE(state.series().back().rssBytes, (qint64(1) << 53) - 1);
    QCOMPARE(state.series().back().memoryPercent, 0.0);
    QCOMPARE(state.series().back().messagesIn, (qint64(1) << 53) - 1);
    QCOMPARE(state.series().back().messagesOut, 0);
}

void TestConsoleState::seriesBoundedByCount()
{
    ConsoleState::Limits limits;
    limits.maxSeriesPoints = 3;
    ConsoleState state(limits);
    QVERIFY(state.apply(baseSnapshot()));
    for (qint64 seq = 2; seq <= 5; ++seq)
        QVERIFY(state.apply(delta(seq)));
    QCOMPARE(state.series().size(), 3);
    QCOMPARE(state.series().front().atMs, T0 + 3000);
    QCOMPARE(state.series().back().atMs, T0 + 5000);
}

void TestConsoleState::seriesBoundedByWindow()
{
    ConsoleState::Limits limits;
    limits.seriesWindowMs = 10'000;
    ConsoleState state(limits);
    QVERIFY(state.apply(with(baseSnapshot(), u"at"_s, T0)));
    QVERIFY(state.apply(with(delta(2), u"at"_s, T0 + 5'000)));
    QVERIFY(state.apply(with(delta(3), u"at"_s, T0 + 10'000)));
    QCOMPARE(state.series().size(), 3);
    QVERIFY(state.apply(with(delta(4), u"at"_s, T0 + 10'001)));
    QCOMPARE(state.series().size(), 3);
    QCOMPARE(state.series().front().atMs, T0 + 5'000);
    // A clock that jumps far ahead leaves only the newest point.
    QVERIFY(state.apply(with(delta(5), u"at"_s, T0 + 3'600'000)));
    QCOMPARE(state.series().size(), 1);
    // One that jumps back drops nothing.
    QVERIFY(state.apply(with(delta(6), u"at"_s, T0)));
    QCOMPARE(state.series().size(), 2);
}

void TestConsoleState::seriesDefaultBoundIs24hAt1s()
{
    ConsoleState state;
    QVERIFY(state.apply(with(baseSnapshot(), u"at"_s, T0)));
    QJsonObject next = delta(2);
    constexpr qint64 Day = 86'400;
    for (qint64 second = 1; second <= Day; ++second) {
        next.insert(u"seq"_s, second + 1);
        next.insert(u"at"_s, T0 + second * 1000);
        if (!state.apply(next))
            QFAIL("a delta was refused");
    }
    QCOMPARE(state.series().size(), Day);
    QCOMPARE(state.series().front().atMs, T0 + 1000);
    QCOMPARE(state.series().back().atMs, T0 + Day * 1000);
}

void TestConsoleState::toJsonShape()
{
    ConsoleState state;
    QVERIFY(state.apply(baseSnapshot()));
    QVERIFY(state.apply(delta(2, {row(u"c"_s, u"cat"_s)}, {}, {u"a"_s}, {bill(11, {u"cat"_s})}, {}, events(3, 3))));
    const QJsonObject json = state.toJson();
    QStringList keys = json.keys();
    keys.sort();
    QCOMPARE(keys, (QStringList{u"at"_s, u"connections"_s, u"events"_s, u"health"_s, u"metrics"_s, u"seq"_s,
                                u"series"_s, u"stats"_s, u"subscriptions"_s}));
    QCOMPARE(json.value("seq"_L1).toInteger(), 2);
    QCOMPARE(json.value("at"_L1).toInteger(), T0 + 2000);
    QCOMPARE(json.value("stats"_L1).toObject(), state.stats());
    QCOMPARE(json.value("health"_L1).toObject(), state.health());
    QCOMPARE(json.value("metrics"_L1).toObject(), metrics());
    QCOMPARE(json.value("connections"_L1).toArray(), (QJsonArray{row(u"b"_s, u"bob"_s, {7}), row(u"c"_s, u"cat"_s)}));
    QCOMPARE(json.value("subscriptions"_L1).toArray(),
             (QJsonArray{bill(7, {u"amy"_s, u"bob"_s}), bill(9, {u"amy"_s}), bill(11, {u"cat"_s})}));
    QCOMPARE(json.value("events"_L1).toArray(), events(1, 3));
    const QJsonArray series = json.value("series"_L1).toArray();
    QCOMPARE(series.size(), 2);
    QCOMPARE(series.at(1).toObject(), (QJsonObject{{u"at"_s, T0 + 2000},
                                                   {u"rss_bytes"_s, 1000},
                                                   {u"memory_percent"_s, 12.5},
                                                   {u"memory_level"_s, u"normal"_s},
                                                   {u"connections"_s, 2},
                                                   {u"messages_in"_s, 5},
                                                   {u"messages_out"_s, 7}}));
    // It survives the trip through text (what the exporter writes).
    QCOMPARE(QJsonDocument::fromJson(QJsonDocument(json).toJson()).object(), json);
}

void TestConsoleState::randomMutationsNeverCorruptTheState()
{
    // Any value at any place of a good push: either the push is applied whole, or the state stays as it was.
    QRandomGenerator random(20240601);
    const QList<QJsonValue> values{QJsonValue(QJsonValue::Undefined),
                                   QJsonValue(QJsonValue::Null),
                                   true,
                                   0,
                                   -1,
                                   2.5,
                                   1e300,
                                   9007199254740993.0,
                                   u""_s,
                                   u"a"_s,
                                   QString::fromUtf8("\0", 1),
                                   QJsonArray(),
                                   QJsonArray{1, u"x"_s},
                                   QJsonObject(),
                                   QJsonObject{{u"id"_s, u"z"_s}}};
    const QList<QString> paths{u"type"_s,
                               u"seq"_s,
                               u"at"_s,
                               u"stats"_s,
                               u"health"_s,
                               u"metrics"_s,
                               u"metrics.memory"_s,
                               u"metrics.traffic.received"_s,
                               u"connections"_s,
                               u"connections.added"_s,
                               u"connections.added.0"_s,
                               u"connections.added.0.id"_s,
                               u"connections.changed.0"_s,
                               u"connections.removed"_s,
                               u"connections.removed.0"_s,
                               u"connections.0"_s,
                               u"connections.0.id"_s,
                               u"subscriptions"_s,
                               u"subscriptions.changed.0.bill_id"_s,
                               u"subscriptions.changed.0.users"_s,
                               u"subscriptions.changed.0.users.0"_s,
                               u"subscriptions.removed.0"_s,
                               u"subscriptions.0.bill_id"_s,
                               u"subscriptions.0.users"_s,
                               u"events"_s,
                               u"events.0"_s,
                               u"events.0.id"_s};
    const QList<QJsonObject> goodPushes{
        delta(2, {row(u"c"_s, u"cat"_s)}, {row(u"a"_s, u"ann"_s)}, {u"b"_s}, {bill(7, {u"amy"_s})}, {9}, events(3, 3)),
        snapshot(2, {row(u"x"_s, u"xena"_s)}, {bill(8, {u"xena"_s})}, events(3, 4))};
    ConsoleState base;
    QVERIFY(base.apply(baseSnapshot()));
    const QJsonObject before = base.toJson();
    int applied = 0;
    int refused = 0;
    for (int round = 0; round < 2000; ++round) {
        QJsonObject push = goodPushes.at(round % goodPushes.size());
        const int mutations = 1 + int(random.bounded(3));
        for (int m = 0; m < mutations; ++m) {
            const QString &path = paths.at(random.bounded(int(paths.size())));
            // Only paths that exist in this push's shape, so that arrays are not indexed out of range.
            const QStringList parts = path.split(u'.');
            QJsonValue probe = push;
            bool exists = true;
            for (qsizetype p = 0; p + 1 < parts.size() && exists; ++p) {
                if (probe.isArray()) {
                    const qsizetype index = parts.at(p).toLongLong();
                    exists = index < probe.toArray().size();
                    probe = exists ? probe.toArray().at(index) : QJsonValue();
                } else if (probe.isObject()) {
                    exists = probe.toObject().contains(parts.at(p));
                    probe = probe.toObject().value(parts.at(p));
                } else {
                    exists = false;
                }
            }
            if (!exists ||
                !(probe.isObject() || (probe.isArray() && parts.last().toLongLong() < probe.toArray().size())))
                continue;
            push = with(push, path, values.at(random.bounded(int(values.size()))));
        }
        ConsoleState state = base;
        QString error;
        if (state.apply(push, &error)) {
            ++applied;
            QCOMPARE(state.seq(), push.value("seq"_L1).toInteger());
            QCOMPARE(state.series().size(), 2);
        } else {
            ++refused;
            QVERIFY(!error.isEmpty());
            QCOMPARE(state.toJson(), before);
        }
    }
    // Both outcomes occurred, or the mutations did not exercise anything.
    QVERIFY(applied > 0);
    QVERIFY(refused > 0);
}

QTEST_GUILESS_MAIN(TestConsoleState)
#include "tst_consolestate.moc"
