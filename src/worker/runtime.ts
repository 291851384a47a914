import { createNode, type WaspNode } from '../node/node';
import type { ProtocolEvent } from '../node/types';
import type { WalletSpender } from '../node/l1-wallet';
import { TICK_INTERVAL_MS } from '../consensus/params';
import { validateCommittee, type RequestSpec } from '../chain/deploy';
import { decodeWaspFromNode, encodeNodeConnMessage } from '../nodeconn/codec';
import type { WaspToNode } from '../nodeconn/messages';
import { ed25519KeyPairFromSeed } from '../crypto/ed25519';
import {
  addressFromString,
  addressKey,
  addressToString,
  argsOf,
  balancesOf,
  COLOR_IOTA,
  colorKey,
  contractNameProblem,
  hname,
  hnameToString,
  requestIDToString,
  requestIDFromString,
  type Address,
  type Args,
  type RequestID,
} from '../protocol';
import { toHex } from '../protocol/bytes';
import { cryptoRng } from '../protocol/rng';
import { Dict } from '../vm/dict';
import { EP, H } from '../vm/core/names';
import { readReceipt } from '../vm/core/blocklog';
import { listContractRecords } from '../vm/core/registry';
import type { HubInfo } from '../net/types';
import type { NodeIdentity, Registry, SolidStateStore, BootupRecord } from '../state/store';
import type { NodeDatabase } from '../store/idb-store';
import type { ChainView, CommandResult, FromWorker, NodeCommand, NodeSnapshotView } from './bridge';
import { WalletBalance } from './wallet-balance';
import { dkgViewOf, isSettled } from './deployment-view';
import { decodeParams, renderValue } from './params';

/** What the worker entry needs from the node: the ports in, commands, and a snapshot stream out. */
export interface NodeRuntime {
  readonly restoredChains: number;
  onPeerMessage(fromNodeId: string, data: Uint8Array): void;
  onPeerStatus(nodeId: string, name: string, up: boolean): void;
  onL1Frame(frame: Uint8Array): void;
  onL1Up(): void;
  command(c: NodeCommand): Promise<CommandResult>;
}

export interface RuntimeDeps {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly identity: NodeIdentity;
  readonly store: SolidStateStore;
  readonly registry: Registry;
  readonly db: NodeDatabase;
  readonly hub: HubInfo;
  readonly post: (m: FromWorker) => void;
}

export const RUNTIME_LIMITS = {
  /** Dashboard snapshots at most this often (rendering more often helps nobody). */
  snapshotIntervalMs: 200,
  /** Protocol events forwarded per snapshot interval; the rest are counted, not sent. */
  eventsPerFlushMax: 200,
  /** Requests per transaction when posting many (one request token each; keeps a transaction small). */
  requestsPerTxMax: 25,
  postManyMax: 10_000,
  blocksShown: 20,
  errorsShown: 20,
  /** Posted requests whose receipts are read per snapshot for the errors list. */
  errorsScannedMax: 500,
  /** Request receipts remembered for the errors list. */
  trackedRequestsMax: 20_000,
  waitProcessedMs: 60_000,
  /**
   * DKG phase window for chains created from the dashboard. The node's default (3 s) is for Node processes; four
   * tabs on two loaded cores missed it (a member's deal came late, QUAL fell below T). A phase still ends as soon
   * as every member's message is in, so this only slows a setup in which someone really is missing.
   */
  dkgPhaseTimeoutMs: 10_000,
} as const;

interface ChainMeta {
  record: BootupRecord;
  description: string;
  blocks: { index: number; timeMs: number; requests: number; stateHash: string }[];
  lastIndex: number;
}

/** Builds the node from the worker's ports and serves the dashboard's commands. */
export async function startNodeRuntime(deps: RuntimeDeps): Promise<NodeRuntime> {
  const { post } = deps;
  const sendL1 = (m: WaspToNode): void => post({ t: 'sendL1', frame: encodeNodeConnMessage(m) });
  const peersUp = new Map<string, { name: string; up: boolean }>();
  const chainsMeta = new Map<string, ChainMeta>();
  /** Requests this tab posted, by chain, for the errors list. */
  const posted: { chain: Address; id: RequestID; label: string }[] = [];

  // Chain setup (DKG over the 'dkg' channel, origin, activation, root.init) and spending are the node's own
  // (src/node/setup.ts, l1-wallet.ts): this runtime only feeds it frames and ticks and renders what it reports.
  const node: WaspNode = createNode({
    nodeId: deps.nodeId,
    nodeKey: deps.identity.secretKey,
    clock: { nowMs: () => Date.now() },
    rng: cryptoRng,
    peering: { send: (to, bytes) => post({ t: 'sendPeer', toNodeId: to, data: bytes }) },
    l1: { send: sendL1 },
    store: deps.store,
    registry: deps.registry,
    log: { log: (level, message) => (level === 'error' || level === 'warn' ? console.warn(`[node] ${message}`) : undefined) },
  });

  let walletSeed = (await deps.db.get('meta', 'walletSeed')) as Uint8Array | undefined;
  if (!walletSeed) {
    walletSeed = cryptoRng.bytes(32);
    await deps.db.put('meta', walletSeed, 'walletSeed');
  }
  const keyPair = ed25519KeyPairFromSeed(walletSeed);
  /** One spender for the tab's wallet: the node serializes its spends. */
  const wallet: WalletSpender = node.wallet(keyPair);
  const walletBalance = new WalletBalance(keyPair.address);
  const watchWallet = (): void => {
    sendL1({ kind: 'waspToNodeSubscribe', address: keyPair.address });
    sendL1({ kind: 'waspToNodeGetOutputs', address: keyPair.address });
  };

  let dirty = true;
  const changed = (): void => {
    dirty = true;
  };

  const remember = async (record: BootupRecord): Promise<void> => {
    const key = addressKey(record.chainAddress);
    if (chainsMeta.has(key)) return;
    const description = ((await deps.db.get('meta', `description/${key}`)) as string | undefined) ?? '';
    if (chainsMeta.has(key)) return;
    chainsMeta.set(key, { record, description, blocks: [], lastIndex: -1 });
    changed();
  };
  /** Picks up chains the node activated (a chain setup ends with node.activateChain, which writes the registry). */
  let syncing = false;
  const syncChains = (): void => {
    if (syncing || node.chains().length === chainsMeta.size) return;
    syncing = true;
    void deps.registry
      .listBootupRecords()
      .then(async (records) => {
        for (const r of records) await remember(r);
      })
      .finally(() => {
        syncing = false;
      });
  };

  node.subscribe((e) => {
    if (e.type === 'protocol') queueEvent(e.event);
    changed();
  });

  // Events are batched to the page: one message per flush, bounded.
  let events: ProtocolEvent[] = [];
  let eventsDropped = 0;
  const queueEvent = (ev: ProtocolEvent): void => {
    if (events.length < RUNTIME_LIMITS.eventsPerFlushMax) events.push(ev);
    else eventsDropped++;
  };

  await node.start();
  for (const r of await deps.registry.listBootupRecords()) await remember(r);
  watchWallet();

  setInterval(() => node.tick(), TICK_INTERVAL_MS);
  setInterval(() => {
    syncChains();
    // A member's DKG progress raises no node event: refresh while any setup is still running.
    if (node.deployments().some((d) => !isSettled(d))) changed();
    if (events.length > 0) {
      if (eventsDropped > 0) console.warn(`[node] ${eventsDropped} protocol events not shown (too many)`);
      post({ t: 'events', events });
      events = [];
      eventsDropped = 0;
    }
    if (dirty) {
      dirty = false;
      post({ t: 'snapshot', snapshot: snapshot() });
    }
  }, RUNTIME_LIMITS.snapshotIntervalMs);

  /* ------------------------------------------------------------------ snapshot */

  function snapshot(): NodeSnapshotView {
    const chains: ChainView[] = [];
    for (const meta of chainsMeta.values()) {
      const chainId = meta.record.chainAddress;
      const s = node.snapshot(chainId);
      if (!s) continue;
      if (s.blockIndex !== meta.lastIndex) {
        // Every block committed since the last snapshot (several may commit within one snapshot interval), from
        // the node's recentBlocks, which carries each one's request count and state hash.
        for (const rb of s.recentBlocks) if (rb.blockIndex > meta.lastIndex && rb.blockIndex > 0) meta.blocks.push({ index: rb.blockIndex, timeMs: Date.now(), requests: rb.requests, stateHash: rb.stateHash });
        // A state restored from the store (after a reload) has no recent commit: show it as it stands.
        if (s.blockIndex > 0 && !s.recentBlocks.some((b) => b.blockIndex === s.blockIndex)) meta.blocks.push({ index: s.blockIndex, timeMs: Date.now(), requests: 0, stateHash: s.stateHash });
        while (meta.blocks.length > RUNTIME_LIMITS.blocksShown) meta.blocks.shift();
        meta.lastIndex = s.blockIndex;
      }
      const st = node.solidState(chainId);
      const errors: { requestId: string; message: string }[] = [];
      let balance = 0n;
      if (st) {
        // Only the most recent posts are checked on each snapshot: bounded work at 5 snapshots/s.
        for (const q of posted.slice(-RUNTIME_LIMITS.errorsScannedMax)) {
          if (addressKey(q.chain) !== addressKey(chainId)) continue;
          const r = readReceipt(st, q.id);
          if (r?.error) errors.push({ requestId: requestIDToString(q.id), message: `${q.label}: ${r.error.kind}: ${r.error.message}` });
        }
        try {
          balance = decodeIotas(node.callView(chainId, H.accounts, hname(EP.accounts.totalAssets)));
        } catch {
          balance = 0n;
        }
      }
      chains.push({
        chain: s.chain,
        description: meta.description,
        committee: meta.record.committeeNodeIds.map((id) => ({ nodeId: id, up: id === deps.nodeId || (peersUp.get(id)?.up ?? false) })),
        t: meta.record.t,
        myIndex: meta.record.myIndex,
        leader: s.leader === null ? undefined : meta.record.committeeNodeIds.indexOf(s.leader),
        stage: s.synced ? s.stage : `syncing (${s.stage})`,
        quorumUp: 1 + meta.record.committeeNodeIds.filter((id) => id !== deps.nodeId && peersUp.get(id)?.up).length >= meta.record.t,
        blockIndex: s.blockIndex,
        stateHash: s.stateHash,
        backlog: s.backlog.map((b) => ({ requestId: b.requestId, txId: b.txId, entryPoint: '' })),
        blocks: [...meta.blocks].reverse(),
        // The committee's own list: every anchor of the chain it saw, with its inclusion state from L1.
        anchors: s.anchors.slice(-RUNTIME_LIMITS.blocksShown).map((a) => ({ txId: a.txId, blockIndex: a.blockIndex, state: anchorState(a.state) })),
        contracts: st ? listContractRecords(st).map((r) => ({ name: r.name, hname: hnameToString(r.hname), description: r.description })) : [],
        errors: errors.slice(-RUNTIME_LIMITS.errorsShown),
        balance: balance.toString(),
      });
    }
    return {
      nodeId: deps.nodeId,
      nodeName: deps.nodeName,
      wallet: { address: addressToString(keyPair.address), balance: walletBalance.iotas().toString() },
      chains,
      dkg: node.deployments().map(dkgViewOf),
    };
  }

  /* ------------------------------------------------------------------ requests */

  /** Faucet first when the wallet is (nearly) empty: the dashboard's "just works" path. */
  async function ensureFunds(): Promise<void> {
    if (walletBalance.iotas() >= 100n) return;
    await node.requestFunds(keyPair.address);
  }

  function track(chain: Address, ids: readonly RequestID[], label: string): void {
    for (const id of ids) {
      if (posted.length >= RUNTIME_LIMITS.trackedRequestsMax) posted.shift();
      posted.push({ chain, id, label });
    }
    changed();
  }

  async function postRequests(chain: Address, specs: RequestSpec[], label: string): Promise<readonly RequestID[]> {
    await ensureFunds();
    const { requestIds } = await node.postRequest(wallet, specs);
    track(chain, requestIds, label);
    return requestIds;
  }

  async function waitProcessed(chain: Address, ids: readonly RequestID[]): Promise<void> {
    const deadline = Date.now() + RUNTIME_LIMITS.waitProcessedMs;
    for (;;) {
      if (ids.every((id) => node.isRequestProcessed(chain, id))) return;
      if (Date.now() > deadline) throw new Error(`the chain did not process the request within ${RUNTIME_LIMITS.waitProcessedMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  function receiptError(chain: Address, id: RequestID): string | undefined {
    const st = node.solidState(chain);
    const r = st ? readReceipt(st, id) : undefined;
    return r?.error?.message;
  }

  function chainOf(s: string): Address {
    let a: Address;
    try {
      a = addressFromString(s.trim());
    } catch {
      throw new Error(`'${s}' is not a chain address`);
    }
    if (!chainsMeta.has(addressKey(a))) throw new Error(`this node does not run chain ${s.slice(0, 12)}…`);
    return a;
  }

  async function command(c: NodeCommand): Promise<CommandResult> {
    switch (c.kind) {
      case 'createChain': {
        const t = validateCommittee(c.memberNodeIds, c.t);
        if (!c.memberNodeIds.includes(deps.nodeId)) throw new Error('this node must be a member of the committee it creates');
        const down = c.memberNodeIds.filter((id) => id !== deps.nodeId && !peersUp.get(id)?.up);
        if (down.length > 0) throw new Error(`not connected to ${down.map((id) => peersUp.get(id)?.name ?? id.slice(0, 8)).join(', ')}: wait until every member shows 'up'`);
        await ensureFunds();
        const r = await node.deployChain({ committeeNodeIds: c.memberNodeIds, t, description: c.description, initiatorWallet: wallet, phaseTimeoutMs: RUNTIME_LIMITS.dkgPhaseTimeoutMs });
        const key = addressKey(r.chainAddress);
        await deps.db.put('meta', c.description, `description/${key}`);
        await remember(r.record);
        const meta = chainsMeta.get(key);
        if (meta) meta.description = c.description;
        track(r.chainAddress, [r.initRequestId], 'root.init');
        return { kind: 'chainCreated', chain: addressToString(r.chainAddress) };
      }
      case 'faucet':
        await node.requestFunds(keyPair.address);
        return { kind: 'ok', text: 'asked the hub faucet for funds' };
      case 'deposit': {
        const chain = chainOf(c.chain);
        if (!(Number.isInteger(c.amount) && c.amount > 0)) throw new Error('the amount must be a whole number of iotas above 0');
        const ids = await postRequests(chain, [{ target: { chainId: chain, hname: H.accounts }, entryPoint: hname(EP.accounts.deposit), transfer: balancesOf([[COLOR_IOTA, BigInt(c.amount)]]) }], 'deposit');
        return { kind: 'requests', requestIds: ids.map(requestIDToString) };
      }
      case 'postRequest': {
        const chain = chainOf(c.chain);
        const args = toArgs(c.params);
        const transfer = c.transfer > 0 ? balancesOf([[COLOR_IOTA, BigInt(c.transfer)]]) : undefined;
        const ids = await postRequests(chain, [{ target: { chainId: chain, hname: hname(c.contract) }, entryPoint: hname(c.entryPoint), args, ...(transfer ? { transfer } : {}) }], `${c.contract}.${c.entryPoint}`);
        return { kind: 'requests', requestIds: ids.map(requestIDToString) };
      }
      case 'postMany': {
        const chain = chainOf(c.chain);
        if (!(Number.isInteger(c.count) && c.count > 0 && c.count <= RUNTIME_LIMITS.postManyMax)) throw new Error(`count must be 1..${RUNTIME_LIMITS.postManyMax}`);
        const args = toArgs(c.params);
        const all: RequestID[] = [];
        for (let done = 0; done < c.count; ) {
          const k = Math.min(RUNTIME_LIMITS.requestsPerTxMax, c.count - done);
          const specs = Array.from({ length: k }, () => ({ target: { chainId: chain, hname: hname(c.contract) }, entryPoint: hname(c.entryPoint), args }));
          all.push(...(await postRequests(chain, specs, `${c.contract}.${c.entryPoint}`)));
          done += k;
        }
        return { kind: 'requests', requestIds: all.map(requestIDToString) };
      }
      case 'callView': {
        const chain = chainOf(c.chain);
        if (!node.solidState(chain)) throw new Error('the chain has no state yet');
        const d = node.callView(chain, c.contract, c.view, Dict.fromArgs(toArgs(c.params)));
        const result: Record<string, string> = {};
        for (const [k, v] of d.entries()) result[new TextDecoder().decode(k)] = renderValue(v);
        return { kind: 'view', result };
      }
      case 'deployWasm': {
        const chain = chainOf(c.chain);
        const nameProblem = contractNameProblem(c.name);
        if (nameProblem) throw new Error(nameProblem);
        await ensureFunds();
        // blob.storeBlob and root.deployContract in one transaction, processed in that order.
        const r = await node.deployContract(wallet, chain, { name: c.name, program: c.program, description: c.description || c.name });
        const [stored, deployed] = r.requestIds as [RequestID, RequestID];
        track(chain, [stored], 'blob.storeBlob');
        track(chain, [deployed], 'root.deployContract');
        await waitProcessed(chain, r.requestIds);
        const storeErr = receiptError(chain, stored);
        if (storeErr) throw new Error(`storing the program failed: ${storeErr}`);
        const deployErr = receiptError(chain, deployed);
        if (deployErr) throw new Error(`deploying the contract failed: ${deployErr}`);
        return { kind: 'ok', text: `contract '${c.name}' deployed (program ${toHex(r.programHash).slice(0, 12)}…)` };
      }
      case 'waitProcessed': {
        const chain = chainOf(c.chain);
        let ids: RequestID[];
        try {
          ids = c.requestIds.map((x) => requestIDFromString(x));
        } catch {
          throw new Error('a request ID must look like [index]transactionID');
        }
        await waitProcessed(chain, ids);
        return { kind: 'processed', atMs: Date.now() };
      }
      case 'audit': {
        const chain = chainOf(c.chain);
        const snap = node.snapshot(chain);
        await node.idle();
        const seen = new Set<string>();
        let requests = 0;
        let duplicates = 0;
        const last = snap?.blockIndex ?? 0;
        for (let i = 1; i <= last; i++) {
          const b = await deps.store.getBlock(chain, i);
          if (!b) throw new Error(`block #${i} is missing from this node's store`);
          for (const u of b.updates) {
            if (!u.requestId) continue;
            const k = requestIDToString(u.requestId);
            requests++;
            if (seen.has(k)) duplicates++;
            seen.add(k);
          }
        }
        return { kind: 'audit', blockIndex: last, stateHash: snap?.stateHash ?? '', requests, duplicates };
      }
    }
  }

  return {
    restoredChains: chainsMeta.size,
    onPeerMessage(from, data) {
      // Every channel (consensus, sync, dkg) is the node's; it drops malformed frames itself.
      node.onPeerMessage(from, data);
    },
    onPeerStatus(nodeId, name, up) {
      peersUp.set(nodeId, { name, up });
      changed();
    },
    onL1Frame(frame) {
      let m;
      try {
        m = decodeWaspFromNode(frame);
      } catch (e) {
        console.warn(`[node] dropped a malformed L1 frame: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      const nudge = walletBalance.onL1(m);
      node.onL1Message(m);
      if (nudge) sendL1(nudge);
      changed();
    },
    onL1Up() {
      watchWallet();
      for (const m of chainsMeta.values()) {
        sendL1({ kind: 'waspToNodeSubscribe', address: m.record.chainAddress });
        sendL1({ kind: 'waspToNodeGetOutputs', address: m.record.chainAddress });
      }
    },
    command,
  };
}

function toArgs(params: Readonly<Record<string, string>>): Args {
  return argsOf(Object.entries(decodeParams(params)));
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
