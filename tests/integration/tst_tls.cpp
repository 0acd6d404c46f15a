// TLS on the real service binary (docs/operator-guide.md "TLS"): https and wss on the public port with
// a certificate made by the openssl command at test time, Socket.IO-free paths of the same port, what
// a client that does not speak TLS (or speaks it badly, or too old a version, or not at all after
// connecting) gets while others are served, a certificate renewed by SIGHUP, and the control port
// over wss.

#include "httpclient.h"
#include "servicefixture.h"
#include "testcertificate.h"
#include "wsclient.h"

#include "protocol/controlmessage.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

#include <signal.h>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test;

namespace {

QProcessEnvironment tlsEnvironment(const TestCertificate &credentials)
{
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_TLS_CERT"_s, credentials.certificateFile);
    environment.insert(u"WSINFRA_TLS_KEY"_s, credentials.keyFile);
    return environment;
}

/// A TLS connection to the loopback port that trusts `trusted`; the peer's certificate once encrypted
/// (null when the handshake failed).
QSslCertificate handshake(quint16 port, const QList<QSslCertificate> &trusted)
{
    QSslSocket socket;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(trusted);
    socket.setSslConfiguration(configuration);
    socket.connectToHostEncrypted(u"127.0.0.1"_s, port);
    if (!socket.waitForEncrypted(10'000))
        return QSslCertificate();
    return socket.peerCertificate();
}

/// Runs `openssl s_client` with `arguments` against the port; true when a TLS session was established.
bool opensslConnects(quint16 port, const QStringList &arguments)
{
    QProcess client;
    client.start(u"openssl"_s, QStringList{u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(port)} + arguments);
    client.closeWriteChannel();
    if (!client.waitForFinished(15'000))
        return false;
    const QByteArray output = client.readAllStandardOutput();
    // s_client prints the negotiated cipher; "(NONE)" or no line at all when no session was made.
    return output.contains("Cipher is ") && !output.contains("Cipher is (NONE)");
}

bool sendSighup(ServiceProcess &service)
{
    const qint64 pid = service.process().processId();
    return pid > 0 && ::kill(pid_t(pid), SIGHUP) == 0;
}

Headers apiHeaders()
{
    return {{"Authorization", QByteArray("Bearer ") + TestApiKey}, {"Content-Type", "application/json"}};
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void wssClientGetsWhatIsPublishedOverHttps();
    void plainHttpOnTheTlsPortIsNotServed();
    void onlyTls12AndLaterAreSpoken();
    void brokenAndStalledHandshakesAreDroppedWhileOthersAreServed();
    void aBadRequestHeadGetsItsAnswerOverTls();
    void handshakesInProgressCountAgainstThePendingCap();
    void sighupPicksUpARenewedCertificateAndKeepsClients();
    void controlPortSpeaksWss();
    void badCredentialsStopTheStartWithAClearMessage_data();
    void badCredentialsStopTheStartWithAClearMessage();

private:
    QTemporaryDir m_directory;
    TestCertificate m_first;
    TestCertificate m_second;
    QSslConfiguration m_previousDefault;
};

void TestTls::initTestCase()
{
    QVERIFY(m_directory.isValid());
    m_first = TestCertificate::make(m_directory.path(), u"first"_s, u"wsinfra-test-first"_s);
    m_second = TestCertificate::make(m_directory.path(), u"second"_s, u"wsinfra-test-second"_s);
    QVERIFY(!m_first.certificate.isNull());
    QVERIFY(!m_second.certificate.isNull());
    // Every client of this test (QWebSocket, QNetworkAccessManager) trusts both test certificates.
    m_previousDefault = QSslConfiguration::defaultConfiguration();
    QSslConfiguration trusting = m_previousDefault;
    trusting.setCaCertificates({m_first.certificate, m_second.certificate});
    QSslConfiguration::setDefaultConfiguration(trusting);
}

void TestTls::cleanupTestCase()
{
    QSslConfiguration::setDefaultConfiguration(m_previousDefault);
}

void TestTls::wssClientGetsWhatIsPublishedOverHttps()
{
    ServiceProcess service;
    QVERIFY2(service.start({}, tlsEnvironment(m_first)), qPrintable(service.errorString()));
    const QString base = u"127.0.0.1:%1"_s.arg(service.port());

    const HttpResult health = httpGet(u"https://"_s + base + u"/health"_s);
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value(u"status"_s).toString(), u"healthy"_s);

    WsClient client;
    QVERIFY(client.open(u"wss://"_s + base + u"/ws?token="_s + QString::fromLatin1(makeToken(u"alice"_s))));
    QVERIFY(client.subscribe(42));

    const HttpResult published = httpPost(u"https://"_s + base + u"/api/bills/42/updates"_s,
                                          R"({"type":"status_change","data":{"status":"passed"}})", apiHeaders());
    QCOMPARE(published.status, 200);
    QCOMPARE(published.json().value(u"delivered"_s).toInt(), 1);
    const QJsonObject update = client.waitFor(u"bill_update"_s);
    QCOMPARE(update.value(u"bill_id"_s).toInteger(), 42);
    QCOMPARE(update.value(u"data"_s).toObject().value(u"data"_s).toObject().value(u"status"_s).toString(), u"passed"_s);

    // Keep-alive over TLS: several requests on one connection are answered in order.
    for (int i = 0; i < 3; ++i)
        QCOMPARE(httpGet(u"https://"_s + base + u"/health"_s).status, 200);
    QCOMPARE(service.terminate(), 0);
}

void TestTls::plainHttpOnTheTlsPortIsNotServed()
{
    ServiceProcess service;
    QVERIFY2(service.start({}, tlsEnvironment(m_first)), qPrintable(service.errorString()));
    // A plain request is not a TLS ClientHello: the connection ends without any HTTP answer, and the
    // service goes on serving TLS clients.
    const QByteArray answer = rawExchange(service.port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 5'000);
    QVERIFY2(!answer.startsWith("HTTP/"), answer.constData());
    QVERIFY(!handshake(service.port(), {m_first.certificate}).isNull());
    QCOMPARE(service.terminate(), 0);
}

void TestTls::onlyTls12AndLaterAreSpoken()
{
    ServiceProcess service;
    QVERIFY2(service.start({}, tlsEnvironment(m_first)), qPrintable(service.errorString()));
    QVERIFY(opensslConnects(service.port(), {u"-tls1_2"_s}));
    QVERIFY(opensslConnects(service.port(), {u"-tls1_3"_s}));
    // TLS 1.1 and 1.0 are refused by the service (the client is told to try them at any level).
    QVERIFY(!opensslConnects(service.port(), {u"-tls1_1"_s, u"-cipher"_s, u"DEFAULT@SECLEVEL=0"_s}));
    QVERIFY(!opensslConnects(service.port(), {u"-tls1"_s, u"-cipher"_s, u"DEFAULT@SECLEVEL=0"_s}));
    QCOMPARE(service.terminate(), 0);
}

void TestTls::brokenAndStalledHandshakesAreDroppedWhileOthersAreServed()
{
    ServiceProcess service;
    // The pending cap per address is tested below; here every attacker is let in to fail its handshake.
    QVERIFY2(service.start({u"--request-head-timeout"_s, u"1500"_s, u"--max-pending-requests-per-ip"_s, u"0"_s},
                           tlsEnvironment(m_first)),
             qPrintable(service.errorString()));
    const QString base = u"127.0.0.1:%1"_s.arg(service.port());

    // From 127.0.0.2: 100 clients that connect and say nothing, 100 that start a ClientHello and stop, 20 that send
    // garbage.
    std::vector<std::unique_ptr<QTcpSocket>> attackers;
    const QByteArray partialHello = QByteArray::fromHex("16030100c8010000c40303") + QByteArray(20, '\x11');
    for (int i = 0; i < 220; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QVERIFY(socket->bind(QHostAddress(u"127.0.0.2"_s)));
        socket->connectToHost(QHostAddress::LocalHost, service.port());
        QVERIFY(socket->waitForConnected(5'000));
        if (i >= 100 && i < 200)
            socket->write(partialHello);
        else if (i >= 200)
            socket->write(QByteArray(4096, 'Z'));
        socket->flush();
        attackers.push_back(std::move(socket));
    }

    // Meanwhile a real client is served.
    WsClient client;
    QVERIFY(client.open(u"wss://"_s + base + u"/ws?token="_s + QString::fromLatin1(makeToken(u"bob"_s))));
    QVERIFY(client.subscribe(7));
    QCOMPARE(httpPost(u"https://"_s + base + u"/api/bills/7/updates"_s, R"({"type":"x"})", apiHeaders()).status, 200);
    QVERIFY(!client.waitFor(u"bill_update"_s).isEmpty());

    // Every attacker is disconnected by the service within the head timeout (plus slack for a slow machine).
    QElapsedTimer waited;
    waited.start();
    for (const auto &socket : attackers) {
        while (socket->state() != QAbstractSocket::UnconnectedState && waited.elapsed() < 20'000)
            socket->waitForDisconnected(100);
        QCOMPARE(socket->state(), QAbstractSocket::UnconnectedState);
    }
    QVERIFY(client.isOpen());

    // Operators see them: every one of the 220 counts as a failed handshake; the certificate's expiry is
    // there to alert on.
    const QByteArray metrics = httpGet(u"https://"_s + base + u"/metrics"_s).body;
    const auto sample = [&](const QByteArray &name) {
        for (const QByteArray &line : metrics.split('\n')) {
            if (line.startsWith(QByteArray(name + ' ')))
                return line.mid(name.size() + 1).toDouble();
        }
        return -1.0;
    };
    QCOMPARE(sample("wsinfra_tls_enabled"), 1.0);
    QCOMPARE(sample("wsinfra_tls_handshake_failures_total"), 220.0);
    QCOMPARE(qint64(sample("wsinfra_tls_certificate_expiry_timestamp_seconds")),
             m_first.certificate.expiryDate().toSecsSinceEpoch());
    QCOMPARE(service.terminate(), 0);
}

void TestTls::aBadRequestHeadGetsItsAnswerOverTls()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--request-head-timeout"_s, u"1500"_s}, tlsEnvironment(m_first)),
             qPrintable(service.errorString()));
    const auto exchange = [&](const QByteArray &request) -> QByteArray {
        QSslSocket socket;
        socket.connectToHostEncrypted(u"127.0.0.1"_s, service.port());
        if (!socket.waitForEncrypted(10'000))
            return QByteArray("no handshake");
        socket.write(request);
        QByteArray answer;
        QElapsedTimer timer;
        timer.start();
        while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 10'000) {
            socket.waitForReadyRead(200);
            answer += socket.readAll();
        }
        answer += socket.readAll();
        return answer;
    };
    // Malformed, oversized and never-finished heads are answered (inside TLS) and closed.
    QCOMPARE(statusOf(exchange("GARBAGE\r\n\r\n")), 400);
    QCOMPARE(statusOf(exchange("GET / HTTP/1.1\r\nX: " + QByteArray(20'000, 'a') + "\r\n\r\n")), 431);
    QCOMPARE(statusOf(exchange("GET /health HTTP/1.1\r\nHost: x\r\n")), 408);
    QCOMPARE(service.terminate(), 0);
}

void TestTls::handshakesInProgressCountAgainstThePendingCap()
{
    ServiceProcess service;
    QVERIFY2(service.start({u"--max-pending-requests-per-ip"_s, u"20"_s, u"--request-head-timeout"_s, u"5000"_s},
                           tlsEnvironment(m_first)),
             qPrintable(service.errorString()));
    // 60 connections from 127.0.0.2 that never start their handshake: 20 are held, the rest closed at once.
    std::vector<std::unique_ptr<QTcpSocket>> attackers;
    for (int i = 0; i < 60; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QVERIFY(socket->bind(QHostAddress(u"127.0.0.2"_s)));
        socket->connectToHost(QHostAddress::LocalHost, service.port());
        QVERIFY(socket->waitForConnected(5'000));
        attackers.push_back(std::move(socket));
    }
    QElapsedTimer waited;
    waited.start();
    const auto closedCount = [&] {
        int closed = 0;
        for (const auto &socket : attackers) {
            socket->waitForDisconnected(1);
            closed += socket->state() == QAbstractSocket::UnconnectedState ? 1 : 0;
        }
        return closed;
    };
    // Well before the 5 s head timeout.
    QTRY_COMPARE_WITH_TIMEOUT(closedCount(), 40, 4'000);
    // Another address is served meanwhile.
    QVERIFY(!handshake(service.port(), {m_first.certificate}).isNull());
    QCOMPARE(httpGet(u"https://127.0.0.1:%1/health"_s.arg(service.port())).status, 200);
    QCOMPARE(closedCount(), 40);
    QCOMPARE(service.terminate(), 0);
}

void TestTls::sighupPicksUpARenewedCertificateAndKeepsClients()
{
    // The service reads fixed paths; renewal replaces the files' contents.
    const QString certificateFile = m_directory.filePath(u"live-cert.pem"_s);
    const QString keyFile = m_directory.filePath(u"live-key.pem"_s);
    QFile::remove(certificateFile);
    QFile::remove(keyFile);
    QVERIFY(QFile::copy(m_first.certificateFile, certificateFile));
    QVERIFY(QFile::copy(m_first.keyFile, keyFile));
    TestCertificate live{certificateFile, keyFile, m_first.certificate};

    ServiceProcess service;
    QVERIFY2(service.start({}, tlsEnvironment(live)), qPrintable(service.errorString()));
    const QString base = u"127.0.0.1:%1"_s.arg(service.port());
    const QList<QSslCertificate> both{m_first.certificate, m_second.certificate};
    QCOMPARE(handshake(service.port(), both), m_first.certificate);

    WsClient client;
    QVERIFY(client.open(u"wss://"_s + base + u"/ws?token="_s + QString::fromLatin1(makeToken(u"carol"_s))));
    QVERIFY(client.subscribe(9));

    // Renewed: new connections get the second certificate, the open one keeps working.
    QVERIFY(QFile::remove(certificateFile) && QFile::copy(m_second.certificateFile, certificateFile));
    QVERIFY(QFile::remove(keyFile) && QFile::copy(m_second.keyFile, keyFile));
    QVERIFY(sendSighup(service));
    QTRY_COMPARE_WITH_TIMEOUT(handshake(service.port(), both), m_second.certificate, 10'000);
    QCOMPARE(httpPost(u"https://"_s + base + u"/api/bills/9/updates"_s, R"({"n":1})", apiHeaders()).status, 200);
    QVERIFY(!client.waitFor(u"bill_update"_s).isEmpty());

    // A broken renewal is refused loudly and the second certificate stays in use.
    {
        QFile broken(certificateFile);
        QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
        broken.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    }
    QVERIFY(sendSighup(service));
    // The reload checks the files with the rest of the configuration, and keeps all of it.
    QByteArray errors;
    QTRY_VERIFY_WITH_TIMEOUT((errors += service.standardError()).contains("reload failed"), 10'000);
    QVERIFY2(errors.contains("holds no PEM certificate"), errors.constData());
    QCOMPARE(handshake(service.port(), both), m_second.certificate);
    QCOMPARE(httpPost(u"https://"_s + base + u"/api/bills/9/updates"_s, R"({"n":2})", apiHeaders()).status, 200);
    QVERIFY(!client.waitFor(u"bill_update"_s).isEmpty());
    QCOMPARE(service.terminate(), 0);
}

void TestTls::controlPortSpeaksWss()
{
    QProcessEnvironment environment = tlsEnvironment(m_first);
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, u"control-secret"_s);
    environment.insert(u"WSINFRA_CONTROL_TLS"_s, u"true"_s);
    ServiceProcess service;
    QVERIFY2(service.start({u"--control-port"_s, u"0"_s}, environment), qPrintable(service.errorString()));
    QVERIFY(service.controlPort() != 0);

    QWebSocket console;
    QSignalSpy texts(&console, &QWebSocket::textMessageReceived);
    QSignalSpy connected(&console, &QWebSocket::connected);
    console.open(QUrl(u"wss://127.0.0.1:%1/"_s.arg(service.controlPort())));
    QVERIFY(connected.wait(10'000));
    ControlHello hello;
    hello.version = ControlProtocolVersion;
    hello.token = u"control-secret"_s;
    hello.client = u"tst_tls"_s;
    console.sendTextMessage(QString::fromUtf8(QJsonDocument(hello.toJson()).toJson(QJsonDocument::Compact)));
    QTRY_VERIFY_WITH_TIMEOUT(!texts.isEmpty(), 10'000);
    const QJsonObject welcome = QJsonDocument::fromJson(texts.first().first().toString().toUtf8()).object();
    QCOMPARE(welcome.value(u"type"_s).toString(), u"welcome"_s);
    console.close();

    // The plain protocol is not spoken there.
    QWebSocket plain;
    QSignalSpy plainConnected(&plain, &QWebSocket::connected);
    QSignalSpy plainEnded(&plain, &QWebSocket::disconnected);
    plain.open(QUrl(u"ws://127.0.0.1:%1/"_s.arg(service.controlPort())));
    QVERIFY(plainEnded.wait(15'000));
    QCOMPARE(plainConnected.size(), 0);
    QCOMPARE(service.terminate(), 0);
}

void TestTls::badCredentialsStopTheStartWithAClearMessage_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("message");
    const QString directory = m_directory.path();
    QFile empty(directory + u"/empty.pem"_s);
    QVERIFY(empty.open(QIODevice::WriteOnly));
    empty.close();
    QFile encrypted(directory + u"/encrypted-key.pem"_s);
    QVERIFY(encrypted.open(QIODevice::WriteOnly));
    encrypted.write("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
    encrypted.close();
    QTest::newRow("missing certificate") << directory + u"/nope.pem"_s << m_first.keyFile << u"cannot read"_s;
    QTest::newRow("empty certificate") << empty.fileName() << m_first.keyFile << u"holds no PEM certificate"_s;
    QTest::newRow("key as certificate") << m_first.keyFile << m_first.keyFile << u"holds no PEM certificate"_s;
    QTest::newRow("certificate as key") << m_first.certificateFile << m_first.certificateFile
                                        << u"holds no PEM RSA or EC private key"_s;
    QTest::newRow("encrypted key") << m_first.certificateFile << encrypted.fileName() << u"is encrypted"_s;
    QTest::newRow("key without certificate") << QString() << m_first.keyFile << u"TLS needs both"_s;
    QTest::newRow("certificate without key") << m_first.certificateFile << QString() << u"TLS needs both"_s;
    QTest::newRow("directory as certificate") << directory << m_first.keyFile << u"TLS certificate"_s;
}

void TestTls::badCredentialsStopTheStartWithAClearMessage()
{
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(QString, message);
    QProcess check;
    QProcessEnvironment environment = ServiceProcess::testEnvironment();
    if (!certificate.isEmpty())
        environment.insert(u"WSINFRA_TLS_CERT"_s, certificate);
    if (!key.isEmpty())
        environment.insert(u"WSINFRA_TLS_KEY"_s, key);
    check.setProcessEnvironment(environment);
    check.start(ServiceProcess::binaryPath(), {u"--check-config"_s});
    QVERIFY(check.waitForFinished(30'000));
    QCOMPARE(check.exitCode(), 2);
    const QString errors = QString::fromUtf8(check.readAllStandardError());
    QVERIFY2(errors.contains(message), qPrintable(errors));
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
