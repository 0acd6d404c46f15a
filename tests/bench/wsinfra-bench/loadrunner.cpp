// loadrunner.cpp: the epoll loop of wsinfra-bench.
#include "loadrunner.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>

namespace wsinfra::bench {
namespace {

constexpr uint64_t kPublisherTag = uint64_t(1) << 32;
constexpr std::size_t kReadBufferSize = 256 * 1024;
constexpr std::string_view kTimestampKey = "\"bench_us\":";

int64_t clockUs(clockid_t clock)
{
    timespec now{};
    clock_gettime(clock, &now);
    return int64_t(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

int64_t monotonicUs()
{
    return clockUs(CLOCK_MONOTONIC);
}

// Latency compares the publisher's wall clock with the receiver's: the same machine, so the same clock.
int64_t realtimeUs()
{
    return clockUs(CLOCK_REALTIME);
}

std::string errnoText(const char *what, int error)
{
    return std::string(what) + ": " + std::strerror(error);
}

// Closes with a reset instead of a FIN: 10,000 sockets in TIME_WAIT per run would use up the loopback's
// ephemeral ports over a few scenarios.
void closeAbortively(int fd)
{
    const linger reset{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fd);
}

std::string_view prefix(std::string_view text, std::size_t length)
{
    return text.substr(0, std::min(text.size(), length));
}

} // namespace

LoadRunner::LoadRunner(const BenchOptions &options)
    : m_options(options), m_signer(options.secret), m_sampler(options.serverPid),
      m_hostHeader(options.host + ':' + std::to_string(options.port)), m_epoll(epoll_create1(EPOLL_CLOEXEC)),
      m_subscribers(std::size_t(options.connections)), m_publishers(std::size_t(options.publishers)),
      m_readBuffer(kReadBufferSize), m_random(options.seed)
{
    m_address.sin_family = AF_INET;
    m_address.sin_port = htons(options.port);
    inet_pton(AF_INET, options.host.c_str(), &m_address.sin_addr);
    m_result.options = options;
    m_publishLimit = options.publishes < 0 ? std::numeric_limits<int64_t>::max() : options.publishes;
}

LoadRunner::~LoadRunner()
{
    closeAll();
    if (m_epoll >= 0)
        close(m_epoll);
}

BenchResult LoadRunner::run()
{
    const int64_t deadline = monotonicUs() + int64_t(m_options.timeoutSeconds * 1e6);
    m_result.rssBeforeBytes = m_sampler.rssBytes();
    chooseBills();

    const int64_t openStart = monotonicUs();
    int next = 0;
    const int total = m_options.connections;
    while (m_settled < total && monotonicUs() < deadline) {
        while (m_opening < m_options.connectConcurrency && next < total)
            startConnect(next++);
        poll(20);
    }
    m_result.openSeconds = double(monotonicUs() - openStart) / 1e6;
    for (int index = 0; index < total; ++index) {
        const State state = m_subscribers[std::size_t(index)].state;
        if (state != State::Ready && state != State::Closed) {
            if (state == State::Idle)
                ++m_opening; // never started: drop() counts it like the others
            m_subscribers[std::size_t(index)].state = state == State::Idle ? State::Connecting : state;
            drop(index, "not open before the timeout");
        }
    }

    const int64_t settleEnd = monotonicUs() + int64_t(m_options.settleMs) * 1000;
    for (int64_t now = monotonicUs(); now < settleEnd; now = monotonicUs())
        poll(int(std::max<int64_t>(1, (settleEnd - now) / 1000)));
    m_result.rssIdleBytes = m_sampler.rssBytes();

    if (!openPublishers()) {
        m_result.finish();
        return m_result;
    }
    const double cpuBefore = m_sampler.cpuSeconds();
    m_result.rssPublishMaxBytes = m_sampler.rssBytes();
    m_publishing = true;
    m_publishStartUs = monotonicUs();
    m_lastActivityUs = m_publishStartUs;
    int64_t lastSample = m_publishStartUs;
    const auto drainUs = int64_t(m_options.drainSeconds * 1e6);
    for (;;) {
        const int64_t now = monotonicUs();
        pumpPublishers(now);
        if (publishingDone(now) && (m_result.received >= m_result.expected || now - m_lastActivityUs > drainUs))
            break;
        if (now > deadline)
            break;
        if (now - lastSample >= 100000) {
            m_result.rssPublishMaxBytes = std::max(m_result.rssPublishMaxBytes, m_sampler.rssBytes());
            lastSample = now;
        }
        int timeoutMs = 20;
        if (m_options.rate > 0 && m_issued < m_publishLimit) {
            const auto dueUs = m_publishStartUs + int64_t(double(m_issued) * 1e6 / m_options.rate);
            timeoutMs = int(std::clamp<int64_t>((dueUs - now) / 1000, 0, 20));
        }
        poll(timeoutMs);
    }
    const double cpuAfter = m_sampler.cpuSeconds();
    m_result.rssPublishMaxBytes = std::max(m_result.rssPublishMaxBytes, m_sampler.rssBytes());
    if (cpuBefore >= 0 && cpuAfter >= 0)
        m_result.serverCpuSeconds = cpuAfter - cpuBefore;
    m_result.publishSeconds = double(m_lastActivityUs - m_publishStartUs) / 1e6;
    closeAll();
    m_result.finish();
    return m_result;
}

void LoadRunner::chooseBills()
{
    const int billCount = m_options.bills;
    const int follow = m_options.follow;
    std::vector<double> cumulative;
    if (m_options.distribution == BillDistribution::Zipf) {
        cumulative.reserve(std::size_t(billCount));
        double sum = 0;
        for (int rank = 1; rank <= billCount; ++rank)
            cumulative.push_back(sum += 1.0 / std::pow(double(rank), m_options.zipfExponent));
    }
    std::uniform_int_distribution<int> uniform(1, billCount);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto draw = [&]() {
        if (cumulative.empty())
            return uniform(m_random);
        const double point = unit(m_random) * cumulative.back();
        return int(std::upper_bound(cumulative.begin(), cumulative.end(), point) - cumulative.begin()) + 1;
    };
    for (Subscriber &subscriber : m_subscribers) {
        std::vector<int> &bills = subscriber.bills;
        if (follow == billCount) {
            for (int bill = 1; bill <= billCount; ++bill)
                bills.push_back(bill);
            continue;
        }
        // Distinct bills by rejection; a skewed Zipf may need many draws for the last ones, so after a
        // bound the least popular free bills fill up.
        for (int attempt = 0; int(bills.size()) < follow && attempt < 100 * follow; ++attempt) {
            const int bill = draw();
            if (std::find(bills.begin(), bills.end(), bill) == bills.end())
                bills.push_back(bill);
        }
        for (int bill = billCount; int(bills.size()) < follow; --bill) {
            if (std::find(bills.begin(), bills.end(), bill) == bills.end())
                bills.push_back(bill);
        }
    }
}

void LoadRunner::startConnect(int index)
{
    Subscriber &subscriber = m_subscribers[std::size_t(index)];
    subscriber.state = State::Connecting;
    ++m_opening;
    subscriber.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (subscriber.fd < 0) {
        drop(index, errnoText("socket", errno));
        return;
    }
    const int one = 1;
    setsockopt(subscriber.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(subscriber.fd, reinterpret_cast<const sockaddr *>(&m_address), sizeof m_address) != 0 &&
        errno != EINPROGRESS) {
        drop(index, errnoText("connect", errno));
        return;
    }
    std::string &out = subscriber.out;
    if (m_options.transport == Transport::Native)
        out = "GET /ws?token=" + m_signer.token("bench-" + std::to_string(index));
    else
        out = "GET /socket.io/?EIO=4&transport=websocket";
    out += " HTTP/1.1\r\nHost: " + m_hostHeader +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n";
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT;
    event.data.u64 = uint64_t(index);
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, subscriber.fd, &event);
    subscriber.writing = true;
}

void LoadRunner::drop(int index, const std::string &reason)
{
    Subscriber &subscriber = m_subscribers[std::size_t(index)];
    if (subscriber.state == State::Closed)
        return;
    if (subscriber.fd >= 0)
        closeAbortively(subscriber.fd);
    subscriber.fd = -1;
    if (subscriber.state == State::Ready) {
        ++m_result.closedDuringRun;
    } else {
        --m_opening;
        ++m_settled;
        ++m_result.failed;
    }
    if (m_result.firstFailure.isEmpty())
        m_result.firstFailure = QString::fromStdString(reason);
    subscriber.state = State::Closed;
    std::string().swap(subscriber.in);
    std::string().swap(subscriber.out);
    std::string().swap(subscriber.message);
}

void LoadRunner::markReady(Subscriber &subscriber)
{
    subscriber.state = State::Ready;
    --m_opening;
    ++m_settled;
    ++m_result.connected;
}

void LoadRunner::handleSubscriberEvent(int index, uint32_t events)
{
    Subscriber &subscriber = m_subscribers[std::size_t(index)];
    if (subscriber.fd < 0)
        return;
    if (subscriber.state == State::Connecting) {
        if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0)
            return;
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(subscriber.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            drop(index, errnoText("connect", error));
            return;
        }
        subscriber.state = State::Upgrading;
    }
    if ((events & EPOLLOUT) && !flushSubscriber(index))
        return;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        readSubscriber(index);
}

void LoadRunner::readSubscriber(int index)
{
    // A few reads per wake-up keep one busy connection from starving the others (level-triggered).
    for (int round = 0; round < 4; ++round) {
        const int fd = m_subscribers[std::size_t(index)].fd;
        const ssize_t length = recv(fd, m_readBuffer.data(), m_readBuffer.size(), 0);
        if (length > 0) {
            consume(index, std::string_view(m_readBuffer.data(), std::size_t(length)));
            if (m_subscribers[std::size_t(index)].fd < 0 || std::size_t(length) < m_readBuffer.size())
                return;
        } else if (length == 0) {
            drop(index, "connection closed by the server");
            return;
        } else if (errno == EINTR) {
            continue;
        } else {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                drop(index, errnoText("recv", errno));
            return;
        }
    }
}

void LoadRunner::consume(int index, std::string_view data)
{
    Subscriber &subscriber = m_subscribers[std::size_t(index)];
    // The common case parses straight from the read buffer; only a partial frame is copied.
    std::string_view view = data;
    if (!subscriber.in.empty() || subscriber.state == State::Upgrading) {
        subscriber.in.append(data);
        view = subscriber.in;
    }
    std::size_t used = 0;
    if (subscriber.state == State::Upgrading) {
        const std::size_t end = view.find("\r\n\r\n");
        if (end == std::string_view::npos)
            return;
        if (!view.starts_with("HTTP/1.1 101")) {
            // The status line and the body (the service explains a refusal there), on one line.
            std::string answer(prefix(view, 400));
            std::replace(answer.begin(), answer.end(), '\r', ' ');
            std::replace(answer.begin(), answer.end(), '\n', ' ');
            drop(index, "upgrade refused: " + answer);
            return;
        }
        used = end + 4;
        if (m_options.transport == Transport::Native) {
            subscriber.state = State::Subscribing;
            sendFrame(index, WebSocketFramer::Text, subscribeRequest(subscriber));
            if (subscriber.fd < 0)
                return;
        } else {
            subscriber.state = State::AwaitEngineOpen;
        }
    }
    while (used < view.size()) {
        WebSocketFramer::Frame frame;
        const std::ptrdiff_t length = WebSocketFramer::parseServerFrame(view.substr(used), &frame);
        if (length == 0)
            break;
        if (length < 0) {
            drop(index, "invalid frame from the server");
            return;
        }
        used += std::size_t(length);
        handleFrame(index, frame);
        if (subscriber.fd < 0)
            return; // dropped: the buffers are gone
    }
    if (view.data() == subscriber.in.data())
        subscriber.in.erase(0, used);
    else
        subscriber.in.assign(view.substr(used));
}

void LoadRunner::handleFrame(int index, const WebSocketFramer::Frame &frame)
{
    Subscriber &subscriber = m_subscribers[std::size_t(index)];
    const auto deliver = [&](std::string_view message) {
        if (m_options.transport == Transport::Native)
            handleNativeMessage(index, message);
        else
            handleSocketIoMessage(index, message);
    };
    switch (frame.opcode) {
    case WebSocketFramer::Text:
    case WebSocketFramer::Binary:
        if (frame.fin)
            deliver(frame.payload);
        else
            subscriber.message.assign(frame.payload);
        break;
    case WebSocketFramer::Continuation:
        subscriber.message.append(frame.payload);
        if (frame.fin) {
            std::string message;
            message.swap(subscriber.message);
            deliver(message);
        }
        break;
    case WebSocketFramer::Ping:
        sendFrame(index, WebSocketFramer::Pong, frame.payload);
        break;
    case WebSocketFramer::Close: {
        std::string reason = "closed by the server";
        if (frame.payload.size() >= 2) {
            const int code = (uint8_t(frame.payload[0]) << 8) | uint8_t(frame.payload[1]);
            reason += " with code " + std::to_string(code) + ' ' + std::string(frame.payload.substr(2));
        }
        sendFrame(index, WebSocketFramer::Close, prefix(frame.payload, 2));
        drop(index, reason);
        break;
    }
    default:
        break;
    }
}

void LoadRunner::handleNativeMessage(int index, std::string_view message)
{
    Subscriber &subscriber = m_subscribers[std::size_t(index)];
    if (subscriber.state == State::Ready) {
        // Only bill updates carry the publisher's timestamp; the key is not one the service uses.
        if (message.find(kTimestampKey) != std::string_view::npos)
            onDelivery(message);
        else if (message.find("\"type\":\"error\"") != std::string_view::npos)
            ++m_result.errorFrames;
    } else if (subscriber.state == State::Subscribing) {
        if (message.find("\"subscribed\"") != std::string_view::npos)
            markReady(subscriber);
        else if (message.find("\"error\"") != std::string_view::npos)
            drop(index, "subscribe refused: " + std::string(prefix(message, 200)));
    }
}

void LoadRunner::handleSocketIoMessage(int index, std::string_view message)
{
    Subscriber &subscriber = m_subscribers[std::size_t(index)];
    if (message.empty())
        return;
    switch (message[0]) {
    case '2': // Engine.IO ping
        sendFrame(index, WebSocketFramer::Text, "3");
        return;
    case '0': // Engine.IO open
        if (subscriber.state == State::AwaitEngineOpen) {
            subscriber.state = State::AwaitNamespace;
            sendFrame(index, WebSocketFramer::Text,
                      "40{\"token\":\"" + m_signer.token("bench-" + std::to_string(index)) + "\"}");
        }
        return;
    case '1':
        drop(index, "Engine.IO close");
        return;
    case '4':
        break;
    default:
        return;
    }
    const char packet = message.size() > 1 ? message[1] : ' ';
    if (packet == '2') {
        if (subscriber.state == State::Ready && message.starts_with("42[\"bill_update\""))
            onDelivery(message);
        else if (message.starts_with("42[\"error\""))
            ++m_result.errorFrames;
    } else if (packet == '0' && subscriber.state == State::AwaitNamespace) {
        subscriber.state = State::Subscribing;
        sendFrame(index, WebSocketFramer::Text, "421[\"subscribe\"," + subscribeRequest(subscriber) + ']');
    } else if (packet == '3' && subscriber.state == State::Subscribing) {
        if (message.find("\"subscribed\"") != std::string_view::npos)
            markReady(subscriber);
        else
            drop(index, "subscribe refused: " + std::string(prefix(message, 200)));
    } else if (packet == '4') {
        drop(index, "connect_error: " + std::string(prefix(message, 200)));
    } else if (packet == '1') {
        drop(index, "disconnected by the server");
    }
}

std::string LoadRunner::subscribeRequest(const Subscriber &subscriber) const
{
    // Native: the whole envelope; Socket.IO's `subscribe` event carries only its data.
    std::string ids;
    for (const int bill : subscriber.bills)
        ids += (ids.empty() ? "" : ",") + std::to_string(bill);
    const std::string data = "{\"bill_ids\":[" + ids + "]}";
    if (m_options.transport == Transport::SocketIo)
        return data;
    return "{\"type\":\"subscribe\",\"id\":1,\"data\":" + data + '}';
}

void LoadRunner::onDelivery(std::string_view message)
{
    ++m_result.received;
    const int64_t now = realtimeUs();
    m_lastActivityUs = monotonicUs();
    const std::size_t at = message.find(kTimestampKey);
    if (at == std::string_view::npos)
        return;
    const char *begin = message.data() + at + kTimestampKey.size();
    int64_t sentUs = 0;
    if (std::from_chars(begin, message.data() + message.size(), sentUs).ec == std::errc())
        m_result.latenciesUs.push_back(uint32_t(std::clamp<int64_t>(now - sentUs, 0, UINT32_MAX)));
}

void LoadRunner::sendFrame(int index, uint8_t opcode, std::string_view payload)
{
    // xorshift32: masking keys need not be secret here, only present (RFC 6455 5.3).
    m_maskState ^= m_maskState << 13;
    m_maskState ^= m_maskState >> 17;
    m_maskState ^= m_maskState << 5;
    WebSocketFramer::appendClientFrame(m_subscribers[std::size_t(index)].out, opcode, payload, m_maskState);
    flushSubscriber(index);
}

bool LoadRunner::flushSubscriber(int index)
{
    Subscriber &subscriber = m_subscribers[std::size_t(index)];
    if (subscriber.state == State::Connecting)
        return true; // the upgrade request goes out once connect() completed
    while (!subscriber.out.empty()) {
        const ssize_t sent = send(subscriber.fd, subscriber.out.data(), subscriber.out.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            subscriber.out.erase(0, std::size_t(sent));
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        } else if (errno != EINTR) {
            drop(index, errnoText("send", errno));
            return false;
        }
    }
    setInterest(subscriber.fd, uint64_t(index), subscriber.writing, !subscriber.out.empty());
    return true;
}

bool LoadRunner::openPublishers()
{
    for (Publisher &publisher : m_publishers) {
        // A blocking connect on loopback is immediate; from here on the socket is non-blocking.
        publisher.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (publisher.fd < 0 ||
            connect(publisher.fd, reinterpret_cast<const sockaddr *>(&m_address), sizeof m_address) != 0) {
            m_result.firstPublishError = QString::fromStdString(errnoText("publisher connect", errno));
            ++m_result.publishErrors;
            return false;
        }
        const int one = 1;
        setsockopt(publisher.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const int flags = 1;
        ioctl(publisher.fd, FIONBIO, &flags);
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.u64 = kPublisherTag | uint64_t(&publisher - m_publishers.data());
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, publisher.fd, &event);
    }
    return true;
}

bool LoadRunner::publishingDone(int64_t nowUs) const
{
    const bool durationOver =
        m_options.durationSeconds > 0 && nowUs - m_publishStartUs >= int64_t(m_options.durationSeconds * 1e6);
    bool anyAlive = false;
    for (const Publisher &publisher : m_publishers) {
        if (publisher.inFlight > 0)
            return false;
        anyAlive = anyAlive || publisher.fd >= 0;
    }
    return !anyAlive || durationOver || m_issued >= m_publishLimit;
}

void LoadRunner::pumpPublishers(int64_t nowUs)
{
    const int64_t elapsed = nowUs - m_publishStartUs;
    if (m_options.durationSeconds > 0 && elapsed >= int64_t(m_options.durationSeconds * 1e6))
        return;
    // Publish i is due at start + i / rate; behind schedule, the due ones go out together.
    const int64_t due = m_options.rate > 0 ? int64_t(double(elapsed) * m_options.rate / 1e6) + 1 : m_publishLimit;
    for (Publisher &publisher : m_publishers) {
        if (publisher.fd < 0)
            continue;
        bool added = false;
        while (publisher.inFlight < m_options.pipeline && m_issued < std::min(due, m_publishLimit)) {
            appendPublish(publisher);
            added = true;
        }
        if (!added)
            continue;
        if (sendPending(publisher))
            setInterest(publisher.fd, kPublisherTag | uint64_t(&publisher - m_publishers.data()), publisher.writing,
                        !publisher.out.empty());
    }
}

bool LoadRunner::sendPending(Publisher &publisher)
{
    while (!publisher.out.empty()) {
        const ssize_t sent = send(publisher.fd, publisher.out.data(), publisher.out.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            publisher.out.erase(0, std::size_t(sent));
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        } else if (errno != EINTR) {
            dropPublisher(publisher, errnoText("publisher send", errno));
            return false;
        }
    }
    return true;
}

void LoadRunner::appendPublish(Publisher &publisher)
{
    const int bill = int(m_issued % m_options.bills) + 1;
    std::string body = "{\"type\":\"bench\",\"bench_us\":" + std::to_string(realtimeUs()) + ",\"pad\":\"";
    const std::size_t closing = 2;
    if (body.size() + closing < std::size_t(m_options.payloadBytes))
        body.append(std::size_t(m_options.payloadBytes) - body.size() - closing, 'x');
    body += "\"}";
    publisher.out += "POST /api/bills/" + std::to_string(bill) + "/updates HTTP/1.1\r\nHost: " + m_hostHeader +
                     "\r\nAuthorization: Bearer " + m_options.apiKey +
                     "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\n\r\n" + body;
    ++publisher.inFlight;
    ++m_issued;
}

void LoadRunner::handlePublisherEvent(int index, uint32_t events)
{
    Publisher &publisher = m_publishers[std::size_t(index)];
    if (publisher.fd < 0)
        return;
    if (events & EPOLLOUT) {
        if (!sendPending(publisher))
            return;
        setInterest(publisher.fd, kPublisherTag | uint64_t(index), publisher.writing, !publisher.out.empty());
    }
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) == 0)
        return;
    const ssize_t length = recv(publisher.fd, m_readBuffer.data(), m_readBuffer.size(), 0);
    if (length > 0) {
        publisher.in.append(m_readBuffer.data(), std::size_t(length));
        consumeAnswers(publisher);
    } else if (length == 0) {
        dropPublisher(publisher, "the server closed the publishing connection");
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        dropPublisher(publisher, errnoText("publisher recv", errno));
    }
}

void LoadRunner::consumeAnswers(Publisher &publisher)
{
    for (;;) {
        const std::size_t headEnd = publisher.in.find("\r\n\r\n");
        if (headEnd == std::string::npos)
            return;
        std::string head = publisher.in.substr(0, headEnd);
        std::transform(head.begin(), head.end(), head.begin(), [](char c) { return char(std::tolower(c)); });
        int status = 0;
        if (head.size() > 12)
            std::from_chars(head.data() + 9, head.data() + 12, status);
        const std::size_t lengthAt = head.find("\r\ncontent-length:");
        if (lengthAt == std::string::npos) {
            dropPublisher(publisher, "publish answer without Content-Length: " + head);
            return;
        }
        std::size_t bodyLength = 0;
        const char *number = head.data() + lengthAt + 17;
        while (*number == ' ')
            ++number;
        std::from_chars(number, head.data() + head.size(), bodyLength);
        if (publisher.in.size() < headEnd + 4 + bodyLength)
            return;
        const std::string_view body(publisher.in.data() + headEnd + 4, bodyLength);
        --publisher.inFlight;
        ++m_result.publishesAnswered;
        m_lastActivityUs = std::max(m_lastActivityUs, monotonicUs());
        const std::size_t deliveredAt = body.find("\"delivered\":");
        int64_t delivered = -1;
        if (deliveredAt != std::string_view::npos)
            std::from_chars(body.data() + deliveredAt + 12, body.data() + body.size(), delivered);
        if (status / 100 == 2 && delivered >= 0) {
            m_result.expected += delivered;
        } else {
            ++m_result.publishErrors;
            if (m_result.firstPublishError.isEmpty())
                m_result.firstPublishError =
                    QString::fromStdString(std::to_string(status) + ' ' + std::string(prefix(body, 200)));
        }
        publisher.in.erase(0, headEnd + 4 + bodyLength);
    }
}

void LoadRunner::dropPublisher(Publisher &publisher, const std::string &reason)
{
    if (publisher.fd >= 0)
        closeAbortively(publisher.fd);
    publisher.fd = -1;
    m_result.publishErrors += std::max(1, publisher.inFlight);
    publisher.inFlight = 0;
    if (m_result.firstPublishError.isEmpty())
        m_result.firstPublishError = QString::fromStdString(reason);
}

void LoadRunner::poll(int timeoutMs)
{
    epoll_event events[512];
    const int count = epoll_wait(m_epoll, events, 512, timeoutMs);
    for (int i = 0; i < count; ++i) {
        const uint64_t tag = events[i].data.u64;
        if (tag & kPublisherTag)
            handlePublisherEvent(int(tag & 0xFFFFFFFFu), events[i].events);
        else
            handleSubscriberEvent(int(tag), events[i].events);
    }
}

void LoadRunner::setInterest(int fd, uint64_t tag, bool &writing, bool wantWrite)
{
    if (writing == wantWrite)
        return;
    epoll_event event{};
    event.events = EPOLLIN | (wantWrite ? EPOLLOUT : 0u);
    event.data.u64 = tag;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
    writing = wantWrite;
}

void LoadRunner::closeAll()
{
    for (Subscriber &subscriber : m_subscribers) {
        if (subscriber.fd >= 0)
            closeAbortively(subscriber.fd);
        subscriber.fd = -1;
    }
    for (Publisher &publisher : m_publishers) {
        if (publisher.fd >= 0)
            closeAbortively(publisher.fd);
        publisher.fd = -1;
    }
}

} // namespace wsinfra::bench
