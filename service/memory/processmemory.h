#pragma once

#include "memory/memoryreader.h"

#include <QString>
#include <QtGlobal>

namespace wsinfra {

/// Reads the process's memory from /proc (MemoryManager resolves the budget it must live within).
/// The paths are parameters so that tests can point them at files they wrote.
class ProcessMemory : public MemoryReader
{
public:
    struct Paths
    {
        QString statm = QStringLiteral("/proc/self/statm");
        QString meminfo = QStringLiteral("/proc/meminfo");
    };

    ProcessMemory() = default;
    explicit ProcessMemory(Paths paths) : m_paths(std::move(paths)) {}

    /// Resident set size in bytes (0 when unreadable).
    qint64 residentBytes() const override;
    /// MemTotal of the machine in bytes (0 when unreadable).
    qint64 physicalBytes() const;

private:
    Paths m_paths;
};

} // namespace wsinfra
