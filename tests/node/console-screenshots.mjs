// Screenshots of every console page, as a new operator first sees them: starts the real wsinfra-service
// with a control token, puts synthetic load on it (native and Socket.IO clients following bills with a
// Zipf-like popularity, churning, bill updates, notifications, a broadcast), runs wsinfra-console under
// Xvfb with --screenshots, and leaves PNGs in docs/screenshots/. Run through tests/console/screenshots.sh (it lives here, beside the pinned npm clients).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import { token, SECRET, API_KEY, api } from './support.mjs';

const [serviceBinary, consoleBinary, outputDir, language = 'en'] = process.argv.slice(2);
const CONTROL_TOKEN = 'screenshots-control-token';
const BILLS = Array.from({ length: 24 }, (_, i) => 4100 + i);
const CLIENTS = 150;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// A bill by popularity: the first ones are followed by many, the tail by few.
const popularBill = () => BILLS[Math.min(BILLS.length - 1, Math.floor(BILLS.length * Math.random() ** 2.2))];

function startService() {
  const child = spawn(serviceBinary, ['--port', '0', '--bind', '127.0.0.1', '--control-port', '0',
    '--control-interval', '500ms', '--memory-check-interval', '1s', '--memory-limit', '44MB'], {
    env: { ...process.env, JWT_SECRET: SECRET, WSINFRA_API_KEY: API_KEY, WSINFRA_CONTROL_TOKEN: CONTROL_TOKEN },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const ports = {};
    lines.on('line', (line) => {
      const listening = /^listening on [\d.]+:(\d+)$/.exec(line);
      const control = /^control on [\d.]+:(\d+)$/.exec(line);
      if (listening) ports.http = Number(listening[1]);
      if (control) ports.control = Number(control[1]);
      if (ports.http && ports.control) resolve({ child, ...ports });
    });
    child.once('exit', (code) => reject(new Error(`wsinfra-service exited with ${code}`)));
  });
}

function openNative(port, user) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token(user)}`);
  socket.on('open', () => {
    const follows = 1 + Math.floor(Math.random() * 4);
    for (let i = 0; i < follows; ++i) socket.send(JSON.stringify({ type: 'subscribe', data: { bill_id: popularBill() } }));
  });
  socket.on('error', () => {});
  return { close: () => socket.terminate() };
}

function openSocketIo(port, user) {
  const socket = io(`http://127.0.0.1:${port}`, { auth: { token: token(user) }, transports: ['websocket'] });
  socket.on('connect', () => socket.emit('message', { type: 'subscribe', data: { bill_id: popularBill() } }));
  return { close: () => socket.disconnect() };
}

const service = await startService();
const clients = [];
let nextUser = 1;
const openClient = () => {
  const user = `citizen-${String(nextUser++).padStart(4, '0')}`;
  clients.push(Math.random() < 0.25 ? openSocketIo(service.http, user) : openNative(service.http, user));
};
for (let i = 0; i < CLIENTS; ++i) {
  openClient();
  if (i % 25 === 24) await sleep(100);
}

const statuses = ['introduced', 'in_committee', 'passed_first_reading', 'passed_second_reading', 'amended', 'enacted'];
let running = true;
const load = (async () => {
  for (let tick = 0; running; ++tick) {
    const bill = popularBill();
    await api(service.http, `/api/bills/${bill}/updates`, {
      status: statuses[tick % statuses.length], title: `Bill ${bill}`, changed_at: new Date().toISOString(),
    });
    if (tick % 10 === 0) {
      await api(service.http, `/api/users/citizen-${String(1 + (tick % CLIENTS)).padStart(4, '0')}/notifications`,
        { title: 'A bill you follow changed', body: `Bill ${bill} is now ${statuses[tick % statuses.length]}` });
    }
    if (tick === 40) await api(service.http, '/api/broadcast', { message: 'Scheduled maintenance at 22:00 UTC' });
    if (tick % 5 === 0 && clients.length > 0) {
      clients.splice(Math.floor(Math.random() * clients.length), 1)[0].close();
      openClient();
    }
    await sleep(100);
  }
})();

const settings = mkdtempSync(path.join(tmpdir(), 'wsinfra-console-settings-'));
const consoleRun = spawn('xvfb-run', ['-a', '-s', '-screen 0 1400x900x24', consoleBinary,
  '--host', '127.0.0.1', '--port', String(service.control), '--lang', language,
  '--screenshots', outputDir, '--screenshot-delay', process.env.SCREENSHOT_DELAY ?? '100'], {
  env: { ...process.env, WSINFRA_CONTROL_TOKEN: CONTROL_TOKEN, XDG_CONFIG_HOME: settings, QT_QPA_PLATFORM: 'xcb' },
  stdio: 'inherit',
});
const code = await new Promise((resolve) => consoleRun.once('exit', (exitCode) => resolve(exitCode)));
running = false;
await load;
for (const client of clients) client.close();
service.child.kill('SIGTERM');
rmSync(settings, { recursive: true, force: true });
if (code !== 0) {
  console.error(`wsinfra-console exited with ${code}`);
  process.exit(1);
}
console.log(`screenshots in ${outputDir}`);
process.exit(0);
