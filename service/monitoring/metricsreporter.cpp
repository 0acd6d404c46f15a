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
                                       {u"ioThreads"_s, figures.ioThreads}}},
        {u"subscriptions"_s, QJsonObject{{u"total"_s, figures.subscriptions}, {u"bills"_s, figures.subscribedBills}}},
        {u"history"_s, QJsonObject{{u"entries"_s, figures.historyEntries}, {u"bills"_s, figures.historyBills}}},
        {u"inbox"_s, QJsonObject{{u"entries"_s, figures.inboxEntries}, {u"users"_s, figures.inboxUsers}}},
        {u"memory"_s, QJsonObject{{u"rssBytes"_s, stats.memoryUsage},
                                  {u"budgetBytes"_s, figures.memoryBudgetBytes},
                                  {u"percent"_s, figures.health.memoryUsage},
                                  {u"level"_s, MemoryManager::levelName(MemoryManager::Level(figures.memoryLevel))}}},
        {u"degradation"_s,
         QJsonObject{{u"step"_s, figures.degradationStep},
                     {u"name"_s, MemoryManager::levelName(MemoryManager::Level(figures.degradationStep))},
                     {u"stepsTaken"_s, stepsTaken},
                     {u"shedConnections"_s, figures.shedConnections}}},
        {u"security"_s, QJsonObject{{u"rateLimited"_s, figures.rateLimited},
                                    {u"protocolErrors"_s, figures.protocolErrors},
                                    {u"authenticationFailures"_s, figures.authenticationFailures},
                                    {u"refusedConnections"_s, figures.refusedConnections}}},
        {u"httpRequests"_s, figures.httpRequests}};
}

namespace {

void metric(QByteArray &out, const char *name, const char *type, const char *help, double value)
{
    out += "# HELP " + QByteArray(name) + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
    out += QByteArray(name) + ' ' + QByteArray::number(value, 'g', 15) + '\n';
}

// Prometheus writes a value it does not have as NaN (an empty summary's quantiles).
QByteArray sampleValue(double value)
{
    return qIsNaN(value) ? QByteArray("NaN") : QByteArray::number(value, 'g', 15);
}

// A summary: quantiles of a sliding window of observations, _sum and _count of all of them.
void summary(QByteArray &out, const char *name, const char *help,
             const QList<std::pair<const char *, double>> &quantiles, double sum, qint64 count)
{
    out += "# HELP " + QByteArray(name) + ' ' + help + "\n# TYPE " + name + " summary\n";
    for (const auto &[quantile, value] : quantiles)
        out += QByteArray(name) + "{quantile=\"" + quantile + "\"} " + sampleValue(value) + '\n';
    out += QByteArray(name) + "_sum " + sampleValue(sum) + '\n';
    out += QByteArray(name) + "_count " + QByteArray::number(count) + '\n';
}

} // namespace

QByteArray MetricsReporter::toPrometheus(const Figures &figures)
{
    const ServiceStats &s = figures.stats;
    QByteArray out;
    out.reserve(4096);
    metric(out, "wsinfra_connections_active", "gauge", "Open client connections.", double(s.activeConnections));
    metric(out, "wsinfra_connections_peak", "gauge", "Most connections open at once.", double(s.peakConnections));
    metric(out, "wsinfra_connections_total", "counter", "Connections accepted since start.",
           double(s.totalConnections));
    metric(out, "wsinfra_connections_refused_total", "counter", "Connections refused by a limit.",
           double(figures.refusedConnections));
    metric(out, "wsinfra_users_unique", "gauge", "Distinct users connected.", double(s.uniqueUsers));
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
           double(figures.slowConsumers));
    metric(out, "wsinfra_reconnections_total", "counter", "Subscriptions that asked to recover missed updates.",
           double(s.reconnections));
    metric(out, "wsinfra_delivery_latency_average_ms", "gauge", "Average publish-to-socket latency.", s.averageLatency);
    const double noValue = std::numeric_limits<double>::quiet_NaN();
    const bool measured = figures.latencyCount > 0;
    summary(out, "wsinfra_delivery_latency_ms",
            "Publish-to-socket latency per shard in milliseconds; quantiles over the latest MAX_LATENCY_SAMPLES.",
            {{"0.5", measured ? figures.latencyP50 : noValue}, {"0.99", measured ? figures.latencyP99 : noValue}},
            double(figures.latencySumMs), figures.latencyCount);
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
           double(figures.rateLimited));
    metric(out, "wsinfra_protocol_errors_total", "counter", "Malformed client messages.",
           double(figures.protocolErrors));
    metric(out, "wsinfra_authentication_failures_total", "counter", "Rejected tokens.",
           double(figures.authenticationFailures));
    metric(out, "wsinfra_http_requests_total", "counter", "HTTP requests served.", double(figures.httpRequests));
    metric(out, "wsinfra_uptime_seconds", "gauge", "Seconds since start.", double(s.uptime) / 1000.0);
    metric(out, "wsinfra_healthy", "gauge", "1 when healthy or degraded, 0 when unhealthy.",
           figures.health.isHealthy ? 1 : 0);
    return out;
}

} // namespace wsinfra
