#pragma once

#include "transport/httpresponse.h"
#include "util/tokenbucket.h"

#include <QHash>
#include <QString>

namespace wsinfra {

class Clock;

/// Limits how fast one client address may open new connections (WebSocket upgrades, new Engine.IO
/// sessions): a token bucket per address, `ratePerSecond` sustained with `burst` at once. A flood from
/// one address is refused with 429 before it costs a shard anything, while other addresses are not
/// affected. IPv6 clients are limited per /64, since one subscriber usually holds a whole /64.
///
/// The table is bounded: addresses whose bucket has refilled carry no information and are swept out
/// every few seconds, and at `maxTrackedAddresses` the address seen longest ago makes room. Not
/// thread-safe: the front door and the HTTP API use it on the main thread.
class ConnectionRateLimiter
{
public:
    struct Settings
    {
        int ratePerSecond = 0; ///< 0: no limit
        int burst = 40;
        int maxTrackedAddresses = 16'384;
    };

    /// The outcome for one new connection.
    struct Verdict
    {
        bool admitted = true;
        qint64 retryAfterMs = 0; ///< when refused: until the address has a token again
    };

    ConnectionRateLimiter(const Settings &settings, const Clock &clock);

    bool isEnabled() const { return m_settings.ratePerSecond > 0; }
    /// Takes a token of `address` (clientAddressText() form) for a new connection.
    Verdict admit(const QString &address);
    /// Addresses tracked now (for tests).
    qsizetype trackedAddresses() const { return m_entries.size(); }

    /// The key an address is limited by: IPv4 as it is, IPv6 as its /64 prefix.
    static QString keyOf(const QString &address);
    /// 429 with Retry-After (whole seconds, at least 1) and the JSON error body of the public port.
    static HttpResponse refusal(const Verdict &verdict);

private:
    struct Entry
    {
        TokenBucket bucket;
        qint64 lastSeenMs = 0;
    };

    void sweep(qint64 nowMs);
    void makeRoom();

    const Settings m_settings;
    const Clock &m_clock;
    QHash<QString, Entry> m_entries;
    qint64 m_lastSweepMs = 0;
};

} // namespace wsinfra
