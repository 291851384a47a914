import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hname, hnameToString } from '../protocol/hname';
import { freePort } from '../../kit/free-port';

const BIN = fileURLToPath(new URL('../../bin/iscp.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the real executable (tsx registered by bin/iscp.mjs, no build step) and collects its output. */
function iscp(hub: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000, env: { ...process.env, ISCP_HUB: hub } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Runs a command in `cwd` and collects its output. */
function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('bin/iscp.mjs as a process', () => {
  it('hname root prints the hname (Wasp: root = cebf5908) and exits 0', async () => {
    const r = await iscp('http://127.0.0.1:8080', 'hname', 'root');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${hnameToString(hname('root'))}\n`);
    expect(r.stdout).toBe('cebf5908\n');
  });

  it('runs when started through a symlink, the way npm links node_modules/.bin/iscp', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iscp-link-'));
    try {
      const link = join(dir, 'iscp');
      symlinkSync(BIN, link);
      const r = await run(process.execPath, [link, 'hname', 'root'], REPO);
      expect(r).toEqual({ code: 0, stdout: 'cebf5908\n', stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`npx iscp hname root` from the repo, exactly as docs/cli.md says, prints the hname', async () => {
    const r = await run('npx', ['iscp', 'hname', 'root'], REPO);
    expect(r.stdout).toBe('cebf5908\n');
    expect(r.code).toBe(0);
  });

  it('an unreachable hub is one plain line on stderr and exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iscp-bin-'));
    try {
      const wallet = join(dir, 'w.json');
      writeFileSync(wallet, JSON.stringify({ seed: '11'.repeat(32) }));
      const port = await freePort(); // nothing listens on it
      const r = await iscp(`http://127.0.0.1:${port}`, '--wallet', wallet, 'chain', 'deploy', '--committee', 'a,b,c');
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`error: cannot reach the hub at http://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}); start it with \`npm run hub\` or pass --hub URL\n`);
      expect(r.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
