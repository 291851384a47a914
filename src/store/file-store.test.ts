import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryComplianceSuite, storeComplianceSuite } from '../state/store.compliance';
import { AddressKind, addressFromPublicKey, addressKey } from '../protocol/ids';
import { verifyStoredChain } from '../state/verify-store';
import { makeBlock, nextStateHash, ORIGIN_STATE_HASH, blockHash } from '../state/block';
import { StoreError } from '../state/store';
import type { Block, Mutation } from '../state/types';
import { FileSolidStateStore, openFileNodeStore } from './file-store';
import { FileRegistry } from './file-registry';

const root = mkdtempSync(join(tmpdir(), 'iscp-file-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `d${n++}`);

storeComplianceSuite(
  'file',
  () => new FileSolidStateStore(fresh()),
  // Reopen = a new instance on the same folder, empty caches: what a restarted process gets.
  async (s) => {
    const dir = (s as FileSolidStateStore).dir;
    await (s as FileSolidStateStore).close();
    return new FileSolidStateStore(dir);
  },
);
registryComplianceSuite('file', () => new FileRegistry(join(fresh(), 'registry.json')));

describe('file store specifics', () => {
  const chain = addressFromPublicKey(AddressKind.BLS, Uint8Array.of(9));
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  const rid = (i: number) => ({ txId: new Uint8Array(32).fill(i), index: 0 });
  /** Real blocks with a real state hash chain, so verifyStoredChain can check what a reopen gives. */
  async function commitChain(s: FileSolidStateStore, count: number, from = 1, prevHash = ORIGIN_STATE_HASH): Promise<Uint8Array> {
    let h = prevHash;
    for (let i = from; i < from + count; i++) {
      const m: Mutation[] = [{ kind: 'set', key: enc(`k${i % 5}`), value: Uint8Array.of(i) }];
      const b: Block = makeBlock(i, [{ requestId: rid(i), timestamp: BigInt(i), mutations: m }], new Uint8Array(32).fill(i));
      h = nextStateHash(h, blockHash(b));
      await s.commitBlock(chain, b, m, h, [rid(i)]);
    }
    return h;
  }
  const logOf = (dir: string): string => join(dir, `${addressKey(chain)}.blocks`);

  it('reopening resumes the chain: same head, same state hash, pairs and processed IDs; verifyStoredChain accepts it', async () => {
    const dir = fresh();
    const s = new FileSolidStateStore(dir);
    const h = await commitChain(s, 20);
    await s.close();
    const s2 = new FileSolidStateStore(dir);
    const st = await s2.loadChain(chain);
    expect(st?.blockIndex).toBe(20);
    expect(st?.stateHash).toEqual(h);
    expect(st?.entries.map(([, v]) => v[0])).toEqual([20, 16, 17, 18, 19]);
    for (let i = 1; i <= 20; i++) expect(await s2.isRequestProcessed(chain, rid(i))).toBe(true);
    const v = await verifyStoredChain(s2, chain, st as NonNullable<typeof st>);
    expect(v.ok).toBe(true);
    // And it goes on from there.
    await commitChain(s2, 1, 21, h);
    expect((await s2.loadChain(chain))?.blockIndex).toBe(21);
  });

  it('a torn last append (any cut inside it) is cut off on reopen, said once, and the chain goes on', async () => {
    const dir = fresh();
    const s = new FileSolidStateStore(dir);
    const h3 = await commitChain(s, 3);
    const good = statSync(logOf(dir)).size;
    await commitChain(s, 1, 4, h3);
    await s.close();
    const whole = readFileSync(logOf(dir));
    for (const cut of [good + 1, good + 8, good + 20, whole.length - 1]) {
      writeFileSync(logOf(dir), whole.subarray(0, cut));
      const notes: string[] = [];
      const s2 = new FileSolidStateStore(dir, (x) => notes.push(x.text));
      expect((await s2.loadChain(chain))?.stateHash).toEqual(h3);
      expect(notes).toEqual([expect.stringMatching(/^cut off a torn last write \(\d+ bytes at byte \d+/)]);
      expect(statSync(logOf(dir)).size).toBe(good);
      await commitChain(s2, 1, 4, h3);
      expect((await s2.loadChain(chain))?.blockIndex).toBe(4);
      expect((await s2.getBlock(chain, 4))?.blockIndex).toBe(4);
      await s2.close();
    }
    // A zero-filled tail (the file grew, the data never landed) is a torn write too.
    appendFileSync(logOf(dir), new Uint8Array(100));
    const s3 = new FileSolidStateStore(dir);
    expect((await s3.loadChain(chain))?.blockIndex).toBe(4);
    await s3.close();
  });

  it('a bit flipped in a middle block is StoreError corrupt naming the file and offset, and nothing is cut', async () => {
    const dir = fresh();
    const s = new FileSolidStateStore(dir);
    await commitChain(s, 5);
    await s.close();
    const bytes = readFileSync(logOf(dir));
    const victim = Math.floor(bytes.length / 2);
    bytes[victim] = (bytes[victim] as number) ^ 0x01;
    writeFileSync(logOf(dir), bytes);
    const err = await new FileSolidStateStore(dir).loadChain(chain).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('corrupt');
    expect((err as StoreError).message).toMatch(new RegExp(`${logOf(dir).replace(/[/.]/g, '\\$&')} is corrupt at byte \\d+: .*valid record follows`));
    expect(readFileSync(logOf(dir))).toEqual(bytes);
  });

  it('a log under another chain’s name, or with blocks out of order, is refused', async () => {
    const dir = fresh();
    const s = new FileSolidStateStore(dir);
    await commitChain(s, 2);
    await s.close();
    const other = addressFromPublicKey(AddressKind.BLS, Uint8Array.of(10));
    writeFileSync(join(dir, `${addressKey(other)}.blocks`), readFileSync(logOf(dir)));
    await expect(new FileSolidStateStore(dir).loadChain(other)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringMatching(/header names another chain/) });
    writeFileSync(logOf(dir), 'not a log at all');
    await expect(new FileSolidStateStore(dir).loadChain(chain)).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('resetChain keeps the refused log aside as .discarded', async () => {
    const dir = fresh();
    const s = new FileSolidStateStore(dir);
    await commitChain(s, 2);
    truncateSync(logOf(dir), 30); // the header survives, block #1 cut: corrupt, not torn (more than one record lost)
    const s2 = new FileSolidStateStore(dir);
    await s2.resetChain(chain);
    expect(existsSync(`${logOf(dir)}.discarded`)).toBe(true);
    expect(existsSync(logOf(dir))).toBe(false);
    expect(await s2.loadChain(chain)).toBeNull();
    await commitChain(s2, 1);
    expect((await new FileSolidStateStore(dir).loadChain(chain))?.blockIndex).toBe(1);
  });

  it('the registry keeps key shares and bootup records across a reopen; a damaged file is refused, not emptied', async () => {
    const dir = fresh();
    const ns = openFileNodeStore(dir);
    const record = { chainAddress: chain, chainColor: new Uint8Array(32).fill(7), committeeNodeIds: ['aa'.repeat(32), 'bb'.repeat(32), 'cc'.repeat(32), 'dd'.repeat(32)], n: 4, t: 3, myIndex: 2 };
    const share = { n: 4, t: 3, index: 2, masterPublicKey: new Uint8Array(96).fill(1), publicShares: [0, 1, 2, 3].map((i) => new Uint8Array(96).fill(i)), privateShare: new Uint8Array(32).fill(5) };
    await ns.registry.putBootupRecord(record);
    await ns.registry.putKeyShare(chain, share);
    await ns.close();
    expect(statSync(join(dir, 'registry.json')).mode & 0o777).toBe(0o600);
    const again = openFileNodeStore(dir);
    expect(await again.registry.listBootupRecords()).toEqual([record]);
    expect(await again.registry.getKeyShare(chain)).toEqual(share);
    const text = readFileSync(join(dir, 'registry.json'), 'utf8');
    writeFileSync(join(dir, 'registry.json'), text.replace(/"privateShare": "[0-9a-f]+"/, '"privateShare": "05"'));
    expect(() => openFileNodeStore(dir)).toThrow(/registry\.json: keyShares\.\w+\.privateShare is not 32 bytes of hex/);
    writeFileSync(join(dir, 'registry.json'), text.slice(0, 40));
    expect(() => openFileNodeStore(dir)).toThrow(/registry\.json is not valid JSON/);
  });
});
