// configcommand.h: the command-line actions of wsinfra-service that only read the configuration and
// exit: --print-config, --check-config and --print-config-reference. They never start the service.
#pragma once

#include "core/serviceconfig.h"

#include <QString>
#include <QStringList>

#include <optional>

class QCommandLineParser;
class QProcessEnvironment;

namespace wsinfra {

/// The configuration commands of wsinfra-service. main() adds their flags, and when one of them is
/// given it prints what run() returns and exits with its code instead of starting the service. The
/// output is returned rather than printed so that tests can check it without a process.
class ConfigCommand
{
public:
    /// What a command printed and how it ends: 0 = done, 2 = the configuration is invalid.
    struct Outcome
    {
        int exitCode = 0;
        QString standardOutput;
        QString standardError;
    };

    /// Adds --print-config, --check-config and --print-config-reference to the parser.
    static void addOptions(QCommandLineParser &parser);

    /// Runs the command the parsed arguments ask for; nullopt when they ask for none (start the service).
    /// --print-config-reference needs no valid configuration; the other two resolve it like a start does.
    static std::optional<Outcome> run(const QCommandLineParser &parser, const QProcessEnvironment &env);

    /// The --print-config table: one line per option in schema order, "key  value  source", values as
    /// ConfigLoader::displayValue() shows them (secrets "***") and "" for an empty value.
    static QString effectiveConfiguration(const ServiceConfig &config, const ConfigSources &sources);

    /// The --check-config summary, e.g. "configuration OK (57 options, from: default 50, file /x.json 4,
    /// environment 2, flag 1)".
    static QString summary(const ConfigSources &sources, const QString &configFile);

    /// What the service will start with but warn about (no JWT secret, no API key), one sentence each.
    static QStringList warnings(const ServiceConfig &config);

    /// The Markdown reference of every option, generated from the schema: the generated region of
    /// docs/configuration.md.
    static QString reference();
};

} // namespace wsinfra
