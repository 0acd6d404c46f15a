#include "socketioconformance.h"

#include "transport/socketio/socketiosocket.h"

#include <QJsonArray>

namespace wsinfra {

using namespace Qt::StringLiterals;

SocketIoServer::Settings SocketIoConformance::settings()
{
    SocketIoServer::Settings settings;
    settings.connectTimeoutMs = 1000;
    return settings;
}

SocketIoConformance::SocketIoConformance(EngineIoServer &engine, QObject *parent)
    : QObject(parent), m_server(new SocketIoServer(settings(), engine, this))
{
    m_server->addNamespace(u"/"_s, nullptr, &SocketIoConformance::onConnected);
    m_server->addNamespace(u"/custom"_s, nullptr, &SocketIoConformance::onConnected);
}

void SocketIoConformance::onConnected(SocketIoSocket *socket)
{
    socket->emitEvent(QJsonArray{u"auth"_s, socket->handshakeAuth()});
    QObject::connect(socket, &SocketIoSocket::eventReceived, socket,
                     [socket](const QJsonArray &arguments, const QList<QByteArray> &attachments, qint64 ackId) {
                         const QString name = arguments.first().toString();
                         if (name == "message"_L1) {
                             QJsonArray back = arguments;
                             back.replace(0, u"message-back"_s);
                             socket->emitEvent(back, attachments);
                         } else if (name == "message-with-ack"_L1 && ackId >= 0) {
                             QJsonArray same = arguments;
                             same.removeFirst();
                             socket->sendAck(ackId, same, attachments);
                         }
                     });
}

} // namespace wsinfra
