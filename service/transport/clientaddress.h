#pragma once

#include <QHostAddress>
#include <QString>

namespace wsinfra {

/// A client's address as limits, logs and the API show it: an IPv4 client reached through a dual-stack
/// socket ("::ffff:10.0.0.1") is written as plain IPv4, so that one client has one spelling.
inline QString clientAddressText(const QHostAddress &address)
{
    bool isIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIpv4);
    return isIpv4 ? QHostAddress(ipv4).toString() : address.toString();
}

} // namespace wsinfra
