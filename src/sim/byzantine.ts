import { addBalances, addressEquals, addressKey, compareRequestIDs, encodeSCPayload, txIdFromString, utf8, type Address, type Balances, type RequestID } from '../protocol';
import { signTransaction } from '../crypto/ed25519';
import type { Block } from '../state/types';
import { VirtualState } from '../state/vstate';
import { decodePeerFrame, encodePeerFrame, type PeerFrame } from '../chain/wire';
import { roundKey } from '../consensus/operator';
import { leaderAt, leaderPermutation } from '../consensus/permutation';
import type { ComputationContextMsg, ConsensusMsg } from '../consensus/messages';
import { CONSENSUS_PARAMS } from '../consensus/params';
import type { VmOutcome, VmTask } from '../consensus/vm-port';
import type { ThresholdSigner } from '../consensus/signer';
import { runBatch } from '../vm/runner';
import { isRequestProcessed } from '../vm/core/blocklog';
import type { ByzantineKind } from './byzantine-kinds';
import type { ForgedSyncKind, SendPathByzantineKind } from './config';
import type { SimEngine, SimNodeSlot } from './engine';

const FORGED_SYNC_KINDS: readonly ForgedSyncKind[] = ['mutations', 'ownAnchor', 'madeUpAnchor'];
/** flood: extra copies of every frame it sends, and forged messages per member per tick. */
const FLOOD_COPIES = 3;
const FLOOD_PER_TICK = 8;
/** replay: frames kept (a random one is overwritten when full, so old states' frames linger) and re-sent per tick. */
const REPLAY_KEPT_MAX = 512;
const REPLAYS_PER_TICK = 4;

/**
 * The Byzantine members' behaviours (byzantine-kinds.ts says what each does): on what a member sends (peerSend),
 * in its VM and signer, and on its own every tick (actOnTick). The adversary is omniscient: it reads the honest
 * nodes' rounds from their snapshots and the posted requests from the engine. It draws from the one seeded
 * random source, so the same seed forges the same messages.
 */
export class ByzantineMembers {
  /** forgedSync: blocks each forger committed (to rebuild the state a forged block follows), and forgeries sent. */
  private readonly forgerBlocks = new Map<string, Block[]>();
  forgedSyncSent = 0;
  private readonly equivocated = new Set<string>();
  /** replay: the frames each replaying member has seen, by slot index. */
  private readonly replayKept = new Map<number, Uint8Array[]>();
  /** hijack: the last (member → target, round) traced, so the trace shows each new hijack once. */
  private readonly hijackTraced = new Map<string, string>();

  constructor(private readonly e: SimEngine) {}

  /**
   * A running honest member turns Byzantine from now on (e.g. "the leader of block #2 equivocates", resolved by the
   * classroom from the run). From then on it is excluded from the honest-member invariants, as if so from the start.
   */
  turn(index: number, kind: SendPathByzantineKind): void {
    const slot = this.e.slots[index];
    if (!slot) throw new Error(`sim: no member ${index}`);
    if (slot.byzantine !== null) return;
    slot.byzantine = kind;
    this.e.record(`node${index}`, '', 'fault', `Member ${index} turns Byzantine: ${kind}.`);
  }

  /** The VM a node runs (read at boot: wrongResult is a role from the start). */
  vmFor(kind: ByzantineKind | null): (task: VmTask) => VmOutcome {
    const meter = this.e.meter;
    if (kind !== 'wrongResult') return (task) => meter.time('vm', () => runBatch(task));
    // Byzantine: a result that differs in one state byte.
    return (task) => {
      const r = meter.time('vm', () => runBatch(task));
      const u = r.updates[0];
      if (!u) return r;
      return { ...r, updates: [{ ...u, mutations: [...u.mutations, { kind: 'set', key: utf8('byzantine'), value: Uint8Array.of(1) }] }, ...r.updates.slice(1)] };
    };
  }

  /** The threshold signer a node gets (measured; a badPartialSig member signs the wrong bytes). */
  signerFor(slot: SimNodeSlot, s: ThresholdSigner): ThresholdSigner {
    return this.e.meter.signer(slot.byzantine === 'badPartialSig' ? corruptSigner(s) : s);
  }

  /** A frame arriving at a member: the replayer keeps it. */
  onPeerArrival(slot: SimNodeSlot, bytes: Uint8Array): void {
    if (slot.byzantine === 'replay') this.keepForReplay(slot, bytes);
  }

  /** A Byzantine member committed a block: a forger keeps it, to forge on top of the state it leads to. */
  onCommit(index: number, chain: Address, block: Block): void {
    if (!this.e.cfg.byzantine?.some((b) => b.index === index && b.kind === 'forgedSync')) return;
    const k = `${index}|${addressKey(chain)}`;
    this.forgerBlocks.set(k, [...(this.forgerBlocks.get(k) ?? []), block]);
  }

  /** Peering of one node, with its Byzantine behaviour applied. */
  peerSend(slot: SimNodeSlot, to: string, bytes: Uint8Array): void {
    const k = slot.byzantine;
    if (k === 'silent') return;
    // A hijacker never helps: its own rounds, results and notifications are withheld (it still serves sync).
    if ((k === 'hijack' || k === 'hijackValid') && channelOf(bytes) === 'consensus') return;
    if (k === 'equivocate') bytes = this.equivocate(to, bytes);
    if (k === 'replay') this.keepForReplay(slot, bytes);
    if (k === 'forgedSync') bytes = this.forgeSync(slot, bytes);
    this.e.send(slot.id, to, { kind: 'peer', bytes });
    if (k === 'flood') for (let i = 0; i < FLOOD_COPIES; i++) this.e.send(slot.id, to, { kind: 'peer', bytes });
  }

  /** forgedSync: a block answer goes out forged (the three kinds in turn); every other frame as it was. */
  private forgeSync(slot: SimNodeSlot, bytes: Uint8Array): Uint8Array {
    const f = decodePeerFrame(bytes);
    if (f.channel !== 'sync' || f.msg.kind !== 'syncBlock') return bytes;
    const real = f.msg.block;
    const first = real.updates[0];
    if (!first) return bytes;
    const block: Block = { ...real, updates: [{ ...first, mutations: [...first.mutations, { kind: 'set', key: utf8('forged'), value: Uint8Array.of(1) }] }, ...real.updates.slice(1)] };
    const kinds = this.e.cfg.forgedSyncKinds ?? FORGED_SYNC_KINDS;
    const how = kinds[this.forgedSyncSent++ % kinds.length] as ForgedSyncKind;
    let anchorTxId = real.anchorTxId;
    if (how === 'ownAnchor') anchorTxId = this.forgedAnchor(slot, f.chain, block) ?? real.anchorTxId;
    else if (how === 'madeUpAnchor') anchorTxId = this.e.rng.bytes(32);
    this.e.record(`node${slot.index}`, '', 'fault', `Forged sync block #${real.blockIndex} (${how}).`);
    return encodePeerFrame({ ...f, msg: { kind: 'syncBlock', block: { ...block, anchorTxId } } });
  }

  /**
   * An L1 transaction the forger posts from the sim's wallet (to itself): a state section for `block` with the
   * state hash its forged mutations give. All it lacks is spending the chain's anchor output.
   */
  private forgedAnchor(slot: SimNodeSlot, chain: Address, block: Block): Uint8Array | null {
    const c = this.e.chains.find((x) => addressEquals(x.address, chain));
    if (!c) return null;
    const state = VirtualState.origin();
    for (const b of this.forgerBlocks.get(`${slot.index}|${addressKey(chain)}`) ?? []) if (b.blockIndex < block.blockIndex) state.applyBlock(b);
    if (state.blockIndex !== block.blockIndex - 1) return null;
    const funds = this.e.walletFunds();
    const total = funds.reduce<Balances>((sum, o) => addBalances(sum, o.balances), new Map());
    const dataPayload = encodeSCPayload({ state: { chainColor: c.color, blockIndex: block.blockIndex, timestamp: block.timestamp, stateHash: state.hashAfter(block) }, requests: [] });
    const tx = signTransaction({ inputs: funds.map((o) => o.id), outputs: [{ address: this.e.wallet.address, balances: total }], dataPayload }, [this.e.wallet]);
    return this.e.submit(tx, `forged anchor for block #${block.blockIndex}`);
  }

  /* ------------------------------------------------------------ acting on their own (every tick) */

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

  private keepForReplay(b: SimNodeSlot, bytes: Uint8Array): void {
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

  /** Equivocating leader: the first context of a round to each member has another timestamp (+1 ms). */
  private equivocate(to: string, bytes: Uint8Array): Uint8Array {
    let f: PeerFrame;
    try {
      f = decodePeerFrame(bytes);
    } catch {
      return bytes;
    }
    if (f.channel !== 'consensus' || f.msg.kind !== 'computationContext') return bytes;
    const key = `${roundKey(f.msg.round)}>${to}`;
    if (this.equivocated.has(key)) return bytes;
    if (this.equivocated.size > 10_000) this.equivocated.clear();
    this.equivocated.add(key);
    this.e.record('sim', '', 'fault', `Equivocating leader sends member ${to.slice(0, 8)} a different context.`);
    return encodePeerFrame({ ...f, msg: { ...f.msg, timestamp: f.msg.timestamp + 1_000_000n } });
  }

}

/** The peering channel of a frame (decoded: a malformed one is null, it carries nothing to keep or withhold). */
function channelOf(bytes: Uint8Array): PeerFrame['channel'] | null {
  try {
    return decodePeerFrame(bytes).channel;
  } catch {
    return null;
  }
}

/** Byzantine signer: partial signatures of the wrong message. */
function corruptSigner<S extends { partialSign(m: Uint8Array): Uint8Array }>(s: S): S {
  return { ...s, partialSign: (m: Uint8Array) => s.partialSign(Uint8Array.of(...m, 0xff)) };
}
