#include "transport/tlscredentials.h"

#include "protocol/codes.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

Result<QByteArray> readPem(const QString &path, const QString &what)
{
    if (path.isEmpty())
        return Result<QByteArray>::failure(ErrorCode::InvalidConfig, u"no %1 file given"_s.arg(what));
    QFile file(path);
    // A certificate or key file is small; a huge one is a mistake (or /dev/zero).
    constexpr qint64 MaxPemBytes = 1024 * 1024;
    if (!file.open(QIODevice::ReadOnly))
        return Result<QByteArray>::failure(ErrorCode::InvalidConfig,
                                           u"cannot read the %1 file %2: %3"_s.arg(what, path, file.errorString()));
    const QByteArray pem = file.read(MaxPemBytes + 1);
    if (pem.size() > MaxPemBytes)
        return Result<QByteArray>::failure(ErrorCode::InvalidConfig,
                                           u"the %1 file %2 is larger than 1 MB"_s.arg(what, path));
    return pem;
}

} // namespace

Result<TlsCredentials> TlsCredentials::load(const QString &certificateFile, const QString &keyFile)
{
    const Result<QByteArray> certificatePem = readPem(certificateFile, u"TLS certificate"_s);
    if (!certificatePem)
        return certificatePem.error();
    const Result<QByteArray> keyPem = readPem(keyFile, u"TLS key"_s);
    if (!keyPem)
        return keyPem.error();

    TlsCredentials credentials;
    credentials.chain = QSslCertificate::fromData(*certificatePem, QSsl::Pem);
    if (credentials.chain.isEmpty() || credentials.chain.first().isNull())
        return Result<TlsCredentials>::failure(
            ErrorCode::InvalidConfig, u"the TLS certificate file %1 holds no PEM certificate"_s.arg(certificateFile));
    if (keyPem->contains("ENCRYPTED"))
        return Result<TlsCredentials>::failure(
            ErrorCode::InvalidConfig,
            u"the TLS key file %1 is encrypted; the service needs it unencrypted (readable by the service only)"_s.arg(
                keyFile));
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec}) {
        QSslKey key(*keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull()) {
            credentials.privateKey = key;
            break;
        }
    }
    if (credentials.privateKey.isNull())
        return Result<TlsCredentials>::failure(
            ErrorCode::InvalidConfig, u"the TLS key file %1 holds no PEM RSA or EC private key"_s.arg(keyFile));
    return credentials;
}

QSslConfiguration TlsCredentials::serverConfiguration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(privateKey);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    // HTTP/1.1 only: a client offering h2 must not be told we speak it.
    configuration.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
    return configuration;
}

QString TlsCredentials::describe() const
{
    if (chain.isEmpty())
        return u"no certificate"_s;
    const QSslCertificate &leaf = chain.first();
    const QString subject = leaf.subjectDisplayName().isEmpty() ? u"(no subject)"_s : leaf.subjectDisplayName();
    return u"%1 (serial %2), valid until %3"_s.arg(subject, QString::fromLatin1(leaf.serialNumber()),
                                                   leaf.expiryDate().toUTC().toString(Qt::ISODate));
}

QDateTime TlsCredentials::expiresAt() const
{
    return chain.isEmpty() ? QDateTime() : chain.first().expiryDate();
}

} // namespace wsinfra
