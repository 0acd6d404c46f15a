// httpsyntax.h: the pieces of HTTP/1.1 syntax (RFC 9110, RFC 9112) that both the request parser and the
// chunked body decoder check, and the statuses they answer a request that breaks them with.
#pragma once

#include <QByteArrayView>

namespace wsinfra::HttpSyntax {

inline constexpr int StatusBadRequest = 400;
inline constexpr int StatusPayloadTooLarge = 413;
inline constexpr int StatusHeaderFieldsTooLarge = 431;
inline constexpr int StatusNotImplemented = 501;
inline constexpr int StatusVersionNotSupported = 505;

/// A token (RFC 9110 5.6.2), as header names and transfer codings are: one or more letters, digits or
/// !#$%&'*+-.^_`|~.
bool isToken(QByteArrayView text);
/// Whether text may be a field value: visible ASCII, SP, HTAB and obs-text (0x80-0xFF), no other control character.
bool isFieldValue(QByteArrayView text);
/// text without the optional whitespace (SP, HTAB) around it.
QByteArrayView trimmedOws(QByteArrayView text);
/// ASCII case-insensitive equality, as header names and tokens compare.
bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b);
/// The value of a hex digit, -1 for any other character.
int hexValue(char c);

/// Calls f for every non-empty element of a comma-separated header list, trimmed.
template <typename F> void forEachListElement(QByteArrayView value, F f)
{
    while (true) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView element = trimmedOws(comma < 0 ? value : value.first(comma));
        if (!element.isEmpty())
            f(element);
        if (comma < 0)
            return;
        value = value.sliced(comma + 1);
    }
}

} // namespace wsinfra::HttpSyntax
