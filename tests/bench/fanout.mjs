// Fan-out benchmark driver: opens N WebSocket clients, subscribes all to one bill, publishes K
// updates over HTTP and measures what the clients receive. Prints one JSON line of figures.
// Usage: node fanout.mjs --url http://127.0.0.1:PORT [--connections 2000] [--publishes 100]
//        [--interval-ms 0] [--secret S] [--api-key K]
// Loopback only; every loop is bounded by counts and a deadline, so it always stops by itself.
import crypto from 'node:crypto';
import WebSocket from 'ws';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, index, all) => (index % 2 ? pairs : [...pairs, [all[index].replace(/^--/, ''), all[index + 1]]]), []));
const base = args.url;
const connections = Number(args.connections ?? 2000);
const publishes = Number(args.publishes ?? 100);
const intervalMs = Number(args['interval-ms'] ?? 0);
const secret = args.secret ?? 'bench-secret';
const apiKey = args['api-key'] ?? 'bench-api-key';
const deadline = Date.now() + Number(args['timeout-ms'] ?? 120_000);
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$/.test(base)) throw new Error('loopback URLs only');

function token(sub) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600 });
  return `${head}.${body}.${crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}

async function stats() {
  const response = await fetch(`${base}/api/stats`, { headers: { 'X-API-Key': apiKey } });
  return response.json();
}

const latencies = [];
let received = 0;
let lastReceiveAt = 0;
const sockets = [];

function open(index) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?token=${token(`bench-${index}`)}`, { perMessageDeflate: false });
    ws.on('error', reject);
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text.includes('"bill_update"')) {
        const now = Date.now();
        latencies.push(now - JSON.parse(text).ts);
        received++;
        lastReceiveAt = now;
      } else if (text.includes('"subscribed"')) {
        resolve(ws);
      } else if (text.includes('"connected"')) {
        ws.send(JSON.stringify({ type: 'subscribe', data: { bill_id: 1 } }));
      }
    });
    sockets.push(ws);
  });
}

const rssBefore = (await stats()).memoryUsage;
const openStart = Date.now();
for (let first = 0; first < connections; first += 250) {
  const batch = [];
  for (let index = first; index < Math.min(connections, first + 250); index++) batch.push(open(index));
  await Promise.all(batch);
}
const openSeconds = (Date.now() - openStart) / 1000;
await new Promise((resolve) => setTimeout(resolve, 500));
const rssIdle = (await stats()).memoryUsage;

const publishStart = Date.now();
for (let i = 0; i < publishes; i++) {
  await fetch(`${base}/api/bills/1/updates`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'status_change', data: { status: 'in_committee', step: i, note: 'x'.repeat(100) } }),
  });
  if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
const expected = connections * publishes;
while (received < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
const rssAfter = (await stats()).memoryUsage;
const seconds = Math.max(1, lastReceiveAt - publishStart) / 1000;
latencies.sort((a, b) => a - b);
const percentile = (p) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] : null;
console.log(JSON.stringify({
  connections, publishes, expected, received,
  openSeconds: Number(openSeconds.toFixed(2)),
  deliveriesPerSecond: Math.round(received / seconds),
  p50Ms: percentile(0.5), p99Ms: percentile(0.99),
  kbPerIdleConnection: Number(((rssIdle - rssBefore) / 1024 / connections).toFixed(1)),
  rssAfterMb: Number((rssAfter / 1048576).toFixed(1)),
}));
for (const ws of sockets) ws.terminate();
process.exit(received === expected ? 0 : 1);
