#pragma once

#include <cstdint>

namespace wsinfra::bench {

/// Reads a process's CPU time and resident memory from /proc/PID (Linux), for the server under load.
class ProcSampler
{
public:
    /// `pid` 0 samples nothing: every reading is then -1.
    explicit ProcSampler(int pid);

    /// utime + stime of the process in seconds, -1 when it cannot be read.
    double cpuSeconds() const;
    /// Resident set size in bytes, -1 when it cannot be read.
    int64_t rssBytes() const;

private:
    int m_pid;
    long m_ticksPerSecond;
    long m_pageSize;
};

} // namespace wsinfra::bench
