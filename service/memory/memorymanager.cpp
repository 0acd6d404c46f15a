#include "memory/memorymanager.h"

#include "memory/memoryreader.h"
#include "util/clock.h"

#include <QFile>

#include <chrono>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

/// A cgroup limit file's number; 0 when the file is missing, says "max" or holds no positive number.
qint64 cgroupLimitOf(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = file.read(64).trimmed(); // a limit has at most 20 digits
    bool ok = false;
    const qint64 limit = text.toLongLong(&ok);
    return ok && limit > 0 ? limit : 0;
}

qint64 machinePhysicalBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    return pages > 0 && pageSize > 0 ? qint64(pages) * qint64(pageSize) : 0;
}

} // namespace

MemoryManager::MemoryManager(const Settings &settings, const MemoryReader &reader, const Clock &clock, QObject *parent)
    : QObject(parent), m_settings(settings), m_reader(reader), m_clock(clock)
{
    m_timer.setInterval(std::chrono::milliseconds(qMax<qint64>(1, settings.checkIntervalMs)));
    connect(&m_timer, &QTimer::timeout, this, &MemoryManager::check);
}

void MemoryManager::start()
{
    check();
    m_timer.start();
}

void MemoryManager::setThresholds(qint64 limitBytes, int warningPercent, int criticalPercent, int emergencyPercent)
{
    m_settings.limitBytes = limitBytes;
    m_settings.warningPercent = warningPercent;
    m_settings.criticalPercent = criticalPercent;
    m_settings.emergencyPercent = emergencyPercent;
    if (m_timer.isActive())
        check();
}

qint64 MemoryManager::resolveBudget(qint64 configuredLimit, const BudgetSources &sources)
{
    if (configuredLimit > 0)
        return configuredLimit;
    if (const qint64 v2 = cgroupLimitOf(sources.cgroupV2Limit); v2 > 0)
        return v2;
    // cgroup v1 writes "no limit" as a huge page-aligned number (2^63 - 4096 on x86-64).
    constexpr qint64 V1Unlimited = qint64(1) << 60;
    if (const qint64 v1 = cgroupLimitOf(sources.cgroupV1Limit); v1 > 0 && v1 < V1Unlimited)
        return v1;
    return sources.physicalBytes > 0 ? sources.physicalBytes : machinePhysicalBytes();
}

QString MemoryManager::ownCgroupV2Limit(const QString &procCgroupFile, const QString &cgroupRoot)
{
    const QString rootLimit = cgroupRoot + u"/memory.max"_s;
    QFile file(procCgroupFile);
    if (!file.open(QIODevice::ReadOnly))
        return rootLimit;
    const QList<QByteArray> lines = file.read(64 * 1024).split('\n');
    for (const QByteArray &line : lines) {
        if (!line.startsWith("0::/"))
            continue;
        const QString path = QString::fromUtf8(line.mid(3)).trimmed();
        // A path that climbs out of the cgroup tree is no cgroup of ours.
        if (path == u"/"_s || path.contains(u"/../"_s) || path.endsWith(u"/.."_s) || path.contains(u'\0'))
            return rootLimit;
        return cgroupRoot + path + u"/memory.max"_s;
    }
    return rootLimit;
}

QString MemoryManager::levelName(Level level)
{
    switch (level) {
    case Level::Normal:
        return u"normal"_s;
    case Level::Warning:
        return u"warning"_s;
    case Level::Critical:
        return u"critical"_s;
    case Level::Emergency:
        return u"emergency"_s;
    }
    return u"normal"_s;
}

double MemoryManager::thresholdOf(Level level) const
{
    switch (level) {
    case Level::Normal:
        return 0.0;
    case Level::Warning:
        return m_settings.warningPercent;
    case Level::Critical:
        return m_settings.criticalPercent;
    case Level::Emergency:
        return m_settings.emergencyPercent;
    }
    return 0.0;
}

MemoryManager::Level MemoryManager::levelFor(double pressurePercent, Level current) const
{
    Level reached = Level::Normal;
    for (Level level : {Level::Warning, Level::Critical, Level::Emergency}) {
        if (pressurePercent >= thresholdOf(level))
            reached = level;
    }
    if (reached >= current)
        return reached;
    // Falling: step down only past each level's threshold minus the hysteresis.
    Level level = current;
    while (level > reached && pressurePercent < thresholdOf(level) - Hysteresis)
        level = Level(int(level) - 1);
    return level;
}

MemoryManager::Sample MemoryManager::check()
{
    Sample sample;
    sample.timestampMs = m_clock.nowMs();
    sample.residentBytes = m_reader.residentBytes();
    sample.budgetBytes = resolveBudget(m_settings.limitBytes, m_settings.sources);
    if (sample.budgetBytes > 0)
        sample.pressurePercent = 100.0 * double(sample.residentBytes) / double(sample.budgetBytes);
    const Level previous = m_latest.level;
    sample.level = levelFor(sample.pressurePercent, previous);
    m_latest = sample;
    if (sample.level != previous)
        emit levelChanged(sample.level, previous);
    emit checked(sample.level);
    return sample;
}

} // namespace wsinfra
