#include "protocol/clientmessage.h"

#include "protocol/codes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

QByteArray withData(const QByteArray &type, const QByteArray &data)
{
    return "{\"type\":\"" + type + "\",\"data\":" + data + "}";
}

QByteArray subscribe(const QByteArray &data)
{
    return withData("subscribe", data);
}

QByteArray ack(const QByteArray &data)
{
    return withData("ack", data);
}

QJsonObject objectOf(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("test input is not a JSON object: %s", json.constData());
    return document.object();
}

// "since" as sorted "bill:offset" pairs, so rows can state it compactly.
QString describeSince(const QHash<qint64, qint64> &since)
{
    QList<qint64> keys = since.keys();
    std::sort(keys.begin(), keys.end());
    QStringList parts;
    for (const qint64 key : std::as_const(keys))
        parts.append(QString::number(key) + u':' + QString::number(since.value(key)));
    return parts.join(u',');
}

QByteArray idArray(int count)
{
    QByteArray array = "[";
    for (int i = 1; i <= count; ++i)
        array += (i > 1 ? "," : "") + QByteArray::number(i);
    return array + "]";
}

} // namespace

class TestClientMessage : public QObject
{
    Q_OBJECT

private slots:
    void parseJsonObject_data();
    void parseJsonObject();
    void validMessage_data();
    void validMessage();
    void invalidMessage_data();
    void invalidMessage();
    void ackOfSeveralIds_data();
    void ackOfSeveralIds();
    void requestId_data();
    void requestId();
    void requestIdNotFinite();
    void requestIdSurvivesBadMessage();
    void customLimits();
    void randomText();
    void randomMessages();
};

void TestClientMessage::parseJsonObject_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("ok");

    QTest::newRow("empty object") << "{}"_ba << true;
    QTest::newRow("ping") << "{\"type\":\"ping\"}"_ba << true;
    QTest::newRow("whitespace") << " \t\r\n{ \"type\" : \"ping\" }\n"_ba << true;
    QTest::newRow("unicode") << "{\"type\":\"ping\",\"x\":\"\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80\"}"_ba << true;
    QTest::newRow("escaped NUL") << "{\"x\":\"a\\u0000b\"}"_ba << true;
    QTest::newRow("moderate nesting") << "{\"a\":" + QByteArray(50, '[') + QByteArray(50, ']') + "}" << true;

    QTest::newRow("empty text") << QByteArray() << false;
    QTest::newRow("blank") << "   "_ba << false;
    QTest::newRow("null") << "null"_ba << false;
    QTest::newRow("true") << "true"_ba << false;
    QTest::newRow("number") << "123"_ba << false;
    QTest::newRow("string") << "\"ping\""_ba << false;
    QTest::newRow("empty array") << "[]"_ba << false;
    QTest::newRow("array of object") << "[{\"type\":\"ping\"}]"_ba << false;
    QTest::newRow("truncated") << "{\"type\":\"ping\""_ba << false;
    QTest::newRow("open brace") << "{"_ba << false;
    QTest::newRow("missing value") << "{\"type\":}"_ba << false;
    QTest::newRow("two objects") << "{} {}"_ba << false;
    QTest::newRow("trailing garbage") << "{}x"_ba << false;
    QTest::newRow("single quotes") << "{'type':'ping'}"_ba << false;
    QTest::newRow("unquoted key") << "{type:\"ping\"}"_ba << false;
    QTest::newRow("comment") << "{/* hi */}"_ba << false;
    QTest::newRow("trailing comma") << "{\"a\":1,}"_ba << false;
    QTest::newRow("NaN literal") << "{\"a\":NaN}"_ba << false;
    QTest::newRow("Infinity literal") << "{\"a\":Infinity}"_ba << false;
    QTest::newRow("number out of range") << "{\"a\":1e400}"_ba << false;
    QTest::newRow("invalid UTF-8") << "{\"a\":\"\xff\"}"_ba << false;
    QTest::newRow("overlong UTF-8") << "{\"a\":\"\xc0\xaf\"}"_ba << false;
    QTest::newRow("truncated UTF-8") << "{\"a\":\"\xe2\x9c\"}"_ba << false;
    QTest::newRow("raw NUL in string") << "{\"a\":\"x\0y\"}"_ba << false;
    QTest::newRow("raw NUL after object") << "{}\0"_ba << false;
    QTest::newRow("raw control char in string") << "{\"a\":\"x\x01y\"}"_ba << false;
    QTest::newRow("raw newline in string") << "{\"a\":\"x\ny\"}"_ba << false;
    QTest::newRow("raw tab in string") << "{\"a\":\"x\ty\"}"_ba << false;
    QTest::newRow("raw control char between tokens") << "{\x01}"_ba << false;
    QTest::newRow("escaped quote and backslash") << "{\"a\":\"x\\\"\\\\\",\"b\":\"\\n\"}"_ba << true;
    // RFC 8259 8.1 lets a parser ignore a byte order mark; QJson does.
    QTest::newRow("BOM") << "\xef\xbb\xbf{}"_ba << true;
    QTest::newRow("UTF-16") << QByteArray("{\0}\0", 4) << false;
    QTest::newRow("array depth bomb") << QByteArray(100000, '[') << false;
    QTest::newRow("object depth bomb") << QByteArray("{\"a\":").repeated(100000) << false;
    QTest::newRow("closed depth bomb") << "{\"a\":" + QByteArray(5000, '[') + QByteArray(5000, ']') + "}" << false;
    QTest::newRow("over 1 MiB") << "{\"a\":\"" + QByteArray(1024 * 1024, 'x') + "\"}" << false;
}

void TestClientMessage::parseJsonObject()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, ok);

    const Result<QJsonObject> result = wsinfra::parseJsonObject(text);
    QCOMPARE(result.ok(), ok);
    if (!ok) {
        QCOMPARE(result.error().code, QString(ErrorCode::BadRequest));
        QVERIFY(!result.error().message.isEmpty());
    }
}

void TestClientMessage::validMessage_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("type");
    QTest::addColumn<QJsonValue>("id");
    QTest::addColumn<QList<qint64>>("billIds");
    QTest::addColumn<QString>("since");
    QTest::addColumn<QString>("messageId");

    const int subscribeType = int(ClientMessageType::Subscribe);
    const int unsubscribeType = int(ClientMessageType::Unsubscribe);
    const int pingType = int(ClientMessageType::Ping);
    const int ackType = int(ClientMessageType::Ack);
    const QJsonValue none(QJsonValue::Undefined);
    const QList<qint64> noIds;

    QTest::newRow("ping") << "{\"type\":\"ping\"}"_ba << pingType << none << noIds << QString() << QString();
    QTest::newRow("ping with string id") << "{\"type\":\"ping\",\"id\":\"req-1\"}"_ba << pingType
                                         << QJsonValue(u"req-1"_s) << noIds << QString() << QString();
    QTest::newRow("ping with number id") << "{\"id\":7,\"type\":\"ping\"}"_ba << pingType << QJsonValue(7) << noIds
                                         << QString() << QString();
    QTest::newRow("fractional id") << "{\"type\":\"ping\",\"id\":1.5}"_ba << pingType << QJsonValue(1.5) << noIds
                                   << QString() << QString();
    QTest::newRow("negative id") << "{\"type\":\"ping\",\"id\":-3}"_ba << pingType << QJsonValue(-3) << noIds
                                 << QString() << QString();
    QTest::newRow("empty string id") << "{\"type\":\"ping\",\"id\":\"\"}"_ba << pingType << QJsonValue(u""_s) << noIds
                                     << QString() << QString();
    QTest::newRow("256-char id") << "{\"type\":\"ping\",\"id\":\"" + QByteArray(256, 'i') + "\"}" << pingType
                                 << QJsonValue(QString(256, u'i')) << noIds << QString() << QString();
    QTest::newRow("ping ignores data") << "{\"type\":\"ping\",\"data\":[1,2]}"_ba << pingType << none << noIds
                                       << QString() << QString();
    QTest::newRow("unknown fields ignored") << "{\"type\":\"ping\",\"v\":2,\"extra\":{\"x\":null}}"_ba << pingType
                                            << none << noIds << QString() << QString();

    QTest::newRow("bill_id number") << subscribe("{\"bill_id\":123}") << subscribeType << none << QList<qint64>{123}
                                    << QString() << QString();
    QTest::newRow("bill_id string") << subscribe("{\"bill_id\":\"123\"}") << subscribeType << none << QList<qint64>{123}
                                    << QString() << QString();
    QTest::newRow("bill_id 1") << subscribe("{\"bill_id\":1}") << subscribeType << none << QList<qint64>{1} << QString()
                               << QString();
    QTest::newRow("bill_id 1.0") << subscribe("{\"bill_id\":1.0}") << subscribeType << none << QList<qint64>{1}
                                 << QString() << QString();
    QTest::newRow("bill_id 1e2") << subscribe("{\"bill_id\":1e2}") << subscribeType << none << QList<qint64>{100}
                                 << QString() << QString();
    QTest::newRow("bill_id 2^53-1") << subscribe("{\"bill_id\":9007199254740991}") << subscribeType << none
                                    << QList<qint64>{9007199254740991} << QString() << QString();
    QTest::newRow("bill_id 2^53-1 string") << subscribe("{\"bill_id\":\"9007199254740991\"}") << subscribeType << none
                                           << QList<qint64>{9007199254740991} << QString() << QString();
    QTest::newRow("bill_ids") << subscribe("{\"bill_ids\":[1,2,3]}") << subscribeType << none << QList<qint64>{1, 2, 3}
                              << QString() << QString();
    QTest::newRow("bill_ids mixed") << subscribe("{\"bill_ids\":[1,\"2\",3]}") << subscribeType << none
                                    << QList<qint64>{1, 2, 3} << QString() << QString();
    QTest::newRow("bill_ids order kept") << subscribe("{\"bill_ids\":[30,1,20]}") << subscribeType << none
                                         << QList<qint64>{30, 1, 20} << QString() << QString();
    QTest::newRow("bill_ids duplicates") << subscribe("{\"bill_ids\":[5,5,\"5\",6,5.0,6]}") << subscribeType << none
                                         << QList<qint64>{5, 6} << QString() << QString();
    QTest::newRow("1000 bill_ids") << subscribe("{\"bill_ids\":" + idArray(1000) + "}") << subscribeType << none << [] {
        QList<qint64> ids;
        for (int i = 1; i <= 1000; ++i)
            ids.append(i);
        return ids;
    }() << QString() << QString();
    QTest::newRow("since") << subscribe("{\"bill_ids\":[1,2],\"since\":{\"1\":5,\"2\":0}}") << subscribeType << none
                           << QList<qint64>{1, 2} << u"1:5,2:0"_s << QString();
    QTest::newRow("since subset") << subscribe("{\"bill_ids\":[1,2],\"since\":{\"2\":7}}") << subscribeType << none
                                  << QList<qint64>{1, 2} << u"2:7"_s << QString();
    QTest::newRow("since with bill_id") << subscribe("{\"bill_id\":\"42\",\"since\":{\"42\":9007199254740991}}")
                                        << subscribeType << none << QList<qint64>{42} << u"42:9007199254740991"_s
                                        << QString();
    QTest::newRow("since empty") << subscribe("{\"bill_id\":1,\"since\":{}}") << subscribeType << none
                                 << QList<qint64>{1} << QString() << QString();
    QTest::newRow("since offset 2.0") << subscribe("{\"bill_id\":1,\"since\":{\"1\":2.0}}") << subscribeType << none
                                      << QList<qint64>{1} << u"1:2"_s << QString();
    QTest::newRow("unknown data fields") << subscribe("{\"bill_id\":1,\"filter\":\"x\",\"z\":[null]}") << subscribeType
                                         << QJsonValue(QJsonValue::Undefined) << QList<qint64>{1} << QString()
                                         << QString();
    QTest::newRow("subscribe with id") << "{\"type\":\"subscribe\",\"id\":\"s1\",\"data\":{\"bill_id\":9}}"_ba
                                       << subscribeType << QJsonValue(u"s1"_s) << QList<qint64>{9} << QString()
                                       << QString();

    QTest::newRow("unsubscribe") << withData("unsubscribe", "{\"bill_id\":8}") << unsubscribeType << none
                                 << QList<qint64>{8} << QString() << QString();
    QTest::newRow("unsubscribe many") << withData("unsubscribe", "{\"bill_ids\":[\"8\",9,8]}") << unsubscribeType
                                      << none << QList<qint64>{8, 9} << QString() << QString();
    QTest::newRow("unsubscribe ignores since") << withData("unsubscribe", "{\"bill_id\":8,\"since\":{\"8\":1}}")
                                               << unsubscribeType << none << QList<qint64>{8} << QString() << QString();

    QTest::newRow("ack") << ack("{\"message_id\":\"m-1\"}") << ackType << none << noIds << QString() << u"m-1"_s;
    QTest::newRow("ack unicode") << ack("{\"message_id\":\"\xc3\xbcn\xc3\xaf\xe2\x9c\x93\"}") << ackType << none
                                 << noIds << QString() << u"\u00fcn\u00ef\u2713"_s;
    QTest::newRow("ack 128 chars") << ack("{\"message_id\":\"" + QByteArray(128, 'm') + "\"}") << ackType << none
                                   << noIds << QString() << QString(128, u'm');
    QTest::newRow("ack with id") << "{\"type\":\"ack\",\"id\":3,\"data\":{\"message_id\":\"x\",\"extra\":1}}"_ba
                                 << ackType << QJsonValue(3) << noIds << QString() << u"x"_s;
}

void TestClientMessage::validMessage()
{
    QFETCH(QByteArray, json);
    QFETCH(int, type);
    QFETCH(QJsonValue, id);
    QFETCH(QList<qint64>, billIds);
    QFETCH(QString, since);
    QFETCH(QString, messageId);

    // Through the whole pipeline, text to message.
    const Result<QJsonObject> object = wsinfra::parseJsonObject(json);
    QVERIFY(object.ok());
    const Result<ClientMessage> message = parseClientMessage(*object);
    QVERIFY2(message.ok(), qPrintable(message.error().message));
    QCOMPARE(int(message->type), type);
    QCOMPARE(message->id, id);
    QCOMPARE(message->billIds, billIds);
    QCOMPARE(describeSince(message->since), since);
    QCOMPARE(message->messageIds, messageId.isEmpty() ? QStringList() : QStringList{messageId});
}

void TestClientMessage::invalidMessage_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("errorPart"); // the error message names the field

    // Envelope.
    QTest::newRow("no type") << "{}"_ba << u"\"type\""_s;
    QTest::newRow("type null") << "{\"type\":null}"_ba << u"\"type\" must be a string"_s;
    QTest::newRow("type number") << "{\"type\":1}"_ba << u"\"type\" must be a string"_s;
    QTest::newRow("type bool") << "{\"type\":true}"_ba << u"\"type\" must be a string"_s;
    QTest::newRow("type array") << "{\"type\":[\"ping\"]}"_ba << u"\"type\" must be a string"_s;
    QTest::newRow("type object") << "{\"type\":{}}"_ba << u"\"type\" must be a string"_s;
    QTest::newRow("type empty") << "{\"type\":\"\"}"_ba << u"unknown message type \"\""_s;
    QTest::newRow("type upper case") << "{\"type\":\"Subscribe\"}"_ba << u"unknown message type \"Subscribe\""_s;
    QTest::newRow("type unknown") << "{\"type\":\"publish\"}"_ba << u"unknown message type \"publish\""_s;
    QTest::newRow("type server-side") << "{\"type\":\"pong\"}"_ba << u"unknown message type \"pong\""_s;
    QTest::newRow("type padded") << "{\"type\":\" ping\"}"_ba << u"unknown message type \" ping\""_s;
    QTest::newRow("type with NUL") << "{\"type\":\"ping\\u0000\"}"_ba << u"unknown message type"_s;
    QTest::newRow("id null") << "{\"type\":\"ping\",\"id\":null}"_ba << u"\"id\""_s;
    QTest::newRow("id bool") << "{\"type\":\"ping\",\"id\":false}"_ba << u"\"id\""_s;
    QTest::newRow("id array") << "{\"type\":\"ping\",\"id\":[1]}"_ba << u"\"id\""_s;
    QTest::newRow("id object") << "{\"type\":\"ping\",\"id\":{}}"_ba << u"\"id\""_s;
    QTest::newRow("id 257 chars") << "{\"type\":\"ping\",\"id\":\"" + QByteArray(257, 'i') + "\"}" << u"\"id\""_s;

    // subscribe / unsubscribe: data and bill ids.
    QTest::newRow("no data") << "{\"type\":\"subscribe\"}"_ba << u"\"data\""_s;
    QTest::newRow("data null") << subscribe("null") << u"\"data\""_s;
    QTest::newRow("data array") << subscribe("[123]") << u"\"data\""_s;
    QTest::newRow("data string") << subscribe("\"123\"") << u"\"data\""_s;
    QTest::newRow("data number") << subscribe("123") << u"\"data\""_s;
    QTest::newRow("no bill id") << subscribe("{}") << u"data.bill_id"_s;
    QTest::newRow("both forms") << subscribe("{\"bill_id\":1,\"bill_ids\":[2]}") << u"not both"_s;
    QTest::newRow("unsubscribe no data") << "{\"type\":\"unsubscribe\"}"_ba << u"\"data\""_s;
    QTest::newRow("unsubscribe empty") << withData("unsubscribe", "{\"bill_ids\":[]}") << u"data.bill_ids"_s;

    const QList<QPair<const char *, QByteArray>> badIds = {
        {"0", "0"},
        {"-1", "-1"},
        {"-0", "-0"},
        {"1.5", "1.5"},
        {"0.999", "0.999"},
        {"2^53", "9007199254740992"},
        {"2^53+1", "9007199254740993"},
        {"1e300", "1e300"},
        {"int64 max", "9223372036854775807"},
        {"int64 max+1", "9223372036854775808"},
        {"20 digits", "99999999999999999999"},
        {"true", "true"},
        {"false", "false"},
        {"null", "null"},
        {"array", "[1]"},
        {"object", "{\"id\":1}"},
        {"string 0", "\"0\""},
        {"string -1", "\"-1\""},
        {"string +1", "\"+1\""},
        {"string 12a", "\"12a\""},
        {"string 1.5", "\"1.5\""},
        {"string 1.0", "\"1.0\""},
        {"string empty", "\"\""},
        {"string leading space", "\" 1\""},
        {"string trailing space", "\"1 \""},
        {"string hex", "\"0x10\""},
        {"string exponent", "\"1e3\""},
        {"string leading zero", "\"007\""},
        {"string NaN", "\"NaN\""},
        {"string Infinity", "\"Infinity\""},
        {"string 2^53", "\"9007199254740992\""},
        {"string huge", "\"123456789012345678901234567890\""},
        {"string arabic digit", "\"\xd9\xa3\""},
        {"string fullwidth digit", "\"\xef\xbc\x91\""},
        {"string with NUL", "\"1\\u00002\""},
    };
    for (const auto &[name, value] : badIds) {
        QTest::addRow("bill_id %s", name) << subscribe("{\"bill_id\":" + value + "}") << u"\"data.bill_id\""_s;
        QTest::addRow("bill_ids %s", name)
            << subscribe("{\"bill_ids\":[7," + value + "]}") << u"\"data.bill_ids[1]\""_s;
    }
    QTest::newRow("unsubscribe bad id") << withData("unsubscribe", "{\"bill_id\":\"12a\"}") << u"data.bill_id"_s;
    QTest::newRow("bill_ids number") << subscribe("{\"bill_ids\":5}") << u"\"data.bill_ids\" must be an array"_s;
    QTest::newRow("bill_ids string") << subscribe("{\"bill_ids\":\"1,2\"}") << u"\"data.bill_ids\" must be an array"_s;
    QTest::newRow("bill_ids object") << subscribe("{\"bill_ids\":{\"1\":1}}")
                                     << u"\"data.bill_ids\" must be an array"_s;
    QTest::newRow("bill_ids null") << subscribe("{\"bill_ids\":null}") << u"\"data.bill_ids\" must be an array"_s;
    QTest::newRow("bill_ids empty") << subscribe("{\"bill_ids\":[]}") << u"\"data.bill_ids\" must not be empty"_s;
    QTest::newRow("bill_ids nested") << subscribe("{\"bill_ids\":[[1]]}") << u"\"data.bill_ids[0]\""_s;
    QTest::newRow("1001 bill_ids") << subscribe("{\"bill_ids\":" + idArray(1001) + "}") << u"more than 1000"_s;
    QTest::newRow("1001 duplicate bill_ids")
        << subscribe("{\"bill_ids\":[" + QByteArray("1,").repeated(1000) + "1]}") << u"more than 1000"_s;

    // since.
    QTest::newRow("since array") << subscribe("{\"bill_id\":1,\"since\":[5]}") << u"\"data.since\""_s;
    QTest::newRow("since number") << subscribe("{\"bill_id\":1,\"since\":5}") << u"\"data.since\""_s;
    QTest::newRow("since null") << subscribe("{\"bill_id\":1,\"since\":null}") << u"\"data.since\""_s;
    QTest::newRow("since string") << subscribe("{\"bill_id\":1,\"since\":\"1:5\"}") << u"\"data.since\""_s;
    QTest::newRow("since key text") << subscribe("{\"bill_id\":1,\"since\":{\"abc\":1}}") << u"data.since.abc"_s;
    QTest::newRow("since key 0") << subscribe("{\"bill_id\":1,\"since\":{\"0\":1}}") << u"data.since.0"_s;
    QTest::newRow("since key -1") << subscribe("{\"bill_id\":1,\"since\":{\"-1\":1}}") << u"data.since.-1"_s;
    QTest::newRow("since key 1.0") << subscribe("{\"bill_id\":1,\"since\":{\"1.0\":1}}") << u"data.since.1.0"_s;
    QTest::newRow("since key 01") << subscribe("{\"bill_id\":1,\"since\":{\"01\":1}}") << u"data.since.01"_s;
    QTest::newRow("since key empty") << subscribe("{\"bill_id\":1,\"since\":{\"\":1}}") << u"data.since."_s;
    QTest::newRow("since unsubscribed bill")
        << subscribe("{\"bill_ids\":[1,2],\"since\":{\"3\":0}}") << u"not being subscribed"_s;
    QTest::newRow("since one of several unsubscribed")
        << subscribe("{\"bill_ids\":[1,2],\"since\":{\"1\":0,\"2\":4,\"5\":0}}") << u"data.since.5"_s;
    const QList<QPair<const char *, QByteArray>> badOffsets = {
        {"-1", "-1"},
        {"1.5", "1.5"},
        {"string", "\"5\""},
        {"null", "null"},
        {"true", "true"},
        {"array", "[5]"},
        {"object", "{}"},
        {"1e300", "1e300"},
        {"2^53", "9007199254740992"},
        {"-1e-9", "-0.000000001"},
    };
    for (const auto &[name, value] : badOffsets) {
        QTest::addRow("since offset %s", name) << subscribe("{\"bill_id\":1,\"since\":{\"1\":" + value + "}}")
                                               << u"\"data.since.1\" must be a non-negative integer"_s;
    }

    // ack.
    QTest::newRow("ack no data") << "{\"type\":\"ack\"}"_ba << u"\"data\""_s;
    QTest::newRow("ack data string") << ack("\"m-1\"") << u"\"data\""_s;
    QTest::newRow("ack no message_id") << ack("{}") << u"data.message_id"_s;
    QTest::newRow("ack message_id number") << ack("{\"message_id\":5}") << u"data.message_id"_s;
    QTest::newRow("ack message_id null") << ack("{\"message_id\":null}") << u"data.message_id"_s;
    QTest::newRow("ack message_id array") << ack("{\"message_id\":[\"m\"]}") << u"data.message_id"_s;
    QTest::newRow("ack message_id empty") << ack("{\"message_id\":\"\"}") << u"data.message_id"_s;
    QTest::newRow("ack message_id 129 chars")
        << ack("{\"message_id\":\"" + QByteArray(129, 'm') + "\"}") << u"data.message_id"_s;
    QTest::newRow("ack message_id with NUL") << ack("{\"message_id\":\"m\\u00001\"}") << u"data.message_id"_s;
    QTest::newRow("ack message_id with newline") << ack("{\"message_id\":\"m\\n1\"}") << u"data.message_id"_s;
    QTest::newRow("ack bill_id instead") << ack("{\"bill_id\":1}") << u"data.message_id"_s;
}

void TestClientMessage::invalidMessage()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, errorPart);

    const Result<ClientMessage> message = parseClientMessage(objectOf(json));
    QVERIFY(!message.ok());
    QCOMPARE(message.error().code, QString(ErrorCode::BadRequest));
    QVERIFY2(message.error().message.contains(errorPart), qPrintable(message.error().message));
    // Error messages go back to the client: they stay short whatever it sent.
    QVERIFY(message.error().message.size() < 200);
}

void TestClientMessage::ackOfSeveralIds_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QStringList>("messageIds"); // empty: refused
    QTest::addColumn<QString>("errorPart");

    const QStringList refused;
    const auto ids = [](int count, const QByteArray &prefix) -> QByteArray {
        QByteArray array = "[";
        for (int i = 0; i < count; ++i)
            array += (i > 0 ? ",\"" : "\"") + prefix + QByteArray::number(i) + '"';
        return array + "]";
    };
    const auto names = [](int count, const QString &prefix) {
        QStringList list;
        for (int i = 0; i < count; ++i)
            list.append(prefix + QString::number(i));
        return list;
    };

    QTest::newRow("one") << "{\"message_ids\":[\"m-1\"]}"_ba << QStringList{u"m-1"_s} << QString();
    QTest::newRow("several in order") << "{\"message_ids\":[\"b\",\"a\",\"c\"]}"_ba
                                      << QStringList{u"b"_s, u"a"_s, u"c"_s} << QString();
    QTest::newRow("duplicates dropped") << "{\"message_ids\":[\"a\",\"b\",\"a\",\"b\"]}"_ba
                                        << QStringList{u"a"_s, u"b"_s} << QString();
    QTest::newRow("1000 ids") << "{\"message_ids\":" + ids(1000, "m") + "}" << names(1000, u"m"_s) << QString();
    QTest::newRow("unknown fields ignored")
        << "{\"message_ids\":[\"x\"],\"extra\":[1]}"_ba << QStringList{u"x"_s} << QString();

    QTest::newRow("1001 ids") << "{\"message_ids\":" + ids(1001, "m") + "}" << refused << u"more than 1000"_s;
    QTest::newRow("both fields") << "{\"message_id\":\"a\",\"message_ids\":[\"b\"]}"_ba << refused << u"not both"_s;
    QTest::newRow("empty array") << "{\"message_ids\":[]}"_ba << refused << u"must not be empty"_s;
    QTest::newRow("not an array") << "{\"message_ids\":\"a\"}"_ba << refused << u"must be an array"_s;
    QTest::newRow("object") << "{\"message_ids\":{\"0\":\"a\"}}"_ba << refused << u"must be an array"_s;
    QTest::newRow("null") << "{\"message_ids\":null}"_ba << refused << u"must be an array"_s;
    QTest::newRow("number entry") << "{\"message_ids\":[\"a\",5]}"_ba << refused << u"data.message_ids[1]"_s;
    QTest::newRow("null entry") << "{\"message_ids\":[null]}"_ba << refused << u"data.message_ids[0]"_s;
    QTest::newRow("nested array") << "{\"message_ids\":[[\"a\"]]}"_ba << refused << u"data.message_ids[0]"_s;
    QTest::newRow("empty entry") << "{\"message_ids\":[\"a\",\"\"]}"_ba << refused << u"data.message_ids[1]"_s;
    QTest::newRow("129-char entry") << "{\"message_ids\":[\"" + QByteArray(129, 'm') + "\"]}" << refused
                                    << u"data.message_ids[0]"_s;
    QTest::newRow("NUL in entry") << "{\"message_ids\":[\"a\\u0000b\"]}"_ba << refused << u"control character"_s;
    QTest::newRow("DEL in entry") << "{\"message_ids\":[\"a\\u007fb\"]}"_ba << refused << u"control character"_s;
    QTest::newRow("bad entry after 999 good")
        << "{\"message_ids\":" + ids(999, "m").chopped(1) + ",true]}" << refused << u"data.message_ids[999]"_s;
}

void TestClientMessage::ackOfSeveralIds()
{
    QFETCH(QByteArray, data);
    QFETCH(QStringList, messageIds);
    QFETCH(QString, errorPart);

    const Result<QJsonObject> object = wsinfra::parseJsonObject(ack(data));
    QVERIFY(object.ok());
    const Result<ClientMessage> message = parseClientMessage(*object);
    if (messageIds.isEmpty()) {
        QVERIFY(!message.ok());
        QCOMPARE(message.error().code, QString(ErrorCode::BadRequest));
        QVERIFY2(message.error().message.contains(errorPart), qPrintable(message.error().message));
        QVERIFY(message.error().message.size() < 200);
        return;
    }
    QVERIFY2(message.ok(), qPrintable(message.error().message));
    QCOMPARE(message->type, ClientMessageType::Ack);
    QCOMPARE(message->messageIds, messageIds);
    QVERIFY(message->billIds.isEmpty());
}

void TestClientMessage::requestId_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QJsonValue>("id");

    const QJsonValue none(QJsonValue::Undefined);
    QTest::newRow("missing") << "{}"_ba << none;
    QTest::newRow("string") << "{\"id\":\"abc\"}"_ba << QJsonValue(u"abc"_s);
    QTest::newRow("unicode string") << "{\"id\":\"\xe2\x9c\x93\"}"_ba << QJsonValue(u"\u2713"_s);
    QTest::newRow("256 chars") << "{\"id\":\"" + QByteArray(256, 'x') + "\"}" << QJsonValue(QString(256, u'x'));
    QTest::newRow("257 chars") << "{\"id\":\"" + QByteArray(257, 'x') + "\"}" << none;
    QTest::newRow("integer") << "{\"id\":42}"_ba << QJsonValue(42);
    QTest::newRow("fraction") << "{\"id\":0.25}"_ba << QJsonValue(0.25);
    QTest::newRow("large number") << "{\"id\":1e308}"_ba << QJsonValue(1e308);
    QTest::newRow("null") << "{\"id\":null}"_ba << none;
    QTest::newRow("bool") << "{\"id\":true}"_ba << none;
    QTest::newRow("array") << "{\"id\":[1]}"_ba << none;
    QTest::newRow("object") << "{\"id\":{\"a\":1}}"_ba << none;
}

void TestClientMessage::requestId()
{
    QFETCH(QByteArray, json);
    QFETCH(QJsonValue, id);

    QCOMPARE(requestIdOf(objectOf(json)), id);
}

void TestClientMessage::requestIdNotFinite()
{
    // Values that a QJsonObject can hold but JSON text cannot express.
    const QJsonObject infinite{{u"id"_s, std::numeric_limits<double>::infinity()}, {u"type"_s, u"ping"_s}};
    QVERIFY(requestIdOf(infinite).isUndefined());
    QVERIFY(!parseClientMessage(infinite).ok());
    const QJsonObject notANumber{{u"id"_s, std::nan("")}, {u"type"_s, u"ping"_s}};
    QVERIFY(requestIdOf(notANumber).isUndefined());
    QVERIFY(!parseClientMessage(notANumber).ok());
    QVERIFY(parseClientMessage(QJsonObject{{u"id"_s, 5}, {u"type"_s, u"ping"_s}}).ok());
}

void TestClientMessage::requestIdSurvivesBadMessage()
{
    // The error reply can carry the id even though the rest of the message is unusable.
    const QJsonObject object = objectOf("{\"type\":5,\"id\":\"r-9\",\"data\":[]}"_ba);
    QVERIFY(!parseClientMessage(object).ok());
    QCOMPARE(requestIdOf(object), QJsonValue(u"r-9"_s));

    const QJsonObject badData = objectOf(subscribe("{\"bill_id\":\"x\"}").replace("{\"type\"", "{\"id\":11,\"type\""));
    QVERIFY(!parseClientMessage(badData).ok());
    QCOMPARE(requestIdOf(badData), QJsonValue(11));
}

void TestClientMessage::customLimits()
{
    const ClientMessageLimits limits{3, 32};
    const QByteArray exact = "{\"type\":\"ping\",\"pad\":\"" + QByteArray(8, 'p') + "\"}";
    QCOMPARE(exact.size(), 32);
    QVERIFY(wsinfra::parseJsonObject(exact, limits).ok());
    const QByteArray over = "{\"type\":\"ping\",\"pad\":\"" + QByteArray(9, 'p') + "\"}";
    const auto tooLarge = wsinfra::parseJsonObject(over, limits);
    QVERIFY(!tooLarge.ok());
    QCOMPARE(tooLarge.error().code, QString(ErrorCode::BadRequest));
    QVERIFY(tooLarge.error().message.contains(u"32"_s));

    QVERIFY(parseClientMessage(objectOf(subscribe("{\"bill_ids\":[1,2,3]}")), limits).ok());
    const auto tooMany = parseClientMessage(objectOf(subscribe("{\"bill_ids\":[1,2,3,4]}")), limits);
    QVERIFY(!tooMany.ok());
    QVERIFY(tooMany.error().message.contains(u"more than 3"_s));
}

void TestClientMessage::randomText()
{
    // Seeded random text: half the rounds are JSON-ish fragments in any order, half are objects whose members
    // come from the same fragments. Parsing must never crash, and every failure is a bad_request.
    static const QByteArrayList pieces = {
        "{",           "}",         "[",     "]",    ",",  ":",   "\"type\"", "\"subscribe\"", "\"ack\"", "\"data\"",
        "\"bill_id\"", "\"since\"", "\"1\"", "1",    "-1", "1.5", "1e400",    "null",          "true",    "\"",
        "\\",          "\\u0000",   "\xff",  "\xc3", " ",  "\n",  "\0"_ba,
    };
    static const QByteArrayList keys = {"\"type\"", "\"id\"", "\"data\"", "\"bill_id\"", "\"x\"", "1", "\"\xff\""};
    static const QByteArrayList values = {
        "\"subscribe\"",
        "\"ping\"",
        "\"ack\"",
        "1",
        "\"1\"",
        "-1",
        "1e400",
        "null",
        "[1,2]",
        "[]",
        "{}",
        "{\"bill_id\":1}",
        "{\"bill_ids\":[1,\"2\"],\"since\":{\"1\":0}}",
        "{\"message_id\":\"m\"}",
        "\"\\u0000\"",
        "[[[[",
        "\"a\nb\"",
    };
    QRandomGenerator random(1234);
    int objects = 0;
    int failures = 0;
    int messages = 0;
    for (int round = 0; round < 20000; ++round) {
        QByteArray text;
        if (round % 2 == 0) {
            const int count = random.bounded(1, 40);
            for (int i = 0; i < count; ++i)
                text += pieces.at(random.bounded(int(pieces.size())));
        } else {
            text = "{";
            const int members = random.bounded(0, 5);
            for (int i = 0; i < members; ++i) {
                text += (i > 0 ? "," : "") + keys.at(random.bounded(int(keys.size()))) + ":" +
                        values.at(random.bounded(int(values.size())));
            }
            text += "}";
        }
        const auto object = wsinfra::parseJsonObject(text);
        if (!object.ok()) {
            ++failures;
            QCOMPARE(object.error().code, QString(ErrorCode::BadRequest));
            continue;
        }
        ++objects;
        const auto message = parseClientMessage(*object);
        if (message.ok())
            ++messages;
        else
            QCOMPARE(message.error().code, QString(ErrorCode::BadRequest));
    }
    QVERIFY(objects > 0);
    QVERIFY(failures > 0);
    QVERIFY(messages > 0);
}

void TestClientMessage::randomMessages()
{
    // Seeded random envelopes with random field values: whatever is accepted keeps the documented invariants.
    const QList<QJsonValue> values = {
        QJsonValue(1),
        QJsonValue(0),
        QJsonValue(-1),
        QJsonValue(1.5),
        QJsonValue(7),
        QJsonValue(u"7"_s),
        QJsonValue(u"07"_s),
        QJsonValue(u"x"_s),
        QJsonValue(u""_s),
        QJsonValue(true),
        QJsonValue(),
        QJsonValue(qint64(9007199254740991)),
        QJsonValue(9007199254740992.0),
        QJsonArray{1, 2},
        QJsonArray{7, u"7"_s},
        QJsonArray{},
        QJsonArray{QJsonArray{1}},
        QJsonObject{{u"7"_s, 3}},
        QJsonObject{{u"1"_s, -1}},
        QJsonObject{},
    };
    const QStringList types = {u"subscribe"_s, u"unsubscribe"_s, u"ping"_s, u"ack"_s, u"other"_s};
    const QStringList dataKeys = {u"bill_id"_s, u"bill_ids"_s, u"since"_s, u"message_id"_s, u"message_ids"_s};
    QRandomGenerator random(99);
    int accepted = 0;
    int rejected = 0;
    for (int round = 0; round < 20000; ++round) {
        QJsonObject object;
        if (random.bounded(10) != 0)
            object.insert(u"type"_s, types.at(random.bounded(int(types.size()))));
        if (random.bounded(3) == 0)
            object.insert(u"id"_s, values.at(random.bounded(int(values.size()))));
        QJsonObject data;
        for (const QString &key : dataKeys) {
            if (random.bounded(2) == 0)
                data.insert(key, values.at(random.bounded(int(values.size()))));
        }
        if (random.bounded(10) != 0)
            object.insert(u"data"_s, data);

        const auto message = parseClientMessage(object);
        if (!message.ok()) {
            ++rejected;
            QCOMPARE(message.error().code, QString(ErrorCode::BadRequest));
            QVERIFY(!message.error().message.isEmpty());
            continue;
        }
        ++accepted;
        QVERIFY(message->id.isUndefined() || message->id.isString() || message->id.isDouble());
        switch (message->type) {
        case ClientMessageType::Subscribe:
        case ClientMessageType::Unsubscribe: {
            QVERIFY(!message->billIds.isEmpty());
            const QSet<qint64> unique(message->billIds.cbegin(), message->billIds.cend());
            QCOMPARE(unique.size(), message->billIds.size());
            for (const qint64 id : std::as_const(message->billIds))
                QVERIFY(id >= 1 && id <= 9007199254740991);
            for (auto it = message->since.cbegin(); it != message->since.cend(); ++it)
                QVERIFY(unique.contains(it.key()) && it.value() >= 0);
            if (message->type == ClientMessageType::Unsubscribe)
                QVERIFY(message->since.isEmpty());
            break;
        }
        case ClientMessageType::Ack:
            QVERIFY(!message->messageIds.isEmpty() && message->messageIds.size() <= 1000);
            for (const QString &messageId : std::as_const(message->messageIds))
                QVERIFY(!messageId.isEmpty() && messageId.size() <= 128);
            break;
        case ClientMessageType::Ping:
            QVERIFY(message->billIds.isEmpty());
            break;
        }
    }
    QVERIFY(accepted > 100);
    QVERIFY(rejected > 100);
}

QTEST_GUILESS_MAIN(TestClientMessage)
#include "tst_clientmessage.moc"
