#pragma once

#include "core/connection.h"

#include <QString>

namespace wsinfra {

class ChannelHistory;
class Clock;
class ConnectionManager;
class JwtVerifier;
class NotificationInbox;
class RecoveryStore;
class StatisticsCollector;

/// What every shard shares with the orchestrator: the node's id, the settings, and the services that
/// are safe to use from any thread (each guards itself or is read-only). The orchestrator owns them
/// all and outlives the shards.
struct ShardContext
{
    QString nodeId;
    ShardSettings settings;
    ChannelHistory *history = nullptr;
    StatisticsCollector *statistics = nullptr;
    const Clock *clock = nullptr;
    const JwtVerifier *verifier = nullptr; ///< Socket.IO clients authenticate on a shard (CONNECT)
    ConnectionManager *connections = nullptr;
    RecoveryStore *recovery = nullptr;
    NotificationInbox *inbox = nullptr; ///< null or off: notifications reach live connections only
    bool epollEventDispatcher = false;  ///< the I/O threads run an EpollEventDispatcher, else Qt's default one
};

} // namespace wsinfra
