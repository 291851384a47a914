import { compareRequestIDs, txIdFromString, type Address, type RequestID } from '../protocol';
import type { VirtualState } from '../state/vstate';
import { decodePeerFrame, encodePeerFrame, type PeerFrame } from '../chain/wire';
import { leaderAt, leaderPermutation } from '../consensus/permutation';
import type { ComputationContextMsg, ConsensusMsg } from '../consensus/messages';
import { CONSENSUS_PARAMS } from '../consensus/params';
import { isRequestProcessed } from '../vm/core/blocklog';
import type { SimEngine, SimNodeSlot } from './engine';

/** flood: forged messages per member per tick. */
const FLOOD_PER_TICK = 8;
/** replay: frames kept (a random one is overwritten when full, so old states' frames linger) and re-sent per tick. */
const REPLAY_KEPT_MAX = 512;
const REPLAYS_PER_TICK = 4;

/**
 * Byzantine members acting on their own, every tick (byzantine.ts handles what they do to their own traffic):
 * hijack / hijackValid contexts for their own next leader slot, flood's forged messages, replay's old frames.
 * An omniscient adversary: it reads every honest node's round from its snapshot and the posted requests.
 */
export class ByzantineActs {
  /** replay: the frames each replaying member has seen, by slot index. */
  private readonly replayKept = new Map<number, Uint8Array[]>();
  /** hijack: the last (member → target, round) traced, so the trace shows each new hijack once. */
  private readonly hijackTraced = new Map<string, string>();

  constructor(private readonly e: SimEngine) {}

  actOnTick(): void {
    const chain = this.e.chainAddress;
    if (!chain) return;
    for (const b of this.e.slots) {
      if (!b.node || b.byzantine === null) continue;
      if (b.byzantine === 'hijack' || b.byzantine === 'hijackValid') this.hijack(b, chain);
      else if (b.byzantine === 'flood') this.flood(b, chain);
      else if (b.byzantine === 'replay') this.replay(b);
    }
  }

  private sendConsensus(from: SimNodeSlot, to: SimNodeSlot, chain: Address, msg: ConsensusMsg): void {
    this.e.send(from.id, to.id, { kind: 'peer', bytes: encodePeerFrame({ channel: 'consensus', chain, msg }) });
  }

  /** The round an honest node is in (from its snapshot) and its solid state, or null before it has one. */
  private roundOf(h: SimNodeSlot, chain: Address): { anchorTxId: Uint8Array; blockIndex: number; leaderPos: number; state: VirtualState } | null {
    const snap = h.node?.snapshot(chain);
    const state = h.node?.solidState(chain);
    if (!snap || !snap.anchorTxId || !state) return null;
    return { anchorTxId: txIdFromString(snap.anchorTxId), blockIndex: snap.blockIndex, leaderPos: snap.leaderPos, state };
  }

  /** Issue #12's attack: a context for the hijacker's own next slot after each honest member's position. */
  private hijack(b: SimNodeSlot, chain: Address): void {
    for (const h of this.e.honest()) {
      const r = h.node ? this.roundOf(h, chain) : null;
      if (!r) continue;
      const perm = leaderPermutation(r.anchorTxId, this.e.cfg.n);
      let pos = r.leaderPos + 1;
      while (leaderAt(perm, pos) !== b.index) pos++;
      const requestIds = b.byzantine === 'hijackValid' ? this.pendingIds(r.state) : this.invalidBatch(r.state);
      if (b.byzantine === 'hijackValid' && requestIds.length === 0) continue;
      const own = BigInt(this.e.unixMs + (this.e.cfg.clockSkewMs?.[b.index] ?? 0)) * 1_000_000n;
      const msg: ComputationContextMsg = {
        kind: 'computationContext',
        round: { anchorTxId: r.anchorTxId, blockIndex: r.blockIndex, leaderPos: pos },
        timestamp: own > r.state.timestamp ? own : r.state.timestamp + 1n,
        rewardAddress: chain,
        requestIds,
      };
      const key = `${b.index}>${h.index}`;
      const what = `${r.blockIndex}/${pos}`;
      if (this.hijackTraced.get(key) !== what) {
        this.hijackTraced.set(key, what);
        this.e.record(`node${b.index}`, `node${h.index}`, 'fault', `Hijack: a context (${requestIds.length} request(s)${b.byzantine === 'hijack' ? ', invalid' : ''}) for its own slot ${pos}, member at ${r.leaderPos}.`);
      }
      this.sendConsensus(b, h, chain, msg);
    }
  }

  /** Posted requests not processed on `state`, as a batch would order them (each whole transaction is posted). */
  private pendingIds(state: VirtualState): RequestID[] {
    const ids = [...this.e.posted.values()].filter((p) => !isRequestProcessed(state, p.id)).map((p) => p.id);
    return ids.sort(compareRequestIDs).slice(0, CONSENSUS_PARAMS.batchRequestsMax);
  }

  /** An invalid batch, one of: empty, unknown request, wrong order, duplicate, already processed. */
  private invalidBatch(state: VirtualState): RequestID[] {
    const pending = this.pendingIds(state);
    const processed = [...this.e.posted.values()].filter((p) => isRequestProcessed(state, p.id)).map((p) => p.id);
    switch (this.e.rng.int(5)) {
      case 0:
        return [];
      case 1:
        return [{ txId: this.e.rng.bytes(32), index: 0 }];
      case 2:
        return pending.length >= 2 ? [...pending].reverse() : [];
      case 3:
        return pending[0] ? [pending[0], pending[0]] : [];
      default:
        return processed[0] ? [processed[0], ...pending].sort(compareRequestIDs) : [];
    }
  }

  /** Forged messages of every kind to every other member, for random positions near theirs. */
  private flood(b: SimNodeSlot, chain: Address): void {
    for (const h of this.e.slots) {
      if (h === b || !h.node) continue;
      const r = this.roundOf(h, chain);
      if (!r) continue;
      const perm = leaderPermutation(r.anchorTxId, this.e.cfg.n);
      for (let i = 0; i < FLOOD_PER_TICK; i++) {
        const pos = r.leaderPos + this.e.rng.int(3 * this.e.cfg.n);
        const round = { anchorTxId: r.anchorTxId, blockIndex: r.blockIndex, leaderPos: pos };
        const randomIds = Array.from({ length: 1 + this.e.rng.int(32) }, () => ({ txId: this.e.rng.bytes(32), index: this.e.rng.int(4) }));
        const pending = this.pendingIds(r.state);
        switch (this.e.rng.int(5)) {
          case 0: {
            const ids = this.e.rng.int(2) === 0 ? randomIds.sort(compareRequestIDs) : pending;
            this.sendConsensus(b, h, chain, { kind: 'computationContext', round, timestamp: BigInt(this.e.unixMs) * 1_000_000n, rewardAddress: chain, requestIds: ids });
            break;
          }
          case 1: {
            // A notification to the member as the leader of a later position (half of them): tempts a catch-up.
            let p = pos;
            if (this.e.rng.int(2) === 0) while (leaderAt(perm, p) !== h.index) p++;
            this.sendConsensus(b, h, chain, { kind: 'requestNotification', round: { ...round, leaderPos: p }, requestIds: [...pending, ...randomIds].slice(0, CONSENSUS_PARAMS.notificationRequestsMax) });
            break;
          }
          case 2:
            this.sendConsensus(b, h, chain, { kind: 'resultAndPartialSig', round, contextHash: this.e.rng.bytes(32), resultHash: this.e.rng.bytes(32), partialSig: this.e.rng.bytes(48) });
            break;
          case 3:
            this.sendConsensus(b, h, chain, { kind: 'anchorPosted', round, anchorTxId: this.e.rng.bytes(32) });
            break;
          default:
            this.e.send(b.id, h.id, { kind: 'peer', bytes: this.e.rng.bytes(1 + this.e.rng.int(64)) });
        }
      }
    }
  }

  /** replay: a frame it sent or received, kept to re-send later. */
  keepForReplay(b: SimNodeSlot, bytes: Uint8Array): void {
    if (channelOf(bytes) !== 'consensus') return;
    const kept = this.replayKept.get(b.index) ?? [];
    this.replayKept.set(b.index, kept);
    if (kept.length < REPLAY_KEPT_MAX) kept.push(bytes);
    else kept[this.e.rng.int(kept.length)] = bytes;
  }

  /** Re-sends random kept frames (as itself: the peering authenticates the sender) to random members. */
  private replay(b: SimNodeSlot): void {
    const kept = this.replayKept.get(b.index);
    if (!kept || kept.length === 0) return;
    for (let i = 0; i < REPLAYS_PER_TICK; i++) {
      const to = this.e.slots[this.e.rng.int(this.e.slots.length)] as SimNodeSlot;
      if (to === b) continue;
      this.e.send(b.id, to.id, { kind: 'peer', bytes: kept[this.e.rng.int(kept.length)] as Uint8Array });
    }
  }
}

/** The peering channel of a frame (decoded: a malformed one is null, it carries nothing to keep or withhold). */
export function channelOf(bytes: Uint8Array): PeerFrame['channel'] | null {
  try {
    return decodePeerFrame(bytes).channel;
  } catch {
    return null;
  }
}
