#pragma once

#include "transport/httprequestparser.h"
#include "transport/httpresponse.h"
#include "transport/incomingsocket.h"

#include <QObject>

#include <functional>

class QTcpSocket;
class QTimer;

namespace wsinfra {

/// One HTTP/1.1 client connection of the public port: parses requests (pipelined, keep-alive),
/// hands them one at a time to the handler, and writes the answers in order. Answers may come
/// later (the handler gets a callback), so a publish can answer once every shard delivered.
class HttpServerConnection : public QObject
{
    Q_OBJECT
public:
    using Respond = std::function<void(const HttpResponse &response)>;
    using Handler = std::function<void(const HttpRequest &request, const QString &peerAddress, Respond respond)>;

    HttpServerConnection(const IncomingSocket &incoming, const HttpLimits &limits, qint64 idleTimeoutMs,
                         Handler handler, QObject *parent = nullptr);
    ~HttpServerConnection() override;

    /// Closes now when idle, else right after the answer in flight (graceful shutdown).
    void closeWhenIdle();

signals:
    /// The connection is closed; it deletes itself later.
    void finished();

private:
    void onReadyRead();
    void processNext();
    void send(const HttpResponse &response, bool keepAlive, bool omitBody = false);
    void finish();

    QTcpSocket *m_socket;
    HttpRequestParser m_parser;
    Handler m_handler;
    QTimer *m_idleTimer;
    QString m_peerAddress;
    bool m_busy = false;
    bool m_closeWhenIdle = false;
    bool m_finished = false;
    quint64 m_requestSerial = 0;
};

} // namespace wsinfra
