import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../kit/free-port';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const listening = (url: string): Promise<boolean> => fetch(url).then(() => true, () => false);

describe('npm start, as the README says, and stopped the way a process manager stops it', () => {
  it('serves the app and /api/hub; SIGTERM to the npm process stops the hub too (no orphan left listening)', { timeout: 240_000 }, async () => {
    const port = await freePort();
    const data = mkdtempSync(join(tmpdir(), 'iscp-npm-start-'));
    const npm = spawn('npm', ['start'], { cwd: REPO, env: { ...process.env, ISCP_PORT: String(port), ISCP_DATA: data }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 200_000;
      while (!out.includes('Open http://') && Date.now() < deadline && npm.exitCode === null) await new Promise((r) => setTimeout(r, 200));
      expect(out).toContain(`Open http://127.0.0.1:${port}`);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      expect((await fetch(`http://127.0.0.1:${port}/api/hub`)).ok).toBe(true);

      npm.kill('SIGTERM');
      await exited;
      // The hub is npm's grandchild: it must be gone as well, not left listening on the port.
      const until = Date.now() + 10_000;
      while ((await listening(`http://127.0.0.1:${port}/api/hub`)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(await listening(`http://127.0.0.1:${port}/api/hub`)).toBe(false);
      expect(out).toContain('SIGTERM: stopping hub');
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  });
});
