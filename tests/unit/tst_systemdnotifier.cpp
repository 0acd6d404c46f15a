#include "core/systemdnotifier.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using wsinfra::SystemdNotifier;

namespace {

/// The fake systemd: a datagram socket bound to a path or an abstract name.
class FakeSystemd
{
public:
    /// `address` as NOTIFY_SOCKET spells it.
    explicit FakeSystemd(const QString &address)
    {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un bound{};
        bound.sun_family = AF_UNIX;
        QByteArray name = address.toLocal8Bit();
        if (name.startsWith('@'))
            name[0] = '\0';
        std::memcpy(bound.sun_path, name.constData(), std::size_t(name.size()));
        const auto length =
            socklen_t(offsetof(sockaddr_un, sun_path) + std::size_t(name.size()) + (name.startsWith('\0') ? 0 : 1));
        m_bound = m_fd >= 0 && ::bind(m_fd, reinterpret_cast<const sockaddr *>(&bound), length) == 0;
    }
    ~FakeSystemd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    bool isBound() const { return m_bound; }

    /// The next datagram, or a null QByteArray when none came within `timeoutMs`.
    QByteArray receive(int timeoutMs = 2000) const
    {
        pollfd waiting{m_fd, POLLIN, 0};
        if (::poll(&waiting, 1, timeoutMs) != 1)
            return {};
        char buffer[4096];
        const ssize_t size = ::recv(m_fd, buffer, sizeof buffer, MSG_DONTWAIT);
        return size < 0 ? QByteArray() : QByteArray(buffer, size);
    }

private:
    int m_fd = -1;
    bool m_bound = false;
};

QString abstractName()
{
    return u"@wsinfra-test-%1-%2"_s.arg(QCoreApplication::applicationPid()).arg(QRandomGenerator::global()->generate());
}

} // namespace

class TestSystemdNotifier : public QObject
{
    Q_OBJECT

private slots:
    void pathSocketReceivesExactDatagrams();
    void abstractSocketReceivesDatagrams();
    void noSocketIsDisabled();
    void hostileValues_data();
    void hostileValues();
    void nobodyListening();
    void watchdogInterval();
    void watchdogForAnotherProcess();
    void watchdogHostileValues_data();
    void watchdogHostileValues();
};

void TestSystemdNotifier::pathSocketReceivesExactDatagrams()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"notify"_s);
    FakeSystemd systemd(path);
    QVERIFY(systemd.isBound());

    SystemdNotifier notifier(path);
    QVERIFY(notifier.isEnabled());
    QVERIFY(notifier.errorString().isEmpty());
    const QByteArray pid = QByteArray::number(QCoreApplication::applicationPid());

    const wsinfra::Result<bool> sent = notifier.ready(u"listening on 127.0.0.1:3000"_s);
    QVERIFY(sent);
    QCOMPARE(*sent, true);
    QCOMPARE(systemd.receive(), "READY=1\nSTATUS=listening on 127.0.0.1:3000\nMAINPID="_ba + pid);

    QVERIFY(notifier.reloading());
    const QByteArray reloading = systemd.receive();
    QVERIFY2(reloading.startsWith("RELOADING=1\nMONOTONIC_USEC="_ba), reloading.constData());
    bool numeric = false;
    QVERIFY(reloading.mid(qsizetype(std::strlen("RELOADING=1\nMONOTONIC_USEC="))).toLongLong(&numeric) > 0);
    QVERIFY(numeric);

    QVERIFY(notifier.stopping());
    QCOMPARE(systemd.receive(), "STOPPING=1"_ba);
    // A newline in a status would start a field of its own.
    QVERIFY(notifier.status(u"reloaded: apiKey\nREADY=1"_s));
    QCOMPARE(systemd.receive(), "STATUS=reloaded: apiKey READY=1"_ba);
    QVERIFY(notifier.ready(QString()));
    QCOMPARE(systemd.receive(), "READY=1\nMAINPID="_ba + pid);
    QVERIFY(notifier.notify("X=1"_ba));
    QCOMPARE(systemd.receive(), "X=1"_ba);
    QVERIFY(systemd.receive(50).isNull()); // one datagram per call, nothing else
}

void TestSystemdNotifier::abstractSocketReceivesDatagrams()
{
    const QString name = abstractName();
    FakeSystemd systemd(name);
    QVERIFY(systemd.isBound());
    SystemdNotifier notifier(name);
    QVERIFY(notifier.isEnabled());
    QVERIFY(notifier.stopping());
    QCOMPARE(systemd.receive(), "STOPPING=1"_ba);
    QVERIFY(notifier.status(u"draining"_s));
    QCOMPARE(systemd.receive(), "STATUS=draining"_ba);
}

void TestSystemdNotifier::noSocketIsDisabled()
{
    SystemdNotifier notifier{QString()};
    QVERIFY(!notifier.isEnabled());
    QVERIFY(notifier.errorString().contains(u"NOTIFY_SOCKET"_s));
    // Every call is a no-op: no error, nothing sent.
    for (const wsinfra::Result<bool> &result :
         {notifier.ready(u"x"_s), notifier.reloading(), notifier.stopping(), notifier.status(u"x"_s)}) {
        QVERIFY(result.ok());
        QCOMPARE(*result, false);
    }
    const wsinfra::Result<bool> watchdog = notifier.startWatchdog(u"1000000"_s, QString());
    QVERIFY(watchdog);
    QCOMPARE(*watchdog, false);
    QCOMPARE(notifier.watchdogIntervalMs(), 0);
}

void TestSystemdNotifier::hostileValues_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("reason");
    const qsizetype sunPath = qsizetype(sizeof(sockaddr_un::sun_path));
    QTest::newRow("relative") << u"run/systemd/notify"_s << u"absolute"_s;
    QTest::newRow("dot relative") << u"./notify"_s << u"absolute"_s;
    QTest::newRow("at only") << u"@"_s << u"after '@'"_s;
    QTest::newRow("path too long") << u"/"_s + QString(sunPath, u'a') << u"longer"_s;
    QTest::newRow("path exactly sun_path") << u"/"_s + QString(sunPath - 1, u'a') << u"longer"_s;
    QTest::newRow("abstract too long") << u"@"_s + QString(sunPath, u'a') << u"longer"_s;
    QTest::newRow("embedded NUL") << u"/run/sys\0temd/notify"_s << u"NUL"_s;
    QTest::newRow("vsock") << u"vsock:2:1234"_s << u"absolute"_s;
    QTest::newRow("space") << u" "_s << u"absolute"_s;
    QTest::newRow("huge") << QString(1 << 20, u'/') << u"longer"_s;
}

void TestSystemdNotifier::hostileValues()
{
    QFETCH(QString, value);
    QFETCH(QString, reason);
    const wsinfra::Result<QByteArray> address = SystemdNotifier::addressOf(value);
    QVERIFY(!address);
    QVERIFY2(address.error().message.contains(reason), qPrintable(address.error().message));
    QVERIFY(address.error().message.startsWith(u"NOTIFY_SOCKET"_s));

    SystemdNotifier notifier(value);
    QVERIFY(!notifier.isEnabled());
    QCOMPARE(notifier.errorString(), address.error().message);
    QVERIFY(notifier.ready(u"x"_s).ok());
}

void TestSystemdNotifier::nobodyListening()
{
    // An abstract name nobody bound.
    SystemdNotifier abstractNotifier(abstractName());
    QVERIFY(abstractNotifier.isEnabled());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"cannot notify systemd at @wsinfra-test-"_s));
    QVERIFY(!abstractNotifier.stopping());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    SystemdNotifier notifier(dir.filePath(u"nobody"_s));
    QVERIFY(notifier.isEnabled());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"cannot notify systemd at .*nobody"_s));
    const wsinfra::Result<bool> first = notifier.ready(u"x"_s);
    QVERIFY(!first);
    QCOMPARE(first.error().code, u"unavailable"_s);
    QVERIFY2(first.error().message.contains(u"nobody"_s), qPrintable(first.error().message));
    // Failing again is still an error, returned and not thrown, but logged only once.
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    const wsinfra::Result<bool> second = notifier.stopping();
    QVERIFY(!second);
    QCOMPARE(second.error().message, first.error().message);
    QVERIFY(!notifier.status(u"y"_s));
    QVERIFY(!notifier.startWatchdog(u"abc"_s, QString()));
}

void TestSystemdNotifier::watchdogInterval()
{
    const QString name = abstractName();
    FakeSystemd systemd(name);
    QVERIFY(systemd.isBound());
    SystemdNotifier notifier(name);
    const wsinfra::Result<bool> started = notifier.startWatchdog(
        u"200000"_s, QString::number(QCoreApplication::applicationPid())); // 200 ms: a ping every 100 ms
    QVERIFY(started);
    QVERIFY(*started);
    QCOMPARE(notifier.watchdogIntervalMs(), 100);

    QElapsedTimer elapsed;
    elapsed.start();
    int pings = 0;
    qint64 firstMs = -1;
    while (elapsed.elapsed() < 1050) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        for (QByteArray datagram = systemd.receive(0); !datagram.isNull(); datagram = systemd.receive(0)) {
            QCOMPARE(datagram, "WATCHDOG=1"_ba);
            if (firstMs < 0)
                firstMs = elapsed.elapsed();
            ++pings;
        }
    }
    // Not before half the interval has passed, then about every 100 ms: ten in a second, give or take
    // a loaded machine's delays, but never a flood.
    QVERIFY2(firstMs >= 90, qPrintable(QString::number(firstMs)));
    QVERIFY2(pings >= 5 && pings <= 11, qPrintable(QString::number(pings)));
}

void TestSystemdNotifier::watchdogForAnotherProcess()
{
    const QString name = abstractName();
    FakeSystemd systemd(name);
    SystemdNotifier notifier(name);
    const wsinfra::Result<bool> started =
        notifier.startWatchdog(u"20000"_s, QString::number(QCoreApplication::applicationPid() + 1));
    QVERIFY(started);
    QCOMPARE(*started, false);
    QCOMPARE(notifier.watchdogIntervalMs(), 0);
    QTest::qWait(50);
    QVERIFY(systemd.receive(0).isNull());
    // No WATCHDOG_USEC: no watchdog.
    QCOMPARE(*notifier.startWatchdog(QString(), QString()), false);
}

void TestSystemdNotifier::watchdogHostileValues_data()
{
    QTest::addColumn<QString>("usec");
    QTest::addColumn<QString>("pid");
    QTest::newRow("zero") << u"0"_s << QString();
    QTest::newRow("negative") << u"-1000000"_s << QString();
    QTest::newRow("text") << u"one second"_s << QString();
    QTest::newRow("overflow") << u"99999999999999999999999"_s << QString();
    QTest::newRow("unit") << u"30s"_s << QString();
    QTest::newRow("pid text") << u"1000000"_s << u"self"_s;
    QTest::newRow("pid zero") << u"1000000"_s << u"0"_s;
    QTest::newRow("pid negative") << u"1000000"_s << u"-5"_s;
}

void TestSystemdNotifier::watchdogHostileValues()
{
    QFETCH(QString, usec);
    QFETCH(QString, pid);
    const QString name = abstractName();
    FakeSystemd systemd(name);
    SystemdNotifier notifier(name);
    const wsinfra::Result<bool> started = notifier.startWatchdog(usec, pid);
    QVERIFY(!started);
    QCOMPARE(started.error().code, u"invalid_config"_s);
    QVERIFY(started.error().message.startsWith(u"WATCHDOG_"_s));
    QCOMPARE(notifier.watchdogIntervalMs(), 0);
}

QTEST_GUILESS_MAIN(TestSystemdNotifier)
#include "tst_systemdnotifier.moc"
