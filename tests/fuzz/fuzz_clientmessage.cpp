// libFuzzer target: the client envelope parser, as MessageHandler::handleText runs it
// (parseJsonObject, then parseClientMessage and requestIdOf).

#include "protocol/clientmessage.h"

#include <QSet>

#include <cstddef>
#include <cstdint>

using namespace wsinfra;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // Small limits as well as the defaults, so that the limit checks are reached by small inputs.
    static const ClientMessageLimits defaults;
    static const ClientMessageLimits small{.maxBillIds = 3, .maxBytes = 256, .maxMessageIds = 3};
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const ClientMessageLimits *limits : {&defaults, &small}) {
        const Result<QJsonObject> object = parseJsonObject(text, *limits);
        if (!object)
            continue;
        if (text.size() > limits->maxBytes)
            __builtin_trap();
        const QJsonValue id = requestIdOf(*object);
        const Result<ClientMessage> message = parseClientMessage(*object, *limits);
        if (!message)
            continue;
        // The documented promises of ClientMessage: within the limits, deduplicated, offsets >= 0.
        if (message->billIds.size() > limits->maxBillIds || message->messageIds.size() > limits->maxMessageIds)
            __builtin_trap();
        if (QSet<qint64>(message->billIds.cbegin(), message->billIds.cend()).size() != message->billIds.size())
            __builtin_trap();
        if (QSet<QString>(message->messageIds.cbegin(), message->messageIds.cend()).size() !=
            message->messageIds.size())
            __builtin_trap();
        for (auto it = message->since.cbegin(); it != message->since.cend(); ++it)
            if (it.value() < 0 || !message->billIds.contains(it.key()))
                __builtin_trap();
        if (!message->id.isUndefined() && message->id != id)
            __builtin_trap();
    }
    return 0;
}
