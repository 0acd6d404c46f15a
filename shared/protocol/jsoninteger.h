#pragma once

#include <QJsonValue>

#include <cmath>
#include <optional>

namespace wsinfra {

/// A JSON integer within [minimum, maximum], or nullopt. Whole doubles such as 1.0 or 1e2 count:
/// JavaScript does not tell them apart from integers. The bounds must lie within the safe range (2^53).
inline std::optional<qint64> jsonInteger(const QJsonValue &value, qint64 minimum, qint64 maximum)
{
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    // The double test rules out what cannot be converted; toInteger() then is exact where the parser kept
    // the literal as an integer (9007199254740993 stays distinct from 2^53).
    if (!std::isfinite(number) || number != std::floor(number) || number < double(minimum) - 1 ||
        number > double(maximum) + 1)
        return std::nullopt;
    const qint64 integer = value.toInteger(0);
    if (integer < minimum || integer > maximum)
        return std::nullopt;
    return integer;
}

} // namespace wsinfra
