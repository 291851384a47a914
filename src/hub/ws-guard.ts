import { Server as NetServer, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Connection, Libp2p, Listener, Transport } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';

/**
 * Pure accounting of sockets that are not yet libp2p connections: bounded in total and per remote IP.
 * The edge (WebSocketGuard below) owns the sockets and the timers.
 */
export class PendingTable {
  private readonly byIp = new Map<string, number>();
  private totalCount = 0;
  constructor(private readonly limits: { readonly totalMax: number; readonly perIpMax: number }) {}

  /** Counts the socket in, or says why not (and counts nothing). */
  admit(ip: string): 'ok' | 'total' | 'perIp' {
    if (this.totalCount >= this.limits.totalMax) return 'total';
    const n = this.byIp.get(ip) ?? 0;
    if (n >= this.limits.perIpMax) return 'perIp';
    this.byIp.set(ip, n + 1);
    this.totalCount++;
    return 'ok';
  }

  release(ip: string): void {
    const n = this.byIp.get(ip);
    if (n === undefined) return;
    if (n <= 1) this.byIp.delete(ip);
    else this.byIp.set(ip, n - 1);
    this.totalCount--;
  }

  get total(): number {
    return this.totalCount;
  }
  count(ip: string): number {
    return this.byIp.get(ip) ?? 0;
  }
}

/** host and port of a /ip4|ip6/…/tcp/… multiaddr (circuit addresses excluded: they are not sockets). */
export function socketKeyOf(ma: Multiaddr): { host: string; key: string } | undefined {
  const cs = ma.getComponents();
  if (cs.some((c) => c.name === 'p2p-circuit')) return undefined;
  const ip = cs[0];
  const tcp = cs[1];
  if (!ip || (ip.name !== 'ip4' && ip.name !== 'ip6') || ip.value === undefined || tcp?.name !== 'tcp') return undefined;
  return { host: normalizeIp(ip.value), key: `${normalizeIp(ip.value)}|${tcp.value}` };
}

/** IPv4-mapped IPv6 (::ffff:1.2.3.4, what a dual-stack socket reports) counts as the IPv4 address. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export interface WebSocketGuardOptions {
  readonly pendingMax: number;
  readonly pendingPerIpMax: number;
  readonly handshakeTimeoutMs: number;
  /** undefined = no Origin header (Node clients, the CLI): allowed. */
  readonly originAllowed: (origin: string | undefined) => boolean;
  readonly log: (line: string) => void;
}

/** The parts of @libp2p/websockets' listener the guard hooks into (not public API: checked at start-up). */
interface ListenerInternals {
  server?: unknown;
  wsServer?: { options?: Record<string, unknown>; handleUpgrade?: unknown };
}

export class WebSocketGuardError extends Error {
  override readonly name = 'WebSocketGuardError';
}

/**
 * Guards the libp2p WebSocket listener's sockets, which libp2p does not bound before they are connections:
 * - a socket is "pending" from TCP accept until libp2p reports the connection open (HTTP upgrade, noise and yamux
 *   done); pending sockets are capped in total and per IP, and each is closed after handshakeTimeoutMs;
 * - the WebSocket upgrade is refused (403) for an Origin outside the allowlist, so no other web page a user has
 *   open can drive the hub through the user's browser.
 * It wraps the transport's createListener and reaches into the listener's net.Server and ws server; if a
 * @libp2p/websockets upgrade moves them, start-up fails loudly rather than running unguarded.
 */
export class WebSocketGuard {
  private readonly table: PendingTable;
  /** "host|port" → the pending socket and its handshake timer. */
  private readonly pending = new Map<string, { socket: Socket; host: string; timer: ReturnType<typeof setTimeout> }>();
  refusedTotal = 0;

  constructor(private readonly opts: WebSocketGuardOptions) {
    this.table = new PendingTable({ totalMax: opts.pendingMax, perIpMax: opts.pendingPerIpMax });
  }

  get pendingCount(): number {
    return this.table.total;
  }
  pendingFrom(ip: string): number {
    return this.table.count(normalizeIp(ip));
  }

  /** Wraps a transport factory (webSockets()) so every listener it creates is guarded. */
  wrapTransport<C>(factory: (components: C) => Transport): (components: C) => Transport {
    return (components: C) => {
      const t = factory(components);
      const createListener = t.createListener.bind(t);
      t.createListener = (options) => {
        const l: Listener = createListener(options);
        this.attach(l as unknown as ListenerInternals);
        return l;
      };
      return t;
    };
  }

  /** Marks pending sockets established as libp2p reports their connections open. */
  watch(node: Libp2p): void {
    node.addEventListener('connection:open', (ev) => this.established(ev.detail));
  }

  private attach(l: ListenerInternals): void {
    const server = l.server;
    const wss = l.wsServer;
    if (!(server instanceof NetServer) || !wss || typeof wss.handleUpgrade !== 'function' || typeof wss.options !== 'object')
      throw new WebSocketGuardError('@libp2p/websockets listener internals changed (server / wsServer): cannot guard its sockets; update src/hub/ws-guard.ts');
    // Take over the 'connection' event: libp2p's handler sees only admitted sockets.
    const inner = server.listeners('connection') as ((socket: Socket) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      try {
        if (this.admit(socket)) for (const f of inner) f.call(server, socket);
      } catch (e) {
        this.opts.log(`ws guard: ${(e as Error).message}`);
        socket.destroy();
      }
    });
    // ws consults options.verifyClient at each upgrade; the callback form lets us answer 403 with a reason.
    wss.options.verifyClient = (info: { origin?: string; req: IncomingMessage }, cb: (ok: boolean, code?: number, message?: string) => void) => {
      const origin = typeof info.req.headers.origin === 'string' ? info.req.headers.origin : undefined;
      if (this.opts.originAllowed(origin)) return cb(true);
      this.opts.log(`ws guard: WebSocket from ${info.req.socket.remoteAddress ?? '?'} with Origin ${origin} refused (not in the allowlist)`);
      cb(false, 403, 'origin not allowed');
    };
  }

  private admit(socket: Socket): boolean {
    const host = normalizeIp(socket.remoteAddress ?? '?');
    const verdict = this.table.admit(host);
    if (verdict !== 'ok') {
      this.refusedTotal++;
      // Logged once per 100 so a flood cannot flood the log too.
      if (this.refusedTotal % 100 === 1) this.opts.log(`ws guard: refusing sockets from ${host}: ${verdict === 'total' ? `${this.table.total} pending in total` : `${this.table.count(host)} pending from this IP`} (refused so far: ${this.refusedTotal})`);
      socket.on('error', () => undefined);
      socket.destroy();
      return false;
    }
    const key = `${host}|${socket.remotePort ?? 0}`;
    const timer = setTimeout(() => {
      if (!this.pending.has(key)) return;
      this.release(key);
      socket.destroy();
    }, this.opts.handshakeTimeoutMs);
    (timer as { unref?: () => void }).unref?.();
    this.pending.set(key, { socket, host, timer });
    socket.once('close', () => {
      if (this.pending.get(key)?.socket === socket) this.release(key);
    });
    return true;
  }

  private established(conn: Connection): void {
    if (conn.direction !== 'inbound') return;
    const k = socketKeyOf(conn.remoteAddr);
    if (k) this.release(k.key);
  }

  private release(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(key);
    this.table.release(p.host);
  }

  /** Closes every pending socket (hub stop). */
  close(): void {
    for (const [key, p] of [...this.pending]) {
      this.release(key);
      p.socket.destroy();
    }
  }
}
