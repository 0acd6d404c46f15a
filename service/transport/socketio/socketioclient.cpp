#include "transport/socketio/socketioclient.h"

#include "transport/engineio/engineiosession.h"
#include "transport/socketio/socketiosocket.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTimer>

#include <array>
#include <utility>

Q_DECLARE_LOGGING_CATEGORY(lcSocketIo)

namespace wsinfra {

using namespace Qt::StringLiterals;

namespace {

// Socket.IO's own ids are 20 characters of base64url from 15 random bytes; ours look the same.
QString randomSocketId()
{
    std::array<quint32, 4> words;
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    const QByteArray bytes(reinterpret_cast<const char *>(words.data()), 15);
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

// Engine.IO's reasons in Socket.IO's words: the client's close packet is a transport close to Socket.IO, and a
// close the server asked for without shutting down is a forced close.
QString socketReason(const QString &engineReason)
{
    if (engineReason == "client close"_L1)
        return u"transport close"_s;
    if (engineReason == "server close"_L1)
        return u"forced close"_s;
    return engineReason;
}

} // namespace

SocketIoClient::SocketIoClient(SocketIoServer &server, EngineIoSession *engine,
                               const SocketIoServer::Settings &settings)
    : QObject(&server), m_server(server), m_engine(engine), m_decoder(settings.maxAttachments)
{
    connect(engine, &EngineIoSession::messageReceived, this, &SocketIoClient::onMessage);
    connect(engine, &EngineIoSession::binaryReceived, this, &SocketIoClient::onBinary);
    connect(engine, &EngineIoSession::closed, this, &SocketIoClient::onClosed);
    // A session deleted without closed() (its server was destroyed: a shutdown) must not leave the client behind.
    connect(engine, &QObject::destroyed, this, [this] { onClosed(u"server shutting down"_s); });
    if (settings.connectTimeoutMs > 0) {
        m_connectTimer = new QTimer(this);
        m_connectTimer->setSingleShot(true);
        m_connectTimer->setInterval(std::chrono::milliseconds(settings.connectTimeoutMs));
        connect(m_connectTimer, &QTimer::timeout, this, &SocketIoClient::onConnectTimeout);
        m_connectTimer->start();
    }
}

void SocketIoClient::sendMessages(const QList<QByteArray> &messages)
{
    if (m_closing || !m_engine || messages.isEmpty())
        return;
    m_engine->sendMessage(messages.first());
    for (qsizetype i = 1; i < messages.size(); ++i)
        m_engine->sendBinary(messages.at(i));
}

void SocketIoClient::sendSharedMessage(const QByteArray &packet, const QByteArray &webSocketFrame)
{
    if (!m_closing && m_engine)
        m_engine->sendSharedMessage(packet, webSocketFrame);
}

void SocketIoClient::forget(SocketIoSocket *socket)
{
    const auto it = m_sockets.constFind(socket->nsp());
    if (it != m_sockets.cend() && it.value() == socket)
        m_sockets.erase(it);
}

void SocketIoClient::shutdown()
{
    disconnectAll(u"server shutting down"_s);
    m_closing = true;
}

void SocketIoClient::onMessage(const QByteArray &utf8)
{
    if (m_closing)
        return;
    auto result = m_decoder.addText(utf8);
    if (!result)
        return failParse(result.error());
    if (result->has_value())
        handlePacket(**result);
}

void SocketIoClient::onBinary(const QByteArray &bytes)
{
    if (m_closing)
        return;
    auto result = m_decoder.addBinary(bytes);
    if (!result)
        return failParse(result.error());
    if (result->has_value())
        handlePacket(**result);
}

void SocketIoClient::onClosed(const QString &engineReason)
{
    if (m_connectTimer)
        m_connectTimer->stop();
    disconnectAll(socketReason(engineReason));
    m_closing = true;
    deleteLater();
}

void SocketIoClient::onConnectTimeout()
{
    // As Socket.IO does: only a client that is in no namespace at this moment is closed.
    if (m_closing || !m_sockets.isEmpty() || !m_engine)
        return;
    qCDebug(lcSocketIo) << "session" << m_engine->id() << "joined no namespace in time, closing";
    m_closing = true;
    m_engine->close();
}

void SocketIoClient::handlePacket(const SocketIoPacket &packet)
{
    using Type = SocketIoPacket::Type;
    switch (packet.type) {
    case Type::Connect:
        handleConnect(packet);
        return;
    case Type::Disconnect: {
        SocketIoSocket *socket = m_sockets.take(packet.nsp);
        if (socket)
            socket->finish(u"client namespace disconnect"_s);
        return;
    }
    case Type::Event:
    case Type::BinaryEvent: {
        SocketIoSocket *socket = m_sockets.value(packet.nsp);
        if (!socket) {
            qCDebug(lcSocketIo) << "event for namespace" << packet.nsp << "not joined, ignored";
            return;
        }
        emit socket->eventReceived(packet.data.toArray(), packet.attachments, packet.id);
        return;
    }
    case Type::Ack:
    case Type::BinaryAck: {
        // The socket knows which acks it awaits and ignores the others.
        SocketIoSocket *socket = m_sockets.value(packet.nsp);
        if (socket)
            socket->receiveAck(packet);
        else
            qCDebug(lcSocketIo) << "ack for namespace" << packet.nsp << "not joined, ignored";
        return;
    }
    case Type::ConnectError:
        // The server never receives connect errors.
        qCDebug(lcSocketIo) << "unexpected packet type" << int(packet.type) << "ignored";
        return;
    }
}

void SocketIoClient::handleConnect(const SocketIoPacket &packet)
{
    if (m_sockets.contains(packet.nsp)) {
        qCDebug(lcSocketIo) << "second CONNECT to" << packet.nsp << "ignored";
        return;
    }
    const std::optional<SocketIoServer::Namespace> space = m_server.findNamespace(packet.nsp);
    if (!space) {
        SocketIoPacket refusal;
        refusal.type = SocketIoPacket::Type::ConnectError;
        refusal.nsp = packet.nsp;
        refusal.data = QJsonObject{{u"message"_s, u"Invalid namespace"_s}};
        send(refusal);
        return;
    }

    const QJsonObject auth = packet.data.toObject();
    SocketIoServer::ConnectDecision decision;
    decision.accepted = true;
    if (space->authorize) {
        const QPointer<SocketIoClient> alive(this);
        decision = space->authorize({packet.nsp, auth, m_engine->peerAddress(), m_engine});
        // The decision may have closed the session.
        if (!alive || m_closing || !m_engine)
            return;
    }
    if (!decision.accepted) {
        QJsonObject error{{u"message"_s, decision.errorMessage}};
        if (!decision.errorData.isUndefined())
            error.insert(u"data"_s, decision.errorData);
        SocketIoPacket refusal;
        refusal.type = SocketIoPacket::Type::ConnectError;
        refusal.nsp = packet.nsp;
        refusal.data = error;
        send(refusal);
        return;
    }

    const QString id = decision.socketId.isEmpty() ? randomSocketId() : decision.socketId;
    auto *socket = new SocketIoSocket(this, id, packet.nsp, auth);
    m_sockets.insert(packet.nsp, socket);
    QJsonObject answer{{u"sid"_s, id}};
    if (!decision.pid.isEmpty())
        answer.insert(u"pid"_s, decision.pid);
    SocketIoPacket accepted;
    accepted.type = SocketIoPacket::Type::Connect;
    accepted.nsp = packet.nsp;
    accepted.data = answer;
    send(accepted);
    if (space->connected)
        space->connected(socket);
}

void SocketIoClient::failParse(const Error &error)
{
    qCDebug(lcSocketIo) << "session" << (m_engine ? m_engine->id() : QString())
                        << "sent a malformed packet:" << error.message;
    disconnectAll(u"parse error"_s);
    m_closing = true;
    if (m_engine)
        m_engine->close();
}

void SocketIoClient::disconnectAll(const QString &reason)
{
    // finish() runs the service's slots, which may disconnect other sockets: take the set first.
    const QHash<QString, SocketIoSocket *> sockets = std::exchange(m_sockets, {});
    for (SocketIoSocket *socket : sockets)
        socket->finish(reason);
}

void SocketIoClient::send(const SocketIoPacket &packet)
{
    sendMessages(encodeSocketIoPacket(packet));
}

} // namespace wsinfra
