#include "redisendpoint.h"

#include "protocol/codes.h"

#include <QByteArray>
#include <QHostAddress>
#include <QUtf8StringView>

#include <limits>
#include <optional>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// A REDIS_URL is a line of configuration, not a document: anything longer is a mistake.
constexpr qsizetype MaxUrlLength = 4096;
constexpr qsizetype MaxHostLength = 253;
constexpr qsizetype MaxEchoedLength = 32;

Error invalid(const QString &message)
{
    return Error{QString(ErrorCode::InvalidConfig), u"REDIS_URL: "_s + message};
}

// Quotes a rejected part for the message, cut short so that a huge input does not make a huge log line.
QString quoted(QStringView text)
{
    if (text.size() <= MaxEchoedLength)
        return u'"' + text.toString() + u'"';
    return u'"' + text.left(MaxEchoedLength).toString() + u"...\""_s;
}

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

int hexValue(QChar c)
{
    if (isDigit(c))
        return c.unicode() - u'0';
    if (c >= u'a' && c <= u'f')
        return c.unicode() - u'a' + 10;
    if (c >= u'A' && c <= u'F')
        return c.unicode() - u'A' + 10;
    return -1;
}

// Decimal digits only (no sign, no blanks), at most `maxDigits` of them so the value cannot overflow.
std::optional<qint64> parseDigits(QStringView text, qsizetype maxDigits)
{
    if (text.isEmpty() || text.size() > maxDigits)
        return std::nullopt;
    qint64 value = 0;
    for (const QChar c : text) {
        if (!isDigit(c))
            return std::nullopt;
        value = value * 10 + (c.unicode() - u'0');
    }
    return value;
}

// The user part is percent-encoded UTF-8. A NUL could not be sent in AUTH's text form by every
// client, and invalid UTF-8 is a typo, so both are refused.
std::optional<QString> percentDecode(QStringView text)
{
    QByteArray bytes;
    bytes.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] != u'%') {
            bytes.append(char(text[i].unicode())); // printable ASCII, checked by the caller
            continue;
        }
        if (i + 2 >= text.size())
            return std::nullopt;
        const int high = hexValue(text[i + 1]);
        const int low = hexValue(text[i + 2]);
        if (high < 0 || low < 0)
            return std::nullopt;
        const char byte = char(high * 16 + low);
        if (byte == '\0')
            return std::nullopt;
        bytes.append(byte);
        i += 2;
    }
    if (!QUtf8StringView(bytes).isValidUtf8())
        return std::nullopt;
    return QString::fromUtf8(bytes);
}

bool isHostCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || isDigit(c) || c == u'-' || c == u'.' || c == u'_';
}

} // namespace

QString RedisEndpoint::toDisplayString() const
{
    QString text = tls ? u"rediss://"_s : u"redis://"_s;
    if (!password.isEmpty())
        text += username + u":***@"_s;
    if (host.contains(u':'))
        text += u'[' + host + u']';
    else
        text += host;
    text += u':' + QString::number(port) + u'/' + QString::number(database);
    return text;
}

Result<RedisEndpoint> parseRedisUrl(QStringView url)
{
    if (url.isEmpty())
        return invalid(u"is empty"_s);
    if (url.size() > MaxUrlLength)
        return invalid(u"is longer than %1 characters"_s.arg(MaxUrlLength));
    for (const QChar c : url) {
        // Blanks, control characters (NUL included) and non-ASCII must be percent-encoded, if anywhere.
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return invalid(u"contains a blank, a control character or a non-ASCII character"_s);
    }

    static constexpr QLatin1StringView Scheme{"redis://"};
    static constexpr QLatin1StringView TlsScheme{"rediss://"};
    const bool tls = url.startsWith(TlsScheme, Qt::CaseInsensitive);
    if (!tls && !url.startsWith(Scheme, Qt::CaseInsensitive))
        return invalid(u"must start with redis:// or rediss:// (TLS)"_s);

    QStringView rest = url.mid(tls ? TlsScheme.size() : Scheme.size());
    if (const qsizetype junk = rest.indexOf(u'?'); junk >= 0)
        return invalid(u"has a query (?...), which is not supported"_s);
    if (const qsizetype junk = rest.indexOf(u'#'); junk >= 0)
        return invalid(u"has a fragment (#...), which is not supported"_s);

    const qsizetype slash = rest.indexOf(u'/');
    QStringView authority = slash < 0 ? rest : rest.left(slash);
    const QStringView path = slash < 0 ? QStringView() : rest.mid(slash + 1);

    RedisEndpoint endpoint;
    endpoint.tls = tls;

    // The last '@' ends the user part, so that an unencoded '@' in a password still works.
    if (const qsizetype at = authority.lastIndexOf(u'@'); at >= 0) {
        const QStringView userInfo = authority.left(at);
        authority = authority.mid(at + 1);
        const qsizetype colon = userInfo.indexOf(u':');
        const std::optional<QString> username =
            colon < 0 ? std::optional<QString>(QString()) : percentDecode(userInfo.left(colon));
        const std::optional<QString> password = percentDecode(colon < 0 ? userInfo : userInfo.mid(colon + 1));
        if (!username || !password)
            return invalid(u"the user part has a malformed percent-escape, a NUL or invalid UTF-8"_s);
        if (!username->isEmpty() && password->isEmpty())
            return invalid(u"a user name needs a password (redis://user:password@host)"_s);
        endpoint.username = *username;
        endpoint.password = *password;
    }

    QStringView portText;
    bool hasPort = false;
    if (authority.startsWith(u'[')) {
        const qsizetype close = authority.indexOf(u']');
        if (close < 0)
            return invalid(u"has an IPv6 address without its closing ']'"_s);
        const QStringView address = authority.mid(1, close - 1);
        for (const QChar c : address) {
            if (hexValue(c) < 0 && c != u':' && c != u'.')
                return invalid(u"has an invalid IPv6 address "_s + quoted(address));
        }
        const QHostAddress parsed(address.toString());
        if (address.isEmpty() || parsed.protocol() != QAbstractSocket::IPv6Protocol)
            return invalid(u"has an invalid IPv6 address "_s + quoted(address));
        endpoint.host = address.toString();
        const QStringView after = authority.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(u':'))
                return invalid(u"has junk after the IPv6 address: "_s + quoted(after));
            hasPort = true;
            portText = after.mid(1);
        }
    } else {
        const qsizetype colon = authority.indexOf(u':');
        const QStringView host = colon < 0 ? authority : authority.left(colon);
        if (colon >= 0) {
            hasPort = true;
            portText = authority.mid(colon + 1);
        }
        if (host.isEmpty())
            return invalid(u"has no host"_s);
        if (host.size() > MaxHostLength)
            return invalid(u"has a host name longer than %1 characters"_s.arg(MaxHostLength));
        for (const QChar c : host) {
            if (!isHostCharacter(c))
                return invalid(u"has an invalid host "_s + quoted(host) + u" (an IPv6 address goes in [brackets])"_s);
        }
        if (host.startsWith(u'.') || host.startsWith(u'-') || host.endsWith(u'-') || host.contains(u".."))
            return invalid(u"has an invalid host "_s + quoted(host));
        endpoint.host = host.toString();
    }

    if (hasPort) {
        const std::optional<qint64> port = parseDigits(portText, 5);
        if (!port || *port < 1 || *port > 65535)
            return invalid(u"has an invalid port "_s + quoted(portText) + u" (1..65535)"_s);
        endpoint.port = quint16(*port);
    }

    if (!path.isEmpty()) {
        const std::optional<qint64> database = parseDigits(path, 10);
        if (!database || *database > std::numeric_limits<int>::max())
            return invalid(u"has an invalid database "_s + quoted(path) + u" (a number, 0..2147483647)"_s);
        endpoint.database = int(*database);
    }
    return endpoint;
}

} // namespace wsinfra
