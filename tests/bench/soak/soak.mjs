#!/usr/bin/env node
// Soak test: a long run of wsinfra-service under churning clients, a steady publisher and a Redis
// restart in the middle. It starts its own redis-server and one or two service nodes, then checks
// what a long-lived deployment relies on:
//   - deliveries: a client following a bill (through reconnects with `since`, or Socket.IO recovery)
//     sees every update the publisher got a 2xx for, exactly once and in order;
//   - memory: RSS after warm-up vs at the end of the load;
//   - file descriptors: back to the baseline once every client has gone.
// Prints a JSON report (stdout, and --json FILE) and a short summary (stderr); exits 1 when a check
// fails, 2 when the run itself could not be set up.
//
//   WSINFRA_SERVICE_BINARY=build/release/service/wsinfra-service node tests/bench/soak/soak.mjs \
//       [--duration 120] [--nodes 2] [--clients 60] [--bills 16] [--rate 32] [--json report.json]
//
// Options (all optional): --binary PATH, --duration S, --nodes 1|2, --clients N, --bills N,
// --bills-per-client N, --rate PUBLISHES_PER_S, --sample S, --warmup S, --stay-min S, --stay-max S,
// --redis-restart empty|keep|none, --redis-down S, --history-size N, --rss-growth FRACTION,
// --rss-slack-mb MB, --fd-slack N, --sanitized, --json FILE, --keep-logs.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// The npm clients are the pinned ones of tests/node (package-lock.json), wherever this file runs from.
const require = createRequire(new URL('../../node/package.json', import.meta.url));
const WebSocket = require('ws');
const { io } = require('socket.io-client');

const SECRET = 'soak-secret';
const API_KEY = 'soak-api-key';

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  const o = {
    binary: process.env.WSINFRA_SERVICE_BINARY ?? '',
    duration: 120, nodes: 2, clients: 60, bills: 16, billsPerClient: 3, rate: 32, sample: 5,
    warmup: null, stayMin: 2, stayMax: 12, redisRestart: 'empty', redisDown: 5, historySize: 64,
    rssGrowth: null, rssSlackMb: null, fdSlack: 3, sanitized: false, json: '', keepLogs: false,
  };
  const numeric = new Set(['duration', 'nodes', 'clients', 'bills', 'billsPerClient', 'rate', 'sample', 'warmup',
    'stayMin', 'stayMax', 'redisDown', 'historySize', 'rssGrowth', 'rssSlackMb', 'fdSlack']);
  for (let i = 0; i < argv.length; ++i) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in o)) throw new Error(`unknown option ${argv[i]}`);
    if (typeof o[key] === 'boolean') { o[key] = true; continue; }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${argv[i - 1]} needs a value`);
    o[key] = numeric.has(key) ? Number(value) : value;
    if (numeric.has(key) && !Number.isFinite(o[key])) throw new Error(`${argv[i - 1]}: not a number: ${value}`);
  }
  if (!o.binary) throw new Error('give the service binary with --binary or WSINFRA_SERVICE_BINARY');
  if (![1, 2].includes(o.nodes)) throw new Error('--nodes must be 1 or 2');
  if (!['empty', 'keep', 'none'].includes(o.redisRestart)) throw new Error('--redis-restart: empty, keep or none');
  if (o.billsPerClient > o.bills) throw new Error('--bills-per-client must not exceed --bills');
  // Warm-up: long enough for the bounded caches (history of --history-size per bill, Socket.IO
  // recovery sessions kept 30 s, latency samples) to fill, so that what grows after it is suspect.
  o.warmup ??= Math.min(600, Math.max(45, 0.25 * o.duration));
  return o;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();
const random = (min, max) => min + Math.random() * (max - min);
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

function token(sub, lifetimeSeconds = 24 * 3600) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ sub, exp: Math.floor(Date.now() / 1000) + lifetimeSeconds });
  const signature = crypto.createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

// One HTTP request to the API. `agent` false: a fresh connection closed after the answer, so that
// the sampler holds no descriptor of the service between samples.
function request(port, method, urlPath, body, agent = false, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent, timeout: timeoutMs,
      headers: { 'X-API-Key': API_KEY, ...(payload ? { 'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(payload) } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(Buffer.concat(chunks).toString()); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, json });
      });
      res.on('error', (error) => resolve({ status: 0, error: error.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, error: error.message }));
    req.end(payload);
  });
}

// ---------------------------------------------------------------------------------------------
// Processes: redis-server and the service nodes

class Redis {
  constructor(dir, port, mode) {
    this.dir = dir;
    this.port = port;
    this.mode = mode;
    this.child = null;
  }

  async start() {
    // `keep`: an append-only file in the same directory, so the restarted Redis has the offsets and
    // streams; `empty` (and `none`): no persistence, Redis comes back with nothing.
    const persistence = this.mode === 'keep' ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--save', '', ...persistence, '--logfile', path.join(this.dir, 'redis.log')], { stdio: 'ignore' });
    const child = this.child;
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      return canConnect(this.port);
    }, 10000, 'redis-server to listen');
  }

  async stop(signal = 'SIGTERM') {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

class ServiceNode {
  constructor(name, binary, logDir, args, env) {
    this.name = name;
    this.binary = binary;
    this.logPath = path.join(logDir, `${name}.log`);
    this.args = args;
    this.env = env;
  }

  async start() {
    const log = fs.createWriteStream(this.logPath);
    this.child = spawn(this.binary, ['--port', '0', '--bind', '127.0.0.1', ...this.args], {
      env: { ...process.env, JWT_SECRET: SECRET, WSINFRA_API_KEY: API_KEY, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr.pipe(log);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    const lines = createInterface({ input: this.child.stdout });
    this.port = await new Promise((resolve, reject) => {
      lines.once('line', (line) => {
        const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
        match ? resolve(Number(match[1])) : reject(new Error(`${this.name}: unexpected first line: ${line}`));
      });
      this.child.once('exit', (code) => reject(new Error(`${this.name} exited with ${code}; see ${this.logPath}`)));
    });
    lines.on('line', (line) => log.write(`${line}\n`));
    this.pid = this.child.pid;
    const maps = fs.readFileSync(`/proc/${this.pid}/maps`, 'utf8');
    this.sanitized = /libasan/.test(maps);
  }

  rssBytes() {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : NaN;
    } catch { return NaN; }
  }

  fdCount() {
    try { return fs.readdirSync(`/proc/${this.pid}/fd`).length; } catch { return NaN; }
  }

  async connections() {
    const answer = await request(this.port, 'GET', '/api/stats');
    return answer.json?.activeConnections ?? NaN;
  }

  async clusterConnected() {
    const answer = await request(this.port, 'GET', '/api/metrics');
    return answer.json?.cluster?.connected === true;
  }

  // For a node that stopped answering: every thread's stack into the log directory, when gdb is there.
  dumpStacks() {
    const file = `${this.logPath}.stacks-${Date.now()}`;
    const gdb = spawnSync('gdb', ['-p', String(this.pid), '-batch', '-ex', 'thread apply all bt 20'],
      { encoding: 'utf8', timeout: 60000 });
    if (gdb.error) return;
    fs.writeFileSync(file, gdb.stdout ?? '');
    process.stderr.write(`${this.name}: stacks in ${file}\n`);
  }

  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Accounting

// What the publisher got back, per bill and offset: the message id of the update that went to the
// whole cluster (`replicated`), and the ids of updates that stayed on one node (`"cluster": false`,
// Redis down), which nobody on another node may expect.
class Ledger {
  constructor() {
    this.bills = new Map(); // bill -> Map(offset -> {replicated, local: []})
  }

  record(bill, offset, messageId, replicated) {
    let offsets = this.bills.get(bill);
    if (!offsets) this.bills.set(bill, (offsets = new Map()));
    let entry = offsets.get(offset);
    if (!entry) offsets.set(offset, (entry = { replicated: null, local: [] }));
    if (replicated) {
      if (entry.replicated !== null && entry.replicated !== messageId) return false; // offset handed out twice
      entry.replicated = messageId;
    } else {
      entry.local.push(messageId);
    }
    return true;
  }

  get(bill, offset) { return this.bills.get(bill)?.get(offset); }

  // Sorted replicated offsets per bill, for counting what a follow had to receive.
  freeze() {
    this.replicatedSorted = new Map();
    for (const [bill, offsets] of this.bills) {
      const list = [...offsets].filter(([, e]) => e.replicated !== null).map(([o]) => o).sort((a, b) => a - b);
      this.replicatedSorted.set(bill, list);
    }
  }

  replicatedIn(bill, low, high) { // count of replicated offsets o with low < o <= high
    const list = this.replicatedSorted.get(bill) ?? [];
    const upper = (x) => { let lo = 0, hi = list.length; while (lo < hi) { const m = (lo + hi) >> 1; if (list[m] <= x) lo = m + 1; else hi = m; } return lo; };
    return Math.max(0, upper(high) - upper(low));
  }

  maxReplicated(bill) {
    const list = this.replicatedSorted?.get(bill);
    return list?.length ? list[list.length - 1] : 0;
  }
}

// One client's continuous following of one bill, across its reconnects. `last` is the last offset
// processed, as the client guide tells clients to keep it.
class Follow {
  constructor(bill) {
    this.bill = bill;
    this.start = null;           // offset at the first `subscribed`: updates above it are owed
    this.last = null;
    this.pending = [];           // updates that came before the first `subscribed` reply (Socket.IO)
    this.gaps = new Set();       // offsets skipped so far (filled if they arrive late: out of order)
    this.unrecoverable = new Set();
    this.recent = new Map();     // offset -> message id, checked against the ledger, then dropped
    this.seen = new Map();       // the latest 256 offsets processed -> message id, to tell repeats apart
    this.reused = 0;
    this.duplicateSamples = [];
    this.received = 0;
    this.duplicated = 0;
    this.outOfOrder = 0;
    this.rewinds = 0;
    this.unrecoverableErrors = 0;
  }

  subscribed(current) {
    if (this.last !== null) return;
    this.start = this.last = current;
    const pending = this.pending;
    this.pending = [];
    for (const [offset, id] of pending) if (offset > current) this.update(offset, id);
  }

  update(offset, messageId) {
    if (this.last === null) { this.pending.push([offset, messageId]); return; }
    if (offset > this.last) {
      // A jump larger than the history can be only a defect; do not allocate millions of gaps for it.
      for (let o = this.last + 1; o < offset && o < this.last + 100000; ++o) this.gaps.add(o);
      this.last = offset;
      this.received++;
      this.recent.set(offset, messageId);
    } else if (this.gaps.delete(offset)) {
      this.outOfOrder++;
      this.received++;
      this.recent.set(offset, messageId);
    } else if (this.seen.has(offset) && this.seen.get(offset) !== messageId) {
      // Another message at an offset already processed: only while Redis is down, when two nodes
      // number a bill each on its own. Reported apart; a replicated message missed this way is lost.
      this.reused++;
      if (this.duplicateSamples.length < 5) this.duplicateSamples.push({ kind: 'reused', offset, messageId, at: Date.now() });
    } else {
      this.duplicated++;
      if (this.duplicateSamples.length < 5) this.duplicateSamples.push({ kind: 'duplicate', offset, messageId, at: Date.now() });
    }
    this.seen.set(offset, messageId);
    if (this.seen.size > 256) this.seen.delete(this.seen.keys().next().value);
  }

  unrecoverablePosition(current) {
    this.unrecoverableErrors++;
    if (this.last === null) { this.subscribed(current); return; }
    for (const gap of this.gaps) if (gap <= current) { this.gaps.delete(gap); this.unrecoverable.add(gap); }
    if (current > this.last) {
      for (let o = this.last + 1; o <= current; ++o) this.unrecoverable.add(o);
      this.last = current;
    } else if (current < this.last) {
      // The stream went back (a `since` above the current offset): offsets above `current` may come
      // again, as other updates. Counted and reported; what was owed up to `last` stays owed.
      this.rewinds++;
      this.last = current;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Clients

class Stats {
  constructor() {
    Object.assign(this, {
      connects: 0, connectFailures: 0, subscribeFailures: 0, cleanDisconnects: 0, resets: 0, retires: 0,
      crossNodeReconnects: 0, sioRecovered: 0, sioNotRecovered: 0, serverCloses: {}, errors: {},
    });
  }

  count(group, key) { this[group][key] = (this[group][key] ?? 0) + 1; }
}

// The behaviour both kinds share: an identity, a few bills followed, a churn loop.
class ClientBase {
  constructor(run, index) {
    this.run = run;
    this.index = index;
    this.newIdentity();
  }

  newIdentity() {
    for (const follow of this.follows?.values() ?? []) follow.seen.clear(); // finished: keep the counts only
    this.generation = (this.generation ?? -1) + 1;
    this.user = `soak-${this.index}-${this.generation}`;
    const bills = new Set();
    while (bills.size < this.run.options.billsPerClient) bills.add(1 + Math.floor(Math.random() * this.run.options.bills));
    this.follows = new Map([...bills].map((bill) => [bill, new Follow(bill)]));
    this.run.follows.push(...this.follows.values());
  }

  subscribeData() {
    const since = {};
    for (const follow of this.follows.values()) if (follow.last !== null) since[String(follow.bill)] = follow.last;
    return { bill_ids: [...this.follows.keys()], ...(Object.keys(since).length ? { since } : {}) };
  }

  handle(message) {
    switch (message?.type) {
    case 'bill_update':
      this.follows.get(message.bill_id)?.update(message.offset, message.message_id);
      break;
    case 'batch':
      for (const inner of message.messages ?? []) this.handle(inner);
      break;
    case 'subscribed':
      for (const [bill, offset] of Object.entries(message.data?.offsets ?? {})) this.follows.get(Number(bill))?.subscribed(offset);
      this.subscribedAt = now();
      break;
    case 'error':
      if (message.code === 'unrecoverable_position') this.follows.get(message.bill_id)?.unrecoverablePosition(message.offset);
      else this.run.stats.count('errors', message.code ?? 'unknown');
      break;
    default:
      break;
    }
  }

  get synced() { return this.isConnected() && [...this.follows.values()].every((f) => f.last !== null); }

  // Connect, stay, leave (cleanly, abruptly, or for good with a new identity), come back; until the
  // run stops the churn. Then stay connected for the final check.
  async churn() {
    const { options } = this.run;
    await sleep(random(0, 2000));
    while (!this.run.stopChurn) {
      if (!this.isConnected() && !(await this.connect(pick(this.run.nodes)))) { await sleep(random(200, 1000)); continue; }
      await this.run.sleepUnlessStopped(random(options.stayMin, options.stayMax) * 1000);
      if (this.run.stopChurn) break;
      const roll = Math.random();
      if (roll < 0.35) { this.run.stats.cleanDisconnects++; await this.leaveCleanly(); }
      else if (roll < 0.8) { this.run.stats.resets++; if (await this.reset()) continue; }
      else { this.run.stats.retires++; await this.leaveCleanly(); this.newIdentity(); }
      await sleep(random(0, 1000));
    }
    // Whatever state the loop stopped in: be connected and subscribed for the final check.
    for (let attempt = 0; !this.synced && attempt < 20; ++attempt) {
      if (!this.isConnected() && !(await this.connect(pick(this.run.nodes)))) await sleep(500);
      else if (!this.synced) await sleep(250);
    }
  }
}

class NativeClient extends ClientBase {
  get kind() { return 'native'; }

  isConnected() { return this.ws?.readyState === WebSocket.OPEN && this.subscribedAt !== null; }

  connect(node) {
    if (this.ws) { this.ws.leaving = true; this.ws.terminate(); }
    return new Promise((resolve) => {
      this.subscribedAt = null;
      const ws = new WebSocket(`ws://127.0.0.1:${node.port}/ws?token=${token(this.user)}`);
      this.ws = ws;
      ws.leaving = false;
      let settled = false;
      const settle = (ok) => { if (!settled) { settled = true; clearTimeout(timer); resolve(ok); } };
      const timer = setTimeout(() => { this.run.stats.subscribeFailures++; ws.terminate(); settle(false); }, 10000);
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString());
        if (message.type === 'connected') {
          ws.send(JSON.stringify({ type: 'subscribe', id: 'soak', data: this.subscribeData() }));
          return;
        }
        this.handle(message);
        if (message.type === 'subscribed') { this.run.stats.connects++; settle(true); }
      });
      ws.on('error', () => {});
      ws.on('unexpected-response', () => { this.run.stats.connectFailures++; ws.terminate(); settle(false); });
      ws.on('close', (code) => {
        if (!ws.leaving) this.run.stats.count('serverCloses', `native ${code}`);
        if (!settled) this.run.stats.connectFailures++;
        settle(false);
      });
    });
  }

  async leaveCleanly() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.leaving = true;
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close(1000);
    await Promise.race([closed, sleep(5000)]);
    ws.terminate();
  }

  // A TCP reset without a close frame; the client comes back on its own, to any node, with `since`.
  async reset() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.leaving = true;
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws._socket.resetAndDestroy();
    await Promise.race([closed, sleep(5000)]);
    return false;
  }
}

class SocketIoClient extends ClientBase {
  constructor(run, index) {
    super(run, index);
    // Half of them start on long-polling and upgrade, as socket.io-client does by default.
    this.transports = index % 4 === 1 ? ['polling', 'websocket'] : ['websocket'];
  }

  get kind() { return 'socket.io'; }

  isConnected() { return this.socket?.connected === true && this.subscribedAt !== null; }

  connect(node) {
    if (this.socket) { this.socket.leaving = true; this.socket.disconnect(); }
    this.subscribedAt = null;
    const socket = io(`http://127.0.0.1:${node.port}`, {
      auth: { token: token(this.user) }, transports: this.transports, forceNew: true,
      reconnectionDelay: random(100, 1000), reconnectionDelayMax: 2000, randomizationFactor: 0.5,
      timeout: 10000,
    });
    this.socket = socket;
    socket.leaving = false;
    socket.on('bill_update', (message) => this.handle(message));
    socket.on('batch', (message) => this.handle(message));
    socket.on('error', (message) => {
      if (message?.code === 'connection_closed') this.run.stats.count('serverCloses', `socket.io ${message.close_code}`);
      else this.handle({ ...message, type: 'error' });
    });
    socket.on('disconnect', (reason) => {
      if (!socket.leaving && !socket.resetting) this.run.stats.count('serverCloses', `socket.io ${reason}`);
      socket.resetting = false;
      this.subscribedAt = null;
    });
    // At every (re)connection: recovered sessions need nothing; others subscribe again with `since`.
    socket.on('connect', async () => {
      if (socket.recovered) {
        this.run.stats.sioRecovered++;
        this.subscribedAt = now();
        socket.resolveConnect?.(true);
        return;
      }
      if (socket.wasConnected) this.run.stats.sioNotRecovered++;
      socket.wasConnected = true;
      try {
        const reply = await socket.timeout(10000).emitWithAck('subscribe', this.subscribeData());
        this.handle(reply);
        if (reply?.type !== 'subscribed') throw new Error(JSON.stringify(reply));
        this.run.stats.connects++;
        socket.resolveConnect?.(true);
      } catch {
        this.run.stats.subscribeFailures++;
        socket.resolveConnect?.(false);
      }
    });
    socket.on('connect_error', (error) => {
      this.run.stats.count('errors', `connect_error ${error.data?.code ?? error.message}`);
      if (!socket.active) socket.resolveConnect?.(false);
    });
    return this.awaitConnect(socket, 15000);
  }

  awaitConnect(socket, timeoutMs) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.run.stats.connectFailures++; socket.resolveConnect?.(false); }, timeoutMs);
      socket.resolveConnect = (ok) => {
        clearTimeout(timer);
        socket.resolveConnect = null;
        if (!ok) { socket.leaving = true; socket.disconnect(); }
        resolve(ok);
      };
    });
  }

  async leaveCleanly() {
    const socket = this.socket;
    if (!socket) return;
    socket.leaving = true;
    socket.disconnect();
  }

  // The transport drops (a TCP reset on WebSocket, the engine closed on polling); the library
  // reconnects by itself, half of the time to the other node, and recovers the session there.
  async reset() {
    const socket = this.socket;
    if (!socket?.connected) return false;
    if (this.run.nodes.length > 1 && Math.random() < 0.5) {
      socket.io.uri = `http://127.0.0.1:${pick(this.run.nodes.filter((n) => !socket.io.uri.endsWith(`:${n.port}`))).port}`;
      this.run.stats.crossNodeReconnects++;
    }
    this.subscribedAt = null;
    const transport = socket.io.engine?.transport;
    const back = this.awaitConnect(socket, 20000);
    socket.resetting = true; // counted as a reset, not as a server close
    if (transport?.name === 'websocket' && transport.ws?._socket) transport.ws._socket.resetAndDestroy();
    else socket.io.engine.close();
    return back;
  }
}

// ---------------------------------------------------------------------------------------------
// The run

class Soak {
  constructor(options) {
    this.options = options;
    this.ledger = new Ledger();
    this.follows = [];
    this.stats = new Stats();
    this.samples = [];
    this.events = [];
    this.publishes = { attempted: 0, acknowledged: 0, replicated: 0, localOnly: 0, refused: {}, errors: 0,
      skipped: 0, offsetConflicts: 0, duringOutage: { acknowledged: 0, localOnly: 0, refused: 0, errors: 0 } };
    this.stopChurn = false;
    this.stopWaiters = new Set();
    this.redisUp = true;
    this.phase = 'setup';
  }

  event(what, extra = {}) {
    const entry = { t: this.elapsed(), what, ...extra };
    this.events.push(entry);
    process.stderr.write(`[soak ${entry.t.toFixed(1)}s] ${what}${Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : ''}\n`);
  }

  elapsed() { return this.t0 === undefined ? 0 : (now() - this.t0) / 1000; }

  sleepUnlessStopped(ms) {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); this.stopWaiters.delete(done); resolve(); };
      const timer = setTimeout(done, ms);
      this.stopWaiters.add(done);
    });
  }

  async setUp() {
    const o = this.options;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsinfra-soak-'));
    this.redis = new Redis(this.dir, await freePort(), o.redisRestart);
    await this.redis.start();
    const args = ['--redis-url', `redis://127.0.0.1:${this.redis.port}`, '--redis-timeout', '500ms',
      '--history-size', String(o.historySize), '--socketio-recovery-duration', '30s', '--dedupe-window', '30s'];
    // The allocator of ASan keeps freed memory in quarantine and returns pages lazily: RSS would
    // measure ASan, not the service. Without ASan the variable is ignored.
    const asan = process.env.ASAN_OPTIONS ?? '';
    const env = { ASAN_OPTIONS: `${asan}${asan ? ':' : ''}quarantine_size_mb=0:allocator_release_to_os_interval_ms=10` };
    this.nodes = [];
    for (let i = 0; i < o.nodes; ++i) {
      const node = new ServiceNode(`node${String.fromCharCode(65 + i)}`, o.binary, this.dir, args, env);
      await node.start();
      this.nodes.push(node);
    }
    await waitUntil(async () => (await Promise.all(this.nodes.map((n) => n.clusterConnected()))).every(Boolean),
      15000, 'the nodes to reach Redis');
    this.sanitized = o.sanitized || this.nodes.some((n) => n.sanitized);
    // RSS growth allowed after warm-up, the larger of a fraction and an absolute slack: the bounded
    // caches are full by then, so what remains is allocator noise (measured: under 0.5 MB in 2 min,
    // also under ASan with its quarantine off). 4 MB catches a leak of ~10 KB per connection or
    // ~200 B per delivery within the CI run; ASan's allocator (redzones, per-size free lists) gets twice that.
    o.rssGrowth ??= this.sanitized ? 0.10 : 0.05;
    o.rssSlackMb ??= this.sanitized ? 8 : 4;
  }

  async sample() {
    const nodes = await Promise.all(this.nodes.map(async (n) => ({
      rss: n.rssBytes(), fds: n.fdCount(), connections: await n.connections(),
    })));
    const clients = this.clients?.filter((c) => c.isConnected()).length ?? 0;
    const entry = { t: Number(this.elapsed().toFixed(1)), phase: this.phase, redisUp: this.redisUp, clients, nodes };
    this.samples.push(entry);
    this.checkRecent();
    return entry;
  }

  // Compares what clients received with what the publisher was told, for offsets answered at least a
  // few seconds ago, so that the memory of the check stays bounded over an hour.
  checkRecent(final = false) {
    for (const follow of this.follows) {
      for (const [offset, id] of follow.recent) {
        const entry = this.ledger.get(follow.bill, offset);
        if (entry?.replicated != null) {
          if (entry.replicated !== id && !entry.local.includes(id)) follow.wrongMessage = (follow.wrongMessage ?? 0) + 1;
          else if (entry.replicated !== id) follow.replacedByLocal = (follow.replacedByLocal ?? 0) + 1; // lost too
          follow.recent.delete(offset);
        } else if (entry || final || offset < follow.last - 1000) {
          follow.recent.delete(offset);
        }
      }
    }
  }

  async publisher() {
    const o = this.options;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    this.publisherAgent = agent;
    const interval = 1000 / o.rate;
    const started = now();
    const inFlight = new Set();
    for (let i = 0; !this.stopPublishing; ++i) {
      const due = started + i * interval;
      if (due > now()) await sleep(due - now());
      if (inFlight.size >= 64) { this.publishes.skipped++; continue; } // the service is stuck: keep the pace, say so
      const bill = 1 + (i % o.bills);
      const node = this.nodes[i % this.nodes.length];
      const outage = !this.redisUp || this.redisRecovering;
      this.publishes.attempted++;
      const promise = request(node.port, 'POST', `/api/bills/${bill}/updates`,
        { type: 'soak', seq: i, data: { at: Date.now() } }, agent).then((answer) => {
        inFlight.delete(promise);
        if (answer.status >= 200 && answer.status < 300 && Number.isInteger(answer.json?.offset)) {
          // `"cluster": false` (Redis down) reached this node's clients only; with a single node that
          // is every client, so it is owed to all of them.
          const local = answer.json.cluster === false;
          const replicated = !local || this.nodes.length === 1;
          this.publishes.acknowledged++;
          if (local) this.publishes.localOnly++;
          else this.publishes.replicated++;
          if (outage) { this.publishes.duringOutage.acknowledged++; if (local) this.publishes.duringOutage.localOnly++; }
          if (replicated && this.redisUpAt !== undefined && this.firstReplicatedAfterRestart === undefined && this.redisUp)
            this.firstReplicatedAfterRestart = this.elapsed() - this.redisUpAt;
          if (!this.ledger.record(bill, answer.json.offset, answer.json.message_id, replicated)) this.publishes.offsetConflicts++;
        } else if (answer.status === 0) {
          this.publishes.errors++;
          if (outage) this.publishes.duringOutage.errors++;
        } else {
          const key = `${answer.status} ${answer.json?.code ?? ''}`.trim();
          this.publishes.refused[key] = (this.publishes.refused[key] ?? 0) + 1;
          if (outage) this.publishes.duringOutage.refused++;
        }
      });
      inFlight.add(promise);
    }
    await Promise.all(inFlight);
  }

  async restartRedis() {
    const o = this.options;
    this.event('stopping redis-server', { mode: o.redisRestart });
    this.redisUp = false;
    this.redisRecovering = true;
    const downAt = this.elapsed();
    await this.redis.stop('SIGTERM');
    await waitUntil(async () => !(await Promise.all(this.nodes.map((n) => n.clusterConnected()))).some(Boolean),
      10000, 'the nodes to notice Redis is gone').catch((error) => this.event(error.message));
    this.redisDetectedDownAfter = this.elapsed() - downAt;
    await sleep(o.redisDown * 1000);
    await this.redis.start();
    this.redisUpAt = this.elapsed();
    this.redisUp = true;
    this.event('redis-server started again');
    let reconnected = null;
    try {
      await waitUntil(async () => (await Promise.all(this.nodes.map((n) => n.clusterConnected()))).every(Boolean),
        30000, 'the nodes to reconnect to Redis');
      reconnected = this.elapsed() - this.redisUpAt;
    } catch (error) {
      const answers = await Promise.all(this.nodes.map((n) => request(n.port, 'GET', '/api/metrics')));
      this.event(error.message, { answers: answers.map((a) => a.json?.cluster ?? a.error ?? a.status) });
      for (const node of this.nodes) node.dumpStacks();
    }
    this.redisRecovering = false;
    this.redisRestart = { mode: o.redisRestart, stoppedAt: Number(downAt.toFixed(1)),
      detectedDownAfterS: Number(this.redisDetectedDownAfter.toFixed(2)),
      downS: Number((this.redisUpAt - downAt).toFixed(2)),
      nodesReconnectedAfterS: reconnected === null ? null : Number(reconnected.toFixed(2)) };
    this.event('nodes back on Redis', this.redisRestart);
  }

  async run() {
    const o = this.options;
    await this.setUp();
    this.t0 = now();
    this.phase = 'baseline';
    await sleep(1000);
    const baseline = await this.sample();
    this.baselineFds = baseline.nodes.map((n) => n.fds);
    this.event('baseline', { fds: this.baselineFds, rssMB: baseline.nodes.map((n) => +(n.rss / 2 ** 20).toFixed(1)), sanitized: this.sanitized });

    this.phase = 'load';
    this.loadStartedAt = this.elapsed();
    this.clients = Array.from({ length: o.clients }, (_, i) => (i % 2 ? new SocketIoClient(this, i) : new NativeClient(this, i)));
    const publishing = this.publisher();
    const churning = Promise.all(this.clients.map((c) => c.churn().catch((error) => this.event(`client ${c.index}: ${error.stack}`))));
    const sampler = setInterval(() => this.sample().catch(() => {}), o.sample * 1000);
    let restarting = Promise.resolve();
    const restartAt = this.loadStartedAt + o.duration / 2;
    const endAt = this.loadStartedAt + o.duration;
    let restarted = o.redisRestart === 'none';
    while (this.elapsed() < endAt) {
      if (!restarted && this.elapsed() >= restartAt) { restarted = true; restarting = this.restartRedis(); }
      await sleep(250);
    }
    await restarting;
    this.loadSamples = this.samples.filter((s) => s.phase === 'load');

    // Stop churning; every client reconnects and subscribes; the publisher stops; every follow must
    // then reach the last offset the publisher was given for its bill.
    this.phase = 'drain';
    this.stopChurn = true;
    for (const wake of [...this.stopWaiters]) wake();
    await churning;
    this.stopPublishing = true;
    await publishing;
    this.ledger.freeze();
    this.event('publisher stopped; waiting for clients to catch up', { acknowledged: this.publishes.acknowledged });
    const caughtUp = () => this.clients.every((c) => [...c.follows.values()].every((f) => f.last !== null && f.last >= this.ledger.maxReplicated(f.bill)));
    await waitUntil(caughtUp, 20000, 'clients to receive the last updates').catch((error) => this.event(error.message));
    await sleep(500);
    this.checkRecent(true);
    for (const client of this.clients) {
      for (const follow of client.follows.values()) {
        const owed = this.ledger.maxReplicated(follow.bill);
        if (follow.last === null) { follow.neverSubscribed = true; continue; }
        for (let offset = follow.last + 1; offset <= owed; ++offset) follow.gaps.add(offset);
        if (owed > follow.last) follow.last = owed;
      }
    }

    // Every client leaves (half with a close frame, half with a reset), then the descriptors must
    // come back to the baseline.
    this.phase = 'closed';
    for (const [i, client] of this.clients.entries()) {
      if (client.kind === 'native') {
        if (i % 4 === 0) client.ws?._socket?.resetAndDestroy(); else client.ws?.close(1000);
        if (client.ws) client.ws.leaving = true;
      } else {
        if (client.socket) client.socket.leaving = true;
        client.socket?.disconnect();
      }
    }
    this.publisherAgent.destroy();
    clearInterval(sampler);
    const fdsBack = () => this.nodes.every((n, i) => n.fdCount() <= this.baselineFds[i] + o.fdSlack);
    await waitUntil(async () => (await Promise.all(this.nodes.map((n) => n.connections()))).every((c) => c === 0),
      20000, 'the service to count no connection').catch((error) => this.event(error.message));
    await waitUntil(fdsBack, 20000, 'descriptors back to the baseline').catch((error) => this.event(error.message));
    this.endSample = await this.sample();
    this.exits = [];
    for (const node of this.nodes) this.exits.push(await node.stop());
    await this.redis.stop('SIGKILL');
    return this.report();
  }

  report() {
    const o = this.options;
    // Deliveries.
    const d = { expected: 0, received: 0, lost: 0, duplicated: 0, outOfOrder: 0, unrecoverable: 0,
      unrecoverableErrors: 0, rewinds: 0, offsetReused: 0, wrongMessage: 0, replacedByLocal: 0, localOnlyMissed: 0, unacknowledgedGaps: 0,
      follows: this.follows.length, neverSubscribed: 0, totalReceived: 0 };
    const lostSamples = [];
    const duplicateSamples = [];
    for (const follow of this.follows) {
      if (follow.start === null) { d.neverSubscribed++; continue; }
      const owed = this.ledger.replicatedIn(follow.bill, follow.start, follow.last);
      let lost = 0, unrecoverable = 0;
      for (const gap of follow.gaps) {
        const entry = this.ledger.get(follow.bill, gap);
        if (entry?.replicated != null) { lost++; if (lostSamples.length < 20) lostSamples.push({ bill: follow.bill, offset: gap }); }
        else if (entry) d.localOnlyMissed++;
        else d.unacknowledgedGaps++;
      }
      for (const offset of follow.unrecoverable) if (this.ledger.get(follow.bill, offset)?.replicated != null) unrecoverable++;
      d.expected += owed;
      const wrong = (follow.wrongMessage ?? 0) + (follow.replacedByLocal ?? 0);
      d.received += owed - lost - unrecoverable - wrong;
      d.lost += lost + wrong;
      d.wrongMessage += follow.wrongMessage ?? 0;
      d.replacedByLocal += follow.replacedByLocal ?? 0;
      d.unrecoverable += unrecoverable;
      d.duplicated += follow.duplicated;
      d.offsetReused += follow.reused;
      for (const sample of follow.duplicateSamples)
        if (duplicateSamples.length < 20) duplicateSamples.push({ bill: follow.bill, start: follow.start, ...sample });
      d.outOfOrder += follow.outOfOrder;
      d.unrecoverableErrors += follow.unrecoverableErrors;
      d.rewinds += follow.rewinds;
      d.totalReceived += follow.received;
    }
    d.lostSamples = lostSamples;
    d.duplicateSamples = duplicateSamples;

    // Memory and descriptors, per node.
    const load = this.loadSamples;
    const warmEnd = this.loadStartedAt + o.warmup;
    const nodes = this.nodes.map((node, i) => {
      const warm = load.filter((s) => s.t >= warmEnd).slice(0, 3).map((s) => s.nodes[i].rss);
      const end = load.slice(-3).map((s) => s.nodes[i].rss);
      const rssWarm = median(warm), rssEnd = median(end);
      const limit = Math.max(rssWarm * o.rssGrowth, o.rssSlackMb * 2 ** 20);
      const post = load.filter((s) => s.t >= warmEnd);
      const fit = linearFit(post.map((s) => s.t), post.map((s) => s.nodes[i].rss));
      return {
        name: node.name,
        rssBaselineMB: mb(this.samples[0].nodes[i].rss), rssStartMB: mb(load[0]?.nodes[i].rss), rssWarmMB: mb(rssWarm), rssEndMB: mb(rssEnd),
        rssRatio: Number((rssEnd / rssWarm).toFixed(3)), rssGrowthMB: mb(rssEnd - rssWarm), rssLimitMB: mb(limit),
        rssSlopeMBPerHour: mb(fit.slope * 3600), rssOk: rssEnd - rssWarm <= limit,
        rssPeakMB: mb(Math.max(...load.map((s) => s.nodes[i].rss))),
        fdsBaseline: this.baselineFds[i], fdsEnd: this.endSample.nodes[i].fds,
        fdsPeak: Math.max(...load.map((s) => s.nodes[i].fds)),
        fdsOk: this.endSample.nodes[i].fds <= this.baselineFds[i] + o.fdSlack,
        connectionsPeak: Math.max(...load.map((s) => s.nodes[i].connections || 0)),
        connectionsEnd: this.endSample.nodes[i].connections,
        exit: this.exits[i],
      };
    });

    const checks = [
      { name: 'no delivery lost', ok: d.lost === 0, detail: `${d.lost} lost of ${d.expected} expected` },
      { name: 'no duplicate', ok: d.duplicated === 0, detail: `${d.duplicated}` },
      { name: 'in order', ok: d.outOfOrder === 0, detail: `${d.outOfOrder} out of order` },
      { name: 'every follow subscribed', ok: d.neverSubscribed === 0, detail: `${d.neverSubscribed} never subscribed` },
      { name: 'publishes answered', ok: this.publishes.acknowledged > 0 && this.publishes.skipped === 0,
        detail: `${this.publishes.acknowledged} acknowledged, ${this.publishes.skipped} skipped (backlog)` },
      ...nodes.map((n) => ({ name: `${n.name} RSS flat after warm-up`, ok: n.rssOk,
        detail: `${n.rssWarmMB} -> ${n.rssEndMB} MB (growth ${n.rssGrowthMB} MB, limit ${n.rssLimitMB} MB)` })),
      ...nodes.map((n) => ({ name: `${n.name} fds back to baseline`, ok: n.fdsOk,
        detail: `${n.fdsBaseline} -> ${n.fdsEnd} (slack ${o.fdSlack})` })),
      ...nodes.map((n) => ({ name: `${n.name} exits 0`, ok: n.exit.code === 0, detail: JSON.stringify(n.exit) })),
    ];
    if (o.redisRestart !== 'none')
      checks.push({ name: 'nodes reconnect to Redis', ok: this.redisRestart?.nodesReconnectedAfterS != null,
        detail: JSON.stringify(this.redisRestart) });
    return {
      ok: checks.every((c) => c.ok),
      options: { ...o, binary: path.resolve(o.binary) }, sanitized: this.sanitized,
      durationS: Number(this.elapsed().toFixed(1)), checks, deliveries: d, publishes: this.publishes,
      clients: this.stats, redisRestart: this.redisRestart ?? null,
      firstReplicatedPublishAfterRestartS: this.firstReplicatedAfterRestart ?? null,
      nodes, events: this.events, samples: this.samples, logs: this.dir,
    };
  }
}

function mb(bytes) { return Number((bytes / 2 ** 20).toFixed(1)); }

function linearFit(xs, ys) {
  const n = xs.length;
  if (n < 2) return { slope: 0 };
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; ++i) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; }
  return { slope: sxx ? sxy / sxx : 0 };
}

function summary(r) {
  const d = r.deliveries, p = r.publishes;
  const lines = [
    `soak: ${r.ok ? 'PASS' : 'FAIL'} in ${r.durationS} s, ${r.options.nodes} node(s)${r.sanitized ? ' (sanitized build)' : ''}, ` +
      `${r.options.clients} clients, ${r.options.rate} publishes/s over ${r.options.bills} bills`,
    `deliveries: expected ${d.expected}, received ${d.received}, lost ${d.lost}, duplicated ${d.duplicated}, ` +
      `out of order ${d.outOfOrder}, unrecoverable ${d.unrecoverable} (${d.unrecoverableErrors} errors), ` +
      `local-only not seen ${d.localOnlyMissed}, unacknowledged gaps ${d.unacknowledgedGaps}, rewinds ${d.rewinds}, offsets reused ${d.offsetReused}, ` +
      `wrong message at an offset ${d.wrongMessage}, replicated update replaced by a local one ${d.replacedByLocal}`,
    `publishes: ${p.attempted} sent, ${p.acknowledged} 2xx (${p.localOnly} "cluster": false), refused ${JSON.stringify(p.refused)}, ` +
      `errors ${p.errors}, during the outage ${JSON.stringify(p.duringOutage)}, offset conflicts ${p.offsetConflicts}`,
    `clients: ${r.clients.connects} subscribed connections, ${r.clients.cleanDisconnects} clean leaves, ${r.clients.resets} resets, ` +
      `${r.clients.retires} retired, Socket.IO recovered ${r.clients.sioRecovered} / not ${r.clients.sioNotRecovered}, ` +
      `connect failures ${r.clients.connectFailures}, server closes ${JSON.stringify(r.clients.serverCloses)}`,
    r.redisRestart ? `redis restart (${r.redisRestart.mode}): down ${r.redisRestart.downS} s, nodes back ${r.redisRestart.nodesReconnectedAfterS} s ` +
      `after it, first replicated publish ${r.firstReplicatedPublishAfterRestartS?.toFixed(2)} s after it` : 'redis restart: none',
    ...r.nodes.map((n) => `${n.name}: RSS baseline ${n.rssBaselineMB} MB, start ${n.rssStartMB} MB, after warm-up ${n.rssWarmMB} MB, end ${n.rssEndMB} MB ` +
      `(ratio ${n.rssRatio}, slope ${n.rssSlopeMBPerHour} MB/h, peak ${n.rssPeakMB}); fds ${n.fdsBaseline} -> ${n.fdsEnd} ` +
      `(peak ${n.fdsPeak}); connections peak ${n.connectionsPeak}`),
    ...r.checks.filter((c) => !c.ok).map((c) => `FAILED: ${c.name}: ${c.detail}`),
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

let soak;
try {
  const options = parseOptions(process.argv.slice(2));
  soak = new Soak(options);
  // A service that stops answering must fail the run, not hang it (ctest's timeout would lose the logs).
  const watchdogS = options.duration + 150;
  setTimeout(() => {
    process.stderr.write(`soak: still running after ${watchdogS} s, in phase ${soak.phase}: giving up\n`);
    for (const node of soak.nodes ?? []) node.dumpStacks();
    for (const node of soak.nodes ?? []) node.child?.kill('SIGKILL');
    soak.redis?.child?.kill('SIGKILL');
    process.stderr.write(`logs: ${soak.dir}\n`);
    process.exit(2);
  }, watchdogS * 1000).unref();
  const report = await soak.run();
  const text = JSON.stringify(report, null, 1);
  if (options.json) fs.writeFileSync(options.json, text);
  process.stdout.write(`${JSON.stringify({ ...report, samples: undefined, events: undefined })}\n`);
  process.stderr.write(`${summary(report)}\n`);
  if (report.ok && !options.keepLogs) fs.rmSync(soak.dir, { recursive: true, force: true });
  else process.stderr.write(`logs: ${soak.dir}\n`);
  process.exit(report.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`soak: ${error.stack ?? error}\n`);
  for (const node of soak?.nodes ?? []) node.child?.kill('SIGKILL');
  soak?.redis?.child?.kill('SIGKILL');
  if (soak?.dir) process.stderr.write(`logs: ${soak.dir}\n`);
  process.exit(2);
}
