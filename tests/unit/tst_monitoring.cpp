// Monitoring: every counter moves where its event happens, health follows its rules, and the
// Prometheus text is well-formed.

#include "memory/processmemory.h"
#include "monitoring/healthchecker.h"
#include "monitoring/metricsreporter.h"
#include "monitoring/statisticscollector.h"
#include "util/clock.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace wsinfra;

class TestMonitoring : public QObject
{
    Q_OBJECT

private slots:
    void countersMove()
    {
        ManualClock clock(1'000'000);
        StatisticsCollector statistics(clock);
        statistics.connectionOpened();
        statistics.connectionOpened();
        statistics.connectionClosed();
        statistics.messageReceived();
        statistics.messagePublished(false);
        statistics.messagePublished(true);
        statistics.messagesDelivered(5);
        statistics.messageDropped();
        statistics.duplicateMessage();
        statistics.queueOverflow();
        statistics.reconnection();
        statistics.latencySample(4);
        statistics.latencySample(8);
        clock.advanceMs(250);
        statistics.rateLimited();
        statistics.protocolError();
        statistics.authenticationFailed();
        statistics.connectionRefused();
        statistics.httpRequest();

        const ServiceStats stats = statistics.snapshot(3, 4096);
        QCOMPARE(stats.totalConnections, 2);
        QCOMPARE(stats.activeConnections, 1);
        QCOMPARE(stats.peakConnections, 2);
        QCOMPARE(stats.totalMessages, 3);
        QCOMPARE(stats.totalBroadcasts, 1);
        QCOMPARE(stats.deliveredMessages, 5);
        QCOMPARE(stats.droppedMessages, 1);
        QCOMPARE(stats.duplicateMessages, 1);
        QCOMPARE(stats.queueOverflows, 1);
        QCOMPARE(stats.reconnections, 1);
        QCOMPARE(stats.averageLatency, 6.0);
        QCOMPARE(stats.startTime, 1'000'000);
        QCOMPARE(stats.uptime, 250);
        QCOMPARE(stats.uniqueUsers, 3);
        QCOMPARE(stats.memoryUsage, 4096);
        QCOMPARE(statistics.rateLimitedCount(), 1);
        QCOMPARE(statistics.protocolErrorCount(), 1);
        QCOMPARE(statistics.authenticationFailureCount(), 1);
        QCOMPARE(statistics.refusedConnectionCount(), 1);
        QCOMPARE(statistics.httpRequestCount(), 1);
        // lastActivity follows events, not snapshots
        QCOMPARE(stats.lastActivity, 1'000'000);
    }

    void countersAreExactAcrossThreads()
    {
        SystemClock clock;
        StatisticsCollector statistics(clock);
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads.append(QThread::create([&statistics] {
                for (int i = 0; i < 10'000; ++i) {
                    statistics.connectionOpened();
                    statistics.messagesDelivered(2);
                    statistics.connectionClosed();
                }
            }));
            threads.last()->start();
        }
        for (QThread *thread : threads) {
            thread->wait();
            delete thread;
        }
        const ServiceStats stats = statistics.snapshot(0, 0);
        QCOMPARE(stats.totalConnections, 40'000);
        QCOMPARE(stats.activeConnections, 0);
        QCOMPARE(stats.deliveredMessages, 80'000);
        QVERIFY(stats.peakConnections >= 1 && stats.peakConnections <= 4);
    }

    void statsRoundTripThroughJson()
    {
        ServiceStats stats;
        stats.totalConnections = 5;
        stats.averageLatency = 1.5;
        stats.uniqueUsers = 2;
        const ServiceStats back = ServiceStats::fromJson(stats.toJson());
        QCOMPARE(back.totalConnections, 5);
        QCOMPARE(back.averageLatency, 1.5);
        QCOMPARE(back.uniqueUsers, 2);
        const QStringList fields = stats.toJson().keys();
        for (const char *name :
             {"totalConnections", "activeConnections", "totalMessages", "totalBroadcasts", "droppedMessages",
              "duplicateMessages", "queueOverflows", "reconnections", "startTime", "lastActivity", "peakConnections",
              "uptime", "memoryUsage", "uniqueUsers", "averageLatency"})
            QVERIFY2(fields.contains(QLatin1StringView(name)), name);
    }

    void health_data()
    {
        QTest::addColumn<double>("memory");
        QTest::addColumn<qint64>("connections");
        QTest::addColumn<bool>("broker");
        QTest::addColumn<bool>("shuttingDown");
        QTest::addColumn<QString>("status");
        QTest::addColumn<bool>("connectionHealth");
        QTest::newRow("idle") << 10.0 << qint64(0) << true << false << u"healthy"_s << true;
        QTest::newRow("memory warning") << 75.0 << qint64(0) << true << false << u"degraded"_s << true;
        QTest::newRow("memory critical") << 90.0 << qint64(0) << true << false << u"degraded"_s << true;
        QTest::newRow("memory emergency") << 96.0 << qint64(0) << true << false << u"unhealthy"_s << true;
        QTest::newRow("connections near limit") << 10.0 << qint64(95) << true << false << u"degraded"_s << true;
        QTest::newRow("connections at limit") << 10.0 << qint64(100) << true << false << u"degraded"_s << false;
        QTest::newRow("broker down") << 10.0 << qint64(0) << false << false << u"degraded"_s << true;
        QTest::newRow("shutting down") << 10.0 << qint64(0) << true << true << u"unhealthy"_s << true;
    }

    void health()
    {
        QFETCH(double, memory);
        QFETCH(qint64, connections);
        QFETCH(bool, broker);
        QFETCH(bool, shuttingDown);
        QFETCH(QString, status);
        QFETCH(bool, connectionHealth);
        HealthChecker checker({70, 85, 95, 90});
        HealthChecker::Inputs inputs;
        inputs.nowMs = 5;
        inputs.uptimeMs = 3;
        inputs.memoryPercent = memory;
        inputs.activeConnections = connections;
        inputs.maxConnections = 100;
        inputs.brokerConnected = broker;
        inputs.shuttingDown = shuttingDown;
        const HealthStatus health = checker.evaluate(inputs);
        QCOMPARE(health.status, status);
        QCOMPARE(health.isHealthy, status != u"unhealthy"_s);
        QCOMPARE(health.connectionHealth, connectionHealth);
        QCOMPARE(health.warnings.isEmpty() && health.errors.isEmpty(), status == u"healthy"_s);
        QCOMPARE(health.lastCheck, 5);
        QCOMPARE(health.memoryUsage, memory);
        QCOMPARE(HealthStatus::fromJson(health.toJson()).status, status);
    }

    void prometheusTextIsWellFormed()
    {
        MetricsReporter::Figures figures;
        figures.stats.activeConnections = 7;
        figures.stats.totalMessages = 42;
        figures.subscriptions = 3;
        figures.health.isHealthy = true;
        const QByteArray text = MetricsReporter::toPrometheus(figures);
        static const QRegularExpression sample(u"^[a-z_]+ [-0-9.e+]+$"_s);
        const QList<QByteArray> lines = text.trimmed().split('\n');
        QVERIFY(lines.size() > 20);
        for (const QByteArray &line : lines) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE "))
                continue;
            QVERIFY2(sample.match(QString::fromUtf8(line)).hasMatch(), line.constData());
        }
        QVERIFY(text.contains("\nwsinfra_connections_active 7\n"));
        QVERIFY(text.contains("\nwsinfra_messages_total 42\n"));
        QVERIFY(text.contains("\nwsinfra_subscriptions 3\n"));
        QVERIFY(text.contains("\nwsinfra_healthy 1\n"));
        const QJsonObject json = MetricsReporter::toJson(figures);
        QCOMPARE(json.value("subscriptions"_L1).toObject().value("total"_L1).toInt(), 3);
        QCOMPARE(json.value("stats"_L1).toObject().value("activeConnections"_L1).toInt(), 7);
    }

    void processMemoryReadsProcAndCgroupFiles()
    {
        QTemporaryDir dir;
        const auto write = [&dir](const QString &name, const QByteArray &content) {
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        };
        write(u"statm"_s, "1000 250 10 1 0 100 0\n");
        write(u"meminfo"_s, "MemTotal:       2048 kB\nMemFree: 1 kB\n");
        write(u"v2"_s, "max\n");
        write(u"v1"_s, "1048576\n");
        ProcessMemory memory(
            {dir.filePath(u"statm"_s), dir.filePath(u"meminfo"_s), dir.filePath(u"v2"_s), dir.filePath(u"v1"_s)});
        QCOMPARE(memory.residentBytes(), 250 * qint64(sysconf(_SC_PAGESIZE)));
        QCOMPARE(memory.physicalBytes(), 2048 * 1024);
        QCOMPARE(memory.cgroupLimitBytes(), 1048576);
        QCOMPARE(memory.budgetBytes(0), 1048576); // the cgroup is smaller than physical memory
        QCOMPARE(memory.budgetBytes(4096), 4096); // configured wins
        write(u"v1"_s, "9223372036854771712\n");  // v1's "no limit"
        QCOMPARE(memory.budgetBytes(0), 2048 * 1024);
        ProcessMemory missing(
            {dir.filePath(u"none"_s), dir.filePath(u"none"_s), dir.filePath(u"none"_s), dir.filePath(u"none"_s)});
        QCOMPARE(missing.residentBytes(), 0);
        QCOMPARE(missing.budgetBytes(0), 0);
        write(u"statm"_s, "garbage");
        QCOMPARE(memory.residentBytes(), 0);
        // The real process has some memory.
        QVERIFY(ProcessMemory().residentBytes() > 0);
        QVERIFY(ProcessMemory().budgetBytes(0) > 0);
    }
};

QTEST_GUILESS_MAIN(TestMonitoring)
#include "tst_monitoring.moc"
