#include "memory/processmemory.h"

#include <QFile>

#include <unistd.h>

namespace wsinfra {

namespace {

QByteArray readSmallFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.read(64 * 1024);
}

} // namespace

qint64 ProcessMemory::residentBytes() const
{
    // statm: size resident shared text lib data dt (in pages)
    const QList<QByteArray> fields = readSmallFile(m_paths.statm).simplified().split(' ');
    if (fields.size() < 2)
        return 0;
    bool ok = false;
    const qint64 pages = fields.at(1).toLongLong(&ok);
    return ok ? pages * qint64(sysconf(_SC_PAGESIZE)) : 0;
}

qint64 ProcessMemory::physicalBytes() const
{
    const QList<QByteArray> lines = readSmallFile(m_paths.meminfo).split('\n');
    for (const QByteArray &line : lines) {
        if (!line.startsWith("MemTotal:"))
            continue;
        const QList<QByteArray> fields = line.simplified().split(' ');
        bool ok = false;
        const qint64 kilobytes = fields.value(1).toLongLong(&ok);
        return ok ? kilobytes * 1024 : 0;
    }
    return 0;
}

} // namespace wsinfra
