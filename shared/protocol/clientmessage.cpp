#include "protocol/clientmessage.h"

#include "protocol/codes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// The largest integer a JavaScript client can hold exactly (Number.MAX_SAFE_INTEGER).
constexpr qint64 MaxSafeInteger = (qint64(1) << 53) - 1;
constexpr qsizetype MaxRequestIdLength = 256;
constexpr qsizetype MaxMessageIdLength = 128;
// How much of an unknown type is quoted back in the error, so a client cannot make us echo megabytes.
constexpr qsizetype MaxQuotedTypeLength = 64;

Error badRequest(const QString &message)
{
    return Error{QString(ErrorCode::BadRequest), message};
}

// A non-negative JSON integer within the safe range, or -1. Whole doubles such as 1.0 or 1e2 count: JavaScript
// does not tell them apart from integers.
qint64 safeInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return -1;
    const double number = value.toDouble();
    if (!std::isfinite(number) || number < 0 || number != std::floor(number) || number > double(MaxSafeInteger) + 1)
        return -1;
    // toInteger() is exact where the parser kept the literal as an integer (9007199254740993 stays distinct).
    const qint64 integer = value.toInteger(-1);
    return integer <= MaxSafeInteger ? integer : -1;
}

// A bill id written as a string: decimal digits as String(id) produces them (no sign, no leading zero).
qint64 billIdFromString(const QString &text)
{
    if (text.isEmpty() || text.front() == u'0')
        return -1;
    qint64 id = 0;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9')
            return -1;
        id = id * 10 + (c.unicode() - u'0');
        if (id > MaxSafeInteger)
            return -1;
    }
    return id;
}

qint64 billIdFromValue(const QJsonValue &value)
{
    if (value.isString())
        return billIdFromString(value.toString());
    const qint64 id = safeInteger(value);
    return id >= 1 ? id : -1;
}

QString quoted(const QString &text)
{
    return QChar(u'"') + text + QChar(u'"');
}

Error badBillId(const QString &field)
{
    return badRequest(quoted(field) + u" must be a positive integer (1 to 2^53-1) or a string of its digits"_s);
}

// Reads data.bill_id or data.bill_ids into message.billIds.
std::optional<Error> parseBillIds(const QJsonObject &data, const ClientMessageLimits &limits, ClientMessage &message)
{
    const QJsonValue single = data.value("bill_id"_L1);
    const QJsonValue many = data.value("bill_ids"_L1);
    if (!single.isUndefined() && !many.isUndefined())
        return badRequest(u"give either \"data.bill_id\" or \"data.bill_ids\", not both"_s);
    if (!single.isUndefined()) {
        const qint64 id = billIdFromValue(single);
        if (id < 0)
            return badBillId(u"data.bill_id"_s);
        message.billIds.append(id);
        return std::nullopt;
    }
    if (many.isUndefined())
        return badRequest(u"missing \"data.bill_id\" or \"data.bill_ids\""_s);
    if (!many.isArray())
        return badRequest(u"\"data.bill_ids\" must be an array"_s);
    const QJsonArray array = many.toArray();
    if (array.isEmpty())
        return badRequest(u"\"data.bill_ids\" must not be empty"_s);
    if (array.size() > limits.maxBillIds) {
        return badRequest(u"\"data.bill_ids\" has more than %1 entries"_s.arg(limits.maxBillIds));
    }
    QSet<qint64> seen;
    seen.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const qint64 id = billIdFromValue(array.at(i));
        if (id < 0)
            return badBillId(u"data.bill_ids[%1]"_s.arg(i));
        if (!seen.contains(id)) {
            seen.insert(id);
            message.billIds.append(id);
        }
    }
    return std::nullopt;
}

std::optional<Error> parseSince(const QJsonObject &data, ClientMessage &message)
{
    const QJsonValue since = data.value("since"_L1);
    if (since.isUndefined())
        return std::nullopt;
    if (!since.isObject())
        return badRequest(u"\"data.since\" must be an object of bill id -> offset"_s);
    const QJsonObject offsets = since.toObject();
    const QSet<qint64> subscribed(message.billIds.cbegin(), message.billIds.cend());
    for (auto it = offsets.constBegin(); it != offsets.constEnd(); ++it) {
        const QString field = u"data.since."_s + it.key().left(MaxQuotedTypeLength);
        const qint64 id = billIdFromString(it.key());
        if (id < 0)
            return badRequest(quoted(field) + u": keys must be bill ids"_s);
        if (!subscribed.contains(id))
            return badRequest(quoted(field) + u": bill is not being subscribed"_s);
        const qint64 offset = safeInteger(it.value());
        if (offset < 0)
            return badRequest(quoted(field) + u" must be a non-negative integer"_s);
        message.since.insert(id, offset);
    }
    return std::nullopt;
}

// One message id of an ack, or an error naming `field`.
Result<QString> messageIdOf(const QJsonValue &value, const QString &field)
{
    if (!value.isString())
        return badRequest(quoted(field) + u" must be a string"_s);
    const QString messageId = value.toString();
    if (messageId.isEmpty() || messageId.size() > MaxMessageIdLength)
        return badRequest(quoted(field) + u" must have 1 to %1 characters"_s.arg(MaxMessageIdLength));
    // Message ids are ours; control characters can only come from a confused or hostile client.
    const bool hasControl = std::any_of(messageId.begin(), messageId.end(),
                                        [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
    if (hasControl)
        return badRequest(quoted(field) + u" contains a control character"_s);
    return messageId;
}

// Reads data.message_id or data.message_ids into message.messageIds.
std::optional<Error> parseMessageIds(const QJsonObject &data, const ClientMessageLimits &limits, ClientMessage &message)
{
    const QJsonValue single = data.value("message_id"_L1);
    const QJsonValue many = data.value("message_ids"_L1);
    if (!single.isUndefined() && !many.isUndefined())
        return badRequest(u"give either \"data.message_id\" or \"data.message_ids\", not both"_s);
    if (many.isUndefined()) {
        const Result<QString> messageId = messageIdOf(single, u"data.message_id"_s);
        if (!messageId)
            return messageId.error();
        message.messageIds.append(*messageId);
        return std::nullopt;
    }
    if (!many.isArray())
        return badRequest(u"\"data.message_ids\" must be an array"_s);
    const QJsonArray array = many.toArray();
    if (array.isEmpty())
        return badRequest(u"\"data.message_ids\" must not be empty"_s);
    if (array.size() > limits.maxMessageIds)
        return badRequest(u"\"data.message_ids\" has more than %1 entries"_s.arg(limits.maxMessageIds));
    QSet<QString> seen;
    seen.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const Result<QString> messageId = messageIdOf(array.at(i), u"data.message_ids[%1]"_s.arg(i));
        if (!messageId)
            return messageId.error();
        if (!seen.contains(*messageId)) {
            seen.insert(*messageId);
            message.messageIds.append(*messageId);
        }
    }
    return std::nullopt;
}

// RFC 8259 allows no unescaped control characters in strings and only SP, HTAB, CR and LF between tokens. QJson
// lets raw control characters through inside strings, so they are caught here before they reach message ids.
bool hasRawControlCharacter(QByteArrayView text)
{
    bool inString = false;
    bool escaped = false;
    for (const char c : text) {
        const auto byte = static_cast<uchar>(c);
        if (byte < 0x20 && (inString || (c != '\t' && c != '\n' && c != '\r')))
            return true;
        if (escaped)
            escaped = false;
        else if (inString && c == '\\')
            escaped = true;
        else if (c == '"')
            inString = !inString;
    }
    return false;
}

} // namespace

Result<QJsonObject> parseJsonObject(QByteArrayView text, const ClientMessageLimits &limits)
{
    if (text.size() > limits.maxBytes)
        return badRequest(u"message larger than %1 bytes"_s.arg(limits.maxBytes));
    if (hasRawControlCharacter(text))
        return badRequest(u"message is not valid JSON: unescaped control character"_s);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return badRequest(u"message is not valid JSON: "_s + parseError.errorString());
    if (!document.isObject())
        return badRequest(u"message must be a JSON object"_s);
    return document.object();
}

QJsonValue requestIdOf(const QJsonObject &object)
{
    const QJsonValue id = object.value("id"_L1);
    if (id.isString() && id.toString().size() <= MaxRequestIdLength)
        return id;
    if (id.isDouble() && std::isfinite(id.toDouble()))
        return id;
    return QJsonValue(QJsonValue::Undefined);
}

Result<ClientMessage> parseClientMessage(const QJsonObject &object, const ClientMessageLimits &limits)
{
    ClientMessage message;
    const QJsonValue id = object.value("id"_L1);
    if (!id.isUndefined()) {
        message.id = requestIdOf(object);
        if (message.id.isUndefined())
            return badRequest(
                u"\"id\" must be a string of at most %1 characters or a number"_s.arg(MaxRequestIdLength));
    }

    const QJsonValue typeValue = object.value("type"_L1);
    if (typeValue.isUndefined())
        return badRequest(u"missing \"type\""_s);
    if (!typeValue.isString())
        return badRequest(u"\"type\" must be a string"_s);
    const QString type = typeValue.toString();
    if (type == "subscribe"_L1) {
        message.type = ClientMessageType::Subscribe;
    } else if (type == "unsubscribe"_L1) {
        message.type = ClientMessageType::Unsubscribe;
    } else if (type == "ping"_L1) {
        message.type = ClientMessageType::Ping;
        return message;
    } else if (type == "ack"_L1) {
        message.type = ClientMessageType::Ack;
    } else {
        const QString shown = type.size() > MaxQuotedTypeLength ? type.left(MaxQuotedTypeLength) + u"..."_s : type;
        return badRequest(u"unknown message type "_s + quoted(shown));
    }

    const QJsonValue dataValue = object.value("data"_L1);
    if (!dataValue.isObject())
        return badRequest(u"\"data\" must be an object"_s);
    const QJsonObject data = dataValue.toObject();
    if (message.type == ClientMessageType::Ack) {
        if (auto error = parseMessageIds(data, limits, message))
            return *error;
        return message;
    }
    if (auto error = parseBillIds(data, limits, message))
        return *error;
    if (message.type == ClientMessageType::Subscribe) {
        if (auto error = parseSince(data, message))
            return *error;
    }
    return message;
}

} // namespace wsinfra
