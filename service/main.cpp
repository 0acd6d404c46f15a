#include "core/service.h"
#include "core/serviceconfig.h"
#include "core/unixsignalwatcher.h"
#include "util/clock.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QProcessEnvironment>

#include <csignal>
#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    // Qt's default glib event dispatcher costs O(sockets) per notifier toggle, which makes fan-out
    // quadratic; the UNIX dispatcher does not (measured: tests/bench/run-fanout.sh, docs/development.md).
    // An explicitly empty QT_NO_GLIB (`QT_NO_GLIB= wsinfra-service`) keeps glib.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"wsinfra-service"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(WSINFRA_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"wsinfra real-time push service: native WebSocket at /ws and the HTTP API on one port.\n"
        u"Configuration: defaults < --config FILE < environment variables < command-line flags."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    wsinfra::ConfigLoader::addOptions(parser);
    parser.process(app);

    const wsinfra::Result<wsinfra::ServiceConfig> config =
        wsinfra::ConfigLoader::resolve(parser, QProcessEnvironment::systemEnvironment());
    if (!config) {
        std::fprintf(stderr, "wsinfra-service: %s\n", qPrintable(config.error().message));
        return 2;
    }

    wsinfra::SystemClock clock;
    wsinfra::Service service(*config, clock);
    if (!service.initialize()) {
        std::fprintf(stderr, "wsinfra-service: %s\n", qPrintable(service.errorString()));
        return 1;
    }
    // Installed before the announcement below: whoever reads it may send SIGTERM at once, and
    // without the handler that would kill the process instead of draining it.
    wsinfra::UnixSignalWatcher signalWatcher({SIGTERM, SIGINT, SIGHUP});
    QObject::connect(&signalWatcher, &wsinfra::UnixSignalWatcher::unixSignal, &app, [&service](int signalNumber) {
        if (signalNumber == SIGHUP) {
            // A reload must never stop the service; reloading secrets and limits comes with packaging.
            std::fprintf(stderr, "wsinfra-service: SIGHUP received; this version reloads nothing\n");
            return;
        }
        service.shutdown([] { QCoreApplication::exit(0); });
    });

    // Scripts and tests read the bound port from this first line (e.g. with --port 0).
    std::printf("listening on %s:%u\n", qPrintable(service.serverAddress().toString()), unsigned(service.serverPort()));
    if (service.controlPort() != 0)
        std::printf("control on %s:%u\n", qPrintable(service.config().controlBind), unsigned(service.controlPort()));
    std::fflush(stdout);
    return app.exec();
}
