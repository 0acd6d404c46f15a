#pragma once

#include <QByteArrayView>
#include <QStringView>

#include <cstdint>
#include <cstring>

namespace wsinfra {

/// The number of bytes `text` takes in UTF-8, without converting it: what QString::toUtf8() makes of
/// it, which writes an unpaired surrogate as one '?'.
inline qsizetype utf8Length(QStringView text)
{
    qsizetype bytes = 0;
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t unit = text[i].unicode();
        if (unit < 0x80) {
            bytes += 1;
        } else if (unit < 0x800) {
            bytes += 2;
        } else if (QChar::isHighSurrogate(unit) && i + 1 < size && QChar::isLowSurrogate(text[i + 1].unicode())) {
            bytes += 4;
            ++i;
        } else if (QChar::isSurrogate(unit)) {
            bytes += 1;
        } else {
            bytes += 3;
        }
    }
    return bytes;
}

/// Whether `bytes` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800-U+DFFF),
/// nothing above U+10FFFF, no truncated sequence at the end. Unlike QString::fromUtf8, which replaces
/// what it cannot decode, this says no, as RFC 6455 requires of a text message.
inline bool isValidUtf8(QByteArrayView bytes)
{
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.data());
    const qsizetype size = bytes.size();
    qsizetype i = 0;
    while (i < size) {
        // Text is mostly ASCII: skip it eight bytes at a time.
        while (i + 8 <= size) {
            std::uint64_t word;
            std::memcpy(&word, data + i, sizeof word);
            if (word & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= size)
            break;
        const unsigned char lead = data[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        // The lead byte fixes the length and the allowed range of the first continuation byte (the
        // table of RFC 3629 section 4), which excludes overlongs, surrogates and values past U+10FFFF.
        qsizetype length;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0)
                low = 0xA0;
            else if (lead == 0xED)
                high = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0)
                low = 0x90;
            else if (lead == 0xF4)
                high = 0x8F;
        } else {
            return false; // a continuation byte, C0/C1 (always overlong) or F5-FF
        }
        if (size - i < length)
            return false;
        if (data[i + 1] < low || data[i + 1] > high)
            return false;
        for (qsizetype k = 2; k < length; ++k) {
            if ((data[i + k] & 0xC0) != 0x80)
                return false;
        }
        i += length;
    }
    return true;
}

} // namespace wsinfra
