// The native-protocol peer of the benchmarks: a Node.js `ws` server speaking the part of the wsinfra
// protocol the benchmark uses (token, greeting, subscribe with bill_id or bill_ids, bill updates
// published over the HTTP API), each publish serialised once and sent to every subscriber.
// Usage: node peer-ws-server.mjs PORT
import { WebSocketServer } from 'ws';
import { createServer, listen, verifyToken } from './common.mjs';

const subscribers = new Map(); // bill id -> Set<ws>
let connections = 0;

const server = createServer((billId, frame) => {
  const text = JSON.stringify(frame);
  let delivered = 0;
  for (const ws of subscribers.get(billId) ?? []) {
    ws.send(text);
    delivered++;
  }
  return delivered;
}, () => connections);

const wss = new WebSocketServer({
  server, path: '/ws', perMessageDeflate: false,
  verifyClient: ({ req }) => verifyToken(new URL(req.url, 'http://x').searchParams.get('token')) !== null,
});
wss.on('connection', (ws) => {
  connections++;
  const bills = new Set();
  ws.send(JSON.stringify({ type: 'connected', data: { connection_id: String(connections) } }));
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString());
    if (message.type === 'subscribe') {
      const ids = message.data.bill_ids ?? [message.data.bill_id];
      for (const billId of ids) {
        if (!subscribers.has(billId)) subscribers.set(billId, new Set());
        subscribers.get(billId).add(ws);
        bills.add(billId);
      }
      ws.send(JSON.stringify({ type: 'subscribed', id: message.id, data: { bill_ids: ids } }));
    }
  });
  ws.on('close', () => {
    connections--;
    for (const billId of bills) subscribers.get(billId)?.delete(ws);
  });
});

listen(server, Number(process.argv[2] ?? 0));
