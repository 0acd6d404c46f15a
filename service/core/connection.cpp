#include "core/connection.h"

#include "core/clienttransport.h"

namespace wsinfra {

bool Connection::send(const QString &text) const
{
    if (closing || !transport)
        return false;
    transport->sendText(text);
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
