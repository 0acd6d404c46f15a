#include "transport/trustedproxies.h"

#include "protocol/codes.h"
#include "transport/clientaddress.h"
#include "transport/httprequestparser.h"

#include <optional>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// An IPv4 client of a dual-stack socket is one address, not two.
QHostAddress unmapped(const QHostAddress &address)
{
    bool isIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIpv4);
    return isIpv4 ? QHostAddress(ipv4) : address;
}

// QHostAddress also takes inet_aton forms ("10.1", "010.0.0.1") and blanks; a proxy writes neither,
// so anything but the canonical spelling is treated as malformed.
std::optional<QHostAddress> strictAddress(QStringView text)
{
    QHostAddress address;
    if (text.isEmpty() || text != text.trimmed() || !address.setAddress(text.toString()))
        return std::nullopt;
    if (address.protocol() == QAbstractSocket::IPv4Protocol && address.toString() != text)
        return std::nullopt;
    if (!address.scopeId().isEmpty())
        return std::nullopt;
    return address;
}

// One element of X-Forwarded-For: "192.0.2.1", "192.0.2.1:4711", "2001:db8::1", "[2001:db8::1]:4711".
std::optional<QHostAddress> forwardedAddress(QStringView element)
{
    if (element.startsWith(u'[')) {
        const qsizetype close = element.indexOf(u']');
        if (close < 0)
            return std::nullopt;
        const QStringView rest = element.sliced(close + 1);
        if (!rest.isEmpty() && !(rest.startsWith(u':') && rest.size() > 1))
            return std::nullopt;
        const std::optional<QHostAddress> address = strictAddress(element.sliced(1, close - 1));
        if (!address || address->protocol() != QAbstractSocket::IPv6Protocol)
            return std::nullopt;
        return address;
    }
    if (element.count(u':') == 1) // IPv4 with a port
        return strictAddress(element.first(element.indexOf(u':')));
    return strictAddress(element);
}

} // namespace

Result<TrustedProxies> TrustedProxies::parse(QStringView list)
{
    TrustedProxies proxies;
    const QList<QStringView> entries = list.split(u',');
    for (const QStringView entry : entries) {
        const QStringView trimmed = entry.trimmed();
        if (trimmed.isEmpty())
            continue;
        const qsizetype slash = trimmed.indexOf(u'/');
        const std::optional<QHostAddress> address = strictAddress(slash < 0 ? trimmed : trimmed.first(slash));
        QPair<QHostAddress, int> subnet{QHostAddress(), -1};
        if (address) {
            subnet = slash < 0 ? qMakePair(*address, address->protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128)
                               : QHostAddress::parseSubnet(trimmed.toString());
        }
        if (subnet.second < 0) {
            return Error{QString(ErrorCode::InvalidConfig),
                         u"\"%1\" is not an IP address or a subnet such as 10.0.0.0/8"_s.arg(trimmed)};
        }
        proxies.m_subnets.append(subnet);
    }
    return proxies;
}

bool TrustedProxies::trusts(const QHostAddress &address) const
{
    const QHostAddress plain = unmapped(address);
    return std::any_of(m_subnets.cbegin(), m_subnets.cend(),
                       [&plain](const QPair<QHostAddress, int> &subnet) { return plain.isInSubnet(subnet); });
}

QString TrustedProxies::clientAddress(const QHostAddress &peer, const HttpRequest &request) const
{
    const QString peerText = clientAddressText(peer);
    if (m_subnets.isEmpty() || !trusts(peer))
        return peerText;

    QByteArray forwardedFor;
    for (const auto &[name, value] : request.headers) {
        if (name.compare("x-forwarded-for", Qt::CaseInsensitive) == 0)
            forwardedFor += (forwardedFor.isEmpty() ? QByteArray() : QByteArray(",")) + value;
    }
    if (forwardedFor.isEmpty()) {
        const QByteArray realIp = request.header("x-real-ip");
        if (realIp.isEmpty())
            return peerText;
        const std::optional<QHostAddress> address = forwardedAddress(QString::fromLatin1(realIp));
        return address ? clientAddressText(*address) : peerText;
    }

    // Right to left: each trusted hop vouches for the one before it; the first untrusted one is the client.
    const QString text = QString::fromLatin1(forwardedFor);
    const QList<QStringView> hops = QStringView(text).split(u',');
    QHostAddress client;
    for (qsizetype i = hops.size() - 1; i >= 0; --i) {
        const std::optional<QHostAddress> address = forwardedAddress(hops.at(i).trimmed());
        if (!address)
            return peerText;
        client = *address;
        if (!trusts(client))
            break;
    }
    return clientAddressText(client);
}

} // namespace wsinfra
