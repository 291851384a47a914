// ISCP smart-contract SDK for AssemblyScript (host ABI v1). Entry points are exported `(): void` functions;
// views are exported with the prefix `view_` (so `export function view_getCounter()` is the view `getCounter`).
import * as host from "./host";

/* ------------------------------------------------------------------ bytes */

export function str(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}
export function strOf(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, b.length);
}
export function u64Bytes(v: u64): Uint8Array {
  const b = new Uint8Array(8);
  store<u64>(b.dataStart, v);
  return b;
}
export function u64Of(b: Uint8Array): u64 {
  if (b.length != 8) panic("expected 8 bytes (u64)");
  return load<u64>(b.dataStart);
}
export function i64Bytes(v: i64): Uint8Array {
  return u64Bytes(<u64>v);
}
export function i64Of(b: Uint8Array): i64 {
  return <i64>u64Of(b);
}
export function u32Bytes(v: u32): Uint8Array {
  const b = new Uint8Array(4);
  store<u32>(b.dataStart, v);
  return b;
}
export function u32Of(b: Uint8Array): u32 {
  if (b.length != 4) panic("expected 4 bytes (u32)");
  return load<u32>(b.dataStart);
}
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
export function equal(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}
export function compare(a: Uint8Array, b: Uint8Array): i32 {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = <i32>a[i] - <i32>b[i];
    if (d != 0) return d;
  }
  return a.length - b.length;
}

/** `b` when it is `n` bytes long; otherwise a panic that says what was expected and what came. */
function sized(b: Uint8Array, n: i32, what: string): Uint8Array {
  if (b.length != n) panic(what + " (" + n.toString() + " bytes), got " + b.length.toString() + " bytes");
  return b;
}

function ret(len: i32): Uint8Array | null {
  if (len < 0) return null;
  const b = new Uint8Array(len);
  if (len > 0) host.ret_copy(b.dataStart);
  return b;
}
function retMust(len: i32): Uint8Array {
  const b = ret(len);
  if (b == null) panic("host returned nothing");
  return b!;
}

/* ------------------------------------------------------------------ failure */

export function panic(msg: string): void {
  const b = str(msg);
  host.panic(b.dataStart, b.length);
  unreachable();
}
export function require(cond: bool, msg: string): void {
  if (!cond) panic(msg);
}
/** Routed here by `--use abort=...`: AssemblyScript's own aborts (bounds, assertions) become ISCP panics. */
export function iscpAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  const m: string = message != null ? message : "";
  const f: string = file != null ? file : "?";
  panic("abort: " + m + " at " + f + ":" + line.toString());
}

/* ------------------------------------------------------------------ key/value collections (params, results, calls) */

/** Sorted unique byte keys, as the protocol's Args. */
export class Dict {
  keys: Uint8Array[] = [];
  values: Uint8Array[] = [];
  set(key: Uint8Array, value: Uint8Array): Dict {
    let i = 0;
    while (i < this.keys.length && compare(this.keys[i], key) < 0) i++;
    if (i < this.keys.length && compare(this.keys[i], key) == 0) {
      this.values[i] = value;
    } else {
      // insert at i, keeping keys sorted (AssemblyScript's splice cannot insert)
      this.keys.push(key);
      this.values.push(value);
      for (let j = this.keys.length - 1; j > i; j--) {
        this.keys[j] = this.keys[j - 1];
        this.values[j] = this.values[j - 1];
      }
      this.keys[i] = key;
      this.values[i] = value;
    }
    return this;
  }
  setStr(key: string, value: Uint8Array): Dict {
    return this.set(str(key), value);
  }
  get(key: Uint8Array): Uint8Array | null {
    for (let i = 0; i < this.keys.length; i++) if (equal(this.keys[i], key)) return this.values[i];
    return null;
  }
  getStr(key: string): Uint8Array | null {
    return this.get(str(key));
  }
  encode(): Uint8Array {
    let size = 4;
    for (let i = 0; i < this.keys.length; i++) size += 8 + this.keys[i].length + this.values[i].length;
    const out = new Uint8Array(size);
    let off = 0;
    store<u32>(out.dataStart + off, this.keys.length);
    off += 4;
    for (let i = 0; i < this.keys.length; i++) {
      store<u32>(out.dataStart + off, this.keys[i].length);
      off += 4;
      out.set(this.keys[i], off);
      off += this.keys[i].length;
      store<u32>(out.dataStart + off, this.values[i].length);
      off += 4;
      out.set(this.values[i], off);
      off += this.values[i].length;
    }
    return out;
  }
  static decode(b: Uint8Array): Dict {
    const d = new Dict();
    if (b.length == 0) return d;
    let off = 0;
    const n = load<u32>(b.dataStart);
    off += 4;
    for (let i: u32 = 0; i < n; i++) {
      const kl = load<u32>(b.dataStart + off);
      off += 4;
      const k = b.slice(off, off + kl);
      off += kl;
      const vl = load<u32>(b.dataStart + off);
      off += 4;
      const v = b.slice(off, off + vl);
      off += vl;
      d.keys.push(k);
      d.values.push(v);
    }
    return d;
  }
}

/* ------------------------------------------------------------------ state: this contract's partition only */

export namespace state {
  export function get(key: string): Uint8Array | null {
    const k = str(key);
    return ret(host.state_get(k.dataStart, k.length));
  }
  export function getBytes(key: Uint8Array): Uint8Array | null {
    return ret(host.state_get(key.dataStart, key.length));
  }
  export function has(key: string): bool {
    const k = str(key);
    return host.state_has(k.dataStart, k.length) != 0;
  }
  export function set(key: string, value: Uint8Array): void {
    const k = str(key);
    host.state_set(k.dataStart, k.length, value.dataStart, value.length);
  }
  export function setBytes(key: Uint8Array, value: Uint8Array): void {
    host.state_set(key.dataStart, key.length, value.dataStart, value.length);
  }
  export function del(key: string): void {
    const k = str(key);
    host.state_del(k.dataStart, k.length);
  }
  export function getU64(key: string, dflt: u64 = 0): u64 {
    const v = get(key);
    return v == null ? dflt : load<u64>(sized(v, 8, "state key '" + key + "' does not hold a u64").dataStart);
  }
  export function setU64(key: string, v: u64): void {
    set(key, u64Bytes(v));
  }
  export function getString(key: string, dflt: string = ""): string {
    const v = get(key);
    return v == null ? dflt : strOf(v);
  }
  export function setString(key: string, v: string): void {
    set(key, str(v));
  }
  /** The keys of this contract's state that start with `prefix`, in byte order (the same on every node). */
  export function keys(prefix: string = ""): string[] {
    const raw = keysBytes(str(prefix));
    const out = new Array<string>(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = strOf(raw[i]);
    return out;
  }
  export function keysBytes(prefix: Uint8Array): Uint8Array[] {
    const b = retMust(host.state_keys(prefix.dataStart, prefix.length));
    const n = load<u32>(b.dataStart);
    const out = new Array<Uint8Array>(<i32>n);
    let off = 4;
    for (let i: u32 = 0; i < n; i++) {
      const kl = <i32>load<u32>(b.dataStart + off);
      off += 4;
      out[i] = b.slice(off, off + kl);
      off += kl;
    }
    return out;
  }
}

/**
 * A named map in this contract's state: entry `k` is the state key "<name>.<k>", so entries survive like any
 * state and `keys()` lists them in byte order. A map's name cannot contain '.', so one map never sees another's
 * entries (maps "a" and "a.b" would overlap).
 */
export class StateMap {
  readonly name: string;
  private readonly prefix: string;
  constructor(name: string) {
    require(name.length > 0 && !name.includes("."), "StateMap name must be non-empty and without '.': " + name);
    this.name = name;
    this.prefix = name + ".";
  }
  has(k: string): bool {
    return state.has(this.prefix + k);
  }
  get(k: string): Uint8Array | null {
    return state.get(this.prefix + k);
  }
  set(k: string, v: Uint8Array): void {
    state.set(this.prefix + k, v);
  }
  del(k: string): void {
    state.del(this.prefix + k);
  }
  getU64(k: string, dflt: u64 = 0): u64 {
    return state.getU64(this.prefix + k, dflt);
  }
  setU64(k: string, v: u64): void {
    state.setU64(this.prefix + k, v);
  }
  getString(k: string, dflt: string = ""): string {
    return state.getString(this.prefix + k, dflt);
  }
  setString(k: string, v: string): void {
    state.setString(this.prefix + k, v);
  }
  /** The entries' keys (without the map's prefix), in byte order. */
  keys(): string[] {
    const full = state.keys(this.prefix);
    const out = new Array<string>(full.length);
    for (let i = 0; i < full.length; i++) out[i] = full[i].substring(this.prefix.length);
    return out;
  }
  size(): i32 {
    return state.keys(this.prefix).length;
  }
}

/* ------------------------------------------------------------------ params and results */

export namespace params {
  export function get(key: string): Uint8Array | null {
    const k = str(key);
    return ret(host.param_get(k.dataStart, k.length));
  }
  export function has(key: string): bool {
    return get(key) != null;
  }
  export function mustGet(key: string): Uint8Array {
    const v = get(key);
    if (v == null) panic("missing parameter '" + key + "'");
    return v!;
  }
  export function getU64(key: string, dflt: u64 = 0): u64 {
    const v = get(key);
    return v == null ? dflt : load<u64>(sized(v, 8, "parameter '" + key + "' must be a u64").dataStart);
  }
  export function mustU64(key: string): u64 {
    return load<u64>(sized(mustGet(key), 8, "parameter '" + key + "' must be a u64").dataStart);
  }
  export function getI64(key: string, dflt: i64 = 0): i64 {
    return <i64>getU64(key, <u64>dflt);
  }
  export function getString(key: string, dflt: string = ""): string {
    const v = get(key);
    return v == null ? dflt : strOf(v);
  }
  export function mustString(key: string): string {
    return strOf(mustGet(key));
  }
  /** A 37-byte agent ID (an address or chain ‖ hname). */
  export function mustAgentID(key: string): Uint8Array {
    return sized(mustGet(key), AGENT_ID_SIZE, "parameter '" + key + "' must be an agent ID");
  }
  /** A 33-byte L1 address (also a chain ID). */
  export function mustAddress(key: string): Uint8Array {
    return sized(mustGet(key), ADDRESS_SIZE, "parameter '" + key + "' must be an address");
  }
}

export namespace results {
  export function set(key: string, v: Uint8Array): void {
    const k = str(key);
    host.result_set(k.dataStart, k.length, v.dataStart, v.length);
  }
  export function setU64(key: string, v: u64): void {
    set(key, u64Bytes(v));
  }
  export function setString(key: string, v: string): void {
    set(key, str(v));
  }
}

/* ------------------------------------------------------------------ context */

export const AGENT_ID_SIZE = 37;
export const ADDRESS_SIZE = 33;

/** The agent that called this entry point (37 bytes: chain/address ‖ hname; hname 0 = an L1 address). */
export function caller(): Uint8Array {
  return retMust(host.caller());
}
export function chainOwner(): Uint8Array {
  return retMust(host.chain_owner());
}
export function chainId(): Uint8Array {
  return retMust(host.chain_id());
}
export function contractHname(): u32 {
  return host.contract();
}
export function requestId(): Uint8Array {
  return retMust(host.request_id());
}
/** Unix nanoseconds of this state update. */
export function timestamp(): i64 {
  return host.timestamp();
}
/** 32 bytes, the same on every committee member, unknown before the batch. */
export function entropy(): Uint8Array {
  return retMust(host.entropy());
}
export function isAddress(agent: Uint8Array): bool {
  return load<u32>(agent.dataStart + ADDRESS_SIZE) == 0;
}
/** The L1 address inside an address agent ID. */
export function addressOf(agent: Uint8Array): Uint8Array {
  return agent.slice(0, ADDRESS_SIZE);
}
export function hname(name: string): u32 {
  const b = str(name);
  return host.hname(b.dataStart, b.length);
}
export function blake2b(data: Uint8Array): Uint8Array {
  return retMust(host.blake2b(data.dataStart, data.length));
}
export function base58(data: Uint8Array): string {
  return strOf(retMust(host.base58_encode(data.dataStart, data.length)));
}
export function ed25519Verify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): bool {
  if (pk.length != 32 || sig.length != 64) return false;
  return host.ed25519_verify(pk.dataStart, msg.dataStart, msg.length, sig.dataStart) != 0;
}
export function event(msg: string): void {
  const b = str(msg);
  host.event(b.dataStart, b.length);
}
export function log(msg: string): void {
  const b = str(msg);
  host.log(b.dataStart, b.length);
}

/* ------------------------------------------------------------------ tokens */

export const IOTA: Uint8Array = new Uint8Array(32);

export function balance(color: Uint8Array): u64 {
  return host.balance(color.dataStart);
}
export function incoming(color: Uint8Array): u64 {
  return host.incoming(color.dataStart);
}
export function incomingIotas(): u64 {
  return incoming(IOTA);
}
/** Moves tokens from this contract's account to an on-chain account. */
export function transfer(agent: Uint8Array, color: Uint8Array, amount: u64): void {
  require(agent.length == AGENT_ID_SIZE, "agent ID must be 37 bytes");
  host.transfer(agent.dataStart, color.dataStart, amount);
}
/** Pays tokens out to an L1 address (an output of the anchor transaction). */
export function transferToAddress(address: Uint8Array, color: Uint8Array, amount: u64): void {
  require(address.length == ADDRESS_SIZE, "address must be 33 bytes");
  host.transfer_to_address(address.dataStart, color.dataStart, amount);
}
/** Mints `amount` tokens of a new color (= the anchor transaction ID) to an L1 address, paid with as many IOTAs. */
export function mint(address: Uint8Array, amount: u64): void {
  require(address.length == ADDRESS_SIZE, "address must be 33 bytes");
  host.mint(address.dataStart, amount);
}

function iotaTransfer(iotas: u64): Uint8Array {
  if (iotas == 0) return new Uint8Array(0);
  const t = new Uint8Array(4 + 32 + 8);
  store<u32>(t.dataStart, 1);
  store<u64>(t.dataStart + 36, iotas);
  return t;
}

/** Synchronous call to a contract on this chain; `iotas` move from this contract's account to the target's. */
export function call(contract: u32, entryPoint: u32, p: Dict | null = null, iotas: u64 = 0): Dict {
  const pb = p == null ? new Uint8Array(0) : p.encode();
  const t = iotaTransfer(iotas);
  return Dict.decode(retMust(host.call(contract, entryPoint, pb.dataStart, pb.length, t.dataStart, t.length)));
}
export function callView(contract: u32, view: u32, p: Dict | null = null): Dict {
  const pb = p == null ? new Uint8Array(0) : p.encode();
  return Dict.decode(retMust(host.call_view(contract, view, pb.dataStart, pb.length)));
}
/** An asynchronous request to a contract on another chain (sent by the anchor transaction). */
export function postRequest(chain: Uint8Array, contract: u32, entryPoint: u32, p: Dict | null = null, iotas: u64 = 0, timelock: u32 = 0): void {
  const pb = p == null ? new Uint8Array(0) : p.encode();
  const t = iotaTransfer(iotas);
  host.post_request(chain.dataStart, contract, entryPoint, pb.dataStart, pb.length, t.dataStart, t.length, timelock);
}
