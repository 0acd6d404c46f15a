#pragma once

#include <QDateTime>
#include <QtGlobal>

namespace wsinfra {

/// Where the service reads the time from. The real clock in production; tests that must move
/// time (token expiry, history TTL, rate limits) pass a ManualClock instead of sleeping.
class Clock
{
public:
    virtual ~Clock() = default;
    /// Milliseconds since the Unix epoch.
    virtual qint64 nowMs() const = 0;
    qint64 nowSeconds() const { return nowMs() / 1000; }
};

class SystemClock final : public Clock
{
public:
    qint64 nowMs() const override { return QDateTime::currentMSecsSinceEpoch(); }
};

/// A clock that stands still until told to move.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 1'700'000'000'000) : m_nowMs(startMs) {}
    qint64 nowMs() const override { return m_nowMs; }
    void setNowMs(qint64 nowMs) { m_nowMs = nowMs; }
    void advanceMs(qint64 deltaMs) { m_nowMs += deltaMs; }

private:
    qint64 m_nowMs;
};

} // namespace wsinfra
