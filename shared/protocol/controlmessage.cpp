#include "protocol/controlmessage.h"

#include "protocol/codes.h"
#include "protocol/jsoninteger.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

// The largest integer a JavaScript console can hold exactly (Number.MAX_SAFE_INTEGER).
constexpr qint64 MaxSafeInteger = (qint64(1) << 53) - 1;
constexpr qsizetype MaxClientLength = 200;
constexpr qsizetype MaxCommandIdLength = 128;
constexpr qsizetype MaxUserIdLength = 256;
constexpr qsizetype MaxConnectionIdLength = 128;
constexpr qsizetype MaxIdempotencyKeyLength = 255;
constexpr int MaxEventsLimit = 1000;
// How much of an unknown type is quoted back in the error, so a console cannot make us echo megabytes.
constexpr qsizetype MaxQuotedTypeLength = 64;

Error badRequest(const QString &message)
{
    return Error{QString(ErrorCode::BadRequest), message};
}

bool isControlCharacter(QChar c)
{
    return c.unicode() < 0x20 || c.unicode() == 0x7f;
}

bool hasControlCharacter(QStringView text)
{
    return std::any_of(text.begin(), text.end(), isControlCharacter);
}

// At most `length` UTF-16 units of `text`, without splitting a surrogate pair.
QString cut(const QString &text, qsizetype length)
{
    if (text.size() <= length)
        return text;
    qsizetype end = length;
    if (end > 0 && text.at(end - 1).isHighSurrogate())
        --end;
    return text.left(end);
}

// A string field: 1..maxLength characters, no control characters (they can only come from a confused or hostile
// console, and these values end up in the event log and on screen).
Result<QString> identifierOf(const QJsonObject &frame, QLatin1StringView field, qsizetype maxLength)
{
    const QJsonValue value = frame.value(field);
    const QString text = value.toString();
    if (!value.isString() || text.isEmpty() || text.size() > maxLength || hasControlCharacter(text)) {
        return badRequest(
            u"%1 must be a string of 1 to %2 characters without control characters"_s.arg(field).arg(maxLength));
    }
    return text;
}

QLatin1StringView typeName(ControlCommand::Type type)
{
    switch (type) {
    case ControlCommand::Type::Publish:
        return "publish"_L1;
    case ControlCommand::Type::Disconnect:
        return "disconnect"_L1;
    case ControlCommand::Type::Analyse:
        return "analyse"_L1;
    case ControlCommand::Type::Metrics:
        return "metrics"_L1;
    case ControlCommand::Type::Events:
        return "events"_L1;
    case ControlCommand::Type::Resync:
        return "resync"_L1;
    }
    return "resync"_L1;
}

QLatin1StringView targetName(ControlCommand::Target target)
{
    switch (target) {
    case ControlCommand::Target::Bill:
        return "bill"_L1;
    case ControlCommand::Target::User:
        return "user"_L1;
    case ControlCommand::Target::All:
        return "all"_L1;
    }
    return "all"_L1;
}

std::optional<ControlCommand::Type> typeFromName(const QString &name)
{
    for (const auto type :
         {ControlCommand::Type::Publish, ControlCommand::Type::Disconnect, ControlCommand::Type::Analyse,
          ControlCommand::Type::Metrics, ControlCommand::Type::Events, ControlCommand::Type::Resync}) {
        if (name == typeName(type))
            return type;
    }
    return std::nullopt;
}

std::optional<ControlCommand::Target> targetFromName(const QString &name)
{
    for (const auto target :
         {ControlCommand::Target::Bill, ControlCommand::Target::User, ControlCommand::Target::All}) {
        if (name == targetName(target))
            return target;
    }
    return std::nullopt;
}

std::optional<Error> parsePublish(const QJsonObject &frame, ControlCommand &command)
{
    const QJsonValue targetValue = frame.value("target"_L1);
    const std::optional<ControlCommand::Target> target =
        targetValue.isString() ? targetFromName(targetValue.toString()) : std::nullopt;
    if (!target)
        return badRequest(u"target must be \"bill\", \"user\" or \"all\""_s);
    command.target = *target;

    // A field of another target is refused rather than ignored: {"target":"all","bill_id":7} is a mistake that
    // would otherwise reach every client.
    const bool hasBillId = frame.contains("bill_id"_L1);
    const bool hasUserId = frame.contains("user_id"_L1);
    if (hasBillId && command.target != ControlCommand::Target::Bill)
        return badRequest(u"bill_id is only allowed with target \"bill\""_s);
    if (hasUserId && command.target != ControlCommand::Target::User)
        return badRequest(u"user_id is only allowed with target \"user\""_s);

    if (command.target == ControlCommand::Target::Bill) {
        const std::optional<qint64> billId = jsonInteger(frame.value("bill_id"_L1), 1, MaxSafeInteger);
        if (!billId)
            return badRequest(u"bill_id must be an integer from 1 to 2^53-1"_s);
        command.billId = *billId;
    } else if (command.target == ControlCommand::Target::User) {
        const Result<QString> userId = identifierOf(frame, "user_id"_L1, MaxUserIdLength);
        if (!userId)
            return userId.error();
        command.userId = *userId;
    }

    const QJsonValue data = frame.value("data"_L1);
    if (!data.isObject())
        return badRequest(u"data must be a JSON object"_s);
    command.data = data.toObject();

    // The same rule as the HTTP API's Idempotency-Key, so a key works the same from either side.
    const QJsonValue key = frame.value("idempotency_key"_L1);
    if (!key.isUndefined()) {
        const QString text = key.toString();
        const bool printableAscii =
            std::all_of(text.begin(), text.end(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() <= 0x7e; });
        if (!key.isString() || text.isEmpty() || text.size() > MaxIdempotencyKeyLength || !printableAscii) {
            return badRequest(u"idempotency_key must be a string of 1 to %1 printable ASCII characters"_s.arg(
                MaxIdempotencyKeyLength));
        }
        command.idempotencyKey = text;
    }
    return std::nullopt;
}

std::optional<Error> parseEvents(const QJsonObject &frame, ControlCommand &command)
{
    const QJsonValue since = frame.value("since"_L1);
    if (!since.isUndefined()) {
        const std::optional<qint64> value = jsonInteger(since, 0, MaxSafeInteger);
        if (!value)
            return badRequest(u"since must be an integer from 0 to 2^53-1"_s);
        command.since = *value;
    }
    const QJsonValue limit = frame.value("limit"_L1);
    if (!limit.isUndefined()) {
        const std::optional<qint64> value = jsonInteger(limit, 1, MaxEventsLimit);
        if (!value)
            return badRequest(u"limit must be an integer from 1 to %1"_s.arg(MaxEventsLimit));
        command.limit = int(*value);
    }
    return std::nullopt;
}

} // namespace

QJsonObject ControlHello::toJson() const
{
    return QJsonObject{{u"type"_s, u"hello"_s}, {u"version"_s, version}, {u"token"_s, token}, {u"client"_s, client}};
}

QJsonObject ControlCommand::toJson() const
{
    QJsonObject frame{{u"type"_s, QString(typeName(type))}};
    if (!id.isUndefined())
        frame.insert(u"id"_s, id);
    switch (type) {
    case Type::Publish:
        frame.insert(u"target"_s, QString(targetName(target)));
        if (target == Target::Bill)
            frame.insert(u"bill_id"_s, billId);
        else if (target == Target::User)
            frame.insert(u"user_id"_s, userId);
        frame.insert(u"data"_s, data);
        if (!idempotencyKey.isEmpty())
            frame.insert(u"idempotency_key"_s, idempotencyKey);
        break;
    case Type::Disconnect:
        frame.insert(u"connection_id"_s, connectionId);
        break;
    case Type::Events:
        frame.insert(u"since"_s, since);
        frame.insert(u"limit"_s, limit);
        break;
    case Type::Analyse:
    case Type::Metrics:
    case Type::Resync:
        break;
    }
    return frame;
}

Result<ControlHello> parseControlHello(const QJsonObject &frame)
{
    const QJsonValue type = frame.value("type"_L1);
    if (!type.isString() || type.toString() != "hello"_L1)
        return badRequest(u"type must be hello"_s);

    ControlHello hello;
    // Any integer an int holds: which of them the service speaks is the server's answer (unsupported_version).
    const std::optional<qint64> version =
        jsonInteger(frame.value("version"_L1), std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    if (!version)
        return badRequest(u"version must be an integer"_s);
    hello.version = int(*version);

    const QJsonValue token = frame.value("token"_L1);
    if (!token.isString())
        return badRequest(u"token must be a string"_s);
    hello.token = token.toString();

    const QJsonValue client = frame.value("client"_L1);
    if (!client.isUndefined()) {
        if (!client.isString())
            return badRequest(u"client must be a string"_s);
        hello.client = cut(client.toString(), MaxClientLength);
    }
    return hello;
}

QJsonValue controlCommandIdOf(const QJsonObject &frame)
{
    const QJsonValue id = frame.value("id"_L1);
    if (id.isString()) {
        const QString text = id.toString();
        if (text.size() <= MaxCommandIdLength && !hasControlCharacter(text))
            return id;
        return QJsonValue(QJsonValue::Undefined);
    }
    if (jsonInteger(id, -MaxSafeInteger, MaxSafeInteger))
        return id;
    return QJsonValue(QJsonValue::Undefined);
}

Result<ControlCommand> parseControlCommand(const QJsonObject &frame)
{
    ControlCommand command;
    if (frame.contains("id"_L1)) {
        command.id = controlCommandIdOf(frame);
        if (command.id.isUndefined()) {
            return badRequest(
                u"id must be a string of at most %1 characters without control characters, or an integer within "
                u"2^53"_s.arg(MaxCommandIdLength));
        }
    }

    const QJsonValue typeValue = frame.value("type"_L1);
    if (!typeValue.isString())
        return badRequest(u"type must be a string"_s);
    const QString typeText = typeValue.toString();
    const std::optional<ControlCommand::Type> type = typeFromName(typeText);
    if (!type) {
        QString shown = cut(typeText, MaxQuotedTypeLength);
        if (shown.size() < typeText.size())
            shown += u"..."_s;
        return badRequest(u"unknown command \""_s + shown + u'"');
    }
    command.type = *type;

    std::optional<Error> error;
    switch (command.type) {
    case ControlCommand::Type::Publish:
        error = parsePublish(frame, command);
        break;
    case ControlCommand::Type::Disconnect: {
        const Result<QString> connectionId = identifierOf(frame, "connection_id"_L1, MaxConnectionIdLength);
        if (!connectionId)
            return connectionId.error();
        command.connectionId = *connectionId;
        break;
    }
    case ControlCommand::Type::Events:
        error = parseEvents(frame, command);
        break;
    case ControlCommand::Type::Analyse:
    case ControlCommand::Type::Metrics:
    case ControlCommand::Type::Resync:
        break;
    }
    if (error)
        return *error;
    return command;
}

} // namespace wsinfra
