// The recent services the console keeps in its settings, and the dialog that offers them: order, bounds, the
// token written only when the operator asked, TLS and its CA file kept, a hand-edited settings file read
// without trouble.

#include "recentservers.h"
#include "testcertificate.h"
#include "ui/connectiondialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using wsinfra::test::TestCertificate;

namespace {

using Server = RecentServers::Server;

Server server(const QString &host, quint16 port, const QString &token = {}, bool rememberToken = false)
{
    Server entry;
    entry.host = host;
    entry.port = port;
    entry.token = token;
    entry.rememberToken = rememberToken;
    return entry;
}

Server tlsServer(const QString &host, quint16 port, const QString &caCertificateFile)
{
    Server entry = server(host, port);
    entry.tls = true;
    entry.caCertificateFile = caCertificateFile;
    return entry;
}

QStringList names(const QList<Server> &servers)
{
    QStringList result;
    for (const Server &entry : servers)
        result.append(entry.name());
    return result;
}

} // namespace

class TestConnectionDialog : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void mostRecentFirst();
    void keepsAtMostTen();
    void sameHostAndPortReplaced();
    void tokenWrittenOnlyWhenRemembered();
    void forgettingRemovesTheStoredToken();
    void clearRemovesEverything();
    void ipv6Name();
    void hostileSettings_data();
    void hostileSettings();
    void hugeArraySizeLoadsQuickly();
    void tlsAndCaFileRemembered();
    void hostileTlsSettings_data();
    void hostileTlsSettings();

    void dialogStartsFromTheMostRecent();
    void dialogPicksARecentEntry();
    void dialogNeedsAToken();
    void dialogHost_data();
    void dialogHost();
    void acceptRemembers();
    void acceptWithoutTokenRemembersNothing();
    void dialogTlsFields();
    void dialogCaFile_data();
    void dialogCaFile();
    void dialogBrowsesForTheCaFile();

private:
    QString iniText() const;
    void writeIni(const QByteArray &text);
    ConnectionDialog *openDialog();

    std::unique_ptr<QTemporaryDir> m_dir;
    QTemporaryDir m_fixtures; ///< files for the data functions, which run before init()
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<RecentServers> m_recent;
    std::unique_ptr<ConnectionDialog> m_dialog;
};

void TestConnectionDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<QSettings>(m_dir->filePath(u"console.ini"_s), QSettings::IniFormat);
    m_recent = std::make_unique<RecentServers>(m_settings.get());
}

void TestConnectionDialog::cleanup()
{
    m_dialog.reset();
    m_recent.reset();
    m_settings.reset();
    m_dir.reset();
}

QString TestConnectionDialog::iniText() const
{
    m_settings->sync();
    QFile file(m_dir->filePath(u"console.ini"_s));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

void TestConnectionDialog::writeIni(const QByteArray &text)
{
    m_recent.reset();
    m_settings.reset();
    QFile file(m_dir->filePath(u"console.ini"_s));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(text), text.size());
    file.close();
    m_settings = std::make_unique<QSettings>(m_dir->filePath(u"console.ini"_s), QSettings::IniFormat);
    m_recent = std::make_unique<RecentServers>(m_settings.get());
}

ConnectionDialog *TestConnectionDialog::openDialog()
{
    m_dialog = std::make_unique<ConnectionDialog>(m_recent.get());
    return m_dialog.get();
}

void TestConnectionDialog::mostRecentFirst()
{
    QVERIFY(m_recent->load().isEmpty());
    m_recent->remember(server(u"alpha"_s, 3001));
    m_recent->remember(server(u"beta"_s, 3002));
    m_recent->remember(server(u"gamma"_s, 3003));
    QCOMPARE(names(m_recent->load()), (QStringList{u"gamma:3003"_s, u"beta:3002"_s, u"alpha:3001"_s}));
    // From a fresh QSettings on the same file too: it is written, not only cached.
    QSettings again(m_dir->filePath(u"console.ini"_s), QSettings::IniFormat);
    QCOMPARE(names(RecentServers(&again).load()), names(m_recent->load()));
}

void TestConnectionDialog::keepsAtMostTen()
{
    for (int i = 1; i <= 12; ++i)
        m_recent->remember(server(u"node%1"_s.arg(i), quint16(4000 + i)));
    const QList<Server> servers = m_recent->load();
    QCOMPARE(servers.size(), RecentServers::MaxEntries);
    QCOMPARE(servers.first().name(), u"node12:4012"_s);
    QCOMPARE(servers.last().name(), u"node3:4003"_s);
    QVERIFY(!iniText().contains(u"node1\n"_s));
    QVERIFY(!iniText().contains(u"node2\n"_s));
}

void TestConnectionDialog::sameHostAndPortReplaced()
{
    m_recent->remember(server(u"alpha"_s, 3001, u"one"_s, true));
    m_recent->remember(server(u"beta"_s, 3001));
    m_recent->remember(server(u"alpha"_s, 3002)); // another port: another service
    m_recent->remember(server(u"alpha"_s, 3001, u"two"_s, true));
    QList<Server> servers = m_recent->load();
    QCOMPARE(names(servers), (QStringList{u"alpha:3001"_s, u"alpha:3002"_s, u"beta:3001"_s}));
    QCOMPARE(servers.first().token, u"two"_s);
    QVERIFY(!iniText().contains(u"one"_s));

    // Host names are case-insensitive, and blanks around them are not part of them.
    m_recent->remember(server(u" ALPHA "_s, 3001));
    servers = m_recent->load();
    QCOMPARE(names(servers), (QStringList{u"ALPHA:3001"_s, u"alpha:3002"_s, u"beta:3001"_s}));
}

void TestConnectionDialog::tokenWrittenOnlyWhenRemembered()
{
    const QString secret = u"s3cret-control-token-4711"_s;
    m_recent->remember(server(u"alpha"_s, 3001, secret, false));
    QVERIFY(iniText().contains(u"alpha"_s));
    QVERIFY2(!iniText().contains(secret), qPrintable(iniText()));
    QCOMPARE(m_recent->load().first().token, QString());
    QCOMPARE(m_recent->load().first().rememberToken, false);

    m_recent->remember(server(u"beta"_s, 3001, secret, true));
    QVERIFY(iniText().contains(secret));
    const Server beta = m_recent->load().first();
    QCOMPARE(beta.token, secret);
    QVERIFY(beta.rememberToken);
    QCOMPARE(m_recent->load().at(1).token, QString()); // alpha's still not
}

void TestConnectionDialog::forgettingRemovesTheStoredToken()
{
    const QString kept = u"token-of-beta-kept"_s;
    const QString forgotten = u"token-of-alpha-forgotten"_s;
    m_recent->remember(server(u"beta"_s, 3001, kept, true));
    m_recent->remember(server(u"alpha"_s, 3001, forgotten, true));
    QVERIFY(iniText().contains(forgotten));

    m_recent->remember(server(u"alpha"_s, 3001, forgotten, false));
    QVERIFY2(!iniText().contains(forgotten), qPrintable(iniText()));
    QVERIFY(iniText().contains(kept));
    QCOMPARE(m_recent->load().first().token, QString());
    QCOMPARE(m_recent->load().at(1).token, kept);
}

void TestConnectionDialog::clearRemovesEverything()
{
    m_recent->remember(server(u"alpha"_s, 3001, u"secret-to-clear"_s, true));
    m_recent->clear();
    QVERIFY(m_recent->load().isEmpty());
    QVERIFY(!iniText().contains(u"secret-to-clear"_s));
    QVERIFY(!iniText().contains(u"alpha"_s));
}

void TestConnectionDialog::ipv6Name()
{
    m_recent->remember(server(u"::1"_s, 3001));
    QCOMPARE(m_recent->load().first().host, u"::1"_s);
    QCOMPARE(m_recent->load().first().name(), u"[::1]:3001"_s);
}

void TestConnectionDialog::hostileSettings_data()
{
    QTest::addColumn<QByteArray>("ini");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QStringList>("tokens");

    const QByteArray good = "1\\host=good\n1\\port=3001\n";
    QTest::newRow("empty file") << QByteArray() << QStringList() << QStringList();
    QTest::newRow("no size") << QByteArray("[recentServers]\n" + good) << QStringList() << QStringList();
    QTest::newRow("one good") << QByteArray("[recentServers]\n" + good + "size=1\n") << QStringList{u"good:3001"_s}
                              << QStringList{QString()};
    const auto withSecond = [&good](const QByteArray &second) {
        return QByteArray("[recentServers]\n" + good + second + "size=2\n");
    };
    QTest::newRow("port letters") << withSecond("2\\host=bad\n2\\port=abc\n") << QStringList{u"good:3001"_s}
                                  << QStringList{QString()};
    QTest::newRow("port 0") << withSecond("2\\host=bad\n2\\port=0\n") << QStringList{u"good:3001"_s}
                            << QStringList{QString()};
    QTest::newRow("port 70000") << withSecond("2\\host=bad\n2\\port=70000\n") << QStringList{u"good:3001"_s}
                                << QStringList{QString()};
    QTest::newRow("port 65536") << withSecond("2\\host=bad\n2\\port=65536\n") << QStringList{u"good:3001"_s}
                                << QStringList{QString()};
    QTest::newRow("port negative") << withSecond("2\\host=bad\n2\\port=-1\n") << QStringList{u"good:3001"_s}
                                   << QStringList{QString()};
    QTest::newRow("port huge") << withSecond("2\\host=bad\n2\\port=99999999999999999999\n")
                               << QStringList{u"good:3001"_s} << QStringList{QString()};
    QTest::newRow("port fraction") << withSecond("2\\host=bad\n2\\port=3001.5\n") << QStringList{u"good:3001"_s}
                                   << QStringList{QString()};
    QTest::newRow("port missing") << withSecond("2\\host=bad\n") << QStringList{u"good:3001"_s}
                                  << QStringList{QString()};
    QTest::newRow("port 65535") << withSecond("2\\host=edge\n2\\port=65535\n")
                                << QStringList{u"good:3001"_s, u"edge:65535"_s} << QStringList{QString(), QString()};
    QTest::newRow("empty host") << withSecond("2\\host=\n2\\port=3002\n") << QStringList{u"good:3001"_s}
                                << QStringList{QString()};
    QTest::newRow("blank host") << withSecond("2\\host=\"   \"\n2\\port=3002\n") << QStringList{u"good:3001"_s}
                                << QStringList{QString()};
    QTest::newRow("host missing") << withSecond("2\\port=3002\n") << QStringList{u"good:3001"_s}
                                  << QStringList{QString()};
    QTest::newRow("duplicate entry") << withSecond("2\\host=GOOD\n2\\port=3001\n") << QStringList{u"good:3001"_s}
                                     << QStringList{QString()};
    QTest::newRow("token without remember")
        << withSecond("2\\host=other\n2\\port=3002\n2\\token=leaked\n") << QStringList{u"good:3001"_s, u"other:3002"_s}
        << QStringList{QString(), QString()};
    QTest::newRow("remember not a boolean")
        << withSecond("2\\host=other\n2\\port=3002\n2\\rememberToken=maybe\n2\\token=leaked\n")
        << QStringList{u"good:3001"_s, u"other:3002"_s} << QStringList{QString(), QString()};
    QTest::newRow("remembered token") << withSecond("2\\host=other\n2\\port=3002\n2\\rememberToken=true\n2\\token=t\n")
                                      << QStringList{u"good:3001"_s, u"other:3002"_s} << QStringList{QString(), u"t"_s};
    QTest::newRow("size larger than the entries") << QByteArray("[recentServers]\n" + good + "size=50\n")
                                                  << QStringList{u"good:3001"_s} << QStringList{QString()};
    QTest::newRow("size negative") << QByteArray("[recentServers]\n" + good + "size=-3\n") << QStringList()
                                   << QStringList();
    QTest::newRow("size letters") << QByteArray("[recentServers]\n" + good + "size=many\n") << QStringList()
                                  << QStringList();
    QTest::newRow("binary garbage") << QByteArray("\x00\xff\xfe[recentServers\n\x01=\x02\n", 22) << QStringList()
                                    << QStringList();

    QByteArray twelve = "[recentServers]\n";
    QStringList first10;
    for (int i = 1; i <= 12; ++i) {
        twelve += QByteArray::number(i) + "\\host=n" + QByteArray::number(i) + "\n" + QByteArray::number(i) +
                  "\\port=" + QByteArray::number(5000 + i) + "\n";
        if (i <= 10)
            first10.append(u"n%1:%2"_s.arg(i).arg(5000 + i));
    }
    twelve += "size=12\n";
    QTest::newRow("more than ten") << twelve << first10 << QStringList(10, QString());
}

void TestConnectionDialog::hostileSettings()
{
    QFETCH(QByteArray, ini);
    QFETCH(QStringList, expected);
    QFETCH(QStringList, tokens);

    writeIni(ini);
    const QList<Server> servers = m_recent->load();
    QCOMPARE(names(servers), expected);
    QStringList loadedTokens;
    for (const Server &entry : servers)
        loadedTokens.append(entry.token);
    QCOMPARE(loadedTokens, tokens);
    // The dialog opens on such a file without trouble, offering what was valid.
    ConnectionDialog *dialog = openDialog();
    QCOMPARE(dialog->findChild<QComboBox *>(u"recentServers"_s)->count(), expected.size() + 1);
}

void TestConnectionDialog::hugeArraySizeLoadsQuickly()
{
    // A hand-edited size must not make the console look at two billion entries.
    writeIni("[recentServers]\n1\\host=bad\n1\\port=0\nsize=2000000000\n");
    QElapsedTimer timer;
    timer.start();
    QVERIFY(m_recent->load().isEmpty());
    QVERIFY2(timer.elapsed() < 5'000, qPrintable(QString::number(timer.elapsed())));
}

void TestConnectionDialog::dialogStartsFromTheMostRecent()
{
    m_recent->remember(server(u"older"_s, 3001, u"older-token"_s, true));
    m_recent->remember(server(u"control.example.org"_s, 4100, u"recent-token"_s, true));
    ConnectionDialog *dialog = openDialog();
    QCOMPARE(dialog->findChild<QLineEdit *>(u"host"_s)->text(), u"control.example.org"_s);
    QCOMPARE(dialog->findChild<QSpinBox *>(u"port"_s)->value(), 4100);
    QCOMPARE(dialog->findChild<QLineEdit *>(u"token"_s)->text(), u"recent-token"_s);
    QVERIFY(dialog->findChild<QCheckBox *>(u"rememberToken"_s)->isChecked());
    QCOMPARE(dialog->findChild<QLineEdit *>(u"token"_s)->echoMode(), QLineEdit::Password);
    QVERIFY(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
    const Server shown = dialog->server();
    QCOMPARE(shown, server(u"control.example.org"_s, 4100, u"recent-token"_s, true));
}

void TestConnectionDialog::dialogPicksARecentEntry()
{
    m_recent->remember(server(u"older"_s, 3005));
    m_recent->remember(server(u"newer"_s, 3006, u"x"_s, true));
    ConnectionDialog *dialog = openDialog();
    auto *recent = dialog->findChild<QComboBox *>(u"recentServers"_s);
    QCOMPARE(recent->count(), 3); // "New service" and the two
    QCOMPARE(recent->itemText(1), u"newer:3006"_s);
    recent->setCurrentIndex(2);
    QCOMPARE(dialog->findChild<QLineEdit *>(u"host"_s)->text(), u"older"_s);
    QCOMPARE(dialog->findChild<QSpinBox *>(u"port"_s)->value(), 3005);
    // Its token was not remembered: the operator has to type it.
    QCOMPARE(dialog->findChild<QLineEdit *>(u"token"_s)->text(), QString());
    QVERIFY(!dialog->findChild<QCheckBox *>(u"rememberToken"_s)->isChecked());
    QVERIFY(!dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
}

void TestConnectionDialog::dialogNeedsAToken()
{
    ConnectionDialog *dialog = openDialog();
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    auto *token = dialog->findChild<QLineEdit *>(u"token"_s);
    auto *problem = dialog->findChild<QLabel *>(u"problem"_s);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"host"_s), u"127.0.0.1"_s);
    QVERIFY(!ok->isEnabled());
    QVERIFY(problem->text().contains(u"token"_s));
    QTest::keyClicks(token, u"t"_s);
    QVERIFY(ok->isEnabled());
    QVERIFY(problem->text().isEmpty());
    token->clear();
    QVERIFY(!ok->isEnabled());
}

void TestConnectionDialog::dialogHost_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("used"); // server().host

    QTest::newRow("name") << u"control.example.org"_s << true << u"control.example.org"_s;
    QTest::newRow("IPv4") << u"10.0.0.5"_s << true << u"10.0.0.5"_s;
    QTest::newRow("IPv6") << u"::1"_s << true << u"::1"_s;
    QTest::newRow("blanks around") << u"  example.org  "_s << true << u"example.org"_s;
    QTest::newRow("empty: the placeholder") << QString() << true << u"127.0.0.1"_s;
    QTest::newRow("space inside") << u"bad host"_s << false << u"bad host"_s;
    QTest::newRow("URL") << u"http://example.org"_s << false << u"http://example.org"_s;
    QTest::newRow("with port") << u"example.org:3001"_s << false << u"example.org:3001"_s;
    QTest::newRow("slash") << u"example.org/x"_s << false << u"example.org/x"_s;
    QTest::newRow("bad IPv6") << u"[::1"_s << false << u"[::1"_s;
    QTest::newRow("control character") << u"exa\u0001mple"_s << false << u"exa\u0001mple"_s;
}

void TestConnectionDialog::dialogHost()
{
    QFETCH(QString, host);
    QFETCH(bool, accepted);
    QFETCH(QString, used);

    ConnectionDialog *dialog = openDialog();
    dialog->findChild<QLineEdit *>(u"token"_s)->setText(u"t"_s);
    dialog->findChild<QLineEdit *>(u"host"_s)->setText(host);
    QCOMPARE(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled(), accepted);
    QCOMPARE(dialog->server().host, used);
    if (!accepted)
        QVERIFY(!dialog->findChild<QLabel *>(u"problem"_s)->text().isEmpty());
}

void TestConnectionDialog::acceptRemembers()
{
    m_recent->remember(server(u"older"_s, 3001));
    ConnectionDialog *dialog = openDialog();
    dialog->setServer(server(u"new.example.org"_s, 4200, u"typed-token-not-kept"_s, false));
    dialog->accept();
    QCOMPARE(dialog->result(), int(QDialog::Accepted));
    QCOMPARE(names(m_recent->load()), (QStringList{u"new.example.org:4200"_s, u"older:3001"_s}));
    QVERIFY(!iniText().contains(u"typed-token-not-kept"_s));

    ConnectionDialog again(m_recent.get());
    again.setServer(server(u"new.example.org"_s, 4200, u"typed-token-kept"_s, true));
    QTest::mouseClick(again.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QCOMPARE(again.result(), int(QDialog::Accepted));
    QCOMPARE(m_recent->load().first().token, u"typed-token-kept"_s);
    QCOMPARE(m_recent->load().size(), 2);
}

void TestConnectionDialog::acceptWithoutTokenRemembersNothing()
{
    ConnectionDialog *dialog = openDialog();
    dialog->setServer(server(u"example.org"_s, 3001));
    dialog->accept();
    QCOMPARE(dialog->result(), int(QDialog::Rejected));
    QVERIFY(m_recent->load().isEmpty());
}

void TestConnectionDialog::tlsAndCaFileRemembered()
{
    const QString ca = m_dir->filePath(u"private-ca.pem"_s);
    m_recent->remember(server(u"plain"_s, 3001));
    m_recent->remember(tlsServer(u"secure"_s, 3002, ca));
    const QList<Server> servers = m_recent->load();
    QCOMPARE(servers.size(), 2);
    QCOMPARE(servers.at(0), tlsServer(u"secure"_s, 3002, ca));
    QVERIFY(!servers.at(1).tls);
    QVERIFY(iniText().contains(u"private-ca.pem"_s));

    // Without TLS a CA file means nothing, and is not kept.
    Server notTls = tlsServer(u"secure"_s, 3002, ca);
    notTls.tls = false;
    m_recent->remember(notTls);
    QCOMPARE(m_recent->load().first(), server(u"secure"_s, 3002));
    QVERIFY2(!iniText().contains(u"private-ca.pem"_s), qPrintable(iniText()));
}

void TestConnectionDialog::hostileTlsSettings_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("caCertificateFile");

    QTest::newRow("none") << QByteArray() << false << QString();
    QTest::newRow("tls true") << QByteArray("1\\tls=true\n") << true << QString();
    QTest::newRow("tls TRUE with CA") << QByteArray("1\\tls=TRUE\n1\\caCertificateFile=/etc/ca.pem\n") << true
                                      << u"/etc/ca.pem"_s;
    QTest::newRow("tls false with CA") << QByteArray("1\\tls=false\n1\\caCertificateFile=/etc/ca.pem\n") << false
                                       << QString();
    QTest::newRow("tls not a boolean") << QByteArray("1\\tls=maybe\n1\\caCertificateFile=/etc/ca.pem\n") << false
                                       << QString();
    QTest::newRow("tls 1") << QByteArray("1\\tls=1\n") << false << QString();
    QTest::newRow("CA without tls") << QByteArray("1\\caCertificateFile=/etc/ca.pem\n") << false << QString();
}

void TestConnectionDialog::hostileTlsSettings()
{
    QFETCH(QByteArray, entry);
    QFETCH(bool, tls);
    QFETCH(QString, caCertificateFile);

    writeIni("[recentServers]\n1\\host=node\n1\\port=3001\n" + entry + "size=1\n");
    const QList<Server> servers = m_recent->load();
    QCOMPARE(servers.size(), 1);
    QCOMPARE(servers.first().tls, tls);
    QCOMPARE(servers.first().caCertificateFile, caCertificateFile);
    ConnectionDialog *dialog = openDialog();
    QCOMPARE(dialog->findChild<QCheckBox *>(u"tls"_s)->isChecked(), tls);
    QCOMPARE(dialog->findChild<QLineEdit *>(u"caCertificate"_s)->text(), caCertificateFile);
}

void TestConnectionDialog::dialogTlsFields()
{
    m_recent->remember(server(u"plain"_s, 3001, u"p"_s, true));
    m_recent->remember(tlsServer(u"secure"_s, 3443, QString()));
    ConnectionDialog *dialog = openDialog();
    auto *tls = dialog->findChild<QCheckBox *>(u"tls"_s);
    auto *ca = dialog->findChild<QLineEdit *>(u"caCertificate"_s);
    auto *browse = dialog->findChild<QPushButton *>(u"browseCaCertificate"_s);
    QVERIFY(tls && ca && browse);
    // The most recent entry speaks TLS.
    QVERIFY(tls->isChecked());
    QVERIFY(ca->isEnabled());
    QVERIFY(browse->isEnabled());
    // The older one does not: its CA field is off.
    dialog->findChild<QComboBox *>(u"recentServers"_s)->setCurrentIndex(2);
    QVERIFY(!tls->isChecked());
    QVERIFY(!ca->isEnabled());
    QVERIFY(!browse->isEnabled());
    QVERIFY(!dialog->server().tls);

    // A CA typed while TLS is off is not part of the entry.
    tls->setChecked(true);
    ca->setText(u"  /nowhere/ca.pem  "_s);
    QCOMPARE(dialog->server().caCertificateFile, u"/nowhere/ca.pem"_s);
    tls->setChecked(false);
    QVERIFY(dialog->server().caCertificateFile.isEmpty());
    QVERIFY(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
}

void TestConnectionDialog::dialogCaFile_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("accepted");

    QVERIFY(m_fixtures.isValid());
    const TestCertificate made = TestCertificate::make(m_fixtures.path(), u"ca"_s, u"dialog-test-ca"_s);
    QVERIFY(!made.certificate.isNull());
    QFile garbage(m_fixtures.filePath(u"garbage.pem"_s));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write("not a certificate\n");
    garbage.close();

    QTest::newRow("none: the system's CAs") << QString() << true << true;
    QTest::newRow("a certificate") << made.certificateFile << true << true;
    QTest::newRow("missing") << m_fixtures.filePath(u"nope.pem"_s) << true << false;
    QTest::newRow("not PEM") << garbage.fileName() << true << false;
    QTest::newRow("a key") << made.keyFile << true << false;
    QTest::newRow("a directory") << m_fixtures.path() << true << false;
    QTest::newRow("missing, TLS off") << m_fixtures.filePath(u"nope.pem"_s) << false << true;
}

void TestConnectionDialog::dialogCaFile()
{
    QFETCH(QString, file);
    QFETCH(bool, tls);
    QFETCH(bool, accepted);

    ConnectionDialog *dialog = openDialog();
    dialog->findChild<QLineEdit *>(u"token"_s)->setText(u"t"_s);
    dialog->findChild<QCheckBox *>(u"tls"_s)->setChecked(tls);
    dialog->findChild<QLineEdit *>(u"caCertificate"_s)->setText(file);
    QCOMPARE(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled(), accepted);
    const QString problem = dialog->findChild<QLabel *>(u"problem"_s)->text();
    QCOMPARE(problem.contains(u"CA certificate"_s), !accepted);
    dialog->accept();
    QCOMPARE(dialog->result(), accepted ? int(QDialog::Accepted) : int(QDialog::Rejected));
    QCOMPARE(m_recent->load().size(), accepted ? 1 : 0);
    if (accepted) {
        QCOMPARE(m_recent->load().first().tls, tls);
        QCOMPARE(m_recent->load().first().caCertificateFile, tls ? file : QString());
    }
}

void TestConnectionDialog::dialogBrowsesForTheCaFile()
{
    const TestCertificate made = TestCertificate::make(m_dir->path(), u"browsed"_s, u"dialog-test-browsed"_s);
    QVERIFY(!made.certificate.isNull());
    ConnectionDialog *dialog = openDialog();
    dialog->show();
    dialog->findChild<QCheckBox *>(u"tls"_s)->setChecked(true);
    QTest::mouseClick(dialog->findChild<QPushButton *>(u"browseCaCertificate"_s), Qt::LeftButton);
    QFileDialog *files = nullptr;
    QTRY_VERIFY((files = dialog->findChild<QFileDialog *>(u"caCertificateDialog"_s)) && files->isVisible());
    QCOMPARE(files->fileMode(), QFileDialog::ExistingFile);
    files->selectFile(made.certificateFile);
    static_cast<QDialog *>(files)->accept(); // public there, protected in QFileDialog
    QCOMPARE(dialog->findChild<QLineEdit *>(u"caCertificate"_s)->text(), made.certificateFile);
    QCOMPARE(dialog->server().caCertificateFile, made.certificateFile);
}

QTEST_MAIN(TestConnectionDialog)
#include "tst_connectiondialog.moc"
