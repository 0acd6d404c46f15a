// The conformance server in --socketio mode against every case of the official Socket.IO v5 test suite
// (socketio/socket.io-protocol, test-suite/test-suite.js, EIO=4), written anew with Node's fetch and the npm
// `ws` package, and then against the real socket.io-client. Run by ctest (node --test) against the built binary.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { io } from 'socket.io-client';

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
const CONNECT_TIMEOUT = 1000;

let server;
let serverExit;
let base;
let wsBase;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const eio = (query = '') => `${base}/socket.io/?EIO=4&transport=polling${query}`;

// A raw WebSocket whose messages queue up, so that a test awaits them one by one: text as a string, binary as a
// Buffer. `closed` resolves once the socket is closed, whoever closed it.
class RawSocket {
  constructor(query = '?EIO=4&transport=websocket') {
    this.inbox = [];
    this.waiters = [];
    this.ws = new WebSocket(`${wsBase}/socket.io/${query}`);
    this.ws.on('error', () => {});
    this.ws.on('message', (data, isBinary) => {
      const message = isBinary ? Buffer.from(data) : data.toString();
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.inbox.push(message);
    });
    this.opened = new Promise((resolve) => this.ws.once('open', resolve));
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
  }

  next(ms = 3000) {
    if (this.inbox.length > 0) return Promise.resolve(this.inbox.shift());
    return withTimeout(new Promise((resolve) => this.waiters.push(resolve)), ms, 'next message');
  }

  // The next message that is not an Engine.IO ping; pings are answered so that the session stays alive.
  async nextPacket(ms = 3000) {
    for (;;) {
      const message = await this.next(ms);
      if (message !== '2') return message;
      this.send('3');
    }
  }

  async packets(count) {
    const packets = [];
    while (packets.length < count) packets.push(await this.nextPacket());
    return packets;
  }

  send(data) {
    this.ws.send(data);
  }

  waitClosed(ms = 3000) {
    return withTimeout(this.closed, ms, 'close');
  }

  close() {
    this.ws.close();
  }
}

async function openLongPollingSession() {
  const response = await fetch(eio());
  assert.equal(response.status, 200);
  const content = await response.text();
  return JSON.parse(content.substring(1)).sid;
}

// Engine.IO handshake, CONNECT to "/", the CONNECT answer and the "auth" event.
async function openSocketIoConnection() {
  const socket = new RawSocket();
  assert.equal((await socket.next())[0], '0');
  socket.send('40');
  assert.match(await socket.nextPacket(), /^40\{"sid":"[^"]+"\}$/);
  assert.equal(await socket.nextPacket(), '42["auth",{}]');
  return socket;
}

function assertHandshake(value, upgrades) {
  assert.deepEqual(Object.keys(value).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
  assert.equal(typeof value.sid, 'string');
  assert.deepEqual(value.upgrades, upgrades);
  assert.equal(value.pingInterval, PING_INTERVAL);
  assert.equal(value.pingTimeout, PING_TIMEOUT);
  assert.equal(value.maxPayload, 1000000);
}

function assertConnectAnswer(data, prefix) {
  assert.equal(data.substring(0, prefix.length), prefix);
  const answer = JSON.parse(data.substring(prefix.length));
  assert.deepEqual(Object.keys(answer), ['sid']);
  assert.equal(typeof answer.sid, 'string');
  assert.ok(answer.sid.length > 0);
}

// A WebSocket the server must refuse or close without ever sending the Engine.IO open packet.
async function assertRefusedWebSocket(query) {
  const socket = new RawSocket(query);
  await socket.waitClosed();
  assert.deepEqual(socket.inbox, []);
}

before(async () => {
  const binary = process.env.WSINFRA_CONFORMANCE_BINARY;
  assert.ok(binary, 'WSINFRA_CONFORMANCE_BINARY must name the built wsinfra-conformance-server');
  server = spawn(binary, ['--socketio', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  serverExit = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: server.stdout });
  const address = await new Promise((resolve, reject) => {
    lines.once('line', (line) => {
      const match = /^listening on (.+):(\d+)$/.exec(line.trim());
      match ? resolve({ host: match[1], port: Number(match[2]) }) : reject(new Error(`unexpected line: ${line}`));
    });
    server.once('exit', (code) => reject(new Error(`conformance server exited with ${code}`)));
  });
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  base = `http://${host}:${address.port}`;
  wsBase = `ws://${host}:${address.port}`;
});

after(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    // A clean exit: under the sanitizers, a leak or an error would make it non-zero.
    assert.equal(await serverExit, 0);
  }
});

describe('Engine.IO protocol', () => {
  describe('handshake', () => {
    describe('HTTP long-polling', () => {
      test('should successfully open a session', async () => {
        const response = await fetch(eio());
        assert.equal(response.status, 200);
        const content = await response.text();
        assert.equal(content[0], '0');
        assertHandshake(JSON.parse(content.substring(1)), ['websocket']);
      });

      test("should fail with an invalid 'EIO' query parameter", async () => {
        assert.equal((await fetch(`${base}/socket.io/?transport=polling`)).status, 400);
        assert.equal((await fetch(`${base}/socket.io/?EIO=abc&transport=polling`)).status, 400);
      });

      test("should fail with an invalid 'transport' query parameter", async () => {
        assert.equal((await fetch(`${base}/socket.io/?EIO=4`)).status, 400);
        assert.equal((await fetch(`${base}/socket.io/?EIO=4&transport=abc`)).status, 400);
      });

      test('should fail with an invalid request method', async () => {
        assert.equal((await fetch(eio(), { method: 'POST' })).status, 400);
        assert.equal((await fetch(eio(), { method: 'PUT' })).status, 400);
      });
    });

    describe('WebSocket', () => {
      test('should successfully open a session', async () => {
        const socket = new RawSocket();
        const data = await socket.next();
        assert.equal(data[0], '0');
        assertHandshake(JSON.parse(data.substring(1)), []);
        socket.close();
      });

      test("should fail with an invalid 'EIO' query parameter", async () => {
        await assertRefusedWebSocket('?transport=websocket');
        await assertRefusedWebSocket('?EIO=abc&transport=websocket');
      });

      test("should fail with an invalid 'transport' query parameter", async () => {
        await assertRefusedWebSocket('?EIO=4');
        await assertRefusedWebSocket('?EIO=4&transport=abc');
      });
    });
  });

  describe('heartbeat', () => {
    describe('HTTP long-polling', () => {
      test('should send ping/pong packets', async () => {
        const sid = await openLongPollingSession();
        for (let i = 0; i < 3; i++) {
          const poll = await fetch(eio(`&sid=${sid}`));
          assert.equal(poll.status, 200);
          assert.equal(await poll.text(), '2');
          const push = await fetch(eio(`&sid=${sid}`), { method: 'POST', body: '3' });
          assert.equal(push.status, 200);
        }
      });

      test('should close the session upon ping timeout', async () => {
        const sid = await openLongPollingSession();
        await sleep(PING_INTERVAL + PING_TIMEOUT + 100);
        assert.equal((await fetch(eio(`&sid=${sid}`))).status, 400);
      });
    });

    describe('WebSocket', () => {
      test('should send ping/pong packets', async () => {
        const socket = new RawSocket();
        await socket.next(); // open packet
        for (let i = 0; i < 3; i++) {
          assert.equal(await socket.next(), '2');
          socket.send('3');
        }
        socket.close();
      });

      test('should close the session upon ping timeout', async () => {
        const socket = new RawSocket();
        await socket.next(); // open packet
        assert.equal(await socket.next(), '2');
        await socket.waitClosed(PING_TIMEOUT + 1000);
      });
    });
  });

  describe('close', () => {
    describe('HTTP long-polling', () => {
      test('should forcefully close the session', async () => {
        const sid = await openLongPollingSession();
        const [poll, push] = await Promise.all([
          fetch(eio(`&sid=${sid}`)),
          fetch(eio(`&sid=${sid}`), { method: 'POST', body: '1' }),
        ]);
        assert.equal(push.status, 200);
        assert.equal(poll.status, 200);
        assert.equal(await poll.text(), '6');
        assert.equal((await fetch(eio(`&sid=${sid}`))).status, 400);
      });
    });

    describe('WebSocket', () => {
      test('should forcefully close the session', async () => {
        const socket = new RawSocket();
        await socket.next(); // open packet
        socket.send('1');
        await socket.waitClosed();
      });
    });
  });

  describe('upgrade', () => {
    // Probe and upgrade; the Socket.IO CONNECT sent after "5" is answered on the WebSocket, which proves that the
    // server has taken the upgrade before the test goes on.
    async function upgrade(sid) {
      const socket = new RawSocket(`?EIO=4&transport=websocket&sid=${sid}`);
      await socket.opened;
      socket.send('2probe');
      assert.equal(await socket.next(), '3probe');
      socket.send('5');
      socket.send('40');
      assertConnectAnswer(await socket.nextPacket(), '40');
      return socket;
    }

    test('should successfully upgrade from HTTP long-polling to WebSocket', async () => {
      const sid = await openLongPollingSession();
      const socket = await upgrade(sid);
      assert.equal(await socket.nextPacket(), '42["auth",{}]');
      socket.close();
    });

    test('should ignore HTTP requests with same sid after upgrade', async () => {
      const sid = await openLongPollingSession();
      const socket = await upgrade(sid);
      assert.equal((await fetch(eio(`&sid=${sid}`))).status, 400);
      socket.close();
    });

    test('should ignore WebSocket connection with same sid after upgrade', async () => {
      const sid = await openLongPollingSession();
      const socket = await upgrade(sid);
      const second = new RawSocket(`?EIO=4&transport=websocket&sid=${sid}`);
      await second.waitClosed();
      assert.deepEqual(second.inbox, []);
      socket.close();
    });
  });
});

describe('Socket.IO protocol', () => {
  describe('connect', () => {
    test('should allow connection to the main namespace', async () => {
      const socket = new RawSocket();
      await socket.next(); // Engine.IO handshake
      socket.send('40');
      assertConnectAnswer(await socket.next(), '40');
      assert.equal(await socket.next(), '42["auth",{}]');
      socket.close();
    });

    test('should allow connection to the main namespace with a payload', async () => {
      const socket = new RawSocket();
      await socket.next();
      socket.send('40{"token":"123"}');
      assertConnectAnswer(await socket.next(), '40');
      assert.equal(await socket.next(), '42["auth",{"token":"123"}]');
      socket.close();
    });

    test('should allow connection to a custom namespace', async () => {
      const socket = new RawSocket();
      await socket.next();
      socket.send('40/custom,');
      assertConnectAnswer(await socket.next(), '40/custom,');
      assert.equal(await socket.next(), '42/custom,["auth",{}]');
      socket.close();
    });

    test('should allow connection to a custom namespace with a payload', async () => {
      const socket = new RawSocket();
      await socket.next();
      socket.send('40/custom,{"token":"abc"}');
      assertConnectAnswer(await socket.next(), '40/custom,');
      assert.equal(await socket.next(), '42/custom,["auth",{"token":"abc"}]');
      socket.close();
    });

    test('should disallow connection to an unknown namespace', async () => {
      const socket = new RawSocket();
      await socket.next();
      socket.send('40/random');
      assert.equal(await socket.next(), '44/random,{"message":"Invalid namespace"}');
      socket.close();
    });

    test('should disallow connection with an invalid handshake', async () => {
      const socket = new RawSocket();
      await socket.next();
      socket.send('4abc');
      await socket.waitClosed(PING_INTERVAL);
    });

    test('should close the connection if no handshake is received', async () => {
      // Pings are answered, so that it is the connect timeout, not the ping timeout, that closes the session.
      const started = Date.now();
      const socket = new RawSocket();
      await socket.next();
      assert.equal(await socket.nextPacket(CONNECT_TIMEOUT + 1000), '1');
      await socket.waitClosed();
      assert.ok(Date.now() - started >= CONNECT_TIMEOUT - 50, `closed after ${Date.now() - started} ms`);
    });
  });

  describe('disconnect', () => {
    test('should disconnect from the main namespace', async () => {
      const socket = await openSocketIoConnection();
      socket.send('41');
      // Nothing answers a DISCONNECT and the Engine.IO session stays: the next thing is the server's ping.
      assert.equal(await socket.next(), '2');
      socket.close();
    });

    test('should connect then disconnect from a custom namespace', async () => {
      const socket = await openSocketIoConnection();
      assert.equal(await socket.next(), '2');
      socket.send('3');
      socket.send('40/custom');
      assertConnectAnswer(await socket.nextPacket(), '40/custom,');
      assert.equal(await socket.nextPacket(), '42/custom,["auth",{}]');
      socket.send('41/custom');
      socket.send('42["message","message to main namespace"]');
      assert.equal(await socket.nextPacket(), '42["message-back","message to main namespace"]');
      socket.close();
    });
  });

  describe('message', () => {
    const placeholders = '{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}';

    test('should send a plain-text packet', async () => {
      const socket = await openSocketIoConnection();
      socket.send('42["message",1,"2",{"3":[true]}]');
      assert.equal(await socket.nextPacket(), '42["message-back",1,"2",{"3":[true]}]');
      socket.close();
    });

    test('should send a packet with binary attachments', async () => {
      const socket = await openSocketIoConnection();
      socket.send(`452-["message",${placeholders}]`);
      socket.send(Uint8Array.from([1, 2, 3]));
      socket.send(Uint8Array.from([4, 5, 6]));
      const packets = await socket.packets(3);
      assert.equal(packets[0], `452-["message-back",${placeholders}]`);
      assert.deepEqual(packets[1], Buffer.from([1, 2, 3]));
      assert.deepEqual(packets[2], Buffer.from([4, 5, 6]));
      socket.close();
    });

    test('should send a plain-text packet with an ack', async () => {
      const socket = await openSocketIoConnection();
      socket.send('42456["message-with-ack",1,"2",{"3":[false]}]');
      assert.equal(await socket.nextPacket(), '43456[1,"2",{"3":[false]}]');
      socket.close();
    });

    test('should send a packet with binary attachments and an ack', async () => {
      const socket = await openSocketIoConnection();
      socket.send(`452-789["message-with-ack",${placeholders}]`);
      socket.send(Uint8Array.from([1, 2, 3]));
      socket.send(Uint8Array.from([4, 5, 6]));
      const packets = await socket.packets(3);
      assert.equal(packets[0], `462-789[${placeholders}]`);
      assert.deepEqual(packets[1], Buffer.from([1, 2, 3]));
      assert.deepEqual(packets[2], Buffer.from([4, 5, 6]));
      socket.close();
    });

    test('should close the connection upon invalid format (unknown packet type)', async () => {
      const socket = await openSocketIoConnection();
      socket.send('4abc');
      await socket.waitClosed(PING_INTERVAL);
    });

    test('should close the connection upon invalid format (invalid payload format)', async () => {
      const socket = await openSocketIoConnection();
      socket.send('42{}');
      await socket.waitClosed(PING_INTERVAL);
    });

    test('should close the connection upon invalid format (invalid ack id)', async () => {
      const socket = await openSocketIoConnection();
      socket.send('42abc["message-with-ack",1,"2",{"3":[false]}]');
      await socket.waitClosed(PING_INTERVAL);
    });
  });
});

// The real client, as an application would use it.
describe('socket.io-client 4.8.1', () => {
  function client(nsp = '', options = {}) {
    return io(`${base}${nsp}`, { reconnection: false, forceNew: true, ...options });
  }

  function once(emitter, event, ms = 5000) {
    return withTimeout(new Promise((resolve) => emitter.once(event, (...args) => resolve(args))), ms, event);
  }

  test('connects with the default transports and upgrades to WebSocket', async () => {
    const socket = client('', { auth: { token: 'default' } });
    try {
      const [auth] = await once(socket, 'auth');
      assert.deepEqual(auth, { token: 'default' });
      assert.ok(socket.connected);
      assert.equal(typeof socket.id, 'string');
      const engine = socket.io.engine;
      if (engine.transport.name !== 'websocket') await once(engine, 'upgrade');
      assert.equal(engine.transport.name, 'websocket');
      socket.emit('message', 'after upgrade', 2);
      assert.deepEqual(await once(socket, 'message-back'), ['after upgrade', 2]);
    } finally {
      socket.close();
    }
  });

  test('stays on HTTP long-polling when upgrades are off', async () => {
    const socket = client('', { transports: ['polling'], auth: { token: 'polling' } });
    try {
      const [auth] = await once(socket, 'auth');
      assert.deepEqual(auth, { token: 'polling' });
      assert.equal(socket.io.engine.transport.name, 'polling');
      socket.emit('message', { nested: [1, 'two', null] });
      assert.deepEqual(await once(socket, 'message-back'), [{ nested: [1, 'two', null] }]);
      socket.emit('message', Buffer.from([9, 8, 7]));
      const [bytes] = await once(socket, 'message-back');
      assert.deepEqual(Buffer.from(bytes), Buffer.from([9, 8, 7]));
    } finally {
      socket.close();
    }
  });

  test('connects WebSocket-only', async () => {
    const socket = client('', { transports: ['websocket'] });
    try {
      const [auth] = await once(socket, 'auth');
      assert.deepEqual(auth, {});
      assert.equal(socket.io.engine.transport.name, 'websocket');
      socket.emit('message', 'hello', { a: true });
      assert.deepEqual(await once(socket, 'message-back'), ['hello', { a: true }]);
    } finally {
      socket.close();
    }
  });

  test('round-trips binary arguments', async () => {
    const socket = client('', { transports: ['websocket'] });
    try {
      await once(socket, 'auth');
      const first = Buffer.from([0, 1, 2, 255]);
      const nested = Buffer.alloc(70000, 7);
      socket.emit('message', first, { deep: [nested, 'text'] }, 5);
      const [backFirst, backObject, backNumber] = await once(socket, 'message-back');
      assert.deepEqual(Buffer.from(backFirst), first);
      assert.deepEqual(Buffer.from(backObject.deep[0]), nested);
      assert.equal(backObject.deep[1], 'text');
      assert.equal(backNumber, 5);
    } finally {
      socket.close();
    }
  });

  test('gets acknowledgements with emitWithAck and callbacks', async () => {
    const socket = client('', { transports: ['websocket'] });
    try {
      await once(socket, 'auth');
      assert.deepEqual(await socket.timeout(3000).emitWithAck('message-with-ack', { value: 42 }), { value: 42 });
      const bytes = await socket.timeout(3000).emitWithAck('message-with-ack', Buffer.from([1, 2, 3]));
      assert.deepEqual(Buffer.from(bytes), Buffer.from([1, 2, 3]));
      const all = await withTimeout(
        new Promise((resolve) => socket.emit('message-with-ack', 1, '2', { 3: [false] }, (...args) => resolve(args))),
        3000,
        'ack',
      );
      assert.deepEqual(all, [1, '2', { 3: [false] }]);
    } finally {
      socket.close();
    }
  });

  test('joins the /custom namespace', async () => {
    const socket = client('/custom', { auth: { token: 'abc' } });
    try {
      const [auth] = await once(socket, 'auth');
      assert.deepEqual(auth, { token: 'abc' });
      socket.emit('message', 'in custom');
      assert.deepEqual(await once(socket, 'message-back'), ['in custom']);
    } finally {
      socket.close();
    }
  });

  test('multiplexes "/" and "/custom" over one connection', async () => {
    const main = client('', { transports: ['websocket'] });
    const custom = main.io.socket('/custom');
    try {
      await Promise.all([once(main, 'auth'), once(custom, 'auth')]);
      assert.equal(main.io.engine.id, custom.io.engine.id);
      custom.emit('message', 'to custom');
      main.emit('message', 'to main');
      const [fromMain, fromCustom] = await Promise.all([once(main, 'message-back'), once(custom, 'message-back')]);
      assert.deepEqual(fromMain, ['to main']);
      assert.deepEqual(fromCustom, ['to custom']);
      custom.disconnect();
      main.emit('message', 'main still there');
      assert.deepEqual(await once(main, 'message-back'), ['main still there']);
    } finally {
      main.close();
    }
  });

  test('gets connect_error for an invalid namespace', async () => {
    const socket = client('/random', { transports: ['websocket'] });
    try {
      const [error] = await once(socket, 'connect_error');
      assert.equal(error.message, 'Invalid namespace');
      assert.equal(socket.connected, false);
    } finally {
      socket.close();
    }
  });

  test('is disconnected with a reason when the server closes on a parse error', async () => {
    const socket = client('', { transports: ['websocket'] });
    try {
      await once(socket, 'auth');
      socket.io.engine.write('2{}'); // an EVENT whose payload is not an array, as a raw Engine.IO message
      const [reason] = await once(socket, 'disconnect');
      assert.equal(reason, 'transport close');
    } finally {
      socket.close();
    }
  });
});
