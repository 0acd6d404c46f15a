// benchresult.cpp: the figures of a run as JSON and as a summary line.
#include "benchresult.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace wsinfra::bench {
namespace {

double rounded(double value, int digits)
{
    const double scale = std::pow(10.0, digits);
    return std::round(value * scale) / scale;
}

} // namespace

int64_t BenchResult::loss() const
{
    return std::max<int64_t>(0, expected - received);
}

bool BenchResult::succeeded() const
{
    return failed == 0 && connected == options.connections && publishErrors == 0 && loss() == 0 && closedDuringRun == 0;
}

void BenchResult::finish()
{
    std::sort(latenciesUs.begin(), latenciesUs.end());
}

double BenchResult::percentileMs(double fraction) const
{
    if (latenciesUs.empty())
        return -1;
    const auto index =
        std::min(latenciesUs.size() - 1, static_cast<std::size_t>(double(latenciesUs.size()) * fraction));
    return rounded(latenciesUs[index] / 1000.0, 3);
}

QJsonObject BenchResult::toJson() const
{
    const double deliveriesPerSecond = publishSeconds > 0 ? double(received) / publishSeconds : 0;
    QJsonObject json{
        {u"transport"_s, options.transport == Transport::Native ? u"native"_s : u"socketio"_s},
        {u"connections"_s, options.connections},
        {u"bills"_s, options.bills},
        {u"follow"_s, options.follow},
        {u"dist"_s, options.distribution == BillDistribution::Uniform ? u"uniform"_s : u"zipf"_s},
        {u"rate"_s, options.rate},
        {u"payloadBytes"_s, options.payloadBytes},
        {u"connected"_s, connected},
        {u"failed"_s, failed},
        {u"openSeconds"_s, rounded(openSeconds, 3)},
        {u"connectsPerSecond"_s, openSeconds > 0 ? std::round(connected / openSeconds) : 0.0},
        {u"publishes"_s, qint64(publishesAnswered)},
        {u"publishErrors"_s, qint64(publishErrors)},
        {u"expected"_s, qint64(expected)},
        {u"received"_s, qint64(received)},
        {u"loss"_s, qint64(loss())},
        {u"closedDuringRun"_s, qint64(closedDuringRun)},
        {u"errorFrames"_s, qint64(errorFrames)},
        {u"publishSeconds"_s, rounded(publishSeconds, 3)},
        {u"deliveriesPerSecond"_s, std::round(deliveriesPerSecond)},
        {u"p50Ms"_s, percentileMs(0.5)},
        {u"p99Ms"_s, percentileMs(0.99)},
        {u"p999Ms"_s, percentileMs(0.999)},
        {u"maxMs"_s, latenciesUs.empty() ? -1.0 : rounded(latenciesUs.back() / 1000.0, 3)},
        {u"ok"_s, succeeded()},
    };
    if (!firstFailure.isEmpty())
        json.insert(u"firstFailure"_s, firstFailure);
    if (!firstPublishError.isEmpty())
        json.insert(u"firstPublishError"_s, firstPublishError);
    if (options.serverPid > 0) {
        json.insert(u"serverCpuSeconds"_s, rounded(serverCpuSeconds, 3));
        json.insert(u"cpuUsPerDelivery"_s, received > 0 && serverCpuSeconds >= 0
                                               ? rounded(serverCpuSeconds * 1e6 / double(received), 3)
                                               : -1.0);
        json.insert(u"rssBeforeBytes"_s, qint64(rssBeforeBytes));
        json.insert(u"rssIdleBytes"_s, qint64(rssIdleBytes));
        json.insert(u"rssPublishMaxBytes"_s, qint64(rssPublishMaxBytes));
        json.insert(u"kbPerIdleConnection"_s,
                    connected > 0 && rssIdleBytes >= 0
                        ? rounded(double(rssIdleBytes - rssBeforeBytes) / 1024.0 / connected, 2)
                        : -1.0);
    }
    return json;
}

QString BenchResult::summary() const
{
    const QJsonObject json = toJson();
    const auto number = [&](const QString &key) { return QString::number(json.value(key).toDouble()); };
    QString line = u"%1 %2/%3 open in %4 s (%5/s); %6 publishes, %7/%8 delivered (loss %9)"_s.arg(
        json.value(u"transport"_s).toString(), number(u"connected"_s), number(u"connections"_s),
        number(u"openSeconds"_s), number(u"connectsPerSecond"_s), number(u"publishes"_s), number(u"received"_s),
        number(u"expected"_s), number(u"loss"_s));
    line += u", %1 deliveries/s, latency ms p50 %2 p99 %3 p999 %4 max %5"_s.arg(
        number(u"deliveriesPerSecond"_s), number(u"p50Ms"_s), number(u"p99Ms"_s), number(u"p999Ms"_s),
        number(u"maxMs"_s));
    if (options.serverPid > 0)
        line += u", server CPU %1 s = %2 us/delivery, %3 KB/idle connection, RSS max %4 MB"_s.arg(
            number(u"serverCpuSeconds"_s), number(u"cpuUsPerDelivery"_s), number(u"kbPerIdleConnection"_s),
            QString::number(rounded(double(rssPublishMaxBytes) / 1048576.0, 1)));
    if (publishErrors > 0)
        line += u", %1 publish errors (%2)"_s.arg(publishErrors).arg(firstPublishError);
    if (failed > 0)
        line += u", %1 connections failed (%2)"_s.arg(failed).arg(firstFailure);
    if (closedDuringRun > 0)
        line += u", %1 closed by the server"_s.arg(closedDuringRun);
    return line;
}

} // namespace wsinfra::bench
