import {
  base58Encode,
  decodeAll,
  readAddress,
  readAgentID,
  readArgs,
  readBalances,
  requestIDBytes,
  utf8,
  Writer,
  writeAddress,
  balancesOf,
  type Balances,
  type Hname,
} from '../protocol';
import { Dict, encAgentID, decU32 } from './dict';
import { VMError } from './errors';
import { GAS } from './params';
import type { Sandbox, SandboxView } from './sandbox';
import type { HostFunction, HostFunctions, HostImportSpec } from './wasm/index';

/**
 * The wasm host ABI, version 1: imports under module "iscp". Documented in docs/decisions/vm-host-abi.md; the
 * list below is also the allowlist passed to instrumentModule, so a module importing anything else (or these
 * with other signatures) is refused at deployment.
 *
 * Variable-length results are "parked": the call returns their length (or -1 = absent) and the contract
 * copies them into its own memory with ret_copy(ptr). Params/results/transfer encodings are the protocol's.
 */
export const HOST_MODULE = 'iscp';

const I = 'i32' as const;
const L = 'i64' as const;
const spec = (name: string, params: ('i32' | 'i64')[], results: ('i32' | 'i64')[] = []): HostImportSpec => ({ module: HOST_MODULE, name, params, results });

export const HOST_IMPORTS: readonly HostImportSpec[] = [
  spec('state_get', [I, I], [I]),
  spec('state_has', [I, I], [I]),
  spec('state_set', [I, I, I, I]),
  spec('state_del', [I, I]),
  spec('state_keys', [I, I], [I]),
  spec('param_get', [I, I], [I]),
  spec('result_set', [I, I, I, I]),
  spec('ret_copy', [I]),
  spec('caller', [], [I]),
  spec('contract', [], [I]),
  spec('chain_id', [], [I]),
  spec('chain_owner', [], [I]),
  spec('request_id', [], [I]),
  spec('timestamp', [], [L]),
  spec('entropy', [], [I]),
  spec('balance', [I], [L]),
  spec('incoming', [I], [L]),
  spec('transfer', [I, I, L]),
  spec('transfer_to_address', [I, I, L]),
  spec('mint', [I, L]),
  spec('call', [I, I, I, I, I, I], [I]),
  spec('call_view', [I, I, I, I], [I]),
  spec('post_request', [I, I, I, I, I, I, I, I]),
  spec('event', [I, I]),
  spec('log', [I, I]),
  spec('panic', [I, I]),
  spec('hname', [I, I], [I]),
  spec('blake2b', [I, I], [I]),
  spec('base58_encode', [I, I], [I]),
  spec('ed25519_verify', [I, I, I, I], [I]),
];

/** Per host call on top of what the sandbox operation itself charges. */
const HOST_CALL_GAS = 10n;

/** Decodes the dict encoding (u32 count, then u32-length-prefixed key and value, keys sorted and unique). */
export function decodeDict(b: Uint8Array): Dict {
  if (b.length === 0) return new Dict();
  try {
    return Dict.fromArgs(decodeAll(b, 'params', readArgs));
  } catch (e) {
    throw new VMError('BadParams', (e as Error).message);
  }
}
export function encodeDict(d: Dict): Uint8Array {
  const w = new Writer();
  const es = d.entries();
  w.u32(es.length);
  for (const [k, v] of es) w.bytes(k).bytes(v);
  return w.finish();
}
function decodeTransfer(b: Uint8Array): Balances {
  if (b.length === 0) return new Map();
  try {
    return decodeAll(b, 'transfer', (r) => readBalances(r));
  } catch (e) {
    throw new VMError('BadParams', (e as Error).message);
  }
}
function encodeKeys(keys: Uint8Array[]): Uint8Array {
  const w = new Writer().u32(keys.length);
  for (const k of keys) w.bytes(k);
  return w.finish();
}

/**
 * Host functions bound to one call's sandbox. Any VMError raised inside is kept in `failure` (so its kind
 * survives) and surfaces to the wasm runner as a ContractPanic via `wrap`.
 */
export function hostFunctions(sb: SandboxView, isView: boolean, wrap: (f: HostFunction) => HostFunction): HostFunctions {
  let ret: Uint8Array = new Uint8Array(0);
  let mem: () => Uint8Array = () => new Uint8Array(0);
  const park = (b: Uint8Array | undefined): number => {
    if (b === undefined) return -1;
    ret = b;
    return b.length;
  };
  const read = (ptr: unknown, len: unknown): Uint8Array => {
    const p = ptr as number;
    const n = len as number;
    const m = mem();
    if (p < 0 || n < 0 || p + n > m.length) throw new VMError('Trap', `host: memory access out of bounds (${p}+${n} > ${m.length})`);
    return m.slice(p, p + n);
  };
  const full = (): Sandbox => {
    if (isView) throw new VMError('ReadOnly', 'a view cannot do this');
    return sb as Sandbox;
  };
  const color = (ptr: unknown) => read(ptr, 32);
  const amount = (v: unknown): bigint => {
    const a = BigInt.asUintN(64, v as bigint);
    if (a === 0n) throw new VMError('BadParams', 'amount must be positive');
    return a;
  };
  const fns: Record<string, HostFunction> = {
    state_get: (_c, k, kl) => park(sb.state.get(read(k, kl))),
    state_has: (_c, k, kl) => (sb.state.has(read(k, kl)) ? 1 : 0),
    state_set: (_c, k, kl, v, vl) => full().state.set(read(k, kl), read(v, vl)),
    state_del: (_c, k, kl) => full().state.del(read(k, kl)),
    state_keys: (_c, p, pl) => park(encodeKeys(sb.state.keys(read(p, pl)))),
    param_get: (_c, k, kl) => (sb.chargeGas(GAS.param), park(sb.params.get(read(k, kl)))),
    result_set: (_c, k, kl, v, vl) => {
      sb.chargeGas(GAS.result);
      results.set(read(k, kl), read(v, vl));
    },
    ret_copy: (c, p) => {
      const m = c.memory();
      const at = p as number;
      if (at < 0 || at + ret.length > m.length) throw new VMError('Trap', 'host: ret_copy out of bounds');
      sb.chargeGas(BigInt(ret.length) * GAS.perByte);
      m.set(ret, at);
    },
    caller: () => park(encAgentID(full().caller())),
    contract: () => sb.contract() | 0,
    chain_id: () => {
      const w = new Writer();
      writeAddress(w, sb.chainId());
      return park(w.finish());
    },
    chain_owner: () => park(encAgentID(sb.chainOwnerId())),
    request_id: () => park(requestIDBytes(full().requestId())),
    timestamp: () => sb.timestamp(),
    entropy: () => park(full().entropy()),
    balance: (_c, cp) => sb.balances().get(hex(color(cp))) ?? 0n,
    incoming: (_c, cp) => full().incoming().get(hex(color(cp))) ?? 0n,
    transfer: (_c, ap, cp, amt) => {
      const agent = decodeAllVM(read(ap, 37), 'agent ID', readAgentID);
      full().transferToAgent(agent, balancesOf([[color(cp), amount(amt)]]));
    },
    transfer_to_address: (_c, ap, cp, amt) => {
      const addr = decodeAllVM(read(ap, 33), 'address', readAddress);
      full().transferToAddress(addr, balancesOf([[color(cp), amount(amt)]]));
    },
    mint: (_c, ap, amt) => full().mintToAddress(decodeAllVM(read(ap, 33), 'address', readAddress), amount(amt)),
    call: (_c, h, ep, pp, pl, tp, tl) => park(encodeDict(full().call((h as number) >>> 0, (ep as number) >>> 0, decodeDict(read(pp, pl)), decodeTransfer(read(tp, tl))))),
    call_view: (_c, h, ep, pp, pl) => park(encodeDict(sb.callView((h as number) >>> 0, (ep as number) >>> 0, decodeDict(read(pp, pl))))),
    post_request: (_c, cp, h, ep, pp, pl, tp, tl, lock) => {
      const chainId = decodeAllVM(read(cp, 33), 'chain ID', readAddress);
      full().postRequest({ chainId, hname: (h as number) >>> 0 }, (ep as number) >>> 0, decodeDict(read(pp, pl)), decodeTransfer(read(tp, tl)), (lock as number) >>> 0);
    },
    event: (_c, p, l) => full().event(utf8String(read(p, l))),
    log: (_c, p, l) => sb.log(utf8String(read(p, l))),
    panic: (_c, p, l) => {
      throw new VMError('Panic', utf8String(read(p, l)));
    },
    hname: (_c, p, l) => sb.utils.hname(utf8String(read(p, l))) | 0,
    blake2b: (_c, p, l) => park(sb.utils.blake2b256(read(p, l))),
    base58_encode: (_c, p, l) => park(utf8(sb.utils.base58Encode(read(p, l)))),
    ed25519_verify: (_c, pk, m, ml, sig) => (sb.utils.ed25519Verify(read(pk, 32), read(m, ml), read(sig, 64)) ? 1 : 0),
  };
  const results = new Dict();
  const bound: Record<string, HostFunction> = {};
  for (const [name, f] of Object.entries(fns)) {
    bound[name] = wrap((c, ...args) => {
      mem = () => c.memory();
      sb.chargeGas(HOST_CALL_GAS);
      return f(c, ...args);
    });
  }
  hostResults.set(bound, results);
  return { [HOST_MODULE]: bound };
}

/** The results a call's host functions collected (result_set). */
const hostResults = new WeakMap<object, Dict>();
export const resultsOf = (h: HostFunctions): Dict => hostResults.get(h[HOST_MODULE] as object) ?? new Dict();

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
function utf8String(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(b);
}
function decodeAllVM<T>(b: Uint8Array, what: string, f: Parameters<typeof decodeAll<T>>[2]): T {
  try {
    return decodeAll(b, what, f);
  } catch (e) {
    throw new VMError('BadParams', (e as Error).message);
  }
}

export const hnameArg = (h: Hname): number => h | 0;
export { base58Encode, decU32 };
