#pragma once

#include <QLatin1StringView>
#include <QStringView>

#include <optional>

namespace wsinfra {

/// A yes/no word as wsinfra reads it everywhere (configuration, environment, query flags, the console's
/// options): true/1/yes/on and false/0/no/off, in any case; anything else is no answer.
inline std::optional<bool> parseBooleanWord(QStringView text)
{
    using namespace Qt::StringLiterals;
    for (QLatin1StringView word : {"true"_L1, "1"_L1, "yes"_L1, "on"_L1}) {
        if (text.compare(word, Qt::CaseInsensitive) == 0)
            return true;
    }
    for (QLatin1StringView word : {"false"_L1, "0"_L1, "no"_L1, "off"_L1}) {
        if (text.compare(word, Qt::CaseInsensitive) == 0)
            return false;
    }
    return std::nullopt;
}

} // namespace wsinfra
