#include "transport/websocket/textframecache.h"

#include "transport/websocket/websocketframe.h"

namespace wsinfra {

const QByteArray &TextFrameCache::frameOf(const QString &text)
{
    if (m_frame.isEmpty() || text.constData() != m_text.constData() || text.size() != m_text.size()) {
        m_text = text;
        m_frame = WebSocketFrame::encode(WebSocketFrame::OpCode::Text, text.toUtf8());
    }
    return m_frame;
}

} // namespace wsinfra
