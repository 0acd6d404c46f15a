// The Socket.IO peer of the benchmarks: the npm `socket.io` server doing wsinfra's job the idiomatic
// way (auth token checked in a middleware, one room per bill, `io.to(room).emit` per publish, which
// encodes the packet once), with the same HTTP publish API as the other peer.
// Usage: node peer-socketio-server.mjs PORT
import { Server } from 'socket.io';
import { createServer, listen, verifyToken } from './common.mjs';

let io = null;
const server = createServer((billId, frame) => {
  const room = `bill:${billId}`;
  const delivered = io.sockets.adapter.rooms.get(room)?.size ?? 0;
  io.to(room).emit('bill_update', frame);
  return delivered;
}, () => io.engine.clientsCount);

io = new Server(server, { perMessageDeflate: false, serveClient: false });
io.use((socket, next) => {
  const claims = verifyToken(socket.handshake.auth?.token);
  if (!claims) return next(new Error('invalid token'));
  socket.data.userId = claims.sub;
  next();
});
io.on('connection', (socket) => {
  socket.emit('connected', { type: 'connected', data: { connection_id: socket.id, user_id: socket.data.userId } });
  socket.on('subscribe', (data, ack) => {
    const ids = data?.bill_ids ?? [data?.bill_id];
    for (const billId of ids) socket.join(`bill:${billId}`);
    if (typeof ack === 'function') ack({ type: 'subscribed', data: { bill_ids: ids } });
  });
});

listen(server, Number(process.argv[2] ?? 0));
