#include "core/connection.h"

#include "core/clienttransport.h"

namespace wsinfra {

bool Connection::send(QLatin1StringView type, const QString &text, qint64 sequence) const
{
    if (closing || !transport)
        return false;
    transport->sendText(type, text, sequence);
    return true;
}

bool Connection::reply(QLatin1StringView type, const QString &text) const
{
    if (closing || !transport)
        return false;
    transport->sendReply(type, text);
    return true;
}

void Connection::close(int code, const QString &reason)
{
    if (closing)
        return;
    closing = true;
    if (transport)
        transport->close(code, reason);
}

} // namespace wsinfra
