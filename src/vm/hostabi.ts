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
import { ContractPanic, VmNodeFault, type HostContext, type HostFunction, type HostFunctions, type HostImportSpec, type WasmValue } from './wasm/index';

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

/** What one running wasm call needs from its host functions. */
export interface HostCall {
  readonly sb: SandboxView;
  readonly isView: boolean;
  readonly results: Dict;
  /** The parked variable-length result (see ret_copy). */
  ret: Uint8Array;
  mem: () => Uint8Array;
  /** The instance's view of the host, set by the host function running right now (for the caller's depth). */
  hc: HostContext | undefined;
  /** Gas the sandbox charged during host calls (the wasm counter is charged the same). */
  hostGas: bigint;
  /** The first VMError a host call raised: its kind is kept, the program sees a ContractPanic. */
  failure: VMError | undefined;
}

/**
 * Wasm execution is synchronous and a host function always belongs to the innermost running call (a nested
 * call pushes, returns, pops), so one set of host functions serves every call through this stack: nothing is
 * allocated per call but the HostCall record.
 */
const active: HostCall[] = [];
const top = (): HostCall => {
  const c = active[active.length - 1];
  if (!c) throw new VMError('Panic', 'host function called outside a wasm call');
  return c;
};

/** Wasm calls running right now (outermost first). */
export const activeWasmCalls = (): number => active.length;

/**
 * Frame units the wasm call chain uses at this moment: the innermost running wasm call's depth counter (it is
 * inside a host function, e.g. `call`, possibly through native contracts), or 0 when no wasm call is running.
 * A nested wasm call starts from here, so one request's wasm frames share one budget (vm-spec §5).
 */
export function wasmCallerDepth(): number {
  const c = active[active.length - 1];
  return c?.hc ? c.hc.depth() : 0;
}

export function beginHostCall(sb: SandboxView, isView: boolean): HostCall {
  const call: HostCall = { sb, isView, results: new Dict(), ret: new Uint8Array(0), mem: () => new Uint8Array(0), hc: undefined, hostGas: 0n, failure: undefined };
  active.push(call);
  return call;
}
export function endHostCall(call: HostCall): void {
  if (active.pop() !== call) throw new Error('host call stack out of order');
}

const park = (c: HostCall, b: Uint8Array | undefined): number => {
  if (b === undefined) return -1;
  c.ret = b;
  return b.length;
};
const read = (c: HostCall, ptr: unknown, len: unknown): Uint8Array => {
  const p = ptr as number;
  const n = len as number;
  const m = c.mem();
  if (p < 0 || n < 0 || p + n > m.length) throw new VMError('Trap', `host: memory access out of bounds (${p}+${n} > ${m.length})`);
  return m.slice(p, p + n);
};
const full = (c: HostCall): Sandbox => {
  if (c.isView) throw new VMError('ReadOnly', 'a view cannot do this');
  return c.sb as Sandbox;
};
const color = (c: HostCall, ptr: unknown) => read(c, ptr, 32);
const amount = (v: unknown): bigint => {
  const a = BigInt.asUintN(64, v as bigint);
  if (a === 0n) throw new VMError('BadParams', 'amount must be positive');
  return a;
};

type Impl = (c: HostCall, hc: HostContext, ...args: WasmValue[]) => WasmValue | void;

const IMPLS: Record<string, Impl> = {
  state_get: (c, _h, k, kl) => park(c, c.sb.state.get(read(c, k, kl))),
  state_has: (c, _h, k, kl) => (c.sb.state.has(read(c, k, kl)) ? 1 : 0),
  state_set: (c, _h, k, kl, v, vl) => full(c).state.set(read(c, k, kl), read(c, v, vl)),
  state_del: (c, _h, k, kl) => full(c).state.del(read(c, k, kl)),
  state_keys: (c, _h, p, pl) => park(c, encodeKeys(c.sb.state.keys(read(c, p, pl)))),
  param_get: (c, _h, k, kl) => (c.sb.chargeGas(GAS.param), park(c, c.sb.params.get(read(c, k, kl)))),
  result_set: (c, _h, k, kl, v, vl) => {
    c.sb.chargeGas(GAS.result);
    c.results.set(read(c, k, kl), read(c, v, vl));
  },
  ret_copy: (c, h, p) => {
    const m = h.memory();
    const at = p as number;
    if (at < 0 || at + c.ret.length > m.length) throw new VMError('Trap', 'host: ret_copy out of bounds');
    c.sb.chargeGas(BigInt(c.ret.length) * GAS.perByte);
    m.set(c.ret, at);
  },
  caller: (c) => park(c, encAgentID(full(c).caller())),
  contract: (c) => c.sb.contract() | 0,
  chain_id: (c) => {
    const w = new Writer();
    writeAddress(w, c.sb.chainId());
    return park(c, w.finish());
  },
  chain_owner: (c) => park(c, encAgentID(c.sb.chainOwnerId())),
  request_id: (c) => park(c, requestIDBytes(full(c).requestId())),
  timestamp: (c) => c.sb.timestamp(),
  entropy: (c) => park(c, full(c).entropy()),
  balance: (c, _h, cp) => c.sb.balances().get(hex(color(c, cp))) ?? 0n,
  incoming: (c, _h, cp) => full(c).incoming().get(hex(color(c, cp))) ?? 0n,
  transfer: (c, _h, ap, cp, amt) => {
    const agent = decodeAllVM(read(c, ap, 37), 'agent ID', readAgentID);
    full(c).transferToAgent(agent, balancesOf([[color(c, cp), amount(amt)]]));
  },
  transfer_to_address: (c, _h, ap, cp, amt) => {
    const addr = decodeAllVM(read(c, ap, 33), 'address', readAddress);
    full(c).transferToAddress(addr, balancesOf([[color(c, cp), amount(amt)]]));
  },
  mint: (c, _h, ap, amt) => full(c).mintToAddress(decodeAllVM(read(c, ap, 33), 'address', readAddress), amount(amt)),
  call: (c, _h, h, ep, pp, pl, tp, tl) =>
    park(c, encodeDict(full(c).call((h as number) >>> 0, (ep as number) >>> 0, decodeDict(read(c, pp, pl)), decodeTransfer(read(c, tp, tl))))),
  call_view: (c, _h, h, ep, pp, pl) => park(c, encodeDict(c.sb.callView((h as number) >>> 0, (ep as number) >>> 0, decodeDict(read(c, pp, pl))))),
  post_request: (c, _h, cp, h, ep, pp, pl, tp, tl, lock) => {
    const chainId = decodeAllVM(read(c, cp, 33), 'chain ID', readAddress);
    full(c).postRequest({ chainId, hname: (h as number) >>> 0 }, (ep as number) >>> 0, decodeDict(read(c, pp, pl)), decodeTransfer(read(c, tp, tl)), (lock as number) >>> 0);
  },
  event: (c, _h, p, l) => full(c).event(utf8String(read(c, p, l))),
  log: (c, _h, p, l) => c.sb.log(utf8String(read(c, p, l))),
  panic: (c, _h, p, l) => {
    throw new VMError('Panic', utf8String(read(c, p, l)));
  },
  hname: (c, _h, p, l) => c.sb.utils.hname(utf8String(read(c, p, l))) | 0,
  blake2b: (c, _h, p, l) => park(c, c.sb.utils.blake2b256(read(c, p, l))),
  base58_encode: (c, _h, p, l) => park(c, utf8(c.sb.utils.base58Encode(read(c, p, l)))),
  ed25519_verify: (c, _h, pk, m, ml, sig) => (c.sb.utils.ed25519Verify(read(c, pk, 32), read(c, m, ml), read(c, sig, 64)) ? 1 : 0),
};

/**
 * Every host function: charges the call's base gas, runs, and mirrors what the sandbox charged onto the wasm
 * counter (so the program's own budget and the request's meter agree). A VMError is kept on the HostCall and
 * surfaces to the program as a ContractPanic.
 */
function bind(impl: Impl): HostFunction {
  return (hc, ...args) => {
    const c = top();
    if (c.hc !== hc) {
      c.hc = hc;
      c.mem = () => hc.memory();
    }
    const before = c.sb.gasLeft();
    try {
      c.sb.chargeGas(HOST_CALL_GAS);
      return impl(c, hc, ...args);
    } catch (e) {
      // A node fault (engine limit, bug) is not a contract outcome: another node would not see it.
      if (e instanceof VmNodeFault) throw e;
      c.failure ??= e instanceof VMError ? e : new VMError('Panic', e instanceof Error ? e.message : String(e));
      throw new ContractPanic(c.failure.message);
    } finally {
      const delta = before - c.sb.gasLeft();
      c.hostGas += delta;
      // Throws OutOfGas inside the program if its own counter has less left than the meter (it never has more).
      if (!c.failure && delta > 0n) hc.chargeGas(delta);
    }
  };
}

/** The host functions of ABI v1, built once. */
export const HOST_FUNCTIONS: HostFunctions = {
  [HOST_MODULE]: Object.fromEntries(HOST_IMPORTS.map((s) => [s.name, bind(IMPLS[s.name] as Impl)])),
};

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
