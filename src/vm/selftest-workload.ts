/**
 * The VM determinism self-test: a fixed workload through the real batch runner (core contracts, the example
 * wasm contracts, contracts that fail in every contained way) plus a float NaN-canonicalization run of the wasm
 * layer, summarised as hashes and per-request gas/outcomes and one digest over all of it.
 *
 * The same workload runs in Node (vitest, and inside the Playwright test process) and in a Chromium module
 * worker (#/selftest); equal digests mean byte-identical blocks, state hashes and gas on both engines/tiers.
 * Pure: the contract bytes are passed in (Node reads files, the worker fetches assets), no clock or randomness.
 */
import { agentIDBytes, blake2b256, toHex, utf8 } from '../protocol';
import { blockHash, encodeBlock } from '../state/block';
import { decU64, encU64 } from './dict';
import { EP, H } from './core/names';
import { Solo, type SoloChain, type SoloRequest } from './solo/solo';
import { ModuleBuilder, block, f64c, i32c, i64c, ins } from './wasm/asm';
import { DEFAULT_POLICY_V2, callExport, compileProgramSync, instrumentModule, setInstanceReuse, type CallOutcome } from './wasm/index';

/** Contracts from contracts/build/*.wasm the workload deploys. */
export const SELFTEST_CONTRACTS = ['counter', 'fairroulette', 'donatewithfeedback', 'tokenregistry', 'misbehave'] as const;
export type SelftestContract = (typeof SELFTEST_CONTRACTS)[number];
export type SelftestWasm = Readonly<Record<SelftestContract, Uint8Array>>;

export interface SelftestRequestLine {
  readonly label: string;
  readonly ok: boolean;
  /** VM error kind, or null. */
  readonly error: string | null;
  readonly gasUsed: string;
}

export interface SelftestBatchLine {
  readonly blockIndex: number;
  readonly blockHash: string;
  /** blake2b-256 of the encoded block: the state updates byte for byte. */
  readonly blockBytesHash: string;
  readonly stateHash: string;
  readonly requests: readonly SelftestRequestLine[];
}

export interface SelftestFloatLine {
  readonly name: string;
  readonly ok: boolean;
  readonly kind: string | null;
  /** Result bits (decimal) when ok. */
  readonly result: string | null;
  readonly gasUsed: string;
}

export interface SelftestReport {
  readonly version: 1;
  readonly batches: readonly SelftestBatchLine[];
  /** View results read after the workload (hex). */
  readonly views: Readonly<Record<string, string>>;
  readonly floats: readonly SelftestFloatLine[];
  readonly finalStateHash: string;
  readonly totalGas: string;
  /** blake2b-256 over the canonical JSON of everything above. */
  readonly digest: string;
}

const SEC = 1_000_000_000n;
/** The chain seed: fixes chain ID, wallets, request IDs. */
export const SELFTEST_SEED = 20260101;

class Recorder {
  readonly batches: SelftestBatchLine[] = [];
  constructor(readonly ch: SoloChain) {}

  /** Records the last `n` batches Solo ran, labelled in order. */
  private take(labels: readonly (readonly string[])[]): void {
    const results = this.ch.lastResults.slice(-labels.length);
    if (results.length !== labels.length) throw new Error('selftest: missing batch results');
    results.forEach((res, i) => {
      const names = labels[i] as readonly string[];
      if (!res.block || !res.stateHash) throw new Error(`selftest: batch ${names.join(',')} produced no block`);
      if (res.receipts.length !== names.length) throw new Error(`selftest: ${names.length} requests but ${res.receipts.length} receipts`);
      this.batches.push({
        blockIndex: res.block.blockIndex,
        blockHash: toHex(blockHash(res.block)),
        blockBytesHash: toHex(blake2b256(encodeBlock(res.block))),
        stateHash: toHex(res.stateHash),
        requests: res.receipts.map((r, j) => ({ label: names[j] as string, ok: r.ok, error: r.error?.kind ?? null, gasUsed: r.gasUsed.toString() })),
      });
    });
  }

  batch(reqs: readonly (SoloRequest & { label: string })[]): void {
    this.ch.postRequests(reqs);
    this.take([reqs.map((r) => r.label)]);
  }

  deploy(name: string, wasm: Uint8Array, initParams?: Record<string, Uint8Array>): void {
    const r = this.ch.deployContract(name, wasm, initParams ? { initParams } : {});
    if (!r.ok) throw new Error(`selftest: deploying ${name} failed: ${r.error?.kind}: ${r.error?.message}`);
    this.take([[`deploy ${name}: store blob`], [`deploy ${name}: root.deployContract`]]);
  }
}

/**
 * Runs the fixed workload. Throws only if the workload itself is broken (a deploy failing, a missing block).
 * `freshInstances`: instantiate for every wasm call instead of resetting idle instances (same report expected).
 */
export function runSelftestWorkload(wasm: SelftestWasm, opts: { readonly freshInstances?: boolean } = {}): SelftestReport {
  const reuse = setInstanceReuse(opts.freshInstances !== true);
  try {
    return workload(wasm);
  } finally {
    setInstanceReuse(reuse);
  }
}

function workload(wasm: SelftestWasm): SelftestReport {
  const ch = Solo.newChain({ seed: SELFTEST_SEED, description: 'vm selftest' });
  const rec = new Recorder(ch);
  // The init batch (root.init in newChain) is not listed; its block is in every later state hash.
  const u64 = encU64;

  for (const c of SELFTEST_CONTRACTS) {
    rec.deploy(c, wasm[c], c === 'fairroulette' ? { period: u64(10n * SEC) } : c === 'donatewithfeedback' ? { owner: agentIDBytes(ch.owner.agentId) } : undefined);
  }

  // Counter: several requests in one block.
  rec.batch([1, 2, 3].map((i) => ({ label: `counter.increment #${i}`, contract: 'counter', entryPoint: 'increment' })));

  // Roulette with entropy: six players in one block, an early play (refused), then the real play.
  const players = [1n, 2n, 3n, 4n, 5n, 1n].map((color, i) => ({ w: ch.newWallet(`player${i}`, 10_000n), color, amount: BigInt(100 * (i + 1)) }));
  rec.batch(players.map((p, i) => ({ label: `roulette.placeBet #${i}`, contract: 'fairroulette', entryPoint: 'placeBet', params: { color: u64(p.color) }, transfer: p.amount, sender: p.w })));
  rec.batch([
    { label: 'roulette.playPeriod (too early)', contract: 'fairroulette', entryPoint: 'playPeriod' },
    { label: 'roulette.placeBet (bad color)', contract: 'fairroulette', entryPoint: 'placeBet', params: { color: u64(9n) }, transfer: 5n },
  ]);
  ch.advanceClock(10n * SEC);
  rec.batch([{ label: 'roulette.playPeriod', contract: 'fairroulette', entryPoint: 'playPeriod' }]);

  // Donations, an owner withdrawal to L1, a token mint (L1 MINT output).
  const donor = ch.newWallet('donor', 5_000n);
  rec.batch([
    { label: 'donate #1', contract: 'donatewithfeedback', entryPoint: 'donate', params: { f: utf8('great work') }, transfer: 300n, sender: donor },
    { label: 'donate (no IOTAs)', contract: 'donatewithfeedback', entryPoint: 'donate', sender: donor },
    { label: 'donate.withdraw', contract: 'donatewithfeedback', entryPoint: 'withdraw', params: { s: u64(100n) } },
  ]);
  const minter = ch.newWallet('minter', 5_000n);
  rec.batch([{ label: 'tokenregistry.mintSupply', contract: 'tokenregistry', entryPoint: 'mintSupply', params: { s: u64(1000n), dscr: utf8('selftest token') }, transfer: 1200n, sender: minter }]);

  // Failures the VM must contain, each with its exact gas.
  rec.batch([
    { label: 'misbehave.loopForever (OutOfGas)', contract: 'misbehave', entryPoint: 'loopForever', transfer: 7n },
    { label: 'misbehave.recurse (StackOverflow)', contract: 'misbehave', entryPoint: 'recurse' },
    { label: 'misbehave.deepThenCall n=10 (CallDepthExceeded)', contract: 'misbehave', entryPoint: 'deepThenCall', params: { n: u64(10n) } },
    { label: 'misbehave.deepThenCall n=300 (shared frame budget)', contract: 'misbehave', entryPoint: 'deepThenCall', params: { n: u64(300n) } },
    { label: 'misbehave.callPanics (Panic)', contract: 'misbehave', entryPoint: 'callPanics' },
    { label: 'misbehave.overspend (InsufficientFunds)', contract: 'misbehave', entryPoint: 'overspend' },
    { label: 'misbehave.memoryBomb (OutOfGas)', contract: 'misbehave', entryPoint: 'memoryBomb' },
    { label: 'no such entry point', contract: 'misbehave', entryPoint: 'nope' },
  ]);

  // Core contracts: a governance change, then a withdrawal of the refunded funds to L1.
  rec.batch([
    { label: 'governance.setChainParams', contract: H.governance, entryPoint: EP.governance.setChainParams, params: { gasLimitPerRequest: u64(20_000_000n) } },
    { label: 'accounts.withdrawToAddress', contract: H.accounts, entryPoint: EP.accounts.withdrawToAddress },
    { label: 'counter.increment (after gas change)', contract: 'counter', entryPoint: 'increment' },
  ]);

  const views: Record<string, string> = {
    'counter.getCounter': decU64(ch.callView('counter', 'getCounter').bytes('counter')).toString(),
    'fairroulette.lastWinningColor': decU64(ch.callView('fairroulette', 'lastWinningColor').bytes('color')).toString(),
    'fairroulette.roundInfo.pot': decU64(ch.callView('fairroulette', 'roundInfo').bytes('pot')).toString(),
    'tokenregistry.getRegistry.count': decU64(ch.callView('tokenregistry', 'getRegistry').bytes('count')).toString(),
  };
  ch.checkInvariant();

  const floats = floatWorkload();
  const last = rec.batches.at(-1);
  const body = {
    version: 1 as const,
    batches: rec.batches,
    views,
    floats,
    finalStateHash: last ? last.stateHash : '',
    totalGas: rec.batches.reduce((s, b) => s + b.requests.reduce((t, r) => t + BigInt(r.gasUsed), 0n), 0n).toString(),
  };
  return { ...body, digest: toHex(blake2b256(utf8(JSON.stringify(body)))) };
}

/**
 * Floats are forbidden on chains today, but the wasm layer's `floats: canonicalize` policy is part of the rules
 * (vm-spec §6): NaN-producing operations in a loop (long enough for the engine to tier up), folded into one
 * i64 of result bits, plus single operations whose raw NaN differs between engines (x86 0/0 is negative).
 */
function floatWorkload(): SelftestFloatLine[] {
  const b = new ModuleBuilder();
  // mix(n): acc = 0; for i in 0..n: x = f64(i); acc = acc*31 + bits((x-x)/0) + bits(sqrt(-x-1)) + bits(x*0.5)
  const bits = (body: number[]) => [...body, ...ins('i64.reinterpret_f64'), ...ins('i64.add')];
  b.func(['i32'], ['i64'], ['i64', 'i32', 'f64'], [
    ...block('loop'),
    ...ins('local.get', 2), ...ins('f64.convert_i32_s'), ...ins('local.set', 3),
    ...ins('local.get', 1), ...i64c(31), ...ins('i64.mul'),
    ...bits([...ins('local.get', 3), ...ins('local.get', 3), ...ins('f64.sub'), ...f64c(0), ...ins('f64.div')]),
    ...bits([...ins('local.get', 3), ...ins('f64.neg'), ...f64c(1), ...ins('f64.sub'), ...ins('f64.sqrt')]),
    ...bits([...ins('local.get', 3), ...f64c(0.5), ...ins('f64.mul')]),
    ...ins('local.set', 1),
    ...ins('local.get', 2), ...i32c(1), ...ins('i32.add'), ...ins('local.tee', 2),
    ...ins('local.get', 0), ...ins('i32.lt_s'), ...ins('br_if', 0),
    ...ins('end'),
    ...ins('local.get', 1),
  ], 'mix');
  b.func([], ['i64'], [], [...f64c(0), ...f64c(0), ...ins('f64.div'), ...ins('i64.reinterpret_f64')], 'zeroDiv');
  b.func([], ['i32'], [], [...f64c(Infinity), ...f64c(Infinity), ...ins('f64.sub'), ...ins('f32.demote_f64'), ...ins('i32.reinterpret_f32')], 'infMinusInf32');
  b.func([], ['i64'], [], [...f64c(1.5), ...f64c(2.25), ...ins('f64.mul'), ...ins('i64.reinterpret_f64')], 'mul');
  const p = compileProgramSync(instrumentModule(b.build(), { ...DEFAULT_POLICY_V2, floats: 'canonicalize' }));
  const line = (name: string, o: CallOutcome): SelftestFloatLine => ({
    name,
    ok: o.ok,
    kind: o.ok ? null : o.kind,
    result: o.ok ? String(o.results[0]) : null,
    gasUsed: o.gasUsed.toString(),
  });
  return [
    line('mix(20000)', callExport(p, 'mix', [20_000], {}, 10_000_000n)),
    line('mix(20000) again', callExport(p, 'mix', [20_000], {}, 10_000_000n)),
    line('mix out of gas', callExport(p, 'mix', [20_000], {}, 100_000n)),
    line('0/0', callExport(p, 'zeroDiv', [], {}, 1000n)),
    line('f32(inf-inf)', callExport(p, 'infMinusInf32', [], {}, 1000n)),
    line('1.5*2.25', callExport(p, 'mul', [], {}, 1000n)),
  ];
}
