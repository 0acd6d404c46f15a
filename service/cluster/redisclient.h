#pragma once

#include "cluster/redisendpoint.h"
#include "cluster/redisreply.h"
#include "protocol/result.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSslCertificate>
#include <QString>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

struct redisAsyncContext;

namespace wsinfra {

class RedisTlsTunnel;

/// One connection to a Redis server over hiredis' asynchronous API, driven by the Qt event loop of
/// its thread: it never blocks, reconnects with jittered exponential backoff until stop(), fails
/// commands that get no reply within a deadline, and drops a connection that no longer answers
/// PING (a stopped or unplugged server). A client used for pub/sub is a separate instance: once it
/// has subscriptions it is in subscriber mode, where command() is refused; its subscriptions are
/// remembered and made again after every reconnect. With a TLS endpoint (rediss://), hiredis talks to
/// a RedisTlsTunnel of this client instead of to the server.
///
/// Everything a caller sees (callbacks and signals) comes from the event loop, never from inside
/// a call into the client, so a callback may call stop() or delete the client.
class RedisClient : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        RedisEndpoint endpoint;
        /// For the TCP connect and the handshake (AUTH, SELECT, CLIENT SETNAME, PING) together.
        int connectTimeoutMs = 2000;
        /// For each command, and for each PING of the watchdog.
        int commandTimeoutMs = 2000;
        /// How often the watchdog PINGs a connected server.
        int pingIntervalMs = 1000;
        int reconnectInitialDelayMs = 100;
        int reconnectMaxDelayMs = 5000;
        /// Given to CLIENT SETNAME (blanks and non-ASCII become '_') and shown in the logs; may be empty.
        QString name;
        /// With a TLS endpoint: the CAs trusted for the server's certificate (empty: the system's).
        QList<QSslCertificate> tlsCaCertificates;
    };

    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    /// The `code` of the Error a command fails with.
    static constexpr QLatin1StringView UnavailableError{"redis_unavailable"};
    static constexpr QLatin1StringView TimeoutError{"redis_timeout"};
    static constexpr QLatin1StringView ReplyError{"redis_error"};

    /// The channel the watchdog re-subscribes to in subscriber mode (hiredis 0.14 loses the reply
    /// of PING there). Reserved: do not subscribe() to it.
    static constexpr QLatin1StringView WatchdogChannel{"__wsinfra:redisclient:watchdog"};

    using Callback = std::function<void(const Result<RedisReply> &)>;

    explicit RedisClient(Options options, QObject *parent = nullptr);
    /// Closes the connection. Callbacks of pending commands are not called.
    ~RedisClient() override;

    /// Begins connecting; from then on reconnects after every loss until stop().
    void start();
    /// Closes the connection, fails the pending commands with redis_unavailable and stops
    /// reconnecting. start() may be called again.
    void stop();

    State state() const { return m_state; }
    bool isConnected() const { return m_state == State::Connected; }
    /// Why the last connection or connection attempt ended (empty before the first).
    QString lastError() const { return m_lastError; }
    /// Commands sent and not yet answered, failed or timed out.
    int pendingCommandCount() const { return int(m_pending.size()); }
    const Options &options() const { return m_options; }

    /// Sends a binary-safe command (each argument one bulk string) and pipelines it behind the
    /// commands before it. `callback` runs on this object's thread exactly once, never from inside
    /// command(), unless `context` (when not null) was destroyed first: then never. Failures are
    /// Error{code, message} with code UnavailableError (not connected when sent, or the connection
    /// was lost before the reply), TimeoutError (no reply within commandTimeoutMs; a late reply is
    /// ignored) or ReplyError (the server answered with an error; message is its text, or the
    /// command is refused: empty, a pub/sub or MONITOR command, or any command in subscriber mode).
    void command(const QList<QByteArray> &arguments, QObject *context, Callback callback);

    /// Subscribes to a channel (now when connected, and after every reconnect); message() delivers.
    void subscribe(const QByteArray &channel);
    void unsubscribe(const QByteArray &channel);
    /// Subscribes to a glob-style pattern; patternMessage() delivers.
    void psubscribe(const QByteArray &pattern);
    void punsubscribe(const QByteArray &pattern);
    QSet<QByteArray> channels() const { return m_channels; }
    QSet<QByteArray> patterns() const { return m_patterns; }

signals:
    void stateChanged(wsinfra::RedisClient::State state);
    /// The handshake succeeded (AUTH, SELECT, CLIENT SETNAME, PING, subscriptions made again).
    void connected();
    /// A connection that was Connected is gone.
    void disconnected(const QString &reason);
    void message(const QByteArray &channel, const QByteArray &payload);
    void patternMessage(const QByteArray &pattern, const QByteArray &channel, const QByteArray &payload);

private:
    struct Link;
    struct PendingCommand
    {
        quintptr id = 0; // hiredis' private data of the command
        QDeadlineTimer deadline;
        QPointer<QObject> context;
        bool hasContext = false;
        Callback callback;
    };
    enum class HandshakeStep : quintptr { Auth = 1, Select = 2, SetName = 4, Ping = 8 };

    // hiredis calls these. While hiredis is on the stack they only record what happened; the
    // consequences (freeing the context, reconnecting) follow in afterHiredis().
    static void onConnect(const redisAsyncContext *context, int status);
    static void onDisconnect(const redisAsyncContext *context, int status);
    static void onCommandReply(redisAsyncContext *context, void *reply, void *privateData);
    static void onHandshakeReply(redisAsyncContext *context, void *reply, void *privateData);
    static void onPingReply(redisAsyncContext *context, void *reply, void *privateData);
    static void onPubSubReply(redisAsyncContext *context, void *reply, void *privateData);
    static void addRead(void *data);
    static void delRead(void *data);
    static void addWrite(void *data);
    static void delWrite(void *data);
    static void cleanup(void *data);

    void connectToServer();
    void connectToAddress(const QString &address);
    void handleSocketActivity(Link *link, bool readable);
    void afterHiredis();
    void requestDrop(const QString &reason);
    void dropLink(const QString &reason);
    void connectionLost(const QString &reason);
    void abortHostLookup();
    void scheduleReconnect();
    void setState(State state);
    void sendHandshake();
    void handleHandshakeReply(HandshakeStep step, const RedisReply &reply);
    void finishHandshakeIfDone();
    void handleCommandReply(quintptr id, const redisReply *reply);
    void handlePubSubReply(const RedisReply &reply);
    void sendProbe();
    void checkDeadlines();
    void armDeadlineTimer();
    void sendSubscriptionCommand(const QByteArray &command, const QList<QByteArray> &names);
    void leaveSubscriberModeIfIdle();
    bool isSubscriberMode() const;
    void complete(PendingCommand pending, Result<RedisReply> result);
    void deliverLater(std::function<void()> delivery);
    void deliver();
    QString describe() const;

    Options m_options;
    QByteArray m_clientName;
    State m_state = State::Disconnected;
    QString m_lastError;
    bool m_running = false;

    std::unique_ptr<Link> m_link;
    /// With a TLS endpoint: where hiredis connects (a child of this client); null otherwise.
    RedisTlsTunnel *m_tunnel = nullptr;
    int m_hiredisDepth = 0;
    QString m_dropRequested;
    int m_hostLookupId = -1;
    quint64 m_lookupGeneration = 0;

    // The handshake of the current link: the steps answered, the subscriptions still unconfirmed.
    QDeadlineTimer m_handshakeDeadline;
    quintptr m_handshakeAnswered = 0;
    int m_handshakeSubscriptionsPending = 0;
    bool m_handshakeFailed = false;

    // Commands sent on the current link, oldest first: replies arrive in this order.
    std::deque<PendingCommand> m_pending;
    quintptr m_nextCommandId = 0;

    // The watchdog's probe in flight, if any.
    bool m_probeOutstanding = false;
    QDeadlineTimer m_probeDeadline;
    QTimer m_pingTimer;
    bool m_watchdogSubscribed = false;

    // One timer for every deadline: the handshake's, the oldest command's and the probe's.
    QTimer m_deadlineTimer;
    QDeadlineTimer m_armedDeadline;

    QTimer m_reconnectTimer;
    int m_reconnectAttempt = 0;

    QSet<QByteArray> m_channels;
    QSet<QByteArray> m_patterns;

    // Callbacks and signals wait here for the event loop, so that none runs inside hiredis or inside
    // a call of the owner.
    std::deque<std::function<void()>> m_deliveries;
    bool m_deliveryScheduled = false;
};

} // namespace wsinfra
