// Monitoring: every counter moves where its event happens, health follows its rules, and the
// Prometheus text is well-formed.

#include "memory/processmemory.h"
#include "monitoring/healthchecker.h"
#include "monitoring/metricsreporter.h"
#include "monitoring/statisticscollector.h"
#include "protocol/servermessage.h"
#include "util/clock.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <limits>
#include <vector>

using namespace Qt::StringLiterals;
using namespace wsinfra;

class TestMonitoring : public QObject
{
    Q_OBJECT

private slots:
    void countersMove()
    {
        ManualClock clock(1'000'000);
        StatisticsCollector statistics(clock, 1000, 2);
        // Events counted in different blocks (two shards and the common one) add up on read.
        StatisticsCounters &common = statistics.common();
        StatisticsCounters &shard0 = statistics.forShard(0);
        StatisticsCounters &shard1 = statistics.forShard(1);
        QVERIFY(&shard0 != &common && &shard1 != &common && &shard0 != &shard1);
        QCOMPARE(&statistics.forShard(2), &common); // no block of its own
        QCOMPARE(&statistics.forShard(-1), &common);
        shard0.connectionOpened();
        shard1.connectionOpened();
        shard0.connectionClosed();
        shard1.messageReceived();
        shard1.bytesReceived(100);
        shard0.bytesReceived(23);
        shard1.requestParsed(StatisticsCounters::Inbound::Subscribe);
        shard0.requestParsed(StatisticsCounters::Inbound::Subscribe);
        shard0.requestParsed(StatisticsCounters::Inbound::Invalid);
        shard0.messageSent(ServerMessage::Type::BillUpdate);
        shard1.messageSent(ServerMessage::Type::BillUpdate);
        shard1.messageSent(ServerMessage::Type::Pong);
        shard1.messageSent("something_new"_L1);
        shard0.bytesSent(1000);
        shard1.bytesSent(24);
        common.messagePublished(false);
        common.messagePublished(true);
        shard0.messagesDelivered(2);
        shard1.messagesDelivered(3);
        shard1.messageDropped();
        common.duplicateMessage();
        shard0.queueOverflow();
        shard0.slowConsumersChanged(+1);
        shard1.slowConsumersChanged(+1);
        shard0.slowConsumersChanged(-1);
        shard1.reconnection();
        shard0.latencySample(4);
        shard1.latencySample(8);
        clock.advanceMs(250);
        shard0.rateLimited();
        shard1.protocolError();
        shard1.authenticationFailed();
        common.connectionRefused();
        common.httpRequest();

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
        // lastActivity follows events, not snapshots
        QCOMPARE(stats.lastActivity, 1'000'000);
        QCOMPARE(statistics.slowConsumerCount(), 1);

        const StatisticsCollector::Totals totals = statistics.totals();
        QCOMPARE(totals.rateLimited, 1);
        QCOMPARE(totals.protocolErrors, 1);
        QCOMPARE(totals.authenticationFailures, 1);
        QCOMPARE(totals.refusedConnections, 1);
        QCOMPARE(totals.httpRequests, 1);
        QCOMPARE(totals.slowConsumers, 1);
        QCOMPARE(totals.bytesReceived, 123);
        QCOMPARE(totals.bytesSent, 1024);
        using In = StatisticsCounters::Inbound;
        using Out = StatisticsCounters::Outbound;
        QCOMPARE(totals.received[std::size_t(In::Subscribe)], 2);
        QCOMPARE(totals.received[std::size_t(In::Invalid)], 1);
        QCOMPARE(totals.received[std::size_t(In::Ping)], 0);
        QCOMPARE(totals.sent[std::size_t(Out::BillUpdate)], 2);
        QCOMPARE(totals.sent[std::size_t(Out::Pong)], 1);
        QCOMPARE(totals.sent[std::size_t(Out::Other)], 1);
        QCOMPARE(totals.sent[std::size_t(Out::Notification)], 0);
        // Cumulative buckets: 4 ms is within le=5, 8 ms within le=10; +Inf holds all.
        QCOMPARE(totals.latencyBuckets[1], 0); // le=2
        QCOMPARE(totals.latencyBuckets[2], 1); // le=5
        QCOMPARE(totals.latencyBuckets[3], 2); // le=10
        QCOMPARE(totals.latencyBuckets.back(), 2);
    }

    void outboundTypesHaveNames()
    {
        for (int type = 0; type < StatisticsCounters::OutboundCount; ++type) {
            const auto outbound = StatisticsCounters::Outbound(type);
            QCOMPARE(StatisticsCounters::outboundOf(StatisticsCounters::nameOf(outbound)), outbound);
        }
        QCOMPARE(StatisticsCounters::outboundOf(ServerMessage::Type::Notification),
                 StatisticsCounters::Outbound::Notification);
        QCOMPARE(StatisticsCounters::outboundOf(""_L1), StatisticsCounters::Outbound::Other);
        QCOMPARE(StatisticsCounters::nameOf(StatisticsCounters::Inbound::Ack), "ack"_L1);
    }

    void latencyBucketsAreInclusiveUpperBounds_data()
    {
        QTest::addColumn<qint64>("latencyMs");
        QTest::addColumn<int>("firstBucket"); // the first (cumulative) bucket that counts it
        QTest::newRow("0 ms") << qint64(0) << 0;
        QTest::newRow("negative") << qint64(-5) << 0;
        QTest::newRow("exactly 1") << qint64(1) << 0;
        QTest::newRow("2") << qint64(2) << 1;
        QTest::newRow("3") << qint64(3) << 2;
        QTest::newRow("exactly 5000") << qint64(5000) << 11;
        QTest::newRow("above the last bound") << qint64(5001) << 12;
        QTest::newRow("huge") << std::numeric_limits<qint64>::max() << 12;
    }

    void latencyBucketsAreInclusiveUpperBounds()
    {
        QFETCH(qint64, latencyMs);
        QFETCH(int, firstBucket);
        ManualClock clock;
        StatisticsCollector statistics(clock);
        statistics.common().latencySample(latencyMs);
        const StatisticsCollector::Totals totals = statistics.totals();
        for (int bucket = 0; bucket < int(totals.latencyBuckets.size()); ++bucket)
            QCOMPARE(totals.latencyBuckets[std::size_t(bucket)], bucket >= firstBucket ? 1 : 0);
    }

    void countersAreExactAcrossThreads()
    {
        SystemClock clock;
        StatisticsCollector statistics(clock, 1000, 3);
        QList<QThread *> threads;
        // Three shards with blocks of their own and a fourth thread sharing the common block with
        // the main thread: every count must be exact.
        for (int t = 0; t < 4; ++t) {
            StatisticsCounters &counters = statistics.forShard(t);
            threads.append(QThread::create([&counters] {
                for (int i = 0; i < 10'000; ++i) {
                    counters.connectionOpened();
                    counters.messagesDelivered(2);
                    counters.connectionClosed();
                }
            }));
            threads.last()->start();
        }
        for (int i = 0; i < 10'000; ++i)
            statistics.common().bytesSent(3);
        for (QThread *thread : threads) {
            thread->wait();
            delete thread;
        }
        const ServiceStats stats = statistics.snapshot(0, 0);
        QCOMPARE(stats.totalConnections, 40'000);
        QCOMPARE(stats.activeConnections, 0);
        QCOMPARE(stats.deliveredMessages, 80'000);
        QVERIFY(stats.peakConnections >= 1 && stats.peakConnections <= 4);
        QCOMPARE(statistics.totals().bytesSent, 30'000);
    }

    // Nearest rank: the smallest sample with at least `quantile` of the samples at or below it.
    void percentile_data()
    {
        QTest::addColumn<QList<qint64>>("samples");
        QTest::addColumn<double>("quantile");
        QTest::addColumn<double>("expected");
        QList<qint64> oneToHundred;
        for (qint64 i = 100; i >= 1; --i) // reversed: the order of arrival must not matter
            oneToHundred.append(i);
        QList<qint64> oneToThousand;
        for (qint64 i = 1; i <= 1000; ++i)
            oneToThousand.append((i * 7919) % 1000 + 1); // 1..1000 shuffled
        QTest::newRow("none") << QList<qint64>{} << 0.5 << 0.0;
        QTest::newRow("one, p50") << QList<qint64>{7} << 0.5 << 7.0;
        QTest::newRow("one, p99") << QList<qint64>{7} << 0.99 << 7.0;
        QTest::newRow("two, p50 is the lower") << QList<qint64>{8, 4} << 0.5 << 4.0;
        QTest::newRow("two, p99 is the upper") << QList<qint64>{8, 4} << 0.99 << 8.0;
        QTest::newRow("three, p50 is the median") << QList<qint64>{9, 1, 5} << 0.5 << 5.0;
        QTest::newRow("1..100, p50") << oneToHundred << 0.5 << 50.0;
        QTest::newRow("1..100, p99") << oneToHundred << 0.99 << 99.0;
        QTest::newRow("1..100, p100") << oneToHundred << 1.0 << 100.0;
        QTest::newRow("1..100, p0 is the minimum") << oneToHundred << 0.0 << 1.0;
        QTest::newRow("1..1000 shuffled, p50") << oneToThousand << 0.5 << 500.0;
        QTest::newRow("1..1000 shuffled, p99") << oneToThousand << 0.99 << 990.0;
        QTest::newRow("one outlier in 100 hides from p99") << (QList<qint64>(99, 2) << 5000) << 0.99 << 2.0;
        QTest::newRow("two outliers in 100 show in p99") << (QList<qint64>(98, 2) << 5000 << 6000) << 0.99 << 5000.0;
        QTest::newRow("all equal") << QList<qint64>(10, 3) << 0.99 << 3.0;
        QTest::newRow("quantile above 1 is the maximum") << QList<qint64>{1, 2, 3} << 7.0 << 3.0;
        QTest::newRow("negative quantile is the minimum") << QList<qint64>{3, 2, 1} << -1.0 << 1.0;
    }

    void percentile()
    {
        QFETCH(QList<qint64>, samples);
        QFETCH(double, quantile);
        QFETCH(double, expected);
        std::vector<qint64> values(samples.cbegin(), samples.cend());
        QCOMPARE(StatisticsCollector::percentile(values, quantile), expected);
    }

    void latencyPercentilesUseTheLatestSamples()
    {
        ManualClock clock;
        StatisticsCollector statistics(clock, 100);
        QCOMPARE(statistics.latencySummary().count, 0);
        QCOMPARE(statistics.latencySummary().p50, 0.0);
        QCOMPARE(statistics.latencySummary().p99, 0.0);
        // 100 slow samples, then 100 fast ones push them all out of the window.
        for (int i = 0; i < 100; ++i)
            statistics.common().latencySample(1000);
        QCOMPARE(statistics.latencySummary().p50, 1000.0);
        for (int i = 1; i <= 100; ++i)
            statistics.common().latencySample(i);
        const StatisticsCollector::LatencySummary summary = statistics.latencySummary();
        QCOMPARE(summary.p50, 50.0);
        QCOMPARE(summary.p99, 99.0);
        // Sum and count cover every sample, as a Prometheus summary's _sum and _count must.
        QCOMPARE(summary.count, 200);
        QCOMPARE(summary.sumMs, 100 * 1000 + 5050);
        QCOMPARE(statistics.snapshot(0, 0).averageLatency, double(100 * 1000 + 5050) / 200.0);
        // A negative latency (a clock step) counts as 0.
        statistics.common().latencySample(-50);
        QCOMPARE(statistics.latencySummary().sumMs, 100 * 1000 + 5050);
        QCOMPARE(statistics.latencySummary().count, 201);
    }

    void latencyWindowOfOneKeepsTheNewest()
    {
        ManualClock clock;
        StatisticsCollector statistics(clock, 0); // below 1 counts as 1
        statistics.common().latencySample(10);
        statistics.common().latencySample(20);
        QCOMPARE(statistics.latencySummary().p50, 20.0);
        QCOMPARE(statistics.latencySummary().p99, 20.0);
    }

    void latencySamplesFromManyThreads()
    {
        SystemClock clock;
        StatisticsCollector statistics(clock, 1000, 2);
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads.append(QThread::create([&statistics, t] {
                for (int i = 0; i < 5'000; ++i)
                    statistics.forShard(t % 2).latencySample(t + 1);
            }));
            threads.last()->start();
        }
        // Summaries while the samples arrive must be consistent (and clean under the sanitizers).
        for (int i = 0; i < 50; ++i) {
            const StatisticsCollector::LatencySummary summary = statistics.latencySummary();
            QVERIFY(summary.p50 <= summary.p99);
            QVERIFY(summary.p99 <= 4.0);
        }
        for (QThread *thread : threads) {
            thread->wait();
            delete thread;
        }
        const StatisticsCollector::LatencySummary summary = statistics.latencySummary();
        QCOMPARE(summary.count, 20'000);
        QCOMPARE(summary.sumMs, 5'000 * (1 + 2 + 3 + 4));
        QVERIFY(summary.p50 >= 1.0 && summary.p99 <= 4.0);
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

    void slowConsumersAffectQueueHealth_data()
    {
        QTest::addColumn<qint64>("active");
        QTest::addColumn<qint64>("slow");
        QTest::addColumn<bool>("queueHealth");
        QTest::newRow("none") << qint64(100) << qint64(0) << true;
        QTest::newRow("one of a hundred") << qint64(100) << qint64(1) << true;
        QTest::newRow("five percent") << qint64(100) << qint64(5) << false;
        QTest::newRow("one of two") << qint64(2) << qint64(1) << false;
        QTest::newRow("one, nobody counted yet") << qint64(0) << qint64(1) << false;
    }

    void slowConsumersAffectQueueHealth()
    {
        QFETCH(qint64, active);
        QFETCH(qint64, slow);
        QFETCH(bool, queueHealth);
        HealthChecker::Inputs inputs;
        inputs.activeConnections = active;
        inputs.maxConnections = 10'000;
        inputs.slowConsumers = slow;
        const HealthStatus health = HealthChecker({70, 85, 95, 90}).evaluate(inputs);
        QCOMPARE(health.queueHealth, queueHealth);
        QCOMPARE(health.status, queueHealth ? u"healthy"_s : u"degraded"_s);
        QCOMPARE(health.isHealthy, true); // slow consumers degrade, they do not take the node out
        if (!queueHealth)
            QVERIFY(health.warnings.join(u' ').contains(u"slow consumers"_s));
    }

    void prometheusTextIsWellFormed()
    {
        MetricsReporter::Figures figures;
        figures.stats.activeConnections = 7;
        figures.stats.totalMessages = 42;
        figures.subscriptions = 3;
        figures.health.isHealthy = true;
        figures.stats.duplicateMessages = 4;
        figures.latencyP50 = 2;
        figures.latencyP99 = 17;
        figures.latencyCount = 9;
        figures.latencySumMs = 40;
        figures.totals.latencyBuckets.fill(9);
        figures.totals.latencyBuckets[0] = 3;
        figures.totals.received[std::size_t(StatisticsCounters::Inbound::Ack)] = 5;
        figures.totals.sent[std::size_t(StatisticsCounters::Outbound::Notification)] = 6;
        figures.totals.bytesSent = 1234;
        figures.eventDispatcher = u"epoll"_s;
        figures.brokerEnabled = true;
        figures.brokerConnected = false;
        const QByteArray text = MetricsReporter::toPrometheus(figures);
        static const QRegularExpression sample(
            u"^([a-z_0-9]+)(\\{(quantile|type|le|dispatcher)=\"([a-z_0-9.+A-Z]+)\"\\})? ([-0-9.e+]+|NaN)$"_s);
        static const QRegularExpression comment(u"^# (HELP|TYPE) ([a-z_0-9]+) (.+)$"_s);
        const QList<QByteArray> lines = text.trimmed().split('\n');
        QVERIFY(lines.size() > 20);
        // Every sample follows the HELP and TYPE of its family; a histogram's samples are
        // NAME_bucket{le=...} (cumulative, ending with +Inf), NAME_sum and NAME_count; a family
        // appears once.
        QByteArray family;
        QByteArray type;
        QSet<QByteArray> families;
        qint64 previousBucket = 0;
        for (const QByteArray &line : lines) {
            const QRegularExpressionMatch commentMatch = comment.match(QString::fromUtf8(line));
            if (commentMatch.hasMatch()) {
                if (commentMatch.captured(1) == "HELP"_L1) {
                    family = commentMatch.captured(2).toUtf8();
                    QVERIFY2(!families.contains(family), family.constData());
                    families.insert(family);
                    type.clear();
                    previousBucket = 0;
                } else {
                    QCOMPARE(commentMatch.captured(2).toUtf8(), family);
                    type = commentMatch.captured(3).toUtf8();
                    QVERIFY2(type == "gauge" || type == "counter" || type == "histogram", line.constData());
                }
                continue;
            }
            const QRegularExpressionMatch match = sample.match(QString::fromUtf8(line));
            QVERIFY2(match.hasMatch(), line.constData());
            QVERIFY2(!type.isEmpty(), line.constData());
            const QByteArray name = match.captured(1).toUtf8();
            const QString label = match.captured(3);
            if (type == "histogram") {
                QVERIFY2(name == family + "_bucket" || name == family + "_sum" || name == family + "_count",
                         line.constData());
                QCOMPARE(label == "le"_L1, name == family + "_bucket");
                if (name == family + "_bucket") {
                    const qint64 cumulative = match.captured(5).toLongLong();
                    QVERIFY2(cumulative >= previousBucket, line.constData());
                    previousBucket = cumulative;
                }
            } else {
                QCOMPARE(name, family);
                QVERIFY2(label.isEmpty() || label == "type"_L1 || label == "dispatcher"_L1, line.constData());
            }
            if (type == "counter")
                QVERIFY2(name.endsWith("_total"), line.constData());
        }
        QVERIFY(text.contains("\nwsinfra_duplicate_messages_total 4\n"));
        QVERIFY(text.contains("# TYPE wsinfra_delivery_latency_ms histogram\n"
                              "wsinfra_delivery_latency_ms_bucket{le=\"1\"} 3\n"
                              "wsinfra_delivery_latency_ms_bucket{le=\"2\"} 9\n"));
        QVERIFY(text.contains("wsinfra_delivery_latency_ms_bucket{le=\"+Inf\"} 9\n"
                              "wsinfra_delivery_latency_ms_sum 40\n"
                              "wsinfra_delivery_latency_ms_count 9\n"));
        QVERIFY(text.contains("\nwsinfra_delivery_latency_p50_ms 2\n"));
        QVERIFY(text.contains("\nwsinfra_delivery_latency_p99_ms 17\n"));
        QVERIFY(text.contains("\nwsinfra_messages_received_total{type=\"ack\"} 5\n"));
        QVERIFY(text.contains("\nwsinfra_messages_received_total{type=\"ping\"} 0\n"));
        QVERIFY(text.contains("\nwsinfra_messages_sent_total{type=\"notification\"} 6\n"));
        QVERIFY(text.contains("\nwsinfra_sent_bytes_total 1234\n"));
        QVERIFY(text.contains("\nwsinfra_redis_enabled 1\n"));
        QVERIFY(text.contains("\nwsinfra_redis_connected 0\n"));
        QVERIFY(text.contains("\nwsinfra_event_dispatcher_info{dispatcher=\"epoll\"} 1\n"));
        const QJsonObject json = MetricsReporter::toJson(figures);
        QCOMPARE(json.value("traffic"_L1).toObject().value("received"_L1).toObject().value("ack"_L1).toInt(), 5);
        QCOMPARE(json.value("traffic"_L1).toObject().value("bytesSent"_L1).toInt(), 1234);
        QCOMPARE(json.value("cluster"_L1).toObject().value("connected"_L1), QJsonValue(false));
        const QJsonObject performance = MetricsReporter::toJson(figures).value("performance"_L1).toObject();
        QCOMPARE(performance.value("latencyP50"_L1).toDouble(), 2.0);
        QCOMPARE(performance.value("latencyP99"_L1).toDouble(), 17.0);
        QCOMPARE(performance.value("eventDispatcher"_L1).toString(), u"epoll"_s);

        // Without samples the quantiles are NaN, as Prometheus clients write them; JSON says 0.
        const MetricsReporter::Figures empty;
        const QByteArray emptyText = MetricsReporter::toPrometheus(empty);
        QVERIFY(emptyText.contains("\nwsinfra_delivery_latency_p99_ms NaN\n"));
        QVERIFY(emptyText.contains("\nwsinfra_delivery_latency_ms_count 0\n"));
        QCOMPARE(MetricsReporter::toJson(empty).value("performance"_L1).toObject().value("latencyP99"_L1),
                 QJsonValue(0.0));
        QVERIFY(text.contains("\nwsinfra_connections_active 7\n"));
        QVERIFY(text.contains("\nwsinfra_messages_total 42\n"));
        QVERIFY(text.contains("\nwsinfra_subscriptions 3\n"));
        QVERIFY(text.contains("\nwsinfra_healthy 1\n"));
        QCOMPARE(json.value("subscriptions"_L1).toObject().value("total"_L1).toInt(), 3);
        QCOMPARE(json.value("stats"_L1).toObject().value("activeConnections"_L1).toInt(), 7);
    }

    void processMemoryReadsProcFiles()
    {
        QTemporaryDir dir;
        const auto write = [&dir](const QString &name, const QByteArray &content) {
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        };
        write(u"statm"_s, "1000 250 10 1 0 100 0\n");
        write(u"meminfo"_s, "MemTotal:       2048 kB\nMemFree: 1 kB\n");
        ProcessMemory memory({dir.filePath(u"statm"_s), dir.filePath(u"meminfo"_s)});
        QCOMPARE(memory.residentBytes(), 250 * qint64(sysconf(_SC_PAGESIZE)));
        QCOMPARE(memory.physicalBytes(), 2048 * 1024);
        ProcessMemory missing({dir.filePath(u"none"_s), dir.filePath(u"none"_s)});
        QCOMPARE(missing.residentBytes(), 0);
        QCOMPARE(missing.physicalBytes(), 0);
        write(u"statm"_s, "garbage");
        QCOMPARE(memory.residentBytes(), 0);
        // The real process has some memory.
        QVERIFY(ProcessMemory().residentBytes() > 0);
        QVERIFY(ProcessMemory().physicalBytes() > 0);
    }
};

QTEST_GUILESS_MAIN(TestMonitoring)
#include "tst_monitoring.moc"
