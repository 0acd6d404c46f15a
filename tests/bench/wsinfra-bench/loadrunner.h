#pragma once

#include "benchoptions.h"
#include "benchresult.h"
#include "procsampler.h"
#include "tokensigner.h"
#include "websocketframer.h"

#include <netinet/in.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace wsinfra::bench {

/// The load itself: one thread, one epoll loop, non-blocking sockets and our own framing, so that
/// the client costs little next to the server. Opens the connections (a bounded number at once),
/// each subscribing to its bills; lets them settle (idle RSS); then publishes over keep-alive,
/// pipelined HTTP at a fixed rate or flat out and counts what arrives until every delivery the
/// publish answers announced is in, or nothing arrived for the drain time.
class LoadRunner
{
public:
    explicit LoadRunner(const BenchOptions &options);
    ~LoadRunner();
    LoadRunner(const LoadRunner &) = delete;
    LoadRunner &operator=(const LoadRunner &) = delete;

    /// Runs the scenario once and returns its figures, including whether it succeeded.
    BenchResult run();

private:
    enum class State : uint8_t {
        Idle,
        Connecting,
        Upgrading,
        AwaitEngineOpen, // Socket.IO: Engine.IO's open packet
        AwaitNamespace,  // Socket.IO: the answer to CONNECT
        Subscribing,
        Ready,
        Closed,
    };
    struct Subscriber
    {
        int fd = -1;
        State state = State::Idle;
        bool writing = false; // EPOLLOUT is registered
        std::vector<int> bills;
        std::string in;      // bytes not parsed yet
        std::string out;     // bytes not sent yet
        std::string message; // a fragmented message being reassembled
    };
    struct Publisher
    {
        int fd = -1;
        bool writing = false;
        int inFlight = 0;
        std::string in;
        std::string out;
    };

    void chooseBills();
    void startConnect(int index);
    void drop(int index, const std::string &reason);
    void markReady(Subscriber &subscriber);
    void handleSubscriberEvent(int index, uint32_t events);
    void readSubscriber(int index);
    void consume(int index, std::string_view data);
    void handleFrame(int index, const WebSocketFramer::Frame &frame);
    void handleNativeMessage(int index, std::string_view message);
    void handleSocketIoMessage(int index, std::string_view message);
    void onDelivery(std::string_view message);
    void sendFrame(int index, uint8_t opcode, std::string_view payload);
    bool flushSubscriber(int index);
    std::string subscribeRequest(const Subscriber &subscriber) const;

    bool openPublishers();
    void pumpPublishers(int64_t nowUs);
    bool publishingDone(int64_t nowUs) const;
    /// Sends what the publisher has queued until the socket would block; false when it was dropped.
    bool sendPending(Publisher &publisher);
    void appendPublish(Publisher &publisher);
    void handlePublisherEvent(int index, uint32_t events);
    void consumeAnswers(Publisher &publisher);
    void dropPublisher(Publisher &publisher, const std::string &reason);

    void poll(int timeoutMs);
    void setInterest(int fd, uint64_t tag, bool &writing, bool wantWrite);
    void closeAll();

    BenchOptions m_options;
    TokenSigner m_signer;
    ProcSampler m_sampler;
    sockaddr_in m_address{};
    std::string m_hostHeader;
    int m_epoll = -1;
    std::vector<Subscriber> m_subscribers;
    std::vector<Publisher> m_publishers;
    std::vector<char> m_readBuffer;
    std::mt19937 m_random;
    uint32_t m_maskState = 0x9E3779B9u;
    BenchResult m_result;
    int m_opening = 0; // connections between connect() and ready or failed
    int m_settled = 0; // connections ready or failed
    bool m_publishing = false;
    int64_t m_issued = 0;
    int64_t m_publishLimit = 0;
    int64_t m_publishStartUs = 0;
    int64_t m_lastActivityUs = 0;
};

} // namespace wsinfra::bench
