#pragma once

#include <QByteArray>
#include <QLatin1StringView>
#include <QList>
#include <QtGlobal>

struct redisReply;

namespace wsinfra {

/// A value copy of a hiredis `redisReply`, safe to keep after hiredis has freed its own.
struct RedisReply
{
    enum class Type { Nil, Status, Error, Integer, String, Array };

    Type type = Type::Nil;
    qint64 integer = 0;
    /// The text of a Status or an Error, the bytes of a String.
    QByteArray string;
    /// The elements of an Array (which may themselves be Nil, Error, ...).
    QList<RedisReply> elements;

    /// A copy of `reply`, its elements included; Nil for a null pointer.
    static RedisReply fromHiredis(const redisReply *reply);

    static RedisReply nil() { return {}; }
    static RedisReply status(const QByteArray &text) { return {Type::Status, 0, text, {}}; }
    static RedisReply error(const QByteArray &text) { return {Type::Error, 0, text, {}}; }
    static RedisReply fromInteger(qint64 value) { return {Type::Integer, value, {}, {}}; }
    static RedisReply fromString(const QByteArray &bytes) { return {Type::String, 0, bytes, {}}; }
    static RedisReply array(const QList<RedisReply> &elements) { return {Type::Array, 0, {}, elements}; }

    bool isNil() const { return type == Type::Nil; }
    bool isStatus() const { return type == Type::Status; }
    bool isError() const { return type == Type::Error; }
    bool isInteger() const { return type == Type::Integer; }
    bool isString() const { return type == Type::String; }
    bool isArray() const { return type == Type::Array; }

    /// "nil", "status", "error", "integer", "string", "array" (for logs and test failures).
    static QLatin1StringView typeName(Type type);

    friend bool operator==(const RedisReply &, const RedisReply &) = default;
};

} // namespace wsinfra
