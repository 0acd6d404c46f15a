#pragma once

#include "protocol/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QSet>
#include <QStringView>

namespace wsinfra {

struct HttpRequest;

/// The browser origins a listener accepts (allowedOrigins): exact origins "scheme://host[:port]",
/// compared after normalisation (scheme and host lower-case, a default port dropped), or "*" for any.
/// Browsers send Origin on every WebSocket upgrade and cross-site request; a page on another site
/// cannot forge it, which is what makes the check a defence against cross-site WebSocket hijacking.
class OriginPolicy
{
public:
    /// No list: nothing is checked (isEmpty()), and no origin is allowed for CORS.
    OriginPolicy() = default;

    /// Parses a comma-separated list ("https://a.example,http://localhost:8080", "*"); blanks around
    /// entries are ignored, an empty text is the empty policy. An entry that is not an origin (a path,
    /// userinfo, a bad port, non-ASCII) is an error naming it.
    static Result<OriginPolicy> parse(QStringView list);
    /// The canonical form of a serialized origin (RFC 6454): "HTTPS://Example.ORG:443" is
    /// "https://example.org". An error for anything else, "null" included.
    static Result<QByteArray> normalize(QByteArrayView origin);

    /// Whether no origin is listed (the check is off).
    bool isEmpty() const { return !m_any && m_origins.isEmpty(); }
    /// Whether `origin` (an Origin header value) is listed, or "*" is.
    bool allows(QByteArrayView origin) const;
    /// Whether the request may go on: it has no Origin header (not a browser), or its one Origin is
    /// allowed. Two Origin headers are never allowed unless "*" is listed. Always true when isEmpty().
    bool admits(const HttpRequest &request) const;

private:
    bool m_any = false;
    QSet<QByteArray> m_origins; // normalised
};

} // namespace wsinfra
