import {
  addressBytes,
  addressEquals,
  type Address,
  agentIDFromAddress,
  isAddressAgent,
  REQUEST_TOKEN_IOTA,
  toHex,
  balancesOf,
  COLOR_IOTA,
  colorKey,
  hname,
  requestIDBytes,
  sortedEntries,
  subBalances,
  blake2b256,
  type AgentID,
  type Balances,
  type ChainID,
  type Color,
  type Hname,
  type RequestID,
  type RequestSection,
} from '../protocol';
import { makeBlock } from '../state/block';
import type { Block, StateReader, StateUpdate } from '../state/types';
import { VirtualStateBuffer, type VirtualState } from '../state/vstate';
import { STATE_LIMITS } from '../state/vstate-limits';
import { BatchCapacityError, ExecContext, toVMError, type Withdrawal } from './context';
import { Dict } from './dict';
import { VMError, VMTaskError } from './errors';
import { VM_LIMITS } from './params';
import type { ProcessorRegistry } from './processor';
import { defaultRegistry } from './registry-default';
import { creditFromOutside, moveFunds, totalAssets } from './core/ledger';
import { appendEvent } from './core/eventlog-store';
import { isRequestProcessed, writeReceipt, type RequestReceipt } from './core/blocklog';
import { feeInfo, listContractRecords, ROOT_VAR, rootKey } from './core/registry';
import { H } from './core/names';
import { governanceGasLimit } from './core/governance';
import { decodeAll, readAgentID } from '../protocol';

/** One request of a batch, as consensus agreed on it. */
export interface VMRequest {
  readonly id: RequestID;
  readonly section: RequestSection;
  /** Who sent it: the address that signed the request transaction, or the sending contract (chain ‖ senderContractHname). */
  readonly sender: AgentID;
  /** Tokens in its transaction's UTXO no request claims (on one request of the tx): credited to the chain owner. */
  readonly utxoSurplus?: Balances;
}

export interface VMTask {
  readonly chainId: ChainID;
  readonly chainColor: Color;
  /** The solid state; read-only (the runner works on buffers over it). */
  readonly state: VirtualState;
  /** Ordered as consensus agreed; at most STATE_LIMITS.updatesPerBlockMax. */
  readonly requests: readonly VMRequest[];
  /** Unix ns of the first state update; must be after state.timestamp. */
  readonly timestamp: bigint;
  /** 32 bytes from the chain's last anchor (its signature / tx ID): the batch's source of randomness. */
  readonly entropy: Uint8Array;
  /**
   * Colored tokens on the chain-token UTXO of the previous anchor, excluding the chain token and excluding the
   * tokens of this batch's requests (those are credited from each request's section.transfer). Anything here
   * beyond the accounts' total (tokens sent to the chain address without a request) is credited to the chain owner.
   */
  readonly chainBalances: Balances;
  readonly programs?: ProcessorRegistry;
  /**
   * The address that signed the origin transaction, given while the chain is at its origin state (block #0):
   * recorded in block #1 so root init is accepted from it alone.
   */
  readonly chainOriginator?: Address;
  /** Hex ID of the chain UTXO's transaction: its requests (posted by the chain to itself) are never deferred. */
  readonly chainUtxoTxKey?: string;
  /** Overrides the governance contract's gasLimitPerRequest. */
  readonly gasLimitPerRequest?: bigint;
}

export interface SkippedRequest {
  readonly requestId: RequestID;
  readonly reason: 'already processed' | 'time-locked' | 'wrong chain' | 'duplicate in batch';
}

export interface VMResult {
  /** One per processed request, in order; timestamps task.timestamp + i. */
  readonly updates: StateUpdate[];
  readonly receipts: RequestReceipt[];
  /** L1 outputs the anchor transaction must make (COLOR_MINT amounts mint a new color). */
  readonly withdrawals: Withdrawal[];
  /** Request sections the anchor transaction must carry (cross-chain). */
  readonly outgoingRequests: RequestSection[];
  /** Requests consensus should not have included; they get no update and stay unprocessed (or already are). */
  readonly skipped: SkippedRequest[];
  /**
   * Requests left for a later block, whole request transactions: one of their requests found the batch's room
   * for L1 outputs (VM_LIMITS outgoing requests / withdrawals) used up by earlier transactions. Deterministic, so
   * every node defers the same; the anchor does not consume their UTXOs and they stay in the backlog.
   */
  readonly deferred: RequestID[];
  /** The block (anchorTxId all zeros until known) and the state hash it gives; null if nothing was processed. */
  readonly block: Block | null;
  readonly stateHash: Uint8Array | null;
  /** Contract log lines (debugging only; not part of the state). */
  readonly logs: string[];
  /** A copy of task.state with the block applied (O(state size): the state manager may apply the block itself). */
  newState(): VirtualState;
}

/**
 * The request as a contract sees it. Its entropy, blake2b-256(batch entropy ‖ request ID), is hashed only when
 * a contract asks for it: most requests never do, and a hash costs more than a small wasm call.
 */
class RequestInfo {
  private hashed: Uint8Array | undefined;
  constructor(
    readonly id: RequestID,
    private readonly batchEntropy: Uint8Array,
    private readonly idBytes: Uint8Array,
  ) {}
  get entropy(): Uint8Array {
    this.hashed ??= blake2b256(this.batchEntropy, this.idBytes);
    return this.hashed;
  }
}

/**
 * Runs a batch: one state update per request, failures rolled back per request with the attached funds credited
 * to the sender, every request receipted in the state. Synchronous and deterministic: same task → same bytes.
 */
export function runBatch(task: VMTask): VMResult {
  checkTask(task);
  const registry = task.programs ?? defaultRegistry();
  const batch = new VirtualStateBuffer(task.state);
  const blockIndex = task.state.blockIndex + 1;
  const gasLimit = task.gasLimitPerRequest ?? governanceGasLimit(task.state);
  const updates: StateUpdate[] = [];
  const receipts: RequestReceipt[] = [];
  const withdrawals: Withdrawal[] = [];
  const outgoing: RequestSection[] = [];
  const skipped: SkippedRequest[] = [];
  const logs: string[] = [];
  const seen = new Set<string>();
  const deferred: RequestID[] = [];
  let surplus: Balances | null = chainSurplus(task);
  // Written with the first processed request (every state change belongs to a request's update).
  let originator: Address | null = task.chainOriginator && !batch.get(rootKey(ROOT_VAR.originator)) ? task.chainOriginator : null;
  // Requests of one request transaction are adjacent (IDs are txId ‖ index, the batch is sorted) and must be
  // processed together: the anchor consumes the transaction's UTXO whole. So the batch is built transaction by
  // transaction on a buffer that can be dropped if one of its requests finds the batch's L1 capacity used up.
  let txKey = '';
  let txBuf = new VirtualStateBuffer(batch);
  let mark = { updates: 0, receipts: 0, withdrawals: 0, outgoing: 0, logs: 0, surplus, originator };
  let deferring = '';

  for (const req of task.requests) {
    const idBytes = requestIDBytes(req.id);
    const k = toHex(req.id.txId);
    if (k !== txKey) {
      txBuf.commitTo(batch);
      txBuf = new VirtualStateBuffer(batch);
      txKey = k;
      mark = { updates: updates.length, receipts: receipts.length, withdrawals: withdrawals.length, outgoing: outgoing.length, logs: logs.length, surplus, originator };
    }
    if (deferring === k) continue;
    const ts = task.timestamp + BigInt(updates.length);
    const idKey = idBytes.join(',');
    const why = seen.has(idKey) ? 'duplicate in batch' : skipReason(task, txBuf, req, ts);
    seen.add(idKey);
    if (why) {
      skipped.push({ requestId: req.id, reason: why });
      continue;
    }
    const upd = new VirtualStateBuffer(txBuf);
    if (originator) {
      upd.set(rootKey(ROOT_VAR.originator), addressBytes(originator));
      originator = null;
    }
    if (surplus) {
      creditFromOutside(upd, ownerOr(upd, req.sender), surplus);
      surplus = null;
    }
    if (req.utxoSurplus) creditFromOutside(upd, ownerOr(upd, req.sender), req.utxoSurplus);
    // The request's tokens are on the chain now: they belong to the sender until the call takes them.
    creditFromOutside(upd, req.sender, req.section.transfer);
    // A request this chain posted to itself: the anchor sends its token back uncoloured to the chain address,
    // so the IOTA the contract paid for it comes home to the contract (the accounts invariant holds per block).
    if (!isAddressAgent(req.sender) && addressEquals(req.sender.chainId, task.chainId)) creditFromOutside(upd, req.sender, REQUEST_TOKEN_HOME);
    const exec = new ExecContext(
      new VirtualStateBuffer(upd),
      {
        chainId: task.chainId,
        chainColor: task.chainColor,
        timestamp: ts,
        registry,
        request: new RequestInfo(req.id, task.entropy, idBytes),
        batchOutgoingCount: outgoing.length,
        batchWithdrawalCount: withdrawals.length,
      },
      gasLimit,
      false,
    );
    let error: VMError | undefined;
    try {
      runRequest(exec, req);
    } catch (e) {
      error = toVMError(e);
    }
    if (error instanceof BatchCapacityError && mark.withdrawals + mark.outgoing > 0 && k !== task.chainUtxoTxKey) {
      // Earlier transactions used the anchor's room for outputs: this whole transaction waits for the next block
      // (its UTXO stays, so it stays in the backlog). Alone in a batch it would fail normally, so none waits forever.
      updates.length = mark.updates;
      receipts.length = mark.receipts;
      withdrawals.length = mark.withdrawals;
      outgoing.length = mark.outgoing;
      logs.length = mark.logs;
      surplus = mark.surplus;
      originator = mark.originator;
      txBuf = new VirtualStateBuffer(batch);
      deferred.push(...task.requests.filter((r) => toHex(r.id.txId) === k).map((r) => r.id));
      deferring = k;
      continue;
    }
    if (!error) {
      exec.buf.commitTo(upd);
      withdrawals.push(...exec.withdrawals);
      outgoing.push(...exec.outgoing);
    } else {
      // exec.buf is dropped: its writes, transfers, events and outputs never happened.
      appendEvent(upd, req.section.targetContractID.hname, ts, req.id, `[req] failed: ${error.message}`.slice(0, VM_LIMITS.eventBytesMax));
    }
    logs.push(...exec.logs);
    const receipt: RequestReceipt = {
      requestId: req.id,
      ok: !error,
      ...(error ? { error: { kind: error.kind, message: error.detail } } : {}),
      gasUsed: exec.gas.used,
      blockIndex,
      indexInBlock: updates.length,
    };
    writeReceipt(upd, receipt);
    const mutations = upd.commitTo(txBuf);
    updates.push({ requestId: req.id, timestamp: ts, mutations });
    receipts.push(receipt);
  }
  txBuf.commitTo(batch);

  const block = updates.length > 0 ? makeBlock(blockIndex, updates) : null;
  const stateHash = block ? task.state.hashAfter(block) : null;
  return {
    updates,
    receipts,
    withdrawals,
    outgoingRequests: outgoing,
    skipped,
    deferred,
    block,
    stateHash,
    logs,
    newState: () => {
      const s = task.state.clone();
      if (block) s.applyBlock(block);
      return s;
    },
  };
}

const INIT_EP = hname('init');
const REQUEST_TOKEN_HOME = balancesOf([[COLOR_IOTA, REQUEST_TOKEN_IOTA]]);

/** Owner fee (IOTA, from the request's transfer) to the chain owner, then the call with the rest of the transfer. */
function runRequest(exec: ExecContext, req: VMRequest): void {
  const target = req.section.targetContractID.hname;
  let transfer = req.section.transfer;
  const params = Dict.fromArgs(req.section.args);
  const initializing = target === H.root && req.section.entryPoint === INIT_EP;
  if (!initializing) {
    const fee = feeInfo(exec.buf, target).ownerFee;
    if (fee > 0n) {
      const rest = subBalances(transfer, balancesOf([[COLOR_IOTA, fee]]));
      if (!rest) throw new VMError('InsufficientFunds', `the owner fee is ${fee} IOTA; the request carries ${transfer.get(colorKey(COLOR_IOTA)) ?? 0n}`);
      moveFunds(exec.buf, req.sender, exec.chainOwner(), balancesOf([[COLOR_IOTA, fee]]));
      transfer = rest;
    }
  }
  exec.call(req.sender, target, req.section.entryPoint, params, transfer, false);
}

function checkTask(task: VMTask): void {
  if (task.entropy.length !== 32) throw new VMTaskError(`entropy must be 32 bytes, got ${task.entropy.length}`);
  if (task.timestamp <= task.state.timestamp) throw new VMTaskError(`batch timestamp ${task.timestamp} is not after the state's ${task.state.timestamp}`);
  if (task.requests.length > STATE_LIMITS.updatesPerBlockMax) throw new VMTaskError(`batch of ${task.requests.length} requests > ${STATE_LIMITS.updatesPerBlockMax}`);
}

function skipReason(task: VMTask, batch: StateReader, req: VMRequest, ts: bigint): SkippedRequest['reason'] | null {
  if (!addressEquals(req.section.targetContractID.chainId, task.chainId)) return 'wrong chain';
  if (isRequestProcessed(batch, req.id)) return 'already processed';
  if (req.section.timelock !== 0 && BigInt(req.section.timelock) * 1_000_000_000n > ts) return 'time-locked';
  return null;
}

/** Tokens on the chain UTXO that no account holds yet. More in the accounts than on L1 means the caller is wrong. */
function chainSurplus(task: VMTask): Balances | null {
  const total = totalAssets(task.state);
  const surplus = subBalances(task.chainBalances, total);
  if (!surplus) {
    throw new VMTaskError(`chain balances (${sortedEntries(task.chainBalances).length} colors) are less than the on-chain accounts' total`);
  }
  return surplus.size > 0 ? surplus : null;
}

function ownerOr(st: StateReader, fallback: AgentID): AgentID {
  const v = st.get(rootKey(ROOT_VAR.owner));
  return v ? decodeAll(v, 'owner', readAgentID) : fallback;
}


/** A deployed contract as a user names it: its record and entry points (for messages and checks before paying). */
export interface ContractDescription {
  readonly name: string;
  readonly hname: Hname;
  readonly vmType: string;
  readonly entryPoints: readonly { readonly name: string; readonly isView: boolean }[];
}

/** Every contract on a state with its entry points, in registry order. Read-only; a program that fails to load lists none. */
export function describeContracts(state: VirtualState, chainId: ChainID, opts: { programs?: ProcessorRegistry; chainColor?: Color } = {}): ContractDescription[] {
  const exec = new ExecContext(
    new VirtualStateBuffer(state),
    { chainId, chainColor: opts.chainColor ?? new Uint8Array(32), timestamp: state.timestamp, registry: opts.programs ?? defaultRegistry(), batchOutgoingCount: 0, batchWithdrawalCount: 0 },
    VM_LIMITS.gasLimitPerViewDefault,
    true,
  );
  return listContractRecords(state).map((rec) => {
    let entryPoints: ContractDescription['entryPoints'] = [];
    try {
      entryPoints = exec.processorFor(rec).entryPoints().map((e) => ({ name: e.name, isView: e.isView }));
    } catch {
      // A missing program blob or an unavailable native program: the record still names the contract.
    }
    return { name: rec.name, hname: rec.hname, vmType: rec.vmType, entryPoints };
  });
}

/** Calls a view from outside (dashboard, CLI, tests) on a state; never changes it. */
export function callView(
  state: VirtualState,
  chainId: ChainID,
  contract: Hname,
  view: Hname,
  params: Dict = new Dict(),
  opts: { programs?: ProcessorRegistry; gasLimit?: bigint; chainColor?: Color } = {},
): Dict {
  const exec = new ExecContext(
    new VirtualStateBuffer(state),
    { chainId, chainColor: opts.chainColor ?? new Uint8Array(32), timestamp: state.timestamp, registry: opts.programs ?? defaultRegistry(), batchOutgoingCount: 0, batchWithdrawalCount: 0 },
    opts.gasLimit ?? VM_LIMITS.gasLimitPerViewDefault,
    true,
  );
  try {
    return exec.call(agentIDFromAddress(chainId), contract, view, params, new Map(), true);
  } catch (e) {
    throw toVMError(e);
  }
}

