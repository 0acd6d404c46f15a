#pragma once

#include <QLatin1StringView>
#include <QObject>
#include <QString>

namespace wsinfra {

/// What core/ needs from a client's transport: send an envelope, close with a code, keep the link
/// alive. Native WebSocket implements it over QWebSocket; Socket.IO over its Engine.IO session.
/// Transports only turn bytes into envelopes and back; all semantics live in core/.
class ClientTransport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    /// Sends one JSON envelope (compact text) whose `type` is `type`. `sequence` is the node-wide
    /// position of a bill update (Socket.IO attaches it as the recovery offset), 0 for other envelopes.
    virtual void sendText(QLatin1StringView type, const QString &text, qint64 sequence) = 0;
    /// Sends the direct answer to the client request being handled. Socket.IO answers the request's
    /// acknowledgement with it when the client asked for one; by default it is an ordinary envelope.
    virtual void sendReply(QLatin1StringView type, const QString &text) { sendText(type, text, 0); }
    /// Closes with a close code of the wire contract and a short reason.
    virtual void close(int code, const QString &reason) = 0;
    /// Transport-level keep-alive; the peer's answer is reported with alive().
    virtual void ping() = 0;
    /// Drops the link without a goodbye (a close the client never completed); closed() follows.
    virtual void abort() = 0;
    /// Bytes handed to the transport that the peer has not taken yet (socket write buffer, a polling
    /// session's queue). The shard keeps its own queue while this is high.
    virtual qint64 bufferedBytes() const { return 0; }
    /// What operators see as the connection's transport ("websocket" for the native protocol).
    virtual QLatin1StringView name() const { return QLatin1StringView("websocket"); }

signals:
    void textReceived(const QString &text);
    /// A message the transport cannot carry (binary on the native protocol).
    void unsupportedReceived();
    /// Any sign of life from the peer (a pong, a frame).
    void alive();
    /// The peer took some of the buffered bytes: more may be sent.
    void writable();
    /// The link is gone; emitted once.
    void closed();
};

} // namespace wsinfra
