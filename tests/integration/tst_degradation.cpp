// Progressive degradation against the real service binary. Memory levels can only be driven through
// --memory-limit and the thresholds: a budget above the idle service's RSS puts it at critical, where subscriptions
// beyond the floor are refused and the step shows in /metrics, /api/metrics and /api/events; a
// service pushed from there past emergency (big bill updates fill its history) closes its clients
// with 4004 and counts them.

#include "httpclient.h"
#include "servicefixture.h"
#include "wsclient.h"

#include <QFile>
#include <QJsonArray>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace wsinfra::test;

namespace {

/// The messages of the `memory` events of the service's event log.
QStringList memoryEventsOf(const ServiceProcess &service)
{
    QStringList messages;
    const QJsonArray events =
        httpGet(service.httpUrl(u"/api/events?limit=1000"_s), apiKeyHeaders()).json().value("events"_L1).toArray();
    for (const QJsonValue &event : events) {
        if (event.toObject().value("category"_L1).toString() == "memory"_L1)
            messages.append(event.toObject().value("message"_L1).toString());
    }
    return messages;
}

bool anyStartsWith(const QStringList &messages, QLatin1StringView prefix)
{
    return std::any_of(messages.cbegin(), messages.cend(),
                       [prefix](const QString &message) { return message.startsWith(prefix); });
}

/// Four clients following bill 1 that got one update: the first client of each I/O thread costs it its
/// heap arena, which stays, so RSS is measured (and levels reached) after this.
std::vector<std::unique_ptr<WsClient>> warmUp(const ServiceProcess &service)
{
    std::vector<std::unique_ptr<WsClient>> clients;
    for (const QString &user : {u"amy"_s, u"bob"_s, u"cid"_s, u"dan"_s}) {
        clients.push_back(std::make_unique<WsClient>());
        if (!clients.back()->open(service.wsUrlFor(user)) || !clients.back()->subscribe(1))
            return {};
    }
    if (service.publishBill(1, QJsonObject{{u"status"_s, u"paid"_s}}).status != 200)
        return {};
    for (const auto &client : clients) {
        if (client->waitFor(u"bill_update"_s).isEmpty())
            return {};
    }
    return clients;
}

QJsonObject subscribeEnvelope(const QString &id, const QJsonArray &bills)
{
    return {{u"type"_s, u"subscribe"_s}, {u"id"_s, id}, {u"data"_s, QJsonObject{{u"bill_ids"_s, bills}}}};
}

} // namespace

class TestDegradation : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void criticalRefusesSubscriptionsBeyondTheFloor();
    void theFloorIsAnOption();
    void emergencyShedsConnections();

private:
    /// A service whose idle RSS is `idlePercent` of its budget, with warning at 50%, critical at 60%
    /// and emergency at `emergencyPercent`, checking every 100 ms.
    QStringList argumentsFor(int idlePercent, int emergencyPercent) const
    {
        return {u"--memory-limit"_s,
                QString::number(m_idleResidentBytes * 100 / idlePercent),
                u"--memory-warning-threshold"_s,
                u"50"_s,
                u"--memory-critical-threshold"_s,
                u"60"_s,
                u"--memory-emergency-threshold"_s,
                QString::number(emergencyPercent),
                u"--memory-check-interval"_s,
                u"100ms"_s};
    }

    qint64 m_idleResidentBytes = 0; ///< of a service that has had a few clients
};

void TestDegradation::initTestCase()
{
    ServiceProcess probe;
    QVERIFY2(probe.start(), qPrintable(probe.errorString()));
    const std::vector<std::unique_ptr<WsClient>> clients = warmUp(probe);
    QCOMPARE(clients.size(), std::size_t(4));
    QVERIFY(probe.metrics().size() > 10);
    m_idleResidentBytes = probe.residentBytes();
    QVERIFY(m_idleResidentBytes > 0);
    QCOMPARE(probe.terminate(), 0);
}

void TestDegradation::criticalRefusesSubscriptionsBeyondTheFloor()
{
    ServiceProcess service;
    // Critical from 60% to 100% of the budget: the idle service at 80% stays there whatever its clients cost.
    QVERIFY2(service.start(argumentsFor(80, 100)), qPrintable(service.errorString()));
    const std::vector<std::unique_ptr<WsClient>> warm = warmUp(service);
    QCOMPARE(warm.size(), std::size_t(4));
    QTRY_COMPARE(service.metric("wsinfra_memory_pressure_level"), 2.0);
    QTRY_COMPARE(service.metric("wsinfra_degradation_step"), 2.0);
    const QHash<QByteArray, double> metrics = service.metrics();
    QCOMPARE(metrics.value("wsinfra_degradation_warning_steps_total", -1), 1.0);
    QCOMPARE(metrics.value("wsinfra_degradation_critical_steps_total", -1), 1.0);
    QCOMPARE(metrics.value("wsinfra_degradation_emergency_steps_total", -1), 0.0);
    QCOMPARE(metrics.value("wsinfra_connections_shed_total", -1), 0.0);

    const QJsonObject degradation =
        httpGet(service.httpUrl(u"/api/metrics"_s), apiKeyHeaders()).json().value("degradation"_L1).toObject();
    QCOMPARE(degradation.value("step"_L1).toInt(-1), 2);
    QCOMPARE(degradation.value("name"_L1).toString(), u"critical"_s);
    QCOMPARE(degradation.value("stepsTaken"_L1).toObject().value("critical"_L1).toInteger(-1), 1);
    QCOMPARE(degradation.value("shedConnections"_L1).toInteger(-1), 0);

    const QStringList events = memoryEventsOf(service);
    QVERIFY2(anyStartsWith(events, "degradation step 1 (warning)"_L1), qPrintable(events.join(u'\n')));
    QVERIFY2(anyStartsWith(events, "degradation step 2 (critical)"_L1), qPrintable(events.join(u'\n')));

    // Up to the floor (10 bills) subscriptions are accepted, a few at a time or all at once.
    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"amy"_s)));
    client.send(subscribeEnvelope(u"s1"_s, {1, 2, 3, 4, 5, 6}));
    QCOMPARE(client.waitFor(u"subscribed"_s).value("id"_L1).toString(), u"s1"_s);
    client.send(subscribeEnvelope(u"s2"_s, {7, 8, 9, 10}));
    QCOMPARE(client.waitFor(u"subscribed"_s).value("id"_L1).toString(), u"s2"_s);
    // Beyond it: refused as a whole, with why; a bill already followed is not new.
    client.send(subscribeEnvelope(u"s3"_s, {10, 11}));
    const QJsonObject refused = client.waitFor(u"error"_s);
    QCOMPARE(refused.value("id"_L1).toString(), u"s3"_s);
    QCOMPARE(refused.value("code"_L1).toString(), u"too_many_subscriptions"_s);
    QVERIFY2(refused.value("message"_L1).toString().contains("memory"_L1) &&
                 refused.value("message"_L1).toString().contains("10 bills"_L1),
             qPrintable(refused.value("message"_L1).toString()));
    client.send(subscribeEnvelope(u"s4"_s, {3, 10}));
    QCOMPARE(client.waitFor(u"subscribed"_s).value("id"_L1).toString(), u"s4"_s);
    QCOMPARE(service.user(u"amy"_s).value("subscriptions"_L1).toArray().size(), 10);

    // A new connection gets its own floor.
    WsClient other;
    QVERIFY(other.open(service.wsUrlFor(u"bob"_s)));
    QVERIFY(other.subscribe(11));
    QVERIFY(client.isOpen());
    QCOMPARE(service.terminate(), 0);
}

void TestDegradation::theFloorIsAnOption()
{
    ServiceProcess service;
    QVERIFY2(service.start(argumentsFor(80, 100) + QStringList{u"--degradation-subscription-floor"_s, u"2"_s}),
             qPrintable(service.errorString()));
    const std::vector<std::unique_ptr<WsClient>> warm = warmUp(service);
    QTRY_COMPARE(service.metric("wsinfra_degradation_step"), 2.0);
    WsClient client;
    QVERIFY(client.open(service.wsUrlFor(u"amy"_s)));
    QVERIFY(client.subscribe(1));
    QVERIFY(client.subscribe(2));
    client.send(subscribeEnvelope(u"third"_s, {3}));
    const QJsonObject refused = client.waitFor(u"error"_s);
    QCOMPARE(refused.value("code"_L1).toString(), u"too_many_subscriptions"_s);
    QVERIFY2(refused.value("message"_L1).toString().contains("2 bills"_L1),
             qPrintable(refused.value("message"_L1).toString()));
    QVERIFY2(anyStartsWith(memoryEventsOf(service), "degradation step 2 (critical)"_L1), "no critical step logged");
    QVERIFY(memoryEventsOf(service).join(u'\n').contains("beyond 2 bills"_L1));
    QCOMPARE(service.terminate(), 0);
}

void TestDegradation::emergencyShedsConnections()
{
    ServiceProcess service;
    // Critical at 75% of the budget, emergency from 90%: 20% more than idle.
    QVERIFY2(service.start(argumentsFor(75, 90)), qPrintable(service.errorString()));
    const std::vector<std::unique_ptr<WsClient>> clients = warmUp(service);
    QCOMPARE(clients.size(), std::size_t(4));
    QTRY_COMPARE(service.metric("wsinfra_degradation_step"), 2.0);

    // Big bill updates grow the service (history keeps them) until it reaches the emergency level.
    const QString padding(200'000, u'x');
    for (int i = 0; i < 60 && service.metric("wsinfra_memory_pressure_level") < 3.0; ++i)
        QCOMPARE(service.publishBill(4200 + i, QJsonObject{{u"padding"_s, padding}}).status, 200);
    QTRY_COMPARE(service.metric("wsinfra_memory_pressure_level"), 3.0);
    QTRY_COMPARE(service.metric("wsinfra_degradation_step"), 3.0);

    // At every check the connections with the largest queues go, at least one each time.
    QTRY_VERIFY(std::any_of(clients.cbegin(), clients.cend(), [](const auto &client) { return !client->isOpen(); }));
    int shed = 0;
    for (const auto &client : clients) {
        if (client->isOpen())
            continue;
        QVERIFY(client->waitClosed());
        QCOMPARE(client->closeCode(), 4004);
        QCOMPARE(client->closeReason(), u"shed under memory pressure"_s);
        ++shed;
    }
    QVERIFY(shed >= 1);
    QTRY_VERIFY(service.metric("wsinfra_connections_shed_total") >= double(shed));
    const QHash<QByteArray, double> metrics = service.metrics();
    QCOMPARE(metrics.value("wsinfra_degradation_emergency_steps_total", -1), 1.0);
    const QStringList events = memoryEventsOf(service);
    QVERIFY2(anyStartsWith(events, "degradation step 3 (emergency)"_L1), qPrintable(events.join(u'\n')));
    QVERIFY2(anyStartsWith(events, "memory emergency: closed"_L1), qPrintable(events.join(u'\n')));
    QCOMPARE(service.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestDegradation)
#include "tst_degradation.moc"
