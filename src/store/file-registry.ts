import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fromHex, toHex } from '../protocol/bytes';
import { addressFromString, addressKey, addressToString, type ChainID } from '../protocol/ids';
import { StoreError, type BootupRecord, type NodeIdentity, type Registry, type RegistryKeyShare } from '../state/store';
import { validateBootupRecord } from '../state/store-memory';
import { writeFileAtomic } from './file-util';

/**
 * File-backed registry (Node: `iscp node run`): bootup records, DKG key shares and the node identity in ONE JSON
 * file, rewritten whole (write-temp-and-rename, mode 0600: it holds private key shares) on every change — the
 * registry changes once per chain setup, so simplicity wins over incremental writes. Read and checked strictly on
 * open: a damaged file is StoreError 'corrupt' naming the file and field, never an empty registry (which would
 * silently forget the node's key shares).
 */
export const REGISTRY_FILE_VERSION = 1;

interface RegistryData {
  readonly identity: NodeIdentity | null;
  readonly bootup: ReadonlyMap<string, BootupRecord>;
  readonly shares: ReadonlyMap<string, RegistryKeyShare>;
}

export class FileRegistry implements Registry {
  private data: RegistryData;
  /** Writes run one at a time; memory moves only after a write is durable. */
  private writes: Promise<unknown> = Promise.resolve();

  /** Reads `path` if it exists (throws StoreError 'corrupt' if it is not a registry), else starts empty. */
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let text: string | null = null;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreError('io', `reading ${path} failed: ${(e as Error).message}`);
    }
    this.data = text === null ? { identity: null, bootup: new Map(), shares: new Map() } : parseRegistry(path, text);
  }

  async getNodeIdentity(): Promise<NodeIdentity | null> {
    const i = this.data.identity;
    return i ? { publicKey: i.publicKey.slice(), secretKey: i.secretKey.slice() } : null;
  }
  putNodeIdentity(identity: NodeIdentity): Promise<void> {
    return this.change((d) => ({ ...d, identity: { publicKey: identity.publicKey.slice(), secretKey: identity.secretKey.slice() } }));
  }
  async listBootupRecords(): Promise<BootupRecord[]> {
    return [...this.data.bootup.values()];
  }
  async getBootupRecord(chainAddress: ChainID): Promise<BootupRecord | null> {
    return this.data.bootup.get(addressKey(chainAddress)) ?? null;
  }
  async putBootupRecord(record: BootupRecord): Promise<void> {
    validateBootupRecord(record);
    const copy = asArgument(() => checkedBootup(this.path, JSON.parse(JSON.stringify(bootupJson(record))) as unknown));
    await this.change((d) => ({ ...d, bootup: new Map(d.bootup).set(addressKey(record.chainAddress), copy) }));
  }
  removeBootupRecord(chainAddress: ChainID): Promise<void> {
    return this.change((d) => {
      const bootup = new Map(d.bootup);
      bootup.delete(addressKey(chainAddress));
      return { ...d, bootup };
    });
  }
  async getKeyShare(chainAddress: ChainID): Promise<RegistryKeyShare | null> {
    return this.data.shares.get(addressKey(chainAddress)) ?? null;
  }
  async putKeyShare(chainAddress: ChainID, share: RegistryKeyShare): Promise<void> {
    const copy = asArgument(() => checkedShare(this.path, shareJson(share)));
    await this.change((d) => ({ ...d, shares: new Map(d.shares).set(addressKey(chainAddress), copy) }));
  }

  /** Waits for the writes in flight. */
  async close(): Promise<void> {
    await this.writes.catch(() => undefined);
  }

  private change(f: (d: RegistryData) => RegistryData): Promise<void> {
    const run = this.writes
      .catch(() => undefined)
      .then(async () => {
        const next = f(this.data);
        try {
          await writeFileAtomic(this.path, new TextEncoder().encode(serializeRegistry(next)));
        } catch (e) {
          throw new StoreError('io', `writing ${this.path} failed: ${(e as Error).message}`);
        }
        this.data = next;
      });
    this.writes = run;
    return run;
  }
}

/** A value the file could not hold back is the caller's mistake, not damage: 'bad-argument', before any write. */
function asArgument<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof StoreError && e.code === 'corrupt' ? new StoreError('bad-argument', e.message.replace(/^corrupt: /, '')) : e;
  }
}

/* ------------------------------------------------------------------ JSON form (pure) */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function bootupJson(r: BootupRecord): Json {
  return {
    chainAddress: addressToString(r.chainAddress),
    chainColor: toHex(r.chainColor),
    committeeNodeIds: [...r.committeeNodeIds],
    n: r.n,
    t: r.t,
    myIndex: r.myIndex,
    ...(r.accessNodeIds ? { accessNodeIds: [...r.accessNodeIds] } : {}),
  };
}

function shareJson(s: RegistryKeyShare): Json {
  return { n: s.n, t: s.t, index: s.index, masterPublicKey: toHex(s.masterPublicKey), publicShares: s.publicShares.map(toHex), privateShare: toHex(s.privateShare) };
}

export function serializeRegistry(d: RegistryData): string {
  const doc = {
    version: REGISTRY_FILE_VERSION,
    identity: d.identity ? { publicKey: toHex(d.identity.publicKey), secretKey: toHex(d.identity.secretKey) } : null,
    bootup: Object.fromEntries([...d.bootup].map(([k, r]) => [k, bootupJson(r)])),
    keyShares: Object.fromEntries([...d.shares].map(([k, s]) => [k, shareJson(s)])),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Every field checked; the first problem is thrown as StoreError 'corrupt' with the file and the field's path. */
export function parseRegistry(path: string, text: string): RegistryData {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new StoreError('corrupt', `${path} is not valid JSON (${(e as Error).message})`);
  }
  const o = obj(path, doc, 'the file');
  if (o.version !== REGISTRY_FILE_VERSION) throw new StoreError('corrupt', `${path}: version ${JSON.stringify(o.version)} is not ${REGISTRY_FILE_VERSION}`);
  let identity: NodeIdentity | null = null;
  if (o.identity !== null) {
    const i = obj(path, o.identity, 'identity');
    identity = { publicKey: hex(path, i.publicKey, 'identity.publicKey', 32), secretKey: hex(path, i.secretKey, 'identity.secretKey', 32) };
  }
  const bootup = new Map<string, BootupRecord>();
  for (const [k, v] of Object.entries(obj(path, o.bootup, 'bootup'))) {
    const r = checkedBootup(path, v, `bootup.${k}`);
    if (addressKey(r.chainAddress) !== k) throw new StoreError('corrupt', `${path}: bootup.${k} holds the record of another chain`);
    bootup.set(k, r);
  }
  const shares = new Map<string, RegistryKeyShare>();
  for (const [k, v] of Object.entries(obj(path, o.keyShares, 'keyShares'))) {
    if (!/^[0-9a-f]{66}$/.test(k)) throw new StoreError('corrupt', `${path}: keyShares.${k} is not keyed by a chain address`);
    shares.set(k, checkedShare(path, v, `keyShares.${k}`));
  }
  return { identity, bootup, shares };
}

function checkedBootup(path: string, v: unknown, at = 'bootup record'): BootupRecord {
  const o = obj(path, v, at);
  let chainAddress: ChainID;
  try {
    chainAddress = addressFromString(str(path, o.chainAddress, `${at}.chainAddress`));
  } catch (e) {
    throw new StoreError('corrupt', `${path}: ${at}.chainAddress is not an address (${(e as Error).message})`);
  }
  const ids = (x: unknown, name: string): string[] => {
    if (!Array.isArray(x) || x.some((s) => typeof s !== 'string' || !/^[0-9a-f]{2,64}$/.test(s))) throw new StoreError('corrupt', `${path}: ${at}.${name} is not a list of node IDs`);
    return x as string[];
  };
  const r: BootupRecord = {
    chainAddress,
    chainColor: hex(path, o.chainColor, `${at}.chainColor`, 32),
    committeeNodeIds: ids(o.committeeNodeIds, 'committeeNodeIds'),
    n: int(path, o.n, `${at}.n`),
    t: int(path, o.t, `${at}.t`),
    myIndex: o.myIndex === null ? null : int(path, o.myIndex, `${at}.myIndex`),
    ...(o.accessNodeIds !== undefined ? { accessNodeIds: ids(o.accessNodeIds, 'accessNodeIds') } : {}),
  };
  try {
    validateBootupRecord(r);
  } catch (e) {
    throw new StoreError('corrupt', `${path}: ${at} breaks the bootup rules (${(e as Error).message})`);
  }
  return r;
}

function checkedShare(path: string, v: unknown, at = 'key share'): RegistryKeyShare {
  const o = obj(path, v, at);
  const n = int(path, o.n, `${at}.n`);
  const t = int(path, o.t, `${at}.t`);
  const index = int(path, o.index, `${at}.index`);
  if (!(n >= 1 && t >= 1 && t <= n && index < n)) throw new StoreError('corrupt', `${path}: ${at} has n=${n} t=${t} index=${index}`);
  if (!Array.isArray(o.publicShares) || o.publicShares.length !== n) throw new StoreError('corrupt', `${path}: ${at}.publicShares must list ${n} shares`);
  return {
    n,
    t,
    index,
    masterPublicKey: hex(path, o.masterPublicKey, `${at}.masterPublicKey`, 96),
    publicShares: o.publicShares.map((s: unknown, i: number) => hex(path, s, `${at}.publicShares[${i}]`, 96)),
    privateShare: hex(path, o.privateShare, `${at}.privateShare`, 32),
  };
}

function obj(path: string, v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new StoreError('corrupt', `${path}: ${at} is not an object`);
  return v as Record<string, unknown>;
}
function str(path: string, v: unknown, at: string): string {
  if (typeof v !== 'string') throw new StoreError('corrupt', `${path}: ${at} is not a string`);
  return v;
}
function int(path: string, v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 10_000) throw new StoreError('corrupt', `${path}: ${at} is not a small non-negative integer`);
  return v;
}
function hex(path: string, v: unknown, at: string, bytes: number): Uint8Array {
  if (typeof v !== 'string' || !new RegExp(`^[0-9a-f]{${2 * bytes}}$`).test(v)) throw new StoreError('corrupt', `${path}: ${at} is not ${bytes} bytes of hex`);
  return fromHex(v);
}
