// Delivery under pressure, with real clients: a reader that stops reading must not grow the service's
// memory or slow anyone else down; what is shed is recoverable; batching is honoured.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import { token, startService, api, waitUntil } from './support.mjs';

const services = [];
after(async () => {
  for (const service of services) await service.stop();
});

async function start(args) {
  // Under AddressSanitizer freed memory sits in a quarantine (256 MB by default) and would count as
  // RSS; without it the figure means what it means in a release build.
  const asan = `${process.env.ASAN_OPTIONS ?? ''}:quarantine_size_mb=0:thread_local_quarantine_size_kb=0`;
  const service = await startService({ args, env: { ASAN_OPTIONS: asan } });
  services.push(service);
  return service;
}

function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

// A native client that keeps every frame it receives, in order.
function connect(port, user, query = '') {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token(user)}${query}`);
  ws.frames = [];
  ws.on('message', (raw) => ws.frames.push(JSON.parse(raw.toString())));
  ws.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  ws.until = (predicate, timeoutMs = 10000, what = 'frames') => waitUntil(() => predicate(ws.frames), timeoutMs, what);
  return ws;
}

async function subscribe(ws, billId, since) {
  await ws.until((f) => f.some((m) => m.type === 'connected'));
  ws.send(JSON.stringify({ type: 'subscribe', id: `s${billId}`, data: { bill_id: billId, ...(since === undefined ? {} : { since: { [billId]: since } }) } }));
  await ws.until((f) => f.some((m) => m.type === 'subscribed' && m.id === `s${billId}`));
}

// Publishes `count` updates of `size` bytes, `parallel` requests at a time, in offset order per bill.
async function flood(port, billId, count, size, between) {
  const filler = 'x'.repeat(size);
  for (let i = 0; i < count; i++) {
    const answer = await api(port, `/api/bills/${billId}/updates`, { i, filler });
    assert.equal(answer.status, 200);
    if (between) await between(i);
  }
}

const billUpdates = (frames, billId) =>
  frames.flatMap((m) => (m.type === 'batch' ? m.messages : [m])).filter((m) => m.type === 'bill_update' && m.bill_id === billId);

test('a reader that stops reading is shed and closed with 4001; memory stays bounded; others get everything', async () => {
  const service = await start(['--max-queued-bytes', '256KB', '--slow-consumer-grace', '1s', '--history-size', '50']);
  const fast = connect(service.port, 'fast-reader');
  const slow = connect(service.port, 'slow-reader');
  await subscribe(fast, 900);
  await subscribe(slow, 900);
  slow._socket.pause(); // stops reading: the kernel buffers fill, then the service's

  const before = rssKb(service.process.pid);
  const count = 2500;
  await flood(service.port, 900, count, 16 * 1024);
  await fast.until((f) => billUpdates(f, 900).length === count, 30000, 'every update at the fast reader');
  const peak = rssKb(service.process.pid);
  const offsets = billUpdates(fast.frames, 900).map((m) => m.offset);
  assert.deepEqual(offsets, Array.from({ length: count }, (_, i) => i + 1), 'in order, none missing');

  const stats = (await api(service.port, '/api/stats')).json;
  assert.ok(stats.queueOverflows >= 1, 'the overflow is counted');
  assert.ok(stats.droppedMessages >= 1, 'shed updates are counted');
  // Over its budget for longer than the grace period: closed with 4001, which the client reads once
  // it reads again (the close frame waits behind what was already buffered for it).
  slow._socket.resume();
  assert.equal(await slow.closed, 4001);
  await waitUntil(async () => (await api(service.port, '/api/users/slow-reader')).json.connections === 0, 10000,
    'the slow reader to be gone');
  // 2500 x 16 KB = 40 MB went out; a service that buffered for the slow reader would hold tens of MB.
  const growthKb = peak - before;
  console.log(`# slow consumer: RSS ${before} KB before, ${peak} KB after 40 MB fan-out (+${growthKb} KB)`);
  assert.ok(growthKb < 24 * 1024, `RSS grew by ${growthKb} KB`);
  fast.close();
});

test('under pressure notifications survive where bill updates are shed; since recovers the shed updates', async () => {
  const service = await start(['--max-queued-bytes', '64KB', '--slow-consumer-grace', '1h', '--history-size', '5000']);
  const reader = connect(service.port, 'pressured');
  await subscribe(reader, 901);
  reader._socket.pause();
  const count = 1500;
  const notifications = [];
  await flood(service.port, 901, count, 16 * 1024, async (i) => {
    if (i % 300 === 150) {
      const sent = await api(service.port, '/api/users/pressured/notifications', { n: i });
      notifications.push(sent.json.message_id);
    }
  });
  reader._socket.resume();
  // Every notification arrives; the shed updates leave a gap, and once the reader has caught up the
  // service closes it (4001) so that it recovers the gap instead of never noticing it.
  assert.equal(await reader.closed, 4001);
  assert.deepEqual(reader.frames.filter((m) => m.type === 'notification').map((m) => m.message_id), notifications);
  const received = billUpdates(reader.frames, 901).map((m) => m.offset);
  assert.ok(received.length < count, 'some updates were shed');
  for (let i = 1; i < received.length; i++) assert.ok(received[i] > received[i - 1], 'what arrives is in order');
  const stats = (await api(service.port, '/api/stats')).json;
  assert.ok(stats.droppedMessages >= count - received.length);

  // The client recovers from the last offset it has without a gap.
  let contiguous = 0;
  while (received[contiguous] === contiguous + 1) contiguous++;
  const again = connect(service.port, 'pressured');
  await subscribe(again, 901, contiguous);
  await again.until((f) => billUpdates(f, 901).length === count - contiguous, 20000, 'the recovered updates');
  const recovered = billUpdates(again.frames, 901).map((m) => m.offset);
  assert.deepEqual(recovered, Array.from({ length: count - contiguous }, (_, i) => contiguous + i + 1));
  again.close();
});

test('health reports slow consumers while they are over budget, and recovers when they catch up', async () => {
  // Notifications are never shed, so this reader stays over its budget (and is not closed) until it reads.
  // Health is evaluated at HEALTH_CHECK_INTERVAL (5 s by default): shorter here.
  const service = await start(['--max-queued-bytes', '64KB', '--slow-consumer-grace', '1h',
    '--health-check-interval', '100ms']);
  const reader = connect(service.port, 'stuck-reader');
  await reader.until((f) => f.some((m) => m.type === 'connected'));
  reader._socket.pause();
  const filler = 'y'.repeat(16 * 1024);
  for (let i = 0; i < 600; i++) await api(service.port, '/api/users/stuck-reader/notifications', { i, filler });
  await waitUntil(async () => (await api(service.port, '/health')).json.queueHealth === false, 5000,
    'the next health check to see the slow consumer');
  const stuck = (await api(service.port, '/health')).json;
  assert.equal(stuck.queueHealth, false);
  assert.equal(stuck.status, 'degraded');
  assert.match(stuck.warnings.join(' '), /slow consumers/);
  assert.ok((await api(service.port, '/api/stats')).json.queueOverflows >= 1);

  reader._socket.resume();
  await reader.until((f) => f.filter((m) => m.type === 'notification').length === 600, 20000, 'every notification');
  await waitUntil(async () => (await api(service.port, '/health')).json.queueHealth === true, 5000,
    'queue health to recover');
  assert.equal((await api(service.port, '/health')).json.status, 'healthy');
  reader.close();
});

test('batching: opted-in clients get batch frames of at most the batch size; others single frames', async () => {
  const service = await start(['--message-batch-size', '10', '--message-batch-delay', '50ms']);
  const batched = connect(service.port, 'batched', '&batch=1');
  const single = connect(service.port, 'single');
  await subscribe(batched, 902);
  await subscribe(single, 902);

  await Promise.all(Array.from({ length: 25 }, (_, i) => api(service.port, '/api/bills/902/updates', { i })));
  await batched.until((f) => billUpdates(f, 902).length === 25, 10000, 'every update, batched');
  await single.until((f) => billUpdates(f, 902).length === 25, 10000, 'every update, single');
  const batches = batched.frames.filter((m) => m.type === 'batch');
  assert.ok(batches.length >= 3, `25 updates in batches of at most 10: ${batches.length} batches`);
  for (const batch of batches) assert.ok(batch.messages.length >= 2 && batch.messages.length <= 10);
  assert.deepEqual(billUpdates(batched.frames, 902).map((m) => m.offset), Array.from({ length: 25 }, (_, i) => i + 1));
  assert.equal(single.frames.filter((m) => m.type === 'batch').length, 0);

  // A lone update is not held back waiting for company: it arrives by itself, as a plain frame.
  const sent = Date.now();
  await api(service.port, '/api/bills/902/updates', { lone: true });
  await batched.until((f) => billUpdates(f, 902).length === 26, 5000, 'the lone update');
  const lone = batched.frames[batched.frames.length - 1];
  assert.equal(lone.type, 'bill_update');
  console.log(`# lone update arrived ${Date.now() - sent} ms after its publish (batch delay 50 ms)`);

  // Socket.IO clients opt in with auth { batch: true } and get `batch` events.
  const socket = io(`http://127.0.0.1:${service.port}`, { auth: { token: token('sio-batched'), batch: true }, transports: ['websocket'] });
  const events = [];
  socket.onAny((event, payload) => events.push({ event, payload }));
  await waitUntil(() => events.some((e) => e.event === 'connected'), 5000, 'the greeting');
  socket.emit('message', { type: 'subscribe', data: { bill_id: 903 } });
  await waitUntil(() => events.some((e) => e.event === 'subscribed'), 5000, 'the subscription');
  await Promise.all(Array.from({ length: 5 }, (_, i) => api(service.port, '/api/bills/903/updates', { i })));
  await waitUntil(() => events.filter((e) => e.event === 'batch').flatMap((e) => e.payload.messages).length +
    events.filter((e) => e.event === 'bill_update').length === 5, 5000, 'five updates over Socket.IO');
  assert.ok(events.some((e) => e.event === 'batch'));
  socket.disconnect();
  batched.close();
  single.close();
});
