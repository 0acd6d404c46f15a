// procsampler.cpp: /proc/PID/stat and /proc/PID/statm.
#include "procsampler.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

namespace wsinfra::bench {
namespace {

std::string readSmallFile(const std::string &path)
{
    std::string text;
    if (FILE *file = std::fopen(path.c_str(), "re")) {
        char buffer[4096];
        const std::size_t length = std::fread(buffer, 1, sizeof buffer, file);
        text.assign(buffer, length);
        std::fclose(file);
    }
    return text;
}

} // namespace

ProcSampler::ProcSampler(int pid)
    : m_pid(pid), m_ticksPerSecond(sysconf(_SC_CLK_TCK)), m_pageSize(sysconf(_SC_PAGESIZE))
{
}

double ProcSampler::cpuSeconds() const
{
    if (m_pid <= 0)
        return -1;
    const std::string stat = readSmallFile("/proc/" + std::to_string(m_pid) + "/stat");
    // The command name in parentheses may hold spaces: the fields are counted from the last ')'.
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos)
        return -1;
    unsigned long utime = 0;
    unsigned long stime = 0;
    // After ")": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15).
    if (std::sscanf(stat.c_str() + close + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
        2)
        return -1;
    return double(utime + stime) / double(m_ticksPerSecond);
}

int64_t ProcSampler::rssBytes() const
{
    if (m_pid <= 0)
        return -1;
    const std::string statm = readSmallFile("/proc/" + std::to_string(m_pid) + "/statm");
    long size = 0;
    long resident = 0;
    if (std::sscanf(statm.c_str(), "%ld %ld", &size, &resident) != 2)
        return -1;
    return int64_t(resident) * m_pageSize;
}

} // namespace wsinfra::bench
