#pragma once

#include <QByteArray>

#include <string>

namespace wsinfra::bench {

/// Makes the HS256 JWTs the clients present (`sub` and `exp` claims), signed with the service's secret.
class TokenSigner
{
public:
    explicit TokenSigner(QByteArray secret);

    /// A token for `subject`, valid for an hour from now.
    std::string token(const std::string &subject) const;

private:
    QByteArray m_secret;
    QByteArray m_header;
};

} // namespace wsinfra::bench
