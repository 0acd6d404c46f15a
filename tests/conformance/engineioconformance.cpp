#include "engineioconformance.h"

namespace wsinfra {

EngineIoServer::Settings EngineIoConformance::engineSettings()
{
    EngineIoServer::Settings settings;
    settings.pingIntervalMs = 300;
    settings.pingTimeoutMs = 200;
    settings.maxPayload = 1'000'000;
    settings.upgradeTimeoutMs = 1'000;
    settings.allowedOrigins = OriginPolicy::parse(QString(AllowedOrigin)).value();
    return settings;
}

EngineIoConformance::EngineIoConformance(EngineIoServer &engine, QObject *parent) : QObject(parent)
{
    connect(&engine, &EngineIoServer::sessionOpened, this, [this](EngineIoSession *session) {
        connect(session, &EngineIoSession::messageReceived, this,
                [session](const QByteArray &utf8) { session->sendMessage(utf8); });
        connect(session, &EngineIoSession::binaryReceived, this,
                [session](const QByteArray &bytes) { session->sendBinary(bytes); });
    });
}

} // namespace wsinfra
