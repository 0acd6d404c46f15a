#pragma once

#include "benchoptions.h"

#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <vector>

namespace wsinfra::bench {

/// The figures of one run, and how they are printed: one JSON object or one summary line.
struct BenchResult
{
    BenchOptions options;
    int connected = 0;
    int failed = 0;
    QString firstFailure;
    double openSeconds = 0;
    int64_t publishesAnswered = 0;
    int64_t publishErrors = 0;
    QString firstPublishError;
    int64_t expected = 0; // sum of the "delivered" counts of the publish answers
    int64_t received = 0;
    int64_t closedDuringRun = 0;
    int64_t errorFrames = 0;
    double publishSeconds = 0; // first publish to the last delivery (or answer)
    std::vector<uint32_t> latenciesUs;
    double serverCpuSeconds = -1;
    int64_t rssBeforeBytes = -1;
    int64_t rssIdleBytes = -1;
    int64_t rssPublishMaxBytes = -1;

    /// Loss: what the server said it delivered minus what arrived (never negative).
    int64_t loss() const;
    /// Whether the run is clean: every connection open, every publish answered 2xx, nothing lost.
    bool succeeded() const;
    /// Sorts the latencies; call once before toJson() or summary().
    void finish();
    QJsonObject toJson() const;
    QString summary() const;

private:
    double percentileMs(double fraction) const;
};

} // namespace wsinfra::bench
