#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <string>

namespace wsinfra::bench {

enum class Transport { Native, SocketIo };
enum class BillDistribution { Uniform, Zipf };

/// What one run of wsinfra-bench does, read from its command line (see `wsinfra-bench --help`).
struct BenchOptions
{
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    Transport transport = Transport::Native;
    int connections = 100;
    int bills = 1;
    int follow = 1;
    BillDistribution distribution = BillDistribution::Uniform;
    double zipfExponent = 1.0;
    int publishers = 1;
    int pipeline = 8;
    double rate = 0;         // publishes per second over all publishers; 0 = flat out
    int64_t publishes = 100; // -1: until the duration is over
    double durationSeconds = 0;
    int payloadBytes = 100;
    int connectConcurrency = 100;
    QByteArray secret = "bench-secret";
    std::string apiKey = "bench-api-key";
    int serverPid = 0;
    bool json = false;
    double timeoutSeconds = 120;
    double drainSeconds = 5;
    int settleMs = 500;
    uint32_t seed = 1;
};

/// Parses the command line (program name first). Returns nothing and sets `error` on a bad value;
/// `error` stays empty and nothing is returned when `--help` was asked for (`help` gets the text).
std::optional<BenchOptions> parseBenchOptions(const QStringList &arguments, QString *error, QString *help);

} // namespace wsinfra::bench
