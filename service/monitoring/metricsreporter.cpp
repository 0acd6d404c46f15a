#include "monitoring/metricsreporter.h"

#include "memory/memorymanager.h"

#include <QList>

#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsinfra {

QJsonObject MetricsReporter::toJson(const Figures &figures)
{
    const ServiceStats &stats = figures.stats;
    const StatisticsCollector::Totals &totals = figures.totals;
    QJsonObject received;
    for (int type = 0; type < StatisticsCounters::InboundCount; ++type)
        received.insert(StatisticsCounters::nameOf(StatisticsCounters::Inbound(type)),
                        totals.received[std::size_t(type)]);
    QJsonObject sent;
    for (int type = 0; type < StatisticsCounters::OutboundCount; ++type)
        sent.insert(StatisticsCounters::nameOf(StatisticsCounters::Outbound(type)), totals.sent[std::size_t(type)]);
    QJsonObject thresholds;
    for (int level = 1; level < int(figures.memoryThresholds.size()); ++level)
        thresholds.insert(MemoryManager::levelName(MemoryManager::Level(level)),
                          figures.memoryThresholds[std::size_t(level)]);
    QJsonObject stepsTaken;
    for (int step = 1; step < int(figures.degradationStepsTaken.size()); ++step)
        stepsTaken.insert(MemoryManager::levelName(MemoryManager::Level(step)),
                          figures.degradationStepsTaken[std::size_t(step)]);
    return {
        {u"stats"_s, stats.toJson()},
        {u"health"_s, figures.health.toJson()},
        {u"performance"_s, QJsonObject{{u"averageLatency"_s, stats.averageLatency},
                                       {u"latencyP50"_s, figures.latencyP50},
                                       {u"latencyP99"_s, figures.latencyP99},
                                       {u"deliveredMessages"_s, stats.deliveredMessages},
                                       {u"ioThreads"_s, figures.ioThreads},
                                       {u"eventDispatcher"_s, figures.eventDispatcher}}},
        {u"subscriptions"_s, QJsonObject{{u"total"_s, figures.subscriptions}, {u"bills"_s, figures.subscribedBills}}},
        {u"history"_s, QJsonObject{{u"entries"_s, figures.historyEntries}, {u"bills"_s, figures.historyBills}}},
        {u"inbox"_s, QJsonObject{{u"entries"_s, figures.inboxEntries}, {u"users"_s, figures.inboxUsers}}},
        {u"memory"_s, QJsonObject{{u"rssBytes"_s, stats.memoryUsage},
                                  {u"budgetBytes"_s, figures.memoryBudgetBytes},
                                  {u"percent"_s, figures.health.memoryUsage},
                                  {u"level"_s, MemoryManager::levelName(MemoryManager::Level(figures.memoryLevel))},
                                  {u"thresholds"_s, thresholds}}},
        {u"degradation"_s,
         QJsonObject{{u"step"_s, figures.degradationStep},
                     {u"name"_s, MemoryManager::levelName(MemoryManager::Level(figures.degradationStep))},
                     {u"stepsTaken"_s, stepsTaken},
                     {u"shedConnections"_s, figures.shedConnections}}},
        {u"security"_s, QJsonObject{{u"rateLimited"_s, totals.rateLimited},
                                    {u"protocolErrors"_s, totals.protocolErrors},
                                    {u"authenticationFailures"_s, totals.authenticationFailures},
                                    {u"refusedConnections"_s, totals.refusedConnections}}},
        {u"traffic"_s, QJsonObject{{u"received"_s, received},
                                   {u"sent"_s, sent},
                                   {u"bytesReceived"_s, totals.bytesReceived},
                                   {u"bytesSent"_s, totals.bytesSent}}},
        {u"cluster"_s, QJsonObject{{u"enabled"_s, figures.brokerEnabled}, {u"connected"_s, figures.brokerConnected}}},
        {u"tls"_s, QJsonObject{{u"enabled"_s, figures.tls},
                               {u"handshakeFailures"_s, figures.tlsHandshakeFailures},
                               {u"certificateExpiresAt"_s, figures.tlsCertificateExpiresAt}}},
        {u"httpRequests"_s, totals.httpRequests}};
}

namespace {

void header(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += "# HELP " + QByteArray(name) + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

void metric(QByteArray &out, const char *name, const char *type, const char *help, double value)
{
    header(out, name, type, help);
    out += QByteArray(name) + ' ' + QByteArray::number(value, 'g', 15) + '\n';
}

// One sample of a labelled family (its header written before): name{label="value"} number.
void labelled(QByteArray &out, const char *name, const char *label, QLatin1StringView value, double number)
{
    out += QByteArray(name) + '{' + label + "=\"" + QByteArrayView(value.data(), value.size()) + "\"} " +
           QByteArray::number(number, 'g', 15) + '\n';
}

// Prometheus writes a value it does not have as NaN (an empty summary's quantiles).
QByteArray sampleValue(double value)
{
    return qIsNaN(value) ? QByteArray("NaN") : QByteArray::number(value, 'g', 15);
}

// A histogram: cumulative buckets (the last one +Inf), _sum and _count of all observations.
void histogram(QByteArray &out, const char *name, const char *help, const StatisticsCollector::Totals &totals,
               double sum, qint64 count)
{
    header(out, name, "histogram", help);
    const auto &bounds = StatisticsCounters::LatencyBucketsMs;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
        const QByteArray bound = i < bounds.size() ? QByteArray::number(bounds[i]) : QByteArray("+Inf");
        out +=
            QByteArray(name) + "_bucket{le=\"" + bound + "\"} " + QByteArray::number(totals.latencyBuckets[i]) + '\n';
    }
    out += QByteArray(name) + "_sum " + sampleValue(sum) + '\n';
    out += QByteArray(name) + "_count " + QByteArray::number(count) + '\n';
}

} // namespace

QByteArray MetricsReporter::toPrometheus(const Figures &figures)
{
    const ServiceStats &s = figures.stats;
    const StatisticsCollector::Totals &t = figures.totals;
    QByteArray out;
    out.reserve(4096);
    metric(out, "wsinfra_connections_active", "gauge", "Open client connections.", double(s.activeConnections));
    metric(out, "wsinfra_connections_peak", "gauge", "Most connections open at once.", double(s.peakConnections));
    metric(out, "wsinfra_connections_total", "counter", "Connections accepted since start.",
           double(s.totalConnections));
    metric(out, "wsinfra_connections_refused_total", "counter", "Connections refused by a limit.",
           double(t.refusedConnections));
    metric(out, "wsinfra_users_unique", "gauge", "Distinct users connected.", double(s.uniqueUsers));
    if (!figures.eventDispatcher.isEmpty()) {
        header(out, "wsinfra_event_dispatcher_info", "gauge", "Event dispatcher of the event-loop threads (always 1).");
        out += "wsinfra_event_dispatcher_info{dispatcher=\"" + figures.eventDispatcher.toLatin1() + "\"} 1\n";
    }
    metric(out, "wsinfra_messages_total", "counter", "Messages processed (client frames and publishes).",
           double(s.totalMessages));
    metric(out, "wsinfra_broadcasts_total", "counter", "Broadcasts to everyone.", double(s.totalBroadcasts));
    metric(out, "wsinfra_messages_delivered_total", "counter", "Frames handed to client sockets.",
           double(s.deliveredMessages));
    metric(out, "wsinfra_messages_dropped_total", "counter", "Messages dropped.", double(s.droppedMessages));
    metric(out, "wsinfra_duplicate_messages_total", "counter",
           "Publishes answered from the dedupe cache (repeated Idempotency-Key) and not delivered again.",
           double(s.duplicateMessages));
    metric(out, "wsinfra_queue_overflows_total", "counter", "Outbound queue overflows.", double(s.queueOverflows));
    metric(out, "wsinfra_slow_consumers", "gauge", "Connections over their outbound budget now.",
           double(t.slowConsumers));
    metric(out, "wsinfra_reconnections_total", "counter", "Subscriptions that asked to recover missed updates.",
           double(s.reconnections));
    metric(out, "wsinfra_delivery_latency_average_ms", "gauge", "Average publish-to-socket latency.", s.averageLatency);
    histogram(out, "wsinfra_delivery_latency_ms", "Publish-to-socket latency per shard in milliseconds.", t,
              double(figures.latencySumMs), figures.latencyCount);
    const double noValue = std::numeric_limits<double>::quiet_NaN();
    const bool measured = figures.latencyCount > 0;
    header(out, "wsinfra_delivery_latency_p50_ms", "gauge",
           "Median publish-to-socket latency over the latest MAX_LATENCY_SAMPLES of each shard (NaN before any).");
    out += "wsinfra_delivery_latency_p50_ms " + sampleValue(measured ? figures.latencyP50 : noValue) + '\n';
    header(out, "wsinfra_delivery_latency_p99_ms", "gauge", "99th percentile of the same samples (NaN before any).");
    out += "wsinfra_delivery_latency_p99_ms " + sampleValue(measured ? figures.latencyP99 : noValue) + '\n';
    header(out, "wsinfra_messages_received_total", "counter", "Client messages by type (invalid: did not parse).");
    for (int type = 0; type < StatisticsCounters::InboundCount; ++type)
        labelled(out, "wsinfra_messages_received_total", "type",
                 StatisticsCounters::nameOf(StatisticsCounters::Inbound(type)), double(t.received[std::size_t(type)]));
    header(out, "wsinfra_messages_sent_total", "counter", "Envelopes handed to client transports, by type.");
    for (int type = 0; type < StatisticsCounters::OutboundCount; ++type)
        labelled(out, "wsinfra_messages_sent_total", "type",
                 StatisticsCounters::nameOf(StatisticsCounters::Outbound(type)), double(t.sent[std::size_t(type)]));
    metric(out, "wsinfra_received_bytes_total", "counter", "Bytes of client text messages (UTF-8 payload).",
           double(t.bytesReceived));
    metric(out, "wsinfra_sent_bytes_total", "counter",
           "Bytes of envelopes handed to client transports (UTF-8 payload, before framing).", double(t.bytesSent));
    metric(out, "wsinfra_subscriptions", "gauge", "Bill subscriptions of open connections.",
           double(figures.subscriptions));
    metric(out, "wsinfra_subscribed_bills", "gauge", "Bills with at least one subscriber.",
           double(figures.subscribedBills));
    metric(out, "wsinfra_history_entries", "gauge", "Bill updates kept for recovery.", double(figures.historyEntries));
    metric(out, "wsinfra_inbox_entries", "gauge", "Unacknowledged notifications kept for redelivery.",
           double(figures.inboxEntries));
    metric(out, "wsinfra_memory_rss_bytes", "gauge", "Resident memory of the process.", double(s.memoryUsage));
    metric(out, "wsinfra_memory_budget_bytes", "gauge", "Memory budget the thresholds refer to.",
           double(figures.memoryBudgetBytes));
    metric(out, "wsinfra_memory_usage_percent", "gauge", "Resident memory as a percentage of the budget.",
           figures.health.memoryUsage);
    metric(out, "wsinfra_memory_pressure_percent", "gauge",
           "Resident memory in percent of the budget at the latest memory check.", figures.health.memoryUsage);
    metric(out, "wsinfra_memory_pressure_level", "gauge",
           "Memory level: 0 normal, 1 warning, 2 critical, 3 emergency (new connections refused).",
           double(figures.memoryLevel));
    metric(out, "wsinfra_degradation_step", "gauge",
           "Memory degradation step in force: 0 none, 1 caches shrunk, 2 delivery throttled, 3 connections shed.",
           double(figures.degradationStep));
    // One counter per step (the exposition here carries no labels but quantiles).
    metric(out, "wsinfra_degradation_warning_steps_total", "counter",
           "Times the warning step (caches shrunk) was taken.", double(figures.degradationStepsTaken[1]));
    metric(out, "wsinfra_degradation_critical_steps_total", "counter",
           "Times the critical step (delivery throttled, subscriptions limited) was taken.",
           double(figures.degradationStepsTaken[2]));
    metric(out, "wsinfra_degradation_emergency_steps_total", "counter",
           "Times the emergency step (connections shed) was taken.", double(figures.degradationStepsTaken[3]));
    metric(out, "wsinfra_connections_shed_total", "counter",
           "Connections closed with 4004 to shed memory at the emergency level.", double(figures.shedConnections));
    metric(out, "wsinfra_rate_limited_total", "counter", "Client messages refused by the rate limit.",
           double(t.rateLimited));
    metric(out, "wsinfra_protocol_errors_total", "counter", "Malformed client messages.", double(t.protocolErrors));
    metric(out, "wsinfra_authentication_failures_total", "counter", "Rejected tokens.",
           double(t.authenticationFailures));
    metric(out, "wsinfra_http_requests_total", "counter", "HTTP requests served.", double(t.httpRequests));
    metric(out, "wsinfra_redis_enabled", "gauge", "1 when this node is part of a cluster through Redis.",
           figures.brokerEnabled ? 1 : 0);
    metric(out, "wsinfra_redis_connected", "gauge",
           "1 when the cluster broker reaches Redis (always 1 on a single node).", figures.brokerConnected ? 1 : 0);
    metric(out, "wsinfra_tls_enabled", "gauge", "1 when the public port speaks TLS.", figures.tls ? 1 : 0);
    metric(out, "wsinfra_tls_handshake_failures_total", "counter",
           "TLS handshakes that failed or did not finish in time.", double(figures.tlsHandshakeFailures));
    if (figures.tls)
        metric(out, "wsinfra_tls_certificate_expiry_timestamp_seconds", "gauge",
               "When the certificate in use expires (alert on it minus now).", double(figures.tlsCertificateExpiresAt));
    metric(out, "wsinfra_uptime_seconds", "gauge", "Seconds since start.", double(s.uptime) / 1000.0);
    metric(out, "wsinfra_healthy", "gauge", "1 when healthy or degraded, 0 when unhealthy.",
           figures.health.isHealthy ? 1 : 0);
    return out;
}

} // namespace wsinfra
