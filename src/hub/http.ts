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

/** Serves GET /api/hub and the built app from distDir (unknown paths fall back to index.html: an SPA). */
export function createHubHttpServer(distDir: string, info: () => HubInfo): Server {
  const root = resolve(distDir);
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    if (url.pathname === '/api/hub') return send(res, 200, 'application/json', JSON.stringify(info()));
    if (url.pathname.startsWith('/api/')) return send(res, 404, 'application/json', JSON.stringify({ error: `no such endpoint ${url.pathname}` }));
    if (!existsSync(join(root, 'index.html')))
      return send(res, 503, 'text/plain; charset=utf-8', `The app is not built: ${root}/index.html is missing. Run \`npm run build\` (or \`npm start\`, which builds first).\nThe hub API is up: GET /api/hub.`);
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
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
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache', 'access-control-allow-origin': '*' });
  res.end(body);
}
