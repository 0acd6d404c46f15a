#include "transport/socketioeventcache.h"

#include "transport/engineio/enginepacket.h"
#include "transport/socketio/socketiopacket.h"
#include "transport/websocket/websocketframe.h"

namespace wsinfra {

const SocketIoEventCache::Event &SocketIoEventCache::eventOf(QLatin1StringView type, const QString &text,
                                                             qint64 sequence, const QString &nsp)
{
    if (!m_event.frame.isEmpty() && type.data() == m_type && sequence == m_sequence &&
        text.constData() == m_text.constData() && text.size() == m_text.size() &&
        nsp.constData() == m_nsp.constData() && nsp.size() == m_nsp.size())
        return m_event;
    m_text = text;
    m_nsp = nsp;
    m_type = type.data();
    m_sequence = sequence;
    m_event.packet = encodeEventText(nsp, arguments(type, text.toUtf8(), sequence));
    const QByteArray message =
        EngineCodec::encodeText(EnginePacket{EnginePacket::Type::Message, m_event.packet, false});
    m_event.frame = WebSocketFrame::encode(WebSocketFrame::OpCode::Text, message);
    return m_event;
}

QByteArray SocketIoEventCache::arguments(QLatin1StringView type, QByteArrayView envelopeUtf8, qint64 sequence)
{
    QByteArray arguments;
    arguments.reserve(envelopeUtf8.size() + type.size() + 32);
    arguments.append("[\"").append(type.data(), type.size()).append("\",").append(envelopeUtf8);
    if (sequence > 0)
        arguments.append(",\"").append(QByteArray::number(sequence)).append('"');
    arguments.append(']');
    return arguments;
}

} // namespace wsinfra
