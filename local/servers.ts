import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The emulators ship without type declarations; these are the parts of their APIs used here. They are
// loaded with require rather than declared as ambient modules so they cannot clash with other
// declarations of the same packages. The local pipeline and the tests both start emulators through here.
type LevelServerFactory = (options: Record<string, unknown>) => Server;
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
export const kinesalite = require('kinesalite') as LevelServerFactory;
export const dynalite = require('dynalite') as LevelServerFactory;
export const S3rver = require('s3rver') as S3rverClass;
const s3rverAccounts = require('s3rver/lib/models/account') as {
  registry: Map<string, unknown>;
  DUMMY_ACCOUNT: unknown;
};

// s3rver refuses access keys it does not know before it looks at anything else (it never checks SigV4
// signatures). Functions and tests sign with dummy keys, or with real keys when a real service is
// configured, so every key is taken as s3rver's one account.
if (!('anyKey' in s3rverAccounts.registry)) {
  const known = s3rverAccounts.registry.get.bind(s3rverAccounts.registry);
  Object.assign(s3rverAccounts.registry, {
    anyKey: true,
    get: (accessKeyId: string) => known(accessKeyId) ?? s3rverAccounts.DUMMY_ACCOUNT,
  });
}

/** Listens on a free port of 127.0.0.1: an IP endpoint, so the S3 client uses path-style by itself. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

/** Keep-alive sockets of the SDK would hold close() open until they time out. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
