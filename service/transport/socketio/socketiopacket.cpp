#include "transport/socketio/socketiopacket.h"

#include "protocol/codes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QStringDecoder>

#include <algorithm>
#include <array>
#include <cmath>

namespace wsinfra {

using namespace Qt::StringLiterals;

namespace {

using Type = SocketIoPacket::Type;

// Event names the JavaScript side gives a meaning of its own; a client must not be able to fake them.
constexpr std::array ReservedEvents{"connect"_L1,       "connect_error"_L1, "disconnect"_L1,
                                    "disconnecting"_L1, "newListener"_L1,   "removeListener"_L1};

// Digits beyond these can only be an attack: more than any maxAttachments, more than MaxAckId.
constexpr int MaxAttachmentDigits = 6;
constexpr int MaxAckIdDigits = 16;

Error malformed(const QString &message)
{
    return Error{QString(ErrorCode::BadRequest), message};
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isBinaryType(Type type)
{
    return type == Type::BinaryEvent || type == Type::BinaryAck;
}

// Checks nesting depth everywhere and, in a binary packet (attachmentCount >= 0), that every placeholder points
// at an attachment that will come, as socket.io-parser's reconstruction does.
bool checkValue(const QJsonValue &value, int depth, int attachmentCount, QString &why)
{
    if (!value.isArray() && !value.isObject())
        return true;
    if (depth > SocketIoLimits::MaxJsonDepth) {
        why = u"JSON nested deeper than %1 levels"_s.arg(SocketIoLimits::MaxJsonDepth);
        return false;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (const QJsonValue &element : array) {
            if (!checkValue(element, depth + 1, attachmentCount, why))
                return false;
        }
        return true;
    }
    const QJsonObject object = value.toObject();
    if (attachmentCount >= 0 && object.value("_placeholder"_L1) == QJsonValue(true)) {
        const QJsonValue num = object.value("num"_L1);
        const double index = num.toDouble(-1);
        if (!num.isDouble() || index < 0 || index >= attachmentCount || std::floor(index) != index) {
            why = u"a binary placeholder refers to no attachment"_s;
            return false;
        }
        return true;
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!checkValue(it.value(), depth + 1, attachmentCount, why))
            return false;
    }
    return true;
}

// JSON.parse accepts any value at the top, QJsonDocument only objects and arrays: parse it inside an array.
Result<QJsonValue> parsePayload(QByteArrayView payload)
{
    QByteArray wrapped;
    wrapped.reserve(payload.size() + 2);
    wrapped.append('[').append(payload).append(']');
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError || !document.isArray())
        return malformed(u"the payload is not valid JSON: "_s + error.errorString());
    const QJsonArray array = document.array();
    if (array.size() != 1)
        return malformed(u"the payload is not one JSON value"_s);
    return array.first();
}

bool isPayloadValid(Type type, const QJsonValue &data)
{
    switch (type) {
    case Type::Connect:
        return data.isUndefined() || data.isObject();
    case Type::Disconnect:
        return data.isUndefined();
    case Type::ConnectError:
        return data.isUndefined() || data.isString() || data.isObject();
    case Type::Event:
    case Type::BinaryEvent: {
        if (!data.isArray())
            return false;
        const QJsonArray arguments = data.toArray();
        if (arguments.isEmpty())
            return false;
        const QJsonValue name = arguments.first();
        if (name.isDouble())
            return true;
        if (!name.isString())
            return false;
        const QString text = name.toString();
        return std::none_of(ReservedEvents.begin(), ReservedEvents.end(),
                            [&text](QLatin1StringView reserved) { return text == reserved; });
    }
    case Type::Ack:
    case Type::BinaryAck:
        return data.isArray();
    }
    return false;
}

// One text message on its own; a binary packet comes back with the count of attachments to wait for.
Result<SocketIoPacket> decodeText(QByteArrayView text, int maxAttachments, int &expectedAttachments)
{
    expectedAttachments = 0;
    if (text.isEmpty())
        return malformed(u"empty packet"_s);
    const char typeDigit = text.at(0);
    if (typeDigit < '0' || typeDigit > '6')
        return malformed(u"unknown packet type"_s);
    SocketIoPacket packet;
    packet.type = Type(typeDigit - '0');
    qsizetype i = 1;

    if (isBinaryType(packet.type)) {
        const qsizetype start = i;
        while (i < text.size() && isDigit(text.at(i)) && i - start < MaxAttachmentDigits)
            ++i;
        if (i == start || i >= text.size() || text.at(i) != '-')
            return malformed(u"illegal attachment count"_s);
        const qint64 count = text.sliced(start, i - start).toLongLong();
        if (count < 1)
            return malformed(u"illegal attachment count"_s);
        if (count > maxAttachments)
            return malformed(u"too many attachments"_s);
        expectedAttachments = int(count);
        ++i; // '-'
    }

    if (i < text.size() && text.at(i) == '/') {
        const qsizetype start = i;
        while (i < text.size() && text.at(i) != ',') {
            if (i - start >= SocketIoLimits::MaxNamespaceBytes)
                return malformed(u"namespace too long"_s);
            ++i;
        }
        QStringDecoder toUtf16(QStringDecoder::Utf8);
        packet.nsp = toUtf16(text.sliced(start, i - start));
        if (toUtf16.hasError())
            return malformed(u"namespace is not UTF-8"_s);
        if (i < text.size())
            ++i; // ','
    }

    if (i < text.size() && isDigit(text.at(i))) {
        const qsizetype start = i;
        while (i < text.size() && isDigit(text.at(i))) {
            if (i - start >= MaxAckIdDigits)
                return malformed(u"ack id too large"_s);
            ++i;
        }
        packet.id = text.sliced(start, i - start).toLongLong();
        if (packet.id > SocketIoLimits::MaxAckId)
            return malformed(u"ack id too large"_s);
    }

    if (i < text.size()) {
        Result<QJsonValue> data = parsePayload(text.sliced(i));
        if (!data)
            return data.error();
        packet.data = std::move(data).value();
    }
    if (!isPayloadValid(packet.type, packet.data))
        return malformed(u"invalid payload for the packet type"_s);
    QString why;
    if (!checkValue(packet.data, 1, isBinaryType(packet.type) ? expectedAttachments : -1, why))
        return malformed(why);
    return packet;
}

QByteArray serialize(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.sliced(1, wrapped.size() - 2);
}

void appendNamespace(QByteArray &text, const QString &nsp)
{
    if (!nsp.isEmpty() && nsp != "/"_L1)
        text.append(nsp.toUtf8()).append(',');
}

} // namespace

SocketIoDecoder::SocketIoDecoder(int maxAttachments) : m_maxAttachments(maxAttachments) {}

Result<std::optional<SocketIoPacket>> SocketIoDecoder::addText(QByteArrayView utf8)
{
    if (m_pending) {
        m_pending.reset();
        return malformed(u"text message while binary attachments were awaited"_s);
    }
    int expected = 0;
    Result<SocketIoPacket> packet = decodeText(utf8, m_maxAttachments, expected);
    if (!packet)
        return packet.error();
    if (expected == 0)
        return std::optional<SocketIoPacket>(std::move(packet).value());
    m_expected = expected;
    m_pending = std::move(packet).value();
    m_pending->attachments.reserve(expected);
    return std::optional<SocketIoPacket>();
}

Result<std::optional<SocketIoPacket>> SocketIoDecoder::addBinary(const QByteArray &bytes)
{
    if (!m_pending)
        return malformed(u"binary message without a packet awaiting attachments"_s);
    m_pending->attachments.append(bytes);
    if (m_pending->attachments.size() < m_expected)
        return std::optional<SocketIoPacket>();
    std::optional<SocketIoPacket> complete = std::move(m_pending);
    m_pending.reset();
    m_expected = 0;
    return complete;
}

QList<QByteArray> encodeSocketIoPacket(const SocketIoPacket &packet)
{
    Type type = packet.type;
    const bool carriesAttachments = type == Type::Event || type == Type::Ack || isBinaryType(type);
    const bool binary = carriesAttachments && !packet.attachments.isEmpty();
    if (binary && type == Type::Event)
        type = Type::BinaryEvent;
    else if (binary && type == Type::Ack)
        type = Type::BinaryAck;
    else if (!binary && type == Type::BinaryEvent)
        type = Type::Event;
    else if (!binary && type == Type::BinaryAck)
        type = Type::Ack;

    QByteArray text;
    text.append(char('0' + int(type)));
    if (binary)
        text.append(QByteArray::number(packet.attachments.size())).append('-');
    appendNamespace(text, packet.nsp);
    if (packet.id >= 0)
        text.append(QByteArray::number(packet.id));
    if (!packet.data.isUndefined() && !packet.data.isNull())
        text.append(serialize(packet.data));

    QList<QByteArray> messages{text};
    if (binary)
        messages.append(packet.attachments);
    return messages;
}

QByteArray encodeEventText(QByteArrayView jsonArrayText)
{
    return encodeEventText(u"/"_s, jsonArrayText);
}

QByteArray encodeAckText(qint64 ackId, QByteArrayView jsonArrayText)
{
    return encodeAckText(u"/"_s, ackId, jsonArrayText);
}

namespace {

// EVENT and ACK packets whose arguments array is already JSON text: "<type>[<nsp>,][<id>]<arguments>".
QByteArray encodeArgumentsText(SocketIoPacket::Type type, const QString &nsp, qint64 ackId,
                               QByteArrayView jsonArrayText)
{
    QByteArray text;
    text.reserve(jsonArrayText.size() + 21);
    text.append(char('0' + int(type)));
    appendNamespace(text, nsp);
    if (ackId >= 0)
        text.append(QByteArray::number(ackId));
    text.append(jsonArrayText);
    return text;
}

} // namespace

QByteArray encodeEventText(const QString &nsp, QByteArrayView jsonArrayText)
{
    return encodeEventText(nsp, -1, jsonArrayText);
}

QByteArray encodeEventText(const QString &nsp, qint64 ackId, QByteArrayView jsonArrayText)
{
    return encodeArgumentsText(SocketIoPacket::Type::Event, nsp, ackId, jsonArrayText);
}

QByteArray encodeAckText(const QString &nsp, qint64 ackId, QByteArrayView jsonArrayText)
{
    return encodeArgumentsText(SocketIoPacket::Type::Ack, nsp, ackId, jsonArrayText);
}

} // namespace wsinfra
