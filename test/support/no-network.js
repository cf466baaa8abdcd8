// Preloaded (node --require) into a CLI process to prove a command opens no network connection:
// any attempt to connect fails loudly and is reported on stderr.
const net = require('node:net');
const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function blocked(...args) {
  process.stderr.write(`NETWORK CALL ATTEMPTED: ${JSON.stringify(args[0])}\n`);
  process.exit(99);
  return original.apply(this, args);
};
