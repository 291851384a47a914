import type { SignatureVerifier } from '../protocol';
import type { ThresholdSigner } from '../consensus/signer';

/**
 * Where the request workload's time went (after the chain is deployed), all nodes in this one process. The parts
 * are measured around the calls the simulator makes (the nodes' threshold signers, their VM, the L1 ledger's
 * signature verifier, the wallet's signing) in process CPU time (wall time in a browser), so `otherMs` is the
 * rest of the CPU time: codecs, hashing, backlog, state, store, the simulator itself.
 */
export interface SimCost {
  readonly wallMs: number;
  /** Process CPU time (user + system) over the same span: less sensitive to other processes than wall time (NaN in a browser). */
  readonly cpuMs: number;
  /** Threshold BLS in the committee nodes: partial signs, partial and master verifications, combining. */
  readonly blsNodesMs: number;
  readonly blsNodeOps: { readonly sign: number; readonly verifyPartial: number; readonly combine: number; readonly verifyMaster: number };
  /** The L1 ledger and node-connection server, without their signature checks (booking, confirming, routing). */
  readonly l1Ms: number;
  /** The L1 ledger verifying transaction signatures (request txs: ed25519; anchors: BLS). */
  readonly l1VerifyMs: number;
  readonly l1BlsVerifies: number;
  /** runBatch on every node. */
  readonly vmMs: number;
  /** The simulated wallet building and signing request transactions (a client cost, not the committee's). */
  readonly clientMs: number;
  readonly otherMs: number;
  /** Blocks committed during the workload. */
  readonly blocks: number;
}

type Bucket = 'blsNodes' | 'l1' | 'l1Verify' | 'vm' | 'client';

const proc = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;

/** Process CPU time in ms, or NaN where there is no `process` (the classroom runs the simulator in a browser worker). */
function cpuNowMs(): number {
  const u = proc?.cpuUsage?.();
  return u ? (u.user + u.system) / 1000 : NaN;
}

/**
 * The clock parts are measured with: process CPU time where there is one (on a shared machine wall time mostly
 * measures the other processes), else wall time.
 */
const partClock: () => number = proc?.cpuUsage ? cpuNowMs : () => performance.now();

/**
 * Accumulates the time spent in the parts the simulator calls (see SimCost). Measuring never changes what
 * the wrapped functions return, so runs stay deterministic; `reset()` starts the measured span.
 */
export class CostMeter {
  private ms: Record<Bucket, number> = { blsNodes: 0, l1: 0, l1Verify: 0, vm: 0, client: 0 };
  /** Time of nested measured calls, per open call (the signature checks inside an L1 submit): kept exclusive. */
  private readonly open: number[] = [];
  private ops = { sign: 0, verifyPartial: 0, combine: 0, verifyMaster: 0, l1Bls: 0 };
  private wall0 = performance.now();
  private cpu0 = cpuNowMs();
  private blocks0 = 0;

  reset(blocksNow: number): void {
    this.ms = { blsNodes: 0, l1: 0, l1Verify: 0, vm: 0, client: 0 };
    this.ops = { sign: 0, verifyPartial: 0, combine: 0, verifyMaster: 0, l1Bls: 0 };
    this.wall0 = performance.now();
    this.cpu0 = cpuNowMs();
    this.blocks0 = blocksNow;
  }

  time<T>(bucket: Bucket, f: () => T): T {
    const t0 = partClock();
    this.open.push(0);
    try {
      return f();
    } finally {
      const elapsed = partClock() - t0;
      const nested = this.open.pop() as number;
      this.ms[bucket] += elapsed - nested;
      if (this.open.length > 0) this.open[this.open.length - 1] = (this.open[this.open.length - 1] as number) + elapsed;
    }
  }

  signer(s: ThresholdSigner): ThresholdSigner {
    const op = <A extends unknown[], R>(name: 'sign' | 'verifyPartial' | 'combine' | 'verifyMaster', f: (...a: A) => R) => (...a: A): R => {
      this.ops[name]++;
      return this.time('blsNodes', () => f(...a));
    };
    return {
      n: s.n,
      t: s.t,
      index: s.index,
      masterPublicKey: s.masterPublicKey,
      partialSign: op('sign', (m: Uint8Array) => s.partialSign(m)),
      verifyPartial: op('verifyPartial', (i: number, m: Uint8Array, p: Uint8Array) => s.verifyPartial(i, m, p)),
      combine: op('combine', (ps: readonly { index: number; signature: Uint8Array }[]) => s.combine(ps)),
      verifyMaster: op('verifyMaster', (m: Uint8Array, sig: Uint8Array) => s.verifyMaster(m, sig)),
    };
  }

  verifier(v: SignatureVerifier): SignatureVerifier {
    return {
      ed25519: (pk, m, sig) => this.time('l1Verify', () => v.ed25519(pk, m, sig)),
      bls: (pk, m, sig) => {
        this.ops.l1Bls++;
        return this.time('l1Verify', () => v.bls(pk, m, sig));
      },
    };
  }

  result(blocksNow: number): SimCost {
    const wallMs = performance.now() - this.wall0;
    const { blsNodes, l1, l1Verify, vm, client } = this.ms;
    return {
      wallMs,
      cpuMs: cpuNowMs() - this.cpu0,
      blsNodesMs: blsNodes,
      blsNodeOps: { sign: this.ops.sign, verifyPartial: this.ops.verifyPartial, combine: this.ops.combine, verifyMaster: this.ops.verifyMaster },
      l1Ms: l1,
      l1VerifyMs: l1Verify,
      l1BlsVerifies: this.ops.l1Bls,
      vmMs: vm,
      clientMs: client,
      otherMs: Math.max(0, (proc?.cpuUsage ? cpuNowMs() - this.cpu0 : wallMs) - blsNodes - l1 - l1Verify - vm - client),
      blocks: blocksNow - this.blocks0,
    };
  }
}
