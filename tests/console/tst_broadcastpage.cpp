// The console's Broadcast page against the real service: what an operator composes there, driven with QTest,
// reaches real WebSocket clients, the service's answer and the history show it, and what the service would
// refuse cannot be sent.

#include "consolesession.h"
#include "servicefixture.h"
#include "ui/pages/broadcastpage.h"
#include "wsclient.h"

#include <QComboBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using namespace wsinfra;
using namespace wsinfra::test;

namespace {

constexpr char ControlToken[] = "broadcast-page-token";
constexpr qint64 BillId = 7;

QJsonObject parseObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

} // namespace

class TestBroadcastPage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void billUpdateReachesTheSubscriber();
    void userNotificationReachesTheUser();
    void broadcastReachesEveryone();
    void repeatedIdempotencyKeyIsADuplicate();
    void hostilePayload_data();
    void hostilePayload();
    void billId_data();
    void billId();
    void idempotencyKey_data();
    void idempotencyKey();
    void userId_data();
    void userId();
    void targetShowsItsFields();
    void templatesFillTheEditor();
    void historyRowLoadsBack();
    void sendDisabledWhileNotConnected();
    void droppedLinkShowsNoAnswer();

private:
    template <typename T> T *child(const char *name) const
    {
        T *widget = m_page->findChild<T *>(QString::fromLatin1(name));
        if (!widget)
            qFatal("no child %s", name);
        return widget;
    }
    QComboBox *target() const { return child<QComboBox>("target"); }
    QLineEdit *billIdField() const { return child<QLineEdit>("billId"); }
    QLineEdit *userIdField() const { return child<QLineEdit>("userId"); }
    QLineEdit *keyField() const { return child<QLineEdit>("idempotencyKey"); }
    QPlainTextEdit *payload() const { return child<QPlainTextEdit>("payload"); }
    QLabel *validation() const { return child<QLabel>("validation"); }
    QLabel *targetProblem() const { return child<QLabel>("targetProblem"); }
    QPushButton *sendButton() const { return child<QPushButton>("send"); }
    QLabel *answer() const { return child<QLabel>("answer"); }
    QTableWidget *history() const { return child<QTableWidget>("history"); }

    /// Types into a field as an operator would, after clearing it.
    static void typeInto(QWidget *field, const QString &text)
    {
        if (auto *line = qobject_cast<QLineEdit *>(field))
            line->clear();
        else if (auto *editor = qobject_cast<QPlainTextEdit *>(field))
            editor->clear();
        QTest::keyClicks(field, text);
    }
    void clickSend() { QTest::mouseClick(sendButton(), Qt::LeftButton); }
    bool waitLive();

    ServiceProcess m_service;
    WsClient m_amy;
    WsClient m_bob;
    std::unique_ptr<ConsoleSession> m_session;
    std::unique_ptr<BroadcastPage> m_page;
};

bool TestBroadcastPage::waitLive()
{
    return QTest::qWaitFor(
        [this] {
            return m_session->connectionState() == ControlClient::State::Live && m_session->state().hasSnapshot();
        },
        15'000);
}

void TestBroadcastPage::initTestCase()
{
    QProcessEnvironment environment;
    environment.insert(u"WSINFRA_CONTROL_TOKEN"_s, QString::fromLatin1(ControlToken));
    QVERIFY2(m_service.start({u"--control-port"_s, u"0"_s, u"--control-interval"_s, u"100ms"_s}, environment),
             qPrintable(m_service.errorString()));
    QVERIFY(m_service.controlPort() != 0);
    QVERIFY(m_amy.open(m_service.wsUrlFor(u"amy"_s)));
    QVERIFY(m_amy.subscribe(BillId));
    QVERIFY(m_bob.open(m_service.wsUrlFor(u"bob"_s)));

    ConsoleSession::Settings settings;
    settings.analysisIntervalMs = 0;
    settings.client.initialBackoffMs = 100;
    m_session = std::make_unique<ConsoleSession>(settings);
    m_session->connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken));
    QVERIFY(waitLive());
}

void TestBroadcastPage::init()
{
    m_page = std::make_unique<BroadcastPage>(m_session.get());
    m_page->resize(1100, 700);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
}

void TestBroadcastPage::cleanup()
{
    m_page.reset();
}

void TestBroadcastPage::cleanupTestCase()
{
    m_session.reset();
    m_amy.close();
    m_bob.close();
    QCOMPARE(m_service.terminate(), 0);
}

void TestBroadcastPage::billUpdateReachesTheSubscriber()
{
    QCOMPARE(target()->currentIndex(), int(BroadcastPage::BillUpdate));
    QVERIFY(!sendButton()->isEnabled()); // nothing composed yet
    typeInto(billIdField(), u"7"_s);
    const QString text =
        uR"({"status":"passed_second_reading","title":"Clean Energy Transition Act","changed_at":"2025-03-04T10:15:00Z"})"_s;
    typeInto(payload(), text);
    QVERIFY2(sendButton()->isEnabled(), qPrintable(validation()->text()));
    clickSend();

    const QJsonObject update = m_amy.waitFor(u"bill_update"_s);
    QVERIFY(!update.isEmpty());
    QCOMPARE(update.value("bill_id"_L1).toInteger(), BillId);
    const QJsonObject data = update.value("data"_L1).toObject();
    QCOMPARE(data.value("status"_L1).toString(), u"passed_second_reading"_s);
    QCOMPARE(data.value("title"_L1).toString(), u"Clean Energy Transition Act"_s);
    QCOMPARE(data.value("changed_at"_L1).toString(), u"2025-03-04T10:15:00Z"_s);
    QCOMPARE(data, parseObject(text));
    const QString messageId = update.value("message_id"_L1).toString();
    QVERIFY(!messageId.isEmpty());
    const qint64 offset = update.value("offset"_L1).toInteger();
    QVERIFY(offset >= 1);

    QTRY_VERIFY2(answer()->text().contains(messageId), qPrintable(answer()->text()));
    QVERIFY2(answer()->text().contains(u"1 live connection"_s), qPrintable(answer()->text()));
    QVERIFY(answer()->text().contains(u"<td>%1</td>"_s.arg(offset)));
    QVERIFY(answer()->text().contains(u"Published"_s));

    QCOMPARE(history()->rowCount(), 1);
    QCOMPARE(history()->item(0, BroadcastPage::TargetColumn)->text(), u"Bill update"_s);
    QCOMPARE(history()->item(0, BroadcastPage::IdColumn)->text(), u"7"_s);
    const QString result = history()->item(0, BroadcastPage::ResultColumn)->text();
    QVERIFY2(result.contains(messageId) && result.contains(u"offset %1"_s.arg(offset)), qPrintable(result));
    QVERIFY(sendButton()->isEnabled()); // answered: the next one may go
}

void TestBroadcastPage::userNotificationReachesTheUser()
{
    target()->setCurrentIndex(BroadcastPage::UserNotification);
    typeInto(userIdField(), u"bob"_s);
    typeInto(payload(), uR"({"title":"A bill you follow has moved","body":"It passed its second reading."})"_s);
    QVERIFY2(sendButton()->isEnabled(), qPrintable(validation()->text()));
    const qsizetype amyNotifications = m_amy.receivedOfType(u"notification"_s).size();
    clickSend();

    const QJsonObject notification = m_bob.waitFor(u"notification"_s);
    QVERIFY(!notification.isEmpty());
    QCOMPARE(notification.value("data"_L1).toObject().value("title"_L1).toString(), u"A bill you follow has moved"_s);
    QCOMPARE(notification.value("data"_L1).toObject().value("body"_L1).toString(), u"It passed its second reading."_s);
    const QString messageId = notification.value("message_id"_L1).toString();
    QTRY_VERIFY2(answer()->text().contains(messageId), qPrintable(answer()->text()));
    QVERIFY(answer()->text().contains(u"1 live connection"_s));
    QVERIFY(answer()->text().contains(u"Stored in the user's inbox"_s)); // the inbox is on by default
    QCOMPARE(history()->item(0, BroadcastPage::IdColumn)->text(), u"bob"_s);
    QVERIFY(history()->item(0, BroadcastPage::ResultColumn)->text().contains(u"stored"_s));
    QCOMPARE(m_amy.receivedOfType(u"notification"_s).size(), amyNotifications); // only bob's
}

void TestBroadcastPage::broadcastReachesEveryone()
{
    target()->setCurrentIndex(BroadcastPage::BroadcastToAll);
    typeInto(payload(), uR"({"message":"Scheduled maintenance at 22:00 UTC"})"_s);
    QVERIFY2(sendButton()->isEnabled(), qPrintable(validation()->text()));
    clickSend();

    for (WsClient *client : {&m_amy, &m_bob}) {
        const QJsonObject broadcast = client->waitFor(u"broadcast"_s);
        QCOMPARE(broadcast.value("data"_L1).toObject().value("message"_L1).toString(),
                 u"Scheduled maintenance at 22:00 UTC"_s);
    }
    QTRY_VERIFY2(answer()->text().contains(u"2 live connection"_s), qPrintable(answer()->text()));
    QCOMPARE(history()->item(0, BroadcastPage::TargetColumn)->text(), u"Broadcast to everyone"_s);
}

void TestBroadcastPage::repeatedIdempotencyKeyIsADuplicate()
{
    typeInto(billIdField(), u"7"_s);
    typeInto(keyField(), u"bill-7-second-reading"_s);
    typeInto(payload(), uR"({"status":"passed_second_reading"})"_s);
    clickSend();
    const QJsonObject first = m_amy.waitFor(u"bill_update"_s);
    const QString messageId = first.value("message_id"_L1).toString();
    QVERIFY(!messageId.isEmpty());
    QTRY_VERIFY(answer()->text().contains(messageId));
    const qsizetype updates = m_amy.receivedOfType(u"bill_update"_s).size();

    QTRY_VERIFY(sendButton()->isEnabled());
    clickSend();
    QTRY_COMPARE(history()->rowCount(), 2);
    QTRY_VERIFY2(answer()->text().contains(u"Duplicate"_s), qPrintable(answer()->text()));
    QVERIFY(answer()->text().contains(messageId)); // the first message's id
    QVERIFY(answer()->text().contains(u"0 live connection"_s));
    QVERIFY(history()->item(0, BroadcastPage::ResultColumn)->text().contains(u"duplicate"_s));
    QVERIFY(!history()->item(1, BroadcastPage::ResultColumn)->text().contains(u"duplicate"_s));
    // A publish after it still comes through, and the repeat did not.
    m_service.publishBill(BillId, QJsonObject{{u"marker"_s, true}});
    const QJsonObject next = m_amy.waitFor(u"bill_update"_s);
    QVERIFY(next.value("data"_L1).toObject().value("marker"_L1).toBool());
    QCOMPARE(m_amy.receivedOfType(u"bill_update"_s).size(), updates + 1);
}

void TestBroadcastPage::hostilePayload_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("shown"); // in the validation label

    QTest::newRow("empty") << QString() << false << u"Type a JSON object"_s;
    QTest::newRow("blanks") << u"   \n  "_s << false << u"Type a JSON object"_s;
    QTest::newRow("open brace") << u"{"_s << false << u"line 1"_s;
    QTest::newRow("missing value") << uR"({"a":})"_s << false << u"line 1, column 7 (offset 6)"_s;
    QTest::newRow("trailing comma") << uR"({"a":1,})"_s << false << u"Not valid JSON"_s;
    QTest::newRow("single quotes") << u"{'a':1}"_s << false << u"Not valid JSON"_s;
    QTest::newRow("garbage after") << u"{} x"_s << false << u"Not valid JSON"_s;
    QTest::newRow("two objects") << u"{}{}"_s << false << u"Not valid JSON"_s;
    QTest::newRow("error on line 3") << u"{\n\"a\": 1,\n\"b\": }"_s << false << u"line 3"_s;
    QTest::newRow("unterminated string") << uR"({"a":"abc)"_s << false << u"Not valid JSON"_s;
    QTest::newRow("array") << u"[1]"_s << false << u"must be a JSON object"_s;
    QTest::newRow("empty array") << u" [ ] "_s << false << u"must be a JSON object"_s;
    QTest::newRow("number") << u"1"_s << false << u"must be a JSON object"_s;
    QTest::newRow("string") << uR"("text")"_s << false << u"must be a JSON object"_s;
    QTest::newRow("null") << u"null"_s << false << u"must be a JSON object"_s;
    QTest::newRow("true") << u"true"_s << false << u"must be a JSON object"_s;
    QTest::newRow("embedded NUL") << QString::fromUtf8("{\"a\":1}\0", 8) << false << u"Not valid JSON"_s;
    QTest::newRow("control character in string") << u"{\"a\":\"x\u0001y\"}"_s << false << u"column 8"_s;
    QTest::newRow("escaped control character") << uR"({"a":"x\u0001y"})"_s << true << u"1 field"_s;
    QTest::newRow("tabs and newlines between") << u"{\t\"a\" :\n 1}"_s << true << u"1 field"_s;
    QTest::newRow("overflowing number") << uR"({"a":1e999})"_s << false << u"Not valid JSON"_s;
    QTest::newRow("deep nesting") << (u"{\"a\":"_s + QString(2000, u'[') + QString(2000, u']') + u'}') << false
                                  << u"Not valid JSON"_s;
    QTest::newRow("empty object") << u"{}"_s << true << u"0 field"_s;
    QTest::newRow("nested") << uR"({"amendment":{"number":12,"sponsors":["a","b"]}})"_s << true << u"1 field"_s;
    QTest::newRow("unicode") << u"{\"title\":\"Loi n\u00b0 2025-12 \u2014 \u00e9nergie \U0001F3DB\"}"_s << true
                             << u"1 field"_s;
    QTest::newRow("large") << (u"{\"text\":\""_s + QString(200'000, u'x') + u"\"}"_s) << true << u"195.3 KB"_s;
}

void TestBroadcastPage::hostilePayload()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, shown);

    target()->setCurrentIndex(BroadcastPage::BroadcastToAll);
    // Typed as an operator would where that is quick; pasted where it is long.
    const bool typeable = text.size() <= 200 && std::all_of(text.cbegin(), text.cend(), [](QChar c) {
                              return c.unicode() >= 0x20 && c.unicode() < 0x7f;
                          });
    if (typeable)
        typeInto(payload(), text);
    else
        payload()->setPlainText(text);
    QCOMPARE(payload()->toPlainText(), text);
    QVERIFY2(validation()->text().contains(shown), qPrintable(validation()->text()));
    QCOMPARE(sendButton()->isEnabled(), valid);
    QCOMPARE(child<QPushButton>("format")->isEnabled(), valid);
    if (!valid) {
        // A click on the disabled button sends nothing.
        clickSend();
        QCOMPARE(history()->rowCount(), 0);
    }
}

void TestBroadcastPage::billId_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("kept"); // what the field holds after typing
    QTest::addColumn<bool>("accepted");

    QTest::newRow("7") << u"7"_s << u"7"_s << true;
    QTest::newRow("largest") << u"9007199254740991"_s << u"9007199254740991"_s << true;
    QTest::newRow("zero") << u"0"_s << u"0"_s << false;
    QTest::newRow("zeros") << u"000"_s << u"000"_s << false;
    QTest::newRow("2^53") << u"9007199254740992"_s << u"9007199254740992"_s << false;
    QTest::newRow("17 digits") << u"99999999999999999"_s << u"9999999999999999"_s << false;
    QTest::newRow("letters") << u"abc"_s << QString() << false;
    QTest::newRow("letters among digits") << u"1a2"_s << u"12"_s << true;
    QTest::newRow("negative") << u"-5"_s << u"5"_s << true;
    QTest::newRow("blank") << u" "_s << QString() << false;
    QTest::newRow("decimal") << u"7.5"_s << u"75"_s << true;
    QTest::newRow("exponent") << u"1e3"_s << u"13"_s << true;
}

void TestBroadcastPage::billId()
{
    QFETCH(QString, typed);
    QFETCH(QString, kept);
    QFETCH(bool, accepted);

    typeInto(payload(), u"{}"_s);
    typeInto(billIdField(), typed);
    QCOMPARE(billIdField()->text(), kept);
    QCOMPARE(sendButton()->isEnabled(), accepted);
    // A number out of range is said; an empty field only makes Send wait.
    QCOMPARE(targetProblem()->isVisible(), !accepted && !kept.isEmpty());
    if (!accepted && !kept.isEmpty())
        QVERIFY2(targetProblem()->text().contains(u"bill_id"_s), qPrintable(targetProblem()->text()));
}

void TestBroadcastPage::idempotencyKey_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("none") << QString() << true;
    QTest::newRow("one character") << u"k"_s << true;
    QTest::newRow("255 characters") << QString(255, u'k') << true;
    QTest::newRow("256 characters") << QString(256, u'k') << false;
    QTest::newRow("spaces and punctuation") << u"bill 7: reading #2 (retry)"_s << true;
    QTest::newRow("accented") << u"cl\u00e9"_s << false;
    QTest::newRow("tab") << u"a\tb"_s << false;
    QTest::newRow("NUL") << QString(QChar(0)) << false;
    QTest::newRow("DEL") << QString(QChar(0x7f)) << false;
    QTest::newRow("emoji") << u"\U0001F3DB"_s << false;
}

void TestBroadcastPage::idempotencyKey()
{
    QFETCH(QString, key);
    QFETCH(bool, accepted);

    typeInto(billIdField(), u"7"_s);
    typeInto(payload(), u"{}"_s);
    keyField()->setText(key);
    QCOMPARE(sendButton()->isEnabled(), accepted);
    QCOMPARE(targetProblem()->isVisible(), !accepted);
    if (!accepted)
        QVERIFY2(targetProblem()->text().contains(u"idempotency_key"_s), qPrintable(targetProblem()->text()));
}

void TestBroadcastPage::userId_data()
{
    QTest::addColumn<QString>("userId");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("amy") << u"amy"_s << true;
    QTest::newRow("email") << u"amy@example.org"_s << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("blanks") << u"   "_s << false;
    QTest::newRow("256 characters") << QString(256, u'u') << true;
    QTest::newRow("257 characters") << QString(257, u'u') << false;
    QTest::newRow("control character") << u"a\u0001b"_s << false;
    QTest::newRow("newline") << u"a\nb"_s << false;
    QTest::newRow("unicode") << u"\u00e9lodie"_s << true;
}

void TestBroadcastPage::userId()
{
    QFETCH(QString, userId);
    QFETCH(bool, accepted);

    target()->setCurrentIndex(BroadcastPage::UserNotification);
    typeInto(payload(), u"{}"_s);
    userIdField()->setText(userId);
    QCOMPARE(sendButton()->isEnabled(), accepted);
}

void TestBroadcastPage::targetShowsItsFields()
{
    QVERIFY(billIdField()->isVisible());
    QVERIFY(keyField()->isVisible());
    QVERIFY(!userIdField()->isVisible());
    target()->setCurrentIndex(BroadcastPage::UserNotification);
    QVERIFY(!billIdField()->isVisible());
    QVERIFY(!keyField()->isVisible());
    QVERIFY(userIdField()->isVisible());
    target()->setCurrentIndex(BroadcastPage::BroadcastToAll);
    QVERIFY(!billIdField()->isVisible());
    QVERIFY(!userIdField()->isVisible());
    // A broadcast needs no id: a valid payload is enough.
    typeInto(payload(), u"{}"_s);
    QVERIFY(sendButton()->isEnabled());
}

void TestBroadcastPage::templatesFillTheEditor()
{
    auto *templates = child<QComboBox>("templates");
    const QList<std::pair<BroadcastPage::Target, QStringList>> expected = {
        {BroadcastPage::BillUpdate, {u"status"_s, u"title"_s, u"changed_at"_s}},
        {BroadcastPage::UserNotification, {u"title"_s, u"body"_s}},
        {BroadcastPage::BroadcastToAll, {u"message"_s}},
    };
    for (const auto &[sendTo, fields] : expected) {
        target()->setCurrentIndex(sendTo);
        QVERIFY(templates->count() >= 2); // the prompt and at least one template
        for (int index = 1; index < templates->count(); ++index) {
            payload()->clear();
            templates->setCurrentIndex(index);
            const QJsonObject filled = parseObject(payload()->toPlainText());
            for (const QString &field : fields)
                QVERIFY2(filled.contains(field), qPrintable(templates->itemText(index) + u": "_s + field));
            QVERIFY2(validation()->text().startsWith(u"Valid"_s), qPrintable(validation()->text()));
        }
    }
    // Format pretty-prints what was typed compactly, keeping its content.
    const QString compact = uR"({"b":[1,2],"a":{"c":true}})"_s;
    typeInto(payload(), compact);
    QTest::mouseClick(child<QPushButton>("format"), Qt::LeftButton);
    QVERIFY(payload()->toPlainText().contains(u"\n    \"a\": {\n"_s));
    QCOMPARE(parseObject(payload()->toPlainText()), parseObject(compact));
}

void TestBroadcastPage::historyRowLoadsBack()
{
    target()->setCurrentIndex(BroadcastPage::UserNotification);
    typeInto(userIdField(), u"bob"_s);
    const QString text = uR"({"title":"Vote tomorrow","body":"At 14:00."})"_s;
    typeInto(payload(), text);
    clickSend();
    QVERIFY(!m_bob.waitFor(u"notification"_s).isEmpty());
    QTRY_VERIFY(history()->item(0, BroadcastPage::ResultColumn)->text().contains(u"stored"_s));

    target()->setCurrentIndex(BroadcastPage::BillUpdate);
    payload()->clear();
    const QRect cell = history()->visualItemRect(history()->item(0, BroadcastPage::TargetColumn));
    // Qt 6.4's item views take a double click only on the index a press went to first.
    QTest::mouseClick(history()->viewport(), Qt::LeftButton, {}, cell.center());
    QTest::mouseDClick(history()->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(target()->currentIndex(), int(BroadcastPage::UserNotification));
    QCOMPARE(userIdField()->text(), u"bob"_s);
    QCOMPARE(parseObject(payload()->toPlainText()), parseObject(text));
    QVERIFY(sendButton()->isEnabled());
}

void TestBroadcastPage::sendDisabledWhileNotConnected()
{
    typeInto(billIdField(), u"7"_s);
    typeInto(payload(), u"{}"_s);
    QVERIFY(sendButton()->isEnabled());
    m_session->disconnectFromService();
    QTRY_VERIFY(!sendButton()->isEnabled());
    QVERIFY(child<QLabel>("sendHint")->text().contains(u"Not connected"_s));

    m_session->connectToService(u"127.0.0.1"_s, m_service.controlPort(), QString::fromLatin1(ControlToken));
    QVERIFY(waitLive());
    QTRY_VERIFY(sendButton()->isEnabled());
}

void TestBroadcastPage::droppedLinkShowsNoAnswer()
{
    // The service's control port takes frames up to 1 MiB and closes the link on a bigger one: the command
    // is never answered, and the page says so instead of waiting for ever.
    target()->setCurrentIndex(BroadcastPage::BroadcastToAll);
    payload()->setPlainText(u"{\"text\":\""_s + QString(1100 * 1024, u'x') + u"\"}"_s);
    QVERIFY(sendButton()->isEnabled());
    clickSend();
    QTRY_VERIFY_WITH_TIMEOUT(answer()->text().contains(u"No answer"_s), 10'000);
    QVERIFY(answer()->text().contains(u"#b3261e"_s)); // in red
    QVERIFY(history()->item(0, BroadcastPage::ResultColumn)->text().contains(u"no answer"_s));
    QVERIFY(m_bob.receivedOfType(u"broadcast"_s).size() <= 1); // at most the earlier test's
    // The session comes back by itself, and the page with it.
    QVERIFY(waitLive());
    QTRY_VERIFY(sendButton()->isEnabled());
}

QTEST_MAIN(TestBroadcastPage)
#include "tst_broadcastpage.moc"
