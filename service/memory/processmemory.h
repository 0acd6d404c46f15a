#pragma once

#include "memory/memoryreader.h"

#include <QString>
#include <QtGlobal>

namespace wsinfra {

/// Reads the process's memory and the budget it must live within, from /proc and the cgroup files.
/// The paths are parameters so that tests can point them at files they wrote.
class ProcessMemory : public MemoryReader
{
public:
    struct Paths
    {
        QString statm = QStringLiteral("/proc/self/statm");
        QString meminfo = QStringLiteral("/proc/meminfo");
        QString cgroupV2Limit = QStringLiteral("/sys/fs/cgroup/memory.max");
        QString cgroupV1Limit = QStringLiteral("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    };

    ProcessMemory() = default;
    explicit ProcessMemory(Paths paths) : m_paths(std::move(paths)) {}

    /// Resident set size in bytes (0 when unreadable).
    qint64 residentBytes() const override;
    /// MemTotal of the machine in bytes (0 when unreadable).
    qint64 physicalBytes() const;
    /// The cgroup's memory limit in bytes, 0 when there is none ("max") or it is unreadable.
    qint64 cgroupLimitBytes() const;
    /// The budget: the configured limit if any, else the cgroup's limit if lower than physical
    /// memory, else physical memory.
    qint64 budgetBytes(qint64 configuredLimit) const;

private:
    Paths m_paths;
};

} // namespace wsinfra
