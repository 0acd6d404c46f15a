// The memory figure of the slow-consumer scenario: one reader stops reading while 2,500 updates of
// 16 KB (40 MB) go to it and to a fast reader. Prints the service's RSS before and after, with the
// outbound budget on (default 1 MiB) and, for comparison, effectively off (1 GiB).
// Usage: WSINFRA_SERVICE_BINARY=build/release/service/wsinfra-service node tests/bench/slow-consumer.mjs
import WebSocket from '../node/node_modules/ws/index.js';
import { readFileSync } from 'node:fs';
import { token, startService, api, waitUntil } from '../node/support.mjs';

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

async function run(budget) {
  const service = await startService({ args: ['--max-queued-bytes', budget, '--history-size', '50'] });
  const open = (user) => new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${service.port}/ws?token=${token(user)}`);
    ws.count = 0;
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      if (m.type === 'connected') ws.send(JSON.stringify({ type: 'subscribe', data: { bill_id: 1 } }));
      if (m.type === 'subscribed') resolve(ws);
      if (m.type === 'bill_update') ws.count++;
    });
  });
  const fast = await open('fast');
  const slow = await open('slow');
  slow._socket.pause();
  const before = rssKb(service.process.pid);
  const filler = 'x'.repeat(16 * 1024);
  for (let i = 0; i < 2500; i++) await api(service.port, '/api/bills/1/updates', { i, filler });
  await waitUntil(() => fast.count === 2500, 60000, 'the fast reader');
  const after = rssKb(service.process.pid);
  const stats = (await api(service.port, '/api/stats')).json;
  console.log(`budget ${budget}: RSS ${before} KB -> ${after} KB (+${after - before} KB); ` +
    `dropped ${stats.droppedMessages}, overflows ${stats.queueOverflows}`);
  slow.terminate();
  fast.close();
  await service.stop();
}

await run('1MB');
await run('1GB');
