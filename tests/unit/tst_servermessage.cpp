// ServerMessage: the envelopes of PROTOCOL.md, field for field.

#include "protocol/servermessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

class TestServerMessage : public QObject
{
    Q_OBJECT

private slots:
    void billUpdate()
    {
        const QJsonObject data{{u"type"_s, u"status_change"_s}};
        const QJsonObject m = ServerMessage::billUpdate(7, 3, u"m-1"_s, 1234, data);
        QCOMPARE(m.value("type"_L1).toString(), u"bill_update"_s);
        QCOMPARE(m.value("bill_id"_L1).toInteger(), 7);
        QCOMPARE(m.value("offset"_L1).toInteger(), 3);
        QCOMPARE(m.value("message_id"_L1).toString(), u"m-1"_s);
        QCOMPARE(m.value("ts"_L1).toInteger(), 1234);
        QCOMPARE(m.value("data"_L1).toObject(), data);
    }

    void idIsEchoedOnlyWhenGiven()
    {
        QVERIFY(!ServerMessage::pong(QJsonValue::Undefined).contains("id"_L1));
        QVERIFY(!ServerMessage::pong(QJsonValue::Null).contains("id"_L1));
        QCOMPARE(ServerMessage::pong(u"a"_s).value("id"_L1).toString(), u"a"_s);
        QCOMPARE(ServerMessage::unsubscribed(5, {1}).value("id"_L1).toInt(), 5);
    }

    void subscribedListsBillsAndOffsets()
    {
        const QJsonObject m = ServerMessage::subscribed(1, {4, 5}, {{4, 10}, {5, 0}});
        const QJsonObject data = m.value("data"_L1).toObject();
        QCOMPARE(data.value("bill_ids"_L1).toArray(), (QJsonArray{4, 5}));
        QCOMPARE(data.value("offsets"_L1).toObject().value("4"_L1).toInteger(), 10);
        QCOMPARE(data.value("offsets"_L1).toObject().value("5"_L1).toInteger(), 0);
    }

    void errorMergesExtraFieldsButKeepsItsOwn()
    {
        const QJsonObject m = ServerMessage::error(2, u"unrecoverable_position"_s, u"gone"_s,
                                                   {{u"bill_id"_s, 9}, {u"type"_s, u"spoof"_s}});
        QCOMPARE(m.value("type"_L1).toString(), u"error"_s);
        QCOMPARE(m.value("code"_L1).toString(), u"unrecoverable_position"_s);
        QCOMPARE(m.value("message"_L1).toString(), u"gone"_s);
        QCOMPARE(m.value("bill_id"_L1).toInt(), 9);
        QCOMPARE(m.value("id"_L1).toInt(), 2);
    }

    void connectedGreeting()
    {
        const QJsonObject anonymous = ServerMessage::connected(u"c1"_s, QString(), 30000);
        QVERIFY(anonymous.value("data"_L1).toObject().value("user_id"_L1).isNull());
        const QJsonObject user = ServerMessage::connected(u"c1"_s, u"u"_s, 30000);
        QCOMPARE(user.value("data"_L1).toObject().value("user_id"_L1).toString(), u"u"_s);
        QCOMPARE(user.value("data"_L1).toObject().value("heartbeat_interval"_L1).toInt(), 30000);
    }

    void encodeIsCompactUtf8()
    {
        const QString text =
            ServerMessage::encode(ServerMessage::broadcast(u"m"_s, 1, QJsonObject{{u"t"_s, u"ä €"_s}}));
        QVERIFY(!text.contains(u'\n'));
        QCOMPARE(QJsonDocument::fromJson(text.toUtf8()).object().value("data"_L1).toObject().value("t"_L1).toString(),
                 u"ä €"_s);
    }
};

QTEST_GUILESS_MAIN(TestServerMessage)
#include "tst_servermessage.moc"
