import { createRequire } from 'node:module';

/**
 * Node 20 lacks Promise.withResolvers (Node 22 has it), and libp2p 3 calls it. Imported first by every hub entry.
 */
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}
const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T>(): Resolvers<T> {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/**
 * Node 20 has no global WebSocket (Node 22 has), and @libp2p/websockets dials with the global one. The hub only
 * listens, but the CLI and tests dial: give them the `ws` package's (the same one @libp2p/websockets serves with).
 */
const g = globalThis as { WebSocket?: unknown };
if (typeof g.WebSocket === 'undefined') {
  const require = createRequire(import.meta.url);
  g.WebSocket = (require('ws') as { WebSocket: unknown }).WebSocket;
}
