// libFuzzer target: the Socket.IO packet decoder. The input is a sequence of frames split at '\n':
// the first is a text frame, each further one a binary attachment while the decoder awaits one
// and a text frame otherwise (as SocketIoSocket feeds the frames of one connection).

#include "transport/socketio/socketiopacket.h"

#include <cstddef>
#include <cstdint>

using namespace wsinfra;

namespace {

bool samePacket(const SocketIoPacket &a, const SocketIoPacket &b)
{
    // encodeSocketIoPacket turns an Event with attachments into a BinaryEvent (and Ack alike).
    const auto plain = [](SocketIoPacket::Type type) {
        if (type == SocketIoPacket::Type::BinaryEvent)
            return SocketIoPacket::Type::Event;
        if (type == SocketIoPacket::Type::BinaryAck)
            return SocketIoPacket::Type::Ack;
        return type;
    };
    return plain(a.type) == plain(b.type) && a.nsp == b.nsp && a.id == b.id && a.data == b.data &&
           a.attachments == b.attachments;
}

void checkRoundTrip(const SocketIoPacket &packet)
{
    const QList<QByteArray> frames = encodeSocketIoPacket(packet);
    if (frames.isEmpty())
        __builtin_trap();
    SocketIoDecoder decoder(int(packet.attachments.size()));
    Result<std::optional<SocketIoPacket>> decoded = decoder.addText(frames.first());
    for (qsizetype i = 1; decoded && i < frames.size(); ++i)
        decoded = decoder.addBinary(frames.at(i));
    if (!decoded || !decoded->has_value() || !samePacket(**decoded, packet))
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const QList<QByteArray> frames = input.split('\n');
    SocketIoDecoder decoder(3);
    for (const QByteArray &frame : frames) {
        const Result<std::optional<SocketIoPacket>> packet =
            decoder.awaitingAttachments() ? decoder.addBinary(frame) : decoder.addText(frame);
        if (!packet || !packet->has_value())
            continue;
        if ((*packet)->attachments.size() > 3 || decoder.awaitingAttachments())
            __builtin_trap();
        checkRoundTrip(**packet);
    }
    return 0;
}
