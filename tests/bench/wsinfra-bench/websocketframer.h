#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wsinfra::bench {

/// RFC 6455 framing for the client side: masked frames out, unmasked frames in. Stateless; the
/// reassembly of fragmented messages is up to the caller, which keeps one buffer per connection.
class WebSocketFramer
{
public:
    enum Opcode : uint8_t { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };

    struct Frame
    {
        bool fin = false;
        uint8_t opcode = 0;
        std::string_view payload; // points into the parsed buffer
    };

    /// Appends one final frame, masked with `mask`, to `out`.
    static void appendClientFrame(std::string &out, uint8_t opcode, std::string_view payload, uint32_t mask);

    /// Parses the frame at the start of `data`: the bytes it takes, 0 when it is not complete yet, or
    /// -1 for what a server must not send (a masked frame, reserved bits, a frame over `maxPayload`).
    static std::ptrdiff_t parseServerFrame(std::string_view data, Frame *frame, uint64_t maxPayload = 64u << 20);
};

} // namespace wsinfra::bench
