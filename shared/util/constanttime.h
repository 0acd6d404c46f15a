#pragma once

#include <QByteArrayView>

namespace wsinfra {

/// Compares secrets (signatures, API keys, control tokens) in time that depends only on their
/// lengths, so that an attacker cannot learn a secret byte by byte from response times.
inline bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

} // namespace wsinfra
