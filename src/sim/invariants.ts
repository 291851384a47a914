import { addressKey, colorKey, requestIDKey, toHex, type Address, type RequestID } from '../protocol';
import { faucetGenesis, faucetKeyPair } from '../ledger/faucet';
import type { Block } from '../state/types';
import { isRequestProcessed, readReceipt } from '../vm/core/blocklog';
import { listAccounts, accountBalances, totalAssets } from '../vm/core/ledger';
import type { SimEngine } from './engine';

/** Violation of a safety invariant: the simulation stops at once with the seed that reproduces it. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

/**
 * The checks that make a run pass or fail. Safety on every honest commit as it happens (one block per index,
 * no request processed twice on a node); progress after every step (which posted requests every honest node
 * processed); and the end-of-workload checks the workloads call (accounts add up, time locks held, L1 supply).
 * Members Byzantine at the time of a check are left out: they may hold anything.
 */
export class Invariants {
  /** Committed state hash per chain and block index, from the first honest commit seen (safety invariant). */
  private readonly committedHash = new Map<string, string>();
  /** request → block index where each honest node processed it (exactly once per node). */
  private readonly processedAt = new Map<string, Map<number, number>>();
  /** Block timestamp (ms) per chain and block index, from honest commits. */
  private readonly blockAt = new Map<string, number>();
  private processedMemo: { stamp: string; all: boolean } | null = null;
  private markDoneStamp = '';

  constructor(private readonly e: SimEngine) {}

  /** Safety, checked inside the honest node's store commit (slot-store.ts). */
  onHonestCommit(index: number, chain: Address, block: Block, hash: Uint8Array, ids: readonly RequestID[]): void {
    const h = toHex(hash);
    const at = `${addressKey(chain)}#${block.blockIndex}`;
    const prev = this.committedHash.get(at);
    if (prev && prev !== h) throw new InvariantViolation(`two different blocks committed at index ${block.blockIndex} (node ${index})`);
    this.committedHash.set(at, h);
    this.blockAt.set(at, Number(block.timestamp / 1_000_000n));
    for (const id of ids) {
      const k = requestIDKey(id);
      const m = this.processedAt.get(k) ?? new Map<number, number>();
      if (m.has(index) && m.get(index) !== block.blockIndex) throw new InvariantViolation(`request ${k.slice(0, 12)} processed twice on node ${index}`);
      m.set(index, block.blockIndex);
      this.processedAt.set(k, m);
    }
  }

  /** Changes whenever an honest node's solid state may have changed (a commit, a crash, a restart). */
  private honestStamp(): string {
    return this.e.chains.map((c) => this.e.honest().map((s) => s.node?.solidState(c.address)?.blockIndex ?? 'x').join('/')).join('|');
  }

  allHonestProcessed(): boolean {
    // Checked after every step: only a changed state or a newly posted request can change the answer.
    const stamp = `${this.honestStamp()}|${this.e.posted.size}`;
    if (this.processedMemo?.stamp === stamp) return this.processedMemo.all;
    const all = this.allHonestProcessedNow();
    this.processedMemo = { stamp, all };
    return all;
  }

  private allHonestProcessedNow(): boolean {
    if (this.e.chains.length === 0) return false;
    for (const s of this.e.honest()) {
      for (const p of this.e.posted.values()) {
        const st = s.node?.solidState(p.chain);
        if (!st || !isRequestProcessed(st, p.id)) return false;
      }
    }
    return true;
  }

  /** End of every step: the time each posted request became processed on every honest node (its latency). */
  markDone(): void {
    if (this.e.chains.length === 0) return;
    const stamp = `${this.honestStamp()}|${this.e.posted.size}`;
    if (stamp === this.markDoneStamp) return;
    this.markDoneStamp = stamp;
    const honest = this.e.honest();
    for (const p of this.e.posted.values()) {
      if (p.doneMs !== null) continue;
      if (honest.every((s) => { const st = s.node?.solidState(p.chain); return st && isRequestProcessed(st, p.id); })) p.doneMs = this.e.now;
    }
  }

  /** All honest nodes at the L1 tip with equal state hashes. */
  quiescent(): boolean {
    return this.e.chains.every((c) => {
      const hashes = new Set(this.e.honest().map((s) => { const st = s.node?.solidState(c.address); return st ? toHex(st.stateHash) : 'none'; }));
      return hashes.size === 1 && !hashes.has('none');
    });
  }

  /** Spec "On-chain accounts": total assets = sum of accounts = chain-token UTXO balance without the chain token. */
  checkAccounts(): void {
    for (const c of this.e.chains) this.checkAccountsOf(c.address, c.color);
  }

  private checkAccountsOf(chain: Address, color: Uint8Array): void {
    const st = this.e.honest()[0]?.node?.solidState(chain);
    if (!st) return;
    const total = totalAssets(st);
    const sum = new Map<string, bigint>();
    for (const a of listAccounts(st, 100_000)) for (const [k, v] of accountBalances(st, a)) sum.set(k, (sum.get(k) ?? 0n) + v);
    const ck = colorKey(color);
    const utxo = this.e.ledger.getOutputs(chain).find((o) => o.balances.has(ck));
    const onL1 = new Map([...(utxo?.balances ?? new Map<string, bigint>())].filter(([k]) => k !== ck));
    const show = (b: ReadonlyMap<string, bigint>) => [...b].sort().map(([k, v]) => `${k.slice(0, 6)}:${v}`).join(',');
    if (show(total) !== show(sum) || show(total) !== show(onL1)) throw new InvariantViolation(`accounts invariant: total ${show(total)}, sum of accounts ${show(sum)}, chain UTXO ${show(onL1)}`);
  }

  /** No time-locked request was processed before its time: its block's timestamp is not earlier than the lock. */
  checkTimelocks(locks: readonly { id: RequestID; untilMs: number }[]): void {
    const chain = this.e.chainAddress as Address;
    for (const s of this.e.honest()) {
      const st = s.node?.solidState(chain);
      if (!st) continue;
      for (const l of locks) {
        const rc = readReceipt(st, l.id);
        const block = rc ? (this.blockAt.get(`${addressKey(chain)}#${rc.blockIndex}`) ?? null) : null;
        if (block === null) throw new InvariantViolation(`node ${s.index}: time-locked request has no receipt or block`);
        if (block < l.untilMs) throw new InvariantViolation(`node ${s.index}: a request locked until ${l.untilMs} was processed in a block of ${block}`);
      }
    }
    this.e.tally.timelockedProcessed = locks.length;
  }

  /** Token conservation on L1: what the genesis gave is all still there, across wallets, faucet and chains. */
  checkSupply(): void {
    const addresses = [faucetKeyPair().address, this.e.wallet.address, ...this.e.chains.map((c) => c.address)];
    let total = 0n;
    for (const a of addresses) for (const o of this.e.ledger.getUnspentOutputs(a)) for (const v of o.balances.values()) total += v;
    const genesis = [...faucetGenesis(faucetKeyPair()).balances.values()].reduce((x, y) => x + y, 0n);
    if (total !== genesis) throw new InvariantViolation(`total supply on L1 is ${total}, genesis gave ${genesis}`);
  }
}
