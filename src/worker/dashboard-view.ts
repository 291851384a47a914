import { addressKey, addressToString, COLOR_IOTA, colorKey, hname, hnameToString, requestIDToString, type Address, type ChainID, type Hname } from '../protocol';
import type { StateReader } from '../state/types';
import type { Dict } from '../vm/dict';
import { EP, H } from '../vm/core/names';
import { readReceipt } from '../vm/core/blocklog';
import { chainDescription, listContractRecords } from '../vm/core/registry';
import type { ChainSnapshot } from '../node/node';
import type { DeploymentView } from '../node/setup';
import type { ChainView, NodeSnapshotView } from './bridge';
import type { BlocksSeen, ChainBook, PeerUp, PostedRequest } from './book';
import { dkgViewOf } from './deployment-view';
import { RUNTIME_LIMITS } from './limits';

/**
 * The dashboard's read model: node state + the runtime's bookkeeping → NodeSnapshotView. No clock, no timers,
 * no writes: the wiring decides when to call it and stores the blocks seen it returns.
 */

/** What the view reads from the node (WaspNode fits; tests pass plain objects). */
export interface DashboardReads {
  snapshot(chain: ChainID): ChainSnapshot | null;
  solidState(chain: ChainID): StateReader | null;
  callView(chain: ChainID, contract: Hname, view: Hname): Dict;
  deployments(): readonly DeploymentView[];
}

export interface DashboardInput {
  readonly nodeId: string;
  readonly nodeName: string;
  /** The time stamped on blocks first seen in this snapshot. */
  readonly nowMs: number;
  readonly wallet: { readonly address: Address; readonly iotas: bigint };
  readonly chains: readonly Readonly<ChainBook>[];
  readonly peers: ReadonlyMap<string, PeerUp>;
  readonly posted: readonly PostedRequest[];
}

export interface DashboardModel {
  readonly view: NodeSnapshotView;
  /** The blocks seen after this snapshot, one per input chain, in input order (unchanged for chains not shown). */
  readonly seen: readonly BlocksSeen[];
}

export function dashboardView(node: DashboardReads, input: DashboardInput): DashboardModel {
  const chains: ChainView[] = [];
  const seen: BlocksSeen[] = [];
  for (const meta of input.chains) {
    const s = node.snapshot(meta.record.chainAddress);
    if (!s) {
      seen.push(meta.seen);
      continue;
    }
    const now = blocksSeenAfter(meta.seen, s, input.nowMs);
    seen.push(now);
    chains.push(chainView(node, input, meta, s, now));
  }
  return {
    view: {
      nodeId: input.nodeId,
      nodeName: input.nodeName,
      wallet: { address: addressToString(input.wallet.address), balance: input.wallet.iotas.toString() },
      chains,
      dkg: node.deployments().map(dkgViewOf),
    },
    seen,
  };
}

/**
 * Every block committed since the last snapshot (several may commit within one snapshot interval), from the
 * node's recentBlocks, which carries each one's request count and state hash; the newest `blocksShown` kept.
 */
export function blocksSeenAfter(prev: BlocksSeen, s: ChainSnapshot, nowMs: number): BlocksSeen {
  if (s.blockIndex === prev.lastIndex) return prev;
  const blocks = [...prev.blocks];
  // The block's own time (the same on every member, and after a reload), not when this snapshot saw it.
  for (const rb of s.recentBlocks) if (rb.blockIndex > prev.lastIndex && rb.blockIndex > 0) blocks.push({ index: rb.blockIndex, timeMs: rb.timestampMs, requests: rb.requests, stateHash: rb.stateHash });
  // A state restored from the store (after a reload) has no recent commit: show it as it stands.
  if (s.blockIndex > 0 && !s.recentBlocks.some((b) => b.blockIndex === s.blockIndex)) blocks.push({ index: s.blockIndex, timeMs: nowMs, requests: 0, stateHash: s.stateHash });
  return { blocks: blocks.slice(-RUNTIME_LIMITS.blocksShown), lastIndex: s.blockIndex };
}

function chainView(node: DashboardReads, input: DashboardInput, meta: Readonly<ChainBook>, s: ChainSnapshot, seen: BlocksSeen): ChainView {
  const chainId = meta.record.chainAddress;
  const { nodeId, peers } = input;
  const ids = meta.record.committeeNodeIds;
  const st = node.solidState(chainId);
  return {
    chain: s.chain,
    // The creator's tab knows it first; every other member reads it from the chain's own state (root.init).
    description: meta.description || (st ? chainDescription(st) : ''),
    committee: ids.map((id) => ({ nodeId: id, up: id === nodeId || (peers.get(id)?.up ?? false) })),
    t: meta.record.t,
    myIndex: meta.record.myIndex,
    leader: s.leader === null ? undefined : ids.indexOf(s.leader),
    stage: s.synced ? s.stage : `syncing (${s.stage})`,
    quorumUp: 1 + ids.filter((id) => id !== nodeId && peers.get(id)?.up).length >= meta.record.t,
    blockIndex: s.blockIndex,
    stateHash: s.stateHash,
    evidence: s.evidence.map((e) => ({ member: e.member, kind: e.kind })),
    backlog: s.backlog.map((b) => ({ requestId: b.requestId, txId: b.txId, entryPoint: '' })),
    blocks: [...seen.blocks].reverse(),
    // The committee's own list: every anchor of the chain it saw, with its inclusion state from L1.
    anchors: s.anchors.slice(-RUNTIME_LIMITS.blocksShown).map((a) => ({ txId: a.txId, blockIndex: a.blockIndex, state: anchorState(a.state) })),
    contracts: st ? listContractRecords(st).map((r) => ({ name: r.name, hname: hnameToString(r.hname), description: r.description })) : [],
    errors: st ? requestErrors(st, chainId, input.posted) : [],
    balance: (st ? chainIotas(node, chainId) : 0n).toString(),
  };
}

/** Failed receipts of this tab's requests. Only the most recent posts are checked: bounded work at 5 snapshots/s. */
function requestErrors(st: StateReader, chainId: ChainID, posted: readonly PostedRequest[]): ChainView['errors'] {
  const errors: { requestId: string; message: string }[] = [];
  const key = addressKey(chainId);
  for (const q of posted.slice(-RUNTIME_LIMITS.errorsScannedMax)) {
    if (addressKey(q.chain) !== key) continue;
    const r = readReceipt(st, q.id);
    if (r?.error) errors.push({ requestId: requestIDToString(q.id), message: `${q.label}: ${r.error.kind}: ${r.error.message}` });
  }
  return errors.slice(-RUNTIME_LIMITS.errorsShown);
}

/** The chain's own iotas (accounts.totalAssets); a view that fails shows 0 rather than breaking the snapshot. */
function chainIotas(node: DashboardReads, chainId: ChainID): bigint {
  try {
    return decodeIotas(node.callView(chainId, H.accounts, hname(EP.accounts.totalAssets)));
  } catch {
    return 0n;
  }
}

function decodeIotas(d: Dict): bigint {
  const v = d.get(colorKey(COLOR_IOTA)) ?? d.get(new Uint8Array(32));
  if (!v || v.length !== 8) return 0n;
  return new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0, true);
}

/** The committee says 'posted' before L1 answered; the dashboard calls that 'pending'. */
function anchorState(s: string): ChainView['anchors'][number]['state'] {
  return s === 'booked' || s === 'confirmed' || s === 'rejected' ? s : 'pending';
}
