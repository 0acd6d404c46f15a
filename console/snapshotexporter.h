#pragma once

#include "protocol/result.h"

#include <QByteArray>
#include <QString>

namespace wsinfra {

class ConsoleState;

/// Writes what the console knows (ConsoleState) to a file: JSON (ConsoleState::toJson) or CSV. Files are
/// written atomically (a temporary file renamed into place), so a failed export never leaves half a file.
class SnapshotExporter
{
public:
    enum class Format { Json, Csv };

    /// The format a path asks for by its extension, `.json` or `.csv` (any case). Error: bad_request,
    /// "unknown extension ...".
    static Result<Format> formatOf(const QString &path);

    /// Writes `state` in the format of formatOf(path). Errors as formatOf and writeJson/writeCsv.
    static Result<bool> write(const ConsoleState &state, const QString &path);
    /// Writes ConsoleState::toJson(), indented. Error: unavailable, "cannot write PATH: reason".
    static Result<bool> writeJson(const ConsoleState &state, const QString &path);
    /// Writes toCsv(state). Error: unavailable, "cannot write PATH: reason".
    static Result<bool> writeCsv(const ConsoleState &state, const QString &path);

    /// CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled) in
    /// sections, each a title row ("# series"), a header row and the rows, then an empty line: the time
    /// series; the connections; the subscriptions (bill_id, subscribers, users joined with ';'); the
    /// stats as key,value.
    static QByteArray toCsv(const ConsoleState &state);
    /// One CSV field, quoted when RFC 4180 requires it.
    static QString csvField(const QString &text);
};

} // namespace wsinfra
