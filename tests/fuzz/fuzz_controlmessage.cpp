// libFuzzer target: the control protocol's frames (parseControlHello, parseControlCommand,
// controlCommandIdOf) after the JSON parse, and the round trip through toJson.

#include "protocol/clientmessage.h"
#include "protocol/controlmessage.h"

#include <cstddef>
#include <cstdint>

using namespace wsinfra;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<QJsonObject> frame = parseJsonObject(text);
    if (!frame)
        return 0;

    const Result<ControlHello> hello = parseControlHello(*frame);
    if (hello) {
        if (hello->client.size() > 200)
            __builtin_trap();
        const Result<ControlHello> again = parseControlHello(hello->toJson());
        if (!again || again->version != hello->version || again->token != hello->token ||
            again->client != hello->client)
            __builtin_trap();
    }

    (void)controlCommandIdOf(*frame);
    const Result<ControlCommand> command = parseControlCommand(*frame);
    if (command) {
        const Result<ControlCommand> again = parseControlCommand(command->toJson());
        if (!again || again->type != command->type || again->id != command->id || again->target != command->target ||
            again->billId != command->billId || again->userId != command->userId || again->data != command->data ||
            again->idempotencyKey != command->idempotencyKey || again->connectionId != command->connectionId ||
            again->since != command->since || again->limit != command->limit)
            __builtin_trap();
    }
    return 0;
}
