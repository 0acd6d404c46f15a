#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QStringView>

namespace wsinfra {

/// An HTTP/1.1 response of the public port, built by the API and serialised by the transport.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    static HttpResponse json(int status, const QJsonObject &object);
    static HttpResponse json(int status, const QJsonArray &array);
    static HttpResponse text(int status, const QByteArray &body, const QByteArray &contentType = "text/plain");
    /// `{"code": code, "message": message}` with the status.
    static HttpResponse error(int status, const QString &code, const QString &message);

    QByteArray serialize(bool keepAlive) const;
    static QByteArray reasonPhrase(int status);
};

} // namespace wsinfra
