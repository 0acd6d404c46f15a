#pragma once

#include "protocol/result.h"

#include <QString>
#include <QStringView>
#include <QtGlobal>

namespace wsinfra {

/// Where a Redis server is and how to log in to it: what a `REDIS_URL` names.
struct RedisEndpoint
{
    /// A host name or an IP address (IPv6 without the brackets of the URL).
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    /// The ACL user of `AUTH username password` (Redis 6+); empty: `AUTH password` or no AUTH.
    QString username;
    /// Empty: no AUTH.
    QString password;
    /// The logical database (`SELECT`); 0 needs no SELECT.
    int database = 0;
    /// "rediss://": the connection is TLS, with the server's certificate verified against `host`.
    bool tls = false;

    /// The endpoint as a URL for logs and the console: "redis://alice:***@10.0.0.5:6379/3" (rediss:// with TLS).
    /// Never shows the password.
    QString toDisplayString() const;

    friend bool operator==(const RedisEndpoint &, const RedisEndpoint &) = default;
};

/// Parses `redis[s]://[[username]:password@]host[:port][/db]` (redis-cli's form: a user part without a
/// colon is the password; the user part is percent-decoded; an IPv6 host goes in brackets; "rediss"
/// means TLS). Fails with ErrorCode::InvalidConfig for anything else, with a message that never
/// repeats the password.
Result<RedisEndpoint> parseRedisUrl(QStringView url);

} // namespace wsinfra
