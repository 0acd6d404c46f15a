// SnapshotExporter: the file format by extension, RFC 4180 quoting, the CSV sections, the JSON file, and
// clear errors when the file cannot be written.

#include "consolestate.h"
#include "snapshotexporter.h"

#include "protocol/codes.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

constexpr qint64 T0 = 1'700'000'000'000;

// RFC 4180 read back: records of fields; quoted fields may hold commas, quotes ("") and line breaks.
// Returns no records when the text is not well-formed CSV (a quote inside an unquoted field, an unclosed
// quote, a bare LF as a line end).
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    bool fieldStarted = false;
    qsizetype i = 0;
    while (i < text.size()) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"') {
                if (i + 1 < text.size() && text.at(i + 1) == u'"') {
                    field += u'"';
                    i += 2;
                    continue;
                }
                quoted = false;
                ++i;
                continue;
            }
            field += c;
            ++i;
            continue;
        }
        if (c == u'"') {
            if (fieldStarted)
                return {};
            quoted = true;
            fieldStarted = true;
            ++i;
        } else if (c == u',') {
            record.append(field);
            field.clear();
            fieldStarted = false;
            ++i;
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            record.append(field);
            records.append(record);
            record.clear();
            field.clear();
            fieldStarted = false;
            i += 2;
        } else if (c == u'\n' || c == u'\r') {
            return {};
        } else {
            field += c;
            fieldStarted = true;
            ++i;
        }
    }
    if (quoted)
        return {};
    if (fieldStarted || !record.isEmpty()) {
        record.append(field);
        records.append(record);
    }
    return records;
}

// The records of one section: the rows after its title and header, up to the empty line.
QList<QStringList> section(const QList<QStringList> &records, const QString &title, QStringList *header = nullptr)
{
    QList<QStringList> rows;
    const qsizetype start = records.indexOf(QStringList{u"# "_s + title});
    if (start < 0 || start + 1 >= records.size())
        return rows;
    if (header)
        *header = records.at(start + 1);
    for (qsizetype i = start + 2; i < records.size() && records.at(i) != QStringList{QString()}; ++i)
        rows.append(records.at(i));
    return rows;
}

QJsonObject row(const QString &id, const QString &user, const QJsonArray &bills)
{
    return {{u"id"_s, id},
            {u"user"_s, user},
            {u"address"_s, u"127.0.0.1"_s},
            {u"transport"_s, u"socket.io"_s},
            {u"since"_s, T0},
            {u"last_seen"_s, T0 + 5},
            {u"queued_bytes"_s, 12},
            {u"bills"_s, bills},
            {u"messages_in"_s, 4},
            {u"messages_out"_s, 6}};
}

// Two pushes: amy (with an awkward name) and bob, bills 7 and 9, and stats.
ConsoleState sampleState()
{
    const QJsonObject metrics{
        {u"memory"_s, QJsonObject{{u"rssBytes"_s, 2048}, {u"percent"_s, 1.25}, {u"level"_s, u"normal"_s}}},
        {u"traffic"_s,
         QJsonObject{{u"received"_s, QJsonObject{{u"subscribe"_s, 2}}}, {u"sent"_s, QJsonObject{{u"pong"_s, 1}}}}}};
    const QJsonObject snapshot{
        {u"type"_s, u"snapshot"_s},
        {u"seq"_s, 1},
        {u"at"_s, T0},
        {u"stats"_s, QJsonObject{{u"activeConnections"_s, 2}, {u"averageLatency"_s, 0.5}, {u"uptime"_s, 1000}}},
        {u"health"_s, QJsonObject{{u"status"_s, u"healthy"_s}}},
        {u"metrics"_s, metrics},
        {u"connections"_s,
         QJsonArray{row(u"n-0-1"_s, u"amy \"the, admin\"\nsmith"_s, {7, 9}), row(u"n-0-2"_s, u"bob"_s, {7})}},
        {u"subscriptions"_s, QJsonArray{QJsonObject{{u"bill_id"_s, 7}, {u"users"_s, QJsonArray{u"amy"_s, u"bob"_s}}},
                                        QJsonObject{{u"bill_id"_s, 9}, {u"users"_s, QJsonArray{u"amy"_s}}}}},
        {u"events"_s, QJsonArray()}};
    QJsonObject delta = snapshot;
    delta.insert(u"type"_s, u"delta"_s);
    delta.insert(u"seq"_s, 2);
    delta.insert(u"at"_s, T0 + 1000);
    delta.insert(u"connections"_s,
                 QJsonObject{{u"added"_s, QJsonArray()}, {u"changed"_s, QJsonArray()}, {u"removed"_s, QJsonArray()}});
    delta.insert(u"subscriptions"_s, QJsonObject{{u"changed"_s, QJsonArray()}, {u"removed"_s, QJsonArray()}});
    ConsoleState state;
    QString error;
    if (!state.apply(snapshot, &error) || !state.apply(delta, &error))
        qFatal("sample pushes refused: %s", qPrintable(error));
    return state;
}

} // namespace

class TestSnapshotExporter : public QObject
{
    Q_OBJECT

private slots:
    void formatOf_data();
    void formatOf();
    void csvField_data();
    void csvField();
    void csvHasTheSections();
    void csvOfAnEmptyState();
    void writeJson();
    void writeCsv();
    void writeChoosesByExtension();
    void writeReplacesAnOldFile();
    void cannotWrite_data();
    void cannotWrite();
    void unknownExtensionWritesNothing();
};

void TestSnapshotExporter::formatOf_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("format"); // -1: refused

    const int json = int(SnapshotExporter::Format::Json);
    const int csv = int(SnapshotExporter::Format::Csv);
    QTest::newRow("json") << u"x.json"_s << json;
    QTest::newRow("csv") << u"x.csv"_s << csv;
    QTest::newRow("capitals") << u"X.JSON"_s << json;
    QTest::newRow("mixed case") << u"x.Csv"_s << csv;
    QTest::newRow("in a directory") << u"/tmp/a.b/x.csv"_s << csv;
    QTest::newRow("two dots") << u"x.tar.json"_s << json;
    QTest::newRow("no extension") << u"x"_s << -1;
    QTest::newRow("empty") << QString() << -1;
    QTest::newRow("text") << u"x.txt"_s << -1;
    QTest::newRow("json lines") << u"x.jsonl"_s << -1;
    QTest::newRow("trailing dot") << u"x.json."_s << -1;
    QTest::newRow("extension of the directory only") << u"dir.json/x"_s << -1;
    QTest::newRow("extension then more") << u"x.json.txt"_s << -1;
    QTest::newRow("NUL in the extension") << QString::fromUtf8("x.js\0on", 7) << -1;
}

void TestSnapshotExporter::formatOf()
{
    QFETCH(QString, path);
    QFETCH(int, format);

    const Result<SnapshotExporter::Format> result = SnapshotExporter::formatOf(path);
    if (format < 0) {
        QVERIFY(!result);
        QCOMPARE(result.error().code, QString(ErrorCode::BadRequest));
        QVERIFY2(result.error().message.startsWith("unknown extension"_L1), qPrintable(result.error().message));
        QVERIFY(result.error().message.contains(".json or .csv"_L1));
    } else {
        QVERIFY(result);
        QCOMPARE(int(*result), format);
    }
}

void TestSnapshotExporter::csvField_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("field");

    QTest::newRow("plain") << u"amy"_s << u"amy"_s;
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("spaces stay unquoted") << u" a b "_s << u" a b "_s;
    QTest::newRow("semicolon") << u"amy;bob"_s << u"amy;bob"_s;
    QTest::newRow("comma") << u"a,b"_s << u"\"a,b\""_s;
    QTest::newRow("quote") << u"say \"hi\""_s << u"\"say \"\"hi\"\"\""_s;
    QTest::newRow("only a quote") << u"\""_s << u"\"\"\"\""_s;
    QTest::newRow("line feed") << u"a\nb"_s << u"\"a\nb\""_s;
    QTest::newRow("carriage return") << u"a\rb"_s << u"\"a\rb\""_s;
    QTest::newRow("CRLF") << u"a\r\nb"_s << u"\"a\r\nb\""_s;
    QTest::newRow("everything") << u"\",\r\n"_s << u"\"\"\",\r\n\""_s;
    QTest::newRow("unicode") << u"Zoë ✓"_s << u"Zoë ✓"_s;
    QTest::newRow("NUL") << QString::fromUtf8("a\0b", 3) << QString::fromUtf8("a\0b", 3);
}

void TestSnapshotExporter::csvField()
{
    QFETCH(QString, text);
    QFETCH(QString, field);

    QCOMPARE(SnapshotExporter::csvField(text), field);
    // What a CSV reader makes of it is the text again.
    if (!text.isEmpty())
        QCOMPARE(parseCsv(field + u"\r\n"_s), QList<QStringList>{QStringList{text}});
}

void TestSnapshotExporter::csvHasTheSections()
{
    const ConsoleState state = sampleState();
    const QByteArray csv = SnapshotExporter::toCsv(state);
    const QList<QStringList> records = parseCsv(QString::fromUtf8(csv));
    QVERIFY2(!records.isEmpty(), "not RFC 4180");
    QVERIFY(csv.endsWith("\r\n"));

    // The sections in their order.
    QStringList titles;
    for (const QStringList &record : records) {
        if (record.size() == 1 && record.constFirst().startsWith("# "_L1))
            titles.append(record.constFirst());
    }
    QCOMPARE(titles, (QStringList{u"# series"_s, u"# connections"_s, u"# subscriptions"_s, u"# stats"_s}));

    QStringList header;
    const QList<QStringList> series = section(records, u"series"_s, &header);
    QCOMPARE(header, (QStringList{u"at"_s, u"time"_s, u"rss_bytes"_s, u"memory_percent"_s, u"memory_level"_s,
                                  u"connections"_s, u"messages_in"_s, u"messages_out"_s}));
    QCOMPARE(series.size(), 2);
    QCOMPARE(series.at(0), (QStringList{QString::number(T0), u"2023-11-14T22:13:20.000Z"_s, u"2048"_s, u"1.25"_s,
                                        u"normal"_s, u"2"_s, u"2"_s, u"1"_s}));
    QCOMPARE(series.at(1).at(0), QString::number(T0 + 1000));

    const QList<QStringList> connections = section(records, u"connections"_s, &header);
    QCOMPARE(header, (QStringList{u"id"_s, u"user"_s, u"address"_s, u"transport"_s, u"since"_s, u"last_seen"_s,
                                  u"queued_bytes"_s, u"messages_in"_s, u"messages_out"_s, u"bills"_s}));
    QCOMPARE(connections.size(), 2);
    // The awkward name comes back whole: quoting kept its comma, quotes and line break.
    QCOMPARE(connections.at(0),
             (QStringList{u"n-0-1"_s, u"amy \"the, admin\"\nsmith"_s, u"127.0.0.1"_s, u"socket.io"_s,
                          QString::number(T0), QString::number(T0 + 5), u"12"_s, u"4"_s, u"6"_s, u"7;9"_s}));
    QCOMPARE(connections.at(1).at(1), u"bob"_s);

    const QList<QStringList> subscriptions = section(records, u"subscriptions"_s, &header);
    QCOMPARE(header, (QStringList{u"bill_id"_s, u"subscribers"_s, u"users"_s}));
    QCOMPARE(subscriptions, (QList<QStringList>{{u"7"_s, u"2"_s, u"amy;bob"_s}, {u"9"_s, u"1"_s, u"amy"_s}}));

    const QList<QStringList> stats = section(records, u"stats"_s, &header);
    QCOMPARE(header, (QStringList{u"key"_s, u"value"_s}));
    QCOMPARE(stats, (QList<QStringList>{
                        {u"activeConnections"_s, u"2"_s}, {u"averageLatency"_s, u"0.5"_s}, {u"uptime"_s, u"1000"_s}}));
}

void TestSnapshotExporter::csvOfAnEmptyState()
{
    const QList<QStringList> records = parseCsv(QString::fromUtf8(SnapshotExporter::toCsv(ConsoleState())));
    QVERIFY(!records.isEmpty());
    for (const QString &title : {u"series"_s, u"connections"_s, u"subscriptions"_s, u"stats"_s}) {
        QStringList header;
        QVERIFY(section(records, title, &header).isEmpty());
        QVERIFY2(!header.isEmpty(), qPrintable(title));
    }
}

void TestSnapshotExporter::writeJson()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const ConsoleState state = sampleState();
    const QString path = dir.filePath(u"x.json"_s);
    const Result<bool> written = SnapshotExporter::writeJson(state, path);
    QVERIFY2(written, qPrintable(written.error().message));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(document.object(), state.toJson());
    // Only the file itself: the temporary file of the atomic write is gone.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{u"x.json"_s});
}

void TestSnapshotExporter::writeCsv()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const ConsoleState state = sampleState();
    const QString path = dir.filePath(u"x.csv"_s);
    const Result<bool> written = SnapshotExporter::writeCsv(state, path);
    QVERIFY2(written, qPrintable(written.error().message));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), SnapshotExporter::toCsv(state));
}

void TestSnapshotExporter::writeChoosesByExtension()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const ConsoleState state = sampleState();
    QVERIFY(SnapshotExporter::write(state, dir.filePath(u"a.JSON"_s)));
    QVERIFY(SnapshotExporter::write(state, dir.filePath(u"b.csv"_s)));
    QFile json(dir.filePath(u"a.JSON"_s));
    QVERIFY(json.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(json.readAll()).object(), state.toJson());
    QFile csv(dir.filePath(u"b.csv"_s));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QVERIFY(csv.readAll().startsWith("# series\r\n"));
}

void TestSnapshotExporter::writeReplacesAnOldFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"x.csv"_s);
    {
        QFile old(path);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write(QByteArray(100'000, 'z'));
    }
    QVERIFY(SnapshotExporter::write(sampleState(), path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), SnapshotExporter::toCsv(sampleState()));
}

void TestSnapshotExporter::cannotWrite_data()
{
    QTest::addColumn<QString>("relativePath");

    QTest::newRow("missing directory") << u"missing/x.json"_s;
    QTest::newRow("a directory") << u"dir.json"_s;
    QTest::newRow("under a file") << u"file.csv/x.csv"_s;
}

void TestSnapshotExporter::cannotWrite()
{
    QFETCH(QString, relativePath);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QDir(dir.path()).mkdir(u"dir.json"_s));
    {
        QFile file(dir.filePath(u"file.csv"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    const QString path = dir.filePath(relativePath);
    const Result<bool> written = SnapshotExporter::write(sampleState(), path);
    QVERIFY(!written);
    QCOMPARE(written.error().code, QString(ErrorCode::Unavailable));
    QVERIFY2(written.error().message.startsWith(u"cannot write "_s + path + u": "_s),
             qPrintable(written.error().message));
    // The reason is there, after the path.
    QVERIFY(written.error().message.size() > (u"cannot write "_s + path + u": "_s).size());
}

void TestSnapshotExporter::unknownExtensionWritesNothing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<bool> written = SnapshotExporter::write(sampleState(), dir.filePath(u"x.txt"_s));
    QVERIFY(!written);
    QCOMPARE(written.error().code, QString(ErrorCode::BadRequest));
    QVERIFY(QDir(dir.path()).isEmpty());
}

QTEST_GUILESS_MAIN(TestSnapshotExporter)
#include "tst_snapshotexporter.moc"
