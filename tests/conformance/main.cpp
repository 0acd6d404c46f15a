// The conformance server: what the official Engine.IO and Socket.IO test suites talk to. Only the command line
// lives here; the modes are EngineIoConformance and SocketIoConformance, served by ConformanceListener.

#include "conformancelistener.h"
#include "core/unixsignalwatcher.h"
#include "engineioconformance.h"
#include "socketioconformance.h"
#include "transport/engineio/engineioserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;
using namespace wsinfra;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"wsinfra-conformance-server"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Serves the official Engine.IO v4 / Socket.IO v5 test suites."_s);
    parser.addHelpOption();
    const QCommandLineOption engineIoOption(u"engineio"_s, u"Engine.IO echo server at /engine.io/."_s);
    const QCommandLineOption socketIoOption(u"socketio"_s, u"Socket.IO server at /socket.io/."_s);
    const QCommandLineOption portOption(u"port"_s, u"TCP port (0: any free port)."_s, u"N"_s, u"3000"_s);
    const QCommandLineOption hostOption(u"host"_s, u"Address to listen on."_s, u"HOST"_s, u"127.0.0.1"_s);
    parser.addOptions({engineIoOption, socketIoOption, portOption, hostOption});
    parser.process(app);

    const bool engineIo = parser.isSet(engineIoOption);
    const bool socketIo = parser.isSet(socketIoOption);
    if (engineIo == socketIo) {
        std::fprintf(stderr, "choose one mode: --engineio or --socketio\n");
        return 1;
    }
    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    const QHostAddress host(parser.value(hostOption));
    if (!portOk || port > 65535 || host.isNull()) {
        std::fprintf(stderr, "bad --port or --host\n");
        return 1;
    }

    const EngineIoServer::Settings engineSettings = EngineIoConformance::engineSettings();
    EngineIoServer engine(engineSettings, QString());
    std::unique_ptr<QObject> mode;
    QByteArray path;
    if (engineIo) {
        mode = std::make_unique<EngineIoConformance>(engine);
        path = QByteArray(EngineIoConformance::Path.data(), EngineIoConformance::Path.size());
    } else {
        mode = std::make_unique<SocketIoConformance>(engine);
        path = QByteArray(SocketIoConformance::Path.data(), SocketIoConformance::Path.size());
    }

    ConformanceListener::Settings listenerSettings;
    listenerSettings.address = host;
    listenerSettings.port = quint16(port);
    // Bodies a little over maxPayload still reach the engine, which answers 413 and closes the session.
    listenerSettings.limits.maxBodyBytes = engineSettings.maxPayload * 2;
    ConformanceListener listener(listenerSettings, path, &engine);
    if (!listener.listen()) {
        std::fprintf(stderr, "cannot listen: %s\n", qPrintable(listener.errorString()));
        return 1;
    }
    std::printf("listening on %s:%u\n", qPrintable(listener.address().toString()), unsigned(listener.port()));
    std::fflush(stdout);

    // SIGTERM/SIGINT: every session gets its close packet, then a normal exit (so coverage data is written).
    UnixSignalWatcher signalWatcher({SIGTERM, SIGINT});
    QObject::connect(&signalWatcher, &UnixSignalWatcher::unixSignal, &app, [&] {
        listener.close();
        engine.closeAll();
        QTimer::singleShot(100, &app, &QCoreApplication::quit);
    });
    return app.exec();
}
