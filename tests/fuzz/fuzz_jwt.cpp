// libFuzzer target: JwtVerifier::verify, the parser of the bearer tokens clients present.

#include "auth/jwtverifier.h"
#include "util/clock.h"

#include <cstddef>
#include <cstdint>

using namespace wsinfra;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // The secret of the seed tokens in corpus/jwt (signed at 1'700'000'000 s, the ManualClock's start).
    static const ManualClock clock;
    static const JwtVerifier verifier(QByteArrayLiteral("fuzz-secret"), clock, 30);
    const QByteArrayView token(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<JwtClaims> claims = verifier.verify(token);
    if (claims) {
        // A verified token was signed with the secret, so it is within the length limit and names a user.
        if (token.size() > JwtVerifier::MaxTokenLength)
            __builtin_trap();
        // Re-signing the verified claims gives a token the verifier accepts with the same claims.
        const QByteArray again = JwtVerifier::sign(claims->claims, QByteArrayLiteral("fuzz-secret"));
        // (Qt's compact JSON may spell a number longer than the token did, so only within the limit.)
        const Result<JwtClaims> reparsed = verifier.verify(again);
        if (again.size() <= JwtVerifier::MaxTokenLength && !reparsed)
            __builtin_trap();
        if (reparsed && (reparsed->userId != claims->userId || reparsed->expiresAt != claims->expiresAt ||
                         reparsed->notBefore != claims->notBefore || reparsed->claims != claims->claims))
            __builtin_trap();
    }
    return 0;
}
