import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The hubs serve a snapshot of dist/ taken once per test process, so a rebuild running meanwhile (vite empties
 * dist/ first) cannot pull the app out from under a test.
 */
let distSnapshot: string | undefined;
function snapshotDist(): string {
  if (distSnapshot) return distSnapshot;
  if (!existsSync('dist/index.html')) throw new Error('dist/ is not built: run `npm run build` first');
  const dir = join(mkdtempSync(join(tmpdir(), 'iscp-e2e-')), 'dist');
  cpSync('dist', dir, { recursive: true });
  distSnapshot = dir;
  return dir;
}

/**
 * A private hub for one test: the real src/hub on its own ports with an in-memory ledger. Why per test: every
 * tab connects from 127.0.0.1, and gossipsub's IP-colocation score on a long-lived hub sinks below its graylist
 * threshold once more than ~13 tab identities (closed ones included, while their scores are retained) have come
 * from that one address — then the hub stops forwarding presence and new tabs find nobody. A fresh hub per
 * scenario also gives each one a fresh L1.
 */
export interface HubProcess {
  readonly baseURL: string;
  stop(): Promise<void>;
}

let nextPort = 8900 + (process.pid % 40) * 20;

export async function startHub(): Promise<HubProcess> {
  const port = nextPort;
  nextPort += 2; // HTTP port and the libp2p WebSocket port (HTTP + 1)
  const child: ChildProcess = spawn('npx', ['tsx', 'src/hub/main.ts', '--port', String(port), '--memory', '--confirm-delay-ms', '50', '--dist', snapshotDist()], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group: npx → tsx → node, and stop() must end all of them, not just npx.
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${baseURL}/api/hub`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`hub exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      process.kill(-(child.pid as number), 'SIGKILL');
      throw new Error(`hub on port ${port} did not start within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseURL,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      const group = -(child.pid as number);
      process.kill(group, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        // the whole group is gone already
      }
    },
  };
}
