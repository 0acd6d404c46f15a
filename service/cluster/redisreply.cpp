#include "redisreply.h"

#include <hiredis/hiredis.h>

namespace wsinfra {

RedisReply RedisReply::fromHiredis(const redisReply *reply)
{
    RedisReply copy;
    if (!reply)
        return copy;
    switch (reply->type) {
    case REDIS_REPLY_STATUS:
        copy.type = Type::Status;
        copy.string = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_ERROR:
        copy.type = Type::Error;
        copy.string = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_STRING:
        copy.type = Type::String;
        copy.string = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_INTEGER:
        copy.type = Type::Integer;
        copy.integer = reply->integer;
        break;
    case REDIS_REPLY_ARRAY:
        // hiredis' reader nests at most 7 levels deep, so the recursion is bounded.
        copy.type = Type::Array;
        copy.elements.reserve(qsizetype(reply->elements));
        for (size_t i = 0; i < reply->elements; ++i)
            copy.elements.append(fromHiredis(reply->element[i]));
        break;
    default: // REDIS_REPLY_NIL, and anything a later hiredis adds
        break;
    }
    return copy;
}

QLatin1StringView RedisReply::typeName(Type type)
{
    switch (type) {
    case Type::Nil:
        return QLatin1StringView("nil");
    case Type::Status:
        return QLatin1StringView("status");
    case Type::Error:
        return QLatin1StringView("error");
    case Type::Integer:
        return QLatin1StringView("integer");
    case Type::String:
        return QLatin1StringView("string");
    case Type::Array:
        return QLatin1StringView("array");
    }
    return QLatin1StringView("unknown");
}

} // namespace wsinfra
