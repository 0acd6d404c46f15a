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

} // namespace wsinfra::test
