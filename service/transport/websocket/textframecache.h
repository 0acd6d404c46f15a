#pragma once

#include <QByteArray>
#include <QString>

namespace wsinfra {

/// The frame of the text last sent on one thread: a publication goes to every follower as the same
/// QString, so it is converted to UTF-8 and framed once per shard, not once per recipient.
class TextFrameCache
{
public:
    /// The WebSocket text frame of `text`.
    const QByteArray &frameOf(const QString &text);

private:
    QString m_text; ///< held, so that its buffer (compared by address) cannot be reused for another text
    QByteArray m_frame;
};

} // namespace wsinfra
