#pragma once

#include <QByteArray>
#include <QLatin1StringView>
#include <QString>

namespace wsinfra {

/// The Socket.IO event last emitted on one thread, encoded once for every recipient: a publication goes
/// to each follower as the same envelope (the same QString), type and sequence, so its EVENT packet and
/// the WebSocket frame that carries it are built once per shard, not once per recipient.
class SocketIoEventCache
{
public:
    struct Event
    {
        QByteArray packet; ///< the Socket.IO EVENT packet (what an Engine.IO message carries)
        QByteArray frame;  ///< the Engine.IO message of it as a WebSocket text frame
    };

    /// The event `type` with the envelope `text` (and `sequence` as recovery offset when > 0) in namespace
    /// `nsp`.
    const Event &eventOf(QLatin1StringView type, const QString &text, qint64 sequence, const QString &nsp);
    /// The JSON arguments array of such an event: [type, envelope(, "sequence")].
    static QByteArray arguments(QLatin1StringView type, QByteArrayView envelopeUtf8, qint64 sequence);

private:
    // What the cached event was built from; the texts are held so that their buffers (compared by address)
    // cannot be reused for other texts.
    QString m_text;
    QString m_nsp;
    const char *m_type = nullptr;
    qint64 m_sequence = -1;
    Event m_event;
};

} // namespace wsinfra
