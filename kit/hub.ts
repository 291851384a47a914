import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { PACKAGE_ROOT } from './playwright-runtime.ts';

/** A private hub (relay + in-memory L1 ledger) serving the built app, for one committee. */
export interface PrivateHub {
  readonly baseURL: string;
  stop(): Promise<void>;
}

export interface HubOptions {
  /** The built app to serve (default: <package>/dist, or ISCP_DIST). */
  readonly distDir?: string;
  /** L1 confirmation delay (default 50 ms: fast tests, still asynchronous like the real hub). */
  readonly confirmDelayMs?: number;
  readonly startTimeoutMs?: number;
}

/**
 * Why a hub per committee: every tab connects from 127.0.0.1, and gossipsub's IP-colocation score on a
 * long-lived hub sinks below its graylist threshold once many tab identities have come from that one address
 * (then new tabs find nobody). A fresh hub also gives each test a fresh L1.
 */
export async function startPrivateHub(opts: HubOptions = {}): Promise<PrivateHub> {
  const dist = snapshotDist(opts.distDir ?? process.env.ISCP_DIST ?? join(PACKAGE_ROOT, 'dist'));
  const [port, wsPort] = [await freePort(), await freePort()];
  const tsx = createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('tsx/cli');
  const args = [tsx, join(PACKAGE_ROOT, 'src/hub/main.ts'), '--port', String(port), '--ws-port', String(wsPort), '--memory', '--confirm-delay-ms', String(opts.confirmDelayMs ?? 50), '--dist', dist];
  // Its own process group, so stop() ends tsx's child node process too.
  const child: ChildProcess = spawn(process.execPath, args, { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const baseURL = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    killGroup(child, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    killGroup(child, 'SIGKILL');
  };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (await isUp(baseURL)) return { baseURL, stop };
    if (child.exitCode !== null) throw new Error(`the hub exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the hub on port ${port} did not answer within ${opts.startTimeoutMs ?? 60_000} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function isUp(baseURL: string): Promise<boolean> {
  try {
    return (await fetch(`${baseURL}/api/hub`)).ok;
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Hubs serve a copy of dist/ taken once per test process, so a rebuild running meanwhile (vite empties dist/
 * first) cannot pull the app out from under a test.
 */
const snapshots = new Map<string, string>();
function snapshotDist(dir: string): string {
  const known = snapshots.get(dir);
  if (known) return known;
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`the app is not built (${dir}/index.html is missing): run \`npm run build\` in ${PACKAGE_ROOT}`);
  const copy = join(mkdtempSync(join(tmpdir(), 'iscp-kit-')), 'dist');
  cpSync(dir, copy, { recursive: true });
  snapshots.set(dir, copy);
  return copy;
}
