#pragma once

#include "protocol/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace wsinfra {

/// One Socket.IO v5 packet (https://socket.io/docs/v4/socket-io-protocol/). Binary arguments are not inlined:
/// `data` keeps the placeholders `{"_placeholder":true,"num":N}` and `attachments[N]` holds the bytes.
struct SocketIoPacket
{
    enum class Type {
        Connect = 0,
        Disconnect = 1,
        Event = 2,
        Ack = 3,
        ConnectError = 4,
        BinaryEvent = 5,
        BinaryAck = 6
    };

    Type type = Type::Event;
    QString nsp = QStringLiteral("/");
    qint64 id = -1; // ack id, -1 = none
    // CONNECT: object or undefined; EVENT/ACK: array (binary placeholders kept); CONNECT_ERROR: object or string
    QJsonValue data = QJsonValue(QJsonValue::Undefined);
    QList<QByteArray> attachments; // binary attachments, in placeholder order
};

/// Bounds of the decoder that do not depend on its configuration.
namespace SocketIoLimits {
inline constexpr qsizetype MaxNamespaceBytes = 256;
inline constexpr int MaxJsonDepth = 64;
/// The largest ack id accepted: JavaScript's Number.MAX_SAFE_INTEGER, so that every id a client can send is
/// one it can also match when it comes back.
inline constexpr qint64 MaxAckId = 9'007'199'254'740'991;
} // namespace SocketIoLimits

/// Stateful decoder (binary packets are followed by their attachments as separate binary Engine.IO messages).
/// It accepts what socket.io-parser 4.2 accepts, a little more strictly where the JavaScript parser is lax by
/// accident (an empty message is not a CONNECT, an EVENT or ACK needs its array), and bounds everything a client
/// controls: attachment count (maxAttachments), namespace length, ack id, JSON nesting. After an Error the
/// connection is meant to be closed; the decoder itself is reset and could go on.
class SocketIoDecoder
{
public:
    explicit SocketIoDecoder(int maxAttachments = 10);

    /// A text Engine.IO message. Returns a complete packet, or std::nullopt while attachments are awaited, or an Error.
    Result<std::optional<SocketIoPacket>> addText(QByteArrayView utf8);
    /// A binary Engine.IO message: the next attachment of the packet being assembled.
    Result<std::optional<SocketIoPacket>> addBinary(const QByteArray &bytes);

    /// Whether a BINARY_EVENT/BINARY_ACK is waiting for more attachments.
    bool awaitingAttachments() const { return m_pending.has_value(); }
    /// Attachments the pending packet still waits for (0 when none is pending).
    int missingAttachments() const { return m_pending ? m_expected - int(m_pending->attachments.size()) : 0; }

private:
    int m_maxAttachments;
    int m_expected = 0;
    std::optional<SocketIoPacket> m_pending;
};

/// Encodes a packet: the first element is the text message, the rest binary attachments. Packets with attachments
/// become BINARY_*; an EVENT/ACK typed BINARY_* without attachments goes out as plain EVENT/ACK. The caller puts
/// the placeholders into `data`.
QList<QByteArray> encodeSocketIoPacket(const SocketIoPacket &packet);

/// Fast path for the service: an EVENT in namespace "/" whose arguments array is already serialised JSON text, e.g.
/// `["bill_update",{...},"17"]` -> "2" + that text (no parse, no re-serialisation). ackId >= 0 -> ACK packet "3<id>" +
/// text.
QByteArray encodeEventText(QByteArrayView jsonArrayText);
QByteArray encodeAckText(qint64 ackId, QByteArrayView jsonArrayText);
/// The same in any namespace ("/" is left out as the protocol wants).
QByteArray encodeEventText(const QString &nsp, QByteArrayView jsonArrayText);
QByteArray encodeAckText(const QString &nsp, qint64 ackId, QByteArrayView jsonArrayText);
/// An EVENT that asks the client to acknowledge it with ackId (none when ackId < 0), e.g. `2/custom,12["a"]`.
QByteArray encodeEventText(const QString &nsp, qint64 ackId, QByteArrayView jsonArrayText);

} // namespace wsinfra
