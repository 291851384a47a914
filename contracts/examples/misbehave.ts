// Test fixture, not an example to copy: each entry point misbehaves in one way the VM must contain.
import { params, state, results, call, hname, panic, transfer, IOTA, caller, u64Bytes, str, Dict } from "iscp-browser-committee/sdk";

let sink: u32 = 0;

export function loopForever(): void {
  let i: u32 = 0;
  while (true) {
    i++;
    sink = i;
  }
}

export function memoryBomb(): void {
  const keep: Uint8Array[] = [];
  while (true) keep.push(new Uint8Array(1 << 20));
}

function rec(n: u64): u64 {
  return n == 0 ? 0 : rec(n - 1) + 1 + <u64>sink;
}
export function recurse(): void {
  results.set("depth", u64Bytes(rec(params.getU64("n", 1000000000))));
}

/** Writes `k` (a raw key) in its own partition. */
export function writeKey(): void {
  state.setBytes(params.mustGet("k"), str("mine"));
}
export function view_readKey(): void {
  const v = state.getBytes(params.mustGet("k"));
  results.set("found", u64Bytes(v == null ? 0 : 1));
}

export function callPanics(): void {
  state.set("before", str("x"));
  call(hname("misbehave"), hname("justPanic"));
}
export function justPanic(): void {
  panic("nested panic");
}

export function overspend(): void {
  transfer(caller(), IOTA, 1000000000);
}

export function manyKeys(): void {
  for (let i: u32 = 0; i < 100000; i++) state.set("k" + i.toString(), str("v"));
}

export function view_writes(): void {
  state.set("x", str("y"));
}

function deep(n: u64): u64 {
  if (n == 0) {
    const p = new Dict();
    p.setStr("n", u64Bytes(params.getU64("n", 0)));
    call(hname("misbehave"), hname("deepThenCall"), p);
    return 0;
  }
  return deep(n - 1) + 1 + <u64>sink;
}
/** Recurses `n` frames deep, then calls itself through the host: nested instances, each with a deep stack. */
export function deepThenCall(): void {
  results.set("d", u64Bytes(deep(params.getU64("n", 0))));
}
