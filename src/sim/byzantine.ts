import { addBalances, addressEquals, addressKey, encodeSCPayload, utf8, type Address, type Balances } from '../protocol';
import { signTransaction } from '../crypto/ed25519';
import type { Block } from '../state/types';
import { VirtualState } from '../state/vstate';
import { decodePeerFrame, encodePeerFrame, type PeerFrame } from '../chain/wire';
import { roundKey } from '../consensus/operator';
import type { VmOutcome, VmTask } from '../consensus/vm-port';
import type { ThresholdSigner } from '../consensus/signer';
import { runBatch } from '../vm/runner';
import type { ByzantineKind } from './byzantine-kinds';
import type { ForgedSyncKind, SendPathByzantineKind } from './config';
import { ByzantineActs, channelOf } from './byzantine-acts';
import type { SimEngine, SimNodeSlot } from './engine';

const FORGED_SYNC_KINDS: readonly ForgedSyncKind[] = ['mutations', 'ownAnchor', 'madeUpAnchor'];
/** flood: extra copies of every frame it sends (its forged messages: byzantine-acts.ts). */
const FLOOD_COPIES = 3;

/**
 * The Byzantine members' behaviours (byzantine-kinds.ts says what each does): on what a member sends (peerSend:
 * silent, withheld, equivocating, flooded copies, forged sync blocks), in its VM and signer, and — in
 * byzantine-acts.ts — on its own every tick. It draws from the one seeded random source, so the same seed forges
 * the same messages.
 */
export class ByzantineMembers {
  /** forgedSync: blocks each forger committed (to rebuild the state a forged block follows), and forgeries sent. */
  private readonly forgerBlocks = new Map<string, Block[]>();
  forgedSyncSent = 0;
  private readonly equivocated = new Set<string>();
  private readonly acts: ByzantineActs;

  constructor(private readonly e: SimEngine) {
    this.acts = new ByzantineActs(e);
  }

  /** Every tick, before the nodes tick: the members that act on their own (byzantine-acts.ts). */
  actOnTick(): void {
    this.acts.actOnTick();
  }

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
    if (slot.byzantine === 'replay') this.acts.keepForReplay(slot, bytes);
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
    if (k === 'replay') this.acts.keepForReplay(slot, bytes);
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

/** Byzantine signer: partial signatures of the wrong message. */
function corruptSigner<S extends { partialSign(m: Uint8Array): Uint8Array }>(s: S): S {
  return { ...s, partialSign: (m: Uint8Array) => s.partialSign(Uint8Array.of(...m, 0xff)) };
}
