// A node that loses Redis alone numbers its own publishes meanwhile, and the Socket.IO recovery
// positions (node-wide sequences) it hands out for them are numbers the cluster gives again to the
// other nodes' updates. A client that was on that node and comes back there must not be told it has
// seen a cluster update it never got (the two-node soak lost such updates after a Redis restart).
// Node B reaches Redis through a relay here, so that it alone can be cut off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { io } from 'socket.io-client';
import { token, startService, api, waitUntil } from './support.mjs';

let redis;
let relay;
let nodeA;
let nodeB;

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' });
  await waitUntil(async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    return new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
  }, 10000, 'redis-server to listen');
  return { port, child };
}

// A TCP relay to Redis on a port of its own: cut() drops its connections and refuses new ones
// (Redis unreachable for the node behind it), open() listens again on the same port.
class Relay {
  constructor(target) {
    this.target = target;
    this.sockets = new Set();
    this.port = 0;
  }

  async open() {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const [a, b] of [[client, upstream], [upstream, client]]) {
        this.sockets.add(a);
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => { this.sockets.delete(a); b.destroy(); });
      }
    });
    await new Promise((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = this.server.address().port;
  }

  async cut() {
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

const clusterConnected = async (node) => (await api(node.port, '/api/metrics')).json.cluster?.connected === true;

before(async () => {
  redis = await startRedis();
  relay = new Relay(redis.port);
  await relay.open();
  const args = ['--redis-timeout', '500ms', '--socketio-recovery-duration', '30s'];
  nodeA = await startService({ args: ['--redis-url', `redis://127.0.0.1:${redis.port}`, ...args] });
  nodeB = await startService({ args: ['--redis-url', `redis://127.0.0.1:${relay.port}`, ...args] });
  for (const node of [nodeA, nodeB])
    await waitUntil(() => clusterConnected(node), 10000, 'the node to reach Redis');
});

after(async () => {
  await nodeA?.stop();
  await nodeB?.stop();
  await relay?.cut().catch(() => {});
  redis?.child.kill('SIGKILL');
});

test('a client back on a node that was cut off from Redis gets the cluster update it missed', async () => {
  const user = 'sio-outage';
  const [shared, local] = [701, 702]; // published through node A and through node B
  const socket = io(`http://127.0.0.1:${nodeB.port}`, {
    auth: { token: token(user) }, transports: ['websocket'], reconnection: false,
  });
  const updates = [];
  const received = (message) => {
    if (message?.type === 'batch') for (const inner of message.messages ?? []) received(inner);
    else if (message?.type === 'bill_update') updates.push(message);
  };
  socket.on('bill_update', received);
  socket.on('batch', received);
  const seen = (bill, offset) => updates.some((u) => u.bill_id === bill && u.offset === offset);
  const connected = () => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connect within 10 s')), 10000);
    socket.once('connect', () => { clearTimeout(timer); resolve(); });
  });

  let connecting = connected();
  socket.connect();
  await connecting;
  const subscribed = await socket.timeout(5000).emitWithAck('subscribe', { bill_ids: [shared, local] });
  assert.equal(subscribed.type, 'subscribed');
  // Another client stays on node B throughout: it tells when node B has caught up.
  const observer = io(`http://127.0.0.1:${nodeB.port}`, { auth: { token: token('sio-observer') }, transports: ['websocket'] });
  const observed = [];
  observer.on('bill_update', (message) => observed.push(message.offset));
  assert.equal((await observer.timeout(5000).emitWithAck('subscribe', { bill_ids: [shared] })).type, 'subscribed');
  const first = await api(nodeA.port, `/api/bills/${shared}/updates`, { step: 1 });
  assert.equal(first.json.cluster, true);
  await waitUntil(() => seen(shared, first.json.offset), 5000, 'the first update');

  // Node B alone loses Redis and numbers its publishes itself; node A goes on with the cluster.
  await relay.cut();
  await waitUntil(async () => !(await clusterConnected(nodeB)), 10000, 'node B to notice Redis is gone');
  for (let i = 0; i < 3; ++i) {
    const answer = await api(nodeB.port, `/api/bills/${local}/updates`, { step: i });
    assert.equal(answer.json.cluster, false);
    await waitUntil(() => seen(local, answer.json.offset), 5000, 'a local update');
  }
  // The client leaves (its transport drops) before the cluster's next update reaches node B.
  socket.io.engine.close();
  await waitUntil(async () => (await api(nodeB.port, `/api/users/${user}`)).json.connections === 0, 5000, 'the drop');
  const missed = await api(nodeA.port, `/api/bills/${shared}/updates`, { step: 2 });
  assert.equal(missed.status, 200);
  assert.equal(missed.json.cluster, true);
  assert.equal(missed.json.offset, first.json.offset + 1);

  // Node B is back on Redis and catches up; then the client comes back to it.
  await relay.open();
  await waitUntil(() => clusterConnected(nodeB), 15000, 'node B to reach Redis again');
  await waitUntil(() => observed.includes(missed.json.offset), 10000, 'node B to catch up');
  connecting = connected();
  socket.connect();
  await connecting;
  if (!socket.recovered) {
    // Not resumed: the client subscribes again from what it has, as a Socket.IO client without
    // recovery does (here: as the guide tells clients to).
    const since = { [shared]: first.json.offset, [local]: Math.max(...updates.filter((u) => u.bill_id === local).map((u) => u.offset)) };
    const again = await socket.timeout(5000).emitWithAck('subscribe', { bill_ids: [shared, local], since });
    received(again);
    assert.equal(again.type, 'subscribed');
  }
  await waitUntil(() => seen(shared, missed.json.offset), 5000,
    `the missed update (recovered: ${socket.recovered}; got ${JSON.stringify(updates.map((u) => [u.bill_id, u.offset]))})`);
  assert.deepEqual(updates.filter((u) => u.bill_id === shared).map((u) => u.offset),
    [first.json.offset, missed.json.offset], 'each update of the shared bill once, in order');
  socket.disconnect();
  observer.disconnect();
});
