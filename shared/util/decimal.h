#pragma once

#include <QByteArrayView>

#include <limits>
#include <optional>

namespace wsinfra {

/// A non-negative decimal integer written with digits only (no sign, blanks or other bytes), as
/// protocols and stores write them; nullopt for anything else, above 2^63-1 included.
inline std::optional<qint64> parseDecimal(QByteArrayView text)
{
    if (text.isEmpty())
        return std::nullopt;
    qint64 value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const int digit = c - '0';
        if (value > (std::numeric_limits<qint64>::max() - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

} // namespace wsinfra
