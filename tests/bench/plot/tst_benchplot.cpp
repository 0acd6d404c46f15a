// tst_benchplot: wsinfra-bench-plot, the binary that run-bench.sh runs, turns the hand-written sweep fixture
// into a PNG of the asked size with every target's line in it, and refuses hostile input with exit status 2
// and a message that names the problem, leaving a previous figure as it was.
#include "processrun.h"

#include <QColor>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

class TestBenchPlot : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void fixtureBecomesPng_data();
    void fixtureBecomesPng();
    void hostileInput_data();
    void hostileInput();
    void badCommandLine_data();
    void badCommandLine();
    void unwritableOutput();

private:
    ProcessRun plot(const QStringList &arguments) const;
    QTemporaryDir m_dir;
};

namespace {

const QByteArray PreviousFigure = "the previous figure";

// Whether some pixel has about this colour: the lines are antialiased, their middles are not.
bool hasColour(const QImage &image, QColor colour)
{
    for (int y = 0; y < image.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            if (qAbs(qRed(line[x]) - colour.red()) <= 6 && qAbs(qGreen(line[x]) - colour.green()) <= 6 &&
                qAbs(qBlue(line[x]) - colour.blue()) <= 6)
                return true;
        }
    }
    return false;
}

// The tool's own message: Qt may say something of its own first (no XDG_RUNTIME_DIR, say).
QString toolMessage(const QByteArray &standardError)
{
    const QStringList lines = QString::fromUtf8(standardError).split(u'\n');
    for (const QString &line : lines) {
        if (line.startsWith(u"wsinfra-bench-plot: "_s))
            return line;
    }
    return QString();
}

} // namespace

void TestBenchPlot::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QFile::exists(QStringLiteral(WSINFRA_BENCH_PLOT_BINARY)));
}

ProcessRun TestBenchPlot::plot(const QStringList &arguments) const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    return runToEnd(QStringLiteral(WSINFRA_BENCH_PLOT_BINARY), arguments, environment, 60000);
}

void TestBenchPlot::fixtureBecomesPng_data()
{
    QTest::addColumn<QStringList>("sizeArguments");
    QTest::addColumn<QSize>("size");
    QTest::newRow("default size, as run-bench.sh writes it") << QStringList() << QSize(1200, 750);
    QTest::newRow("--width 640 --height 400")
        << QStringList{u"--width"_s, u"640"_s, u"--height"_s, u"400"_s} << QSize(640, 400);
}

void TestBenchPlot::fixtureBecomesPng()
{
    QFETCH(QStringList, sizeArguments);
    QFETCH(QSize, size);
    const QString output = m_dir.filePath(u"latency-vs-rate.png"_s);
    QFile::remove(output);
    const ProcessRun run = plot(sizeArguments + QStringList{QStringLiteral(WSINFRA_BENCH_PLOT_FIXTURE), output});
    QVERIFY2(run.finished && run.exitCode == 0, run.standardError.constData());
    QCOMPARE(QString::fromUtf8(run.standardOutput), u"%1: %2x%3\n"_s.arg(output).arg(size.width()).arg(size.height()));

    QFile file(output);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.peek(8) == QByteArray("\x89PNG\r\n\x1a\n", 8));
    const QImage image(output, "PNG");
    QCOMPARE(image.size(), size);
    const QImage pixels = image.convertToFormat(QImage::Format_RGB32);
    // Each of the fixture's four targets has its line: the fixed colours of run-bench.sh's targets.
    QVERIFY2(hasColour(pixels, QColor(0x1f, 0x77, 0xb4)), "no wsinfra-native line");
    QVERIFY2(hasColour(pixels, QColor(0xff, 0x7f, 0x0e)), "no node-ws line");
    QVERIFY2(hasColour(pixels, QColor(0x2c, 0xa0, 0x2c)), "no wsinfra-socketio line");
    QVERIFY2(hasColour(pixels, QColor(0xd6, 0x27, 0x28)), "no node-socketio line");
}

void TestBenchPlot::hostileInput_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");
    const QByteArray run = R"({"target": "wsinfra-native", "deliveredPerSecond": 1000, "p50Ms": 1, "p99Ms": 2})";
    const auto file = [](const QByteArray &runs) -> QByteArray {
        return R"({"date": "2026-11-26T15:00:00Z", "runs": [)" + runs + "]}";
    };
    QTest::newRow("empty file") << QByteArray() << u"not JSON"_s;
    QTest::newRow("truncated") << file(run).chopped(5) << u"not JSON"_s;
    QTest::newRow("binary") << QByteArray("\x89PNG\r\n\x1a\n\0\0", 10) << u"not JSON"_s;
    QTest::newRow("an array") << QByteArray("[" + run + "]") << u"not a JSON object"_s;
    QTest::newRow("no date") << QByteArray(R"({"runs": [)" + run + "]}") << u"no string 'date'"_s;
    QTest::newRow("date a number") << QByteArray(R"({"date": 20261126, "runs": [)" + run + "]}")
                                   << u"no string 'date'"_s;
    QTest::newRow("no runs") << QByteArray(R"({"date": "2026-11-26"})") << u"no array 'runs'"_s;
    QTest::newRow("runs an object") << QByteArray(R"({"date": "2026-11-26", "runs": {}})") << u"no array 'runs'"_s;
    QTest::newRow("runs empty") << file("") << u"'runs' is empty"_s;
    QTest::newRow("connections a string")
        << QByteArray(R"({"date": "2026-11-26", "connections": "many", "runs": [)" + run + "]}")
        << u"'connections' is not a number"_s;
    QTest::newRow("run a number") << file(run + ", 7") << u"runs[1]: not an object"_s;
    QTest::newRow("no target") << file(R"({"deliveredPerSecond": 1000, "p50Ms": 1, "p99Ms": 2})")
                               << u"runs[0]: no string 'target'"_s;
    QTest::newRow("target empty") << file(R"({"target": "", "deliveredPerSecond": 1000, "p50Ms": 1, "p99Ms": 2})")
                                  << u"runs[0]: no string 'target'"_s;
    QTest::newRow("no deliveredPerSecond") << file(run + R"(, {"target": "node-ws", "p50Ms": 1, "p99Ms": 2})")
                                           << u"runs[1]: 'deliveredPerSecond' is missing"_s;
    QTest::newRow("deliveredPerSecond a string")
        << file(R"({"target": "node-ws", "deliveredPerSecond": "fast", "p50Ms": 1, "p99Ms": 2})")
        << u"runs[0]: 'deliveredPerSecond' is missing or not a number"_s;
    QTest::newRow("deliveredPerSecond negative")
        << file(R"({"target": "node-ws", "deliveredPerSecond": -5, "p50Ms": 1, "p99Ms": 2})")
        << u"runs[0]: 'deliveredPerSecond' is missing or not a number of at least 0"_s;
    QTest::newRow("no p99Ms") << file(R"({"target": "node-ws", "deliveredPerSecond": 1000, "p50Ms": 1})")
                              << u"runs[0]: 'p99Ms' is missing"_s;
    QTest::newRow("p50Ms null")
        << file(R"({"target": "node-ws", "deliveredPerSecond": 1000, "p50Ms": null, "p99Ms": 2})")
        << u"runs[0]: 'p50Ms' is missing"_s;
    QTest::newRow("p99Ms below -1")
        << file(R"({"target": "node-ws", "deliveredPerSecond": 1000, "p50Ms": 1, "p99Ms": -7})")
        << u"runs[0]: 'p99Ms' is missing or not a number of at least -1"_s;
    QTest::newRow("keptUp a string")
        << file(R"({"target": "node-ws", "deliveredPerSecond": 1000, "p50Ms": 1, "p99Ms": 2, "keptUp": "no"})")
        << u"runs[0]: 'keptUp' is not true or false"_s;
}

void TestBenchPlot::hostileInput()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    const QString input = m_dir.filePath(u"hostile.json"_s);
    const QString output = m_dir.filePath(u"previous.png"_s);
    for (const auto &[path, content] : {std::pair{input, json}, std::pair{output, PreviousFigure}}) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(file.write(content), content.size());
    }
    const ProcessRun run = plot({input, output});
    QVERIFY(run.finished);
    QCOMPARE(run.exitCode, 2);
    const QString error = toolMessage(run.standardError);
    QVERIFY2(error.startsWith(u"wsinfra-bench-plot: "_s + input + u": "_s), qPrintable(error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(run.standardOutput.isEmpty());
    QFile previous(output);
    QVERIFY(previous.open(QIODevice::ReadOnly));
    QCOMPARE(previous.readAll(), PreviousFigure);
}

void TestBenchPlot::badCommandLine_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const QString fixture = QStringLiteral(WSINFRA_BENCH_PLOT_FIXTURE);
    QTest::newRow("nothing") << QStringList() << u"usage: wsinfra-bench-plot"_s;
    QTest::newRow("no output") << QStringList{fixture} << u"usage: wsinfra-bench-plot"_s;
    QTest::newRow("three files") << QStringList{fixture, u"a.png"_s, u"b.png"_s} << u"usage: wsinfra-bench-plot"_s;
    QTest::newRow("--width 0") << QStringList{u"--width"_s, u"0"_s, fixture, u"a.png"_s} << u"[200, 8000]"_s;
    QTest::newRow("--height abc") << QStringList{u"--height"_s, u"abc"_s, fixture, u"a.png"_s} << u"[200, 8000]"_s;
    QTest::newRow("--width 100000") << QStringList{u"--width"_s, u"100000"_s, fixture, u"a.png"_s} << u"[200, 8000]"_s;
    QTest::newRow("unknown option") << QStringList{u"--colour"_s, fixture, u"a.png"_s} << u"colour"_s;
    QTest::newRow("no such input") << QStringList{u"/nonexistent/sweep.json"_s, u"a.png"_s}
                                   << u"/nonexistent/sweep.json: "_s;
}

void TestBenchPlot::badCommandLine()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const ProcessRun run = plot(arguments);
    QVERIFY(run.finished);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(toolMessage(run.standardError).contains(message), run.standardError.constData());
    QVERIFY(!QFile::exists(u"a.png"_s));
}

void TestBenchPlot::unwritableOutput()
{
    const ProcessRun run =
        plot({QStringLiteral(WSINFRA_BENCH_PLOT_FIXTURE), m_dir.filePath(u"no-such-directory/out.png"_s)});
    QVERIFY(run.finished);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(toolMessage(run.standardError).contains(u"out.png: cannot write the image"_s),
             run.standardError.constData());
}

QTEST_GUILESS_MAIN(TestBenchPlot)
#include "tst_benchplot.moc"
