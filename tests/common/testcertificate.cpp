#include "testcertificate.h"

#include <QDebug>
#include <QFile>
#include <QProcess>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace wsinfra::test {

namespace {

TestCertificate runOpenssl(const QString &directory, const QString &name, const QString &commonName,
                           const QStringList &extraArguments)
{
    TestCertificate made;
    made.certificateFile = directory + u'/' + name + u"-cert.pem"_s;
    made.keyFile = directory + u'/' + name + u"-key.pem"_s;
    QProcess openssl;
    // EC rather than RSA: a P-256 key is made in milliseconds, also under the sanitizers.
    openssl.start(u"openssl"_s,
                  QStringList{u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                              u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s, u"-days"_s, u"2"_s, u"-subj"_s,
                              u"/CN="_s + commonName, u"-addext"_s, u"subjectAltName=DNS:localhost,IP:127.0.0.1"_s,
                              u"-keyout"_s, made.keyFile, u"-out"_s, made.certificateFile} +
                      extraArguments);
    if (!openssl.waitForFinished(30'000) || openssl.exitStatus() != QProcess::NormalExit || openssl.exitCode() != 0) {
        qWarning() << "openssl failed:" << openssl.errorString() << openssl.readAllStandardError();
        return made;
    }
    QFile file(made.certificateFile);
    if (file.open(QIODevice::ReadOnly))
        made.certificate = QSslCertificate(file.readAll(), QSsl::Pem);
    return made;
}

} // namespace

TestCertificate TestCertificate::make(const QString &directory, const QString &name, const QString &commonName)
{
    return runOpenssl(directory, name, commonName, {});
}

TestCertificate TestCertificate::makeSignedBy(const QString &directory, const QString &name, const QString &commonName,
                                              const TestCertificate &issuer)
{
    // OpenSSL 3's `req -x509 -CA`: a new key and a certificate signed by the issuer in one step.
    return runOpenssl(directory, name, commonName,
                      {u"-addext"_s, u"basicConstraints=critical,CA:FALSE"_s, u"-CA"_s, issuer.certificateFile,
                       u"-CAkey"_s, issuer.keyFile});
}

} // namespace wsinfra::test
