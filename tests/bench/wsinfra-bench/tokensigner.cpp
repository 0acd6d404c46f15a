// tokensigner.cpp: HS256 JWTs for the bench clients.
#include "tokensigner.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

#include <utility>

using namespace Qt::StringLiterals;

namespace wsinfra::bench {
namespace {

constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

} // namespace

TokenSigner::TokenSigner(QByteArray secret)
    : m_secret(std::move(secret)), m_header(QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})").toBase64(kBase64Url))
{
}

std::string TokenSigner::token(const std::string &subject) const
{
    const QJsonObject claims{{u"sub"_s, QString::fromStdString(subject)},
                             {u"exp"_s, QDateTime::currentSecsSinceEpoch() + 3600}};
    const QByteArray signingInput =
        m_header + '.' + QJsonDocument(claims).toJson(QJsonDocument::Compact).toBase64(kBase64Url);
    const QByteArray signature =
        QMessageAuthenticationCode::hash(signingInput, m_secret, QCryptographicHash::Sha256).toBase64(kBase64Url);
    return signingInput.toStdString() + '.' + signature.toStdString();
}

} // namespace wsinfra::bench
