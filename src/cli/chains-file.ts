import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { addressFromString, addressToString, colorFromString, colorToString, type Address, type Color } from '../protocol/ids';
import type { BootupRecord } from '../state/store';
import { CliError } from './context';

/**
 * Chains this CLI knows (`./.iscp-chains.json`, like wasp-cli's config of chain aliases): what `chain deploy`
 * learned, so later commands can boot an access node without asking anyone. Plain JSON, written atomically.
 */
export interface KnownChain {
  /** base58 chain address (= chain ID). */
  readonly address: string;
  /** base58 chain color (origin transaction ID). */
  readonly color: string;
  /** Committee node IDs (hex) in committee-index order, and the names they had when deployed. */
  readonly committee: readonly string[];
  readonly names: readonly string[];
  readonly t: number;
  readonly description: string;
  readonly deployedAtMs: number;
}

export interface ChainsFile {
  readonly v: 1;
  /** Address of the chain commands use without --chain (the last deployed, or `chain use`). */
  readonly default: string | null;
  readonly chains: readonly KnownChain[];
}

/** Bound on the file: beyond it the oldest entries are dropped (a classroom deploys a handful of chains). */
export const CHAINS_FILE_MAX = 256;

const EMPTY: ChainsFile = { v: 1, default: null, chains: [] };

export function loadChains(path: string): ChainsFile {
  if (!existsSync(path)) return EMPTY;
  let o: unknown;
  try {
    o = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`chains file ${path} is not valid JSON (${(e as Error).message}); move it away or pass --chains FILE`);
  }
  const f = o as Partial<ChainsFile>;
  if (f?.v !== 1 || !Array.isArray(f.chains)) throw new CliError(`chains file ${path} is not an iscp chains file (v 1)`);
  for (const c of f.chains) {
    const ok =
      typeof c?.address === 'string' &&
      typeof c.color === 'string' &&
      Array.isArray(c.committee) &&
      c.committee.every((id: unknown) => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id)) &&
      Array.isArray(c.names) &&
      Number.isInteger(c.t);
    if (!ok) throw new CliError(`chains file ${path} has a malformed entry ${JSON.stringify(c).slice(0, 80)}`);
  }
  return { v: 1, default: typeof f.default === 'string' ? f.default : null, chains: f.chains };
}

export function saveChains(path: string, f: ChainsFile): void {
  const chains = f.chains.slice(-CHAINS_FILE_MAX);
  writeFileSync(`${path}.tmp`, JSON.stringify({ ...f, chains }, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

/** Adds (or replaces) a chain and makes it the default. */
export function rememberChain(path: string, c: KnownChain): void {
  const f = loadChains(path);
  saveChains(path, { v: 1, default: c.address, chains: [...f.chains.filter((x) => x.address !== c.address), c] });
}

/** Adds (or replaces) a chain, leaving the default as it is (unless there was none). */
export function addChain(path: string, c: KnownChain): void {
  const f = loadChains(path);
  saveChains(path, { v: 1, default: f.default ?? c.address, chains: [...f.chains.filter((x) => x.address !== c.address), c] });
}

/** The chain a command acts on: --chain (address, or a unique prefix of one known), else the default. */
export function selectChain(path: string, flag: string | undefined): KnownChain {
  const f = loadChains(path);
  if (flag === undefined) {
    const d = f.chains.find((c) => c.address === f.default) ?? f.chains.at(-1);
    if (!d) throw new CliError(`no chain known in ${path}: deploy one with \`iscp chain deploy --committee …\` or pass --chain ADDRESS`);
    return d;
  }
  const hits = f.chains.filter((c) => c.address.startsWith(flag));
  if (hits.length === 1) return hits[0] as KnownChain;
  if (hits.length > 1) throw new CliError(`--chain ${flag} matches ${hits.length} known chains; give more of the address`);
  try {
    addressFromString(flag);
  } catch {
    throw new CliError(`--chain ${flag} is neither a chain address nor the start of a known one (see \`iscp chain list\`)`);
  }
  throw new CliError(`chain ${flag} is not in ${path}`);
}

export function bootupRecordOf(c: KnownChain): BootupRecord {
  return { chainAddress: chainAddressOf(c), chainColor: chainColorOf(c), committeeNodeIds: c.committee, n: c.committee.length, t: c.t, myIndex: null };
}

export const chainAddressOf = (c: KnownChain): Address => addressFromString(c.address);
export const chainColorOf = (c: KnownChain): Color => colorFromString(c.color);
export const chainEntry = (address: Address, color: Color): Pick<KnownChain, 'address' | 'color'> => ({ address: addressToString(address), color: colorToString(color) });
