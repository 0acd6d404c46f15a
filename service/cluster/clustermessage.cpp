#include "cluster/clustermessage.h"

#include "cluster/redisreply.h"
#include "protocol/codes.h"
#include "util/decimal.h"

#include <QList>
#include <QtEndian>

#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr char Magic[] = "W1";
constexpr int FieldCount = 10; // before the payload

Error invalid(const QString &message)
{
    return Error{QString(ErrorCode::BadRequest), u"cluster message: "_s + message};
}

bool parseCount(QByteArrayView text, qint64 &value)
{
    const std::optional<qint64> number = parseDecimal(text);
    if (number)
        value = *number;
    return number.has_value();
}

// The ids of nodes and messages are ours: short, printable ASCII.
bool isPlainId(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 128)
        return false;
    for (const char c : text) {
        if (c <= ' ' || c > '~')
            return false;
    }
    return true;
}

Result<QByteArray> unpackPayload(QByteArrayView encoding, QByteArrayView packed, qsizetype maxPayloadBytes)
{
    if (encoding == "j") {
        if (packed.size() > maxPayloadBytes)
            return invalid(u"payload of %1 bytes is above the limit of %2"_s.arg(packed.size()).arg(maxPayloadBytes));
        return QByteArray(packed.data(), packed.size());
    }
    if (encoding != "z")
        return invalid(u"unknown payload encoding"_s);
    // qUncompress trusts the size in the first four bytes: checked before it allocates.
    if (packed.size() < 4)
        return invalid(u"compressed payload is truncated"_s);
    const quint32 expanded = qFromBigEndian<quint32>(packed.data());
    if (qsizetype(expanded) > maxPayloadBytes)
        return invalid(
            u"compressed payload expands to %1 bytes, above the limit of %2"_s.arg(expanded).arg(maxPayloadBytes));
    QByteArray payload = qUncompress(reinterpret_cast<const uchar *>(packed.data()), packed.size());
    if (payload.isEmpty() && expanded != 0)
        return invalid(u"compressed payload is corrupt"_s);
    return payload;
}

} // namespace

std::pair<char, QByteArray> ClusterMessage::packPayload(const QByteArray &payload, const Compression &compression)
{
    if (compression.enabled && payload.size() > compression.threshold) {
        QByteArray packed = qCompress(payload, 6);
        if (packed.size() < payload.size())
            return {'z', packed};
    }
    return {'j', payload};
}

ClusterMessage::Parts ClusterMessage::encodeParts(const Compression &compression) const
{
    const SharedPublication &p = publication;
    const char kindCode = isEvent()                                   ? 'e'
                          : p.kind == Publication::Kind::BillUpdate   ? 'b'
                          : p.kind == Publication::Kind::Notification ? 'n'
                                                                      : 'a';
    Parts parts;
    parts.head = QByteArray(Magic) + '\n' + kindCode + '\n' + origin.toUtf8() + '\n' +
                 (isEvent() ? event.name : p.messageId).toUtf8() + '\n' + QByteArray::number(p.timestampMs) + '\n' +
                 QByteArray::number(p.billId) + '\n';
    const auto [encoding, packed] = packPayload(isEvent() ? event.payload : p.payload, compression);
    parts.tail = (isEvent() ? event.userId : p.userId).toUtf8().toPercentEncoding() + '\n' + encoding + '\n' + packed;
    return parts;
}

QByteArray ClusterMessage::encode(const Compression &compression) const
{
    const Parts parts = encodeParts(compression);
    return parts.head + QByteArray::number(publication.offset) + '\n' + QByteArray::number(publication.sequence) +
           '\n' + parts.tail;
}

Result<ClusterMessage> ClusterMessage::decode(QByteArrayView wire, qsizetype maxPayloadBytes)
{
    QList<QByteArrayView> fields;
    qsizetype start = 0;
    while (fields.size() < FieldCount) {
        const qsizetype end = wire.indexOf('\n', start);
        if (end < 0)
            return invalid(u"truncated: %1 of %2 fields"_s.arg(fields.size()).arg(FieldCount));
        fields.append(wire.sliced(start, end - start));
        start = end + 1;
    }
    if (fields.at(0) != Magic)
        return invalid(u"not a wsinfra cluster message (or another version)"_s);
    ClusterMessage message;
    const QByteArrayView kind = fields.at(1);
    if (kind == "b")
        message.publication.kind = Publication::Kind::BillUpdate;
    else if (kind == "n")
        message.publication.kind = Publication::Kind::Notification;
    else if (kind == "a" || kind == "e")
        message.publication.kind = Publication::Kind::Broadcast;
    else
        return invalid(u"unknown kind"_s);
    if (!isPlainId(fields.at(2)) || !isPlainId(fields.at(3)))
        return invalid(u"origin and message id must be printable ASCII"_s);
    message.origin = QString::fromLatin1(fields.at(2));
    message.publication.messageId = QString::fromLatin1(fields.at(3));
    if (!parseCount(fields.at(4), message.publication.timestampMs) ||
        !parseCount(fields.at(5), message.publication.billId) ||
        !parseCount(fields.at(6), message.publication.offset) ||
        !parseCount(fields.at(7), message.publication.sequence))
        return invalid(u"timestamp, bill id, offset and sequence must be decimal integers"_s);
    if (message.publication.kind == Publication::Kind::BillUpdate &&
        (message.publication.billId < 1 || message.publication.offset < 1 || message.publication.sequence < 1))
        return invalid(u"a bill update needs a bill id, an offset and a sequence"_s);
    if (fields.at(8).size() > 4096)
        return invalid(u"user id too long"_s);
    const QByteArray userId = QByteArray::fromPercentEncoding(fields.at(8).toByteArray());
    message.publication.userId = QString::fromUtf8(userId);
    if (message.publication.kind == Publication::Kind::Notification && message.publication.userId.isEmpty())
        return invalid(u"a notification needs a user id"_s);
    Result<QByteArray> payload = unpackPayload(fields.at(9), wire.sliced(start), maxPayloadBytes);
    if (!payload)
        return payload.error();
    message.publication.payload = std::move(payload).value();
    if (kind == "e") { // the fields of an event
        message.event.name = std::exchange(message.publication.messageId, QString());
        message.event.userId = std::exchange(message.publication.userId, QString());
        message.event.payload = std::exchange(message.publication.payload, QByteArray());
    }
    return message;
}

Result<ClusterMessage> ClusterMessage::fromStreamEntry(qint64 billId, const RedisReply &entry,
                                                       qsizetype maxPayloadBytes)
{
    if (!entry.isArray() || entry.elements.size() != 2 || !entry.elements.at(0).isString() ||
        !entry.elements.at(1).isArray())
        return invalid(u"a stream entry is [id, [field, value, ...]]"_s);
    ClusterMessage message;
    message.publication.kind = Publication::Kind::BillUpdate;
    message.publication.billId = billId;
    const QByteArray &id = entry.elements.at(0).string;
    const qsizetype dash = id.indexOf('-');
    if (dash < 0 || !parseCount(QByteArrayView(id).first(dash), message.publication.offset) ||
        message.publication.offset < 1)
        return invalid(u"stream entry id is not OFFSET-N"_s);
    QByteArrayView encoding;
    QByteArrayView packed;
    bool hasMessageId = false;
    bool hasSequence = false;
    const QList<RedisReply> &fields = entry.elements.at(1).elements;
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        const QByteArray &name = fields.at(i).string;
        const QByteArray &value = fields.at(i + 1).string;
        if (name == "m") {
            if (!isPlainId(value))
                return invalid(u"message id must be printable ASCII"_s);
            message.publication.messageId = QString::fromLatin1(value);
            hasMessageId = true;
        } else if (name == "t") {
            if (!parseCount(value, message.publication.timestampMs))
                return invalid(u"bad timestamp"_s);
        } else if (name == "s") {
            hasSequence = parseCount(value, message.publication.sequence) && message.publication.sequence >= 1;
            if (!hasSequence)
                return invalid(u"bad sequence"_s);
        } else if (name == "e") {
            encoding = value;
        } else if (name == "p") {
            packed = value;
        }
    }
    if (!hasMessageId || !hasSequence)
        return invalid(u"stream entry lacks its message id or sequence"_s);
    Result<QByteArray> payload = unpackPayload(encoding, packed, maxPayloadBytes);
    if (!payload)
        return payload.error();
    message.publication.payload = std::move(payload).value();
    return message;
}

} // namespace wsinfra
