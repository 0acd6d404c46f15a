// benchoptions.cpp: the command line of wsinfra-bench.
#include "benchoptions.h"

#include <QCommandLineParser>

#include <limits>
#include <type_traits>

using namespace Qt::StringLiterals;

namespace wsinfra::bench {

std::optional<BenchOptions> parseBenchOptions(const QStringList &arguments, QString *error, QString *help)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Load tool for wsinfra-service and its Node.js peers: N WebSocket clients "
                                     "(native protocol or Socket.IO) following bills, publishers over the HTTP API."_s);
    const QCommandLineOption helpOption(u"help"_s, u"Show this help."_s);
    const QCommandLineOption host(u"host"_s, u"Server address (loopback)."_s, u"ADDR"_s, u"127.0.0.1"_s);
    const QCommandLineOption port(u"port"_s, u"Server port (required)."_s, u"PORT"_s);
    const QCommandLineOption transport(u"transport"_s, u"native or socketio (Engine.IO websocket transport)."_s,
                                       u"NAME"_s, u"native"_s);
    const QCommandLineOption connections(u"connections"_s, u"Client connections."_s, u"N"_s, u"100"_s);
    const QCommandLineOption bills(u"bills"_s, u"Bills 1..B that clients follow and updates go to."_s, u"B"_s, u"1"_s);
    const QCommandLineOption follow(u"follow"_s, u"Bills each connection follows."_s, u"K"_s, u"1"_s);
    const QCommandLineOption dist(u"dist"_s, u"How connections pick their bills: uniform or zipf."_s, u"NAME"_s,
                                  u"uniform"_s);
    const QCommandLineOption zipf(u"zipf-s"_s, u"Exponent of the Zipf distribution."_s, u"S"_s, u"1.0"_s);
    const QCommandLineOption publishers(u"publishers"_s, u"Keep-alive HTTP connections publishing."_s, u"N"_s, u"1"_s);
    const QCommandLineOption pipeline(u"pipeline"_s, u"Requests in flight per publisher."_s, u"N"_s, u"8"_s);
    const QCommandLineOption rate(u"rate"_s, u"Publishes per second over all publishers (0 = flat out)."_s, u"R"_s,
                                  u"0"_s);
    const QCommandLineOption publishes(u"publishes"_s, u"Publishes in all (-1: until --duration is over)."_s, u"N"_s,
                                       u"100"_s);
    const QCommandLineOption duration(u"duration"_s, u"Stop publishing after this many seconds (0 = no limit)."_s,
                                      u"S"_s, u"0"_s);
    const QCommandLineOption payload(u"payload"_s, u"Bytes of each published body."_s, u"N"_s, u"100"_s);
    const QCommandLineOption concurrency(
        u"concurrency"_s,
        u"Connections being opened at once (the service answers 503 beyond 128 "
        "from one address whose request has not arrived, WSINFRA_MAX_PENDING_REQUESTS_PER_IP)."_s,
        u"N"_s, u"100"_s);
    const QCommandLineOption secret(u"secret"_s, u"HS256 secret of the client tokens."_s, u"S"_s, u"bench-secret"_s);
    const QCommandLineOption apiKey(u"api-key"_s, u"API key of the HTTP API (Bearer)."_s, u"KEY"_s, u"bench-api-key"_s);
    const QCommandLineOption serverPid(u"server-pid"_s, u"Server process: CPU and RSS from /proc/PID."_s, u"PID"_s,
                                       u"0"_s);
    const QCommandLineOption json(u"json"_s, u"Print one JSON object instead of the summary line."_s);
    const QCommandLineOption timeout(u"timeout"_s, u"Give up after this many seconds in all."_s, u"S"_s, u"120"_s);
    const QCommandLineOption drain(u"drain"_s, u"After the last answer, wait this long without a delivery."_s, u"S"_s,
                                   u"5"_s);
    const QCommandLineOption settle(u"settle-ms"_s, u"Pause between opening and measuring idle RSS."_s, u"MS"_s,
                                    u"500"_s);
    const QCommandLineOption seed(u"seed"_s, u"Seed of the bill choice."_s, u"N"_s, u"1"_s);
    parser.addOptions({helpOption, host,       port,      transport, connections, bills,    follow,  dist,
                       zipf,       publishers, pipeline,  rate,      publishes,   duration, payload, concurrency,
                       secret,     apiKey,     serverPid, json,      timeout,     drain,    settle,  seed});
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return std::nullopt;
    }
    if (parser.isSet(helpOption)) {
        *help = parser.helpText();
        return std::nullopt;
    }

    BenchOptions options;
    // Every number is checked against its range so that a typo is an error, not a silent default.
    const auto integer = [&](const QCommandLineOption &option, qint64 minimum, qint64 maximum, auto *target) {
        bool ok = false;
        const qint64 value = parser.value(option).toLongLong(&ok);
        if (!ok || value < minimum || value > maximum) {
            *error =
                u"--%1: '%2' is not an integer in [%3, %4]"_s.arg(option.names().constFirst(), parser.value(option))
                    .arg(minimum)
                    .arg(maximum);
            return false;
        }
        *target = static_cast<std::remove_pointer_t<decltype(target)>>(value);
        return true;
    };
    const auto real = [&](const QCommandLineOption &option, double minimum, double maximum, double *target) {
        bool ok = false;
        const double value = parser.value(option).toDouble(&ok);
        if (!ok || value < minimum || value > maximum) {
            *error = u"--%1: '%2' is not a number in [%3, %4]"_s.arg(option.names().constFirst(), parser.value(option))
                         .arg(minimum)
                         .arg(maximum);
            return false;
        }
        *target = value;
        return true;
    };
    if (!parser.isSet(port)) {
        *error = u"--port is required"_s;
        return std::nullopt;
    }
    int pid = 0;
    if (!integer(port, 1, 65535, &options.port) || !integer(connections, 0, 1000000, &options.connections) ||
        !integer(bills, 1, 100000000, &options.bills) || !integer(follow, 1, 1000, &options.follow) ||
        !real(zipf, 0.0, 10.0, &options.zipfExponent) || !integer(publishers, 1, 1000, &options.publishers) ||
        !integer(pipeline, 1, 100000, &options.pipeline) || !real(rate, 0.0, 1e9, &options.rate) ||
        !integer(publishes, -1, std::numeric_limits<int64_t>::max(), &options.publishes) ||
        !real(duration, 0.0, 1e6, &options.durationSeconds) ||
        !integer(payload, 0, 64 * 1024 * 1024, &options.payloadBytes) ||
        !integer(concurrency, 1, 1000000, &options.connectConcurrency) ||
        !integer(serverPid, 0, std::numeric_limits<int>::max(), &pid) ||
        !real(timeout, 0.1, 1e6, &options.timeoutSeconds) || !real(drain, 0.0, 1e6, &options.drainSeconds) ||
        !integer(settle, 0, 3600000, &options.settleMs) ||
        !integer(seed, 0, std::numeric_limits<uint32_t>::max(), &options.seed))
        return std::nullopt;
    options.serverPid = pid;
    if (options.follow > options.bills) {
        *error = u"--follow %1 is more than --bills %2"_s.arg(options.follow).arg(options.bills);
        return std::nullopt;
    }
    if (options.publishes < 0 && options.durationSeconds <= 0) {
        *error = u"--publishes -1 needs a --duration"_s;
        return std::nullopt;
    }
    options.host = parser.value(host).toStdString();
    const QString transportName = parser.value(transport);
    if (transportName == "native"_L1) {
        options.transport = Transport::Native;
    } else if (transportName == "socketio"_L1) {
        options.transport = Transport::SocketIo;
    } else {
        *error = u"--transport: '%1' is neither native nor socketio"_s.arg(transportName);
        return std::nullopt;
    }
    const QString distName = parser.value(dist);
    if (distName == "uniform"_L1) {
        options.distribution = BillDistribution::Uniform;
    } else if (distName == "zipf"_L1) {
        options.distribution = BillDistribution::Zipf;
    } else {
        *error = u"--dist: '%1' is neither uniform nor zipf"_s.arg(distName);
        return std::nullopt;
    }
    options.secret = parser.value(secret).toUtf8();
    options.apiKey = parser.value(apiKey).toStdString();
    options.json = parser.isSet(json);
    return options;
}

} // namespace wsinfra::bench
