// libFuzzer target: the RFC 6455 frame parser of client connections. The bytes go in whole, then split
// in two at a point the first byte chooses (a read that ends inside a header or payload); both must
// give the same events. Checked: nothing follows an Error or a Close, a text message is valid UTF-8,
// the limits hold, and a message or control frame that came out, masked again, parses to itself.

#include "transport/websocket/websocketframe.h"

#include "util/utf8.h"

#include <QtEndian>

#include <cstddef>
#include <cstdint>

using namespace wsinfra;

namespace {

using Event = WebSocketFrameParser::Event;
using Kind = Event::Kind;
using OpCode = WebSocketFrame::OpCode;

// Small, so that inputs of a few hundred bytes cross it.
constexpr qint64 MaxMessageBytes = 64;
// The frame header being read (at most 14 bytes), a message up to the limit and a control frame.
constexpr qsizetype MaxBufferedBytes = MaxMessageBytes + 125 + 14;

bool sameEvents(const QList<Event> &a, const QList<Event> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].kind != b[i].kind || a[i].payload != b[i].payload || a[i].closeCode != b[i].closeCode ||
            a[i].reason != b[i].reason)
            return false;
    }
    return true;
}

void checkEvents(const WebSocketFrameParser &parser, const QList<Event> &events)
{
    for (qsizetype i = 0; i < events.size(); ++i) {
        const Event &event = events[i];
        const bool last = i == events.size() - 1;
        switch (event.kind) {
        case Kind::Text:
            if (!isValidUtf8(event.payload))
                __builtin_trap();
            [[fallthrough]];
        case Kind::Binary:
            if (event.payload.size() > MaxMessageBytes)
                __builtin_trap();
            break;
        case Kind::Ping:
        case Kind::Pong:
            if (event.payload.size() > 125)
                __builtin_trap();
            break;
        case Kind::Close:
            if (!last || (event.closeCode != 1005 && event.closeCode < 1000) || event.closeCode > 4999 ||
                event.reason.toUtf8().size() > 123)
                __builtin_trap();
            break;
        case Kind::Error:
            if (!last || event.reason.isEmpty() ||
                (event.closeCode != 1002 && event.closeCode != 1007 && event.closeCode != 1009))
                __builtin_trap();
            break;
        }
    }
    const bool failed = !events.isEmpty() && events.last().kind == Kind::Error;
    if (parser.hasFailed() != failed || (failed && parser.bufferedBytes() != 0))
        __builtin_trap();
    if (parser.bufferedBytes() < 0 || parser.bufferedBytes() > MaxBufferedBytes)
        __builtin_trap();
}

// The event as a masked client frame (one frame, minimal length), as a client would send it.
QByteArray clientFrame(const Event &event)
{
    const OpCode opCode = event.kind == Kind::Text     ? OpCode::Text
                          : event.kind == Kind::Binary ? OpCode::Binary
                          : event.kind == Kind::Ping   ? OpCode::Ping
                                                       : OpCode::Pong;
    QByteArray frame = WebSocketFrame::encode(opCode, event.payload);
    const qsizetype header = WebSocketFrame::headerSize(event.payload.size());
    const char mask[4] = {'\x12', '\x34', '\x56', '\x78'};
    frame[1] = char(frame[1] | 0x80);
    frame.insert(header, mask, 4);
    for (qsizetype i = 0; i < event.payload.size(); ++i)
        frame[header + 4 + i] = char(frame[header + 4 + i] ^ mask[i % 4]);
    return frame;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    WebSocketFrameParser whole(MaxMessageBytes);
    QList<Event> wholeEvents;
    whole.feed(bytes, wholeEvents);
    checkEvents(whole, wholeEvents);
    // Once failed or closed, more input changes nothing.
    const qsizetype before = wholeEvents.size();
    if (!wholeEvents.isEmpty() && (wholeEvents.last().kind == Kind::Error || wholeEvents.last().kind == Kind::Close)) {
        whole.feed(bytes, wholeEvents);
        if (wholeEvents.size() != before)
            __builtin_trap();
    }

    if (!bytes.isEmpty()) {
        const qsizetype split = qsizetype(data[0]) % (bytes.size() + 1);
        WebSocketFrameParser chunked(MaxMessageBytes);
        QList<Event> chunkedEvents;
        chunked.feed(bytes.first(split), chunkedEvents);
        checkEvents(chunked, chunkedEvents);
        chunked.feed(bytes.sliced(split), chunkedEvents);
        checkEvents(chunked, chunkedEvents);
        if (!sameEvents(chunkedEvents, wholeEvents) || chunked.bufferedBytes() != whole.bufferedBytes())
            __builtin_trap();
    }

    for (qsizetype i = 0; i < before; ++i) {
        const Event &event = wholeEvents[i];
        if (event.kind == Kind::Close || event.kind == Kind::Error)
            continue;
        WebSocketFrameParser again(MaxMessageBytes);
        QList<Event> againEvents;
        again.feed(clientFrame(event), againEvents);
        if (!sameEvents(againEvents, {event}))
            __builtin_trap();
    }
    return 0;
}
