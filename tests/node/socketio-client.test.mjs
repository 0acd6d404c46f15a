// The service with the official socket.io-client (4.8), used the way the original design documents it:
//   const socket = io('http://localhost:3000', { auth: { token } });
//   socket.emit('message', { type: 'subscribe', data: { bill_id: 123 } });
//   socket.on('bill_update', ...); socket.on('notification', ...);
// with its default transports (polling, then the upgrade to WebSocket), polling only and WebSocket only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { token, startService, api as callApi, waitUntil } from './support.mjs';

let service;
let port;
const api = (path, body) => callApi(port, path, body);
const sockets = [];

before(async () => {
  service = await startService({ args: ['--socketio-recovery-duration', '30s'] });
  port = service.port;
});

after(async () => {
  for (const socket of sockets) socket.disconnect();
  await service?.stop();
});

// Every event a socket receives is queued from the start, so that a test never misses one that
// arrives before it starts waiting (e.g. while the HTTP answer of a publish is still on its way).
function record(socket) {
  socket.inbox = [];
  socket.waiters = [];
  const arrive = (event, args) => {
    const index = socket.waiters.findIndex((w) => w.event === event);
    if (index >= 0) socket.waiters.splice(index, 1)[0].resolve(args);
    else socket.inbox.push({ event, args });
  };
  socket.onAny((event, ...args) => arrive(event, args));
  for (const event of ['connect', 'disconnect', 'connect_error'])
    socket.on(event, (...args) => arrive(event, args));
  return socket;
}

// Resolves with the arguments of the next `event` of the socket.
function next(socket, event, timeoutMs = 5000) {
  const index = socket.inbox.findIndex((e) => e.event === event);
  if (index >= 0) return Promise.resolve(socket.inbox.splice(index, 1)[0].args);
  return new Promise((resolve, reject) => {
    const waiter = { event, resolve };
    socket.waiters.push(waiter);
    setTimeout(() => {
      const at = socket.waiters.indexOf(waiter);
      if (at < 0) return;
      socket.waiters.splice(at, 1);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs).unref();
  });
}

function open(url, options) {
  const socket = record(io(url, options));
  sockets.push(socket);
  return socket;
}

function client(user, options = {}, url = `http://127.0.0.1:${port}`) {
  return open(url, { auth: { token: token(user) }, reconnectionDelay: 100, reconnectionDelayMax: 200, ...options });
}

// Waits for the Socket.IO connect and the service's greeting.
async function connected(socket) {
  await next(socket, 'connect');
  const [greeting] = await next(socket, 'connected');
  assert.equal(socket.connected, true);
  return greeting;
}

for (const [name, transports] of [
  ['default transports (polling, upgraded to WebSocket)', undefined],
  ['polling only', ['polling']],
  ['WebSocket only', ['websocket']],
]) {
  test(`${name}: the documented client subscribes and receives bill updates, notifications, broadcasts`, async () => {
    const user = `sio-${transports ? transports.join('') : 'default'}`;
    const socket = client(user, transports ? { transports } : {});
    const greeting = await connected(socket);
    assert.equal(greeting.type, 'connected');
    assert.equal(greeting.data.user_id, user);
    assert.equal(greeting.data.connection_id, socket.id);

    const bill = transports ? 200 + transports.length * 10 + transports[0].length : 123;
    socket.emit('message', { type: 'subscribe', data: { bill_id: bill } });
    const [subscribed] = await next(socket, 'subscribed');
    assert.deepEqual(subscribed.data.bill_ids, [bill]);

    const published = await api(`/api/bills/${bill}/updates`, { status: 'passed' });
    assert.equal(published.status, 200);
    assert.equal(published.json.delivered, 1);
    const [update, offset] = await next(socket, 'bill_update');
    assert.equal(update.bill_id, bill);
    assert.equal(update.offset, published.json.offset);
    assert.equal(update.message_id, published.json.message_id);
    assert.deepEqual(update.data, { status: 'passed' });
    assert.equal(typeof offset, 'string', 'a bill update carries its recovery offset');

    const notified = await api(`/api/users/${user}/notifications`, { title: 'Your bill moved' });
    assert.equal(notified.json.delivered, 1);
    const [notification] = await next(socket, 'notification');
    assert.equal(notification.data.title, 'Your bill moved');

    const broadcast = await api('/api/broadcast', { text: 'maintenance at noon' });
    assert.ok(broadcast.json.delivered >= 1);
    const [message] = await next(socket, 'broadcast');
    assert.equal(message.data.text, 'maintenance at noon');

    if (transports === undefined)
      await waitUntil(() => socket.io.engine.transport.name === 'websocket', 5000, 'the upgrade to WebSocket');
    else assert.equal(socket.io.engine.transport.name, transports[0]);
    socket.disconnect();
    await waitUntil(async () => (await api(`/api/users/${user}`)).json.connections === 0, 5000, 'the departure');
  });
}

test('acknowledgements get the reply the native protocol would send', async () => {
  const socket = client('sio-acks');
  await connected(socket);
  const subscribed = await socket.timeout(5000).emitWithAck('message', { type: 'subscribe', data: { bill_id: 31 } });
  assert.equal(subscribed.type, 'subscribed');
  assert.deepEqual(subscribed.data.bill_ids, [31]);

  // The data of an envelope may also be emitted under the envelope's type.
  const unsubscribed = await socket.timeout(5000).emitWithAck('unsubscribe', { bill_id: 31 });
  assert.equal(unsubscribed.type, 'unsubscribed');
  const pong = await socket.timeout(5000).emitWithAck('ping');
  assert.equal(pong.type, 'pong');

  const refused = await socket.timeout(5000).emitWithAck('message', { type: 'subscribe', data: { bill_id: 'x' } });
  assert.equal(refused.type, 'error');
  assert.equal(refused.code, 'bad_request');
  const unknown = await socket.timeout(5000).emitWithAck('launch', {});
  assert.equal(unknown.type, 'error');
  const binary = await socket.timeout(5000).emitWithAck('message', Buffer.from([1, 2, 3]));
  assert.equal(binary.type, 'error');
  assert.equal(binary.code, 'bad_request');
  assert.equal(socket.connected, true, 'bad requests are answered, not punished with a disconnect');
  socket.disconnect();
});

test('a notification kept for an offline user arrives on connect and, once acknowledged, not again', async () => {
  const user = 'sio-inbox';
  const kept = await api(`/api/users/${user}/notifications`, { title: 'While you were away' });
  assert.equal(kept.json.delivered, 0);
  assert.equal(kept.json.stored, true);

  const socket = client(user);
  await connected(socket);
  const [notification] = await next(socket, 'notification');
  assert.equal(notification.message_id, kept.json.message_id);
  assert.equal(notification.data.title, 'While you were away');
  socket.emit('ack', { message_id: notification.message_id });
  // Handled in order: once the ping is answered, so is the ack. An ack with a callback gets it called.
  await socket.timeout(5000).emitWithAck('ping');
  assert.equal(await socket.timeout(5000).emitWithAck('ack', { message_id: 'unknown-id' }), undefined);

  socket.disconnect();
  socket.connect();
  await connected(socket);
  const pong = await socket.timeout(5000).emitWithAck('ping');
  assert.equal(pong.type, 'pong');
  assert.deepEqual(socket.inbox.filter((e) => e.event === 'notification'), [], 'an acknowledged notification is not sent again');
  socket.disconnect();
});

test('a notification acknowledged through its callback is not sent again; one left unacknowledged is', async () => {
  const user = 'sio-ack-callback';
  const kept = await api(`/api/users/${user}/notifications`, { title: 'Acknowledge me' });
  assert.equal(kept.json.stored, true);

  // The Socket.IO way: the service asks for an acknowledgement and the handler calls it.
  const socket = client(user);
  socket.on('notification', (notification, ack) => ack());
  await connected(socket);
  const [notification, ack] = await next(socket, 'notification');
  assert.equal(notification.message_id, kept.json.message_id);
  assert.equal(typeof ack, 'function', 'a notification asks for an acknowledgement');
  // The ack went out before the ping: once the ping is answered, the ack was handled.
  await socket.timeout(5000).emitWithAck('ping');

  // A live notification is acknowledged the same way.
  const live = await api(`/api/users/${user}/notifications`, { title: 'Live' });
  assert.equal(live.json.delivered, 1);
  const [delivered] = await next(socket, 'notification');
  assert.equal(delivered.message_id, live.json.message_id);
  await socket.timeout(5000).emitWithAck('ping');

  socket.disconnect();
  socket.connect();
  await connected(socket);
  await socket.timeout(5000).emitWithAck('ping');
  assert.deepEqual(socket.inbox.filter((e) => e.event === 'notification'), [], 'acknowledged notifications are not sent again');
  socket.disconnect();

  // A client whose handler never calls the callback gets the notification again on its next connection.
  const other = 'sio-no-callback';
  const unacknowledged = await api(`/api/users/${other}/notifications`, { title: 'Ignored' });
  const careless = client(other);
  careless.on('notification', () => {});
  await connected(careless);
  const [first] = await next(careless, 'notification');
  assert.equal(first.message_id, unacknowledged.json.message_id);
  await careless.timeout(5000).emitWithAck('ping');
  careless.disconnect();
  careless.connect();
  await connected(careless);
  const [again] = await next(careless, 'notification');
  assert.equal(again.message_id, unacknowledged.json.message_id);
  assert.equal(again.ts, first.ts);
  careless.disconnect();
});

test('a bad or missing token is refused with connect_error and a stable code', async () => {
  const forged = open(`http://127.0.0.1:${port}`, {
    auth: { token: token('mallory', 600, 'wrong-secret') },
    reconnection: false,
  });
  const [error] = await next(forged, 'connect_error');
  assert.match(error.message, /signature/i);
  assert.equal(error.data.code, 'invalid_token');
  assert.equal(forged.connected, false);

  const anonymous = open(`http://127.0.0.1:${port}`, { reconnection: false, transports: ['websocket'] });
  const [missing] = await next(anonymous, 'connect_error');
  assert.match(missing.message, /token is required/);
  assert.equal(missing.data.code, 'invalid_token');

  const metrics = (await api('/api/metrics')).json;
  assert.ok(metrics.security.authenticationFailures >= 2, 'authentication failures are counted');
});

test('an unknown namespace is refused', async () => {
  const socket = open(`http://127.0.0.1:${port}/admin`, { auth: { token: token('sio-ns') }, reconnection: false });
  const [error] = await next(socket, 'connect_error');
  assert.equal(error.message, 'Invalid namespace');
});

test('connection state recovery: a dropped transport is resumed and the missed update replayed', async () => {
  const user = 'sio-recover';
  const socket = client(user, { transports: ['websocket'] });
  await connected(socket);
  assert.equal(socket.recovered, false);
  const id = socket.id;
  await socket.timeout(5000).emitWithAck('message', { type: 'subscribe', data: { bill_id: 77 } });
  await api('/api/bills/77/updates', { step: 1 });
  const [first] = await next(socket, 'bill_update');
  assert.equal(first.data.step, 1);

  // Hold the reconnection until the missed update has been published.
  socket.io.reconnectionDelay(1000).reconnectionDelayMax(1000).randomizationFactor(0);
  socket.io.engine.close();
  await waitUntil(async () => (await api(`/api/users/${user}`)).json.connections === 0, 5000, 'the drop');
  const missed = await api('/api/bills/77/updates', { step: 2 });
  assert.equal(missed.json.delivered, 0);

  await next(socket, 'connect', 10000);
  assert.equal(socket.recovered, true);
  assert.equal(socket.id, id, 'a recovered socket keeps its id');
  const [replayed] = await next(socket, 'bill_update');
  assert.equal(replayed.data.step, 2);
  assert.equal(replayed.offset, missed.json.offset);

  // And the restored subscription keeps delivering live.
  await api('/api/bills/77/updates', { step: 3 });
  const [live] = await next(socket, 'bill_update');
  assert.equal(live.data.step, 3);
  socket.disconnect();
});

test('a session the client left on purpose is not recovered', async () => {
  const socket = client('sio-left', { transports: ['websocket'] });
  await connected(socket);
  socket.disconnect();
  socket.connect();
  await connected(socket);
  assert.equal(socket.recovered, false);
  socket.disconnect();
});

test('clients reconnect by themselves after the service restarts', async () => {
  const restarted = await startService();
  try {
    const url = `http://127.0.0.1:${restarted.port}`;
    const socket = client('sio-restart', {}, url);
    await connected(socket);
    await waitUntil(() => socket.io.engine.transport.name === 'websocket', 5000, 'the upgrade to WebSocket');
    await restarted.stop();
    const [notice] = await next(socket, 'error');
    assert.equal(notice.code, 'connection_closed');
    assert.equal(notice.close_code, 1001, 'Socket.IO clients learn the close code a native client would get');
    const [reason] = await next(socket, 'disconnect');
    assert.ok(['transport close', 'transport error'].includes(reason), reason);

    const again = await startService({ port: restarted.port });
    try {
      const [greeting] = await next(socket, 'connected', 10000);
      assert.equal(greeting.data.user_id, 'sio-restart');
      assert.equal(socket.recovered, false, 'a new process cannot resume the old session');
      socket.emit('message', { type: 'subscribe', data: { bill_id: 9 } });
      await next(socket, 'subscribed');
      await callApi(again.port, '/api/bills/9/updates', { after: 'restart' });
      const [update] = await next(socket, 'bill_update');
      assert.equal(update.data.after, 'restart');
      socket.disconnect();
    } finally {
      await again.stop();
    }
  } finally {
    await restarted.stop();
  }
});

test('limits and token expiry reach Socket.IO clients as they reach native ones', async () => {
  const limited = await startService({ args: ['--max-connections-per-user', '1', '--heartbeat-interval', '200ms'] });
  try {
    const url = `http://127.0.0.1:${limited.port}`;
    const first = client('sio-limited', {}, url);
    await connected(first);
    const second = client('sio-limited', { reconnection: false }, url);
    const [refused] = await next(second, 'connect_error');
    assert.equal(refused.data.code, 'connection_limit');
    assert.match(refused.message, /too many connections for this user/);
    first.disconnect();

    // A token that expires while connected: told why (4005), and the session ends so that the
    // client reconnects (with a fresh token, when its auth is a function).
    const expiring = open(url, { auth: { token: token('sio-expiring', 2) }, reconnection: false, transports: ['websocket'] });
    await connected(expiring);
    const [notice] = await next(expiring, 'error', 5000);
    assert.equal(notice.code, 'connection_closed');
    assert.equal(notice.close_code, 4005);
    const [reason] = await next(expiring, 'disconnect');
    assert.equal(reason, 'transport close');
  } finally {
    await limited.stop();
  }
});
