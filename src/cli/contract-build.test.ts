import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Solo } from '../vm/solo/solo';
import { decU64, encU64 } from '../vm/dict';
import { utf8 } from '../protocol/bytes';
import { buildContract } from './contract-build';
import { CliError } from './errors';

const BIN = fileURLToPath(new URL('../../bin/iscp.mjs', import.meta.url));
const GUESTBOOK = fileURLToPath(new URL('../../contracts/fixtures/guestbook.ts', import.meta.url));

function iscp(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A folder outside the repository, as a contract author's project is. */
function authorDir(): string {
  return mkdtempSync(join(tmpdir(), 'iscp-author-'));
}

describe('iscp contract build (a contract from a file outside the repository)', () => {
  it('the real executable builds it from another folder; the module runs in Solo with StateMap, keys, has/del and named parameter errors', async () => {
    const dir = authorDir();
    try {
      copyFileSync(GUESTBOOK, join(dir, 'guestbook.ts'));
      const r = await iscp(dir, 'contract', 'build', 'guestbook.ts', '-o', 'out/gb.wasm');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^out\/gb\.wasm: \d+ bytes, blake2b [0-9a-f]{64}/);
      expect(r.stdout).toContain('entry points: erase, sign');
      expect(r.stdout).toContain('views: list');
      const wasm = new Uint8Array(readFileSync(join(dir, 'out/gb.wasm')));

      const ch = Solo.newChain();
      expect(ch.deployContract('guestbook', wasm)).toMatchObject({ ok: true });
      const sign = (id: string, text: string) => ch.postRequest({ contract: 'guestbook', entryPoint: 'sign', params: { id: utf8(id), text: utf8(text) } });
      for (const [id, text] of [['carol', 'hi'], ['alice', 'hello'], ['bob', 'hey'], ['alice', 'hello again']] as const) expect(sign(id, text).ok).toBe(true);
      expect(ch.postRequest({ contract: 'guestbook', entryPoint: 'erase', params: { id: utf8('bob') } }).ok).toBe(true);
      const list = ch.callView('guestbook', 'list');
      expect(new TextDecoder().decode(list.bytes('ids'))).toBe('alice,carol'); // byte order, bob erased
      expect(decU64(list.bytes('count'))).toBe(2n);
      expect(decU64(list.bytes('size'))).toBe(2n);
      expect(decU64(list.bytes('keys'))).toBe(3n); // two entries + "count"

      const missing = ch.postRequest({ contract: 'guestbook', entryPoint: 'sign', params: { id: utf8('dave') } });
      expect(missing.ok).toBe(false);
      expect(missing.error?.message).toContain("missing parameter 'text'");
      const badType = ch.postRequest({ contract: 'guestbook', entryPoint: 'sign', params: { id: utf8('dave'), text: utf8('x'), weight: new Uint8Array(3) } });
      expect(badType.ok).toBe(false);
      expect(badType.error?.message).toContain("parameter 'weight' must be a u64 (8 bytes), got 3 bytes");
      expect(ch.postRequest({ contract: 'guestbook', entryPoint: 'sign', params: { id: utf8('dave'), text: utf8('x'), weight: encU64(1n) } }).ok).toBe(true);
      ch.checkInvariant();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2; a file that does not compile exits 1 with the compiler message and writes nothing', async () => {
    const dir = authorDir();
    try {
      expect((await iscp(dir, 'contract', 'build')).code).toBe(2);
      expect((await iscp(dir, 'contract', 'compile', 'x.ts')).code).toBe(2);
      writeFileSync(join(dir, 'bad.ts'), 'import { state } from "iscp-browser-committee/sdk";\nexport function f(): void { state.setU64("k", nope); }\n');
      const r = await iscp(dir, 'contract', 'build', 'bad.ts');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("Cannot find name 'nope'");
      expect(r.stderr).toContain('bad.ts(2,');
      expect(existsSync(join(dir, 'bad.wasm'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when a file does not import the SDK, and refuses what the chain would refuse (floats)', async () => {
    const dir = authorDir();
    try {
      writeFileSync(join(dir, 'nosdk.ts'), 'export function f(): void {}\n');
      await expect(buildContract(join(dir, 'nosdk.ts'))).rejects.toThrow(/does not import the ISCP SDK: add {2}import .* from "iscp-browser-committee\/sdk"/);
      writeFileSync(join(dir, 'float.ts'), 'import { results, u64Bytes } from "iscp-browser-committee/sdk";\nlet x: f64 = 1.5;\nexport function half(): void { x = x / 2.0; results.set("x", u64Bytes(<u64>x)); }\n');
      const e = await buildContract(join(dir, 'float.ts')).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(CliError);
      expect((e as Error).message).toMatch(/compiles but the chain would refuse it: .*float/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an asconfig.json beside the source does not change the build (same bytes)', async () => {
    const dir = authorDir();
    try {
      copyFileSync(GUESTBOOK, join(dir, 'guestbook.ts'));
      const plain = await buildContract(join(dir, 'guestbook.ts'));
      writeFileSync(join(dir, 'asconfig.json'), JSON.stringify({ options: { runtime: 'incremental', optimizeLevel: 0, debug: true } }));
      const again = await buildContract(join(dir, 'guestbook.ts'));
      expect(again.wasm).toEqual(plain.wasm);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
