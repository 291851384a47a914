/** Hub command line: flags win over environment variables, which win over defaults. */
export interface HubConfig {
  readonly httpPort: number;
  /** libp2p WebSocket listener: httpPort + 1 unless given (0 = any free port, for tests). */
  readonly wsPort: number;
  readonly host: string;
  /** undefined = in-memory ledger and a fresh identity each start. */
  readonly dataDir: string | undefined;
  readonly confirmDelayMs: number;
  /** A corrupt ledger log is cut to its valid prefix (the damaged file kept aside) instead of stopping the hub. */
  readonly repair: boolean;
  /** Where the built app lives; missing = the hub says so on / and still serves the API. */
  readonly distDir: string;
  /**
   * Web origins besides the hub's own (http://127.0.0.1:PORT, http://localhost:PORT) and the Vite dev server's
   * whose pages may use the HTTP API and the libp2p WebSocket. A request without an Origin header (the CLI,
   * Node) is always allowed; any other origin gets 403. See originAllowlist.
   */
  readonly allowedOrigins: readonly string[];
}

export const HUB_DEFAULTS = {
  httpPort: 8080,
  dataDir: './.hub-data',
  confirmDelayMs: 100,
  host: '127.0.0.1',
  distDir: 'dist',
  /** `npm run dev` (vite.config.ts: port 5173). */
  devOrigins: ['http://localhost:5173', 'http://127.0.0.1:5173'],
} as const;

/** Every origin the hub accepts, given the HTTP port it actually listens on. */
export function originAllowlist(httpPort: number, extra: readonly string[]): ReadonlySet<string> {
  return new Set([`http://127.0.0.1:${httpPort}`, `http://localhost:${httpPort}`, ...HUB_DEFAULTS.devOrigins, ...extra]);
}

/** The check itself: no Origin header = not a web page (allowed); `null` (sandboxed frames, file:) is refused. */
export function originAllowed(allow: ReadonlySet<string>, origin: string | undefined): boolean {
  return origin === undefined || allow.has(origin);
}

export class HubConfigError extends Error {
  override readonly name = 'HubConfigError';
}

export const HUB_USAGE = `usage: tsx src/hub/main.ts [--port N] [--ws-port N] [--host ADDR] [--data DIR | --memory] [--confirm-delay-ms N] [--dist DIR] [--repair]
  --port N              HTTP port (default 8080, env ISCP_PORT); libp2p WebSockets listen on N+1
  --ws-port N           libp2p WebSocket port (default: HTTP port + 1)
  --host ADDR           interface to listen on (default 127.0.0.1, env ISCP_HOST); 0.0.0.0 = every interface, so
                        headless nodes (iscp node run --hub http://THIS-HOST:PORT) on other machines can join
  --data DIR            ledger log and hub identity (default ./.hub-data, env ISCP_DATA)
  --memory              keep nothing on disk
  --confirm-delay-ms N  L1 confirmation delay (default 100; 0 allowed)
  --dist DIR            built app to serve (default dist)
  --repair              if the ledger log is corrupt, keep its valid prefix (the damaged file is kept as
                        ledger.log.corrupt-<n>) instead of refusing to start
  --allow-origin URL    also accept web pages from this origin (repeatable; env ISCP_ALLOWED_ORIGINS, comma-separated);
                        the hub's own origin and the Vite dev server's (localhost:5173) are always accepted`;

export function parseHubArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): HubConfig {
  let httpPort = intOf(env.ISCP_PORT, 'ISCP_PORT') ?? HUB_DEFAULTS.httpPort;
  let wsPort: number | undefined;
  let host: string = env.ISCP_HOST ?? HUB_DEFAULTS.host;
  let dataDir: string | undefined = env.ISCP_DATA ?? HUB_DEFAULTS.dataDir;
  let memory = false;
  let confirmDelayMs: number = HUB_DEFAULTS.confirmDelayMs;
  let distDir: string = HUB_DEFAULTS.distDir;
  let repair = false;
  const allowedOrigins: string[] = (env.ISCP_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '').map((o) => originOf(o, 'ISCP_ALLOWED_ORIGINS'));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new HubConfigError(`${a} needs a value\n${HUB_USAGE}`);
      return v;
    };
    switch (a) {
      case '--port':
        httpPort = intOf(val(), a) as number;
        break;
      case '--ws-port':
        wsPort = intOf(val(), a) as number;
        break;
      case '--host':
        host = val();
        break;
      case '--data':
        dataDir = val();
        break;
      case '--memory':
        memory = true;
        break;
      case '--confirm-delay-ms':
        confirmDelayMs = intOf(val(), a) as number;
        break;
      case '--dist':
        distDir = val();
        break;
      case '--repair':
        repair = true;
        break;
      case '--allow-origin':
        allowedOrigins.push(originOf(val(), a));
        break;
      case '--help':
      case '-h':
        throw new HubConfigError(HUB_USAGE);
      default:
        throw new HubConfigError(`unknown argument '${a}'\n${HUB_USAGE}`);
    }
  }
  if (httpPort > 65534) throw new HubConfigError(`--port ${httpPort}: must leave room for the WebSocket port at +1`);
  // An IPv4 address only: it goes into an /ip4/ multiaddr (the libp2p listener) as well as the HTTP listen call.
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(host) || host.split('.').some((o) => Number(o) > 255)) throw new HubConfigError(`--host '${host}': give an IPv4 address such as 0.0.0.0 or 192.168.1.10`);
  if (repair && memory) throw new HubConfigError(`--repair needs a ledger on disk: it cannot be used with --memory`);
  return { httpPort, wsPort: wsPort ?? (httpPort === 0 ? 0 : httpPort + 1), host, dataDir: memory ? undefined : dataDir, confirmDelayMs, distDir, repair, allowedOrigins };
}

/** An origin exactly as browsers send it (scheme://host[:port], no path): anything else could never match. */
function originOf(v: string, what: string): string {
  let o: string;
  try {
    o = new URL(v).origin;
  } catch {
    throw new HubConfigError(`${what}: '${v}' is not an origin like http://host:port`);
  }
  if (o === 'null' || o !== v) throw new HubConfigError(`${what}: '${v}' is not an origin like http://host:port (did you mean '${o}'?)`);
  return o;
}

function intOf(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 65535 * 1000) throw new HubConfigError(`${what}: '${v}' is not a non-negative integer`);
  const n = Number(v);
  if ((what.includes('port') || what === 'ISCP_PORT') && n > 65535) throw new HubConfigError(`${what}: ${n} is not a port`);
  return n;
}
