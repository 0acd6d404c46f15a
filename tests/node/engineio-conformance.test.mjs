// The conformance server in --engineio mode against every case of the official Engine.IO v4 test suite
// (socketio/socket.io, docs/engine.io-protocol/v4-test-suite/test-suite.js), one test per official case with
// the official name, followed by cases the suite lacks. Written for node --test with the global fetch and the
// npm `ws` package; run by ctest against the built binary (WSINFRA_CONFORMANCE_BINARY).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

// What the official suite's reference server is configured with (and so the conformance server).
const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
const MAX_PAYLOAD = 1000000;
const UPGRADE_TIMEOUT = 1000;
const ALLOWED_ORIGIN = 'http://allowed.example';

let server;
let serverExit;
let base;
let wsBase;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function pollingUrl(sid, extra = '') {
  return `${base}/engine.io/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}${extra}`;
}

function webSocketUrl(sid) {
  return `${wsBase}/engine.io/?EIO=4&transport=websocket${sid ? `&sid=${sid}` : ''}`;
}

const poll = (sid, extra) => fetch(pollingUrl(sid, extra));
const push = (sid, body) => fetch(pollingUrl(sid), { method: 'POST', body });

async function openPollingSession() {
  const response = await fetch(pollingUrl());
  assert.equal(response.status, 200);
  const content = await response.text();
  assert.ok(content.startsWith('0'), content);
  return JSON.parse(content.substring(1)).sid;
}

// A `ws` client whose events are buffered, so that a test can await the next one of a kind in order.
function openWebSocket(url) {
  const socket = new WebSocket(url);
  const buffered = { open: [], message: [], close: [] };
  const waiting = { open: [], message: [], close: [] };
  const deliver = (kind, event) => {
    if (waiting[kind].length) waiting[kind].shift()(event);
    else buffered[kind].push(event);
  };
  socket.on('open', () => deliver('open', {}));
  socket.on('message', (data, isBinary) => deliver('message', { data: isBinary ? data : data.toString() }));
  socket.on('close', (code, reason) => deliver('close', { code, reason: reason.toString() }));
  socket.on('error', () => {}); // a refused handshake also ends in 'close'
  socket.next = (kind, timeoutMs = 5000) => {
    if (buffered[kind].length) return Promise.resolve(buffered[kind].shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${kind} within ${timeoutMs} ms`)), timeoutMs);
      waiting[kind].push((event) => {
        clearTimeout(timer);
        resolve(event);
      });
    });
  };
  return socket;
}

// The next WebSocket message that is not a ping; pings are answered on the way.
async function nextNonPing(socket) {
  for (;;) {
    const { data } = await socket.next('message');
    if (data !== '2') return data;
    socket.send('3');
  }
}

// Keeps a polling session alive in the background: polls, answers pings, collects everything else.
function keepPolling(sid) {
  const received = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const response = await poll(sid);
      if (response.status !== 200) return response.status;
      for (const packet of (await response.text()).split('\x1e')) {
        if (packet === '2') await push(sid, '3');
        else received.push(packet);
      }
    }
    return 200;
  })();
  return {
    received,
    done,
    stop() {
      running = false;
    },
  };
}

before(async () => {
  const binary = process.env.WSINFRA_CONFORMANCE_BINARY;
  assert.ok(binary, 'WSINFRA_CONFORMANCE_BINARY must name the built wsinfra-conformance-server');
  server = spawn(binary, ['--engineio', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  serverExit = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: server.stdout });
  const port = await new Promise((resolve, reject) => {
    lines.once('line', (line) => {
      const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line.trim());
      match ? resolve(Number(match[1])) : reject(new Error(`unexpected first line: ${line}`));
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  base = `http://127.0.0.1:${port}`;
  wsBase = `ws://127.0.0.1:${port}`;
});

after(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    assert.equal(await serverExit, 0, 'the server exits cleanly on SIGTERM');
  }
});

describe('Engine.IO protocol', () => {
  describe('handshake', () => {
    describe('HTTP long-polling', () => {
      test('successfully opens a session', async () => {
        const response = await fetch(pollingUrl());
        assert.equal(response.status, 200);
        const content = await response.text();
        assert.ok(content.startsWith('0'));
        const value = JSON.parse(content.substring(1));
        assert.deepEqual(Object.keys(value).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
        assert.equal(typeof value.sid, 'string');
        assert.deepEqual(value.upgrades, ['websocket']);
        assert.equal(value.pingInterval, PING_INTERVAL);
        assert.equal(value.pingTimeout, PING_TIMEOUT);
        assert.equal(value.maxPayload, MAX_PAYLOAD);
      });

      test("fails with an invalid 'EIO' query parameter", async () => {
        assert.equal((await fetch(`${base}/engine.io/?transport=polling`)).status, 400);
        assert.equal((await fetch(`${base}/engine.io/?EIO=abc&transport=polling`)).status, 400);
      });

      test("fails with an invalid 'transport' query parameter", async () => {
        assert.equal((await fetch(`${base}/engine.io/?EIO=4`)).status, 400);
        assert.equal((await fetch(`${base}/engine.io/?EIO=4&transport=abc`)).status, 400);
      });

      test('fails with an invalid request method', async () => {
        assert.equal((await fetch(pollingUrl(), { method: 'POST' })).status, 400);
        assert.equal((await fetch(pollingUrl(), { method: 'PUT' })).status, 400);
      });
    });

    describe('WebSocket', () => {
      test('successfully opens a session', async () => {
        const socket = openWebSocket(webSocketUrl());
        const { data } = await socket.next('message');
        assert.ok(data.startsWith('0'));
        const value = JSON.parse(data.substring(1));
        assert.deepEqual(Object.keys(value).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
        assert.equal(typeof value.sid, 'string');
        assert.deepEqual(value.upgrades, []);
        assert.equal(value.pingInterval, PING_INTERVAL);
        assert.equal(value.pingTimeout, PING_TIMEOUT);
        assert.equal(value.maxPayload, MAX_PAYLOAD);
        socket.close();
      });

      test("fails with an invalid 'EIO' query parameter", async () => {
        await openWebSocket(`${wsBase}/engine.io/?transport=websocket`).next('close');
        await openWebSocket(`${wsBase}/engine.io/?EIO=abc&transport=websocket`).next('close');
      });

      test("fails with an invalid 'transport' query parameter", async () => {
        await openWebSocket(`${wsBase}/engine.io/?EIO=4`).next('close');
        await openWebSocket(`${wsBase}/engine.io/?EIO=4&transport=abc`).next('close');
      });
    });
  });

  describe('message', () => {
    describe('HTTP long-polling', () => {
      test('sends and receives a payload containing one plain text packet', async () => {
        const sid = await openPollingSession();
        const pushed = await push(sid, '4hello');
        assert.equal(pushed.status, 200);
        assert.equal(await pushed.text(), 'ok');
        const polled = await poll(sid);
        assert.equal(polled.status, 200);
        assert.equal(await polled.text(), '4hello');
      });

      test('sends and receives a payload containing several plain text packets', async () => {
        const sid = await openPollingSession();
        const pushed = await push(sid, '4test1\x1e4test2\x1e4test3');
        assert.equal(pushed.status, 200);
        assert.equal(await pushed.text(), 'ok');
        const polled = await poll(sid);
        assert.equal(polled.status, 200);
        assert.equal(await polled.text(), '4test1\x1e4test2\x1e4test3');
      });

      test('sends and receives a payload containing plain text and binary packets', async () => {
        const sid = await openPollingSession();
        const pushed = await push(sid, '4hello\x1ebAQIDBA==');
        assert.equal(pushed.status, 200);
        assert.equal(await pushed.text(), 'ok');
        const polled = await poll(sid);
        assert.equal(polled.status, 200);
        assert.equal(await polled.text(), '4hello\x1ebAQIDBA==');
      });

      test('closes the session upon invalid packet format', async () => {
        const sid = await openPollingSession();
        assert.equal((await push(sid, 'abc')).status, 400);
        assert.equal((await poll(sid)).status, 400);
      });

      test('closes the session upon duplicate poll requests', async () => {
        const sid = await openPollingSession();
        const [first, second] = await Promise.all([poll(sid), sleep(5).then(() => poll(sid, '&t=burst'))]);
        assert.equal(first.status, 200);
        assert.equal(await first.text(), '1');
        assert.equal(second.status, 400);
        assert.equal((await poll(sid)).status, 400);
      });

      test('closes the session upon cancelled polling request', async () => {
        const sid = await openPollingSession();
        const controller = new AbortController();
        fetch(pollingUrl(sid), { signal: controller.signal }).catch(() => {});
        await sleep(5);
        controller.abort();
        assert.equal((await poll(sid)).status, 400);
      });
    });

    describe('WebSocket', () => {
      test('sends and receives a plain text packet', async () => {
        const socket = openWebSocket(webSocketUrl());
        await socket.next('open');
        await socket.next('message'); // handshake
        socket.send('4hello');
        assert.equal((await socket.next('message')).data, '4hello');
        socket.close();
      });

      test('sends and receives a binary packet', async () => {
        const socket = openWebSocket(webSocketUrl());
        await socket.next('message'); // handshake
        socket.send(Uint8Array.from([1, 2, 3, 4]));
        const { data } = await socket.next('message');
        assert.ok(Buffer.isBuffer(data), 'a binary frame comes back');
        assert.deepEqual([...data], [1, 2, 3, 4]);
        socket.close();
      });

      test('closes the session upon invalid packet format', async () => {
        const socket = openWebSocket(webSocketUrl());
        await socket.next('message'); // handshake
        socket.send('abc');
        await socket.next('close');
      });
    });
  });

  describe('heartbeat', () => {
    describe('HTTP long-polling', () => {
      test('sends ping/pong packets', async () => {
        const sid = await openPollingSession();
        for (let i = 0; i < 3; i++) {
          const polled = await poll(sid);
          assert.equal(polled.status, 200);
          assert.equal(await polled.text(), '2');
          assert.equal((await push(sid, '3')).status, 200);
        }
      });

      test('closes the session upon ping timeout', async () => {
        const sid = await openPollingSession();
        await sleep(PING_INTERVAL + PING_TIMEOUT);
        assert.equal((await poll(sid)).status, 400);
      });
    });

    describe('WebSocket', () => {
      test('sends ping/pong packets', async () => {
        const socket = openWebSocket(webSocketUrl());
        await socket.next('message'); // handshake
        for (let i = 0; i < 3; i++) {
          assert.equal((await socket.next('message')).data, '2');
          socket.send('3');
        }
        socket.close();
      });

      test('closes the session upon ping timeout', async () => {
        const socket = openWebSocket(webSocketUrl());
        await socket.next('close', PING_INTERVAL + PING_TIMEOUT + 2000);
      });
    });
  });

  describe('close', () => {
    describe('HTTP long-polling', () => {
      test('forcefully closes the session', async () => {
        const sid = await openPollingSession();
        const [polled] = await Promise.all([poll(sid), push(sid, '1')]);
        assert.equal(polled.status, 200);
        assert.equal(await polled.text(), '6');
        assert.equal((await poll(sid)).status, 400);
      });
    });

    describe('WebSocket', () => {
      test('forcefully closes the session', async () => {
        const socket = openWebSocket(webSocketUrl());
        await socket.next('message'); // handshake
        socket.send('1');
        await socket.next('close');
      });
    });
  });

  describe('upgrade', () => {
    test('successfully upgrades from HTTP long-polling to WebSocket', async () => {
      const sid = await openPollingSession();
      const socket = openWebSocket(webSocketUrl(sid));
      await socket.next('open');
      socket.send('2probe');
      assert.equal((await socket.next('message')).data, '3probe');
      const polled = await poll(sid);
      assert.equal(polled.status, 200);
      assert.equal(await polled.text(), '6'); // noop: ends the long-poll cleanly
      socket.send('5');
      socket.send('4hello');
      assert.equal((await socket.next('message')).data, '4hello');
      socket.close();
    });

    test('ignores HTTP requests with same sid after upgrade', async () => {
      const sid = await openPollingSession();
      const socket = openWebSocket(webSocketUrl(sid));
      await socket.next('open');
      socket.send('2probe');
      await socket.next('message'); // 3probe
      socket.send('5');
      assert.equal((await poll(sid)).status, 400);
      socket.send('4hello');
      assert.equal((await socket.next('message')).data, '4hello');
      socket.close();
    });

    test('ignores WebSocket connection with same sid after upgrade', async () => {
      const sid = await openPollingSession();
      const socket = openWebSocket(webSocketUrl(sid));
      await socket.next('open');
      socket.send('2probe');
      await socket.next('message'); // 3probe
      socket.send('5');
      await openWebSocket(webSocketUrl(sid)).next('close');
      socket.send('4hello');
      assert.equal((await socket.next('message')).data, '4hello');
      socket.close();
    });
  });
});

// Beyond the official suite.
describe('Engine.IO protocol, further cases', () => {
  test('errors carry the protocol code and message as JSON', async () => {
    const unknown = await poll('no-such-sid');
    assert.equal(unknown.status, 400);
    assert.deepEqual(await unknown.json(), { code: 1, message: 'Session ID unknown' });
    const transport = await fetch(`${base}/engine.io/?EIO=4&transport=carrier-pigeon`);
    assert.deepEqual(await transport.json(), { code: 0, message: 'Transport unknown' });
    const method = await fetch(pollingUrl(), { method: 'POST', body: '4x' });
    assert.deepEqual(await method.json(), { code: 2, message: 'Bad handshake method' });
    const version = await fetch(`${base}/engine.io/?EIO=3&transport=polling`);
    assert.deepEqual(await version.json(), { code: 5, message: 'Unsupported protocol version' });
    // transport=websocket without an upgrade
    const notUpgraded = await fetch(`${base}/engine.io/?EIO=4&transport=websocket`);
    assert.deepEqual(await notUpgraded.json(), { code: 3, message: 'Bad request' });
  });

  test('answers 404 outside the Engine.IO path', async () => {
    assert.equal((await fetch(`${base}/socket.io/?EIO=4&transport=polling`)).status, 404);
  });

  test('answers 413 to a POST over maxPayload and closes the session', async () => {
    const sid = await openPollingSession();
    const pushed = await push(sid, '4' + 'a'.repeat(MAX_PAYLOAD));
    assert.equal(pushed.status, 413);
    assert.equal((await poll(sid)).status, 400);
  });

  test('accepts a POST of exactly maxPayload bytes', async () => {
    const sid = await openPollingSession();
    const message = '4' + 'a'.repeat(MAX_PAYLOAD - 1);
    assert.equal((await push(sid, message)).status, 200);
    assert.equal(await (await poll(sid)).text(), message);
  });

  test('answers a CORS preflight from an allowed origin', async () => {
    const response = await fetch(pollingUrl(), {
      method: 'OPTIONS',
      headers: {
        Origin: ALLOWED_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, x-custom',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
    assert.equal(response.headers.get('access-control-allow-headers'), 'content-type, x-custom');
  });

  test('refuses a CORS preflight from another origin', async () => {
    const response = await fetch(pollingUrl(), {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  test('puts CORS headers on the answers for an allowed origin only', async () => {
    const allowed = await fetch(pollingUrl(), { headers: { Origin: ALLOWED_ORIGIN } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
    const sid = JSON.parse((await allowed.text()).substring(1)).sid;
    const pushed = await fetch(pollingUrl(sid), { method: 'POST', body: '4x', headers: { Origin: ALLOWED_ORIGIN } });
    assert.equal(pushed.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    const polled = await fetch(pollingUrl(sid), { headers: { Origin: ALLOWED_ORIGIN } });
    assert.equal(polled.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.equal(await polled.text(), '4x');
    const other = await fetch(pollingUrl(), { headers: { Origin: 'http://evil.example' } });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('carries binary over polling as "b" + base64 both ways', async () => {
    const sid = await openPollingSession();
    const bytes = Buffer.from([0, 255, 1, 254, 0x1e, 10]);
    assert.equal((await push(sid, 'b' + bytes.toString('base64'))).status, 200);
    const polled = await poll(sid);
    assert.equal(polled.headers.get('content-type'), 'text/plain; charset=UTF-8');
    const content = await polled.text();
    assert.ok(content.startsWith('b'), content);
    assert.deepEqual([...Buffer.from(content.substring(1), 'base64')], [...bytes]);
  });

  test('closes the session upon invalid base64 in a binary packet', async () => {
    const sid = await openPollingSession();
    assert.equal((await push(sid, '4ok\x1eb$$$')).status, 400);
    assert.equal((await poll(sid)).status, 400);
  });

  test('closes the session upon a payload with a trailing separator', async () => {
    const sid = await openPollingSession();
    assert.equal((await push(sid, '4ok\x1e')).status, 400);
    assert.equal((await poll(sid)).status, 400);
  });

  test('sends what was queued during the upgrade over the WebSocket', async () => {
    const sid = await openPollingSession();
    const socket = openWebSocket(webSocketUrl(sid));
    await socket.next('open');
    socket.send('2probe');
    assert.equal((await socket.next('message')).data, '3probe');
    // A message the server answers while the upgrade is under way waits for the WebSocket.
    assert.equal((await push(sid, '4queued')).status, 200);
    assert.equal(await (await poll(sid)).text(), '6');
    socket.send('5');
    assert.equal(await nextNonPing(socket), '4queued');
    socket.close();
  });

  test('closes the probe WebSocket upon upgrade timeout and keeps the session on polling', async () => {
    const sid = await openPollingSession();
    const polling = keepPolling(sid);
    const started = Date.now();
    const socket = openWebSocket(webSocketUrl(sid));
    await socket.next('open');
    await socket.next('close', UPGRADE_TIMEOUT + 3000); // no probe, no upgrade: the server gives up
    assert.ok(Date.now() - started >= UPGRADE_TIMEOUT - 50, 'not before the upgrade timeout');
    assert.equal((await push(sid, '4still here')).status, 200);
    for (let i = 0; i < 50 && !polling.received.includes('4still here'); i++) await sleep(20);
    assert.deepEqual(polling.received, ['4still here']);
    polling.stop();
    assert.equal((await push(sid, '1')).status, 200);
    assert.equal(await polling.done, 200);
  });

  test('refuses a WebSocket for an unknown sid', async () => {
    const socket = openWebSocket(webSocketUrl('no-such-sid'));
    const messages = [];
    socket.on('message', (data) => messages.push(data.toString()));
    await socket.next('close');
    assert.deepEqual(messages, []);
  });
});
