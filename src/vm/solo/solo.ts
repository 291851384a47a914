import {
  addBalances,
  AddressKind,
  agentIDFromAddress,
  balancesOf,
  blake2b256,
  COLOR_IOTA,
  COLOR_MINT,
  colorKey,
  hname as hnameOf,
  SeededRng,
  subBalances,
  toHex,
  utf8,
  Writer,
  addressKey,
  type Address,
  type AgentID,
  type Balances,
  type Color,
  type Hname,
  type RequestID,
  type RequestSection,
} from '../../protocol';
import { VirtualState } from '../../state/vstate';
import { encodeBlock } from '../../state/block';
import { callView as vmCallView, runBatch, type VMRequest, type VMResult } from '../runner';
import { Dict } from '../dict';
import { createRegistry } from '../registry-default';
import type { ProcessorRegistry } from '../processor';
import { H, EP, P } from '../core/names';
import { accountBalances, totalAssets } from '../core/ledger';
import { eventRecords, type EventRecord } from '../core/eventlog-store';
import type { RequestReceipt } from '../core/blocklog';
import { VMError } from '../errors';

/** A wallet: an L1 address with L1 balances kept by the harness. */
export interface SoloWallet {
  readonly name: string;
  readonly address: Address;
  readonly agentId: AgentID;
}

export interface SoloRequest {
  readonly contract: string | Hname;
  readonly entryPoint: string;
  readonly params?: Dict | Record<string, Uint8Array>;
  /** Tokens sent with the request (IOTA amount as a shorthand). */
  readonly transfer?: Balances | bigint;
  readonly sender?: SoloWallet;
  readonly timelock?: number;
}

const toDict = (p: SoloRequest['params']): Dict => (p instanceof Dict ? p : Dict.of(p ?? {}));
/** Names hashed once: a test posting thousands of requests should measure the VM, not blake2b of names. */
const hnameCache = new Map<string, Hname>();
function cachedHname(name: string): Hname {
  let h = hnameCache.get(name);
  if (h === undefined) {
    h = hnameOf(name);
    if (hnameCache.size < 10_000) hnameCache.set(name, h);
  }
  return h;
}
const toHname = (c: string | Hname): Hname => (typeof c === 'string' ? cachedHname(c) : c);
const SEC = 1_000_000_000n;

/**
 * Solo: a chain in-process without consensus or a real L1, for contract tests (like Wasp's Solo). Each
 * postRequest runs one batch through runBatch and applies its block, so tests exercise the real VM path.
 */
export class Solo {
  static newChain(opts: { seed?: number; description?: string; registry?: ProcessorRegistry } = {}): SoloChain {
    return new SoloChain(opts.seed ?? 1, opts.description ?? 'solo chain', opts.registry ?? createRegistry());
  }
}

export class SoloChain {
  state = VirtualState.origin();
  readonly chainId: Address;
  readonly chainColor: Color;
  readonly owner: SoloWallet;
  /** Unix ns; advanced 1 s per batch and by advanceClock. */
  clock = 1_700_000_000n * SEC;
  /** L1 balances of wallets (and of foreign addresses that received withdrawals). */
  private readonly l1 = new Map<string, Balances>();
  /** The chain UTXO's tokens excluding the chain token. */
  chainBalances: Balances = new Map();
  private readonly rng: SeededRng;
  private txCounter = 0;
  private lastAnchor: Uint8Array = new Uint8Array(32);
  /** Cross-chain requests the chain posted (the test can deliver them to another SoloChain). */
  readonly outbox: RequestSection[] = [];
  readonly lastResults: VMResult[] = [];

  constructor(
    seed: number,
    description: string,
    readonly registry: ProcessorRegistry,
  ) {
    this.rng = new SeededRng(seed);
    this.chainId = { kind: AddressKind.BLS, digest: this.rng.bytes(32) };
    this.chainColor = this.rng.bytes(32);
    this.owner = this.newWallet('owner');
    const r = this.postRequest({ contract: H.root, entryPoint: EP.init, params: { [P.description]: utf8(description) }, sender: this.owner });
    if (!r.ok) throw new Error(`solo: init failed: ${r.error?.kind}: ${r.error?.message}`);
  }

  newWallet(name: string, iotas = 1_000_000n): SoloWallet {
    const address: Address = { kind: AddressKind.Ed25519, digest: blake2b256(utf8(`solo-wallet:${name}`), this.rng.bytes(8)) };
    this.l1.set(addressKey(address), balancesOf([[COLOR_IOTA, iotas]]));
    return { name, address, agentId: agentIDFromAddress(address) };
  }

  l1Balances(a: Address | SoloWallet): Balances {
    const addr = 'address' in a ? a.address : a;
    return this.l1.get(addressKey(addr)) ?? new Map();
  }
  l1Iotas(a: Address | SoloWallet): bigint {
    return this.l1Balances(a).get(colorKey(COLOR_IOTA)) ?? 0n;
  }

  /** On-chain account balance. */
  balances(agent: AgentID | SoloWallet): Balances {
    return accountBalances(this.state, 'agentId' in agent ? agent.agentId : agent);
  }
  iotas(agent: AgentID | SoloWallet): bigint {
    return this.balances(agent).get(colorKey(COLOR_IOTA)) ?? 0n;
  }
  contractAgent(name: string): AgentID {
    return { chainId: this.chainId, hname: hnameOf(name) };
  }

  advanceClock(ns: bigint): void {
    this.clock += ns;
  }

  postRequest(req: SoloRequest): RequestReceipt {
    return this.postRequests([req])[0] as RequestReceipt;
  }

  /** One batch with all these requests; returns their receipts (skipped requests have none). */
  postRequests(reqs: readonly SoloRequest[]): RequestReceipt[] {
    const vmReqs: VMRequest[] = reqs.map((r) => this.makeRequest(r));
    const incoming = vmReqs.reduce((s, r) => addBalances(s, r.section.transfer), new Map() as Balances);
    this.clock += SEC;
    const res = runBatch({
      chainId: this.chainId,
      chainColor: this.chainColor,
      state: this.state,
      requests: vmReqs,
      timestamp: this.clock,
      entropy: blake2b256(this.lastAnchor),
      chainBalances: this.chainBalances,
      programs: this.registry,
    });
    this.lastResults.push(res);
    if (this.lastResults.length > 8) this.lastResults.shift();
    if (res.block) {
      const anchor = blake2b256(encodeBlock(res.block));
      this.state.applyBlock({ ...res.block, anchorTxId: anchor });
      this.lastAnchor = anchor;
      this.clock = res.block.timestamp;
      this.settle(res, incoming, anchor);
    }
    return res.receipts;
  }

  /** Moves the L1 side: request tokens into the chain UTXO, withdrawals and outgoing transfers out of it. */
  private settle(res: VMResult, incoming: Balances, anchor: Uint8Array): void {
    let utxo = addBalances(this.chainBalances, incoming);
    for (const w of res.withdrawals) {
      const minted = w.balances.get(colorKey(COLOR_MINT));
      const paid = minted !== undefined ? balancesOf([[COLOR_IOTA, minted]]) : w.balances;
      const left = subBalances(utxo, paid);
      if (!left) throw new Error('solo: withdrawal exceeds the chain UTXO (accounts invariant broken)');
      utxo = left;
      const got = minted !== undefined ? balancesOf([[anchor, minted]]) : w.balances;
      this.l1.set(addressKey(w.address), addBalances(this.l1Balances(w.address), got));
    }
    for (const o of res.outgoingRequests) {
      const left = subBalances(utxo, o.transfer);
      if (!left) throw new Error('solo: outgoing transfer exceeds the chain UTXO');
      utxo = left;
      this.outbox.push(o);
    }
    this.chainBalances = utxo;
  }

  private makeRequest(r: SoloRequest): VMRequest {
    const sender = r.sender ?? this.owner;
    const transfer = typeof r.transfer === 'bigint' ? balancesOf([[COLOR_IOTA, r.transfer]]) : r.transfer ?? new Map();
    const left = subBalances(this.l1Balances(sender), transfer);
    if (!left) throw new Error(`solo: wallet ${sender.name} has too few L1 tokens for this transfer`);
    this.l1.set(addressKey(sender.address), left);
    const id: RequestID = { txId: blake2b256(new Writer().u32(++this.txCounter).finish(), this.chainId.digest), index: 0 };
    return {
      id,
      sender: sender.agentId,
      section: {
        senderContractHname: 0,
        targetContractID: { chainId: this.chainId, hname: toHname(r.contract) },
        entryPoint: cachedHname(r.entryPoint),
        transfer,
        timelock: r.timelock ?? 0,
        args: toDict(r.params).toArgs(),
      },
    };
  }

  callView(contract: string | Hname, view: string, params?: SoloRequest['params']): Dict {
    return vmCallView(this.state, this.chainId, toHname(contract), cachedHname(view), toDict(params), { programs: this.registry, chainColor: this.chainColor });
  }

  events(contract: string | Hname, max = 100): EventRecord[] {
    return eventRecords(this.state, toHname(contract), 0n, 1n << 62n, max);
  }

  /** Stores the program as a blob and deploys it; returns the deploy receipt. */
  deployContract(name: string, program: Uint8Array, opts: { vmType?: string; description?: string; initParams?: Record<string, Uint8Array>; sender?: SoloWallet } = {}): RequestReceipt {
    const store = this.postRequest({ contract: H.blob, entryPoint: EP.blob.storeBlob, params: { [P.blobProgram]: program, [P.blobVMType]: utf8(opts.vmType ?? 'wasm'), [P.blobDescription]: utf8(opts.description ?? name) }, sender: opts.sender });
    if (!store.ok) return store;
    const hash = this.programHashOf(program, opts.vmType ?? 'wasm', opts.description ?? name);
    return this.deployProgram(name, hash, opts);
  }

  deployProgram(name: string, programHash: Uint8Array, opts: { description?: string; initParams?: Record<string, Uint8Array>; sender?: SoloWallet } = {}): RequestReceipt {
    return this.postRequest({
      contract: H.root,
      entryPoint: EP.root.deployContract,
      params: { ...(opts.initParams ?? {}), [P.programHash]: programHash, [P.name]: utf8(name), [P.description]: utf8(opts.description ?? name) },
      sender: opts.sender,
    });
  }

  programHashOf(program: Uint8Array, vmType: string, description: string): Uint8Array {
    const d = Dict.of({ [P.blobProgram]: program, [P.blobVMType]: utf8(vmType), [P.blobDescription]: utf8(description) });
    const w = new Writer();
    for (const [k, v] of d.entries()) w.bytes(k).bytes(v);
    return blake2b256(w.finish());
  }

  /** The accounts invariant: total assets = Σ accounts = chain UTXO (excl. chain token). Throws if broken. */
  checkInvariant(): void {
    const total = totalAssets(this.state);
    const sum = new Map<string, bigint>();
    const view = this.callView(H.accounts, EP.accounts.accounts);
    for (const [k] of view.entries()) {
      const b = this.balances(decodeAgent(k));
      for (const [c, v] of b) sum.set(c, (sum.get(c) ?? 0n) + v);
    }
    const same = (a: Balances, b: Balances) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
    if (!same(total, sum)) throw new VMError('Panic', `invariant: total assets ${fmt(total)} != sum of accounts ${fmt(sum)}`);
    if (!same(total, this.chainBalances)) throw new VMError('Panic', `invariant: total assets ${fmt(total)} != chain UTXO ${fmt(this.chainBalances)}`);
  }
}

import { agentIDFromBytes } from '../../protocol';
const decodeAgent = (b: Uint8Array): AgentID => agentIDFromBytes(b);
const fmt = (b: Balances) => [...b].map(([k, v]) => `${k.slice(0, 6)}:${v}`).join(',');
export { toHex };
