#pragma once

#include "core/publication.h"

#include <QObject>

namespace wsinfra {

/// How a node shares publishes with the other nodes of its cluster. The single-node build uses
/// LocalBroker (there is no one else to tell); the Redis issue adds a broker over pub/sub.
class Broker : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    /// Tells the other nodes about a publication this node has already delivered locally.
    virtual void publish(const Publication &publication) = 0;
    /// Whether the broker can currently reach the rest of the cluster.
    virtual bool isConnected() const = 0;
    /// Whether this node is part of a cluster at all (false for the single-node broker).
    virtual bool isClustered() const = 0;

signals:
    /// Another node published; deliver to this node's clients.
    void remotePublication(const wsinfra::Publication &publication);
};

/// The broker of a single node: nothing to share.
class LocalBroker final : public Broker
{
    Q_OBJECT
public:
    using Broker::Broker;
    void publish(const Publication &) override {}
    bool isConnected() const override { return true; }
    bool isClustered() const override { return false; }
};

} // namespace wsinfra
