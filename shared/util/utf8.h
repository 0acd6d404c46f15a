#pragma once

#include <QStringView>

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

} // namespace wsinfra
