#pragma once

#include <QtGlobal>

#include <algorithm>

namespace wsinfra {

/// A token bucket rate limiter: holds at most `burst` tokens, starts full and refills continuously at
/// `ratePerSecond`. Time is passed in explicitly (milliseconds, e.g. Clock::nowMs()) so tests can move it.
///
/// A rate <= 0 means nothing ever refills: the bucket hands out its initial burst and then refuses.
/// Time going backwards never adds tokens; the earlier time becomes the new reference point, so a wall clock
/// stepped back by an hour does not freeze refills for that hour (refills resume as soon as time moves forward).
class TokenBucket
{
public:
    TokenBucket(double ratePerSecond, double burst)
        : m_rate(sanitize(ratePerSecond)), m_burst(sanitize(burst)), m_tokens(m_burst)
    {
    }

    /// Takes `tokens` if that many are available at `nowMs` and returns true; otherwise takes nothing and
    /// returns false. A negative or NaN request is refused; a request larger than the burst never succeeds.
    bool tryTake(qint64 nowMs, double tokens = 1.0)
    {
        refill(nowMs);
        if (!(tokens >= 0.0))
            return false;
        // The epsilon absorbs rounding in the refill arithmetic (e.g. 0.1 token/s over 10 s must give 1 token).
        if (tokens > m_tokens + Epsilon)
            return false;
        m_tokens = std::max(0.0, m_tokens - tokens);
        return true;
    }

    /// The tokens that a tryTake() at `nowMs` could take; does not change the bucket.
    double available(qint64 nowMs) const
    {
        if (!m_hasReference)
            return m_tokens;
        return std::min(m_burst, m_tokens + refillAmount(m_referenceMs, nowMs));
    }

    /// Fills the bucket and makes `nowMs` the reference point for later refills.
    void reset(qint64 nowMs)
    {
        m_tokens = m_burst;
        m_referenceMs = nowMs;
        m_hasReference = true;
    }

    double rate() const { return m_rate; }
    double burst() const { return m_burst; }

private:
    static constexpr double Epsilon = 1e-9;

    // NaN and negative settings become 0, so arithmetic below never sees them.
    static double sanitize(double value) { return value > 0.0 ? value : 0.0; }

    double refillAmount(qint64 fromMs, qint64 toMs) const
    {
        if (toMs <= fromMs || m_rate <= 0.0)
            return 0.0;
        // Done in double: the difference of two arbitrary qint64 values can overflow qint64.
        const double elapsedMs = static_cast<double>(toMs) - static_cast<double>(fromMs);
        return elapsedMs * m_rate / 1000.0;
    }

    void refill(qint64 nowMs)
    {
        // The first call only sets the reference point: the bucket is full already.
        if (m_hasReference)
            m_tokens = std::min(m_burst, m_tokens + refillAmount(m_referenceMs, nowMs));
        m_referenceMs = nowMs;
        m_hasReference = true;
    }

    double m_rate;
    double m_burst;
    double m_tokens;
    qint64 m_referenceMs = 0;
    bool m_hasReference = false;
};

} // namespace wsinfra
