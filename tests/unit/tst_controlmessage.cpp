#include "protocol/clientmessage.h"
#include "protocol/codes.h"
#include "protocol/controlmessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;
using namespace wsinfra;

Q_DECLARE_METATYPE(wsinfra::ControlCommand)

namespace {

constexpr qint64 MaxSafeInteger = 9007199254740991;

QJsonObject objectOf(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("test input is not a JSON object: %s", json.constData());
    return document.object();
}

QByteArray hello(const QByteArray &fields)
{
    return "{\"type\":\"hello\"," + fields + "}";
}

// A command frame of `type` with the given extra fields (a JSON fragment without braces, may be empty).
QByteArray command(const QByteArray &type, const QByteArray &fields = {})
{
    return "{\"type\":\"" + type + "\"" + (fields.isEmpty() ? QByteArray() : "," + fields) + "}";
}

QByteArray quotedString(const QByteArray &text)
{
    return "\"" + text + "\"";
}

ControlCommand publishToBill(qint64 billId, const QJsonObject &data, const QString &key = {})
{
    ControlCommand expected;
    expected.type = ControlCommand::Type::Publish;
    expected.target = ControlCommand::Target::Bill;
    expected.billId = billId;
    expected.data = data;
    expected.idempotencyKey = key;
    return expected;
}

ControlCommand publishToUser(const QString &userId, const QJsonObject &data)
{
    ControlCommand expected;
    expected.type = ControlCommand::Type::Publish;
    expected.target = ControlCommand::Target::User;
    expected.userId = userId;
    expected.data = data;
    return expected;
}

ControlCommand publishToAll(const QJsonObject &data, const QString &key = {})
{
    ControlCommand expected;
    expected.type = ControlCommand::Type::Publish;
    expected.target = ControlCommand::Target::All;
    expected.data = data;
    expected.idempotencyKey = key;
    return expected;
}

ControlCommand ofType(ControlCommand::Type type, const QJsonValue &id = QJsonValue(QJsonValue::Undefined))
{
    ControlCommand expected;
    expected.type = type;
    expected.id = id;
    return expected;
}

ControlCommand withId(ControlCommand command, const QJsonValue &id)
{
    command.id = id;
    return command;
}

ControlCommand disconnectCommand(const QString &connectionId)
{
    ControlCommand expected = ofType(ControlCommand::Type::Disconnect);
    expected.connectionId = connectionId;
    return expected;
}

ControlCommand events(qint64 since, int limit)
{
    ControlCommand expected = ofType(ControlCommand::Type::Events);
    expected.since = since;
    expected.limit = limit;
    return expected;
}

// Field by field, so a failure says which field differs. The caller checks QTest::currentTestFailed().
void compareCommands(const ControlCommand &actual, const ControlCommand &expected)
{
    QCOMPARE(int(actual.type), int(expected.type));
    QCOMPARE(actual.id.type(), expected.id.type());
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(int(actual.target), int(expected.target));
    QCOMPARE(actual.billId, expected.billId);
    QCOMPARE(actual.userId, expected.userId);
    QCOMPARE(actual.data, expected.data);
    QCOMPARE(actual.idempotencyKey, expected.idempotencyKey);
    QCOMPARE(actual.connectionId, expected.connectionId);
    QCOMPARE(actual.since, expected.since);
    QCOMPARE(actual.limit, expected.limit);
}

} // namespace

class TestControlMessage : public QObject
{
    Q_OBJECT

private slots:
    void validHello_data();
    void validHello();
    void invalidHello_data();
    void invalidHello();
    void helloRoundTrip();
    void validCommand_data();
    void validCommand();
    void invalidCommand_data();
    void invalidCommand();
    void roundTrip_data();
    void roundTrip();
    void toJsonWritesTheDocumentedFrames();
    void commandIdOfRefusedFrames_data();
    void commandIdOfRefusedFrames();
    void fromText();
    void nonFiniteNumbers();
    void randomFrames();
};

void TestControlMessage::validHello_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("version");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("client");

    QTest::newRow("documented") << hello("\"version\":1,\"token\":\"s3cret\",\"client\":\"wsinfra-console 0.1\"") << 1
                                << u"s3cret"_s << u"wsinfra-console 0.1"_s;
    QTest::newRow("no client") << hello("\"version\":1,\"token\":\"t\"") << 1 << u"t"_s << QString();
    QTest::newRow("empty client") << hello("\"version\":1,\"token\":\"t\",\"client\":\"\"") << 1 << u"t"_s << QString();
    // An empty token is a wrong token: the server refuses it with invalid_token, the parser lets it through.
    QTest::newRow("empty token") << hello("\"version\":1,\"token\":\"\"") << 1 << QString() << QString();
    QTest::newRow("unicode token") << hello("\"version\":1,\"token\":\"z\xc3\xab\xf0\x9f\x98\x80\"") << 1
                                   << u"z\u00eb\U0001F600"_s << QString();
    QTest::newRow("NUL in token") << hello("\"version\":1,\"token\":\"a\\u0000b\"") << 1 << QString(u"a\0b"_s)
                                  << QString();
    // Versions the service does not speak still parse: the server answers unsupported_version.
    QTest::newRow("version 2") << hello("\"version\":2,\"token\":\"t\"") << 2 << u"t"_s << QString();
    QTest::newRow("version 0") << hello("\"version\":0,\"token\":\"t\"") << 0 << u"t"_s << QString();
    QTest::newRow("version -1") << hello("\"version\":-1,\"token\":\"t\"") << -1 << u"t"_s << QString();
    QTest::newRow("version 1.0") << hello("\"version\":1.0,\"token\":\"t\"") << 1 << u"t"_s << QString();
    QTest::newRow("version 1e0") << hello("\"version\":1e0,\"token\":\"t\"") << 1 << u"t"_s << QString();
    QTest::newRow("version int max") << hello("\"version\":2147483647,\"token\":\"t\"")
                                     << std::numeric_limits<int>::max() << u"t"_s << QString();
    QTest::newRow("version int min") << hello("\"version\":-2147483648,\"token\":\"t\"")
                                     << std::numeric_limits<int>::min() << u"t"_s << QString();
    QTest::newRow("unknown fields ignored")
        << hello("\"version\":1,\"token\":\"t\",\"id\":[null],\"features\":{\"x\":1},\"client\":\"c\"") << 1 << u"t"_s
        << u"c"_s;
    QTest::newRow("client of 200") << hello("\"version\":1,\"token\":\"t\",\"client\":\"" + QByteArray(200, 'c') + "\"")
                                   << 1 << u"t"_s << QString(200, u'c');
    QTest::newRow("client of 201 is cut")
        << hello("\"version\":1,\"token\":\"t\",\"client\":\"" + QByteArray(201, 'c') + "\"") << 1 << u"t"_s
        << QString(200, u'c');
    QTest::newRow("client of 1 MiB is cut")
        << hello("\"version\":1,\"token\":\"t\",\"client\":\"" + QByteArray(1024 * 1024, 'c') + "\"") << 1 << u"t"_s
        << QString(200, u'c');
    // 199 + a surrogate pair is 201 UTF-16 units: the pair goes whole, not half.
    QTest::newRow("client cut before a surrogate pair")
        << hello("\"version\":1,\"token\":\"t\",\"client\":\"" + QByteArray(199, 'c') + "\xf0\x9f\x98\x80\"") << 1
        << u"t"_s << QString(199, u'c');
    QTest::newRow("client ending in a surrogate pair at 200")
        << hello("\"version\":1,\"token\":\"t\",\"client\":\"" + QByteArray(198, 'c') + "\xf0\x9f\x98\x80xyz\"") << 1
        << u"t"_s << QString(QString(198, u'c') + u"\U0001F600"_s);
}

void TestControlMessage::validHello()
{
    QFETCH(QByteArray, json);
    QFETCH(int, version);
    QFETCH(QString, token);
    QFETCH(QString, client);

    const Result<ControlHello> parsed = parseControlHello(objectOf(json));
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QCOMPARE(parsed->version, version);
    QCOMPARE(parsed->token, token);
    QCOMPARE(parsed->client, client);
    QVERIFY(parsed->client.size() <= 200);
}

void TestControlMessage::invalidHello_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field"); // the error message starts with it

    const QByteArray rest = "\"version\":1,\"token\":\"t\"";
    QTest::newRow("empty object") << "{}"_ba << u"type"_s;
    QTest::newRow("no type") << "{" + rest + "}" << u"type"_s;
    QTest::newRow("type null") << "{\"type\":null," + rest + "}" << u"type"_s;
    QTest::newRow("type number") << "{\"type\":1," + rest + "}" << u"type"_s;
    QTest::newRow("type array") << "{\"type\":[\"hello\"]," + rest + "}" << u"type"_s;
    QTest::newRow("type object") << "{\"type\":{\"hello\":1}," + rest + "}" << u"type"_s;
    QTest::newRow("type capitalised") << "{\"type\":\"Hello\"," + rest + "}" << u"type"_s;
    QTest::newRow("type padded") << "{\"type\":\"hello \"," + rest + "}" << u"type"_s;
    QTest::newRow("type with NUL") << "{\"type\":\"hello\\u0000\"," + rest + "}" << u"type"_s;
    QTest::newRow("a command first") << "{\"type\":\"publish\"," + rest + "}" << u"type"_s;
    QTest::newRow("a welcome") << "{\"type\":\"welcome\"," + rest + "}" << u"type"_s;

    QTest::newRow("no version") << hello("\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version string") << hello("\"version\":\"1\",\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version null") << hello("\"version\":null,\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version bool") << hello("\"version\":true,\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version array") << hello("\"version\":[1],\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version object") << hello("\"version\":{\"v\":1},\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version fractional") << hello("\"version\":1.5,\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version tiny fraction") << hello("\"version\":1.0000001,\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version 1e300") << hello("\"version\":1e300,\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version -1e300") << hello("\"version\":-1e300,\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version int max+1") << hello("\"version\":2147483648,\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version int min-1") << hello("\"version\":-2147483649,\"token\":\"t\"") << u"version"_s;
    QTest::newRow("version 2^53") << hello("\"version\":9007199254740992,\"token\":\"t\"") << u"version"_s;

    QTest::newRow("no token") << hello("\"version\":1") << u"token"_s;
    QTest::newRow("token null") << hello("\"version\":1,\"token\":null") << u"token"_s;
    QTest::newRow("token number") << hello("\"version\":1,\"token\":12345") << u"token"_s;
    QTest::newRow("token bool") << hello("\"version\":1,\"token\":true") << u"token"_s;
    QTest::newRow("token array") << hello("\"version\":1,\"token\":[\"t\"]") << u"token"_s;
    QTest::newRow("token object") << hello("\"version\":1,\"token\":{\"t\":1}") << u"token"_s;

    QTest::newRow("client null") << hello(rest + ",\"client\":null") << u"client"_s;
    QTest::newRow("client number") << hello(rest + ",\"client\":1") << u"client"_s;
    QTest::newRow("client array") << hello(rest + ",\"client\":[\"c\"]") << u"client"_s;
    QTest::newRow("client object") << hello(rest + ",\"client\":{}") << u"client"_s;
}

void TestControlMessage::invalidHello()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);

    const Result<ControlHello> parsed = parseControlHello(objectOf(json));
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, QString(ErrorCode::BadRequest));
    const QString message = parsed.error().message;
    QVERIFY2(message.startsWith(field + u' '), qPrintable(message));
}

void TestControlMessage::helloRoundTrip()
{
    ControlHello original;
    original.version = ControlProtocolVersion;
    original.token = u"s3cret \"quoted\" \u00e9"_s;
    original.client = u"wsinfra-console 0.1"_s;
    const QJsonObject frame = original.toJson();
    QCOMPARE(frame, objectOf(R"({"type":"hello","version":1,"token":"s3cret \"quoted\" \u00e9",)"
                             R"("client":"wsinfra-console 0.1"})"_ba));
    const Result<ControlHello> parsed = parseControlHello(frame);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QCOMPARE(parsed->version, original.version);
    QCOMPARE(parsed->token, original.token);
    QCOMPARE(parsed->client, original.client);
    // A hello is not a command, and a command is not a hello.
    QVERIFY(!parseControlCommand(frame).ok());
    QVERIFY(!parseControlHello(ofType(ControlCommand::Type::Metrics, 1).toJson()).ok());
}

void TestControlMessage::validCommand_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<ControlCommand>("expected");

    const QJsonObject payload{{u"status"_s, u"passed"_s}, {u"votes"_s, 42}};
    const QByteArray payloadJson = R"({"status":"passed","votes":42})";

    // The frames of the doc's table.
    QTest::newRow("publish to a bill") << command("publish", R"("id":1,"target":"bill","bill_id":7,"data":)" +
                                                                 payloadJson + R"(,"idempotency_key":"k-1")")
                                       << withId(publishToBill(7, payload, u"k-1"_s), 1);
    QTest::newRow("publish to a user") << command("publish",
                                                  R"("id":2,"target":"user","user_id":"amy","data":)" + payloadJson)
                                       << withId(publishToUser(u"amy"_s, payload), 2);
    QTest::newRow("publish to all") << command("publish", R"("id":3,"target":"all","data":)" + payloadJson)
                                    << withId(publishToAll(payload), 3);
    QTest::newRow("disconnect") << command("disconnect", R"("id":4,"connection_id":"n-0-1")")
                                << withId(disconnectCommand(u"n-0-1"_s), 4);
    QTest::newRow("analyse") << command("analyse", R"("id":5)") << ofType(ControlCommand::Type::Analyse, 5);
    QTest::newRow("metrics") << command("metrics", R"("id":6)") << ofType(ControlCommand::Type::Metrics, 6);
    QTest::newRow("events") << command("events", R"("id":7,"since":0,"limit":100)") << withId(events(0, 100), 7);
    QTest::newRow("resync") << command("resync") << ofType(ControlCommand::Type::Resync);

    // Publish edges.
    QTest::newRow("bill_id 1") << command("publish", R"("target":"bill","bill_id":1,"data":{})")
                               << publishToBill(1, {});
    QTest::newRow("bill_id 2^53-1") << command("publish", R"("target":"bill","bill_id":9007199254740991,"data":{})")
                                    << publishToBill(MaxSafeInteger, {});
    QTest::newRow("bill_id 7.0") << command("publish", R"("target":"bill","bill_id":7.0,"data":{})")
                                 << publishToBill(7, {});
    QTest::newRow("bill_id 1e2") << command("publish", R"("target":"bill","bill_id":1e2,"data":{})")
                                 << publishToBill(100, {});
    QTest::newRow("user_id of 256") << command("publish", R"("target":"user","user_id":")" + QByteArray(256, 'u') +
                                                              R"(","data":{})")
                                    << publishToUser(QString(256, u'u'), {});
    QTest::newRow("unicode user_id") << command("publish",
                                                "\"target\":\"user\",\"user_id\":\"zo\xc3\xab \xf0\x9f\x98\x80"
                                                "\",\"data\":{}")
                                     << publishToUser(u"zo\u00eb \U0001F600"_s, {});
    QTest::newRow("user_id with spaces") << command("publish", R"("target":"user","user_id":" a b ","data":{})")
                                         << publishToUser(u" a b "_s, {});
    const QJsonObject nested{{u"a"_s, QJsonArray{1, u"two"_s, QJsonValue(), QJsonObject{{u"b"_s, true}}}},
                             {u"idempotency_key"_s, u"payload, not ours"_s}};
    QTest::newRow("nested data")
        << command("publish",
                   R"("target":"all","data":{"a":[1,"two",null,{"b":true}],"idempotency_key":"payload, not ours"})")
        << publishToAll(nested);
    QTest::newRow("key of 1") << command("publish", R"("target":"all","data":{},"idempotency_key":"x")")
                              << publishToAll({}, u"x"_s);
    QTest::newRow("key of 255") << command("publish", R"("target":"all","data":{},"idempotency_key":")" +
                                                          QByteArray(255, 'k') + "\"")
                                << publishToAll({}, QString(255, u'k'));
    QTest::newRow("key of punctuation and spaces")
        << command("publish", R"("target":"all","data":{},"idempotency_key":" !#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\"")")
        << publishToAll({}, uR"( !#$%&'()*+,-./:;<=>?@[\]^_`{|}~")"_s);
    QTest::newRow("key UUID") << command("publish", R"("target":"bill","bill_id":3,"data":{},)"
                                                    R"("idempotency_key":"8e03978e-40d5-43e8-bc93-6894a57f9324")")
                              << publishToBill(3, {}, u"8e03978e-40d5-43e8-bc93-6894a57f9324"_s);

    // Disconnect and events edges.
    QTest::newRow("connection_id of 128") << command("disconnect", R"("connection_id":")" + QByteArray(128, 'c') + "\"")
                                          << disconnectCommand(QString(128, u'c'));
    QTest::newRow("events without since and limit") << command("events") << events(0, 100);
    QTest::newRow("events limit 1") << command("events", R"("since":5,"limit":1)") << events(5, 1);
    QTest::newRow("events limit 1000") << command("events", R"("limit":1000)") << events(0, 1000);
    QTest::newRow("events since 2^53-1") << command("events", R"("since":9007199254740991)")
                                         << events(MaxSafeInteger, 100);
    QTest::newRow("events since 3.0 limit 2e1") << command("events", R"("since":3.0,"limit":2e1)") << events(3, 20);

    // Ids.
    QTest::newRow("string id") << command("metrics", R"("id":"req-1")")
                               << ofType(ControlCommand::Type::Metrics, u"req-1"_s);
    QTest::newRow("empty string id") << command("metrics", R"("id":"")")
                                     << ofType(ControlCommand::Type::Metrics, u""_s);
    QTest::newRow("id of 128") << command("metrics", R"("id":")" + QByteArray(128, 'i') + "\"")
                               << ofType(ControlCommand::Type::Metrics, QString(128, u'i'));
    QTest::newRow("unicode id") << command("metrics", "\"id\":\"\xc3\xa9\xf0\x9f\x98\x80\"")
                                << ofType(ControlCommand::Type::Metrics, u"\u00e9\U0001F600"_s);
    QTest::newRow("id 0") << command("metrics", R"("id":0)") << ofType(ControlCommand::Type::Metrics, 0);
    QTest::newRow("id -5") << command("metrics", R"("id":-5)") << ofType(ControlCommand::Type::Metrics, -5);
    QTest::newRow("id 2^53-1") << command("metrics", R"("id":9007199254740991)")
                               << ofType(ControlCommand::Type::Metrics, MaxSafeInteger);
    QTest::newRow("id -(2^53-1)") << command("metrics", R"("id":-9007199254740991)")
                                  << ofType(ControlCommand::Type::Metrics, -MaxSafeInteger);
    QTest::newRow("id 7.0") << command("metrics", R"("id":7.0)") << ofType(ControlCommand::Type::Metrics, 7);
    QTest::newRow("id 1e2") << command("metrics", R"("id":1e2)") << ofType(ControlCommand::Type::Metrics, 100);
    QTest::newRow("resync with id") << command("resync", R"("id":"r")") << ofType(ControlCommand::Type::Resync, u"r"_s);

    // Unknown fields are ignored, so that newer consoles keep working.
    QTest::newRow("publish with unknown fields")
        << command("publish", R"("target":"bill","bill_id":7,"data":{},"priority":"high","v":2,"extra":[null])")
        << publishToBill(7, {});
    QTest::newRow("metrics with unknown fields")
        << command("metrics", R"("since":"x","data":null,"target":1)") << ofType(ControlCommand::Type::Metrics);
    QTest::newRow("analyse with unknown fields")
        << command("analyse", R"("bill_id":"x","connection_id":5)") << ofType(ControlCommand::Type::Analyse);
    QTest::newRow("resync with unknown fields")
        << command("resync", R"("full":true)") << ofType(ControlCommand::Type::Resync);
    QTest::newRow("events with unknown fields") << command("events", R"("limit":3,"level":"error")") << events(0, 3);
    QTest::newRow("disconnect with unknown fields")
        << command("disconnect", R"("connection_id":"n-1-2","reason":"testing")") << disconnectCommand(u"n-1-2"_s);
}

void TestControlMessage::validCommand()
{
    QFETCH(QByteArray, json);
    QFETCH(ControlCommand, expected);

    const Result<ControlCommand> parsed = parseControlCommand(objectOf(json));
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    compareCommands(*parsed, expected);
    if (QTest::currentTestFailed())
        return;
    // What parses writes back to a frame that parses to the same command.
    const Result<ControlCommand> again = parseControlCommand(parsed->toJson());
    QVERIFY2(again.ok(), qPrintable(again.error().message));
    compareCommands(*again, expected);
}

void TestControlMessage::invalidCommand_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field"); // the error message starts with it

    // Envelope: type.
    QTest::newRow("empty object") << "{}"_ba << u"type"_s;
    QTest::newRow("only an id") << R"({"id":1})"_ba << u"type"_s;
    QTest::newRow("type null") << R"({"type":null,"id":1})"_ba << u"type"_s;
    QTest::newRow("type number") << R"({"type":1})"_ba << u"type"_s;
    QTest::newRow("type bool") << R"({"type":true})"_ba << u"type"_s;
    QTest::newRow("type array") << R"({"type":["metrics"]})"_ba << u"type"_s;
    QTest::newRow("type object") << R"({"type":{"metrics":1}})"_ba << u"type"_s;
    QTest::newRow("type empty") << command("") << u"unknown command \"\""_s;
    QTest::newRow("type capitalised") << command("Publish") << u"unknown command \"Publish\""_s;
    QTest::newRow("type upper case") << command("METRICS") << u"unknown command \"METRICS\""_s;
    QTest::newRow("type padded") << command(" resync") << u"unknown command \" resync\""_s;
    QTest::newRow("type American") << command("analyze") << u"unknown command \"analyze\""_s;
    QTest::newRow("a second hello") << command("hello", R"("version":1,"token":"t")") << u"unknown command \"hello\""_s;
    QTest::newRow("a server frame") << command("reply", R"("id":1,"ok":true)") << u"unknown command \"reply\""_s;
    QTest::newRow("a client protocol message") << command("subscribe") << u"unknown command \"subscribe\""_s;
    QTest::newRow("type with NUL") << command("metrics\\u0000") << u"unknown command \"metrics"_s;
    QTest::newRow("type of 64 quoted whole")
        << command(QByteArray(64, 't')) << QString(u"unknown command \""_s + QString(64, u't') + u'"');
    QTest::newRow("type of 65 quoted cut")
        << command(QByteArray(65, 't')) << QString(u"unknown command \""_s + QString(64, u't') + u"...\""_s);
    QTest::newRow("type of 1 MiB") << command(QByteArray(1024 * 1024, 't')) << u"unknown command"_s;

    // Envelope: id.
    const QList<QPair<const char *, QByteArray>> badIds = {
        {"null", "null"},
        {"true", "true"},
        {"false", "false"},
        {"array", "[1]"},
        {"empty array", "[]"},
        {"object", R"({"id":1})"},
        {"fractional", "1.5"},
        {"tiny fraction", "0.000001"},
        {"2^53", "9007199254740992"},
        {"2^53+1", "9007199254740993"},
        {"-2^53", "-9007199254740992"},
        {"int64 max", "9223372036854775807"},
        {"20 digits", "99999999999999999999"},
        {"1e300", "1e300"},
        {"-1e300", "-1e300"},
        {"string of 129", quotedString(QByteArray(129, 'i'))},
        {"string of 1 MiB", quotedString(QByteArray(1024 * 1024, 'i'))},
        {"NUL in string", R"("a\u0000b")"},
        {"only NUL", R"("\u0000")"},
        {"newline in string", R"("a\nb")"},
        {"escape in string", R"("\u001b[31m")"},
        {"DEL in string", R"("a\u007fb")"},
    };
    for (const auto &[name, value] : badIds) {
        QTest::addRow("id %s", name) << command("metrics", "\"id\":" + value) << u"id"_s;
        QTest::addRow("id %s on a publish", name)
            << command("publish", R"("target":"all","data":{},"id":)" + value) << u"id"_s;
        QTest::addRow("id %s on a resync", name) << command("resync", "\"id\":" + value) << u"id"_s;
    }

    // publish: target.
    for (const auto &[name, value] : QList<QPair<const char *, QByteArray>>{{"missing", {}},
                                                                            {"null", "null"},
                                                                            {"number", "1"},
                                                                            {"bool", "true"},
                                                                            {"array", R"(["all"])"},
                                                                            {"object", R"({"all":1})"},
                                                                            {"empty", R"("")"},
                                                                            {"capitalised", R"("Bill")"},
                                                                            {"plural", R"("users")"},
                                                                            {"broadcast", R"("broadcast")"},
                                                                            {"NUL", R"("all\u0000")"}}) {
        const QByteArray target = value.isNull() ? QByteArray() : "\"target\":" + value + ",";
        QTest::addRow("target %s", name) << command("publish", target + R"("bill_id":7,"data":{})") << u"target"_s;
    }

    // publish: bill_id.
    const QList<QPair<const char *, QByteArray>> badBillIds = {
        {"missing", {}},
        {"0", "0"},
        {"-0", "-0"},
        {"negative", "-1"},
        {"fractional", "1.5"},
        {"0.5", "0.5"},
        {"2^53", "9007199254740992"},
        {"2^53+1", "9007199254740993"},
        {"int64 max", "9223372036854775807"},
        {"1e300", "1e300"},
        {"-1e300", "-1e300"},
        {"string", R"("7")"},
        {"empty string", R"("")"},
        {"null", "null"},
        {"bool", "true"},
        {"array", "[7]"},
        {"object", R"({"id":7})"},
    };
    for (const auto &[name, value] : badBillIds) {
        const QByteArray billId = value.isNull() ? QByteArray() : "\"bill_id\":" + value + ",";
        QTest::addRow("bill_id %s", name)
            << command("publish", R"("target":"bill",)" + billId + R"("data":{})") << u"bill_id"_s;
    }
    // A field of another target is a mistake that must not widen the audience.
    QTest::newRow("bill_id with target all")
        << command("publish", R"("target":"all","bill_id":7,"data":{})") << u"bill_id"_s;
    QTest::newRow("bill_id with target user")
        << command("publish", R"("target":"user","user_id":"amy","bill_id":7,"data":{})") << u"bill_id"_s;
    QTest::newRow("null bill_id with target all")
        << command("publish", R"("target":"all","bill_id":null,"data":{})") << u"bill_id"_s;

    // publish: user_id.
    const QList<QPair<const char *, QByteArray>> badUserIds = {
        {"missing", {}},
        {"empty", R"("")"},
        {"of 257", quotedString(QByteArray(257, 'u'))},
        {"of 1 MiB", quotedString(QByteArray(1024 * 1024, 'u'))},
        {"NUL", R"("amy\u0000")"},
        {"newline", R"("amy\nbob")"},
        {"tab", R"("a\tb")"},
        {"DEL", R"("a\u007f")"},
        {"number", "42"},
        {"null", "null"},
        {"bool", "false"},
        {"array", R"(["amy"])"},
        {"object", R"({"id":"amy"})"},
    };
    for (const auto &[name, value] : badUserIds) {
        const QByteArray userId = value.isNull() ? QByteArray() : "\"user_id\":" + value + ",";
        QTest::addRow("user_id %s", name)
            << command("publish", R"("target":"user",)" + userId + R"("data":{})") << u"user_id"_s;
    }
    QTest::newRow("user_id with target all")
        << command("publish", R"("target":"all","user_id":"amy","data":{})") << u"user_id"_s;
    QTest::newRow("user_id with target bill")
        << command("publish", R"("target":"bill","bill_id":7,"user_id":"amy","data":{})") << u"user_id"_s;

    // publish: data.
    for (const auto &[name, value] : QList<QPair<const char *, QByteArray>>{{"missing", {}},
                                                                            {"null", "null"},
                                                                            {"array", R"([{"a":1}])"},
                                                                            {"string", R"("{}")"},
                                                                            {"number", "1"},
                                                                            {"bool", "true"}}) {
        const QByteArray data = value.isNull() ? QByteArray() : ",\"data\":" + value;
        QTest::addRow("data %s to a bill", name)
            << command("publish", R"("target":"bill","bill_id":7)" + data) << u"data"_s;
        QTest::addRow("data %s to a user", name)
            << command("publish", R"("target":"user","user_id":"amy")" + data) << u"data"_s;
        QTest::addRow("data %s to all", name) << command("publish", R"("target":"all")" + data) << u"data"_s;
    }

    // publish: idempotency_key, by the HTTP API's rule.
    const QList<QPair<const char *, QByteArray>> badKeys = {
        {"empty", R"("")"},
        {"of 256", quotedString(QByteArray(256, 'k'))},
        {"of 1 MiB", quotedString(QByteArray(1024 * 1024, 'k'))},
        {"NUL", R"("a\u0000b")"},
        {"only NUL", R"("\u0000")"},
        {"newline", R"("a\nb")"},
        {"tab", R"("a\tb")"},
        {"DEL", R"("a\u007fb")"},
        {"C1 control", R"("a\u0085b")"},
        {"Latin-1", R"("caf\u00e9")"},
        {"UTF-8", "\"caf\xc3\xa9\""},
        {"emoji", "\"\xf0\x9f\x98\x80\""},
        {"non-breaking space", R"("a\u00a0b")"},
        {"lone surrogate", R"("a\ud800b")"},
        {"number", "42"},
        {"null", "null"},
        {"bool", "true"},
        {"array", R"(["k"])"},
        {"object", R"({"k":"v"})"},
    };
    for (const auto &[name, value] : badKeys) {
        QTest::addRow("idempotency_key %s", name)
            << command("publish", R"("target":"bill","bill_id":7,"data":{},"idempotency_key":)" + value)
            << u"idempotency_key"_s;
    }
    QTest::newRow("idempotency_key null to all")
        << command("publish", R"("target":"all","data":{},"idempotency_key":null)") << u"idempotency_key"_s;

    // disconnect: connection_id.
    const QList<QPair<const char *, QByteArray>> badConnectionIds = {
        {"missing", {}},
        {"empty", R"("")"},
        {"of 129", quotedString(QByteArray(129, 'c'))},
        {"of 1 MiB", quotedString(QByteArray(1024 * 1024, 'c'))},
        {"NUL", R"("n-0-1\u0000")"},
        {"newline", R"("n-0-1\nn-0-2")"},
        {"number", "1"},
        {"null", "null"},
        {"bool", "true"},
        {"array", R"(["n-0-1"])"},
        {"object", R"({"id":"n-0-1"})"},
    };
    for (const auto &[name, value] : badConnectionIds) {
        QTest::addRow("connection_id %s", name)
            << command("disconnect", value.isNull() ? R"("id":4)"_ba : R"("id":4,"connection_id":)" + value)
            << u"connection_id"_s;
    }

    // events: since and limit.
    const QList<QPair<const char *, QByteArray>> badSinces = {
        {"negative", "-1"}, {"fractional", "1.5"}, {"2^53", "9007199254740992"},
        {"1e300", "1e300"}, {"-1e300", "-1e300"},  {"string", R"("0")"},
        {"null", "null"},   {"bool", "false"},     {"array", "[0]"},
        {"object", "{}"},
    };
    for (const auto &[name, value] : badSinces)
        QTest::addRow("since %s", name) << command("events", "\"since\":" + value) << u"since"_s;
    const QList<QPair<const char *, QByteArray>> badLimits = {
        {"0", "0"},
        {"1001", "1001"},
        {"negative", "-1"},
        {"fractional", "100.5"},
        {"2^53", "9007199254740992"},
        {"int max+1", "2147483648"},
        {"1e300", "1e300"},
        {"string", R"("100")"},
        {"null", "null"},
        {"bool", "true"},
        {"array", "[100]"},
        {"object", "{}"},
    };
    for (const auto &[name, value] : badLimits)
        QTest::addRow("limit %s", name) << command("events", R"("since":0,"limit":)" + value) << u"limit"_s;
}

void TestControlMessage::invalidCommand()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);

    const Result<ControlCommand> parsed = parseControlCommand(objectOf(json));
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, QString(ErrorCode::BadRequest));
    const QString message = parsed.error().message;
    QVERIFY2(message.startsWith(field), qPrintable(message));
    // The field name is a whole word: "id" must not pass for "bill_id".
    QVERIFY2(message.size() == field.size() || !message.at(field.size()).isLetterOrNumber() ||
                 field.startsWith("unknown command"_L1),
             qPrintable(message));
    // Errors go back to the console: they stay short whatever it sent.
    QVERIFY2(message.size() < 200, qPrintable(message));
}

void TestControlMessage::roundTrip_data()
{
    QTest::addColumn<ControlCommand>("original");

    const QJsonObject payload{{u"text"_s, u"h\u00e9llo \"world\"\n"_s}, {u"list"_s, QJsonArray{1, 2.5, false}}};
    QTest::newRow("publish to a bill") << withId(publishToBill(7, payload, u"key 1"_s), 1);
    QTest::newRow("publish to the largest bill") << withId(publishToBill(MaxSafeInteger, {}), u"x"_s);
    QTest::newRow("publish to a user") << withId(publishToUser(u"zo\u00eb"_s, payload), u"p-2"_s);
    QTest::newRow("publish to all") << publishToAll(payload);
    QTest::newRow("publish to all with a key") << withId(publishToAll({}, QString(255, u'~')), MaxSafeInteger);
    QTest::newRow("disconnect") << withId(disconnectCommand(u"n-0-1"_s), -MaxSafeInteger);
    QTest::newRow("analyse") << ofType(ControlCommand::Type::Analyse, 5);
    QTest::newRow("metrics") << ofType(ControlCommand::Type::Metrics, u""_s);
    QTest::newRow("events") << withId(events(12, 50), 7);
    QTest::newRow("events at the edges") << events(MaxSafeInteger, 1000);
    QTest::newRow("resync") << ofType(ControlCommand::Type::Resync);
}

void TestControlMessage::roundTrip()
{
    QFETCH(ControlCommand, original);

    const Result<ControlCommand> direct = parseControlCommand(original.toJson());
    QVERIFY2(direct.ok(), qPrintable(direct.error().message));
    compareCommands(*direct, original);
    if (QTest::currentTestFailed())
        return;

    // And as the bytes of a text frame.
    const QByteArray text = QJsonDocument(original.toJson()).toJson(QJsonDocument::Compact);
    const Result<QJsonObject> object = wsinfra::parseJsonObject(text);
    QVERIFY2(object.ok(), qPrintable(object.error().message));
    const Result<ControlCommand> parsed = parseControlCommand(*object);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    compareCommands(*parsed, original);
}

void TestControlMessage::toJsonWritesTheDocumentedFrames()
{
    // Exactly the doc's frames: the console writes them, other tools read the doc.
    QCOMPARE(withId(publishToBill(7, {{u"a"_s, 1}}, u"k"_s), 1).toJson(),
             objectOf(R"({"type":"publish","id":1,"target":"bill","bill_id":7,"data":{"a":1},)"
                      R"("idempotency_key":"k"})"));
    QCOMPARE(withId(publishToUser(u"amy"_s, {}), 2).toJson(),
             objectOf(R"({"type":"publish","id":2,"target":"user","user_id":"amy","data":{}})"));
    QCOMPARE(withId(publishToAll({}), 3).toJson(), objectOf(R"({"type":"publish","id":3,"target":"all","data":{}})"));
    QCOMPARE(withId(disconnectCommand(u"n-0-1"_s), 4).toJson(),
             objectOf(R"({"type":"disconnect","id":4,"connection_id":"n-0-1"})"));
    QCOMPARE(ofType(ControlCommand::Type::Analyse, 5).toJson(), objectOf(R"({"type":"analyse","id":5})"));
    QCOMPARE(ofType(ControlCommand::Type::Metrics, 6).toJson(), objectOf(R"({"type":"metrics","id":6})"));
    QCOMPARE(withId(events(0, 100), 7).toJson(), objectOf(R"({"type":"events","id":7,"since":0,"limit":100})"));
    QCOMPARE(ofType(ControlCommand::Type::Resync).toJson(), objectOf(R"({"type":"resync"})"));

    // Fields of other types and targets stay out of the frame.
    ControlCommand stale = ofType(ControlCommand::Type::Metrics, 8);
    stale.billId = 7;
    stale.userId = u"amy"_s;
    stale.data = {{u"a"_s, 1}};
    stale.idempotencyKey = u"k"_s;
    stale.connectionId = u"n-0-1"_s;
    stale.since = 3;
    QCOMPARE(stale.toJson(), objectOf(R"({"type":"metrics","id":8})"));
    ControlCommand toAll = publishToAll({});
    toAll.billId = 7;
    toAll.userId = u"amy"_s;
    QCOMPARE(toAll.toJson(), objectOf(R"({"type":"publish","target":"all","data":{}})"));
    QVERIFY(parseControlCommand(toAll.toJson()).ok());
}

void TestControlMessage::commandIdOfRefusedFrames_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QJsonValue>("id");

    const QJsonValue none(QJsonValue::Undefined);
    QTest::newRow("bad bill_id, number id")
        << command("publish", R"("id":5,"target":"bill","bill_id":0,"data":{})") << QJsonValue(5);
    QTest::newRow("bad limit, string id") << command("events", R"("id":"e-1","limit":0)") << QJsonValue(u"e-1"_s);
    QTest::newRow("unknown type, id 7.0") << command("nonsense", R"("id":7.0)") << QJsonValue(7);
    QTest::newRow("no type, id") << R"({"id":9})"_ba << QJsonValue(9);
    QTest::newRow("no id") << command("nonsense") << none;
    QTest::newRow("fractional id") << command("metrics", R"("id":1.5)") << none;
    QTest::newRow("id 2^53") << command("metrics", R"("id":9007199254740992)") << none;
    QTest::newRow("id null") << command("metrics", R"("id":null)") << none;
    QTest::newRow("id array") << command("metrics", R"("id":[1])") << none;
    QTest::newRow("id with NUL") << command("metrics", R"("id":"a\u0000")") << none;
    QTest::newRow("id of 129") << command("metrics", R"("id":")" + QByteArray(129, 'i') + "\"") << none;
}

void TestControlMessage::commandIdOfRefusedFrames()
{
    QFETCH(QByteArray, json);
    QFETCH(QJsonValue, id);

    const QJsonObject frame = objectOf(json);
    QCOMPARE(controlCommandIdOf(frame).type(), id.type());
    QCOMPARE(controlCommandIdOf(frame), id);
    QVERIFY(!parseControlCommand(frame).ok());
}

void TestControlMessage::fromText()
{
    // The whole path of a text frame: parseJsonObject bounds it at 1 MiB, as the doc says.
    const QByteArray frame = R"({"type":"publish","id":1,"target":"all","data":{"blob":")";
    const QByteArray end = "\"}}";
    const QByteArray fits = frame + QByteArray(1024 * 1024 - frame.size() - end.size(), 'x') + end;
    QCOMPARE(fits.size(), 1024 * 1024);
    const Result<QJsonObject> object = wsinfra::parseJsonObject(fits);
    QVERIFY2(object.ok(), qPrintable(object.error().message));
    const Result<ControlCommand> parsed = parseControlCommand(*object);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QCOMPARE(parsed->data.value("blob"_L1).toString().size(), fits.size() - frame.size() - end.size());

    const QByteArray tooBig = frame + QByteArray(1024 * 1024 - frame.size() - end.size() + 1, 'x') + end;
    const Result<QJsonObject> refused = wsinfra::parseJsonObject(tooBig);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, QString(ErrorCode::BadRequest));
}

void TestControlMessage::nonFiniteNumbers()
{
    // JSON text cannot carry them, but a QJsonObject built in code can.
    for (const double number : {qInf(), -qInf(), qQNaN()}) {
        const QString name = QString::number(number);
        QJsonObject frame = objectOf(R"({"type":"hello","version":1,"token":"t"})");
        frame.insert(u"version"_s, number);
        QVERIFY2(!parseControlHello(frame).ok(), qPrintable(name));
        QVERIFY(parseControlHello(frame).error().message.startsWith("version "_L1));

        frame = objectOf(R"({"type":"metrics"})");
        frame.insert(u"id"_s, number);
        QVERIFY2(!parseControlCommand(frame).ok(), qPrintable(name));
        QVERIFY(parseControlCommand(frame).error().message.startsWith("id "_L1));
        QVERIFY(controlCommandIdOf(frame).isUndefined());

        frame = objectOf(R"({"type":"publish","target":"bill","data":{}})");
        frame.insert(u"bill_id"_s, number);
        QVERIFY2(!parseControlCommand(frame).ok(), qPrintable(name));
        QVERIFY(parseControlCommand(frame).error().message.startsWith("bill_id "_L1));

        for (const QString &field : {u"since"_s, u"limit"_s}) {
            frame = objectOf(R"({"type":"events"})");
            frame.insert(field, number);
            QVERIFY2(!parseControlCommand(frame).ok(), qPrintable(name));
            QVERIFY(parseControlCommand(frame).error().message.startsWith(field + u' '));
        }
    }
}

void TestControlMessage::randomFrames()
{
    // Seeded random frames from the known fields and hostile values: whatever is accepted keeps the documented
    // bounds and writes back to a frame that parses to the same command; whatever is refused is a bad_request.
    const QList<QJsonValue> values = {
        QJsonValue(1),
        QJsonValue(0),
        QJsonValue(-1),
        QJsonValue(1.5),
        QJsonValue(7),
        QJsonValue(1000),
        QJsonValue(1001),
        QJsonValue(qint64(MaxSafeInteger)),
        QJsonValue(9007199254740992.0),
        QJsonValue(1e300),
        QJsonValue(u"7"_s),
        QJsonValue(u"bill"_s),
        QJsonValue(u"user"_s),
        QJsonValue(u"all"_s),
        QJsonValue(u"n-0-1"_s),
        QJsonValue(u""_s),
        QJsonValue(QString(300, u'x')),
        QJsonValue(QString(u"a\0b"_s)),
        QJsonValue(u"caf\u00e9"_s),
        QJsonValue(true),
        QJsonValue(),
        QJsonArray{1, 2},
        QJsonArray{},
        QJsonObject{{u"a"_s, 1}},
        QJsonObject{},
    };
    const QStringList types = {u"publish"_s, u"disconnect"_s, u"analyse"_s, u"metrics"_s,
                               u"events"_s,  u"resync"_s,     u"hello"_s,   u"other"_s};
    const QStringList keys = {u"id"_s,   u"target"_s,          u"bill_id"_s,       u"user_id"_s, u"data"_s,
                              u"data"_s, u"idempotency_key"_s, u"connection_id"_s, u"since"_s,   u"limit"_s};
    QRandomGenerator random(2024);
    int accepted = 0;
    int refused = 0;
    QSet<int> acceptedKinds; // type * 10 + target of a publish
    for (int round = 0; round < 20000; ++round) {
        QJsonObject frame;
        if (random.bounded(12) != 0)
            frame.insert(u"type"_s, types.at(random.bounded(int(types.size()))));
        for (const QString &key : keys) {
            if (random.bounded(2) == 0)
                frame.insert(key, values.at(random.bounded(int(values.size()))));
        }
        // Half the publishes get a consistent target, so that each target is also accepted now and then.
        if (frame.value("type"_L1) == QJsonValue(u"publish"_s) && random.bounded(2) == 0) {
            frame.remove(u"bill_id"_s);
            frame.remove(u"user_id"_s);
            switch (random.bounded(3)) {
            case 0:
                frame.insert(u"target"_s, u"bill"_s);
                frame.insert(u"bill_id"_s, 7);
                break;
            case 1:
                frame.insert(u"target"_s, u"user"_s);
                frame.insert(u"user_id"_s, u"amy"_s);
                break;
            default:
                frame.insert(u"target"_s, u"all"_s);
                break;
            }
            if (random.bounded(2) == 0)
                frame.insert(u"data"_s, QJsonObject{{u"n"_s, round}});
        }

        const Result<ControlCommand> parsed = parseControlCommand(frame);
        if (!parsed.ok()) {
            ++refused;
            QCOMPARE(parsed.error().code, QString(ErrorCode::BadRequest));
            QVERIFY(!parsed.error().message.isEmpty());
            QVERIFY(parsed.error().message.size() < 200);
            continue;
        }
        ++accepted;
        const ControlCommand &command = *parsed;
        acceptedKinds.insert(int(command.type) * 10 +
                             (command.type == ControlCommand::Type::Publish ? int(command.target) : 0));
        QVERIFY(command.id.isUndefined() || command.id.isString() || command.id.isDouble());
        if (command.id.isString())
            QVERIFY(command.id.toString().size() <= 128);
        QVERIFY(command.since >= 0 && command.since <= MaxSafeInteger);
        QVERIFY(command.limit >= 1 && command.limit <= 1000);
        if (command.type == ControlCommand::Type::Publish && command.target == ControlCommand::Target::Bill)
            QVERIFY(command.billId >= 1 && command.billId <= MaxSafeInteger);
        if (command.type == ControlCommand::Type::Publish && command.target == ControlCommand::Target::User)
            QVERIFY(!command.userId.isEmpty() && command.userId.size() <= 256);
        if (command.type == ControlCommand::Type::Disconnect)
            QVERIFY(!command.connectionId.isEmpty() && command.connectionId.size() <= 128);
        QVERIFY(command.idempotencyKey.size() <= 255);

        const Result<ControlCommand> again = parseControlCommand(command.toJson());
        QVERIFY2(again.ok(), qPrintable(again.error().message));
        compareCommands(*again, command);
        if (QTest::currentTestFailed())
            return;
    }
    // Both outcomes were exercised, with every command type (and every publish target) among the accepted.
    QVERIFY(accepted > 500);
    QVERIFY(refused > 500);
    QCOMPARE(acceptedKinds.size(), 8);
}

QTEST_GUILESS_MAIN(TestControlMessage)
#include "tst_controlmessage.moc"
