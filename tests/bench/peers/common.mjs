// What both Node.js peers share: the token check and the HTTP publish API, written the way a Node
// service would be. A publish is serialised once by the peer and handed to every subscriber.
import crypto from 'node:crypto';
import http from 'node:http';

export const secret = process.env.JWT_SECRET ?? 'bench-secret';
const apiKey = process.env.WSINFRA_API_KEY ?? 'bench-api-key';

// HS256 JWT check, as wsinfra does on every connect (signature and exp), so that open times compare.
export function verifyToken(token) {
  const parts = String(token ?? '').split('.');
  if (parts.length !== 3) return null;
  const signature = crypto.createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest('base64url');
  if (signature !== parts[2]) return null;
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
  return claims.exp > Date.now() / 1000 ? claims : null;
}

// publish(billId, frame) returns how many connections the frame was handed to.
export function createServer(publish, connectionCount) {
  const offsets = new Map();
  let messages = 0;
  const answer = (response, status, body) => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    response.end(text);
  };
  return http.createServer((request, response) => {
    const match = /^\/api\/bills\/(\d+)\/updates$/.exec(request.url);
    const authorized = request.headers.authorization === `Bearer ${apiKey}` || request.headers['x-api-key'] === apiKey;
    if (request.url.startsWith('/api/') && !authorized) return answer(response, 401, { code: 'unauthorized' });
    if (request.method === 'POST' && match) {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const billId = Number(match[1]);
        const offset = (offsets.get(billId) ?? 0) + 1;
        offsets.set(billId, offset);
        const messageId = `p-${++messages}`;
        const frame = { type: 'bill_update', bill_id: billId, offset, message_id: messageId, ts: Date.now(),
                        data: JSON.parse(body) };
        const delivered = publish(billId, frame);
        answer(response, 200, { message_id: messageId, bill_id: billId, offset, delivered, duplicate: false });
      });
      return;
    }
    if (request.url === '/api/stats')
      return answer(response, 200, { activeConnections: connectionCount(), memoryUsage: process.memoryUsage().rss });
    answer(response, 404, { code: 'not_found' });
  });
}

export function listen(server, port) {
  server.listen(port, '127.0.0.1', 4096, () => console.log(`listening on 127.0.0.1:${server.address().port}`));
  process.on('SIGTERM', () => process.exit(0));
}
