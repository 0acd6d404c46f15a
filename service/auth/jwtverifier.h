#pragma once

#include "protocol/result.h"
#include "util/clock.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QMutex>
#include <QString>

namespace wsinfra {

/// What a verified token says about its bearer.
struct JwtClaims
{
    QString userId;       // "sub" claim, else "user_id" (a string, or an integer number as a decimal string)
    qint64 expiresAt = 0; // "exp" in seconds since the epoch, 0 when absent
    qint64 notBefore = 0; // "nbf" in seconds since the epoch, 0 when absent
    QJsonObject claims;   // the whole payload
};

/// Verifies HS256-signed JSON Web Tokens (RFC 7519) against one shared secret.
///
/// Only the compact serialisation with alg "HS256" is accepted: no "none", no other algorithm, no "crit"
/// extensions. Base64url is decoded strictly (no padding, no standard-alphabet characters, no stray bits) so
/// that one token has exactly one spelling. "exp" and "nbf" are checked against the Clock with `leewaySeconds`
/// of tolerance for clock skew. Errors carry ErrorCode::InvalidToken, TokenExpired or TokenNotYetValid and a
/// message that never repeats the token or the secret. The Clock must outlive the verifier.
class JwtVerifier
{
public:
    /// Longer tokens are rejected before anything is decoded.
    static constexpr qsizetype MaxTokenLength = 8192;

    /// An empty `secret` makes every token invalid; a negative leeway is treated as 0.
    JwtVerifier(QByteArray secret, const Clock &clock, qint64 leewaySeconds = 0);

    Result<JwtClaims> verify(QByteArrayView token) const;

    /// Replaces the secret (a configuration reload); safe while other threads verify. Tokens verified
    /// from now on need the new secret; connections already admitted stay.
    void setSecret(QByteArray secret);

    /// Signs claims with HS256 (header {"alg":"HS256","typ":"JWT"}); used by tests and tooling.
    static QByteArray sign(const QJsonObject &claims, const QByteArray &secret);

private:
    QByteArray secret() const;

    mutable QMutex m_secretMutex; ///< shards verify on their threads while a reload may replace it
    QByteArray m_secret;
    const Clock *m_clock;
    qint64 m_leewaySeconds;
};

} // namespace wsinfra
