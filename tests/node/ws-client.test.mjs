// The service with a real non-Qt client: the npm `ws` package, as a Node.js backend or a
// browser-like client would use it. Run by ctest (node --test) against the built binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { token, startService, api as callApi } from './support.mjs';

let service;
let port;

// A client that queues what it receives so a test can await the next message of a type.
function connect(user, query = '') {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token(user)}${query}`);
  const inbox = [];
  const waiters = [];
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString());
    const index = waiters.findIndex((w) => w.type === message.type);
    if (index >= 0) waiters.splice(index, 1)[0].resolve(message);
    else inbox.push(message);
  });
  ws.next = (type, timeoutMs = 5000) => {
    const index = inbox.findIndex((m) => m.type === type);
    if (index >= 0) return Promise.resolve(inbox.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = { type, resolve };
      waiters.push(waiter);
      setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs).unref();
    });
  };
  ws.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return ws;
}

const api = (path, body) => callApi(port, path, body);

before(async () => {
  service = await startService();
  port = service.port;
});

after(async () => {
  await service?.stop();
});

test('greets, subscribes and receives bill updates with offsets', async () => {
  const ws = connect('node-alice');
  const greeting = await ws.next('connected');
  assert.equal(greeting.data.user_id, 'node-alice');
  ws.send(JSON.stringify({ type: 'subscribe', id: 'n1', data: { bill_id: 123 } }));
  const subscribed = await ws.next('subscribed');
  assert.equal(subscribed.id, 'n1');
  assert.deepEqual(subscribed.data.bill_ids, [123]);

  const published = await api('/api/bills/123/updates', { type: 'status_change', data: { status: 'passed' } });
  assert.equal(published.status, 200);
  assert.equal(published.json.delivered, 1);
  const update = await ws.next('bill_update');
  assert.equal(update.bill_id, 123);
  assert.equal(update.offset, published.json.offset);
  assert.equal(update.message_id, published.json.message_id);
  assert.deepEqual(update.data, { type: 'status_change', data: { status: 'passed' } });
  ws.close();
  await ws.closed;
});

test('recovers missed updates after a reconnect', async () => {
  const first = connect('node-bob');
  await first.next('connected');
  first.send(JSON.stringify({ type: 'subscribe', data: { bill_id: 456 } }));
  const offset = (await first.next('subscribed')).data.offsets['456'];
  first.close();
  await first.closed;
  for (let i = 0; i < 3; i++) await api('/api/bills/456/updates', { i });

  const again = connect('node-bob');
  await again.next('connected');
  again.send(JSON.stringify({ type: 'subscribe', data: { bill_id: 456, since: { 456: offset } } }));
  await again.next('subscribed');
  for (let i = 0; i < 3; i++) {
    const update = await again.next('bill_update');
    assert.equal(update.offset, offset + i + 1);
    assert.equal(update.data.i, i);
  }
  again.close();
  await again.closed;
});

test('notifications reach the user, answers errors with stable codes', async () => {
  const ws = connect('node-carol');
  await ws.next('connected');
  const sent = await api('/api/users/node-carol/notifications', { title: 'Bill Update', message: 'changed' });
  assert.equal(sent.json.delivered, 1);
  assert.equal((await ws.next('notification')).data.title, 'Bill Update');
  ws.send('{not json');
  assert.equal((await ws.next('error')).code, 'bad_request');
  ws.send(JSON.stringify({ type: 'ping', id: 3 }));
  assert.equal((await ws.next('pong')).id, 3);
  ws.close();
  await ws.closed;
});

test('a bad token is refused with HTTP 401 before the upgrade', async () => {
  const status = await new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=not.a.token`);
    ws.on('unexpected-response', (request, response) => resolve(response.statusCode));
    ws.on('open', () => resolve('opened'));
    ws.on('error', () => {});
  });
  assert.equal(status, 401);
});

test('clients are closed with 1001 when the service shuts down', async () => {
  const ws = connect('node-dave');
  await ws.next('connected');
  const exited = service.stop();
  const closed = await ws.closed;
  assert.equal(closed.code, 1001);
  assert.equal(await exited, 0);
});
