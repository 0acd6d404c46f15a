// libFuzzer target: the HTTP/1.1 request parser. The bytes go in as one chunk, then again split in
// two at a point the first byte chooses (a read that ends mid-line), and through parseHead; every
// pipelined request is taken until the parser needs more bytes or fails.

#include "transport/httprequestparser.h"

#include <cstddef>
#include <cstdint>

using namespace wsinfra;

namespace {

// Small limits, so that inputs of a few hundred bytes reach every limit check.
const HttpLimits limits{.maxHeadBytes = 512, .maxHeaders = 8, .maxBodyBytes = 1024};

int drain(HttpRequestParser &parser, HttpRequestParser::Status status)
{
    int requests = 0;
    // Each complete request consumes at least one byte, so this ends.
    while (status == HttpRequestParser::Status::Complete) {
        const HttpRequest request = parser.takeRequest();
        if (request.method.isEmpty() || request.body.size() > limits.maxBodyBytes ||
            request.headers.size() > limits.maxHeaders)
            __builtin_trap();
        ++requests;
        status = parser.parse();
    }
    return requests;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    HttpRequestParser whole(limits);
    const int wholeRequests = drain(whole, whole.feed(bytes));
    if (whole.bufferedBytes() > bytes.size())
        __builtin_trap();

    if (!bytes.isEmpty()) {
        const qsizetype split = qsizetype(data[0]) % (bytes.size() + 1);
        HttpRequestParser chunked(limits);
        int chunkedRequests = drain(chunked, chunked.feed(bytes.first(split)));
        chunkedRequests += drain(chunked, chunked.feed(bytes.sliced(split)));
        // The split must not change what is parsed.
        if (chunkedRequests != wholeRequests)
            __builtin_trap();
    }

    const HttpRequestParser::HeadResult head = HttpRequestParser::parseHead(bytes, limits);
    if (head.status == HttpRequestParser::Status::Complete &&
        (head.headLength <= 0 || head.headLength > bytes.size() || head.request.method.isEmpty()))
        __builtin_trap();
    return 0;
}
