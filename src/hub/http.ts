import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

export interface HubInfo {
  readonly peerId: string;
  /** The WebSocket multiaddrs, each ending in /p2p/<peerId>. */
  readonly multiaddrs: readonly string[];
  readonly confirmDelayMs: number;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface HubHttpOptions {
  /** undefined = the request has no Origin header (not from a web page). */
  readonly originAllowed: (origin: string | undefined) => boolean;
  readonly log: (line: string) => void;
  readonly limits: { readonly connectionsMax: number; readonly headersTimeoutMs: number; readonly requestTimeoutMs: number };
}

/**
 * Serves GET /api/hub and the built app from distDir (unknown paths fall back to index.html: an SPA). Requests
 * from a web origin outside the allowlist get 403. Nothing a request carries can throw out of the handler: a
 * malformed URL is a 400, anything unexpected a logged 500 (an uncaught throw here would stop the hub).
 */
export function createHubHttpServer(distDir: string, info: () => HubInfo, opts: HubHttpOptions): Server {
  const root = resolve(distDir);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    try {
      handle(req, res);
    } catch (e) {
      opts.log(`http: ${req.method} ${String(req.url).slice(0, 200)} failed: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${(e as Error).message}`);
      else res.destroy();
    }
  });
  server.maxConnections = opts.limits.connectionsMax;
  server.headersTimeout = opts.limits.headersTimeoutMs;
  server.requestTimeout = opts.limits.requestTimeoutMs;
  return server;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (!opts.originAllowed(origin)) return send(res, 403, 'text/plain; charset=utf-8', `origin ${origin} is not allowed (start the hub with --allow-origin ${origin} to allow it)`);
    if (origin !== undefined) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://hub');
    } catch {
      return send(res, 400, 'text/plain; charset=utf-8', 'malformed request URL');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    if (url.pathname === '/api/hub') return send(res, 200, 'application/json', JSON.stringify(info()));
    if (url.pathname.startsWith('/api/')) return send(res, 404, 'application/json', JSON.stringify({ error: `no such endpoint ${url.pathname}` }));
    if (!existsSync(join(root, 'index.html')))
      return send(res, 503, 'text/plain; charset=utf-8', `The app is not built: ${root}/index.html is missing. Run \`npm run build\` (or \`npm start\`, which builds first).\nThe hub API is up: GET /api/hub.`);
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'text/plain; charset=utf-8', `malformed percent-encoding in the path ${url.pathname.slice(0, 200)}`);
    }
    if (decoded.includes('\0')) return send(res, 400, 'text/plain; charset=utf-8', 'NUL in the path');
    let path = normalize(join(root, decoded));
    if (!path.startsWith(root + sep) && path !== root) return send(res, 403, 'text/plain', 'forbidden');
    if (!existsSync(path) || statSync(path).isDirectory()) path = join(root, 'index.html');
    const body = readFileSync(path);
    res.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      // Cross-origin isolation lets the app use SharedArrayBuffer / precise timers in workers.
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': path.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache' });
  res.end(body);
}
