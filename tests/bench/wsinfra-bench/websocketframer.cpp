// websocketframer.cpp: RFC 6455 client framing.
#include "websocketframer.h"

namespace wsinfra::bench {

void WebSocketFramer::appendClientFrame(std::string &out, uint8_t opcode, std::string_view payload, uint32_t mask)
{
    const uint64_t length = payload.size();
    out.push_back(static_cast<char>(0x80 | opcode));
    if (length < 126) {
        out.push_back(static_cast<char>(0x80 | length));
    } else if (length <= 0xFFFF) {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>(length >> 8));
        out.push_back(static_cast<char>(length & 0xFF));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((length >> shift) & 0xFF));
    }
    const char key[4] = {static_cast<char>(mask >> 24), static_cast<char>(mask >> 16), static_cast<char>(mask >> 8),
                         static_cast<char>(mask)};
    out.append(key, 4);
    const std::size_t start = out.size();
    out.append(payload);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out[start + i] = static_cast<char>(out[start + i] ^ key[i & 3]);
}

std::ptrdiff_t WebSocketFramer::parseServerFrame(std::string_view data, Frame *frame, uint64_t maxPayload)
{
    if (data.size() < 2)
        return 0;
    const auto byte = [&](std::size_t index) { return static_cast<uint8_t>(data[index]); };
    if ((byte(0) & 0x70) != 0 || (byte(1) & 0x80) != 0)
        return -1;
    std::size_t header = 2;
    uint64_t length = byte(1) & 0x7F;
    if (length == 126) {
        if (data.size() < 4)
            return 0;
        length = (uint64_t(byte(2)) << 8) | byte(3);
        header = 4;
    } else if (length == 127) {
        if (data.size() < 10)
            return 0;
        length = 0;
        for (std::size_t i = 2; i < 10; ++i)
            length = (length << 8) | byte(i);
        header = 10;
    }
    if (length > maxPayload)
        return -1;
    if (data.size() - header < length)
        return 0;
    frame->fin = (byte(0) & 0x80) != 0;
    frame->opcode = byte(0) & 0x0F;
    frame->payload = data.substr(header, length);
    return static_cast<std::ptrdiff_t>(header + length);
}

} // namespace wsinfra::bench
