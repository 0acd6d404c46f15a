// configvalue.h: the text form of one configuration value, read and written: integers, booleans, byte
// sizes and durations with their units, the checks on IP addresses and redis URLs, and the canonical
// form a value is printed in. Pure functions without state; ConfigLoader does the layering around them.
#pragma once

#include "core/configschema.h"
#include "protocol/result.h"

#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <optional>

namespace wsinfra {

/// Factors of the units a value may carry: durations count milliseconds, sizes bytes (1KB = 1024 bytes).
namespace ConfigUnit {
inline constexpr qint64 Second = 1000;
inline constexpr qint64 Minute = 60 * Second;
inline constexpr qint64 Hour = 60 * Minute;
inline constexpr qint64 Day = 24 * Hour;
inline constexpr qint64 KiB = 1024;
inline constexpr qint64 MiB = 1024 * KiB;
inline constexpr qint64 GiB = 1024 * MiB;
inline constexpr qint64 TiB = 1024 * GiB;
} // namespace ConfigUnit

/// Reads what a user writes for an option of the schema ("8080", "yes", "64KB", "30s",
/// "redis://host:6379/2") and writes a value back in the same syntax. A value that does not fit
/// the option fails with mismatch(), whose message says what the option accepts; the caller adds
/// which value it was and where it came from.
class ConfigValue
{
public:
    /// Reads the text of an Int, Bool, Bytes or Milliseconds option as a number in the option's range (a
    /// bool as 1 or 0), ignoring blanks around it. Only Bytes ("64KB", "2GiB") and Milliseconds ("250ms",
    /// "30s", "5m", "1h", "7d") take a unit; without one the number counts bytes or milliseconds.
    static Result<qint64> parseNumber(const ConfigOption &option, QStringView text);

    /// A JSON number given for a numeric option: a whole number in the option's range.
    static Result<qint64> fromJsonNumber(const ConfigOption &option, double number);

    /// Checks the text of a String option against its ConfigCheck and returns it unchanged (not trimmed:
    /// blanks around an address are a mistake, not padding).
    static Result<QString> parseText(const ConfigOption &option, const QString &text);

    /// The error for a value the option does not accept: InvalidConfig, with a message such as
    /// "expected an integer from 0 to 65535".
    static Error mismatch(const ConfigOption &option);

    /// A size in its largest exact unit ("64KB", "1MB"), as a plain number of bytes when none divides it.
    static QString formatSize(qint64 bytes);

    /// A duration in its largest exact unit ("30s", "24h"), in milliseconds ("1500ms") when none divides it.
    static QString formatDuration(qint64 ms);

    /// The URL with its password (or, without a ':', its whole user info) replaced by "***". Masks too
    /// much rather than too little: everything up to the last '@' counts as user info.
    static QString maskUrlPassword(const QString &url);
};

} // namespace wsinfra
