#include "transport/socketio/socketioserver.h"

#include "transport/engineio/engineioserver.h"
#include "transport/socketio/socketioclient.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSocketIo, "wsinfra.transport.socketio", QtWarningMsg)

namespace wsinfra {

SocketIoServer::SocketIoServer(const Settings &settings, EngineIoServer &engine, QObject *parent)
    : QObject(parent), m_settings(settings), m_engine(engine)
{
    connect(&engine, &EngineIoServer::sessionOpened, this, &SocketIoServer::onSessionOpened);
}

SocketIoServer::~SocketIoServer() = default;

void SocketIoServer::addNamespace(const QString &nsp, Authorize authorize, Connected connected)
{
    m_namespaces.insert(nsp, Namespace{std::move(authorize), std::move(connected)});
}

void SocketIoServer::closeAll()
{
    const QList<SocketIoClient *> clients = findChildren<SocketIoClient *>(Qt::FindDirectChildrenOnly);
    for (SocketIoClient *client : clients)
        client->shutdown();
    m_engine.closeAll();
}

int SocketIoServer::clientCount() const
{
    return int(findChildren<SocketIoClient *>(Qt::FindDirectChildrenOnly).size());
}

std::optional<SocketIoServer::Namespace> SocketIoServer::findNamespace(const QString &nsp) const
{
    const auto it = m_namespaces.constFind(nsp);
    if (it == m_namespaces.cend())
        return std::nullopt;
    return *it;
}

void SocketIoServer::onSessionOpened(EngineIoSession *session)
{
    new SocketIoClient(*this, session, m_settings);
}

} // namespace wsinfra
