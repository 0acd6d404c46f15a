#include "httpclient.h"

#include "servicefixture.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;

namespace wsinfra::test {

QJsonObject HttpResult::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QByteArray HttpResult::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpResult httpRequest(const QByteArray &method, const QString &url, const QByteArray &body, const Headers &headers)
{
    QNetworkAccessManager manager;
    QNetworkRequest request{QUrl(url)};
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = manager.sendCustomRequest(request, method, body);
    (void)QTest::qWaitFor([reply] { return reply->isFinished(); }, 15'000);
    HttpResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return result;
}

HttpResult httpGet(const QString &url, const Headers &headers)
{
    return httpRequest("GET", url, {}, headers);
}

HttpResult httpPost(const QString &url, const QByteArray &body, const Headers &headers)
{
    return httpRequest("POST", url, body, headers);
}

Headers apiKeyHeaders()
{
    return {{"Authorization", "Bearer " + QByteArray(TestApiKey)}};
}

QByteArray rawExchange(quint16 port, const QByteArray &request, int timeoutMs)
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(request);
    QByteArray response;
    (void)QTest::qWaitFor(
        [&] {
            response += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    response += socket.readAll();
    return response;
}

int statusOf(const QByteArray &rawResponse)
{
    if (!rawResponse.startsWith("HTTP/1."))
        return 0;
    return rawResponse.mid(9, 3).toInt();
}

QJsonObject jsonBodyOf(const QByteArray &rawResponse)
{
    const qsizetype end = rawResponse.indexOf("\r\n\r\n");
    return end < 0 ? QJsonObject() : QJsonDocument::fromJson(rawResponse.mid(end + 4)).object();
}

QByteArray upgradeRequest(const QByteArray &target, const QByteArray &extraHeaders)
{
    return "GET " + target +
           " HTTP/1.1\r\n"
           "Host: 127.0.0.1\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n" +
           extraHeaders + "\r\n";
}

QByteArray rawUpgrade(QTcpSocket &socket, quint16 port, const QByteArray &target, int timeoutMs,
                      const QByteArray &extraHeaders)
{
    socket.connectToHost(u"127.0.0.1"_s, port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(upgradeRequest(target, extraHeaders));
    QByteArray received;
    (void)QTest::qWaitFor(
        [&] {
            received += socket.readAll();
            return received.contains("\r\n\r\n");
        },
        timeoutMs);
    return received;
}

} // namespace wsinfra::test
