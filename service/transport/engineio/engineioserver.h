#pragma once

#include "transport/engineio/engineiosession.h"
#include "transport/httprequestparser.h"
#include "transport/httpresponse.h"
#include "transport/originpolicy.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace wsinfra {

class ServerWebSocket;

/// An Engine.IO v4 server (https://socket.io/docs/v4/engine-io-protocol/) without a listening socket of its
/// own: whoever accepts connections hands it the HTTP requests and the upgraded WebSockets at its path. It
/// knows nothing of what the messages mean; a layer on top (Socket.IO, an echo server) listens to
/// sessionOpened() and the sessions' signals.
class EngineIoServer : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        qint64 pingIntervalMs = 25'000;
        qint64 pingTimeoutMs = 20'000;
        qint64 maxPayload = 1'000'000; // advertised in the handshake; bigger polling bodies: 413 and the session closes
        qint64 upgradeTimeoutMs = 10'000;
        OriginPolicy allowedOrigins;             // CORS: origins given CORS headers; empty = none
        bool refuseOtherOrigins = false;         // a request with an Origin not allowed is answered 403
        qint64 maxQueuedBytes = 4 * 1024 * 1024; // per session, not yet sent: more closes it ("forced close")
        qsizetype maxPacketsPerPayload = 10'000; // packets in one polling POST: more is a parse error
    };
    using Respond = std::function<void(const HttpResponse &response)>;
    /// Refuses new sessions (e.g. node full); return an HttpResponse to refuse, std::nullopt to allow.
    using HandshakeGuard = std::function<std::optional<HttpResponse>(const QString &peerAddress)>;

    /// sidPrefix is put in front of every generated sid so that a router can tell which server owns a sid.
    EngineIoServer(const Settings &settings, const QString &sidPrefix, QObject *parent = nullptr);
    /// Deletes the sessions without emitting closed().
    ~EngineIoServer() override;

    /// A plain HTTP request at the Engine.IO path (handshake, polling GET/POST, OPTIONS preflight, errors).
    /// `respond` may be called later (a long-poll GET) and is called exactly once.
    void handleHttp(const HttpRequest &request, const QString &peerAddress, Respond respond);
    /// The same, with the object that carries the request (e.g. its HttpServerConnection): when it is destroyed
    /// while a GET of a session is still pending, the client gave up and the session closes ("transport close").
    void handleHttp(const HttpRequest &request, const QString &peerAddress, Respond respond, QObject *connection);
    /// A WebSocket already upgraded at the Engine.IO path; takes ownership. Without sid: a new session on WebSocket
    /// (open packet with upgrades []); with sid: the probe/upgrade of that polling session. Bad `query` (the
    /// upgrade request's): closed at once.
    void handleWebSocket(ServerWebSocket *socket, const QString &peerAddress, const QUrlQuery &query);
    void setHandshakeGuard(HandshakeGuard guard);

    /// An open session (not yet closed()), or null.
    EngineIoSession *session(const QString &sid) const;
    /// Open sessions (not yet closed()).
    int sessionCount() const;
    /// Shutdown: every session gets a close packet.
    void closeAll();
    const Settings &settings() const { return m_settings; }

signals:
    void sessionOpened(wsinfra::EngineIoSession *session);

private:
    QString newSid() const;
    QByteArray openPacket(const QString &sid, bool upgradable) const;
    EngineIoSession *createSession(const QString &peerAddress, ServerWebSocket *webSocket);
    void onSessionClosed(EngineIoSession *session);
    void onSessionFinished(EngineIoSession *session);
    QList<QPair<QByteArray, QByteArray>> corsHeaders(const HttpRequest &request) const;

    const Settings m_settings;
    const QString m_sidPrefix;
    HandshakeGuard m_guard;
    QHash<QString, EngineIoSession *> m_sessions;  // open
    QHash<QString, EngineIoSession *> m_lingering; // closed by the server, waiting for a GET to fetch the close packet
};

} // namespace wsinfra
