// wsinfra-bench: the load tool of the benchmarks (docs/benchmarks.md). One thread, one epoll loop.
#include "benchoptions.h"
#include "loadrunner.h"

#include <QCoreApplication>
#include <QJsonDocument>

#include <csignal>
#include <cstdio>
#include <sys/resource.h>

using namespace wsinfra::bench;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QString error;
    QString help;
    const std::optional<BenchOptions> options = parseBenchOptions(app.arguments(), &error, &help);
    if (!options) {
        if (!help.isEmpty()) {
            std::fputs(qPrintable(help), stdout);
            return 0;
        }
        std::fprintf(stderr, "wsinfra-bench: %s\n", qPrintable(error));
        return 2;
    }
    // Every connection is a descriptor: take all the hard limit allows.
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    std::signal(SIGPIPE, SIG_IGN);

    LoadRunner runner(*options);
    const BenchResult result = runner.run();
    if (options->json)
        std::fputs(QJsonDocument(result.toJson()).toJson(QJsonDocument::Compact).append('\n').constData(), stdout);
    else
        std::fputs(qPrintable(result.summary() + u'\n'), stdout);
    return result.succeeded() ? 0 : 1;
}
