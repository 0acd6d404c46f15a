#pragma once

#include "protocol/result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace wsinfra {

/// The control protocol versions this build speaks (docs/control-protocol.md).
inline constexpr int ControlProtocolVersion = 1;

/// The first frame a console sends on the control port.
struct ControlHello
{
    int version = 0;
    QString token;
    QString client; ///< free text, at most 200 characters (longer is cut, not refused)

    /// {"type":"hello","version","token","client"}
    QJsonObject toJson() const;
};

/// One validated console -> service command (docs/control-protocol.md, "Commands"). Only the fields of its
/// type (and, for a publish, of its target) are filled; the others keep their defaults.
struct ControlCommand
{
    enum class Type { Publish, Disconnect, Analyse, Metrics, Events, Resync };
    enum class Target { Bill, User, All };

    Type type = Type::Resync;
    QJsonValue id = QJsonValue(QJsonValue::Undefined); ///< string or integer; Undefined if absent
    Target target = Target::All;                       ///< Publish
    qint64 billId = 0;                                 ///< Publish to a bill: 1 .. 2^53-1
    QString userId;                                    ///< Publish to a user: non-empty, at most 256 chars
    QJsonObject data;                                  ///< Publish: the payload, a JSON object
    QString idempotencyKey; ///< Publish, optional: 1..255 printable ASCII (as the HTTP API); empty if none
    QString connectionId;   ///< Disconnect: non-empty, at most 128 chars
    qint64 since = 0;       ///< Events: 0 .. 2^53-1
    int limit = 100;        ///< Events: 1 .. 1000

    /// The frame a console sends for this command (type names as in the doc).
    QJsonObject toJson() const;
};

/// The first frame of a session. Errors: bad_request naming what is wrong ("type must be hello",
/// "version must be an integer", "token must be a string"). A version the service does not speak is NOT
/// an error here (the server answers unsupported_version); only its type is checked. Unknown extra fields
/// are ignored so that newer consoles keep working.
Result<ControlHello> parseControlHello(const QJsonObject &frame);

/// A frame after the hello. Errors: bad_request with a message naming the field; for an unknown type:
/// "unknown command \"x\"". The id is checked too (string up to 128 chars without control characters, or an
/// integer within 2^53); a bad id is itself a bad_request. Unknown extra fields are ignored.
Result<ControlCommand> parseControlCommand(const QJsonObject &frame);

/// The frame's "id" if it is one parseControlCommand accepts, Undefined otherwise: the id to repeat in the
/// error reply to a frame that parseControlCommand refused.
QJsonValue controlCommandIdOf(const QJsonObject &frame);

} // namespace wsinfra
