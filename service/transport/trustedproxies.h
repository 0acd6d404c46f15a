#pragma once

#include "protocol/result.h"

#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringView>

namespace wsinfra {

struct HttpRequest;

/// The reverse proxies (trustedProxies) whose X-Forwarded-For and X-Real-IP headers name the real
/// client. Behind nginx every connection comes from the proxy; without this every client would share
/// the proxy's address in the per-IP limit, the console and the API's loopback rule. Headers from any
/// other peer are ignored: a client can write them too.
class TrustedProxies
{
public:
    /// No proxy is trusted: the client address is always the peer's.
    TrustedProxies() = default;

    /// Parses a comma-separated list of addresses and CIDR subnets ("127.0.0.1, 10.0.0.0/8, ::1");
    /// an empty text trusts no one. An entry that is neither is an error naming it.
    static Result<TrustedProxies> parse(QStringView list);

    bool isEmpty() const { return m_subnets.isEmpty(); }
    /// Whether `address` is one of the trusted proxies (IPv4-mapped IPv6 counts as IPv4).
    bool trusts(const QHostAddress &address) const;
    /// The address of the client behind `request`, in clientAddressText() form. For a trusted peer:
    /// the right-most address of X-Forwarded-For (all such headers, in order) that is not itself a
    /// trusted proxy, the left-most if all are; without X-Forwarded-For, X-Real-IP. The peer's own
    /// address when it is not trusted, when there is no such header, or when the header is malformed.
    QString clientAddress(const QHostAddress &peer, const HttpRequest &request) const;

private:
    QList<QPair<QHostAddress, int>> m_subnets;
};

} // namespace wsinfra
