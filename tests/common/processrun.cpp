#include "processrun.h"

#include <QElapsedTimer>

namespace wsinfra::test {

ProcessRun runToEnd(const QString &program, const QStringList &arguments, const QProcessEnvironment &environment,
                    int timeoutMs)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    QElapsedTimer elapsed;
    elapsed.start();
    process.start(program, arguments);
    ProcessRun run;
    if (!process.waitForStarted(10'000))
        return run;
    run.finished = process.waitForFinished(timeoutMs);
    if (!run.finished) {
        process.kill();
        process.waitForFinished(5'000);
    }
    run.elapsedMs = elapsed.elapsed();
    run.exitStatus = process.exitStatus();
    run.exitCode = run.exitStatus == QProcess::NormalExit ? process.exitCode() : -1;
    run.standardOutput = process.readAllStandardOutput();
    run.standardError = process.readAllStandardError();
    return run;
}

} // namespace wsinfra::test
