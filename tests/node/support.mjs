// What the Node tests share: starting the real wsinfra-service, signing test tokens, calling the HTTP API.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import crypto from 'node:crypto';

export const SECRET = 'node-test-secret';
export const API_KEY = 'node-test-api-key';

export function token(sub, lifetimeSeconds = 600, secret = SECRET) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ sub, exp: Math.floor(Date.now() / 1000) + lifetimeSeconds });
  const signature = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

// Starts the binary named by WSINFRA_SERVICE_BINARY and resolves once it listens. `port` 0 picks a free port.
export async function startService({ port = 0, args = [], env = {} } = {}) {
  const binary = process.env.WSINFRA_SERVICE_BINARY;
  assert.ok(binary, 'WSINFRA_SERVICE_BINARY must name the built wsinfra-service');
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', ...args], {
    env: { ...process.env, JWT_SECRET: SECRET, WSINFRA_API_KEY: API_KEY, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout });
  const listeningPort = await new Promise((resolve, reject) => {
    lines.once('line', (line) => {
      const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
      match ? resolve(Number(match[1])) : reject(new Error(`unexpected first line: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
  return {
    port: listeningPort,
    process: child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

// Calls the HTTP API with the test key: GET without a body, POST with one.
export async function api(port, path, body) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

// Resolves when `predicate()` (sync or async) is truthy; rejects after timeoutMs.
export async function waitUntil(predicate, timeoutMs = 5000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
