#pragma once

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>

namespace wsinfra::test {

/// How a program run to its end went.
struct ProcessRun
{
    bool finished = false; ///< false: it did not start, or was killed after the timeout
    int exitCode = -1;     ///< -1 when it did not exit normally
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray standardOutput;
    QByteArray standardError;
    qint64 elapsedMs = 0;
};

/// Runs `program` with `arguments` in `environment` until it exits, killing it after `timeoutMs`.
ProcessRun runToEnd(const QString &program, const QStringList &arguments, const QProcessEnvironment &environment,
                    int timeoutMs);

} // namespace wsinfra::test
