#pragma once

#include "transport/engineio/engineioserver.h"

#include <QLatin1StringView>
#include <QObject>

namespace wsinfra {

/// The --engineio mode of the conformance server: an Engine.IO server set up like the reference server of the
/// official test suite (socketio/socket.io, docs/engine.io-protocol/v4-test-suite/) that echoes every message,
/// text and binary, back to the session it came from.
class EngineIoConformance : public QObject
{
    Q_OBJECT
public:
    /// The path the suite talks to.
    static constexpr QLatin1StringView Path{"/engine.io/"};
    /// The one origin CORS allows, for the preflight tests.
    static constexpr QLatin1StringView AllowedOrigin{"http://allowed.example"};
    /// What the suites expect: pingInterval 300 ms, pingTimeout 200 ms, maxPayload 1000000; an upgrade must
    /// complete within 1 s; CORS for AllowedOrigin. The Socket.IO suite expects the same Engine.IO timings.
    static EngineIoServer::Settings engineSettings();

    explicit EngineIoConformance(EngineIoServer &engine, QObject *parent = nullptr);
};

} // namespace wsinfra
