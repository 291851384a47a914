import { addressFromPublicKey, addressKey, addressToString, AddressKind, DecodeError, fromHex, hname, requestIDToString, toHex, txIdToString, type Address, type ChainID, type Hname, type RequestID, type TransactionID } from '../protocol';
import { runBatch, callView as vmCallView, describeContracts as vmDescribeContracts, type ContractDescription } from '../vm/runner';
import { isRequestProcessed } from '../vm/core/blocklog';
import { Dict } from '../vm/dict';
import { H, EP, P } from '../vm/core/names';
import { blobHash } from '../vm/core/blob-store';
import { buildRequestTx, type RequestSpec } from '../chain/deploy';
import { encodeSetupMsg, sessionAddress } from '../chain/setup-wire';
import type { Ed25519KeyPair } from '../crypto/ed25519';
import { ChainSetup, type DeployChainOptions, type DeployChainResult, type DeploymentView } from './setup';
import { L1WalletClient, NodeApiError, type WalletSpender } from './l1-wallet';
import { VirtualState } from '../state/vstate';
import type { BootupRecord, RegistryKeyShare } from '../state/store';
import { Committee, type CommitteeAction } from '../chain/committee';
import { decodePeerFrame, encodePeerFrame } from '../chain/wire';
import { blsThresholdSigner, type ThresholdSigner } from '../consensus/signer';
import { DEFAULT_TIMEOUTS, type ConsensusTimeouts } from '../consensus/params';
import type { Evidence } from '../consensus/evidence';
import type { SyncRefusal } from '../state/manager';
import { verifyStoredChain } from '../state/verify-store';
import type { Block } from '../state/types';
import type { VmOutcome, VmTask } from '../consensus/vm-port';
import type { WaspFromNode } from '../nodeconn/messages';
import type { NodeComponents, ProtocolEvent } from './types';
import { ChainRecordAsks, type ChainRecordAnswer } from './chain-records';

/** Recent blocks and protocol events kept for dashboards (bounded). */
export const NODE_LIMITS = { recentBlocksShown: 16, eventsBuffered: 2_000 } as const;

/** A committed block as dashboards list it. */
export interface RecentBlock {
  readonly blockIndex: number;
  readonly requests: number;
  readonly anchorTxId: string;
  readonly stateHash: string;
  /** The block's own timestamp (its last state update), in ms: the same on every node, also after a reload. */
  readonly timestampMs: number;
}

function recentBlock(block: Block, stateHash: Uint8Array, requests: number): RecentBlock {
  return { blockIndex: block.blockIndex, requests, anchorTxId: txIdToString(block.anchorTxId), stateHash: toHex(stateHash), timestampMs: Number(block.timestamp / 1_000_000n) };
}

export interface ChainSnapshot {
  readonly chain: string;
  readonly blockIndex: number;
  readonly stateHash: string;
  readonly anchorTxId: string | null;
  readonly synced: boolean;
  readonly leader: string | null;
  readonly leaderPos: number;
  readonly stage: string;
  readonly backlog: readonly { readonly requestId: string; readonly txId: string }[];
  /** The last blocks committed (or, after a restart, read back from the store), oldest first; time = the block's own timestamp. */
  readonly recentBlocks: readonly RecentBlock[];
  readonly anchors: readonly { readonly txId: string; readonly blockIndex: number; readonly state: string }[];
  readonly evidence: readonly Evidence[];
  /** Blocks peers served that failed the checks against their anchors (the peers are recorded as misbehaving). */
  readonly syncRefusals: readonly SyncRefusal[];
}

export type NodeEvent =
  | { readonly type: 'protocol'; readonly event: ProtocolEvent }
  | { readonly type: 'snapshot'; readonly snapshot: ChainSnapshot }
  /** A chain setup (DKG → origin → activation → init) this node takes part in changed. */
  | { readonly type: 'deployment'; readonly deployment: DeploymentView };

/** A wallet for the node's API calls: a key pair (the node spends through its own L1 connection) or a spender. */
export type NodeWallet = Ed25519KeyPair | WalletSpender;

/** `deployChain` options: as DeployChainOptions, with either kind of wallet. */
export type DeployChainRequest = Omit<DeployChainOptions, 'initiatorWallet'> & { readonly initiatorWallet: NodeWallet };

/** A wasm (or other VM type) program to deploy through blob.storeBlob + root.deployContract in one transaction. */
export interface ContractDeployment {
  readonly name: string;
  readonly program: Uint8Array;
  /** Default 'wasm'. */
  readonly vmType?: string;
  readonly description?: string;
  /** Passed to the contract's init. */
  readonly initParams?: Readonly<Record<string, Uint8Array>>;
}

export interface NodeOptions {
  readonly timeouts?: ConsensusTimeouts;
  /** The VM (default: src/vm runBatch). The simulator (and a tab's test switch, worker/byzantine.ts) injects faulty VMs for Byzantine nodes. */
  readonly runVM?: (task: VmTask) => VmOutcome;
  /** Simulator and a tab's test switch (worker/byzantine.ts): wraps the threshold signer (bad partial signatures). */
  readonly wrapSigner?: (s: ThresholdSigner) => ThresholdSigner;
  /** Policy for DKG invitations from peers (default: take part whenever this node is in the proposed committee). */
  readonly acceptDkgInvite?: (fromNodeId: string, members: readonly string[], t: number, description: string) => boolean;
}

export interface WaspNode {
  readonly nodeId: string;
  /** Boots every chain in the registry (spec: "All chains are activated automatically upon node start"). */
  start(): Promise<void>;
  /** Activation of one chain: stores the bootup record (and key share) and starts its committee object. */
  activateChain(record: BootupRecord, keyShare: RegistryKeyShare | null): Promise<void>;
  deactivateChain(chain: ChainID): Promise<void>;
  /** Drive timeouts: call every TICK_INTERVAL_MS (or on every simulator step). */
  tick(): void;
  onPeerMessage(fromNodeId: string, bytes: Uint8Array): void;
  onL1Message(msg: WaspFromNode): void;
  /** Resolves when every queued store write has finished (tests and the simulator wait on it). */
  idle(): Promise<void>;
  snapshot(chain: ChainID): ChainSnapshot | null;
  chains(): ChainID[];
  /** The solid virtual state of a chain (read it with src/vm views), or null. */
  solidState(chain: ChainID): VirtualState | null;
  subscribe(listener: (e: NodeEvent) => void): () => void;

  /* ---- chain deployment and clients (additive API; see README) ---- */
  /**
   * Deploys a chain with this node as initiator: DKG among `committeeNodeIds` over peering, origin transaction and
   * root init request from `initiatorWallet`, activation on every member. Resolves once the init request is
   * confirmed on L1 (block #1 follows when the committee processes it). Throws DeployError (bad N/T) or
   * NodeApiError synchronously on bad input; rejects with NodeApiError ('dkg-failed', 'deploy-timeout',
   * 'rejected-by-l1', 'l1-timeout').
   */
  deployChain(opts: DeployChainRequest): Promise<DeployChainResult>;
  /** Chain setups this node takes part in (initiator or member), for dashboards. */
  deployments(): DeploymentView[];
  /** A spender for a key pair over this node's L1 connection (spends serialized per wallet). */
  wallet(keyPair: Ed25519KeyPair): WalletSpender;
  /** Asks the hub's faucet for funds and resolves with the wallet's outputs once some arrived. */
  requestFunds(address: Address): Promise<void>;
  /** Posts one request transaction (requests to any chains); resolves once L1 confirmed it. */
  postRequest(wallet: NodeWallet, requests: readonly RequestSpec[]): Promise<{ readonly txId: TransactionID; readonly requestIds: readonly RequestID[] }>;
  /** Calls a view on this node's solid state of the chain. Throws NodeApiError('unknown-chain') or the VM's VMError. */
  callView(chain: ChainID, contract: string | Hname, view: string | Hname, params?: Dict | Readonly<Record<string, Uint8Array>>): Dict;
  /** The chain's contracts with their entry points on this node's solid state (for checks and messages). */
  describeContracts(chain: ChainID): ContractDescription[];
  /** True once this node's solid state of the chain has processed the request. */
  isRequestProcessed(chain: ChainID, id: RequestID): boolean;
  /** Posts blob.storeBlob (program 'p', VM type 'v', description 'd') and root.deployContract in ONE transaction (processed in that order). */
  deployContract(wallet: NodeWallet, chain: ChainID, c: ContractDeployment): Promise<{ readonly txId: TransactionID; readonly requestIds: readonly RequestID[]; readonly programHash: Uint8Array; readonly hname: Hname }>;
  /**
   * Asks peers what they know of a chain this node does not run (its colour, committee, quorum: Wasp's chain
   * record); their answers come in through chainRecordAnswers. Every node that runs a chain answers.
   */
  askChainRecord(chain: ChainID, peers: readonly string[]): void;
  chainRecordAnswers(chain: ChainID): ChainRecordAnswer[];
}

interface ChainEntry {
  readonly committee: Committee;
  readonly record: BootupRecord;
  /** Store writes run one after another, in commit order. */
  writes: Promise<void>;
  readonly recentBlocks: RecentBlock[];
}

/**
 * The composition root (js-libp2p style): one node from its ports. Same code in the browser worker, Node tests
 * and the simulator. Everything protocol-related happens in the pure committee objects; this file only routes
 * messages, runs the VM, writes the store and reports events.
 */
export function createNode(c: NodeComponents, opts: NodeOptions = {}): WaspNode {
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
  const vm = opts.runVM ?? ((task: VmTask): VmOutcome => runBatch(task));
  const chains = new Map<string, ChainEntry>();
  const listeners = new Set<(e: NodeEvent) => void>();
  const recordAsks = new ChainRecordAsks();
  // The node's own L1 address (from its identity key) is its reward address (spec step 5c). A node ID that is not
  // an ed25519 public key is a wiring bug: refuse it rather than reward a zero address nobody owns.
  if (!/^[0-9a-f]{64}$/.test(c.nodeId)) throw new RangeError(`createNode: nodeId must be the hex ed25519 public key (64 hex digits), got '${c.nodeId.slice(0, 80)}'`);
  const rewardAddress: Address = addressFromPublicKey(AddressKind.Ed25519, fromHex(c.nodeId));
  let failure: unknown = null;
  const l1wallet = new L1WalletClient((m) => c.l1.send(m), () => c.clock.nowMs());
  const spenderOf = (w: NodeWallet): WalletSpender => ('spend' in w ? w : l1wallet.spender(w));
  const setup = new ChainSetup({
    myNodeId: c.nodeId,
    secretKey: c.nodeKey,
    rng: c.rng,
    nowMs: () => c.clock.nowMs(),
    send: (to, sessionId, m) => c.peering.send(to, encodePeerFrame({ channel: 'dkg', chain: sessionAddress(sessionId), body: encodeSetupMsg(m) })),
    storeKeyShare: (chain, share) => c.registry.putKeyShare(chain, share),
    activate: (record, share) => node.activateChain(record, share),
    event: (kind, text, peer) => protocolEvent(null, { kind, text, ...(peer ? { peer } : {}) }),
    acceptInvite: opts.acceptDkgInvite ?? (() => true),
  });

  const emit = (e: NodeEvent): void => {
    for (const l of listeners) l(e);
  };
  const protocolEvent = (chain: Address | null, ev: { kind: ProtocolEvent['kind']; text: string; direction?: 'sent' | 'received' | 'local'; peer?: string }): void => {
    emit({ type: 'protocol', event: { timeMs: c.clock.nowMs(), nodeId: c.nodeId, chain: chain ? addressToString(chain) : '', ...ev } });
  };

  const run = (entry: ChainEntry, actions: CommitteeAction[]): void => {
    const queue = [...actions];
    // Bounded: every action is handled once; runVM feeds back at most one batch of new actions per round.
    for (let i = 0; i < queue.length && i < 100_000; i++) {
      const a = queue[i] as CommitteeAction;
      switch (a.kind) {
        case 'peerSend':
          c.peering.send(a.to, encodePeerFrame({ channel: 'consensus', chain: entry.record.chainAddress, msg: a.msg }));
          break;
        case 'syncRequest':
          c.peering.send(a.to, encodePeerFrame({ channel: 'sync', chain: entry.record.chainAddress, msg: { kind: 'syncRequest', blockIndex: a.blockIndex } }));
          break;
        case 'l1Send':
          c.l1.send(a.msg);
          break;
        case 'runVM': {
          let outcome: VmOutcome | { error: string };
          try {
            outcome = vm(a.task);
          } catch (e) {
            outcome = { error: e instanceof Error ? e.message : String(e) };
          }
          queue.push(...entry.committee.onVmResult(a.roundKey, outcome, c.clock.nowMs()));
          break;
        }
        case 'commit': {
          const { block, mutations, stateHash, requestIds } = a;
          entry.writes = entry.writes.then(() => c.store.commitBlock(entry.record.chainAddress, block, mutations, stateHash, requestIds as RequestID[])).catch((e: unknown) => {
            failure = e;
            c.log?.log('error', `store commit of block #${block.blockIndex} failed: ${String(e)}`);
          });
          entry.recentBlocks.push(recentBlock(block, stateHash, requestIds.length));
          if (entry.recentBlocks.length > NODE_LIMITS.recentBlocksShown) entry.recentBlocks.shift();
          break;
        }
        case 'event':
          protocolEvent(entry.record.chainAddress, a.event);
          break;
      }
    }
  };

  /**
   * The chain's state from the store, verified against its blocks (verifyStoredChain). A store that fails — edited,
   * truncated, unreadable — is not used: the chain is reset to its origin and synced from the peers, who check
   * every block against its anchor on L1. Nothing is lost that the committee does not hold.
   */
  const restoreChain = async (chain: ChainID): Promise<{ state: VirtualState; anchorTxId: TransactionID | null; recent: readonly RecentBlock[] }> => {
    let problem: string;
    try {
      const stored = await c.store.loadChain(chain);
      if (!stored) return { state: VirtualState.origin(), anchorTxId: null, recent: [] };
      const v = await verifyStoredChain(c.store, chain, stored, NODE_LIMITS.recentBlocksShown);
      if (v.ok) return { state: v.state, anchorTxId: stored.anchorTxId, recent: v.last.map((r) => recentBlock(r.block, r.stateHash, r.block.updates.filter((u) => u.requestId).length)) };
      problem = v.problem;
    } catch (e) {
      problem = `it cannot be read (${e instanceof Error ? e.message : String(e)})`;
    }
    protocolEvent(chain, { kind: 'stateTransition', text: `Stored state refused: ${problem}. Discarded it; syncing the chain from the committee.` });
    await c.store.resetChain(chain);
    return { state: VirtualState.origin(), anchorTxId: null, recent: [] };
  };

  const activate = async (record: BootupRecord, keyShare: RegistryKeyShare | null): Promise<void> => {
    const key = addressKey(record.chainAddress);
    if (chains.has(key)) return;
    const { state, anchorTxId, recent } = await restoreChain(record.chainAddress);
    const real = keyShare && record.myIndex !== null ? blsThresholdSigner({ ...keyShare, publicShares: [...keyShare.publicShares] }) : null;
    const signer = real && opts.wrapSigner ? opts.wrapSigner(real) : real;
    const committee = new Committee({
      record,
      myNodeId: c.nodeId,
      signer,
      timeouts,
      rewardAddress,
      isRequestProcessed: (st, id) => isRequestProcessed(st, id),
      restored: { state, anchorTxId },
    });
    const entry: ChainEntry = { committee, record, writes: Promise.resolve(), recentBlocks: [...recent] };
    chains.set(key, entry);
    protocolEvent(record.chainAddress, { kind: 'deploy', text: `Chain activated on this node (${record.myIndex === null ? 'access node' : `member ${record.myIndex} of ${record.n}, quorum ${record.t}`}), restored at block #${state.blockIndex}.` });
    run(entry, committee.start(c.clock.nowMs()));
  };

  const node: WaspNode = {
    nodeId: c.nodeId,
    async start() {
      c.l1.send({ kind: 'waspToNodeSetId', id: c.nodeId.slice(0, 16) });
      for (const r of await c.registry.listBootupRecords()) await activate(r, await c.registry.getKeyShare(r.chainAddress));
    },
    async activateChain(record, keyShare) {
      await c.registry.putBootupRecord(record);
      if (keyShare) await c.registry.putKeyShare(record.chainAddress, keyShare);
      await activate(record, keyShare);
    },
    askChainRecord(chain, peers) {
      recordAsks.ask(chain, peers);
      for (const p of peers) c.peering.send(p, encodePeerFrame({ channel: 'sync', chain, msg: { kind: 'chainRecordRequest' } }));
    },
    chainRecordAnswers: (chain) => recordAsks.answers(chain),
    async deactivateChain(chain) {
      await c.registry.removeBootupRecord(chain);
      chains.delete(addressKey(chain));
    },
    tick() {
      const now = c.clock.nowMs();
      l1wallet.tick();
      setup.tick();
      for (const e of chains.values()) run(e, e.committee.tick(now));
    },
    onPeerMessage(from, bytes) {
      let f;
      try {
        f = decodePeerFrame(bytes);
      } catch (e) {
        if (e instanceof DecodeError) return c.log?.log('warn', `dropped a malformed frame from ${from.slice(0, 8)}: ${e.message}`);
        throw e;
      }
      if (f.channel === 'dkg') return setup.onFrame(from, f.chain.digest, f.body);
      if (f.channel === 'sync' && f.msg.kind === 'chainRecord') {
        const { kind: _, ...record } = f.msg;
        if (!recordAsks.onAnswer(from, f.chain, record)) c.log?.log('warn', `dropped an unasked chain record from ${from.slice(0, 8)}`);
        return;
      }
      const entry = chains.get(addressKey(f.chain));
      if (!entry) return;
      const now = c.clock.nowMs();
      if (f.channel === 'consensus') run(entry, entry.committee.onPeerMessage(from, f.msg, now));
      else if (f.channel === 'sync') {
        if (f.msg.kind === 'syncBlock') run(entry, entry.committee.onSyncBlock(from, f.msg.block, now));
        else if (f.msg.kind === 'chainRecordRequest') {
          const r = entry.record;
          c.peering.send(from, encodePeerFrame({ channel: 'sync', chain: r.chainAddress, msg: { kind: 'chainRecord', chainColor: r.chainColor, committeeNodeIds: r.committeeNodeIds, t: r.t } }));
        } else if (f.msg.kind === 'syncRequest') {
          const idx = f.msg.blockIndex;
          // Serve from the store after pending writes, so a block just committed can be served.
          void entry.writes.then(async () => {
            const b = await c.store.getBlock(entry.record.chainAddress, idx);
            if (b) c.peering.send(from, encodePeerFrame({ channel: 'sync', chain: entry.record.chainAddress, msg: { kind: 'syncBlock', block: b } }));
          });
        }
      }
    },
    onL1Message(msg) {
      l1wallet.onL1Message(msg);
      const now = c.clock.nowMs();
      if (msg.kind === 'waspFromNodeConfirmedTransaction') {
        for (const e of chains.values()) run(e, e.committee.onL1Message(msg, now));
        return;
      }
      const entry = chains.get(addressKey(msg.address));
      if (entry) run(entry, entry.committee.onL1Message(msg, now));
    },
    async idle() {
      // Writes may enqueue more writes while we wait: loop until a pass finds nothing new. Bounded by chains.
      for (let i = 0; i < 100; i++) {
        const before = [...chains.values()].map((e) => e.writes);
        await Promise.all(before);
        if ([...chains.values()].every((e, k) => e.writes === before[k])) break;
      }
      if (failure) throw failure;
    },
    snapshot(chain) {
      const e = chains.get(addressKey(chain));
      if (!e) return null;
      const sm = e.committee.stateManager;
      const op = e.committee.snapshot();
      return {
        chain: addressToString(chain),
        blockIndex: sm.state.blockIndex,
        stateHash: toHex(sm.state.stateHash),
        anchorTxId: sm.solidAnchorTxId ? txIdToString(sm.solidAnchorTxId) : null,
        synced: sm.synced,
        leader: op.leader,
        leaderPos: op.leaderPos,
        stage: op.stage,
        backlog: e.committee.backlog.requests().slice(0, 100).map((q) => ({ requestId: requestIDToString(q.id), txId: txIdToString(q.id.txId) })),
        recentBlocks: [...e.recentBlocks],
        anchors: [...e.committee.anchors],
        evidence: [...e.committee.evidence],
        syncRefusals: [...sm.syncRefusals],
      };
    },
    chains() {
      return [...chains.values()].map((e) => e.record.chainAddress);
    },
    solidState(chain) {
      return chains.get(addressKey(chain))?.committee.stateManager.state ?? null;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    deployChain(req) {
      const { initiatorWallet, onProgress, ...rest } = req;
      return setup.deploy({
        ...rest,
        initiatorWallet: spenderOf(initiatorWallet),
        onProgress: (v) => {
          emit({ type: 'deployment', deployment: v });
          onProgress?.(v);
        },
      });
    },
    deployments: () => setup.views(),
    wallet: (kp) => l1wallet.spender(kp),
    async requestFunds(address) {
      c.l1.send({ kind: 'waspToNodeRequestFunds', address });
      await l1wallet.funds(address);
    },
    async postRequest(wallet, requests) {
      const w = spenderOf(wallet);
      const txId = await w.spend((funds) => buildRequestTx(w.keyPair, funds, requests));
      return { txId, requestIds: requests.map((_, index) => ({ txId, index })) };
    },
    callView(chain, contract, view, params) {
      const e = chains.get(addressKey(chain));
      if (!e) throw new NodeApiError('unknown-chain', `chain ${addressToString(chain)} is not active on this node`);
      const h = (x: string | Hname): Hname => (typeof x === 'string' ? hname(x) : x);
      const d = params instanceof Dict ? params : Dict.of(params ?? {});
      return vmCallView(e.committee.stateManager.state, chain, h(contract), h(view), d, { chainColor: e.record.chainColor });
    },
    describeContracts(chain) {
      const e = chains.get(addressKey(chain));
      if (!e) throw new NodeApiError('unknown-chain', `chain ${addressToString(chain)} is not active on this node`);
      return vmDescribeContracts(e.committee.stateManager.state, chain, { chainColor: e.record.chainColor });
    },
    isRequestProcessed(chain, id) {
      const st = chains.get(addressKey(chain))?.committee.stateManager.state;
      return st ? isRequestProcessed(st, id) : false;
    },
    async deployContract(wallet, chain, k) {
      const vmType = k.vmType ?? 'wasm';
      const description = k.description ?? k.name;
      const fields = Dict.of({ [P.blobProgram]: k.program, [P.blobVMType]: new TextEncoder().encode(vmType), [P.blobDescription]: new TextEncoder().encode(description) });
      const programHash = blobHash(fields.entries());
      const deployArgs = Dict.of({ ...(k.initParams ?? {}), [P.programHash]: programHash, [P.name]: new TextEncoder().encode(k.name), [P.description]: new TextEncoder().encode(description) });
      const { txId, requestIds } = await node.postRequest(wallet, [
        { target: { chainId: chain, hname: H.blob }, entryPoint: hname(EP.blob.storeBlob), args: fields.toArgs() },
        { target: { chainId: chain, hname: H.root }, entryPoint: hname(EP.root.deployContract), args: deployArgs.toArgs() },
      ]);
      return { txId, requestIds, programHash, hname: hname(k.name) };
    },
  };
  return node;
}
