#include "transport/socketiotransport.h"

#include "protocol/codes.h"
#include "protocol/servermessage.h"
#include "transport/engineio/engineiosession.h"
#include "transport/socketio/socketiosocket.h"
#include "transport/socketioeventcache.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace wsinfra {

SocketIoTransport::SocketIoTransport(SocketIoSocket *socket, SocketIoEventCache *events, QObject *parent)
    : ClientTransport(parent), m_socket(socket), m_events(events)
{
    connect(socket, &SocketIoSocket::eventReceived, this, &SocketIoTransport::onEvent);
    connect(socket, &SocketIoSocket::ackReceived, this, &SocketIoTransport::onAck);
    connect(socket, &SocketIoSocket::disconnected, this, [this] {
        if (m_closed)
            return;
        m_closed = true;
        // The shard frees the connection on closed(); the disconnect may come from inside a handler
        // still working on that connection (a close it decided on), so report it from the event loop.
        QTimer::singleShot(0, this, &ClientTransport::closed);
    });
}

SocketIoTransport::~SocketIoTransport()
{
    if (m_socket)
        m_socket->disconnect(this);
}

void SocketIoTransport::sendText(QLatin1StringView type, const QString &text, qint64 sequence)
{
    if (m_closed || !m_socket)
        return;
    if (type != ServerMessage::Type::Notification && m_events) {
        const SocketIoEventCache::Event &event = m_events->eventOf(type, text, sequence, m_socket->nsp());
        m_socket->emitSharedEvent(event.packet, event.frame);
        return;
    }
    const QByteArray utf8 = text.toUtf8();
    const QByteArray arguments = SocketIoEventCache::arguments(type, utf8, sequence);
    if (type == ServerMessage::Type::Notification) {
        // The frame is ours, so its message_id is there; notifications are rare enough to parse them
        // rather than change what the core hands every transport.
        const QString messageId = QJsonDocument::fromJson(utf8).object().value("message_id"_L1).toString();
        if (!messageId.isEmpty()) {
            const qint64 ackId = m_socket->emitEventTextWithAck(arguments);
            if (ackId >= 0) {
                m_notificationAcks.emplace(ackId, messageId);
                if (qsizetype(m_notificationAcks.size()) > SocketIoSocket::MaxAwaitedAcks)
                    m_notificationAcks.erase(m_notificationAcks.begin());
            }
            return;
        }
    }
    m_socket->emitEventText(arguments);
}

void SocketIoTransport::sendReply(QLatin1StringView type, const QString &text)
{
    if (m_pendingAck < 0) {
        sendText(type, text, 0);
        return;
    }
    const qint64 ackId = std::exchange(m_pendingAck, -1);
    if (m_closed || !m_socket)
        return;
    m_socket->sendAckText(ackId, QByteArray('[' + text.toUtf8() + ']'));
}

void SocketIoTransport::close(int code, const QString &reason)
{
    if (m_closing || m_closed || !m_socket)
        return;
    m_closing = true;
    const QJsonObject notice{{u"type"_s, QString(ServerMessage::Type::Error)},
                             {u"code"_s, QString(ErrorCode::ConnectionClosed)},
                             {u"message"_s, reason},
                             {u"close_code"_s, code}};
    sendText(ServerMessage::Type::Error, ServerMessage::encode(notice), 0);
    if (code >= 4500) {
        m_socket->disconnect(); // a DISCONNECT packet is handled in order with the events before it
        return;
    }
    // socket.io-client hands decoded events to the application one tick later but handles an Engine.IO
    // close at once, so an event that arrives in the same read as the close is dropped. End the session
    // a moment after the notice went out, so that they never share a read (or a polling answer).
    QTimer::singleShot(CloseNoticeDelayMs, this, [this] {
        if (m_closed || !m_socket)
            return;
        if (EngineIoSession *engine = m_socket->engine())
            engine->close();
        else
            m_socket->disconnect();
    });
}

qint64 SocketIoTransport::bufferedBytes() const
{
    const EngineIoSession *engine = m_socket ? m_socket->engine() : nullptr;
    return engine ? engine->queuedBytes() : 0;
}

void SocketIoTransport::abort()
{
    if (m_closed || !m_socket)
        return;
    if (EngineIoSession *engine = m_socket->engine())
        engine->close();
    else
        m_socket->disconnect();
}

void SocketIoTransport::ping()
{
    if (!m_closed && m_socket)
        emit alive();
}

QString SocketIoTransport::envelopeOf(const QJsonArray &arguments)
{
    const QString name = arguments.at(0).toString();
    const QJsonValue payload = arguments.at(1);
    if (name == "message"_L1) {
        if (payload.isString())
            return payload.toString(); // an envelope sent as JSON text
        // Anything but an object is refused by the envelope parser with a clear error.
        return QString::fromUtf8(payload.isObject()
                                     ? QJsonDocument(payload.toObject()).toJson(QJsonDocument::Compact)
                                     : QJsonDocument(QJsonArray{payload}).toJson(QJsonDocument::Compact));
    }
    // socket.emit('subscribe', {bill_id: 7}) is the envelope {type: 'subscribe', data: {bill_id: 7}}.
    QJsonObject envelope{{u"type"_s, name}};
    if (!payload.isUndefined())
        envelope.insert(u"data"_s, payload);
    return QString::fromUtf8(QJsonDocument(envelope).toJson(QJsonDocument::Compact));
}

void SocketIoTransport::onAck(qint64 ackId)
{
    const auto it = m_notificationAcks.find(ackId);
    if (it == m_notificationAcks.end() || m_closed)
        return;
    const QString messageId = it->second;
    m_notificationAcks.erase(it);
    emit alive();
    // The native ack envelope, so that the core handles both the same way (rate limit included).
    const QJsonObject envelope{{u"type"_s, u"ack"_s}, {u"data"_s, QJsonObject{{u"message_id"_s, messageId}}}};
    emit textReceived(QString::fromUtf8(QJsonDocument(envelope).toJson(QJsonDocument::Compact)));
}

void SocketIoTransport::onEvent(const QJsonArray &arguments, const QList<QByteArray> &attachments, qint64 ackId)
{
    if (m_closed)
        return;
    emit alive();
    m_pendingAck = ackId;
    if (!attachments.isEmpty())
        emit unsupportedReceived();
    else
        emit textReceived(envelopeOf(arguments));
    // A request the native protocol does not answer (ack) still has its callback called, without
    // arguments, so that the client's emitWithAck resolves once the request was handled.
    const qint64 unanswered = std::exchange(m_pendingAck, -1);
    if (unanswered >= 0 && !m_closing && !m_closed && m_socket)
        m_socket->sendAckText(unanswered, "[]");
}

} // namespace wsinfra
