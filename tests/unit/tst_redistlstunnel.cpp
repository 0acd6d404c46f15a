// RedisTlsTunnel against a real redis-server speaking TLS, and against a TLS peer that misbehaves:
// certificate checks, closes and failures reaching hiredis' side, and bounded buffers when Redis stalls.

#include "cluster/redisclient.h"
#include "cluster/redistlstunnel.h"
#include "protocol/codes.h"
#include "redisserver.h"
#include "testcertificate.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QLocalSocket>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using wsinfra::test::RedisServer;
using wsinfra::test::TestCertificate;

namespace {

template <typename Predicate> bool waitFor(Predicate done, int timeoutMs = 10'000)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!done() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return done();
}

using Outcome = std::optional<Result<RedisReply>>;

Outcome run(RedisClient &client, const QList<QByteArray> &arguments)
{
    auto outcome = std::make_shared<Outcome>();
    client.command(arguments, &client, [outcome](const Result<RedisReply> &result) { *outcome = result; });
    waitFor([outcome] { return outcome->has_value(); });
    return *outcome;
}

RedisClient::Options clientOptions(const QString &url, const QList<QSslCertificate> &ca)
{
    RedisClient::Options options;
    options.endpoint = parseRedisUrl(url).value();
    options.tlsCaCertificates = ca;
    // TLS handshakes under the sanitizers on a loaded machine: generous.
    options.connectTimeoutMs = 5000;
    options.commandTimeoutMs = 5000;
    options.reconnectInitialDelayMs = 20;
    options.reconnectMaxDelayMs = 200;
    options.name = u"tst-redistlstunnel"_s;
    return options;
}

/// Reads from `socket` until `expected` has arrived (or the time is up); everything read.
QByteArray readUntil(QLocalSocket &socket, const QByteArray &expected, int timeoutMs = 10'000)
{
    QByteArray received;
    waitFor(
        [&] {
            received += socket.readAll();
            return received.contains(expected);
        },
        timeoutMs);
    return received;
}

} // namespace

class TestRedisTlsTunnel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void redisClientOverTls();
    void untrustedCertificateKeepsTheClientDisconnected();
    void redisPortNotListening();
    void peerClosesMidStream();
    void stalledRedisBoundsTheBuffers();
    void caFileErrorsNameTheFile();

private:
    QTemporaryDir m_dir;
    TestCertificate m_ca;
    TestCertificate m_server;
    QList<QSslCertificate> m_trusted;
    RedisServer m_redis;
};

void TestRedisTlsTunnel::initTestCase()
{
    QVERIFY2(!RedisServer::executablePath().isEmpty(),
             "redis-server is not installed: install it (Debian: apt-get install redis-server); CI does");
    QVERIFY(m_dir.isValid());
    m_ca = TestCertificate::make(m_dir.path(), u"ca"_s, u"wsinfra test CA"_s);
    QVERIFY(!m_ca.certificate.isNull());
    m_server = TestCertificate::makeSignedBy(m_dir.path(), u"redis"_s, u"redis"_s, m_ca);
    QVERIFY(!m_server.certificate.isNull());
    const Result<QList<QSslCertificate>> trusted = RedisTlsTunnel::loadCaFile(m_ca.certificateFile);
    QVERIFY2(trusted.ok(), qPrintable(trusted.error().message));
    m_trusted = *trusted;
    m_redis.setTls(m_server.certificateFile, m_server.keyFile, m_ca.certificateFile);
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

// Commands, a value larger than any buffer of the tunnel, and a host name (SNI, resolved by Qt).
void TestRedisTlsTunnel::redisClientOverTls()
{
    for (const QString &host : {u"127.0.0.1"_s, u"localhost"_s}) {
        RedisClient client(clientOptions(u"rediss://%1:%2"_s.arg(host).arg(m_redis.port()), m_trusted));
        client.start();
        QVERIFY2(waitFor([&] { return client.isConnected(); }), qPrintable(host + u": "_s + client.lastError()));

        QByteArray big(3 * 1024 * 1024, Qt::Uninitialized);
        for (qsizetype i = 0; i < big.size(); ++i)
            big[i] = char(i * 7 + i / 4096);
        const Outcome set = run(client, {"SET"_ba, "tls:big"_ba, big});
        QVERIFY(set && set->ok());
        const Outcome get = run(client, {"GET"_ba, "tls:big"_ba});
        QVERIFY(get && get->ok());
        QCOMPARE(get->value().string.size(), big.size());
        QVERIFY(get->value().string == big);
        client.stop();
    }
}

void TestRedisTlsTunnel::untrustedCertificateKeepsTheClientDisconnected()
{
    RedisClient client(clientOptions(m_redis.url(), {}), nullptr); // the system's CAs only
    client.start();
    QVERIFY(waitFor([&] { return client.lastError().contains(u"not trusted"_s); }));
    QVERIFY2(client.lastError().startsWith(u"Redis TLS: certificate of 127.0.0.1 not trusted: "_s),
             qPrintable(client.lastError()));
    QVERIFY(!client.isConnected());
    // Still failing, for the same reason, on the following attempts.
    QTest::qWait(300);
    QVERIFY(!client.isConnected());
    QVERIFY2(client.lastError().contains(u"not trusted"_s), qPrintable(client.lastError()));
}

void TestRedisTlsTunnel::redisPortNotListening()
{
    const quint16 port = RedisServer::freePort();
    RedisTlsTunnel tunnel({u"127.0.0.1"_s, port, m_trusted});
    QVERIFY2(tunnel.listen(), qPrintable(tunnel.errorString()));
    QCOMPARE(QFileInfo(QFileInfo(tunnel.socketPath()).path()).permissions() &
                 (QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther | QFile::WriteOther |
                  QFile::ExeOther),
             QFile::Permissions());

    QLocalSocket local;
    local.connectToServer(tunnel.socketPath());
    QVERIFY(local.waitForConnected(5000));
    local.write("*1\r\n$4\r\nPING\r\n");
    QVERIFY(waitFor([&] { return local.state() == QLocalSocket::UnconnectedState; }));
    QVERIFY2(tunnel.lastError().startsWith(u"Redis TLS: cannot connect to 127.0.0.1:%1: "_s.arg(port)),
             qPrintable(tunnel.lastError()));
    QVERIFY(waitFor([&] { return tunnel.connectionCount() == 0; }));
}

// A TLS peer that answers part of a reply and closes: hiredis' side gets the part, then the close.
void TestRedisTlsTunnel::peerClosesMidStream()
{
    QSslServer server;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    QFile keyFile(m_server.keyFile);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    configuration.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Ec));
    configuration.setLocalCertificate(m_server.certificate);
    server.setSslConfiguration(configuration);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QByteArray peerReceived;
    connect(&server, &QSslServer::pendingConnectionAvailable, this, [&] {
        auto *peer = static_cast<QSslSocket *>(server.nextPendingConnection());
        connect(peer, &QSslSocket::readyRead, peer, [peer, &peerReceived] {
            peerReceived += peer->readAll();
            if (peerReceived.contains("PING")) {
                peer->write("$10\r\nhalf");
                peer->disconnectFromHost();
            }
        });
    });

    RedisTlsTunnel tunnel({u"127.0.0.1"_s, server.serverPort(), m_trusted});
    QVERIFY(tunnel.listen());
    QLocalSocket local;
    local.connectToServer(tunnel.socketPath());
    QVERIFY(local.waitForConnected(5000));
    local.write("*1\r\n$4\r\nPING\r\n");
    const QByteArray received = readUntil(local, "half");
    QCOMPARE(received, "$10\r\nhalf"_ba);
    QVERIFY(waitFor([&] { return local.state() == QLocalSocket::UnconnectedState; }));
    QVERIFY(waitFor([&] { return tunnel.connectionCount() == 0; }));
    QVERIFY2(tunnel.lastError().isEmpty(), qPrintable(tunnel.lastError())); // an end, not a failure
}

// Redis stops reading: the tunnel stops reading hiredis' side instead of buffering what it writes;
// once Redis reads again, every byte arrives.
void TestRedisTlsTunnel::stalledRedisBoundsTheBuffers()
{
    RedisTlsTunnel tunnel({u"127.0.0.1"_s, m_redis.port(), m_trusted});
    QVERIFY(tunnel.listen());
    QLocalSocket local;
    local.connectToServer(tunnel.socketPath());
    QVERIFY(local.waitForConnected(5000));
    local.write("*1\r\n$4\r\nPING\r\n");
    QCOMPARE(readUntil(local, "\r\n"), "+PONG\r\n"_ba);

    m_redis.pause();
    constexpr qsizetype Size = 32 * 1024 * 1024;
    local.write("*3\r\n$3\r\nSET\r\n$7\r\ntls:big\r\n$" + QByteArray::number(Size) + "\r\n");
    local.write(QByteArray(Size, 'x'));
    local.write("\r\n*2\r\n$6\r\nSTRLEN\r\n$7\r\ntls:big\r\n");
    qint64 mostBuffered = 0;
    const QDeadlineTimer stall(1500);
    waitFor(
        [&] {
            mostBuffered = std::max(mostBuffered, tunnel.bufferedBytes());
            return stall.hasExpired();
        },
        5000);
    const qint64 heldBack = local.bytesToWrite();
    m_redis.resume();
    qInfo() << "while Redis was stopped: the tunnel held at most" << mostBuffered << "bytes, the writer still had"
            << heldBack << "of" << Size << "unwritten";
    // The writer is held back (its own buffer is still full), and the tunnel holds about the high-water
    // mark and a read buffer, not the megabytes written.
    QVERIFY2(heldBack > 0, qPrintable(QString::number(heldBack)));
    QVERIFY2(mostBuffered <= 4 * (RedisTlsTunnel::HighWaterBytes + RedisTlsTunnel::ReadBufferBytes),
             qPrintable(QString::number(mostBuffered)));

    QCOMPARE(readUntil(local, ":" + QByteArray::number(Size) + "\r\n", 30'000),
             "+OK\r\n:" + QByteArray::number(Size) + "\r\n");
}

void TestRedisTlsTunnel::caFileErrorsNameTheFile()
{
    const QString missing = m_dir.filePath(u"missing.pem"_s);
    const Result<QList<QSslCertificate>> none = RedisTlsTunnel::loadCaFile(missing);
    QVERIFY(!none.ok());
    QCOMPARE(none.error().code, QString(ErrorCode::InvalidConfig));
    QVERIFY2(none.error().message.contains(missing), qPrintable(none.error().message));

    // A key is PEM, but not a certificate.
    const Result<QList<QSslCertificate>> key = RedisTlsTunnel::loadCaFile(m_ca.keyFile);
    QVERIFY(!key.ok());
    QVERIFY2(key.error().message.contains(m_ca.keyFile) && key.error().message.contains(u"no PEM certificate"_s),
             qPrintable(key.error().message));

    const Result<QList<QSslCertificate>> good = RedisTlsTunnel::loadCaFile(m_ca.certificateFile);
    QVERIFY(good.ok());
    QCOMPARE(good->size(), 1);
    QCOMPARE(good->constFirst(), m_ca.certificate);
}

QTEST_GUILESS_MAIN(TestRedisTlsTunnel)
#include "tst_redistlstunnel.moc"
