#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

namespace wsinfra::test {

struct HttpResult
{
    int status = 0;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    QJsonObject json() const;
    QByteArray header(const QByteArray &name) const;
};

using Headers = QList<QPair<QByteArray, QByteArray>>;

/// Requests through QNetworkAccessManager, waited for on the test's event loop.
HttpResult httpGet(const QString &url, const Headers &headers = {});
HttpResult httpPost(const QString &url, const QByteArray &body, const Headers &headers = {});
HttpResult httpRequest(const QByteArray &method, const QString &url, const QByteArray &body, const Headers &headers);
/// The API key header of the test services.
Headers apiKeyHeaders();

/// Writes raw bytes to the port and returns everything the server sends until it closes or
/// `timeoutMs` passes: for hostile requests QNetworkAccessManager would never send.
QByteArray rawExchange(quint16 port, const QByteArray &request, int timeoutMs = 5'000);
/// The status code of the first response line in raw bytes (0 if none).
int statusOf(const QByteArray &rawResponse);

} // namespace wsinfra::test
