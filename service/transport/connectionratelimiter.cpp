#include "transport/connectionratelimiter.h"

#include "protocol/codes.h"
#include "util/clock.h"

#include <QHostAddress>

#include <cmath>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// Often enough that an attack's addresses do not linger long, rarely enough to cost nothing.
constexpr qint64 SweepIntervalMs = 10'000;

} // namespace

ConnectionRateLimiter::ConnectionRateLimiter(const Settings &settings, const Clock &clock)
    : m_settings(settings), m_clock(clock)
{
}

QString ConnectionRateLimiter::keyOf(const QString &address)
{
    const QHostAddress host(address);
    if (host.protocol() != QAbstractSocket::IPv6Protocol)
        return address;
    bool isIpv4 = false;
    const quint32 ipv4 = host.toIPv4Address(&isIpv4);
    if (isIpv4)
        return QHostAddress(ipv4).toString();
    Q_IPV6ADDR bytes = host.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString() + u"/64"_s;
}

ConnectionRateLimiter::Verdict ConnectionRateLimiter::admit(const QString &address)
{
    if (!isEnabled())
        return {};
    const qint64 nowMs = m_clock.nowMs();
    if (nowMs - m_lastSweepMs >= SweepIntervalMs || nowMs < m_lastSweepMs)
        sweep(nowMs);
    const QString key = keyOf(address);
    auto found = m_entries.find(key);
    if (found == m_entries.end()) {
        if (m_entries.size() >= m_settings.maxTrackedAddresses)
            makeRoom();
        found = m_entries.insert(key, Entry{TokenBucket(m_settings.ratePerSecond, m_settings.burst), nowMs});
    }
    found->lastSeenMs = nowMs;
    if (found->bucket.tryTake(nowMs))
        return {};
    const double missing = 1.0 - found->bucket.available(nowMs);
    return {false, qMax<qint64>(1, qint64(std::ceil(missing * 1000.0 / m_settings.ratePerSecond)))};
}

void ConnectionRateLimiter::sweep(qint64 nowMs)
{
    m_lastSweepMs = nowMs;
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        // A full bucket is what a new entry would start with: forgetting it changes nothing.
        if (it->bucket.available(nowMs) >= it->bucket.burst())
            it = m_entries.erase(it);
        else
            ++it;
    }
}

void ConnectionRateLimiter::makeRoom()
{
    sweep(m_clock.nowMs());
    if (m_entries.size() < m_settings.maxTrackedAddresses || m_entries.isEmpty())
        return;
    // Still full: a flood from more addresses than the table holds. The address seen longest ago
    // goes; the busiest ones, seen last, stay limited.
    auto oldest = m_entries.begin();
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->lastSeenMs < oldest->lastSeenMs)
            oldest = it;
    }
    m_entries.erase(oldest);
}

HttpResponse ConnectionRateLimiter::refusal(const Verdict &verdict)
{
    HttpResponse response =
        HttpResponse::error(429, ErrorCode::RateLimited,
                            u"too many new connections from this address: retry after the time in Retry-After"_s);
    const qint64 seconds = qMax<qint64>(1, (verdict.retryAfterMs + 999) / 1000);
    response.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray::number(seconds)));
    return response;
}

} // namespace wsinfra
