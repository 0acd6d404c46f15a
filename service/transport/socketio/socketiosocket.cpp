#include "transport/socketio/socketiosocket.h"

#include "transport/engineio/engineiosession.h"
#include "transport/socketio/socketioclient.h"
#include "transport/socketio/socketiopacket.h"

namespace wsinfra {

SocketIoSocket::SocketIoSocket(SocketIoClient *client, const QString &id, const QString &nsp, const QJsonObject &auth)
    : QObject(client), m_client(client), m_id(id), m_nsp(nsp), m_auth(auth)
{
}

SocketIoSocket::~SocketIoSocket()
{
    // Deleted by someone else while still joined: the client must not keep a dangling pointer.
    if (m_client)
        m_client->forget(this);
}

EngineIoSession *SocketIoSocket::engine() const
{
    return m_client ? m_client->engine() : nullptr;
}

void SocketIoSocket::emitEvent(const QJsonArray &arguments, const QList<QByteArray> &attachments)
{
    SocketIoPacket packet;
    packet.type = SocketIoPacket::Type::Event;
    packet.nsp = m_nsp;
    packet.data = arguments;
    packet.attachments = attachments;
    sendMessages(encodeSocketIoPacket(packet));
}

void SocketIoSocket::emitEventText(QByteArrayView jsonArrayText)
{
    sendMessages({encodeEventText(m_nsp, jsonArrayText)});
}

void SocketIoSocket::emitSharedEvent(const QByteArray &packet, const QByteArray &webSocketFrame)
{
    if (m_connected && m_client)
        m_client->sendSharedMessage(packet, webSocketFrame);
}

qint64 SocketIoSocket::emitEventTextWithAck(QByteArrayView jsonArrayText)
{
    if (!m_connected || !m_client)
        return -1;
    const qint64 ackId = m_nextAckId++;
    m_awaitedAcks.insert(ackId);
    if (qsizetype(m_awaitedAcks.size()) > MaxAwaitedAcks)
        m_awaitedAcks.erase(m_awaitedAcks.begin());
    sendMessages({encodeEventText(m_nsp, ackId, jsonArrayText)});
    return ackId;
}

void SocketIoSocket::sendAck(qint64 ackId, const QJsonArray &arguments, const QList<QByteArray> &attachments)
{
    SocketIoPacket packet;
    packet.type = SocketIoPacket::Type::Ack;
    packet.nsp = m_nsp;
    packet.id = ackId;
    packet.data = arguments;
    packet.attachments = attachments;
    sendMessages(encodeSocketIoPacket(packet));
}

void SocketIoSocket::sendAckText(qint64 ackId, QByteArrayView jsonArrayText)
{
    sendMessages({encodeAckText(m_nsp, ackId, jsonArrayText)});
}

void SocketIoSocket::disconnect()
{
    if (!m_connected)
        return;
    SocketIoPacket packet;
    packet.type = SocketIoPacket::Type::Disconnect;
    packet.nsp = m_nsp;
    sendMessages(encodeSocketIoPacket(packet));
    if (m_client)
        m_client->forget(this);
    finish(QStringLiteral("server namespace disconnect"));
}

void SocketIoSocket::finish(const QString &reason)
{
    if (!m_connected)
        return;
    m_connected = false;
    emit disconnected(reason);
    deleteLater();
}

void SocketIoSocket::receiveAck(const SocketIoPacket &packet)
{
    // Only what this socket asked for, once: an unknown, forgotten or repeated id means nothing to the service.
    if (!m_connected || m_awaitedAcks.erase(packet.id) == 0)
        return;
    emit ackReceived(packet.id, packet.data.toArray(), packet.attachments);
}

void SocketIoSocket::sendMessages(const QList<QByteArray> &messages)
{
    if (m_connected && m_client)
        m_client->sendMessages(messages);
}

} // namespace wsinfra
