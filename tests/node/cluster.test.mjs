// Two nodes of a cluster (a real redis-server, started here on a free port) with the official
// socket.io-client: a client whose transport drops on node A resumes its session on node B
// (connection state recovery), with what was published meanwhile replayed, as a load balancer that
// sends a reconnecting client elsewhere would have it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { io } from 'socket.io-client';
import { token, startService, api, waitUntil } from './support.mjs';

let redis;
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

before(async () => {
  redis = await startRedis();
  const args = ['--redis-url', `redis://127.0.0.1:${redis.port}`, '--redis-timeout', '500ms',
    '--socketio-recovery-duration', '30s'];
  nodeA = await startService({ args });
  nodeB = await startService({ args });
  for (const node of [nodeA, nodeB])
    await waitUntil(async () => (await api(node.port, '/api/metrics')).json.cluster?.connected === true, 10000,
      'the node to reach Redis');
});

after(async () => {
  await nodeA?.stop();
  await nodeB?.stop();
  redis?.child.kill('SIGKILL');
});

function next(socket, event, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (...args) => { clearTimeout(timer); resolve(args); });
  });
}

test('a Socket.IO session dropped on node A is resumed on node B, with the missed update', async () => {
  const user = 'sio-roamer';
  const socket = io(`http://127.0.0.1:${nodeA.port}`, { auth: { token: token(user) }, transports: ['websocket'] });
  const updates = [];
  socket.on('bill_update', (update) => updates.push(update));
  await next(socket, 'connect');
  assert.equal(socket.recovered, false);
  const id = socket.id;
  await socket.timeout(5000).emitWithAck('message', { type: 'subscribe', data: { bill_id: 501 } });
  await api(nodeA.port, '/api/bills/501/updates', { step: 1 });
  await waitUntil(() => updates.length === 1, 5000, 'the first update');

  // The transport drops; the client comes back through node B.
  socket.io.reconnectionDelay(1000).reconnectionDelayMax(1000).randomizationFactor(0);
  socket.io.uri = `http://127.0.0.1:${nodeB.port}`;
  socket.io.engine.close();
  await waitUntil(async () => (await api(nodeA.port, `/api/users/${user}`)).json.connections === 0, 5000,
    'the drop');
  const missed = await api(nodeA.port, '/api/bills/501/updates', { step: 2 });
  assert.equal(missed.status, 200);
  assert.equal(missed.json.cluster, true);

  await next(socket, 'connect', 10000);
  assert.equal(socket.recovered, true, 'node B resumes the session node A kept');
  assert.equal(socket.id, id, 'a recovered socket keeps its id');
  await waitUntil(() => updates.length === 2, 5000, 'the missed update');
  assert.equal(updates[1].data.step, 2);
  assert.equal(updates[1].offset, missed.json.offset);
  assert.equal((await api(nodeB.port, `/api/users/${user}`)).json.connections, 1);

  // The restored subscription on B delivers what A publishes.
  await api(nodeA.port, '/api/bills/501/updates', { step: 3 });
  await waitUntil(() => updates.length === 3, 5000, 'the live update');
  assert.equal(updates[2].data.step, 3);
  assert.deepEqual(updates.map((u) => u.data.step), [1, 2, 3]);
  socket.disconnect();
});
