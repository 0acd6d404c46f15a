#include "transport/originpolicy.h"

#include "protocol/codes.h"
#include "transport/httprequestparser.h"

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// Far above any real origin; bounds the work on a hostile header.
constexpr qsizetype MaxOriginLength = 1024;

bool isAsciiLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isSchemeChar(char c)
{
    return isAsciiLetter(c) || isDigit(c) || c == '+' || c == '-' || c == '.';
}

// A registered name as browsers serialise it (IDNs arrive as punycode), or an IPv4 address.
bool isHostChar(char c)
{
    return isAsciiLetter(c) || isDigit(c) || c == '-' || c == '.' || c == '_';
}

bool isIpv6Char(char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

Error notAnOrigin(QByteArrayView origin, const QString &why)
{
    const QByteArray shown = origin.size() > 80 ? origin.first(80).toByteArray() + "..." : origin.toByteArray();
    return Error{QString(ErrorCode::BadRequest),
                 u"\"%1\" is not an origin (scheme://host[:port]): %2"_s.arg(QString::fromUtf8(shown), why)};
}

} // namespace

Result<QByteArray> OriginPolicy::normalize(QByteArrayView origin)
{
    if (origin.isEmpty())
        return notAnOrigin(origin, u"it is empty"_s);
    if (origin.size() > MaxOriginLength)
        return notAnOrigin(origin, u"it is longer than %1 characters"_s.arg(MaxOriginLength));
    const qsizetype separator = origin.indexOf("://");
    if (separator <= 0)
        return notAnOrigin(origin, u"it has no scheme"_s);
    const QByteArrayView scheme = origin.first(separator);
    if (!isAsciiLetter(scheme.front()) || !std::all_of(scheme.begin(), scheme.end(), isSchemeChar))
        return notAnOrigin(origin, u"the scheme is not valid"_s);

    const QByteArrayView authority = origin.sliced(separator + 3);
    QByteArrayView host = authority;
    QByteArrayView port;
    if (authority.startsWith('[')) {
        const qsizetype close = authority.indexOf(']');
        if (close < 2)
            return notAnOrigin(origin, u"the IPv6 address is not closed"_s);
        host = authority.first(close + 1);
        const QByteArrayView rest = authority.sliced(close + 1);
        if (!rest.isEmpty() && !rest.startsWith(':'))
            return notAnOrigin(origin, u"it has a path or other parts after the host"_s);
        port = rest.isEmpty() ? QByteArrayView() : rest.sliced(1);
        if (!rest.isEmpty() && port.isEmpty())
            return notAnOrigin(origin, u"the port is empty"_s);
        const QByteArrayView inside = host.sliced(1, host.size() - 2);
        if (!std::all_of(inside.begin(), inside.end(), isIpv6Char))
            return notAnOrigin(origin, u"the IPv6 address is not valid"_s);
    } else {
        const qsizetype colon = authority.indexOf(':');
        if (colon >= 0) {
            host = authority.first(colon);
            port = authority.sliced(colon + 1);
            if (port.isEmpty())
                return notAnOrigin(origin, u"the port is empty"_s);
        }
        if (host.isEmpty())
            return notAnOrigin(origin, u"the host is empty"_s);
        if (authority.contains('@'))
            return notAnOrigin(origin, u"it has a user name"_s);
        if (authority.contains('/'))
            return notAnOrigin(origin, u"it has a path"_s);
        if (authority.contains('?') || authority.contains('#'))
            return notAnOrigin(origin, u"it has a query or a fragment"_s);
        if (!std::all_of(host.begin(), host.end(), isHostChar))
            return notAnOrigin(origin, u"the host has a character not allowed in a host name"_s);
    }

    QByteArray normalised = scheme.toByteArray().toLower() + "://" + host.toByteArray().toLower();
    if (!port.isEmpty()) {
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(), isDigit))
            return notAnOrigin(origin, u"the port is not a number from 1 to 65535"_s);
        const int number = port.toInt();
        if (number < 1 || number > 65535)
            return notAnOrigin(origin, u"the port is not a number from 1 to 65535"_s);
        const bool isDefault =
            (number == 80 && normalised.startsWith("http://")) || (number == 443 && normalised.startsWith("https://"));
        if (!isDefault)
            normalised += ':' + QByteArray::number(number);
    }
    return normalised;
}

Result<OriginPolicy> OriginPolicy::parse(QStringView list)
{
    OriginPolicy policy;
    const QList<QStringView> entries = list.split(u',');
    for (const QStringView entry : entries) {
        const QStringView trimmed = entry.trimmed();
        if (trimmed.isEmpty())
            continue;
        if (trimmed == u"*") {
            policy.m_any = true;
            continue;
        }
        // Non-ASCII text cannot be an origin as browsers send it (they send punycode).
        const QByteArray utf8 = trimmed.toUtf8();
        if (utf8.size() != trimmed.size())
            return notAnOrigin(utf8, u"it is not ASCII (write international names in punycode, xn--...)"_s);
        const Result<QByteArray> origin = normalize(utf8);
        if (!origin)
            return origin.error();
        policy.m_origins.insert(*origin);
    }
    return policy;
}

bool OriginPolicy::allows(QByteArrayView origin) const
{
    if (m_any)
        return true;
    const Result<QByteArray> normalised = normalize(origin);
    return normalised && m_origins.contains(*normalised);
}

bool OriginPolicy::admits(const HttpRequest &request) const
{
    if (isEmpty() || m_any)
        return true;
    const QByteArray *origin = nullptr;
    for (const auto &[name, value] : request.headers) {
        if (name.compare("origin", Qt::CaseInsensitive) != 0)
            continue;
        if (origin) // two origins: a forged request, whichever is meant
            return false;
        origin = &value;
    }
    return !origin || allows(*origin);
}

} // namespace wsinfra
