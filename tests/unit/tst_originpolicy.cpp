// OriginPolicy: the allowedOrigins list and the Origin headers compared with it. Every hostile
// spelling of an origin is a row; what is not an origin is never allowed, whatever the list says.

#include "transport/httprequestparser.h"
#include "transport/originpolicy.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

class TestOriginPolicy : public QObject
{
    Q_OBJECT

private slots:
    void normalize_data();
    void normalize();
    void parseList_data();
    void parseList();
    void allows_data();
    void allows();
    void admitsRequests();
};

void TestOriginPolicy::normalize_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<QByteArray>("normalised"); // empty: not an origin

    const auto ok = [](const char *tag, const QByteArray &origin, const QByteArray &normalised) {
        QTest::newRow(tag) << origin << normalised;
    };
    const auto bad = [](const char *tag, const QByteArray &origin) { QTest::newRow(tag) << origin << QByteArray(); };
    ok("plain", "https://civic.example", "https://civic.example");
    ok("upper case", "HTTPS://Civic.EXAMPLE", "https://civic.example");
    ok("port", "http://localhost:8080", "http://localhost:8080");
    ok("https default port", "https://civic.example:443", "https://civic.example");
    ok("http default port", "http://civic.example:80", "http://civic.example");
    ok("https on 80 is not default", "https://civic.example:80", "https://civic.example:80");
    ok("leading zeros in port", "http://h:08080", "http://h:8080");
    ok("ipv4", "http://192.0.2.1:3000", "http://192.0.2.1:3000");
    ok("ipv6", "http://[2001:DB8::1]:8080", "http://[2001:db8::1]:8080");
    ok("ipv6 without port", "http://[::1]", "http://[::1]");
    ok("other scheme", "chrome-extension://abcdef", "chrome-extension://abcdef");
    ok("punycode", "https://xn--bcher-kva.example", "https://xn--bcher-kva.example");
    ok("port 65535", "http://h:65535", "http://h:65535");
    bad("empty", "");
    bad("null", "null");
    bad("star", "*");
    bad("no scheme", "civic.example");
    bad("scheme only", "https://");
    bad("empty scheme", "://civic.example");
    bad("scheme starting with a digit", "1http://civic.example");
    bad("scheme with a space", "ht tp://civic.example");
    bad("one slash", "https:/civic.example");
    bad("trailing slash", "https://civic.example/");
    bad("path", "https://civic.example/app");
    bad("query", "https://civic.example?x=1");
    bad("fragment", "https://civic.example#top");
    bad("userinfo", "https://user:pass@civic.example");
    bad("userinfo hiding the host", "https://civic.example@evil.example");
    bad("empty port", "https://civic.example:");
    bad("port zero", "https://civic.example:0");
    bad("port too big", "https://civic.example:65536");
    bad("port overflowing int", "https://civic.example:99999999999999999999");
    bad("six-digit port", "https://civic.example:000443");
    bad("negative port", "https://civic.example:-1");
    bad("port with letters", "https://civic.example:80a");
    bad("two ports", "https://civic.example:80:81");
    bad("empty host with port", "https://:443");
    bad("space in host", "https://civic .example");
    bad("tab in host", "https://civic\t.example");
    bad("nul in host", QByteArray("https://civic\0.example", 22));
    bad("utf-8 host", "https://b\xc3\xbc"
                      "cher.example");
    bad("latin-1 byte", "https://civic.exampl\xe9");
    bad("invalid utf-8", "https://\xff\xfe.example");
    bad("percent-encoded", "https://civic%2Eexample");
    bad("backslash", "https://civic.example\\evil");
    bad("comma list", "https://a.example,https://b.example");
    bad("ipv6 unclosed", "https://[::1");
    bad("ipv6 empty", "https://[]");
    bad("ipv6 garbage", "https://[zz]");
    bad("ipv6 then junk", "https://[::1]x");
    bad("ipv6 empty port", "https://[::1]:");
    bad("too long", "https://" + QByteArray(2000, 'a') + ".example");
}

void TestOriginPolicy::normalize()
{
    QFETCH(QByteArray, origin);
    QFETCH(QByteArray, normalised);
    const Result<QByteArray> result = OriginPolicy::normalize(origin);
    if (normalised.isEmpty()) {
        QVERIFY2(!result, result ? result->constData() : "");
        QVERIFY(result.error().message.contains(u"is not an origin"_s));
        QVERIFY(result.error().message.size() < 300); // a huge input is cut in the message
    } else {
        QVERIFY2(result, qPrintable(result.error().message));
        QCOMPARE(*result, normalised);
    }
}

void TestOriginPolicy::parseList_data()
{
    QTest::addColumn<QString>("list");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("empty");
    QTest::newRow("empty") << QString() << true << true;
    QTest::newRow("blanks and commas") << u" , ,"_s << true << true;
    QTest::newRow("one") << u"https://a.example"_s << true << false;
    QTest::newRow("two with blanks") << u" https://a.example , http://localhost:8080 "_s << true << false;
    QTest::newRow("star") << u"*"_s << true << false;
    QTest::newRow("star among others") << u"https://a.example,*"_s << true << false;
    QTest::newRow("one bad") << u"https://a.example,a.example"_s << false << false;
    QTest::newRow("path") << u"https://a.example/"_s << false << false;
    QTest::newRow("null") << u"null"_s << false << false;
    QTest::newRow("unicode") << u"https://b\u00fccher.example"_s << false << false;
    QTest::newRow("star with a host") << u"https://*.example"_s << false << false;
    QTest::newRow("double star") << u"**"_s << false << false;
}

void TestOriginPolicy::parseList()
{
    QFETCH(QString, list);
    QFETCH(bool, valid);
    QFETCH(bool, empty);
    const Result<OriginPolicy> policy = OriginPolicy::parse(list);
    QCOMPARE(policy.ok(), valid);
    if (valid)
        QCOMPARE(policy->isEmpty(), empty);
    else
        QVERIFY(!policy.error().message.isEmpty());
}

void TestOriginPolicy::allows_data()
{
    QTest::addColumn<QString>("list");
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("allowed");
    const QString list = u"https://civic.example, http://localhost:8080"_s;
    QTest::newRow("listed") << list << QByteArray("https://civic.example") << true;
    QTest::newRow("listed, host case") << list << QByteArray("https://CIVIC.example") << true;
    QTest::newRow("listed, default port") << list << QByteArray("https://civic.example:443") << true;
    QTest::newRow("second entry") << list << QByteArray("http://localhost:8080") << true;
    QTest::newRow("other scheme") << list << QByteArray("http://civic.example") << false;
    QTest::newRow("other port") << list << QByteArray("http://localhost:8081") << false;
    QTest::newRow("subdomain") << list << QByteArray("https://a.civic.example") << false;
    QTest::newRow("suffix") << list << QByteArray("https://civic.example.evil") << false;
    QTest::newRow("with path") << list << QByteArray("https://civic.example/") << false;
    QTest::newRow("null") << list << QByteArray("null") << false;
    QTest::newRow("empty") << list << QByteArray() << false;
    QTest::newRow("star: anything") << u"*"_s << QByteArray("https://evil.example") << true;
    QTest::newRow("star: null") << u"*"_s << QByteArray("null") << true;
    QTest::newRow("no list: nothing for CORS") << QString() << QByteArray("https://civic.example") << false;
}

void TestOriginPolicy::allows()
{
    QFETCH(QString, list);
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    const Result<OriginPolicy> policy = OriginPolicy::parse(list);
    QVERIFY(policy);
    QCOMPARE(policy->allows(origin), allowed);
}

void TestOriginPolicy::admitsRequests()
{
    const OriginPolicy policy = OriginPolicy::parse(u"https://civic.example"_s).value();
    HttpRequest request;
    QVERIFY(policy.admits(request)); // no Origin: not a browser
    request.headers = {{"Host", "x"}, {"origin", "https://civic.example"}};
    QVERIFY(policy.admits(request));
    request.headers = {{"Origin", "https://evil.example"}};
    QVERIFY(!policy.admits(request));
    request.headers = {{"Origin", ""}};
    QVERIFY(!policy.admits(request));
    request.headers = {{"Origin", "https://civic.example"}, {"ORIGIN", "https://civic.example"}};
    QVERIFY(!policy.admits(request));
    request.headers = {{"Origin", "https://evil.example"}, {"Origin", "https://civic.example"}};
    QVERIFY(!policy.admits(request));

    // Without a list nothing is checked; with "*" anything goes.
    request.headers = {{"Origin", "https://evil.example"}, {"Origin", "null"}};
    QVERIFY(OriginPolicy().admits(request));
    QVERIFY(OriginPolicy::parse(u"*"_s).value().admits(request));
}

QTEST_GUILESS_MAIN(TestOriginPolicy)
#include "tst_originpolicy.moc"
