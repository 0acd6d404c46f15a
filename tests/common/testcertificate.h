#pragma once

#include <QSslCertificate>
#include <QString>

namespace wsinfra::test {

/// A self-signed certificate for localhost and 127.0.0.1 with its unencrypted EC key, made by the openssl
/// command at test time: what a service is started with for TLS, and what a client trusts as its CA.
struct TestCertificate
{
    QString certificateFile;
    QString keyFile;
    QSslCertificate certificate; ///< null when openssl failed

    /// Writes `<directory>/<name>-cert.pem` and `<name>-key.pem`, valid for two days, with `commonName` as
    /// the subject. On failure the certificate is null and openssl's complaint has been logged.
    static TestCertificate make(const QString &directory, const QString &name, const QString &commonName);
    /// The same, signed by `issuer` (made by make(), whose certificate is a CA) instead of self-signed:
    /// a server certificate that only a client trusting `issuer` accepts.
    static TestCertificate makeSignedBy(const QString &directory, const QString &name, const QString &commonName,
                                        const TestCertificate &issuer);
};

} // namespace wsinfra::test
