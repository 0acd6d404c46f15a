// The peer of the fan-out benchmark: a minimal Node.js `ws` server speaking the part of the wsinfra
// protocol the benchmark uses (greeting, subscribe, bill updates published over HTTP), written the
// way a Node service would be: each publish is serialised once and sent to every subscriber.
// Usage: node peer-ws-server.mjs PORT
import http from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 0);
const subscribers = new Map(); // bill id -> Set<ws>
const offsets = new Map();
let connections = 0;

const server = http.createServer((request, response) => {
  const match = /^\/api\/bills\/(\d+)\/updates$/.exec(request.url);
  if (request.method === 'POST' && match) {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const billId = Number(match[1]);
      const offset = (offsets.get(billId) ?? 0) + 1;
      offsets.set(billId, offset);
      const frame = JSON.stringify({ type: 'bill_update', bill_id: billId, offset, message_id: `p-${offset}`,
                                     ts: Date.now(), data: JSON.parse(body) });
      let delivered = 0;
      for (const ws of subscribers.get(billId) ?? []) {
        ws.send(frame);
        delivered++;
      }
      response.end(JSON.stringify({ bill_id: billId, offset, delivered }));
    });
    return;
  }
  if (request.url === '/api/stats') {
    response.end(JSON.stringify({ activeConnections: connections, memoryUsage: process.memoryUsage().rss }));
    return;
  }
  response.statusCode = 404;
  response.end();
});

const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (ws) => {
  connections++;
  const bills = new Set();
  ws.send(JSON.stringify({ type: 'connected', data: { connection_id: String(connections) } }));
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString());
    if (message.type === 'subscribe') {
      const billId = message.data.bill_id;
      if (!subscribers.has(billId)) subscribers.set(billId, new Set());
      subscribers.get(billId).add(ws);
      bills.add(billId);
      ws.send(JSON.stringify({ type: 'subscribed', id: message.id, data: { bill_ids: [billId] } }));
    }
  });
  ws.on('close', () => {
    connections--;
    for (const billId of bills) subscribers.get(billId)?.delete(ws);
  });
});

server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
