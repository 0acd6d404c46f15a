#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

class QTcpSocket;

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
/// The JSON object in the body of a raw HTTP response (empty when there is no head end or no object).
QJsonObject jsonBodyOf(const QByteArray &rawResponse);

/// A hand-written WebSocket upgrade request for `target` with the RFC 6455 section 1.3 sample key
/// (accepted as "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="); `extraHeaders` are whole lines, each ending in CRLF.
QByteArray upgradeRequest(const QByteArray &target, const QByteArray &extraHeaders = {});
/// Connects `socket` to the loopback port, writes upgradeRequest(target) and waits until the head of
/// the answer has arrived; returns every byte read so far (the head and whatever followed it), which
/// is less than a head when it timed out. The socket stays open for the frames that follow.
/// `extraHeaders` as for upgradeRequest().
QByteArray rawUpgrade(QTcpSocket &socket, quint16 port, const QByteArray &target, int timeoutMs = 5'000,
                      const QByteArray &extraHeaders = {});

} // namespace wsinfra::test
