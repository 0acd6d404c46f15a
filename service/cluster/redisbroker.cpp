#include "cluster/redisbroker.h"

#include "protocol/codes.h"
#include "util/decimal.h"

#include <QLoggingCategory>

#include <algorithm>
#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsinfra {

Q_LOGGING_CATEGORY(lcBroker, "wsinfra.cluster.broker", QtWarningMsg)

namespace {

// Numbers, stores and publishes one bill update atomically, or answers the original of a repeated
// idempotency key. KEYS: offset counter, sequence counter, history stream, dedupe key. ARGV: channel,
// message head and tail (the offset and sequence go between), message id, timestamp, payload
// encoding, packed payload, stream bound, history TTL (ms), dedupe window (ms, 0: none).
constexpr char BillUpdateScript[] = R"lua(
if ARGV[10] ~= '0' then
  local original = redis.call('GET', KEYS[4])
  if original then return {0, original} end
end
local offset = redis.call('INCR', KEYS[1])
local sequence = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], offset .. '-1',
           'm', ARGV[4], 't', ARGV[5], 's', sequence, 'e', ARGV[6], 'p', ARGV[7])
redis.call('PEXPIRE', KEYS[3], ARGV[9])
if ARGV[10] ~= '0' then
  redis.call('SET', KEYS[4], ARGV[4] .. ' ' .. offset .. ' ' .. sequence, 'PX', ARGV[10])
end
redis.call('PUBLISH', ARGV[1], ARGV[2] .. offset .. '\n' .. sequence .. '\n' .. ARGV[3])
return {1, offset, sequence}
)lua";

// Raises each counter in KEYS to at least the matching ARGV (never lowers one).
constexpr char ReserveScript[] = R"lua(
for i = 1, #KEYS do
  local current = tonumber(redis.call('GET', KEYS[i]) or '0')
  if current < tonumber(ARGV[i]) then redis.call('SET', KEYS[i], ARGV[i]) end
end
return #KEYS
)lua";

// A node's heartbeat, on Redis's clock: renews its place (and its presence key) in the set of live
// nodes, removes the dead ones with their presence, answers the live nodes with their presence
// versions. KEYS: live-node set, version hash. ARGV: this node, TTL (ms), presence key prefix and suffix.
constexpr char HeartbeatScript[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', ARGV[3] .. ARGV[1] .. ARGV[4], ARGV[2])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('DEL', ARGV[3] .. id .. ARGV[4])
end
local live = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
  live[#live + 1] = id
  live[#live + 1] = redis.call('HGET', KEYS[2], id) or ''
end
return live
)lua";

constexpr qint64 LearnBatch = 200;       // keys per SCAN
constexpr qsizetype PresenceChunk = 500; // users per HSET

RedisClient::Options clientOptions(const RedisBroker::Settings &settings, const QString &role)
{
    RedisClient::Options options;
    options.endpoint = settings.endpoint;
    options.tlsCaCertificates = settings.tlsCaCertificates;
    options.connectTimeoutMs = settings.timeoutMs;
    options.commandTimeoutMs = settings.timeoutMs;
    options.pingIntervalMs = std::max(50, settings.timeoutMs / 2);
    options.reconnectInitialDelayMs = std::max(10, settings.reconnectDelayMs);
    options.name = u"wsinfra-%1-%2"_s.arg(settings.nodeId, role);
    return options;
}

Result<BillUpdateOutcome> outcomeOf(const RedisReply &reply)
{
    const auto bad = [] {
        return Error{QString(ErrorCode::Unavailable), u"unexpected answer of the bill update script"_s};
    };
    if (!reply.isArray() || reply.elements.size() < 2 || !reply.elements.at(0).isInteger())
        return bad();
    BillUpdateOutcome outcome;
    if (reply.elements.at(0).integer == 1) {
        if (reply.elements.size() != 3 || !reply.elements.at(1).isInteger() || !reply.elements.at(2).isInteger())
            return bad();
        outcome.offset = reply.elements.at(1).integer;
        outcome.sequence = reply.elements.at(2).integer;
        return outcome;
    }
    // A repeat: "messageId offset sequence" of the original.
    const QList<QByteArray> original = reply.elements.at(1).string.split(' ');
    if (original.size() != 3)
        return bad();
    outcome.duplicate = true;
    outcome.messageId = QString::fromLatin1(original.at(0));
    outcome.offset = original.at(1).toLongLong();
    outcome.sequence = original.at(2).toLongLong();
    return outcome;
}

} // namespace

RedisBroker::RedisBroker(const Settings &settings, CurrentOffset currentOffset, QObject *parent)
    : Broker(parent), m_settings(settings), m_currentOffset(std::move(currentOffset))
{
    m_clock.start();
    m_commands = new RedisClient(clientOptions(settings, u"commands"_s), this);
    m_subscriber = new RedisClient(clientOptions(settings, u"pubsub"_s), this);
    m_subscriber->subscribe(channel());
    connect(m_commands, &RedisClient::stateChanged, this, &RedisBroker::updateConnected);
    connect(m_subscriber, &RedisClient::stateChanged, this, &RedisBroker::updateConnected);
    connect(m_subscriber, &RedisClient::message, this, &RedisBroker::onChannelMessage);
    m_gapTimer.setInterval(std::max(10, settings.gapWaitMs / 2));
    connect(&m_gapTimer, &QTimer::timeout, this, &RedisBroker::checkGaps);
    m_presenceTimer.setInterval(PresenceIntervalMs);
    connect(&m_presenceTimer, &QTimer::timeout, this, &RedisBroker::heartbeat);
}

RedisBroker::~RedisBroker() = default;

void RedisBroker::start()
{
    m_commands->start();
    m_subscriber->start();
    m_presenceTimer.start();
}

QString RedisBroker::lastError() const
{
    if (m_connected)
        return {};
    const QString error = !m_commands->isConnected() ? m_commands->lastError() : m_subscriber->lastError();
    return u"Redis at %1 unreachable%2"_s.arg(m_settings.endpoint.toDisplayString(),
                                              error.isEmpty() ? QString() : u": "_s + error);
}

QByteArray RedisBroker::historyKey(qint64 billId) const
{
    return m_settings.keyPrefix + "bill:" + QByteArray::number(billId) + ":history";
}

void RedisBroker::updateConnected()
{
    const bool connected = m_commands->isConnected() && m_subscriber->isConnected();
    if (connected == m_connected)
        return;
    m_connected = connected;
    qCInfo(lcBroker).noquote() << (connected ? u"connected to "_s : u"lost "_s)
                               << m_settings.endpoint.toDisplayString();
    if (!connected) {
        // Unknown now: queries answer for this node only until Redis is back.
        m_remote.clear();
        mergeRemotePresence();
    }
    emit connectionChanged(connected);
    if (!connected)
        return;
    // What this node may have missed while it was away, and (once) what it never knew.
    catchUp();
    if (!m_learntAll)
        learnAllBills("0");
    // A Redis that restarted lost this node's presence.
    writePresence();
    heartbeat();
}

bool RedisBroker::publish(const SharedPublication &publication)
{
    if (!m_connected)
        return false;
    const ClusterMessage message{m_settings.nodeId, publication, {}};
    m_commands->command({"PUBLISH", channel(), message.encode(m_settings.compression)}, this,
                        [](const Result<RedisReply> &reply) {
                            if (!reply)
                                qCWarning(lcBroker).noquote() << "a publish was not shared:" << reply.error().message;
                        });
    return true;
}

bool RedisBroker::shareEvent(const ClusterEvent &event)
{
    if (!m_connected)
        return false;
    ClusterMessage message;
    message.origin = m_settings.nodeId;
    message.event = event;
    m_commands->command({"PUBLISH", channel(), message.encode(m_settings.compression)}, this,
                        [](const Result<RedisReply> &reply) {
                            if (!reply)
                                qCWarning(lcBroker).noquote() << "an event was not shared:" << reply.error().message;
                        });
    return true;
}

void RedisBroker::claimIdempotencyKey(const QString &scopeKey, const QString &messageId, qint64 windowMs,
                                      QObject *context, ClaimCallback done)
{
    // SET NX GET: sets the key unless it exists, and answers what it held.
    QPointer<QObject> guard(context);
    m_commands->command({"SET", m_settings.keyPrefix + "dedupe:" + scopeKey.toUtf8(), messageId.toUtf8(), "PX",
                         QByteArray::number(std::max<qint64>(1, windowMs)), "NX", "GET"},
                        this, [guard, done = std::move(done)](const Result<RedisReply> &reply) {
                            if (!guard)
                                return;
                            if (!reply) {
                                done(reply.error());
                                return;
                            }
                            if (reply->isNil())
                                done(std::optional<QString>());
                            else
                                done(std::optional<QString>(QString::fromUtf8(reply->string.split(' ').value(0))));
                        });
}

void RedisBroker::publishBillUpdate(const BillUpdateRequest &request, QObject *context, BillUpdateCallback done)
{
    const SharedPublication &publication = request.publication;
    const ClusterMessage message{m_settings.nodeId, publication, {}};
    const ClusterMessage::Parts parts = message.encodeParts(m_settings.compression);
    const auto [encoding, packed] = ClusterMessage::packPayload(publication.payload, m_settings.compression);
    const QByteArray bill = QByteArray::number(publication.billId);
    const bool dedupe = !request.dedupeKey.isEmpty() && request.dedupeWindowMs > 0;
    QList<QByteArray> arguments{"EVAL",
                                BillUpdateScript,
                                "4",
                                m_settings.keyPrefix + "bill:" + bill + ":offset",
                                m_settings.keyPrefix + "sequence",
                                historyKey(publication.billId),
                                m_settings.keyPrefix + "dedupe:" + request.dedupeKey.toUtf8(),
                                channel(),
                                parts.head,
                                parts.tail,
                                publication.messageId.toUtf8(),
                                QByteArray::number(publication.timestampMs),
                                QByteArray(1, encoding),
                                packed,
                                QByteArray::number(std::max(1, m_settings.historySize)),
                                QByteArray::number(std::max<qint64>(1, m_settings.historyTtlMs)),
                                dedupe ? QByteArray::number(request.dedupeWindowMs) : QByteArray("0")};
    QPointer<QObject> guard(context);
    m_commands->command(
        arguments, this, [this, publication, guard, done = std::move(done)](const Result<RedisReply> &reply) {
            Result<BillUpdateOutcome> outcome =
                reply ? outcomeOf(*reply)
                      : Result<BillUpdateOutcome>(Error{QString(ErrorCode::Unavailable), reply.error().message});
            if (outcome && !outcome->duplicate) {
                // The answer may come before the same update from the channel: whichever is first counts.
                SharedPublication numbered = publication;
                numbered.offset = outcome->offset;
                numbered.sequence = outcome->sequence;
                ingest(numbered);
            }
            if (guard)
                done(outcome);
        });
}

void RedisBroker::reserveLocalNumbers(const QHash<qint64, qint64> &offsets, qint64 sequence)
{
    constexpr qsizetype KeysPerScript = 500;
    QList<QByteArray> keys;
    QList<QByteArray> values;
    const auto send = [&] {
        if (keys.isEmpty())
            return;
        m_commands->command(QList<QByteArray>{"EVAL", ReserveScript, QByteArray::number(keys.size())} + keys + values,
                            this, [](const Result<RedisReply> &reply) {
                                if (!reply)
                                    qCWarning(lcBroker).noquote()
                                        << "could not reserve the offsets this node has seen:" << reply.error().message;
                            });
        keys.clear();
        values.clear();
    };
    if (sequence > 0) {
        keys.append(m_settings.keyPrefix + "sequence");
        values.append(QByteArray::number(sequence));
    }
    for (auto it = offsets.cbegin(); it != offsets.cend(); ++it) {
        keys.append(m_settings.keyPrefix + "bill:" + QByteArray::number(it.key()) + ":offset");
        values.append(QByteArray::number(it.value()));
        if (keys.size() == KeysPerScript)
            send();
    }
    send();
}

void RedisBroker::onChannelMessage(const QByteArray &channelName, const QByteArray &payload)
{
    if (channelName != channel())
        return;
    Result<ClusterMessage> message = ClusterMessage::decode(payload, m_settings.maxPayloadBytes);
    if (!message) {
        if (m_malformed++ % 1000 == 0)
            qCWarning(lcBroker).noquote() << "ignored a malformed cluster message:" << message.error().message;
        return;
    }
    if (message->isEvent()) {
        if (message->origin != m_settings.nodeId)
            emit sharedEvent(message->event);
        return;
    }
    if (message->publication.kind == Publication::Kind::BillUpdate) {
        ingest(message->publication);
        return;
    }
    if (message->origin != m_settings.nodeId) // the publisher delivered its own
        emit sharedPublication(message->publication, true);
}

RedisBroker::BillState &RedisBroker::stateOf(qint64 billId)
{
    auto it = m_bills.find(billId);
    if (it == m_bills.end()) {
        BillState state;
        state.delivered = m_currentOffset ? m_currentOffset(billId) : 0;
        state.known = state.delivered > 0;
        it = m_bills.insert(billId, state);
    } else if (m_currentOffset) {
        // The node may have numbered updates itself while Redis was away.
        it->delivered = std::max(it->delivered, m_currentOffset(billId));
    }
    return *it;
}

void RedisBroker::ingest(const SharedPublication &publication)
{
    BillState &state = stateOf(publication.billId);
    if (publication.offset <= state.delivered)
        return; // handed on already (the answer and the channel both bring the publisher's own)
    state.waiting.emplace(publication.offset, publication);
    drain(publication.billId);
}

void RedisBroker::drain(qint64 billId)
{
    for (;;) {
        // Looked up on every round: a slot of sharedPublication may have changed m_bills.
        BillState &state = m_bills[billId];
        if (state.busy || state.waiting.empty() || state.waiting.begin()->first > state.delivered + 1)
            break;
        const auto first = state.waiting.begin();
        const bool next = first->first == state.delivered + 1;
        const SharedPublication publication = std::move(first->second);
        state.waiting.erase(first);
        if (!next)
            continue; // handed on meanwhile (fetched from the stream)
        state.delivered = publication.offset;
        state.known = true;
        emit sharedPublication(publication, true);
    }
    BillState &state = m_bills[billId];
    if (state.busy)
        return;
    if (state.waiting.empty()) {
        state.gapSinceMs = 0;
        return;
    }
    const qint64 before = state.waiting.begin()->first;
    if (!state.known) {
        // The first this node hears of the bill: its history first (not delivered), then the update.
        state.busy = true;
        fetch(billId, std::max<qint64>(1, before - m_settings.historySize), before - 1, false, [this, billId, before] {
            BillState &learnt = m_bills[billId];
            learnt.busy = false;
            learnt.known = true;
            learnt.delivered = std::max(learnt.delivered, before - 1);
            drain(billId);
        });
        return;
    }
    if (state.gapSinceMs == 0)
        state.gapSinceMs = m_clock.elapsed();
    if (!m_gapTimer.isActive())
        m_gapTimer.start();
}

void RedisBroker::checkGaps()
{
    bool anyGap = false;
    const qint64 now = m_clock.elapsed();
    const QList<qint64> bills = m_bills.keys();
    for (qint64 billId : bills) {
        BillState &state = m_bills[billId];
        if (state.gapSinceMs == 0 || state.waiting.empty())
            continue;
        anyGap = true;
        // Not while the command link is down (the subscriber may be back first): an unread stream
        // is not a lost one, and catchUp() fetches the gap once both links are up.
        if (state.busy || !m_connected || now - state.gapSinceMs < m_settings.gapWaitMs)
            continue;
        // Still missing: fetch it from the stream; what the stream lost too is skipped.
        const qint64 from = state.delivered + 1;
        const qint64 to = state.waiting.begin()->first - 1;
        state.busy = true;
        fetch(billId, from, to, true, [this, billId, to] {
            BillState &filled = m_bills[billId];
            filled.busy = false;
            if (filled.delivered < to) {
                skipped(billId, filled.delivered + 1, to);
                filled.delivered = to;
            }
            filled.gapSinceMs = 0;
            drain(billId);
        });
    }
    if (!anyGap)
        m_gapTimer.stop();
}

void RedisBroker::fetch(qint64 billId, qint64 from, qint64 to, bool deliver, std::function<void()> then)
{
    if (to < from || !m_connected) {
        QMetaObject::invokeMethod(this, std::move(then), Qt::QueuedConnection);
        return;
    }
    m_commands->command({"XRANGE", historyKey(billId), QByteArray::number(from), QByteArray::number(to)}, this,
                        [this, billId, deliver, then = std::move(then)](const Result<RedisReply> &reply) {
                            if (!reply || !reply->isArray()) {
                                qCWarning(lcBroker) << "could not read the shared history of bill" << billId << ":"
                                                    << (reply ? u"not an array"_s : reply.error().message);
                                then();
                                return;
                            }
                            for (const RedisReply &entry : reply->elements) {
                                Result<ClusterMessage> message =
                                    ClusterMessage::fromStreamEntry(billId, entry, m_settings.maxPayloadBytes);
                                if (!message) {
                                    ++m_malformed;
                                    continue;
                                }
                                BillState &state = m_bills[billId];
                                if (message->publication.offset <= state.delivered)
                                    continue;
                                // A hole in the stream (a Redis that lost its data, or what a node
                                // numbered itself while away): said, as checkGaps says it, not jumped.
                                if (deliver && message->publication.offset > state.delivered + 1)
                                    skipped(billId, state.delivered + 1, message->publication.offset - 1);
                                state.delivered = message->publication.offset;
                                if (deliver)
                                    ++m_gapsFilled;
                                emit sharedPublication(message->publication, deliver);
                            }
                            then();
                        });
}

void RedisBroker::skipped(qint64 billId, qint64 from, qint64 to)
{
    m_updatesLost += to - from + 1;
    qCWarning(lcBroker) << "bill" << billId << ": updates" << from << "to" << to
                        << "are gone from the shared history; skipped";
}

void RedisBroker::catchUp()
{
    // Every bill this node follows: what was published while its subscription was down.
    const QList<qint64> bills = m_bills.keys();
    for (qint64 billId : bills) {
        BillState &state = stateOf(billId);
        if (!state.known || state.busy)
            continue;
        state.busy = true;
        fetch(billId, state.delivered + 1, std::numeric_limits<qint64>::max(), true, [this, billId] {
            m_bills[billId].busy = false;
            drain(billId);
        });
    }
}

void RedisBroker::learnAllBills(const QByteArray &cursor)
{
    const QByteArray pattern = m_settings.keyPrefix + "bill:*:history";
    m_commands->command(
        {"SCAN", cursor, "MATCH", pattern, "COUNT", QByteArray::number(LearnBatch)}, this,
        [this](const Result<RedisReply> &reply) {
            if (!reply || !reply->isArray() || reply->elements.size() != 2 || !reply->elements.at(1).isArray())
                return; // tried again at the next connection
            const QByteArray prefix = m_settings.keyPrefix + "bill:";
            for (const RedisReply &key : reply->elements.at(1).elements) {
                const QByteArray name = key.string;
                bool ok = false;
                const qint64 billId =
                    name.mid(prefix.size(), name.size() - prefix.size() - qsizetype(sizeof(":history") - 1))
                        .toLongLong(&ok);
                if (!ok || billId < 1)
                    continue;
                BillState &state = stateOf(billId);
                if (state.known || state.busy)
                    continue;
                // The newest entries, for the history only.
                state.busy = true;
                m_commands->command(
                    {"XREVRANGE", historyKey(billId), "+", "-", "COUNT", QByteArray::number(m_settings.historySize)},
                    this, [this, billId](const Result<RedisReply> &entries) {
                        BillState &learnt = m_bills[billId];
                        learnt.busy = false;
                        if (entries && entries->isArray()) {
                            for (auto it = entries->elements.crbegin(); it != entries->elements.crend(); ++it) {
                                Result<ClusterMessage> message =
                                    ClusterMessage::fromStreamEntry(billId, *it, m_settings.maxPayloadBytes);
                                if (!message || message->publication.offset <= learnt.delivered)
                                    continue;
                                learnt.delivered = message->publication.offset;
                                emit sharedPublication(message->publication, false);
                            }
                            learnt.known = true;
                        }
                        drain(billId);
                    });
            }
            const QByteArray next = reply->elements.at(0).string;
            if (next == "0")
                m_learntAll = true;
            else
                learnAllBills(next);
        });
}

qint64 RedisBroker::nodeTtlMs() const
{
    return std::max<qint64>(3 * PresenceIntervalMs, 3LL * m_settings.timeoutMs);
}

QByteArray RedisBroker::presenceKey(const QString &node) const
{
    return m_settings.keyPrefix + "node:" + node.toUtf8() + ":users";
}

QByteArray RedisBroker::encodePresence(const UserPresence &user)
{
    QList<qint64> bills(user.bills.cbegin(), user.bills.cend());
    std::sort(bills.begin(), bills.end());
    QByteArray value = QByteArray::number(user.connections) + ':';
    for (qsizetype i = 0; i < bills.size(); ++i) {
        if (i > 0)
            value += ',';
        value += QByteArray::number(bills.at(i));
    }
    return value;
}

std::optional<UserPresence> RedisBroker::decodePresence(QByteArrayView value)
{
    const qsizetype colon = value.indexOf(':');
    if (colon <= 0)
        return std::nullopt;
    const std::optional<qint64> connections = parseDecimal(value.first(colon));
    if (!connections || *connections < 1 || *connections > std::numeric_limits<int>::max())
        return std::nullopt;
    UserPresence user;
    user.connections = int(*connections);
    const QByteArrayView bills = value.sliced(colon + 1);
    if (bills.isEmpty())
        return user;
    for (const QByteArray &bill : bills.toByteArray().split(',')) {
        const std::optional<qint64> billId = parseDecimal(bill);
        if (!billId || *billId < 1)
            return std::nullopt;
        user.bills.insert(*billId);
    }
    return user;
}

void RedisBroker::updatePresence(const PresenceSnapshot &local)
{
    m_localPresence = local;
    if (m_connected)
        writePresence();
}

void RedisBroker::writePresence()
{
    // Replaced as a whole in one transaction: a node reading it sees the old or the new users.
    const QByteArray key = presenceKey(m_settings.nodeId);
    const auto report = [](const Result<RedisReply> &reply) {
        if (!reply)
            qCWarning(lcBroker).noquote() << "could not share this node's users:" << reply.error().message;
    };
    m_commands->command({"MULTI"}, this, report);
    m_commands->command({"DEL", key}, this, report);
    QList<QByteArray> fields{"HSET", key};
    for (auto it = m_localPresence.cbegin(); it != m_localPresence.cend(); ++it) {
        fields << it.key().toUtf8() << encodePresence(*it);
        if (fields.size() >= 2 + 2 * PresenceChunk) {
            m_commands->command(fields, this, report);
            fields = {"HSET", key};
        }
    }
    if (fields.size() > 2)
        m_commands->command(fields, this, report);
    m_commands->command({"PEXPIRE", key, QByteArray::number(nodeTtlMs())}, this, report);
    m_commands->command({"HSET", m_settings.keyPrefix + "presence:versions", m_settings.nodeId.toUtf8(),
                         QByteArray::number(++m_presenceVersion)},
                        this, report);
    m_commands->command({"EXEC"}, this, report);
}

void RedisBroker::heartbeat()
{
    if (!m_connected)
        return;
    m_commands->command({"EVAL", HeartbeatScript, "2", m_settings.keyPrefix + "nodes",
                         m_settings.keyPrefix + "presence:versions", m_settings.nodeId.toUtf8(),
                         QByteArray::number(nodeTtlMs()), m_settings.keyPrefix + "node:", ":users"},
                        this, [this](const Result<RedisReply> &reply) {
                            if (!reply || !reply->isArray()) {
                                qCWarning(lcBroker).noquote()
                                    << "heartbeat failed:" << (reply ? u"bad answer"_s : reply.error().message);
                                return;
                            }
                            QSet<QString> live;
                            const QList<RedisReply> &pairs = reply->elements;
                            for (qsizetype i = 0; i + 1 < pairs.size(); i += 2) {
                                const QString node = QString::fromUtf8(pairs.at(i).string);
                                if (node == m_settings.nodeId)
                                    continue;
                                live.insert(node);
                                const QByteArray &version = pairs.at(i + 1).string;
                                const auto known = m_remote.constFind(node);
                                if (known == m_remote.cend() || known->version != version)
                                    readPresence(node, version);
                            }
                            bool changed = false;
                            for (auto it = m_remote.begin(); it != m_remote.end();) {
                                if (live.contains(it.key())) {
                                    ++it;
                                    continue;
                                }
                                qCInfo(lcBroker).noquote() << "node" << it.key() << "is gone";
                                it = m_remote.erase(it);
                                changed = true;
                            }
                            if (changed)
                                mergeRemotePresence();
                        });
}

void RedisBroker::readPresence(const QString &node, const QByteArray &version)
{
    m_commands->command({"HGETALL", presenceKey(node)}, this, [this, node, version](const Result<RedisReply> &reply) {
        if (!reply || !reply->isArray())
            return; // read again at the next heartbeat
        RemoteNode remote;
        remote.version = version;
        const QList<RedisReply> &pairs = reply->elements;
        for (qsizetype i = 0; i + 1 < pairs.size(); i += 2) {
            const std::optional<UserPresence> user = decodePresence(pairs.at(i + 1).string);
            if (user)
                remote.users.insert(QString::fromUtf8(pairs.at(i).string), *user);
            else
                ++m_malformed;
        }
        m_remote.insert(node, remote);
        mergeRemotePresence();
    });
}

void RedisBroker::mergeRemotePresence()
{
    m_remoteUsers.clear();
    m_remoteSubscribers.clear();
    for (const RemoteNode &node : std::as_const(m_remote)) {
        for (auto it = node.users.cbegin(); it != node.users.cend(); ++it) {
            UserPresence &user = m_remoteUsers[it.key()];
            user.connections += it->connections;
            user.bills.unite(it->bills);
            for (qint64 billId : it->bills)
                m_remoteSubscribers[billId].insert(it.key());
        }
    }
}

UserPresence RedisBroker::remoteUser(const QString &userId) const
{
    return m_remoteUsers.value(userId);
}

QStringList RedisBroker::remoteUsers() const
{
    return m_remoteUsers.keys();
}

QSet<QString> RedisBroker::remoteSubscribers(qint64 billId) const
{
    return m_remoteSubscribers.value(billId);
}

} // namespace wsinfra
