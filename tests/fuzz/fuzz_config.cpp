// libFuzzer target: the config loader (ConfigLoader::fromJson) on the JSON object of a --config file.

#include "core/serviceconfig.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

using namespace wsinfra;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return 0;
    const Result<ServiceConfig> config = ConfigLoader::fromJson(document.object());
    if (config) {
        // Every accepted config is one a second load accepts too (deterministic, no hidden state).
        if (!ConfigLoader::fromJson(document.object()))
            __builtin_trap();
    }
    return 0;
}
