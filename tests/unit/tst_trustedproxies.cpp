// TrustedProxies: the trustedProxies list and the client address it reads from X-Forwarded-For and
// X-Real-IP. Only a trusted peer is believed; a malformed header falls back to the peer.

#include "transport/httprequestparser.h"
#include "transport/trustedproxies.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

using Headers = QList<QPair<QByteArray, QByteArray>>;

class TestTrustedProxies : public QObject
{
    Q_OBJECT

private slots:
    void parseList_data();
    void parseList();
    void trusts();
    void clientAddress_data();
    void clientAddress();
};

void TestTrustedProxies::parseList_data()
{
    QTest::addColumn<QString>("list");
    QTest::addColumn<bool>("valid");
    QTest::newRow("empty") << QString() << true;
    QTest::newRow("blanks and commas") << u" ,, "_s << true;
    QTest::newRow("one address") << u"127.0.0.1"_s << true;
    QTest::newRow("list with blanks") << u" 127.0.0.1 , 10.0.0.0/8 , ::1 , fd00::/8 "_s << true;
    QTest::newRow("netmask form") << u"10.0.0.0/255.0.0.0"_s << true;
    QTest::newRow("host bits in subnet") << u"10.1.2.3/8"_s << true;
    QTest::newRow("hostname") << u"nginx"_s << false;
    QTest::newRow("short ipv4") << u"127.1"_s << false;
    QTest::newRow("leading zero") << u"010.0.0.1"_s << false;
    QTest::newRow("prefix too long") << u"10.0.0.0/33"_s << false;
    QTest::newRow("v6 prefix too long") << u"::1/129"_s << false;
    QTest::newRow("negative prefix") << u"10.0.0.0/-1"_s << false;
    QTest::newRow("empty prefix") << u"10.0.0.0/"_s << false;
    QTest::newRow("partial subnet") << u"10/8"_s << false;
    QTest::newRow("with port") << u"127.0.0.1:80"_s << false;
    QTest::newRow("bracketed v6") << u"[::1]"_s << false;
    QTest::newRow("one bad of two") << u"127.0.0.1,x"_s << false;
    QTest::newRow("star") << u"*"_s << false;
    QTest::newRow("scope id") << u"fe80::1%eth0"_s << false;
}

void TestTrustedProxies::parseList()
{
    QFETCH(QString, list);
    QFETCH(bool, valid);
    const Result<TrustedProxies> proxies = TrustedProxies::parse(list);
    QCOMPARE(proxies.ok(), valid);
    if (!valid)
        QVERIFY(proxies.error().message.contains(u"is not an IP address"_s));
}

void TestTrustedProxies::trusts()
{
    const TrustedProxies proxies = TrustedProxies::parse(u"127.0.0.1, 10.0.0.0/8, fd00::/8"_s).value();
    QVERIFY(proxies.trusts(QHostAddress(u"127.0.0.1"_s)));
    QVERIFY(proxies.trusts(QHostAddress(u"::ffff:127.0.0.1"_s))); // a dual-stack socket's spelling
    QVERIFY(!proxies.trusts(QHostAddress(u"127.0.0.2"_s)));
    QVERIFY(proxies.trusts(QHostAddress(u"10.200.3.4"_s)));
    QVERIFY(!proxies.trusts(QHostAddress(u"11.0.0.1"_s)));
    QVERIFY(proxies.trusts(QHostAddress(u"fd12::5"_s)));
    QVERIFY(!proxies.trusts(QHostAddress(u"::1"_s)));
    QVERIFY(!TrustedProxies().trusts(QHostAddress(u"127.0.0.1"_s)));
}

void TestTrustedProxies::clientAddress_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QString>("client");
    const QString proxy = u"10.0.0.5"_s;
    const QString peer = proxy;
    const auto row = [](const char *tag, const QString &peerAddress, const Headers &headers, const QString &client) {
        QTest::newRow(tag) << peerAddress << headers << client;
    };
    row("no header", peer, {}, proxy);
    row("one hop", peer, {{"X-Forwarded-For", "203.0.113.1"}}, u"203.0.113.1"_s);
    row("header name case", peer, {{"x-FORWARDED-for", "203.0.113.1"}}, u"203.0.113.1"_s);
    row("forged in front", peer, {{"X-Forwarded-For", "127.0.0.1, 203.0.113.1"}}, u"203.0.113.1"_s);
    row("through a second proxy", peer, {{"X-Forwarded-For", "203.0.113.1, 10.0.0.6"}}, u"203.0.113.1"_s);
    row("all trusted: left-most", peer, {{"X-Forwarded-For", "10.0.0.7, 10.0.0.6"}}, u"10.0.0.7"_s);
    row("no blanks", peer, {{"X-Forwarded-For", "198.51.100.2,203.0.113.1"}}, u"203.0.113.1"_s);
    row("two headers joined", peer, {{"X-Forwarded-For", "203.0.113.1"}, {"X-Forwarded-For", "10.0.0.6"}},
        u"203.0.113.1"_s);
    row("two headers, right-most wins", peer, {{"X-Forwarded-For", "10.0.0.6"}, {"X-Forwarded-For", "203.0.113.2"}},
        u"203.0.113.2"_s);
    row("ipv4 with port", peer, {{"X-Forwarded-For", "203.0.113.1:5555"}}, u"203.0.113.1"_s);
    row("ipv6", peer, {{"X-Forwarded-For", "2001:db8::1"}}, u"2001:db8::1"_s);
    row("ipv6 bracketed", peer, {{"X-Forwarded-For", "[2001:db8::1]"}}, u"2001:db8::1"_s);
    row("ipv6 bracketed with port", peer, {{"X-Forwarded-For", "[2001:db8::1]:443"}}, u"2001:db8::1"_s);
    row("ipv4-mapped", peer, {{"X-Forwarded-For", "::ffff:203.0.113.1"}}, u"203.0.113.1"_s);
    row("real ip", peer, {{"X-Real-IP", "203.0.113.9"}}, u"203.0.113.9"_s);
    row("forwarded-for before real ip", peer, {{"X-Real-IP", "203.0.113.9"}, {"X-Forwarded-For", "203.0.113.1"}},
        u"203.0.113.1"_s);
    row("malformed real ip", peer, {{"X-Real-IP", "unknown"}}, proxy);
    row("malformed: name", peer, {{"X-Forwarded-For", "client.example"}}, proxy);
    row("malformed: unknown", peer, {{"X-Forwarded-For", "unknown, 203.0.113.1"}}, u"203.0.113.1"_s);
    row("malformed right of the client", peer, {{"X-Forwarded-For", "203.0.113.1, garbage"}}, proxy);
    row("malformed: empty element", peer, {{"X-Forwarded-For", "203.0.113.1,,"}}, proxy);
    row("malformed: only commas", peer, {{"X-Forwarded-For", ","}}, proxy);
    row("malformed: short ipv4", peer, {{"X-Forwarded-For", "127.1"}}, proxy);
    row("malformed: octet too big", peer, {{"X-Forwarded-For", "203.0.113.256"}}, proxy);
    row("malformed: cidr", peer, {{"X-Forwarded-For", "203.0.113.0/24"}}, proxy);
    row("malformed: bracketed ipv4", peer, {{"X-Forwarded-For", "[203.0.113.1]"}}, proxy);
    row("malformed: unclosed bracket", peer, {{"X-Forwarded-For", "[2001:db8::1"}}, proxy);
    row("malformed: empty port", peer, {{"X-Forwarded-For", "[2001:db8::1]:"}}, proxy);
    row("malformed: scope id", peer, {{"X-Forwarded-For", "fe80::1%eth0"}}, proxy);
    row("malformed: space inside", peer, {{"X-Forwarded-For", "203.0.113 .1"}}, proxy);
    row("malformed: non-ascii", peer, {{"X-Forwarded-For", "203.0.113.\xd9\xa1"}}, proxy);
    row("malformed: nul", peer, {{"X-Forwarded-For", QByteArray("203.0.113.1\0", 12)}}, proxy);
    row("malformed: huge", peer, {{"X-Forwarded-For", QByteArray(10000, '1')}}, proxy);
    row("many hops", peer, {{"X-Forwarded-For", QByteArray("10.0.0.1,").repeated(500) + "203.0.113.3"}},
        u"203.0.113.3"_s);
    row("untrusted peer: ignored", u"198.51.100.1"_s, {{"X-Forwarded-For", "203.0.113.1"}}, u"198.51.100.1"_s);
    row("untrusted peer: real ip ignored", u"198.51.100.1"_s, {{"X-Real-IP", "127.0.0.1"}}, u"198.51.100.1"_s);
    row("mapped peer is trusted", u"::ffff:10.0.0.5"_s, {{"X-Forwarded-For", "203.0.113.1"}}, u"203.0.113.1"_s);
    row("mapped peer, no header", u"::ffff:10.0.0.5"_s, {}, proxy);
}

void TestTrustedProxies::clientAddress()
{
    QFETCH(QString, peer);
    QFETCH(Headers, headers);
    QFETCH(QString, client);
    const TrustedProxies proxies = TrustedProxies::parse(u"10.0.0.0/24"_s).value();
    HttpRequest request;
    request.headers = headers;
    QCOMPARE(proxies.clientAddress(QHostAddress(peer), request), client);
    // Nobody trusted: always the peer.
    QCOMPARE(TrustedProxies().clientAddress(QHostAddress(peer), request),
             QHostAddress(peer).protocol() == QAbstractSocket::IPv6Protocol && peer.startsWith(u"::ffff:"_s)
                 ? peer.mid(7)
                 : peer);
}

QTEST_GUILESS_MAIN(TestTrustedProxies)
#include "tst_trustedproxies.moc"
