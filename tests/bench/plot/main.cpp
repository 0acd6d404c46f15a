// wsinfra-bench-plot: the latency-vs-rate figure of docs/benchmarks.md from the sweep file of run-bench.sh.
#include "latencyplot.h"
#include "sweepdata.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QSaveFile>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace wsinfra::bench;

namespace {

// Exit statuses: 2 for a bad command line or input (nothing written), 1 when the image could not be written.
constexpr int BadInput = 2;
constexpr int WriteFailed = 1;

int fail(int status, const QString &message)
{
    std::fprintf(stderr, "wsinfra-bench-plot: %s\n", qPrintable(message));
    return status;
}

} // namespace

int main(int argc, char *argv[])
{
    // Charts need a GUI application, the tool needs no display: offscreen unless the caller chose.
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Plots p99 (and p50) latency against delivered deliveries/s, one line per "
                                     "target, from the sweep JSON of `tests/bench/run-bench.sh sweep`, into a PNG."_s);
    parser.addHelpOption();
    const QCommandLineOption width(u"width"_s, u"Image width in pixels."_s, u"PX"_s, u"1200"_s);
    const QCommandLineOption height(u"height"_s, u"Image height in pixels."_s, u"PX"_s, u"750"_s);
    parser.addOptions({width, height});
    parser.addPositionalArgument(u"sweep.json"_s, u"The sweep file (build/bench/sweep-DATE.json)."_s);
    parser.addPositionalArgument(u"out.png"_s, u"The image to write."_s);
    if (!parser.parse(app.arguments()))
        return fail(BadInput, parser.errorText());
    if (parser.isSet(u"help"_s)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (parser.positionalArguments().size() != 2)
        return fail(BadInput, u"usage: wsinfra-bench-plot [--width PX] [--height PX] sweep.json out.png"_s);
    const auto pixels = [&](const QCommandLineOption &option, int *target) {
        bool ok = false;
        *target = parser.value(option).toInt(&ok);
        return ok && *target >= 200 && *target <= 8000;
    };
    int pixelsWide = 0;
    int pixelsHigh = 0;
    if (!pixels(width, &pixelsWide) || !pixels(height, &pixelsHigh))
        return fail(BadInput, u"--width and --height take a number of pixels in [200, 8000]"_s);
    const QSize size(pixelsWide, pixelsHigh);

    const QString inputPath = parser.positionalArguments().at(0);
    const QString outputPath = parser.positionalArguments().at(1);
    QFile input(inputPath);
    if (!input.open(QIODevice::ReadOnly))
        return fail(BadInput, u"%1: %2"_s.arg(inputPath, input.errorString()));
    QString error;
    const std::optional<SweepData> data = SweepData::fromJson(input.readAll(), &error);
    if (!data)
        return fail(BadInput, u"%1: %2"_s.arg(inputPath, error));

    const QImage image = LatencyPlot(*data).render(size);
    // Through a temporary file: a failed write leaves the previous figure as it was.
    QSaveFile output(outputPath);
    if (!output.open(QIODevice::WriteOnly) || !image.save(&output, "PNG") || !output.commit())
        return fail(WriteFailed, u"%1: cannot write the image: %2"_s.arg(outputPath, output.errorString()));
    std::printf("%s: %dx%d\n", qPrintable(outputPath), size.width(), size.height());
    return 0;
}
