#include "core/configcommand.h"
#include "core/epolleventdispatcher.h"
#include "core/service.h"
#include "core/serviceconfig.h"
#include "core/systemdnotifier.h"
#include "core/unixsignalwatcher.h"
#include "util/clock.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QProcessEnvironment>

#include <csignal>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

// The main thread's dispatcher must be installed before the application exists, and the application must
// exist before the options are processed (--help, --version). So the option eventDispatcher is resolved
// here once from all its sources without an application; a bad configuration falls back to the default
// and is reported by the resolution in main() proper.
bool wantsEpollEventDispatcher(int argc, char *argv[])
{
    QStringList arguments;
    for (int index = 0; index < argc; ++index)
        arguments.append(QString::fromLocal8Bit(argv[index]));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addVersionOption();
    wsinfra::ConfigLoader::addOptions(parser);
    wsinfra::ConfigCommand::addOptions(parser);
    if (!parser.parse(arguments))
        return true;
    const wsinfra::Result<wsinfra::ServiceConfig> config =
        wsinfra::ConfigLoader::resolveWithoutReadingFiles(parser, QProcessEnvironment::systemEnvironment());
    return !config || config->eventDispatcher == "epoll"_L1;
}

} // namespace

int main(int argc, char *argv[])
{
    // epoll (the default, issue 8): each loop turn costs O(ready sockets), where Qt's dispatchers pass
    // every socket to poll(). The application owns the dispatcher; the I/O threads get theirs in ShardPool.
    if (wantsEpollEventDispatcher(argc, argv))
        QCoreApplication::setEventDispatcher(new wsinfra::EpollEventDispatcher);
    // With eventDispatcher "qt": Qt's default glib event dispatcher costs O(sockets) per notifier toggle,
    // which makes fan-out quadratic; the UNIX dispatcher does not (measured with the former fan-out script,
    // docs/development.md). An explicitly empty QT_NO_GLIB (`QT_NO_GLIB= wsinfra-service`) keeps glib.
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
    wsinfra::ConfigCommand::addOptions(parser);
    parser.process(app);

    // --print-config, --check-config, --print-config-reference: print and exit, never start the service.
    if (const std::optional<wsinfra::ConfigCommand::Outcome> outcome =
            wsinfra::ConfigCommand::run(parser, QProcessEnvironment::systemEnvironment())) {
        std::fputs(qUtf8Printable(outcome->standardOutput), stdout);
        std::fputs(qUtf8Printable(outcome->standardError), stderr);
        return outcome->exitCode;
    }

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
    // systemd (Type=notify) hears of start, reloads and stop through NOTIFY_SOCKET; elsewhere a no-op.
    const QProcessEnvironment startEnvironment = QProcessEnvironment::systemEnvironment();
    wsinfra::SystemdNotifier notifier(startEnvironment.value(u"NOTIFY_SOCKET"_s));
    const QString listeningStatus =
        u"listening on %1:%2"_s.arg(service.serverAddress().toString()).arg(service.serverPort());
    // Installed before the announcement below: whoever reads it may send SIGTERM at once, and
    // without the handler that would kill the process instead of draining it.
    wsinfra::UnixSignalWatcher signalWatcher({SIGTERM, SIGINT, SIGHUP});
    bool stopping = false;
    QObject::connect(&signalWatcher, &wsinfra::UnixSignalWatcher::unixSignal, &app, [&](int signalNumber) {
        if (stopping)
            return; // draining: neither a reload nor a second stop would help, and READY=1 would mislead systemd
        if (signalNumber != SIGHUP) {
            stopping = true;
            notifier.stopping();
            service.shutdown([] { QCoreApplication::exit(0); });
            return;
        }
        // Reload: the same --config file and flags, the environment as it is; a bad file changes nothing.
        notifier.reloading();
        const wsinfra::Result<wsinfra::ServiceConfig> fresh =
            wsinfra::ConfigLoader::resolve(parser, QProcessEnvironment::systemEnvironment());
        QString summary;
        if (!fresh) {
            summary = u"reload failed, the configuration in effect is kept: "_s + fresh.error().message;
            service.logEvent(wsinfra::EventLog::Level::Error, u"config"_s, summary);
        } else {
            const wsinfra::Service::ReloadOutcome outcome = service.reload(*fresh);
            summary = u"reloaded: "_s + (outcome.reloaded.isEmpty() ? u"nothing"_s : outcome.reloaded.join(u", "_s));
            if (!outcome.restartNeeded.isEmpty())
                summary += u"; restart needed for: "_s + outcome.restartNeeded.join(u", "_s);
        }
        std::fprintf(stderr, "wsinfra-service: SIGHUP: %s\n", qPrintable(summary));
        const QString status = listeningStatus + u"; "_s + summary;
        notifier.ready(status);
    });

    // Scripts and tests read the bound port from this first line (e.g. with --port 0).
    std::printf("listening on %s:%u\n", qPrintable(service.serverAddress().toString()), unsigned(service.serverPort()));
    if (service.controlPort() != 0)
        std::printf("control on %s:%u\n", qPrintable(service.config().controlBind), unsigned(service.controlPort()));
    std::fflush(stdout);
    notifier.ready(listeningStatus);
    // Pinged from this thread's event loop: if it stalls, systemd restarts the service.
    if (const wsinfra::Result<bool> watchdog = notifier.startWatchdog(startEnvironment.value(u"WATCHDOG_USEC"_s),
                                                                      startEnvironment.value(u"WATCHDOG_PID"_s));
        !watchdog)
        std::fprintf(stderr, "wsinfra-service: %s\n", qPrintable(watchdog.error().message));
    return app.exec();
}
