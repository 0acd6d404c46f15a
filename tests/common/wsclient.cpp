#include "wsclient.h"

#include <QJsonDocument>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace wsinfra::test {

WsClient::WsClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_received.append(QJsonDocument::fromJson(text.toUtf8()).object());
        m_taken.append(false);
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_disconnected = true;
        m_closeCode = int(m_socket.closeCode());
        m_closeReason = m_socket.closeReason();
    });
}

WsClient::~WsClient()
{
    if (m_socket.state() != QAbstractSocket::UnconnectedState) {
        m_socket.close();
        (void)waitClosed(2'000);
    }
}

void WsClient::openAsync(const QString &url)
{
    m_socket.open(QUrl(url));
}

bool WsClient::open(const QString &url, int timeoutMs)
{
    return open(QNetworkRequest(QUrl(url)), timeoutMs);
}

bool WsClient::open(const QNetworkRequest &request, int timeoutMs)
{
    m_socket.open(request);
    m_greeting = waitFor(u"connected"_s, timeoutMs);
    return !m_greeting.isEmpty();
}

void WsClient::send(const QJsonObject &envelope)
{
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(envelope).toJson(QJsonDocument::Compact)));
}

void WsClient::sendRaw(const QString &text)
{
    m_socket.sendTextMessage(text);
}

void WsClient::sendBinary(const QByteArray &data)
{
    m_socket.sendBinaryMessage(data);
}

bool WsClient::subscribe(qint64 billId)
{
    send({{u"type"_s, u"subscribe"_s}, {u"data"_s, QJsonObject{{u"bill_id"_s, billId}}}});
    return !waitFor(u"subscribed"_s).isEmpty();
}

QJsonObject WsClient::waitFor(const QString &type, int timeoutMs)
{
    QJsonObject found;
    const auto take = [&] {
        for (qsizetype i = 0; i < m_received.size(); ++i) {
            if (!m_taken.at(i) && m_received.at(i).value("type"_L1).toString() == type) {
                m_taken[i] = true;
                found = m_received.at(i);
                return true;
            }
        }
        return false;
    };
    (void)QTest::qWaitFor(take, timeoutMs);
    return found;
}

QList<QJsonObject> WsClient::receivedOfType(const QString &type) const
{
    QList<QJsonObject> list;
    for (const QJsonObject &message : m_received) {
        if (message.value("type"_L1).toString() == type)
            list.append(message);
    }
    return list;
}

bool WsClient::waitClosed(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_disconnected; }, timeoutMs);
}

} // namespace wsinfra::test
