import { ed25519 } from '@noble/curves/ed25519.js';
import {
  addressEquals,
  agentIDEquals,
  balancesOf,
  base58Decode,
  base58Encode,
  blake2b256,
  COLOR_IOTA,
  COLOR_MINT,
  decodeAll,
  hname,
  readAgentID,
  ValidationError,
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
import { PartitionRW } from './partition';
import type { Processor } from './processor';
import { VM_NATIVE, type ProcessorRegistry } from './processor';
import type { Sandbox, SandboxUtils, SandboxView, StateRW } from './sandbox';
import { accountBalances, debitToOutside, moveFunds } from './core/ledger';
import { findContractRecord, ROOT_VAR, rootKey, type ContractRecord } from './core/registry';
import { EP, H } from './core/names';
import { appendEvent } from './core/eventlog-store';
import { loadBlobField } from './core/blob-store';
import { P } from './core/names';

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

  contractRecord(h: Hname): ContractRecord | undefined {
    return findContractRecord(this.buf, h);
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

  /** Resolves and runs one entry point. `viewOnly`: the caller is a view (or outside), so only views may run. */
  call(caller: AgentID, target: Hname, entryPoint: Hname, params: Dict, transfer: Balances, viewOnly: boolean): Dict {
    if (this.depth >= VM_LIMITS.callDepthMax) throw new VMError('CallDepthExceeded', `call depth ${this.depth} reached the limit ${VM_LIMITS.callDepthMax}`);
    this.gas.charge(GAS.call);
    const proc = this.resolve(target);
    const ep = proc.getEntryPoint(entryPoint);
    if (!ep) throw new VMError('NoSuchEntryPoint', `contract ${target.toString(16).padStart(8, '0')} has no entry point ${entryPoint.toString(16).padStart(8, '0')}`);
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

  private partition(contract: Hname, readOnly: boolean): PartitionRW {
    const gas = this.gas;
    const buf = this.buf;
    return new PartitionRW(
      this.buf,
      contract,
      {
        onRead: (_k, v) => gas.charge(GAS.stateRead + BigInt(v?.length ?? 0) * GAS.perByte),
        onKeys: (n) => gas.charge(GAS.stateKeys + BigInt(n) * GAS.stateRead),
        onWrite: (k, v) => {
          if (readOnly) throw new VMError('ReadOnly', 'a view cannot write state');
          gas.charge(GAS.stateWrite + BigInt(k.length + (v?.length ?? 0)) * GAS.perByte);
          if (buf.pendingCount >= VM_LIMITS.mutationsPerRequestMax) throw new VMError('LimitExceeded', `more than ${VM_LIMITS.mutationsPerRequestMax} keys written`);
        },
      },
      readOnly,
    );
  }

  private utils(): SandboxUtils {
    const gas = this.gas;
    return {
      blake2b256: (d) => (gas.charge(GAS.hash + BigInt(d.length) * GAS.perByte), blake2b256(d)),
      hname: (n) => (gas.charge(GAS.hash + BigInt(n.length) * GAS.perByte), hname(n)),
      base58Encode: (d) => (gas.charge(GAS.base58 + BigInt(d.length) * GAS.perByte * 4n), base58Encode(d)),
      base58Decode: (s) => {
        gas.charge(GAS.base58 + BigInt(s.length) * GAS.perByte * 4n);
        try {
          return base58Decode(s);
        } catch (e) {
          throw new VMError('BadParams', `base58: ${(e as Error).message}`);
        }
      },
      ed25519Verify: (pk, msg, sig) => {
        gas.charge(GAS.ed25519Verify + BigInt(msg.length) * GAS.perByte);
        if (pk.length !== 32 || sig.length !== 64) return false;
        try {
          return ed25519.verify(sig, msg, pk);
        } catch {
          return false;
        }
      },
    };
  }

  private viewSandbox(frame: Frame): SandboxView {
    const self = this;
    const state = this.partition(frame.contract, true);
    const sb: SandboxView = {
      params: frame.params,
      state,
      utils: this.utils(),
      contract: () => frame.contract,
      contractId: () => ({ chainId: self.env.chainId, hname: frame.contract }),
      chainId: () => self.env.chainId,
      chainOwnerId: () => (self.gas.charge(GAS.info), self.chainOwner()),
      timestamp: () => self.env.timestamp,
      balances: () => (self.gas.charge(GAS.stateKeys), accountBalances(self.buf, { chainId: self.env.chainId, hname: frame.contract })),
      callView: (contract, view, params) => self.call({ chainId: self.env.chainId, hname: frame.contract }, contract, view, params ?? new Dict(), EMPTY, true),
      chargeGas: (n) => self.gas.charge(n),
      gasLeft: () => self.gas.remaining,
      log: (m) => {
        self.gas.charge(GAS.log + BigInt(m.length) * GAS.perByte);
        if (self.logs.length < VM_LIMITS.logLinesPerRequestMax) self.logs.push(`${frame.contract.toString(16)}: ${m}`);
      },
      panic: (m) => {
        throw new VMError('Panic', m);
      },
    };
    sandboxFrames.set(sb, { ctx: this, frame });
    return sb;
  }

  private fullSandbox(frame: Frame): Sandbox {
    const self = this;
    const view = this.viewSandbox(frame);
    const state: StateRW = this.partition(frame.contract, false);
    const me: AgentID = { chainId: this.env.chainId, hname: frame.contract };
    const request = () => {
      if (!self.env.request) throw new VMError('ReadOnly', 'no request in this context');
      return self.env.request;
    };
    const sb: Sandbox = {
      ...view,
      state,
      caller: () => frame.caller,
      requestId: () => request().id,
      incoming: () => frame.incoming,
      entropy: () => Uint8Array.from(request().entropy),
      call: (contract, ep, params, transfer) => self.call(me, contract, ep, params ?? new Dict(), transfer ?? EMPTY, false),
      transferToAgent: (target, b) => {
        self.gas.charge(GAS.transfer);
        if (b.size === 0) return;
        moveFunds(self.buf, me, target, b);
      },
      transferToAddress: (target, b) => {
        self.gas.charge(GAS.transfer);
        if (b.size === 0) return;
        for (const k of b.keys()) if (k === COLOR_MINT_KEY) throw new VMError('BadParams', 'cannot transfer the MINT marker color');
        self.withdraw(me, target, b, b);
      },
      postRequest: (target, ep, params, transfer, timelock) => self.postRequest(frame.contract, target, ep, params ?? new Dict(), transfer ?? EMPTY, timelock ?? 0),
      mintToAddress: (target, amount) => {
        self.gas.charge(GAS.transfer);
        if (amount <= 0n) throw new VMError('BadParams', 'mint amount must be positive');
        // L1 minting recolors IOTAs: the anchor output holds `amount` MINT tokens, paid with as many IOTAs.
        self.withdraw(me, target, balancesOf([[COLOR_IOTA, amount]]), balancesOf([[COLOR_MINT, amount]]));
      },
      event: (m) => self.emitEvent(frame.contract, m),
      deployContract: (programHash, name, description, initParams) => {
        const p = initParams ? initParams.clone() : new Dict();
        p.set(P.programHash, programHash).set(P.name, new TextEncoder().encode(name)).set(P.description, new TextEncoder().encode(description));
        self.call(me, H.root, hname(EP.root.deployContract), p, EMPTY, false);
      },
    };
    sandboxFrames.set(sb, { ctx: this, frame });
    return sb;
  }

  /* ------------------------------------------------------------ effects leaving the chain */

  /** Debits `paid` from the account and records an L1 output of `out` (the same, or MINT for a mint). */
  withdraw(from: AgentID, address: Address, paid: Balances, out: Balances): void {
    if (this.env.batchWithdrawalCount + this.withdrawals.length >= VM_LIMITS.withdrawalsPerBatchMax) {
      throw new VMError('LimitExceeded', `more than ${VM_LIMITS.withdrawalsPerBatchMax} L1 withdrawals in one batch`);
    }
    debitToOutside(this.buf, from, paid);
    this.withdrawals.push({ address, balances: out });
  }

  postRequest(sender: Hname, target: ContractID, entryPoint: Hname, params: Dict, transfer: Balances, timelock: number): void {
    this.gas.charge(GAS.postRequest + BigInt(params.byteSize()) * GAS.perByte);
    if (this.env.batchOutgoingCount + this.outgoing.length >= VM_LIMITS.outgoingRequestsPerBatchMax) {
      throw new VMError('LimitExceeded', `more than ${VM_LIMITS.outgoingRequestsPerBatchMax} outgoing requests in one batch`);
    }
    if (!Number.isInteger(timelock) || timelock < 0 || timelock > 0xffffffff) throw new VMError('BadParams', 'timelock must be a u32');
    const me: AgentID = { chainId: this.env.chainId, hname: sender };
    // Tokens leave this chain: the anchor transaction sends them to the target chain's address.
    if (transfer.size > 0) debitToOutside(this.buf, me, transfer);
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
    const bytes = new TextEncoder().encode(message);
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
