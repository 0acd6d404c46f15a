// Cross-node latency benchmark driver: what Redis adds to a bill update's publish -> receive time.
//   single:  N subscribers on a node without Redis, updates published on that same node.
//   cluster: N subscribers on node B, updates published on node A (A and B share one redis-server).
// Both scenarios run in the same process, on the same clock (performance.now()), in alternating
// rounds (single, cluster, cluster, single, ...) so that a drift of the machine's load hits both alike.
// Updates go out at a steady rate (one every --interval-ms after the previous answered, never a burst),
// so the figures are latency, not queueing. Latency = receive time at a subscriber - the time just
// before the HTTP POST; p50/p90/p99/max are over all (subscriber, update) pairs. Also checks that
// every subscriber got every update exactly once and in offset order; exits 1 if not.
// Prints one JSON line per scenario, one for the added latency (cluster - single), and human lines.
// Usage: node cluster-latency.mjs --single http://127.0.0.1:P1 --a http://127.0.0.1:P2 --b http://127.0.0.1:P3
//        [--subscribers 100] [--publishes 500] [--interval-ms 5] [--rounds 4] [--warmup 20]
//        [--bill 1] [--secret S] [--api-key K] [--timeout-ms 300000]
// Loopback only; every loop is bounded by counts and a deadline, so it always stops by itself.
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, index, all) => (index % 2 ? pairs : [...pairs, [all[index].replace(/^--/, ''), all[index + 1]]]), []));
const singleUrl = args.single;
const aUrl = args.a;
const bUrl = args.b;
const subscribers = Number(args.subscribers ?? 100);
const publishes = Number(args.publishes ?? 500);
const intervalMs = Number(args['interval-ms'] ?? 5);
const rounds = Math.max(1, Math.min(publishes, Number(args.rounds ?? 4)));
const warmup = Number(args.warmup ?? 20);
const billId = Number(args.bill ?? 1);
const secret = args.secret ?? 'bench-secret';
const apiKey = args['api-key'] ?? 'bench-api-key';
const deadline = Date.now() + Number(args['timeout-ms'] ?? 300_000);
for (const url of [singleUrl, aUrl, bUrl]) {
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$/.test(url ?? '')) {
    throw new Error('--single, --a and --b must all be loopback URLs http://127.0.0.1:PORT');
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const timeLeft = () => Date.now() < deadline;

function token(sub) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600 });
  return `${head}.${body}.${crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}

async function getJson(base, path) {
  const response = await fetch(`${base}${path}`, { headers: { 'X-API-Key': apiKey } });
  return response.json();
}

// Waits until a clustered node reports its broker connected to Redis.
async function waitClusterConnected(base) {
  while (timeLeft()) {
    const metrics = await getJson(base, '/api/metrics').catch(() => null);
    if (metrics?.cluster?.enabled && metrics.cluster.connected) return;
    await sleep(50);
  }
  throw new Error(`${base} never reported cluster.connected`);
}

// One scenario: where the subscribers are, where the updates are published, and what they received.
function makeScenario(name, publishUrl, subscribeUrl, clustered) {
  return {
    name, publishUrl, subscribeUrl, clustered,
    sockets: [],
    sendAt: new Float64Array(publishes).fill(NaN),
    // latency of (subscriber s, update i) at s * publishes + i; NaN = not received
    latency: new Float64Array(subscribers * publishes).fill(NaN),
    warmupSeen: new Uint32Array(subscribers * warmup),
    received: 0, duplicates: 0, outOfOrder: 0, unexpected: 0, warmupReceived: 0,
    lastOffset: new Float64Array(subscribers).fill(0),
    subscribedOffset: new Float64Array(subscribers).fill(NaN),
    publishErrors: 0, notShared: 0, published: 0, publishMs: 0,
    httpMs: [],
  };
}

function onUpdate(scenario, index, text, now) {
  const message = JSON.parse(text);
  const { data, offset } = message;
  if (!(offset > scenario.lastOffset[index])) scenario.outOfOrder++;
  scenario.lastOffset[index] = Math.max(scenario.lastOffset[index], offset);
  if (data?.warmup === true && Number.isInteger(data.seq) && data.seq >= 0 && data.seq < warmup) {
    const slot = index * warmup + data.seq;
    if (scenario.warmupSeen[slot]++) scenario.duplicates++;
    else scenario.warmupReceived++;
    return;
  }
  if (!Number.isInteger(data?.seq) || data.seq < 0 || data.seq >= publishes || data.run !== runId) {
    scenario.unexpected++;
    return;
  }
  const slot = index * publishes + data.seq;
  if (!Number.isNaN(scenario.latency[slot])) {
    scenario.duplicates++;
    return;
  }
  scenario.latency[slot] = now - scenario.sendAt[data.seq];
  scenario.received++;
}

function open(scenario, index) {
  return new Promise((resolve, reject) => {
    const url = `${scenario.subscribeUrl.replace('http', 'ws')}/ws?token=${token(`lat-${scenario.name}-${index}`)}`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error(`${scenario.name}: subscriber ${index} not subscribed in 30 s`)), 30_000);
    ws.on('error', (error) => { clearTimeout(timer); reject(error); });
    ws.on('message', (raw) => {
      const now = performance.now();
      const text = raw.toString();
      if (text.includes('"bill_update"')) {
        onUpdate(scenario, index, text, now);
      } else if (text.includes('"subscribed"')) {
        const offsets = JSON.parse(text).data?.offsets ?? {};
        scenario.subscribedOffset[index] = Number(offsets[String(billId)] ?? 0);
        scenario.lastOffset[index] = scenario.subscribedOffset[index];
        clearTimeout(timer);
        resolve(ws);
      } else if (text.includes('"connected"')) {
        ws.send(JSON.stringify({ type: 'subscribe', data: { bill_id: billId } }));
      }
    });
    scenario.sockets.push(ws);
  });
}

async function openAll(scenario) {
  for (let first = 0; first < subscribers; first += 250) {
    const batch = [];
    for (let index = first; index < Math.min(subscribers, first + 250); index++) batch.push(open(scenario, index));
    await Promise.all(batch);
  }
}

// One publish over HTTP; returns the answer's JSON (or null after counting an error).
async function publish(scenario, data) {
  const started = performance.now();
  const response = await fetch(`${scenario.publishUrl}/api/bills/${billId}/updates`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(data),
  }).catch(() => null);
  const answer = response ? await response.json().catch(() => null) : null;
  if (!response || response.status !== 200 || !answer) {
    scenario.publishErrors++;
    return null;
  }
  // A clustered node answers cluster:true when Redis took the update; false = delivered on A only.
  if (scenario.clustered && answer.cluster !== true) scenario.notShared++;
  scenario.httpMs.push(performance.now() - started);
  return answer;
}

// Waits until `expected` updates were received, or nothing new arrived for 5 s (something is missing).
async function waitReceived(scenario, expected, isWarmup) {
  const count = () => (isWarmup ? scenario.warmupReceived : scenario.received);
  let seen = count();
  let progressAt = Date.now();
  while (count() < expected && timeLeft() && Date.now() - progressAt < 5000) {
    await sleep(5);
    if (count() !== seen) { seen = count(); progressAt = Date.now(); }
  }
}

// Updates [from, to) at a steady rate: the next one goes out intervalMs after the previous one was
// sent (or at once if the previous answer took longer), then waits for every subscriber to get them.
async function publishBlock(scenario, from, to) {
  const blockStart = performance.now();
  let nextAt = blockStart;
  for (let seq = from; seq < to && timeLeft(); seq++) {
    const wait = nextAt - performance.now();
    if (wait > 0) await sleep(wait);
    scenario.sendAt[seq] = performance.now();
    nextAt = scenario.sendAt[seq] + intervalMs;
    await publish(scenario, { type: 'status_change', run: runId, seq, data: { status: 'in_committee', note: 'x'.repeat(100) } });
    scenario.published++;
  }
  scenario.publishMs += performance.now() - blockStart;
  await waitReceived(scenario, subscribers * to, false);
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)];
}
const round3 = (value) => (value === null ? null : Number(value.toFixed(3)));

function summarise(scenario) {
  const all = scenario.latency.filter((value) => !Number.isNaN(value)).sort();
  // Per update, the first and the last subscriber to get it: the first is the path's own latency,
  // the spread up to the last is what fanning out to N clients (and the driver receiving them) adds.
  const first = [];
  const last = [];
  for (let seq = 0; seq < publishes; seq++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let index = 0; index < subscribers; index++) {
      const value = scenario.latency[index * publishes + seq];
      if (!Number.isNaN(value)) { lo = Math.min(lo, value); hi = Math.max(hi, value); }
    }
    if (lo !== Infinity) { first.push(lo); last.push(hi); }
  }
  first.sort((x, y) => x - y);
  last.sort((x, y) => x - y);
  const http = Float64Array.from(scenario.httpMs).sort();
  const expected = subscribers * publishes;
  let missing = 0;
  for (const value of scenario.latency) if (Number.isNaN(value)) missing++;
  let warmupMissing = 0;
  for (const seen of scenario.warmupSeen) if (!seen) warmupMissing++;
  const offsets = [...new Set(scenario.subscribedOffset)];
  const publishesPerSecond = Math.round(scenario.published / (scenario.publishMs / 1000));
  const lastP50 = percentile(last, 0.5);
  return {
    scenario: scenario.name,
    publishOn: scenario.publishUrl, subscribersOn: scenario.subscribeUrl,
    subscribers, publishes, intervalMs, rounds,
    publishesPerSecond, offeredDeliveriesPerSecond: publishesPerSecond * subscribers,
    // The rate fell short of one per interval (the HTTP answers were slower than intervalMs), or a
    // typical update took longer than the interval to reach its last subscriber: updates overlapped,
    // so these figures include queueing (in the service, or in this driver) and not only latency.
    saturated: publishesPerSecond < 0.9 * (1000 / Math.max(intervalMs, 0.001)) || (lastP50 ?? 0) > intervalMs,
    expected, received: scenario.received, missing, duplicates: scenario.duplicates,
    outOfOrder: scenario.outOfOrder, unexpected: scenario.unexpected,
    warmupExpected: subscribers * warmup, warmupMissing,
    publishErrors: scenario.publishErrors, notShared: scenario.notShared,
    subscribedOffsets: offsets,
    p50Ms: round3(percentile(all, 0.5)), p90Ms: round3(percentile(all, 0.9)),
    p99Ms: round3(percentile(all, 0.99)), maxMs: round3(all.length ? all[all.length - 1] : null),
    firstReceiverP50Ms: round3(percentile(first, 0.5)), firstReceiverP99Ms: round3(percentile(first, 0.99)),
    lastReceiverP50Ms: round3(percentile(last, 0.5)), lastReceiverP99Ms: round3(percentile(last, 0.99)),
    httpAnswerP50Ms: round3(percentile(http, 0.5)), httpAnswerP99Ms: round3(percentile(http, 0.99)),
  };
}

const runId = crypto.randomUUID();
const single = makeScenario('single', singleUrl, singleUrl, false);
const cluster = makeScenario('cluster', aUrl, bUrl, true);

await waitClusterConnected(aUrl);
await waitClusterConnected(bUrl);
for (const scenario of [single, cluster]) await openAll(scenario);
await sleep(300);

// Warm-up, not measured but checked: HTTP keep-alive, the Redis script, B learning the bill, the JIT.
for (const scenario of [single, cluster]) {
  for (let seq = 0; seq < warmup && timeLeft(); seq++) {
    await publish(scenario, { type: 'status_change', warmup: true, seq });
    await sleep(intervalMs);
  }
  await waitReceived(scenario, subscribers * warmup, true);
  scenario.publishErrors = 0;
  scenario.notShared = 0;
  scenario.httpMs = [];
}

// Measured rounds; the order alternates so neither scenario always runs first.
for (let round = 0; round < rounds && timeLeft(); round++) {
  const from = Math.floor((publishes * round) / rounds);
  const to = Math.floor((publishes * (round + 1)) / rounds);
  const order = round % 2 ? [cluster, single] : [single, cluster];
  for (const scenario of order) {
    await publishBlock(scenario, from, to);
    await sleep(100);
  }
}
await sleep(300); // late duplicates would show up here

const results = [single, cluster].map(summarise);
for (const result of results) console.log(JSON.stringify(result));
const [s, c] = results;
const diff = (key) => (s[key] === null || c[key] === null ? null : round3(c[key] - s[key]));
const ratio = (key) => (s[key] && c[key] ? Number((c[key] / s[key]).toFixed(2)) : null);
const added = {
  scenario: 'added', subscribers, publishes, intervalMs,
  addedP50Ms: diff('p50Ms'), addedP99Ms: diff('p99Ms'),
  addedFirstReceiverP50Ms: diff('firstReceiverP50Ms'), addedHttpAnswerP50Ms: diff('httpAnswerP50Ms'),
  ratioP50: ratio('p50Ms'), ratioP99: ratio('p99Ms'),
};
console.log(JSON.stringify(added));
for (const r of results) {
  console.log(`${r.scenario.padEnd(7)} ${subscribers} subscribers x ${publishes} updates at ${r.publishesPerSecond}/s: ` +
    `p50 ${r.p50Ms} ms, p90 ${r.p90Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms ` +
    `(first receiver p50 ${r.firstReceiverP50Ms} ms, HTTP answer p50 ${r.httpAnswerP50Ms} ms); ` +
    `received ${r.received}/${r.expected}, missing ${r.missing}, duplicates ${r.duplicates}, out of order ${r.outOfOrder}`);
}
const signed = (value) => (value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${value}`);
console.log(`added by Redis (cluster - single): p50 ${signed(added.addedP50Ms)} ms, p99 ${signed(added.addedP99Ms)} ms, ` +
  `first receiver p50 ${signed(added.addedFirstReceiverP50Ms)} ms (ratio p50 ${added.ratioP50}, p99 ${added.ratioP99})`);
for (const r of results.filter((result) => result.saturated)) {
  console.log(`warning: ${r.scenario} was saturated (${r.publishesPerSecond} updates/s of ${Math.round(1000 / intervalMs)} wanted, ` +
    `last receiver p50 ${r.lastReceiverP50Ms} ms vs an interval of ${intervalMs} ms): its figures include queueing; ` +
    'use a longer --interval-ms (run-cluster-latency.sh third argument)');
}

for (const scenario of [single, cluster]) for (const ws of scenario.sockets) ws.terminate();
const ok = results.every((r) => r.missing === 0 && r.duplicates === 0 && r.outOfOrder === 0 && r.unexpected === 0 &&
  r.warmupMissing === 0 && r.publishErrors === 0 && r.notShared === 0);
if (!ok) console.error('FAILED: not every subscriber got every update exactly once, in order (see the counts above)');
process.exit(ok ? 0 : 1);
