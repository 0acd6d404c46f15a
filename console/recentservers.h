#pragma once

#include <QList>
#include <QString>

class QSettings;

namespace wsinfra {

/// The services an operator connected to, most recent first, kept in QSettings (group "recentServers").
/// A token is stored only for an entry whose operator ticked "remember"; otherwise it is never written. Whether
/// the service speaks TLS, and the CA file to check it with, are no secret and are always kept.
class RecentServers
{
public:
    struct Server
    {
        QString host;
        quint16 port = 3001;
        QString token; ///< empty unless remembered
        bool rememberToken = false;
        bool tls = false;               ///< the control port speaks TLS (wss)
        QString caCertificateFile = {}; ///< PEM CA file trusted besides the system's; empty: the system's only
        /// "host:port", the entry's name in lists.
        QString name() const;
        friend bool operator==(const Server &, const Server &) = default;
    };

    static constexpr qsizetype MaxEntries = 10;

    explicit RecentServers(QSettings *settings);

    /// The entries, most recent first; entries with an empty host or a port of 0 are skipped.
    QList<Server> load() const;
    /// Puts `server` first (replacing an entry of the same host and port) and keeps MaxEntries. Its token
    /// is written only if rememberToken; forgetting it removes a token stored before.
    void remember(const Server &server);
    /// Removes every entry.
    void clear();

private:
    void save(const QList<Server> &servers);

    QSettings *m_settings;
};

} // namespace wsinfra
