// libFuzzer target: the Engine.IO packet codec, the bytes read as a text frame, as a polling
// payload and as a binary frame.

#include "transport/engineio/enginepacket.h"

#include <cstddef>
#include <cstdint>

using namespace wsinfra;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    const Result<EnginePacket> packet = EngineCodec::decodeText(bytes);
    if (packet) {
        // A decoded text packet re-encodes to a frame that decodes to the same packet.
        const Result<EnginePacket> again = EngineCodec::decodeText(EngineCodec::encodeText(*packet));
        if (!again || !(*again == *packet))
            __builtin_trap();
    }

    constexpr qsizetype maxPackets = 16;
    const Result<QList<EnginePacket>> payload = EngineCodec::decodePayload(bytes, maxPackets);
    if (payload) {
        if (payload->size() > maxPackets)
            __builtin_trap();
        const Result<QList<EnginePacket>> again =
            EngineCodec::decodePayload(EngineCodec::encodePayload(*payload), maxPackets);
        if (!again || *again != *payload)
            __builtin_trap();
    }

    const EnginePacket binary = EngineCodec::decodeBinary(bytes.toByteArray());
    if (!binary.binary || binary.type != EnginePacket::Type::Message)
        __builtin_trap();
    return 0;
}
