#pragma once

#include <QtGlobal>

namespace wsinfra {

/// Where the memory manager reads the process's resident memory from: ProcessMemory in the service,
/// a fake in tests, because a test cannot steer the real RSS.
class MemoryReader
{
public:
    virtual ~MemoryReader() = default;
    /// Resident set size in bytes (0 when unreadable).
    virtual qint64 residentBytes() const = 0;
};

} // namespace wsinfra
