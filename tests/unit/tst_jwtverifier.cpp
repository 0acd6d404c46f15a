#include "auth/jwtverifier.h"
#include "protocol/codes.h"
#include "util/clock.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

constexpr qint64 NowSeconds = 1'700'000'000;

QByteArray secret()
{
    return "unit-test-secret-0123456789abcdef"_ba;
}

QByteArray b64(const QByteArray &raw)
{
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray b64Padded(const QByteArray &raw)
{
    return raw.toBase64(QByteArray::Base64UrlEncoding);
}

QByteArray hs256(const QByteArray &message, const QByteArray &key)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256);
}

// A token with arbitrary header and payload text, correctly HS256-signed with `key` whatever the header claims:
// it isolates the one defect a test row is about.
QByteArray rawToken(const QByteArray &headerJson, const QByteArray &payloadJson, const QByteArray &key = secret())
{
    const QByteArray input = b64(headerJson) + '.' + b64(payloadJson);
    return input + '.' + b64(hs256(input, key));
}

// A token of already-encoded parts (possibly malformed), with a valid HS256 signature over them.
QByteArray signedParts(const QByteArray &headerPart, const QByteArray &payloadPart)
{
    const QByteArray input = headerPart + '.' + payloadPart;
    return input + '.' + b64(hs256(input, secret()));
}

// The same signature bytes spelled with the unused low bits of the last character set.
QByteArray withStrayBits(QByteArray token)
{
    static constexpr char Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const qsizetype value = QByteArrayView(Alphabet).indexOf(token.back());
    token.back() = Alphabet[value | 1];
    return token;
}

QByteArray goodHeader()
{
    return R"({"alg":"HS256","typ":"JWT"})"_ba;
}

QByteArray tokenFor(const QByteArray &payloadJson)
{
    return rawToken(goodHeader(), payloadJson);
}

QList<QByteArray> parts(const QByteArray &token)
{
    return token.split('.');
}

// A signed token of exactly `length` bytes, padded through a filler claim.
QByteArray tokenOfLength(qsizetype length)
{
    // Base64 makes 4 characters of 3 bytes; start above the length that fits and walk down.
    for (qsizetype filler = length * 3 / 4; filler > 0; --filler) {
        const QByteArray token =
            JwtVerifier::sign(QJsonObject{{"sub"_L1, "alice"_L1}, {"pad"_L1, QString(filler, u'x')}}, secret());
        if (token.size() == length)
            return token;
    }
    return {};
}

// A signed token whose signature contains '-' or '_', rewritten in the standard base64 alphabet.
QByteArray standardAlphabetToken()
{
    for (int i = 0; i < 1000; ++i) {
        const QByteArray token = JwtVerifier::sign(QJsonObject{{"sub"_L1, QString::number(i)}}, secret());
        const QByteArray signature = parts(token).at(2);
        if (signature.contains('-') || signature.contains('_')) {
            QByteArray standard = signature;
            standard.replace('-', '+').replace('_', '/');
            return parts(token).at(0) + '.' + parts(token).at(1) + '.' + standard;
        }
    }
    return {};
}

} // namespace

class TestJwtVerifier : public QObject
{
    Q_OBJECT

private slots:
    void acceptsValidToken_data();
    void acceptsValidToken();
    void rejectsInvalidToken_data();
    void rejectsInvalidToken();
    void expiry_data();
    void expiry();
    void notBefore_data();
    void notBefore();
    void followsTheClock();
    void reportsTimes();
    void extremeLeewayDoesNotOverflow();
    void negativeLeewayIsZero();
    void emptySecretRejectsEverything();
    void signRoundTrip();
    void helpersBuildWhatTheTestsNeed();
};

void TestJwtVerifier::acceptsValidToken_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("userId");

    const QByteArray key = secret();
    QTest::newRow("sub string") << JwtVerifier::sign({{"sub"_L1, "alice"_L1}}, key) << key << u"alice"_s;
    QTest::newRow("user_id integer") << JwtVerifier::sign({{"user_id"_L1, 42}}, key) << key << u"42"_s;
    QTest::newRow("user_id string") << JwtVerifier::sign({{"user_id"_L1, "u-7"_L1}}, key) << key << u"u-7"_s;
    QTest::newRow("user_id negative integer") << tokenFor(R"({"user_id":-7})"_ba) << key << u"-7"_s;
    QTest::newRow("user_id integer written 42.0") << tokenFor(R"({"user_id":42.0})"_ba) << key << u"42"_s;
    QTest::newRow("user_id beyond 2^53 kept exact")
        << tokenFor(R"({"user_id":9007199254740993})"_ba) << key << u"9007199254740993"_s;
    QTest::newRow("sub integer") << tokenFor(R"({"sub":12345})"_ba) << key << u"12345"_s;
    QTest::newRow("sub wins over user_id") << tokenFor(R"({"sub":"alice","user_id":7})"_ba) << key << u"alice"_s;
    QTest::newRow("unicode sub") << JwtVerifier::sign({{"sub"_L1, u"ünï名"_s}}, key) << key << u"ünï名"_s;
    QTest::newRow("typ lowercase") << rawToken(R"({"alg":"HS256","typ":"jwt"})"_ba, R"({"sub":"a"})"_ba) << key
                                   << u"a"_s;
    QTest::newRow("no typ") << rawToken(R"({"alg":"HS256"})"_ba, R"({"sub":"a"})"_ba) << key << u"a"_s;
    QTest::newRow("extra header fields") << rawToken(R"({"kid":"k1","alg":"HS256","cty":"x"})"_ba, R"({"sub":"a"})"_ba)
                                         << key << u"a"_s;
    QTest::newRow("whitespace in JSON") << rawToken("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"_ba,
                                                    "{ \"sub\" :\n\t\"a\" }"_ba)
                                        << key << u"a"_s;
    QTest::newRow("exp in future, nbf in past")
        << tokenFor(QByteArray(R"({"sub":"a","exp":)" + QByteArray::number(NowSeconds + 1) + R"(,"nbf":)" +
                               QByteArray::number(NowSeconds) + "}"))
        << key << u"a"_s;
    QTest::newRow("fractional exp rounds down") << tokenFor(R"({"sub":"a","exp":1700000001.9})"_ba) << key << u"a"_s;
    QTest::newRow("fractional nbf rounds up") << tokenFor(R"({"sub":"a","nbf":1699999999.1})"_ba) << key << u"a"_s;
    QTest::newRow("exp far beyond qint64") << tokenFor(R"({"sub":"a","exp":1e300})"_ba) << key << u"a"_s;
    QTest::newRow("nbf far below qint64") << tokenFor(R"({"sub":"a","nbf":-1e300})"_ba) << key << u"a"_s;
    QTest::newRow("embedded NUL escaped in a claim")
        << tokenFor(R"({"sub":"a","note":"x\u0000y"})"_ba) << key << u"a"_s;
    // Signed by jwt.io's reference implementation, not by our sign(): proves interoperability.
    QTest::newRow("jwt.io reference token")
        << "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2Mj"
           "M5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"_ba
        << "your-256-bit-secret"_ba << u"1234567890"_s;
    QTest::newRow("exactly MaxTokenLength") << tokenOfLength(JwtVerifier::MaxTokenLength) << key << u"alice"_s;
}

void TestJwtVerifier::acceptsValidToken()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, key);
    QFETCH(QString, userId);

    QVERIFY(!token.isEmpty());
    ManualClock clock(NowSeconds * 1000);
    const JwtVerifier verifier(key, clock);
    const Result<JwtClaims> result = verifier.verify(token);
    QVERIFY2(result.ok(), qPrintable(result.error().message));
    QCOMPARE(result->userId, userId);

    const QByteArray payload = QByteArray::fromBase64(parts(token).at(1), QByteArray::Base64UrlEncoding);
    QCOMPARE(result->claims, QJsonDocument::fromJson(payload).object());
}

void TestJwtVerifier::rejectsInvalidToken_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("reason"); // a word the message must contain: the row fails for its own defect

    const QString invalid(ErrorCode::InvalidToken);
    const QByteArray good = JwtVerifier::sign({{"sub"_L1, "alice"_L1}}, secret());
    const QByteArray h = parts(good).at(0);
    const QByteArray p = parts(good).at(1);
    const QByteArray s = parts(good).at(2);
    const QByteArray payload = R"({"sub":"alice"})"_ba;
    const QByteArray now = QByteArray::number(NowSeconds);

    // Shape.
    QTest::newRow("empty") << QByteArray() << invalid << u"empty"_s;
    QTest::newRow("one part") << h << invalid << u"three"_s;
    QTest::newRow("two parts") << QByteArray(h + '.' + p) << invalid << u"three"_s;
    QTest::newRow("four parts") << QByteArray(good + '.' + s) << invalid << u"more than three"_s;
    QTest::newRow("trailing dot") << QByteArray(good + '.') << invalid << u"more than three"_s;
    QTest::newRow("leading dot") << QByteArray('.' + good) << invalid << u"more than three"_s;
    QTest::newRow("only dots") << "..."_ba << invalid << u"more than three"_s;
    QTest::newRow("two dots") << ".."_ba << invalid << u"header"_s;
    QTest::newRow("empty signature") << QByteArray(h + '.' + p + '.') << invalid << u"no signature"_s;
    QTest::newRow("empty header") << QByteArray('.' + p + '.' + s) << invalid << u"header"_s;
    QTest::newRow("empty payload") << rawToken(goodHeader(), QByteArray()) << invalid << u"payload"_s;
    QTest::newRow("too long garbage") << QByteArray(JwtVerifier::MaxTokenLength + 1, 'A') << invalid << u"8192"_s;
    QTest::newRow("huge garbage with dots") << QByteArray(QByteArray(1 << 20, 'A') + ".A.A") << invalid << u"8192"_s;
    QTest::newRow("signed token one byte too long")
        << tokenOfLength(JwtVerifier::MaxTokenLength + 1) << invalid << u"8192"_s;

    // Base64url.
    QTest::newRow("star in payload") << signedParts(h, '*' + p) << invalid << u"payload"_s;
    QTest::newRow("space in payload") << signedParts(h, p + ' ') << invalid << u"payload"_s;
    QTest::newRow("NUL in payload") << signedParts(h, p + '\0' + "AAA") << invalid << u"payload"_s;
    QTest::newRow("space in header") << signedParts(h + ' ', p) << invalid << u"header"_s;
    QTest::newRow("non-ASCII in header") << signedParts(h + "\xc3\xa9", p) << invalid << u"header"_s;
    QTest::newRow("NUL in signature") << QByteArray(h + '.' + p + '.' + s + '\0') << invalid << u"signature"_s;
    QTest::newRow("standard alphabet in payload") << signedParts(h, p + "+/AA") << invalid << u"payload"_s;
    QTest::newRow("standard alphabet + /") << standardAlphabetToken() << invalid << u"signature"_s;
    QTest::newRow("padding on signature") << QByteArray(good + '=') << invalid << u"signature"_s;
    {
        // Signed over the padded text, so padding is the only defect.
        const QByteArray input = b64Padded(goodHeader()) + '.' + b64Padded(R"({"sub":"alice1"})"_ba);
        QVERIFY(input.endsWith('='));
        QTest::newRow("padding on payload")
            << QByteArray(input + '.' + b64(hs256(input, secret()))) << invalid << u"payload"_s;
        const QByteArray header = R"({"alg":"HS256","kid":"k"})"_ba;
        const QByteArray headerInput = b64Padded(header) + '.' + b64(payload);
        QVERIFY(b64Padded(header).endsWith('='));
        QTest::newRow("padding on header")
            << QByteArray(headerInput + '.' + b64(hs256(headerInput, secret()))) << invalid << u"header"_s;
    }
    QVERIFY(p.size() % 4 == 0);
    QTest::newRow("payload length 4n+1") << signedParts(h, p + 'A') << invalid << u"payload"_s;
    QTest::newRow("header length 4n+1") << signedParts(h + 'A', p) << invalid << u"header"_s;
    // 32 bytes take 43 characters, leaving 2 unused bits; setting them spells the same bytes differently.
    QTest::newRow("signature with stray bits") << withStrayBits(good) << invalid << u"signature"_s;
    // "eyJzdWIiOiJhIn0" is {"sub":"a"}; "eyJzdWIiOiJhIn1" differs only in its 2 unused bits.
    QTest::newRow("payload with stray bits") << signedParts(h, "eyJzdWIiOiJhIn1"_ba) << invalid << u"payload"_s;

    // Signature.
    QTest::newRow("signed with another secret")
        << JwtVerifier::sign({{"sub"_L1, "alice"_L1}}, "another-secret"_ba) << invalid << u"signature"_s;
    QTest::newRow("tampered payload") << QByteArray(h + '.' + b64(R"({"sub":"mallory"})"_ba) + '.' + s) << invalid
                                      << u"signature"_s;
    QTest::newRow("tampered header") << QByteArray(b64(R"({"alg":"HS256","typ":"JWT","x":1})"_ba) + '.' + p + '.' + s)
                                     << invalid << u"signature"_s;
    QTest::newRow("signature truncated") << good.chopped(4) << invalid << u"signature"_s;
    QTest::newRow("signature of another token")
        << QByteArray(h + '.' + p + '.' + parts(JwtVerifier::sign({{"sub"_L1, "bob"_L1}}, secret())).at(2)) << invalid
        << u"signature"_s;

    // Algorithm and header.
    QTest::newRow("alg none unsigned") << QByteArray(b64(R"({"alg":"none","typ":"JWT"})"_ba) + '.' + p + '.') << invalid
                                       << u"HS256"_s;
    QTest::newRow("alg none with valid HMAC")
        << rawToken(R"({"alg":"none","typ":"JWT"})"_ba, payload) << invalid << u"HS256"_s;
    QTest::newRow("alg None") << rawToken(R"({"alg":"None"})"_ba, payload) << invalid << u"HS256"_s;
    QTest::newRow("alg hs256 lower case") << rawToken(R"({"alg":"hs256"})"_ba, payload) << invalid << u"HS256"_s;
    QTest::newRow("alg HS256 with space") << rawToken(R"({"alg":"HS256 "})"_ba, payload) << invalid << u"HS256"_s;
    QTest::newRow("alg HS512 with HS256 MAC") << rawToken(R"({"alg":"HS512"})"_ba, payload) << invalid << u"HS256"_s;
    {
        const QByteArray input = b64(R"({"alg":"HS512","typ":"JWT"})"_ba) + '.' + b64(payload);
        const QByteArray mac = QMessageAuthenticationCode::hash(input, secret(), QCryptographicHash::Sha512);
        QTest::newRow("alg HS512 with HS512 MAC") << QByteArray(input + '.' + b64(mac)) << invalid << u"HS256"_s;
    }
    QTest::newRow("alg RS256") << rawToken(R"({"alg":"RS256","typ":"JWT"})"_ba, payload) << invalid << u"HS256"_s;
    QTest::newRow("duplicate alg, none last")
        << rawToken(R"({"alg":"HS256","alg":"none"})"_ba, payload) << invalid << u"HS256"_s;
    QTest::newRow("alg missing") << rawToken(R"({"typ":"JWT"})"_ba, payload) << invalid << u"alg"_s;
    QTest::newRow("alg number") << rawToken(R"({"alg":256})"_ba, payload) << invalid << u"alg"_s;
    QTest::newRow("alg null") << rawToken(R"({"alg":null})"_ba, payload) << invalid << u"alg"_s;
    QTest::newRow("alg array") << rawToken(R"({"alg":["HS256"]})"_ba, payload) << invalid << u"alg"_s;
    QTest::newRow("typ JWS") << rawToken(R"({"alg":"HS256","typ":"JWS"})"_ba, payload) << invalid << u"typ"_s;
    QTest::newRow("typ empty") << rawToken(R"({"alg":"HS256","typ":""})"_ba, payload) << invalid << u"typ"_s;
    QTest::newRow("typ number") << rawToken(R"({"alg":"HS256","typ":1})"_ba, payload) << invalid << u"typ"_s;
    QTest::newRow("typ null") << rawToken(R"({"alg":"HS256","typ":null})"_ba, payload) << invalid << u"typ"_s;
    QTest::newRow("crit") << rawToken(R"({"alg":"HS256","crit":["exp"]})"_ba, payload) << invalid << u"critical"_s;
    QTest::newRow("header array") << rawToken("[]"_ba, payload) << invalid << u"header"_s;
    QTest::newRow("header string") << rawToken(R"("HS256")"_ba, payload) << invalid << u"header"_s;
    QTest::newRow("header null") << rawToken("null"_ba, payload) << invalid << u"header"_s;
    QTest::newRow("header truncated JSON") << rawToken(R"({"alg":"HS256")"_ba, payload) << invalid << u"header"_s;
    QTest::newRow("header trailing NUL") << rawToken(QByteArray(R"({"alg":"HS256"})" + QByteArray(1, '\0')), payload)
                                         << invalid << u"header"_s;
    QTest::newRow("header invalid UTF-8")
        << rawToken("{\"alg\":\"HS256\",\"x\":\"\xff\"}"_ba, payload) << invalid << u"header"_s;

    // Payload.
    QTest::newRow("payload array") << tokenFor("[]"_ba) << invalid << u"payload"_s;
    QTest::newRow("payload number") << tokenFor("42"_ba) << invalid << u"payload"_s;
    QTest::newRow("payload null") << tokenFor("null"_ba) << invalid << u"payload"_s;
    QTest::newRow("payload truncated JSON") << tokenFor(R"({"sub":"a")"_ba) << invalid << u"payload"_s;
    QTest::newRow("payload invalid UTF-8") << tokenFor("{\"sub\":\"\xc3\"}"_ba) << invalid << u"payload"_s;
    QTest::newRow("payload deeply nested")
        << tokenFor(QByteArray(R"({"sub":"a","x":)" + QByteArray(2000, '[') + QByteArray(2000, ']') + "}")) << invalid
        << u"payload"_s;

    // Claims.
    QTest::newRow("no subject") << tokenFor("{}"_ba) << invalid << u"subject"_s;
    QTest::newRow("only other claims") << tokenFor(R"({"name":"alice","uid":"1"})"_ba) << invalid << u"subject"_s;
    QTest::newRow("empty sub") << tokenFor(R"({"sub":""})"_ba) << invalid << u"empty"_s;
    QTest::newRow("empty user_id") << tokenFor(R"({"user_id":""})"_ba) << invalid << u"empty"_s;
    QTest::newRow("empty sub with user_id") << tokenFor(R"({"sub":"","user_id":"alice"})"_ba) << invalid << u"empty"_s;
    QTest::newRow("sub null") << tokenFor(R"({"sub":null})"_ba) << invalid << u"sub"_s;
    QTest::newRow("sub bool with user_id") << tokenFor(R"({"sub":true,"user_id":"alice"})"_ba) << invalid << u"sub"_s;
    QTest::newRow("sub object") << tokenFor(R"({"sub":{"id":"a"}})"_ba) << invalid << u"sub"_s;
    QTest::newRow("sub array") << tokenFor(R"({"sub":["a"]})"_ba) << invalid << u"sub"_s;
    QTest::newRow("user_id fraction") << tokenFor(R"({"user_id":1.5})"_ba) << invalid << u"user_id"_s;
    QTest::newRow("user_id bool") << tokenFor(R"({"user_id":false})"_ba) << invalid << u"user_id"_s;
    QTest::newRow("user_id 1e300") << tokenFor(R"({"user_id":1e300})"_ba) << invalid << u"user_id"_s;
    QTest::newRow("user_id overflowing integer")
        << tokenFor(R"({"user_id":99999999999999999999999})"_ba) << invalid << u"user_id"_s;
    QTest::newRow("exp string") << tokenFor(R"({"sub":"a","exp":"1800000000"})"_ba) << invalid << u"exp"_s;
    QTest::newRow("exp null") << tokenFor(R"({"sub":"a","exp":null})"_ba) << invalid << u"exp"_s;
    QTest::newRow("exp bool") << tokenFor(R"({"sub":"a","exp":true})"_ba) << invalid << u"exp"_s;
    QTest::newRow("exp object") << tokenFor(R"({"sub":"a","exp":{}})"_ba) << invalid << u"exp"_s;
    QTest::newRow("nbf string") << tokenFor(R"({"sub":"a","nbf":"0"})"_ba) << invalid << u"nbf"_s;
    QTest::newRow("nbf array") << tokenFor(R"({"sub":"a","nbf":[1]})"_ba) << invalid << u"nbf"_s;
    QTest::newRow("expired but no subject") << tokenFor(R"({"exp":1})"_ba) << invalid << u"subject"_s;

    // Time.
    const QString expired(ErrorCode::TokenExpired);
    const QString early(ErrorCode::TokenNotYetValid);
    QTest::newRow("expired") << tokenFor(QByteArray(R"({"sub":"a","exp":)" + now + "}")) << expired << u"expired"_s;
    QTest::newRow("exp zero") << tokenFor(R"({"sub":"a","exp":0})"_ba) << expired << u"expired"_s;
    QTest::newRow("exp -1e300") << tokenFor(R"({"sub":"a","exp":-1e300})"_ba) << expired << u"expired"_s;
    QTest::newRow("fractional exp just past")
        << tokenFor(R"({"sub":"a","exp":1700000000.9})"_ba) << expired << u"expired"_s;
    QTest::newRow("not yet valid") << tokenFor(R"({"sub":"a","nbf":1700000001})"_ba) << early << u"not valid yet"_s;
    QTest::newRow("fractional nbf just ahead")
        << tokenFor(R"({"sub":"a","nbf":1700000000.1})"_ba) << early << u"not valid yet"_s;
    QTest::newRow("nbf 1e300") << tokenFor(R"({"sub":"a","nbf":1e300})"_ba) << early << u"not valid yet"_s;
}

void TestJwtVerifier::rejectsInvalidToken()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, code);
    QFETCH(QString, reason);

    ManualClock clock(NowSeconds * 1000);
    const JwtVerifier verifier(secret(), clock);
    const Result<JwtClaims> result = verifier.verify(token);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, code);
    const QString message = result.error().message;
    QVERIFY2(message.contains(reason), qPrintable(message));
    // Messages end up in logs and error frames: they must not carry credentials.
    QVERIFY(!message.contains(QString::fromLatin1(secret())));
    for (const QByteArray &part : parts(token)) {
        if (part.size() >= 8)
            QVERIFY2(!message.contains(QString::fromLatin1(part)), qPrintable(message));
    }
}

void TestJwtVerifier::expiry_data()
{
    QTest::addColumn<qint64>("expOffset");
    QTest::addColumn<qint64>("leeway");
    QTest::addColumn<qint64>("clockExtraMs");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("one second left") << 1LL << 0LL << 0LL << true;
    QTest::newRow("one second left, late in the second") << 1LL << 0LL << 999LL << true;
    QTest::newRow("exactly at exp") << 0LL << 0LL << 0LL << false;
    QTest::newRow("long gone") << -86400LL << 0LL << 0LL << false;
    QTest::newRow("within leeway") << -29LL << 30LL << 0LL << true;
    QTest::newRow("at the end of the leeway") << -30LL << 30LL << 0LL << false;
    QTest::newRow("beyond leeway") << -31LL << 30LL << 0LL << false;
}

void TestJwtVerifier::expiry()
{
    QFETCH(qint64, expOffset);
    QFETCH(qint64, leeway);
    QFETCH(qint64, clockExtraMs);
    QFETCH(bool, accepted);

    ManualClock clock(NowSeconds * 1000 + clockExtraMs);
    const JwtVerifier verifier(secret(), clock, leeway);
    const QByteArray token = JwtVerifier::sign({{"sub"_L1, "a"_L1}, {"exp"_L1, NowSeconds + expOffset}}, secret());
    const Result<JwtClaims> result = verifier.verify(token);
    QCOMPARE(result.ok(), accepted);
    if (!accepted)
        QCOMPARE(result.error().code, QString(ErrorCode::TokenExpired));
}

void TestJwtVerifier::notBefore_data()
{
    QTest::addColumn<qint64>("nbfOffset");
    QTest::addColumn<qint64>("leeway");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("valid from now") << 0LL << 0LL << true;
    QTest::newRow("valid since long") << -86400LL << 0LL << true;
    QTest::newRow("one second ahead") << 1LL << 0LL << false;
    QTest::newRow("at the end of the leeway") << 30LL << 30LL << true;
    QTest::newRow("beyond leeway") << 31LL << 30LL << false;
}

void TestJwtVerifier::notBefore()
{
    QFETCH(qint64, nbfOffset);
    QFETCH(qint64, leeway);
    QFETCH(bool, accepted);

    ManualClock clock(NowSeconds * 1000);
    const JwtVerifier verifier(secret(), clock, leeway);
    const QByteArray token = JwtVerifier::sign({{"sub"_L1, "a"_L1}, {"nbf"_L1, NowSeconds + nbfOffset}}, secret());
    const Result<JwtClaims> result = verifier.verify(token);
    QCOMPARE(result.ok(), accepted);
    if (!accepted)
        QCOMPARE(result.error().code, QString(ErrorCode::TokenNotYetValid));
}

void TestJwtVerifier::followsTheClock()
{
    ManualClock clock(NowSeconds * 1000);
    const JwtVerifier verifier(secret(), clock);
    const QByteArray token =
        JwtVerifier::sign({{"sub"_L1, "a"_L1}, {"nbf"_L1, NowSeconds + 10}, {"exp"_L1, NowSeconds + 70}}, secret());

    QCOMPARE(verifier.verify(token).error().code, QString(ErrorCode::TokenNotYetValid));
    clock.advanceMs(9'999);
    QCOMPARE(verifier.verify(token).error().code, QString(ErrorCode::TokenNotYetValid));
    clock.advanceMs(1);
    QVERIFY(verifier.verify(token).ok());
    clock.advanceMs(59'999);
    QVERIFY(verifier.verify(token).ok());
    clock.advanceMs(1);
    QCOMPARE(verifier.verify(token).error().code, QString(ErrorCode::TokenExpired));
}

void TestJwtVerifier::reportsTimes()
{
    ManualClock clock(NowSeconds * 1000);
    const JwtVerifier verifier(secret(), clock);

    const Result<JwtClaims> timed = verifier.verify(
        JwtVerifier::sign({{"sub"_L1, "a"_L1}, {"nbf"_L1, NowSeconds - 5}, {"exp"_L1, NowSeconds + 3600}}, secret()));
    QVERIFY(timed.ok());
    QCOMPARE(timed->expiresAt, NowSeconds + 3600);
    QCOMPARE(timed->notBefore, NowSeconds - 5);

    const Result<JwtClaims> untimed = verifier.verify(JwtVerifier::sign({{"sub"_L1, "a"_L1}}, secret()));
    QVERIFY(untimed.ok());
    QCOMPARE(untimed->expiresAt, qint64(0));
    QCOMPARE(untimed->notBefore, qint64(0));

    const Result<JwtClaims> huge = verifier.verify(tokenFor(R"({"sub":"a","exp":1e300,"nbf":-1e300})"_ba));
    QVERIFY(huge.ok());
    QCOMPARE(huge->expiresAt, std::numeric_limits<qint64>::max());
    QCOMPARE(huge->notBefore, std::numeric_limits<qint64>::min());
}

void TestJwtVerifier::extremeLeewayDoesNotOverflow()
{
    ManualClock clock(NowSeconds * 1000);
    const JwtVerifier verifier(secret(), clock, std::numeric_limits<qint64>::max());
    // exp + leeway and now + leeway overflow qint64 here; they must saturate (UBSan watches).
    QVERIFY(verifier.verify(tokenFor(R"({"sub":"a","exp":1e300})"_ba)).ok());
    QVERIFY(verifier.verify(tokenFor(R"({"sub":"a","exp":1})"_ba)).ok());
    QVERIFY(verifier.verify(tokenFor(R"({"sub":"a","nbf":1e300})"_ba)).ok());
    // Even that leeway does not reach back to the earliest representable expiry.
    QCOMPARE(verifier.verify(tokenFor(R"({"sub":"a","exp":-1e300})"_ba)).error().code,
             QString(ErrorCode::TokenExpired));
}

void TestJwtVerifier::negativeLeewayIsZero()
{
    ManualClock clock(NowSeconds * 1000);
    const JwtVerifier verifier(secret(), clock, -100);
    QVERIFY(
        verifier.verify(tokenFor(QByteArray(R"({"sub":"a","exp":)" + QByteArray::number(NowSeconds + 1) + "}"))).ok());
    QVERIFY(verifier.verify(tokenFor(QByteArray(R"({"sub":"a","nbf":)" + QByteArray::number(NowSeconds) + "}"))).ok());
}

void TestJwtVerifier::emptySecretRejectsEverything()
{
    ManualClock clock(NowSeconds * 1000);
    const JwtVerifier verifier(QByteArray(), clock);
    const QJsonObject claims{{"sub"_L1, "a"_L1}};
    for (const QByteArray &token : {JwtVerifier::sign(claims, QByteArray()), JwtVerifier::sign(claims, secret()),
                                    rawToken(R"({"alg":"none"})"_ba, R"({"sub":"a"})"_ba, QByteArray())}) {
        const Result<JwtClaims> result = verifier.verify(token);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QString(ErrorCode::InvalidToken));
    }
}

void TestJwtVerifier::signRoundTrip()
{
    const QJsonObject claims{{"sub"_L1, u"alice"_s},
                             {"exp"_L1, NowSeconds + 60},
                             {"rooms"_L1, QJsonArray{u"a"_s, u"b"_s}},
                             {"admin"_L1, false}};
    const QByteArray token = JwtVerifier::sign(claims, secret());

    const QList<QByteArray> tokenParts = parts(token);
    QCOMPARE(tokenParts.size(), 3);
    for (const QByteArray &part : tokenParts) {
        QVERIFY(!part.contains('='));
        QVERIFY(!part.contains('+'));
        QVERIFY(!part.contains('/'));
    }
    QCOMPARE(QByteArray::fromBase64(tokenParts.at(0), QByteArray::Base64UrlEncoding),
             R"({"alg":"HS256","typ":"JWT"})"_ba);
    QCOMPARE(QJsonDocument::fromJson(QByteArray::fromBase64(tokenParts.at(1), QByteArray::Base64UrlEncoding)).object(),
             claims);
    QCOMPARE(QByteArray::fromBase64(tokenParts.at(2), QByteArray::Base64UrlEncoding),
             hs256(tokenParts.at(0) + '.' + tokenParts.at(1), secret()));

    ManualClock clock(NowSeconds * 1000);
    const Result<JwtClaims> result = JwtVerifier(secret(), clock).verify(token);
    QVERIFY2(result.ok(), qPrintable(result.error().message));
    QCOMPARE(result->userId, u"alice"_s);
    QCOMPARE(result->expiresAt, NowSeconds + 60);
    QCOMPARE(result->claims, claims);

    QVERIFY(!JwtVerifier("other"_ba, clock).verify(token).ok());
}

void TestJwtVerifier::helpersBuildWhatTheTestsNeed()
{
    // The data rows above rely on these; an empty helper result would make a row pass for the wrong reason.
    QCOMPARE(tokenOfLength(JwtVerifier::MaxTokenLength).size(), JwtVerifier::MaxTokenLength);
    QCOMPARE(tokenOfLength(JwtVerifier::MaxTokenLength + 1).size(), JwtVerifier::MaxTokenLength + 1);
    const QByteArray standard = standardAlphabetToken();
    QVERIFY(standard.contains('+') || standard.contains('/'));
    const QByteArray good = JwtVerifier::sign({{"sub"_L1, "a"_L1}}, secret());
    QCOMPARE(QByteArray::fromBase64(parts(withStrayBits(good)).at(2), QByteArray::Base64UrlEncoding),
             QByteArray::fromBase64(parts(good).at(2), QByteArray::Base64UrlEncoding));
    QVERIFY(withStrayBits(good) != good);
    QCOMPARE(QByteArray::fromBase64("eyJzdWIiOiJhIn1"_ba, QByteArray::Base64UrlEncoding), R"({"sub":"a"})"_ba);
}

QTEST_GUILESS_MAIN(TestJwtVerifier)
#include "tst_jwtverifier.moc"
