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

qint64 ProcessMemory::cgroupLimitBytes() const
{
    for (const QString &path : {m_paths.cgroupV2Limit, m_paths.cgroupV1Limit}) {
        const QByteArray text = readSmallFile(path).trimmed();
        if (text.isEmpty() || text == "max")
            continue;
        bool ok = false;
        const qint64 limit = text.toLongLong(&ok);
        if (ok && limit > 0)
            return limit;
    }
    return 0;
}

qint64 ProcessMemory::budgetBytes(qint64 configuredLimit) const
{
    if (configuredLimit > 0)
        return configuredLimit;
    const qint64 physical = physicalBytes();
    const qint64 cgroup = cgroupLimitBytes();
    // cgroup v1 reports a huge number for "no limit": only a limit below physical memory counts.
    if (cgroup > 0 && (physical == 0 || cgroup < physical))
        return cgroup;
    return physical;
}

} // namespace wsinfra
