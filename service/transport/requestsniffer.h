#pragma once

#include "transport/httprequestparser.h"
#include "transport/httpresponse.h"

#include <QHash>
#include <QObject>

#include <functional>

class QSocketNotifier;
class QTimer;

namespace wsinfra {

/// Peeks at the request head of accepted connections without consuming it, so that a router can decide where
/// a connection goes (a WebSocket server, an HTTP handler) and the new owner still reads the whole request.
/// Once the head is complete it calls back with the descriptor, the parsed head and its length; a malformed
/// head, a client that closes and one that does not send its head within the deadline (408) never reach the
/// callback: the sniffer answers (or just closes) itself.
class RequestSniffer : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        HttpLimits headLimits;
        qint64 headTimeoutMs = 10'000;
    };
    /// The head is complete; the descriptor now belongs to the callee. Nothing of the request has been read.
    using Sniffed = std::function<void(qintptr socketDescriptor, const HttpRequest &head, qsizetype headLength)>;
    /// The sniffer answered a connection itself with this status (for statistics).
    using Rejected = std::function<void(int status)>;

    RequestSniffer(const Settings &settings, Sniffed sniffed, QObject *parent = nullptr);
    /// Closes the descriptors still being looked at.
    ~RequestSniffer() override;

    /// Takes ownership of an accepted descriptor until the head is complete. `peerAddress` (optional) is
    /// what pendingFrom() counts it under.
    void sniff(qintptr socketDescriptor, const QString &peerAddress = {});
    void setRejectedHandler(Rejected rejected);
    /// Connections whose head has not arrived yet.
    int pendingCount() const { return int(m_inspections.size()); }
    /// Connections from `peerAddress` whose head has not arrived yet.
    int pendingFrom(const QString &peerAddress) const { return m_pendingByAddress.value(peerAddress); }

private:
    struct Inspection
    {
        QSocketNotifier *notifier = nullptr;
        QTimer *retry = nullptr;
        QTimer *deadline = nullptr;
        int retryDelayMs = 1;
        QString peerAddress;
    };

    void inspect(qintptr socketDescriptor);
    void finishInspection(qintptr socketDescriptor);
    void reject(qintptr socketDescriptor, qsizetype consume, int status, const QString &code, const QString &message);

    const Settings m_settings;
    Sniffed m_sniffed;
    Rejected m_rejected;
    QHash<qintptr, Inspection> m_inspections;
    QHash<QString, int> m_pendingByAddress;
};

} // namespace wsinfra
