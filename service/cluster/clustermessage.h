#pragma once

#include "core/broker.h"
#include "protocol/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace wsinfra {

struct RedisReply;

/// What one node tells the others through Redis: a publication (its payload is the JSON the
/// publisher gave, the frame is built again on every node) with the cluster's offset and sequence
/// for bill updates. The same layout is written by the bill-update script inside Redis, which puts the
/// offset and sequence it assigns between head and tail (see Parts).
///
/// Wire form, fields separated by '\n': `W1`, kind (`b`, `n`, `a`; `e` for an event), origin node,
/// message id (an event's name), timestamp (ms), bill id, offset, sequence, user id
/// (percent-encoded), payload encoding (`j` as is, `z` zlib), then the payload bytes up to the end.
struct ClusterMessage
{
    struct Compression
    {
        bool enabled = true;
        qsizetype threshold = 1024; ///< payloads above this many bytes are compressed
    };
    /// The encoded message around its offset and sequence: head + offset '\n' sequence '\n' + tail.
    struct Parts
    {
        QByteArray head;
        QByteArray tail;
    };

    QString origin; ///< the node that published it
    SharedPublication publication;
    /// Set (name not empty) for an event instead of a publication.
    ClusterEvent event;
    bool isEvent() const { return !event.name.isEmpty(); }

    Parts encodeParts(const Compression &compression) const;
    QByteArray encode(const Compression &compression) const;
    /// The payload as it travels: encoding character and bytes.
    static std::pair<char, QByteArray> packPayload(const QByteArray &payload, const Compression &compression);

    /// Parses a message from another node (or anyone who can publish on the channel: every field is
    /// checked). The payload may expand to at most `maxPayloadBytes`.
    static Result<ClusterMessage> decode(QByteArrayView wire, qsizetype maxPayloadBytes);
    /// A bill update from an XRANGE entry of the bill's history stream: [id "OFFSET-1", [field, value,
    /// ...]] with fields m (message id), t (timestamp), s (sequence), e (encoding), p (payload).
    static Result<ClusterMessage> fromStreamEntry(qint64 billId, const RedisReply &entry, qsizetype maxPayloadBytes);
};

} // namespace wsinfra
