// The messages nodes exchange through Redis: what one node encodes another decodes to the same
// publication (compressed or not), and whatever else arrives on the channel or in a stream (other
// versions, truncation, hostile sizes, corrupt compression) is refused with a reason, never a crash.

#include "cluster/clustermessage.h"
#include "cluster/redisbroker.h"
#include "cluster/redisreply.h"

#include <QtEndian>

#include <QTest>
#include <utility>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

constexpr qsizetype MaxPayload = 64 * 1024;

ClusterMessage billUpdate()
{
    ClusterMessage message;
    message.origin = u"node-a1"_s;
    message.publication.kind = Publication::Kind::BillUpdate;
    message.publication.messageId = u"node-a1-2f"_s;
    message.publication.timestampMs = 1'700'000'000'123;
    message.publication.billId = 7;
    message.publication.offset = 42;
    message.publication.sequence = 1001;
    message.publication.payload = R"({"status":"passed","note":"ünïcode"})";
    return message;
}

RedisReply streamEntry(const QByteArray &id, const QList<QByteArray> &fields)
{
    QList<RedisReply> values;
    for (const QByteArray &field : fields)
        values.append(RedisReply::fromString(field));
    return RedisReply::array({RedisReply::fromString(id), RedisReply::array(values)});
}

} // namespace

class TestClusterMessage : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("userId");
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<bool>("compression");
        QTest::newRow("bill update") << int(Publication::Kind::BillUpdate) << QString() << QByteArray(R"({"a":1})")
                                     << true;
        QTest::newRow("notification, user id with newline and percent")
            << int(Publication::Kind::Notification) << u"amy\n%0A\u00e9"_s << QByteArray(R"({"n":"x"})") << true;
        QTest::newRow("broadcast, large: compressed")
            << int(Publication::Kind::Broadcast) << QString()
            << QByteArray(R"({"t":")") + QByteArray(20'000, 'x') + "\"}" << true;
        QTest::newRow("large, compression off") << int(Publication::Kind::Broadcast) << QString()
                                                << QByteArray(R"({"t":")") + QByteArray(20'000, 'x') + "\"}" << false;
        QTest::newRow("payload with newlines and NUL")
            << int(Publication::Kind::Broadcast) << QString() << QByteArray("{\"t\":\"a\\nb\"}\n\0x", 15) << true;
        QTest::newRow("empty payload") << int(Publication::Kind::Broadcast) << QString() << QByteArray() << true;
    }

    void roundTrip()
    {
        QFETCH(int, kind);
        QFETCH(QString, userId);
        QFETCH(QByteArray, payload);
        QFETCH(bool, compression);
        ClusterMessage message = billUpdate();
        message.publication.kind = Publication::Kind(kind);
        message.publication.userId = userId.isEmpty() && kind == int(Publication::Kind::Notification) ? u"u"_s : userId;
        message.publication.payload = payload;
        const ClusterMessage::Compression settings{compression, 1024};
        const QByteArray wire = message.encode(settings);
        if (compression && payload.size() > 1024)
            QVERIFY2(wire.size() < payload.size() / 4, "a large repetitive payload travels compressed");
        else
            QVERIFY(wire.contains(payload));
        const Result<ClusterMessage> decoded = ClusterMessage::decode(wire, MaxPayload);
        QVERIFY2(decoded.ok(), qPrintable(decoded.error().message));
        QCOMPARE(decoded->origin, message.origin);
        const SharedPublication &p = decoded->publication;
        QCOMPARE(int(p.kind), kind);
        QCOMPARE(p.messageId, message.publication.messageId);
        QCOMPARE(p.timestampMs, message.publication.timestampMs);
        QCOMPARE(p.billId, message.publication.billId);
        QCOMPARE(p.offset, message.publication.offset);
        QCOMPARE(p.sequence, message.publication.sequence);
        QCOMPARE(p.userId, message.publication.userId);
        QCOMPARE(p.payload, payload);
    }

    // Redis puts the offset and sequence it assigns between the two parts: the same bytes as encode().
    void partsAroundTheNumbersAreTheWholeMessage()
    {
        const ClusterMessage message = billUpdate();
        const ClusterMessage::Parts parts = message.encodeParts({});
        QCOMPARE(parts.head + "42\n1001\n" + parts.tail, message.encode({}));
    }

    void hostileMessagesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("wire");
        const QByteArray good = billUpdate().encode({});
        const auto replaceField = [&good](int index, const QByteArray &value) {
            QList<QByteArray> fields = good.split('\n');
            fields[index] = value;
            return fields.join('\n');
        };
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("other version") << replaceField(0, "W2");
        QTest::newRow("garbage") << QByteArray("hello world");
        QTest::newRow("truncated after the kind") << QByteArray("W1\nb\n");
        QTest::newRow("nine fields") << good.left(good.lastIndexOf('\n', good.indexOf("\nj\n")));
        QTest::newRow("unknown kind") << replaceField(1, "x");
        QTest::newRow("empty origin") << replaceField(2, "");
        QTest::newRow("origin with a blank") << replaceField(2, "a b");
        QTest::newRow("origin not ASCII") << replaceField(2, "n\xc3\xa9");
        QTest::newRow("huge origin") << replaceField(2, QByteArray(300, 'o'));
        QTest::newRow("empty message id") << replaceField(3, "");
        QTest::newRow("negative timestamp") << replaceField(4, "-1");
        QTest::newRow("timestamp with sign") << replaceField(4, "+5");
        QTest::newRow("timestamp overflowing") << replaceField(4, "99999999999999999999");
        QTest::newRow("bill id not a number") << replaceField(5, "seven");
        QTest::newRow("bill update of bill 0") << replaceField(5, "0");
        QTest::newRow("offset 0") << replaceField(6, "0");
        QTest::newRow("offset hex") << replaceField(6, "0x10");
        QTest::newRow("sequence empty") << replaceField(7, "");
        QTest::newRow("unknown encoding") << replaceField(9, "q");
        QTest::newRow("notification without user") << replaceField(1, "n");
        QTest::newRow("user id too long") << replaceField(8, QByteArray(5000, 'u'));
        // Compressed payloads: size header above the limit (a zip bomb's promise), truncated, corrupt.
        const QByteArray head = good.left(good.indexOf("\nj\n") + 1);
        QByteArray bomb(4, '\0');
        qToBigEndian<quint32>(quint32(MaxPayload + 1), bomb.data());
        QTest::newRow("compressed payload promising too much") << head + "z\n" + bomb + "xxxx";
        QTest::newRow("compressed payload truncated") << head + "z\n" + "ab";
        QByteArray corrupt(4, '\0');
        qToBigEndian<quint32>(100, corrupt.data());
        QTest::newRow("compressed payload corrupt") << head + "z\n" + corrupt + QByteArray(20, '\x7f');
        QTest::newRow("plain payload above the limit") << head + "j\n" + QByteArray(MaxPayload + 1, 'p');
    }

    void hostileMessagesAreRefused()
    {
        QFETCH(QByteArray, wire);
        const Result<ClusterMessage> decoded = ClusterMessage::decode(wire, MaxPayload);
        QVERIFY(!decoded.ok());
        QCOMPARE(decoded.error().code, u"bad_request"_s);
        QVERIFY(decoded.error().message.startsWith("cluster message: "_L1));
    }

    void streamEntries()
    {
        const Result<ClusterMessage> entry = ClusterMessage::fromStreamEntry(
            9, streamEntry("12-1", {"m", "n-1", "t", "1700", "s", "77", "e", "j", "p", R"({"x":1})"}), MaxPayload);
        QVERIFY2(entry.ok(), qPrintable(entry.error().message));
        QCOMPARE(entry->publication.billId, 9);
        QCOMPARE(entry->publication.offset, 12);
        QCOMPARE(entry->publication.sequence, 77);
        QCOMPARE(entry->publication.messageId, u"n-1"_s);
        QCOMPARE(entry->publication.timestampMs, 1700);
        QCOMPARE(entry->publication.payload, QByteArray(R"({"x":1})"));

        const auto [encoding, packed] = ClusterMessage::packPayload(QByteArray(5000, 'y'), {true, 1024});
        QCOMPARE(encoding, 'z');
        const Result<ClusterMessage> compressed = ClusterMessage::fromStreamEntry(
            9, streamEntry("13-1", {"m", "n-2", "t", "1", "s", "78", "e", "z", "p", packed}), MaxPayload);
        QVERIFY2(compressed.ok(), qPrintable(compressed.error().message));
        QCOMPARE(compressed->publication.payload, QByteArray(5000, 'y'));
    }

    // What a node stores per user for the others: "connections:bill,bill".
    void presenceValues_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<int>("connections"); // -1: refused
        QTest::addColumn<QList<qint64>>("bills");
        QTest::newRow("no bills") << QByteArray("2:") << 2 << QList<qint64>{};
        QTest::newRow("bills") << QByteArray("1:3,7,9") << 1 << QList<qint64>{3, 7, 9};
        QTest::newRow("empty") << QByteArray() << -1 << QList<qint64>{};
        QTest::newRow("no colon") << QByteArray("3") << -1 << QList<qint64>{};
        QTest::newRow("zero connections") << QByteArray("0:") << -1 << QList<qint64>{};
        QTest::newRow("negative") << QByteArray("-1:") << -1 << QList<qint64>{};
        QTest::newRow("count not a number") << QByteArray("x:1") << -1 << QList<qint64>{};
        QTest::newRow("count overflowing") << QByteArray("99999999999:1") << -1 << QList<qint64>{};
        QTest::newRow("bill 0") << QByteArray("1:0") << -1 << QList<qint64>{};
        QTest::newRow("bill not a number") << QByteArray("1:7,x") << -1 << QList<qint64>{};
        QTest::newRow("empty bill") << QByteArray("1:7,,8") << -1 << QList<qint64>{};
        QTest::newRow("trailing comma") << QByteArray("1:7,") << -1 << QList<qint64>{};
        QTest::newRow("NUL") << QByteArray("1:7\0", 4) << -1 << QList<qint64>{};
    }

    void presenceValues()
    {
        QFETCH(QByteArray, value);
        QFETCH(int, connections);
        QFETCH(QList<qint64>, bills);
        const std::optional<UserPresence> user = RedisBroker::decodePresence(value);
        QCOMPARE(user.has_value(), connections >= 0);
        if (!user)
            return;
        QCOMPARE(user->connections, connections);
        QCOMPARE(user->bills, QSet<qint64>(bills.cbegin(), bills.cend()));
        QCOMPARE(RedisBroker::encodePresence(*user), value); // bills sorted: the same text back
    }

    void hostileStreamEntriesAreRefused()
    {
        // A table, not _data(): RedisReply (recursive) cannot be a QTest column.
        const QList<QByteArray> good{"m", "n-1", "t", "1", "s", "2", "e", "j", "p", "{}"};
        const QList<std::pair<const char *, RedisReply>> rows{
            {"not an array", RedisReply::fromString("12-1")},
            {"no fields", RedisReply::array({RedisReply::fromString("12-1")})},
            {"fields not an array", RedisReply::array({RedisReply::fromString("12-1"), RedisReply::fromString("m")})},
            {"id without dash", streamEntry("12", good)},
            {"id of offset 0", streamEntry("0-1", good)},
            {"id not a number", streamEntry("x-1", good)},
            {"no message id", streamEntry("12-1", {"t", "1", "s", "2", "e", "j", "p", "{}"})},
            {"no sequence", streamEntry("12-1", {"m", "n-1", "t", "1", "e", "j", "p", "{}"})},
            {"sequence 0", streamEntry("12-1", {"m", "n-1", "t", "1", "s", "0", "e", "j", "p", "{}"})},
            {"bad timestamp", streamEntry("12-1", {"m", "n-1", "t", "-", "s", "2", "e", "j", "p", "{}"})},
            {"no encoding", streamEntry("12-1", {"m", "n-1", "t", "1", "s", "2", "p", "{}"})},
            {"message id with blank", streamEntry("12-1", {"m", "n 1", "t", "1", "s", "2", "e", "j", "p", "{}"})},
        };
        QVERIFY(ClusterMessage::fromStreamEntry(9, streamEntry("12-1", good), MaxPayload).ok());
        for (const auto &[name, entry] : rows) {
            const Result<ClusterMessage> decoded = ClusterMessage::fromStreamEntry(9, entry, MaxPayload);
            QVERIFY2(!decoded.ok(), name);
            QVERIFY2(!decoded.error().message.isEmpty(), name);
        }
    }
};

QTEST_GUILESS_MAIN(TestClusterMessage)
#include "tst_clustermessage.moc"
