#include "consolesession.h"
#include "consolestate.h"
#include "controlclient.h"
#include "snapshotexporter.h"
#include "ui/mainwindow.h"
#include "util/booleanword.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QProcessEnvironment>
#include <QSettings>
#include <QTimer>
#include <QTranslator>
#include <QUrl>

#include <cstdio>
#include <cstring>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

// The exit codes of docs/console.md; scripts rely on them.
enum ExitCode {
    Exported = 0,
    BadArguments = 2,
    Refused = 3,
    NoSnapshot = 4,
    CannotWrite = 5,
};

void complain(const QString &message)
{
    std::fprintf(stderr, "wsinfra-console: %s\n", qPrintable(message));
}

// The console's own translation for `language` ("fr", "fr_FR"; empty: the system's), and Qt's for its
// dialogs when installed. English needs none.
void installTranslations(QCoreApplication &app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // A language without a translation gets English, whose file holds the plural forms ("1 bill").
    auto *own = new QTranslator(&app);
    if (own->load(locale, u"wsinfra"_s, u"_"_s, u":/i18n"_s) || own->load(u"wsinfra_en"_s, u":/i18n"_s))
        QCoreApplication::installTranslator(own);
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    QLocale::setDefault(locale);
}

// As the service reads a boolean; empty is false.
std::optional<bool> parseFlag(const QString &text)
{
    return text.isEmpty() ? std::optional<bool>(false) : wsinfra::parseBooleanWord(text);
}

} // namespace

int main(int argc, char *argv[])
{
    // The arguments are checked before an application exists, so that a mistake is reported as such
    // (exit 2) without touching a display, and the window's platform is loaded only for the window.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    QCoreApplication::setOrganizationName(u"wsinfra"_s);
    QCoreApplication::setApplicationName(u"wsinfra-console"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(WSINFRA_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"wsinfra operations console: talks to a service's control port (docs/control-protocol.md).\n"
        u"Without --export it opens its window (connecting at once when a token is given, else asking).\n"
        u"With --export FILE it runs headless: connects, writes one snapshot of the service (.json or .csv,\n"
        u"by the extension) and exits.\n"
        u"\n"
        u"Exit codes of --export:\n"
        u"  0  the snapshot was written\n"
        u"  2  bad arguments\n"
        u"  3  the service refused the console (e.g. a wrong token)\n"
        u"  4  no snapshot: cannot connect, a certificate not trusted, no answer within --timeout, or an\n"
        u"     answer it cannot read\n"
        u"  5  the file cannot be written"_s);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption hostOption(u"host"_s,
                                        u"Address of the service's control port (default: $WSINFRA_CONTROL_HOST, "
                                        u"else 127.0.0.1)."_s,
                                        u"host"_s);
    const QCommandLineOption portOption(u"port"_s, u"The control port (default: $WSINFRA_CONTROL_PORT, else 3001)."_s,
                                        u"port"_s);
    const QCommandLineOption tokenOption(u"token"_s,
                                         u"The control token (default: $WSINFRA_CONTROL_TOKEN; the variable keeps it "
                                         u"out of the process list)."_s,
                                         u"token"_s);
    const QCommandLineOption tlsOption(u"tls"_s,
                                       u"The control port speaks TLS (wss://), as a service with "
                                       u"WSINFRA_CONTROL_TLS=true (default: $WSINFRA_CONTROL_TLS, else off)."_s);
    const QCommandLineOption caCertOption(u"ca-cert"_s,
                                          u"PEM file of CA certificates trusted, with --tls, besides the system's: "
                                          u"for a self-signed or private-CA certificate (default: "
                                          u"$WSINFRA_CONSOLE_CA_CERT)."_s,
                                          u"file"_s);
    const QCommandLineOption exportOption(u"export"_s, u"Write one snapshot to this file (.json or .csv) and exit."_s,
                                          u"file"_s);
    const QCommandLineOption timeoutOption(u"timeout"_s, u"Seconds to wait for the snapshot (default: 10)."_s,
                                           u"seconds"_s, u"10"_s);
    const QCommandLineOption languageOption(
        u"lang"_s, u"Language of the window, e.g. fr or en (default: the system's)."_s, u"language"_s);
    const QCommandLineOption screenshotsOption(
        u"screenshots"_s,
        u"Save a PNG of every page into this directory once --screenshot-delay seconds of data have come, "
        u"then exit (used by tests/console/screenshots.sh)."_s,
        u"directory"_s);
    const QCommandLineOption screenshotDelayOption(
        u"screenshot-delay"_s, u"Seconds after the first snapshot before --screenshots (default: 10)."_s, u"seconds"_s,
        u"10"_s);
    parser.addOptions({hostOption, portOption, tokenOption, tlsOption, caCertOption, exportOption, timeoutOption,
                       languageOption, screenshotsOption, screenshotDelayOption});
    // parse() rather than process(): a mistake must exit 2 as documented, not Qt's 1.
    if (!parser.parse(arguments)) {
        complain(parser.errorText());
        return BadArguments;
    }
    if (parser.isSet(helpOption) || parser.isSet(versionOption)) {
        QCoreApplication app(argc, argv);
        if (parser.isSet(helpOption))
            parser.showHelp(Exported);
        parser.showVersion();
    }
    if (!parser.positionalArguments().isEmpty()) {
        complain(u"unexpected argument \"%1\"; see --help"_s.arg(parser.positionalArguments().constFirst()));
        return BadArguments;
    }

    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // The flag, else the variable, else the default; `source` says which, for the error messages.
    const auto setting = [&](const QCommandLineOption &option, const QString &variable, const QString &fallback,
                             QString *source) {
        if (parser.isSet(option)) {
            *source = u"--"_s + option.names().constFirst();
            return parser.value(option);
        }
        *source = variable;
        return environment.value(variable, fallback);
    };
    QString source;
    const QString host = setting(hostOption, u"WSINFRA_CONTROL_HOST"_s, u"127.0.0.1"_s, &source);
    QUrl hostCheck;
    hostCheck.setHost(host);
    if (hostCheck.host().isEmpty()) {
        complain(u"%1 must be a host name or address (got \"%2\")"_s.arg(source, host.left(64)));
        return BadArguments;
    }
    const QString portText = setting(portOption, u"WSINFRA_CONTROL_PORT"_s, u"3001"_s, &source);
    bool portOk = false;
    const uint port = portText.toUInt(&portOk);
    if (!portOk || port == 0 || port > 65535) {
        complain(u"%1 must be a port from 1 to 65535 (got \"%2\")"_s.arg(source, portText.left(64)));
        return BadArguments;
    }
    const QString token = setting(tokenOption, u"WSINFRA_CONTROL_TOKEN"_s, QString(), &source);
    wsinfra::ControlClient::Tls tls;
    if (parser.isSet(tlsOption)) {
        tls.enabled = true;
    } else {
        // The words the service reads for WSINFRA_CONTROL_TLS, so one environment serves both.
        const QString text = environment.value(u"WSINFRA_CONTROL_TLS"_s).trimmed();
        const std::optional<bool> flag = parseFlag(text);
        if (!flag) {
            complain(u"WSINFRA_CONTROL_TLS must be true/1/yes/on or false/0/no/off (got \"%1\")"_s.arg(text.left(64)));
            return BadArguments;
        }
        tls.enabled = *flag;
    }
    tls.caCertificateFile = setting(caCertOption, u"WSINFRA_CONSOLE_CA_CERT"_s, QString(), &source);
    if (!tls.enabled) {
        // A CA file in the environment may serve other services; given here, it shows a mistake.
        if (parser.isSet(caCertOption)) {
            complain(u"--ca-cert needs --tls (or WSINFRA_CONTROL_TLS=true)"_s);
            return BadArguments;
        }
        tls.caCertificateFile.clear();
    }
    const QString caSource = source;
    // Called once the application exists: Qt 6.4 loads its TLS backend, which reading a certificate needs,
    // only then without a warning.
    const auto caFileUnusable = [&] {
        if (tls.caCertificateFile.isEmpty())
            return false;
        const auto authorities = wsinfra::ControlClient::loadCaCertificates(tls.caCertificateFile);
        if (!authorities)
            complain(u"%1: %2"_s.arg(caSource, authorities.error().message));
        return !authorities;
    };

    if (!parser.isSet(exportOption)) {
        bool delayOk = false;
        const double delaySeconds = parser.value(screenshotDelayOption).toDouble(&delayOk);
        if (!delayOk || delaySeconds < 0 || delaySeconds > 3600) {
            complain(u"--screenshot-delay must be a number of seconds from 0 to 3600"_s);
            return BadArguments;
        }
        QApplication app(argc, argv);
        if (caFileUnusable())
            return BadArguments;
        installTranslations(app, parser.value(languageOption));
        QSettings settings;
        wsinfra::ConsoleSession session;
        wsinfra::MainWindow window(&session, &settings);
        window.resize(1280, 800);
        window.show();
        wsinfra::RecentServers::Server server{host, quint16(port), token, false, tls.enabled, tls.caCertificateFile};
        if (!token.isEmpty())
            window.connectTo(server);
        else
            QTimer::singleShot(0, &window, [&window] { window.openConnectionDialog(); });

        if (parser.isSet(screenshotsOption)) {
            const QString directory = parser.value(screenshotsOption);
            if (!QDir().mkpath(directory)) {
                complain(u"cannot create %1"_s.arg(directory));
                return CannotWrite;
            }
            const int delayMs = int(delaySeconds * 1000);
            bool scheduled = false;
            QObject::connect(&session, &wsinfra::ConsoleSession::updated, &window, [&, delayMs, directory] {
                if (scheduled || !session.state().hasSnapshot())
                    return;
                scheduled = true;
                QTimer::singleShot(delayMs, &window, [&window, directory] {
                    const wsinfra::Result<bool> saved = window.saveScreenshots(directory);
                    if (!saved)
                        complain(saved.error().message);
                    QCoreApplication::exit(saved ? 0 : int(CannotWrite));
                });
            });
        }
        return app.exec();
    }

    if (token.isEmpty()) {
        complain(u"no control token: pass --token or set WSINFRA_CONTROL_TOKEN"_s);
        return BadArguments;
    }
    bool timeoutOk = false;
    const double timeoutSeconds = parser.value(timeoutOption).toDouble(&timeoutOk);
    if (!timeoutOk || !(timeoutSeconds > 0) || timeoutSeconds > 86'400) {
        complain(u"--timeout must be a number of seconds above 0 and at most 86400"_s);
        return BadArguments;
    }
    const QString path = parser.value(exportOption);
    if (const auto format = wsinfra::SnapshotExporter::formatOf(path); !format) {
        complain(format.error().message);
        return BadArguments;
    }
    QCoreApplication app(argc, argv);
    if (caFileUnusable())
        return BadArguments;
    const int timeoutMs = int(timeoutSeconds * 1000);
    wsinfra::ControlClient::Settings settings;
    // The --timeout below is the one that speaks; the client's own only backs it up.
    settings.welcomeTimeoutMs = timeoutMs + 5'000;
    wsinfra::ControlClient client(settings);
    wsinfra::ConsoleState state;
    bool finished = false;
    // Says goodbye to the service (a close handshake, bounded) before exiting with `code`.
    const auto finish = [&](int code, const QString &message) {
        if (finished)
            return;
        finished = true;
        if (!message.isEmpty())
            complain(message);
        const auto quit = [code] { QCoreApplication::exit(code); };
        QObject::connect(&client, &wsinfra::ControlClient::stateChanged, &app,
                         [quit](wsinfra::ControlClient::State now) {
                             if (now == wsinfra::ControlClient::State::Disconnected)
                                 quit();
                         });
        QTimer::singleShot(2'000, &app, quit);
        client.disconnectFromService();
        if (client.state() == wsinfra::ControlClient::State::Disconnected)
            QTimer::singleShot(0, &app, quit);
    };
    QObject::connect(&client, &wsinfra::ControlClient::snapshotReceived, &app, [&](const QJsonObject &snapshot) {
        QString error;
        if (!state.apply(snapshot, &error)) {
            finish(NoSnapshot, u"the service sent a snapshot this console cannot read: %1"_s.arg(error));
            return;
        }
        const wsinfra::Result<bool> written = wsinfra::SnapshotExporter::write(state, path);
        if (!written) {
            finish(CannotWrite, written.error().message);
            return;
        }
        finish(Exported, {});
    });
    QObject::connect(&client, &wsinfra::ControlClient::refused, &app, [&](const QString &code, const QString &message) {
        finish(Refused, u"the service refused the console: %1: %2"_s.arg(code, message));
    });
    QObject::connect(&client, &wsinfra::ControlClient::connectionFailed, &app, [&](const QString &reason) {
        finish(NoSnapshot, u"cannot reach the service's control port: %1"_s.arg(reason));
    });
    QTimer::singleShot(timeoutMs, &app, [&] {
        finish(NoSnapshot, u"no snapshot from %1 within %2 s"_s.arg(client.url().toString()).arg(timeoutSeconds));
    });
    QObject::connect(&client, &wsinfra::ControlClient::certificateRejected, &app,
                     [&](const QString &reason) { finish(NoSnapshot, u"cannot connect over TLS: %1"_s.arg(reason)); });
    client.connectToService(host, quint16(port), token, tls);
    return app.exec();
}
