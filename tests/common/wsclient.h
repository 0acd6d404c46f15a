#pragma once

#include <QJsonObject>
#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QWebSocket>

namespace wsinfra::test {

/// A real QWebSocket client that records what the server sends, for integration tests.
class WsClient : public QObject
{
    Q_OBJECT
public:
    explicit WsClient(QObject *parent = nullptr);
    /// Closes the connection and waits for the close handshake (Qt 6.4's ~QWebSocket leaks the
    /// close reason when it has to close an open socket itself).
    ~WsClient() override;

    /// Connects and waits for the `connected` greeting; false when the upgrade or greeting fails.
    bool open(const QString &url, int timeoutMs = 10'000);
    bool open(const QNetworkRequest &request, int timeoutMs = 10'000);
    /// Connects without waiting for a greeting (for refusals).
    void openAsync(const QString &url);

    void send(const QJsonObject &envelope);
    void sendRaw(const QString &text);
    void sendBinary(const QByteArray &data);
    /// Subscribes to one bill (no id, no recovery) and waits for the next `subscribed` reply;
    /// false when none came.
    bool subscribe(qint64 billId);

    /// The next not-yet-taken message of this type (waiting up to `timeoutMs`); empty if none came.
    QJsonObject waitFor(const QString &type, int timeoutMs = 5'000);
    /// Every message received so far, in order.
    const QList<QJsonObject> &received() const { return m_received; }
    /// Messages of one type received so far.
    QList<QJsonObject> receivedOfType(const QString &type) const;
    /// Waits until the server closed the connection; returns false on timeout.
    bool waitClosed(int timeoutMs = 10'000);
    bool isOpen() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    QJsonObject greeting() const { return m_greeting; }
    QWebSocket &socket() { return m_socket; }
    void close() { m_socket.close(); }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_received;
    QList<bool> m_taken;
    QJsonObject m_greeting;
    int m_closeCode = -1;
    QString m_closeReason;
    bool m_disconnected = false;
};

} // namespace wsinfra::test
