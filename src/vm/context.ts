import { ed25519 } from '@noble/curves/ed25519.js';
import {
  addBalances,
  addressEquals,
  agentIDEquals,
  colorKey,
  REQUEST_TOKEN_IOTA,
  balancesOf,
  base58Decode,
  base58Encode,
  blake2b256,
  COLOR_IOTA,
  COLOR_MINT,
  decodeAll,
  hname,
  hnameToString,
  readAgentID,
  ValidationError,
  utf8,
  type Address,
  type AgentID,
  type Balances,
  type ChainID,
  type Color,
  type ContractID,
  type Hname,
  type RequestID,
  type RequestSection,
} from '../protocol';
import type { VirtualStateBuffer } from '../state/vstate';
import { Dict } from './dict';
import { VMError } from './errors';
import { GasMeter } from './gas';
import { VmNodeFault } from './wasm/errors';
import { GAS, VM_LIMITS } from './params';
import { PartitionRW, type PartitionHooks } from './partition';
import type { Processor } from './processor';
import { VM_NATIVE, type ProcessorRegistry } from './processor';
import type { Sandbox, SandboxUtils, SandboxView, StateRW } from './sandbox';
import { accountBalances, debitToOutside, moveFunds } from './core/ledger';
import { findContractRecord, ROOT_VAR, rootKey, type ContractRecord } from './core/registry';
import { EP, H } from './core/names';
import { appendEvent } from './core/eventlog-store';
import { loadBlobField } from './core/blob-store';
import { P } from './core/names';

/**
 * The batch's room for anchor outputs is used up. When earlier transactions of the batch used it, runBatch
 * defers the request's transaction to a later block; a request that alone needs more fails with LimitExceeded.
 */
export class BatchCapacityError extends VMError {
  constructor(message: string) {
    super('LimitExceeded', message);
  }
}

/** An L1 payment the anchor transaction must make. COLOR_MINT amounts mint a new color (= anchor tx ID). */
export interface Withdrawal {
  readonly address: Address;
  readonly balances: Balances;
}

/** What a request (or external view call) runs against. */
export interface ExecEnv {
  readonly chainId: ChainID;
  readonly chainColor: Color;
  readonly timestamp: bigint;
  readonly registry: ProcessorRegistry;
  readonly request?: { readonly id: RequestID; readonly entropy: Uint8Array };
  /** Outputs already taken by earlier requests of the batch (so the batch total stays bounded). */
  readonly batchOutgoingCount: number;
  readonly batchWithdrawalCount: number;
}

interface Frame {
  readonly contract: Hname;
  readonly caller: AgentID;
  readonly incoming: Balances;
  readonly params: Dict;
  readonly isView: boolean;
}

const EMPTY: Balances = new Map();
const INIT_EP = hname(EP.init);
const sandboxFrames = new WeakMap<object, { ctx: ExecContext; frame: Frame }>();

/** Core contracts get the whole state and the context; anything else asking gets Unauthorized. */
export function coreAccess(sb: SandboxView): { ctx: ExecContext; buf: VirtualStateBuffer; frame: Frame } {
  const f = sandboxFrames.get(sb);
  if (!f || !isCoreContract(f.frame.contract)) throw new VMError('Unauthorized', 'privileged operation');
  return { ctx: f.ctx, buf: f.ctx.buf, frame: f.frame };
}

const CORE_SET = new Set<Hname>(Object.values(H));
export const isCoreContract = (h: Hname): boolean => CORE_SET.has(h);

/**
 * One request's (or one view call's) execution: the call stack, gas, events and the outputs it produces.
 * All of it is dropped if the request fails (the runner then discards `buf`).
 */
export class ExecContext {
  readonly gas: GasMeter;
  private depth = 0;
  /** The contract root is deploying right now: the only one whose `init` may run (see callInit). */
  private deploying: Hname | null = null;
  events = 0;
  readonly withdrawals: Withdrawal[] = [];
  readonly outgoing: RequestSection[] = [];
  readonly logs: string[] = [];

  constructor(
    readonly buf: VirtualStateBuffer,
    readonly env: ExecEnv,
    gasLimit: bigint,
    readonly readOnly: boolean,
  ) {
    this.gas = new GasMeter(gasLimit);
  }

  /** Records are written once and never change, so a hit can be kept for the rest of this request. */
  private readonly records = new Map<Hname, ContractRecord>();
  contractRecord(h: Hname): ContractRecord | undefined {
    let r = this.records.get(h);
    if (!r) {
      r = findContractRecord(this.buf, h);
      if (r) this.records.set(h, r);
    }
    return r;
  }

  chainOwner(): AgentID {
    const v = this.buf.get(rootKey(ROOT_VAR.owner));
    if (!v) throw new VMError('NotInitialized', 'the chain has no owner yet (root not initialized)');
    return decodeAll(v, 'owner', readAgentID);
  }

  processorFor(rec: ContractRecord): Processor {
    return this.env.registry.processor(rec.vmType, rec.programHash, () => {
      const p = loadBlobField(this.buf, rec.programHash, P.blobProgram);
      if (!p) throw new VMError('NoSuchContract', `program blob of '${rec.name}' is missing`);
      return p;
    });
  }

  /**
   * Runs a contract's `init` as part of its deployment (root.init for the core contracts, root.deployContract for
   * the rest). As in Wasp, `init` runs only so: a request or a contract calling some contract's `init` later
   * would re-run its set-up (a counter reset to 0, an owner replaced) — that is refused in call().
   */
  callInit(caller: AgentID, target: Hname, params: Dict): Dict {
    this.deploying = target;
    try {
      return this.call(caller, target, INIT_EP, params, EMPTY, false);
    } finally {
      this.deploying = null;
    }
  }

  /** Resolves and runs one entry point. `viewOnly`: the caller is a view (or outside), so only views may run. */
  call(caller: AgentID, target: Hname, entryPoint: Hname, params: Dict, transfer: Balances, viewOnly: boolean): Dict {
    if (this.depth >= VM_LIMITS.callDepthMax) throw new VMError('CallDepthExceeded', `call depth ${this.depth} reached the limit ${VM_LIMITS.callDepthMax}`);
    // root's own init is the chain's first request and guards itself (once, from the originator).
    if (entryPoint === INIT_EP && target !== H.root && this.deploying !== target) throw new VMError('Unauthorized', `'init' runs only when root deploys the contract`);
    this.deploying = null;
    this.gas.charge(GAS.call);
    const proc = this.resolve(target);
    const ep = proc.getEntryPoint(entryPoint);
    if (!ep) {
      const name = this.contractRecord(target)?.name;
      throw new VMError('NoSuchEntryPoint', `contract ${name ? `'${name}' (${hnameToString(target)})` : hnameToString(target)} has no entry point ${hnameToString(entryPoint)}`);
    }
    if ((viewOnly || this.readOnly) && !ep.isView) throw new VMError('ReadOnly', `'${ep.name}' is a full entry point; a view can call only views`);
    if (transfer.size > 0) {
      if (ep.isView) throw new VMError('BadParams', `cannot send tokens to view '${ep.name}'`);
      this.gas.charge(GAS.transfer);
      moveFunds(this.buf, caller, { chainId: this.env.chainId, hname: target }, transfer);
    }
    const frame: Frame = { contract: target, caller, incoming: transfer, params, isView: ep.isView };
    this.depth++;
    try {
      const out = ep.isView ? ep.call(this.viewSandbox(frame)) : ep.call(this.fullSandbox(frame));
      const res = out ?? new Dict();
      const size = res.byteSize();
      if (size > VM_LIMITS.resultsBytesMax) throw new VMError('LimitExceeded', `results of ${size} bytes`);
      this.gas.charge(GAS.result + BigInt(size) * GAS.perByte);
      return res;
    } finally {
      this.depth--;
    }
  }

  private resolve(target: Hname): Processor {
    const rec = this.contractRecord(target);
    if (rec) return this.processorFor(rec);
    // Before root.init runs there is no registry: root itself is always reachable so init can run.
    if (target === H.root) {
      const p = this.env.registry.native(rootProgramHash());
      if (p) return p;
    }
    throw new VMError('NoSuchContract', `no contract with hname ${target.toString(16).padStart(8, '0')} on this chain`);
  }

  /* ------------------------------------------------------------ sandboxes */

  /** Sandboxes are small objects with prototype methods: a call builds no closures (calls are the hot path). */
  private viewSandbox(frame: Frame): SandboxView {
    const sb = new ViewSandbox(this, frame);
    sandboxFrames.set(sb, { ctx: this, frame });
    return sb;
  }

  private fullSandbox(frame: Frame): Sandbox {
    const sb = new FullSandbox(this, frame);
    sandboxFrames.set(sb, { ctx: this, frame });
    return sb;
  }

  request(): NonNullable<ExecEnv['request']> {
    if (!this.env.request) throw new VMError('ReadOnly', 'no request in this context');
    return this.env.request;
  }

  log(contract: Hname, m: string): void {
    this.gas.charge(GAS.log + BigInt(m.length) * GAS.perByte);
    if (this.logs.length < VM_LIMITS.logLinesPerRequestMax) this.logs.push(`${contract.toString(16)}: ${m}`);
  }

  /* ------------------------------------------------------------ effects leaving the chain */

  /** Debits `paid` from the account and records an L1 output of `out` (the same, or MINT for a mint). */
  withdraw(from: AgentID, address: Address, paid: Balances, out: Balances): void {
    if (this.env.batchWithdrawalCount + this.withdrawals.length >= VM_LIMITS.withdrawalsPerBatchMax) {
      throw new BatchCapacityError(`more than ${VM_LIMITS.withdrawalsPerBatchMax} L1 withdrawals in one batch`);
    }
    debitToOutside(this.buf, from, paid);
    this.withdrawals.push({ address, balances: out });
  }

  postRequest(sender: Hname, target: ContractID, entryPoint: Hname, params: Dict, transfer: Balances, timelock: number): void {
    this.gas.charge(GAS.postRequest + BigInt(params.byteSize()) * GAS.perByte);
    if (this.env.batchOutgoingCount + this.outgoing.length >= VM_LIMITS.outgoingRequestsPerBatchMax) {
      throw new BatchCapacityError(`more than ${VM_LIMITS.outgoingRequestsPerBatchMax} outgoing requests in one batch`);
    }
    if (!Number.isInteger(timelock) || timelock < 0 || timelock > 0xffffffff) throw new VMError('BadParams', 'timelock must be a u32');
    const me: AgentID = { chainId: this.env.chainId, hname: sender };
    if (timelock !== 0 && addressEquals(target.chainId, this.env.chainId)) {
      // Its token would sit in the chain UTXO, which the very next anchor consumes: it must be processed then.
      throw new VMError('BadParams', 'a request to the own chain cannot be time-locked');
    }
    // The transfer and the IOTA recoloured into the request token leave this chain (the anchor sends them to the
    // target chain's address); the poster pays both, so the chain's L1 funds always equal its accounts.
    const cost = addBalances(transfer, balancesOf([[COLOR_IOTA, REQUEST_TOKEN_IOTA]]));
    const have = accountBalances(this.buf, me).get(colorKey(COLOR_IOTA)) ?? 0n;
    const need = cost.get(colorKey(COLOR_IOTA)) ?? 0n;
    if (have < need) {
      throw new VMError('InsufficientFunds', `posting a request costs ${REQUEST_TOKEN_IOTA} IOTA for its request token plus the transfer: ${need} IOTA needed, the contract has ${have}`);
    }
    debitToOutside(this.buf, me, cost);
    let args;
    try {
      args = params.toArgs();
    } catch (e) {
      throw new VMError('BadParams', (e as Error).message);
    }
    this.outgoing.push({ senderContractHname: sender, targetContractID: target, entryPoint, transfer, timelock, args });
  }

  emitEvent(contract: Hname, message: string): void {
    this.gas.charge(GAS.event + BigInt(message.length) * GAS.perByte);
    if (this.events >= VM_LIMITS.eventsPerRequestMax) throw new VMError('LimitExceeded', `more than ${VM_LIMITS.eventsPerRequestMax} events in one request`);
    const bytes = utf8(message);
    if (bytes.length > VM_LIMITS.eventBytesMax) throw new VMError('LimitExceeded', `event of ${bytes.length} bytes > ${VM_LIMITS.eventBytesMax}`);
    this.events++;
    appendEvent(this.buf, contract, this.env.timestamp, this.env.request?.id, message);
  }
}

const COLOR_MINT_KEY = [...COLOR_MINT].map((b) => b.toString(16).padStart(2, '0')).join('');

let rootHash: Uint8Array | undefined;
function rootProgramHash(): Uint8Array {
  rootHash ??= blake2b256(new TextEncoder().encode(`native:root`));
  return rootHash;
}

/** Maps a thrown value to the receipt's error. Bugs in native code are Panics too: the chain must go on. */
export function toVMError(e: unknown): VMError {
  if (e instanceof VMError) return e;
  // A fault of this node (engine limit, host bug) must not become a request's result: another node would not see it.
  if (e instanceof VmNodeFault) throw e;
  if (e instanceof ValidationError) return new VMError('LimitExceeded', e.message);
  if (e instanceof RangeError && /call stack/i.test(e.message)) return new VMError('StackOverflow', e.message);
  return new VMError('Panic', e instanceof Error ? e.message : String(e));
}

export const isSameChain = (a: AgentID, chainId: ChainID): boolean => addressEquals(a.chainId, chainId);
export { agentIDEquals, VM_NATIVE };

/** Gas-charging partition hooks, shared by all sandboxes of a context. */
class MeteredPartition implements PartitionHooks {
  constructor(
    private readonly ctx: ExecContext,
    private readonly readOnly: boolean,
  ) {}
  onRead(_k: Uint8Array, v: Uint8Array | undefined): void {
    this.ctx.gas.charge(GAS.stateRead + BigInt(v?.length ?? 0) * GAS.perByte);
  }
  onKeys(n: number): void {
    this.ctx.gas.charge(GAS.stateKeys + BigInt(n) * GAS.stateRead);
  }
  onWrite(k: Uint8Array, v: Uint8Array | undefined): void {
    if (this.readOnly) throw new VMError('ReadOnly', 'a view cannot write state');
    this.ctx.gas.charge(GAS.stateWrite + BigInt(k.length + (v?.length ?? 0)) * GAS.perByte);
    if (this.ctx.buf.pendingCount >= VM_LIMITS.mutationsPerRequestMax) throw new VMError('LimitExceeded', `more than ${VM_LIMITS.mutationsPerRequestMax} keys written`);
  }
}

class Utils implements SandboxUtils {
  constructor(private readonly gas: GasMeter) {}
  blake2b256(d: Uint8Array): Uint8Array {
    this.gas.charge(GAS.hash + BigInt(d.length) * GAS.perByte);
    return blake2b256(d);
  }
  hname(n: string): Hname {
    this.gas.charge(GAS.hash + BigInt(n.length) * GAS.perByte);
    return hname(n);
  }
  base58Encode(d: Uint8Array): string {
    this.gas.charge(GAS.base58 + BigInt(d.length) * GAS.perByte * 4n);
    return base58Encode(d);
  }
  base58Decode(s: string): Uint8Array {
    this.gas.charge(GAS.base58 + BigInt(s.length) * GAS.perByte * 4n);
    try {
      return base58Decode(s);
    } catch (e) {
      throw new VMError('BadParams', `base58: ${(e as Error).message}`);
    }
  }
  ed25519Verify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
    this.gas.charge(GAS.ed25519Verify + BigInt(msg.length) * GAS.perByte);
    if (pk.length !== 32 || sig.length !== 64) return false;
    try {
      return ed25519.verify(sig, msg, pk);
    } catch {
      return false;
    }
  }
}

class ViewSandbox implements SandboxView {
  readonly params: Dict;
  readonly state: PartitionRW;
  readonly utils: SandboxUtils;
  constructor(
    protected readonly ctx: ExecContext,
    protected readonly frame: Frame,
    readOnly = true,
  ) {
    this.params = frame.params;
    this.state = new PartitionRW(ctx.buf, frame.contract, new MeteredPartition(ctx, readOnly), readOnly);
    this.utils = new Utils(ctx.gas);
  }
  contract(): Hname {
    return this.frame.contract;
  }
  contractId(): ContractID {
    return { chainId: this.ctx.env.chainId, hname: this.frame.contract };
  }
  chainId(): ChainID {
    return this.ctx.env.chainId;
  }
  chainOwnerId(): AgentID {
    this.ctx.gas.charge(GAS.info);
    return this.ctx.chainOwner();
  }
  timestamp(): bigint {
    return this.ctx.env.timestamp;
  }
  balances(): Balances {
    this.ctx.gas.charge(GAS.stateKeys);
    return accountBalances(this.ctx.buf, this.contractId());
  }
  callView(contract: Hname, view: Hname, params?: Dict): Dict {
    return this.ctx.call(this.contractId(), contract, view, params ?? new Dict(), EMPTY, true);
  }
  chargeGas(n: bigint): void {
    this.ctx.gas.charge(n);
  }
  gasLeft(): bigint {
    return this.ctx.gas.remaining;
  }
  log(m: string): void {
    this.ctx.log(this.frame.contract, m);
  }
  panic(m: string): never {
    throw new VMError('Panic', m);
  }
}

class FullSandbox extends ViewSandbox implements Sandbox {
  constructor(ctx: ExecContext, frame: Frame) {
    super(ctx, frame, false);
  }
  caller(): AgentID {
    return this.frame.caller;
  }
  requestId(): RequestID {
    return this.ctx.request().id;
  }
  incoming(): Balances {
    return this.frame.incoming;
  }
  entropy(): Uint8Array {
    return Uint8Array.from(this.ctx.request().entropy);
  }
  call(contract: Hname, ep: Hname, params?: Dict, transfer?: Balances): Dict {
    return this.ctx.call(this.contractId(), contract, ep, params ?? new Dict(), transfer ?? EMPTY, false);
  }
  transferToAgent(target: AgentID, b: Balances): void {
    this.ctx.gas.charge(GAS.transfer);
    if (b.size === 0) return;
    moveFunds(this.ctx.buf, this.contractId(), target, b);
  }
  transferToAddress(target: Address, b: Balances): void {
    this.ctx.gas.charge(GAS.transfer);
    if (b.size === 0) return;
    for (const k of b.keys()) if (k === COLOR_MINT_KEY) throw new VMError('BadParams', 'cannot transfer the MINT marker color');
    this.ctx.withdraw(this.contractId(), target, b, b);
  }
  postRequest(target: ContractID, ep: Hname, params?: Dict, transfer?: Balances, timelock?: number): void {
    this.ctx.postRequest(this.frame.contract, target, ep, params ?? new Dict(), transfer ?? EMPTY, timelock ?? 0);
  }
  mintToAddress(target: Address, amount: bigint): void {
    this.ctx.gas.charge(GAS.transfer);
    if (amount <= 0n) throw new VMError('BadParams', 'mint amount must be positive');
    // L1 minting recolors IOTAs: the anchor output holds `amount` MINT tokens, paid with as many IOTAs.
    this.ctx.withdraw(this.contractId(), target, balancesOf([[COLOR_IOTA, amount]]), balancesOf([[COLOR_MINT, amount]]));
  }
  event(m: string): void {
    this.ctx.emitEvent(this.frame.contract, m);
  }
  deployContract(programHash: Uint8Array, name: string, description: string, initParams?: Dict): void {
    const p = initParams ? initParams.clone() : new Dict();
    p.set(P.programHash, programHash).set(P.name, utf8(name)).set(P.description, utf8(description));
    this.ctx.call(this.contractId(), H.root, DEPLOY_EP, p, EMPTY, false);
  }
}

const DEPLOY_EP = hname(EP.root.deployContract);
