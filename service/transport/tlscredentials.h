#pragma once

#include "protocol/result.h"

#include <QDateTime>
#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QString>

namespace wsinfra {

/// A server's certificate chain and private key, read from PEM files, and the TLS settings every
/// listener of the service uses with them: TLS 1.2 or later, the system's modern cipher defaults, no
/// client certificates. Loaded at start and again on each reload (SIGHUP), so a renewed certificate is
/// picked up without a restart; a file that does not load leaves the previous credentials in place.
struct TlsCredentials
{
    QList<QSslCertificate> chain; ///< the server's certificate first, then its intermediates
    QSslKey privateKey;

    /// Reads `certificateFile` (one or more PEM certificates) and `keyFile` (an unencrypted PEM RSA or EC
    /// key). Fails with a message naming the file when one is missing, unreadable, empty, not PEM, or
    /// the key is encrypted.
    static Result<TlsCredentials> load(const QString &certificateFile, const QString &keyFile);

    /// The configuration a server socket uses.
    QSslConfiguration serverConfiguration() const;
    /// "CN=… (serial …), valid until …" for logs and the event log.
    QString describe() const;
    QDateTime expiresAt() const;
};

} // namespace wsinfra
