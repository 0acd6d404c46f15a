#pragma once

#include <QByteArray>
#include <QHostAddress>

class QObject;
class QTcpSocket;
class QThread;

namespace wsinfra {

struct HttpResponse;

/// An accepted client connection on its way from the front door to its owner (a shard, the HTTP API).
/// A plain connection travels as its bare descriptor: the front door only peeked, so its request is still
/// unread in the kernel. A TLS connection travels as its socket object: the handshake is done and the
/// decrypted request waits in the socket's buffer. Exactly one of the two is set. It is a handle, not an
/// owner: whoever receives it must adopt(), answerAndClose() or discard() it exactly once.
class IncomingSocket
{
public:
    IncomingSocket() = default;
    static IncomingSocket fromDescriptor(qintptr socketDescriptor);
    /// `socket` has no parent and lives on the calling thread.
    static IncomingSocket fromSocket(QTcpSocket *socket);

    bool isValid() const { return m_descriptor >= 0 || m_socket; }
    bool isTls() const { return m_socket != nullptr; }
    /// The plain connection's descriptor (-1 for TLS): for an owner that reads it itself.
    qintptr descriptor() const { return m_descriptor; }
    /// The same handle carrying the WebSocket upgrade the front door accepted: the length of the request
    /// still to be consumed and the Sec-WebSocket-Accept value to answer with.
    IncomingSocket withUpgrade(qsizetype headLength, const QByteArray &acceptKey) const;
    qsizetype headLength() const { return m_headLength; }
    const QByteArray &acceptKey() const { return m_acceptKey; }
    /// The TCP peer's address (a proxy's, when there is one in front).
    QHostAddress peerAddress() const;

    /// Hands a socket object over to `thread`; call it on the thread the socket lives on, before posting
    /// the handle there. A descriptor needs nothing (it belongs to no thread).
    void moveToThread(QThread *thread) const;
    /// The socket object, on the calling thread and parented to `parent`: a new QTcpSocket for a
    /// descriptor, the TLS socket itself otherwise. nullptr (and the connection closed) on failure.
    QTcpSocket *adopt(QObject *parent) const;
    /// Consumes the `consume` bytes of the request that were looked at, sends `answer` with
    /// "Connection: close" and closes without losing the answer.
    void answerAndClose(qsizetype consume, const HttpResponse &answer, QObject *parent) const;
    /// Closes the connection without a word (its owner is gone).
    void discard() const;

private:
    qintptr m_descriptor = -1;
    QTcpSocket *m_socket = nullptr;
    qsizetype m_headLength = 0;
    QByteArray m_acceptKey;
};

} // namespace wsinfra
