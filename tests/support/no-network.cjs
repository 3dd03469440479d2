'use strict';
/**
 * Preloaded (node --require) into a process that must not touch the network: every way out (TCP, TLS,
 * UDP, DNS) throws, and the attempt is written to stderr so a test can name it.
 */
const dgram = require('node:dgram');
const dns = require('node:dns');
const net = require('node:net');

function refuse(what) {
  return function refused() {
    const message = `network access during load: ${what}`;
    process.stderr.write(`${message}\n`);
    throw new Error(message);
  };
}

net.Socket.prototype.connect = refuse('net.Socket.connect');
dgram.Socket.prototype.send = refuse('dgram.Socket.send');
dns.lookup = refuse('dns.lookup');
dns.resolve = refuse('dns.resolve');
dns.promises.lookup = refuse('dns.promises.lookup');
