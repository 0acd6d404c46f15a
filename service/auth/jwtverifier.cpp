#include "auth/jwtverifier.h"

#include "protocol/codes.h"
#include "util/constanttime.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <QMessageAuthenticationCode>

#include <cmath>
#include <limits>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr qint64 MaxSeconds = std::numeric_limits<qint64>::max();
constexpr qint64 MinSeconds = std::numeric_limits<qint64>::min();
// Below 2^63, so a double inside (-Bound, Bound) converts to qint64 without undefined behaviour.
constexpr double SafeIntegerBound = 9.2e18;

Result<JwtClaims> invalid(QString message)
{
    return Result<JwtClaims>::failure(QString(ErrorCode::InvalidToken), std::move(message));
}

// The value of one base64url character, or -1 for anything else (including '=', '+', '/').
int base64UrlValue(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

// Strict unpadded base64url (RFC 7515 section 2). Unused trailing bits must be zero, so that no two spellings
// decode to the same bytes: a signature is then accepted in one form only.
std::optional<QByteArray> decodeBase64Url(QByteArrayView text)
{
    if (text.size() % 4 == 1)
        return std::nullopt;
    QByteArray decoded;
    decoded.reserve(text.size() / 4 * 3 + 2);
    quint32 accumulator = 0;
    int bits = 0;
    for (const char c : text) {
        const int value = base64UrlValue(c);
        if (value < 0)
            return std::nullopt;
        accumulator = (accumulator << 6) | static_cast<quint32>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            decoded.append(static_cast<char>((accumulator >> bits) & 0xFFu));
        }
    }
    if ((accumulator & ((1u << bits) - 1u)) != 0)
        return std::nullopt;
    return decoded;
}

QByteArray encodeBase64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray hmacSha256(const QByteArray &message, const QByteArray &secret)
{
    return QMessageAuthenticationCode::hash(message, secret, QCryptographicHash::Sha256);
}

std::optional<QJsonObject> parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

qint64 clampToSeconds(double seconds)
{
    if (seconds >= SafeIntegerBound)
        return MaxSeconds;
    if (seconds <= -SafeIntegerBound)
        return MinSeconds;
    return static_cast<qint64>(seconds);
}

qint64 saturatingAdd(qint64 a, qint64 b)
{
    qint64 sum = 0;
    if (qAddOverflow(a, b, &sum))
        return b > 0 ? MaxSeconds : MinSeconds;
    return sum;
}

// "sub" / "user_id" as the user id: a string, or an integer number written in decimal. Anything else
// (fractions, booleans, objects) is no identity.
std::optional<QString> identityOf(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (std::isfinite(number) && std::trunc(number) == number && std::abs(number) < SafeIntegerBound)
            return QString::number(value.toInteger());
    }
    return std::nullopt;
}

} // namespace

JwtVerifier::JwtVerifier(QByteArray secret, const Clock &clock, qint64 leewaySeconds)
    : m_secret(std::move(secret)), m_clock(&clock), m_leewaySeconds(std::max<qint64>(0, leewaySeconds))
{
}

void JwtVerifier::setSecret(QByteArray secret)
{
    const QMutexLocker locker(&m_secretMutex);
    m_secret = std::move(secret);
}

QByteArray JwtVerifier::secret() const
{
    const QMutexLocker locker(&m_secretMutex);
    return m_secret; // implicitly shared: a reference count, no copy of the bytes
}

Result<JwtClaims> JwtVerifier::verify(QByteArrayView token) const
{
    const QByteArray secret = this->secret();
    if (secret.isEmpty())
        return invalid(u"no token secret is configured, so no token can be accepted"_s);
    if (token.isEmpty())
        return invalid(u"token is empty"_s);
    if (token.size() > MaxTokenLength)
        return invalid(u"token is longer than %1 bytes"_s.arg(MaxTokenLength));

    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (secondDot < 0)
        return invalid(u"token must have three dot-separated parts (header.payload.signature)"_s);
    if (token.indexOf('.', secondDot + 1) >= 0)
        return invalid(u"token has more than three dot-separated parts"_s);
    const QByteArrayView headerPart = token.first(firstDot);
    const QByteArrayView payloadPart = token.sliced(firstDot + 1, secondDot - firstDot - 1);
    const QByteArrayView signaturePart = token.sliced(secondDot + 1);

    // The header is read before the signature is checked: it names the algorithm, and only HS256 is trusted.
    const std::optional<QByteArray> headerJson = decodeBase64Url(headerPart);
    if (!headerJson)
        return invalid(u"token header is not unpadded base64url"_s);
    const std::optional<QJsonObject> header = parseObject(*headerJson);
    if (!header)
        return invalid(u"token header is not a JSON object"_s);
    const QJsonValue algorithm = header->value("alg"_L1);
    if (!algorithm.isString())
        return invalid(u"token header has no \"alg\" string"_s);
    if (algorithm.toString() != "HS256"_L1)
        return invalid(u"token algorithm is not HS256, the only one accepted"_s);
    if (header->contains("typ"_L1)) {
        const QJsonValue type = header->value("typ"_L1);
        if (!type.isString() || type.toString().compare("JWT"_L1, Qt::CaseInsensitive) != 0)
            return invalid(u"token header \"typ\" is not \"JWT\""_s);
    }
    // RFC 7515 4.1.11: extensions marked critical that are not understood make the token invalid.
    if (header->contains("crit"_L1))
        return invalid(u"token header lists critical extensions, none of which are supported"_s);

    const std::optional<QByteArray> signature = decodeBase64Url(signaturePart);
    if (!signature)
        return invalid(u"token signature is not unpadded base64url"_s);
    if (signature->isEmpty())
        return invalid(u"token has no signature"_s);
    const QByteArray expected = hmacSha256(token.first(secondDot).toByteArray(), secret);
    if (!constantTimeEquals(*signature, expected))
        return invalid(u"token signature does not match"_s);

    const std::optional<QByteArray> payloadJson = decodeBase64Url(payloadPart);
    if (!payloadJson)
        return invalid(u"token payload is not unpadded base64url"_s);
    std::optional<QJsonObject> payload = parseObject(*payloadJson);
    if (!payload)
        return invalid(u"token payload is not a JSON object"_s);

    JwtClaims result;
    const bool hasExpiry = payload->contains("exp"_L1);
    if (hasExpiry) {
        const QJsonValue exp = payload->value("exp"_L1);
        if (!exp.isDouble())
            return invalid(u"token claim \"exp\" is not a number"_s);
        // Fractions round towards the safe side: expiry earlier, validity later.
        result.expiresAt = clampToSeconds(std::floor(exp.toDouble()));
    }
    const bool hasNotBefore = payload->contains("nbf"_L1);
    if (hasNotBefore) {
        const QJsonValue nbf = payload->value("nbf"_L1);
        if (!nbf.isDouble())
            return invalid(u"token claim \"nbf\" is not a number"_s);
        result.notBefore = clampToSeconds(std::ceil(nbf.toDouble()));
    }

    // A present "sub" decides on its own: falling back to "user_id" when "sub" is malformed would let a token
    // carry two different identities.
    const bool hasSubject = payload->contains("sub"_L1);
    const QLatin1StringView identityClaim = hasSubject ? "sub"_L1 : "user_id"_L1;
    if (!hasSubject && !payload->contains(identityClaim))
        return invalid(u"token has no subject (\"sub\" or \"user_id\")"_s);
    const std::optional<QString> userId = identityOf(payload->value(identityClaim));
    if (!userId)
        return invalid(u"token claim \"%1\" is neither a string nor an integer"_s.arg(identityClaim));
    if (userId->isEmpty())
        return invalid(u"token claim \"%1\" is empty"_s.arg(identityClaim));
    result.userId = *userId;

    const qint64 now = m_clock->nowSeconds();
    if (hasExpiry && now >= saturatingAdd(result.expiresAt, m_leewaySeconds))
        return Result<JwtClaims>::failure(QString(ErrorCode::TokenExpired), u"token has expired"_s);
    if (hasNotBefore && saturatingAdd(now, m_leewaySeconds) < result.notBefore)
        return Result<JwtClaims>::failure(QString(ErrorCode::TokenNotYetValid), u"token is not valid yet"_s);

    result.claims = std::move(*payload);
    return result;
}

QByteArray JwtVerifier::sign(const QJsonObject &claims, const QByteArray &secret)
{
    const QJsonObject header{{"alg"_L1, "HS256"_L1}, {"typ"_L1, "JWT"_L1}};
    const QByteArray signingInput = encodeBase64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
                                    encodeBase64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return signingInput + '.' + encodeBase64Url(hmacSha256(signingInput, secret));
}

} // namespace wsinfra
