#include "recentservers.h"

#include <QSettings>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr auto Group = "recentServers"_L1;
// How many entries load() looks at: the file may have been edited by hand ("size=2000000000"), and a list this
// console wrote never has more than MaxEntries.
constexpr int MaxScannedEntries = 100;

// Only true or "true" (any case): QVariant calls any other text ("maybe") true.
bool strictlyTrue(const QVariant &value)
{
    return value.typeId() == QMetaType::Bool ? value.toBool()
                                             : value.toString().compare("true"_L1, Qt::CaseInsensitive) == 0;
}

} // namespace

QString RecentServers::Server::name() const
{
    // An IPv6 address is bracketed so that its colons do not read as the port's.
    return (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(port);
}

RecentServers::RecentServers(QSettings *settings) : m_settings(settings) {}

QList<RecentServers::Server> RecentServers::load() const
{
    QList<Server> servers;
    const int count = m_settings->beginReadArray(Group);
    for (int i = 0; i < std::min(count, MaxScannedEntries) && servers.size() < MaxEntries; ++i) {
        m_settings->setArrayIndex(i);
        Server server;
        server.host = m_settings->value("host"_L1).toString().trimmed();
        bool portOk = false;
        const uint port = m_settings->value("port"_L1).toUInt(&portOk);
        // A token is loaded only when asked for.
        server.rememberToken = strictlyTrue(m_settings->value("rememberToken"_L1));
        if (server.rememberToken)
            server.token = m_settings->value("token"_L1).toString();
        // Equally strict for TLS: a garbled value falls back to plain, which fails visibly rather than quietly.
        server.tls = strictlyTrue(m_settings->value("tls"_L1));
        if (server.tls)
            server.caCertificateFile = m_settings->value("caCertificateFile"_L1).toString();
        if (server.host.isEmpty() || !portOk || port == 0 || port > 65535)
            continue;
        server.port = quint16(port);
        // A hand-edited file may list a service twice: the first (most recent) counts.
        const bool known = std::any_of(servers.cbegin(), servers.cend(), [&](const Server &entry) {
            return entry.host.compare(server.host, Qt::CaseInsensitive) == 0 && entry.port == server.port;
        });
        if (!known)
            servers.append(server);
    }
    m_settings->endArray();
    return servers;
}

void RecentServers::remember(const Server &server)
{
    QList<Server> servers = load();
    // Host names are case-insensitive: "LocalHost:3001" is the entry of "localhost:3001".
    servers.removeIf([&](const Server &entry) {
        return entry.host.compare(server.host.trimmed(), Qt::CaseInsensitive) == 0 && entry.port == server.port;
    });
    Server first = server;
    first.host = first.host.trimmed(); // as load() reads it, so that the entry is found again
    if (!first.rememberToken)
        first.token.clear();
    if (!first.tls)
        first.caCertificateFile.clear();
    servers.prepend(first);
    if (servers.size() > MaxEntries)
        servers.resize(MaxEntries);
    save(servers);
}

void RecentServers::clear()
{
    save({});
}

void RecentServers::save(const QList<Server> &servers)
{
    m_settings->remove(Group); // whole, so that no token of a shorter list stays behind
    m_settings->beginWriteArray(Group, int(servers.size()));
    for (int i = 0; i < servers.size(); ++i) {
        m_settings->setArrayIndex(i);
        const Server &server = servers.at(i);
        m_settings->setValue("host"_L1, server.host);
        m_settings->setValue("port"_L1, server.port);
        m_settings->setValue("rememberToken"_L1, server.rememberToken);
        if (server.rememberToken)
            m_settings->setValue("token"_L1, server.token);
        m_settings->setValue("tls"_L1, server.tls);
        if (server.tls && !server.caCertificateFile.isEmpty())
            m_settings->setValue("caCertificateFile"_L1, server.caCertificateFile);
    }
    m_settings->endArray();
    m_settings->sync();
}

} // namespace wsinfra
