// The npm clients over TLS (docs/operator-guide.md "TLS"): `ws` on wss:// and the official Socket.IO
// client over https long-polling, wss and the upgrade between them, against the real service started with
// a certificate made by the openssl command for this run. The clients trust that certificate only (no
// rejectUnauthorized: false anywhere): what a browser with a real certificate does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import https from 'node:https';
import path from 'node:path';
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import { API_KEY, token, startService, waitUntil } from './support.mjs';

let directory;
let ca;
let service;

before(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'wsinfra-tls-'));
  const certificate = path.join(directory, 'cert.pem');
  const key = path.join(directory, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', key, '-out', certificate], { stdio: 'ignore' });
  ca = readFileSync(certificate);
  service = await startService({ env: { WSINFRA_TLS_CERT: certificate, WSINFRA_TLS_KEY: key } });
});

after(async () => {
  assert.equal(await service.stop(), 0);
  rmSync(directory, { recursive: true, force: true });
});

// POST over https with the API key, trusting the test certificate.
function publish(pathname, body) {
  return new Promise((resolve, reject) => {
    const request = https.request({ host: '127.0.0.1', port: service.port, path: pathname, method: 'POST', ca,
      headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json' } }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, json: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

test('ws over wss:// subscribes and receives a bill update published over https', async () => {
  const socket = new WebSocket(`wss://127.0.0.1:${service.port}/ws?token=${token('tls-ws')}`, { ca });
  const inbox = [];
  socket.on('message', (data) => inbox.push(JSON.parse(data)));
  await waitUntil(() => inbox.some((m) => m.type === 'connected'), 5000, 'the greeting');
  socket.send(JSON.stringify({ type: 'subscribe', id: 1, data: { bill_id: 501 } }));
  await waitUntil(() => inbox.some((m) => m.type === 'subscribed'), 5000, 'the subscription');
  const published = await publish('/api/bills/501/updates', { status: 'passed' });
  assert.equal(published.status, 200);
  assert.equal(published.json.delivered, 1);
  await waitUntil(() => inbox.some((m) => m.type === 'bill_update' && m.bill_id === 501), 5000, 'the update');
  socket.close();
});

test('a client that does not trust the certificate is refused by its own TLS layer', async () => {
  const socket = new WebSocket(`wss://127.0.0.1:${service.port}/ws?token=${token('tls-untrusting')}`);
  const error = await new Promise((resolve) => socket.once('error', resolve));
  assert.match(String(error.code ?? error.message), /SELF_SIGNED|self.signed/i);
});

for (const [name, transports] of [
  ['polling upgraded to WebSocket', undefined],
  ['polling only', ['polling']],
  ['WebSocket only', ['websocket']],
]) {
  test(`socket.io-client over TLS, ${name}: receives a bill update`, async () => {
    const socket = io(`https://127.0.0.1:${service.port}`, {
      ca, auth: { token: token(`tls-sio-${name}`) }, reconnection: false, ...(transports ? { transports } : {}),
    });
    const inbox = [];
    socket.onAny((event, ...args) => inbox.push({ event, args }));
    try {
      await waitUntil(() => inbox.some((e) => e.event === 'connected'), 5000, 'the greeting');
      const bill = 600 + (transports ? transports[0].length : 0);
      socket.emit('message', { type: 'subscribe', data: { bill_id: bill } });
      await waitUntil(() => inbox.some((e) => e.event === 'subscribed'), 5000, 'the subscription');
      const published = await publish(`/api/bills/${bill}/updates`, { status: 'read' });
      assert.equal(published.json.delivered, 1);
      await waitUntil(() => inbox.some((e) => e.event === 'bill_update' && e.args[0].bill_id === bill), 5000,
        'the update');
      if (transports === undefined)
        await waitUntil(() => socket.io.engine.transport.name === 'websocket', 5000, 'the upgrade');
      else assert.equal(socket.io.engine.transport.name, transports[0]);
    } finally {
      socket.disconnect();
    }
  });
}
