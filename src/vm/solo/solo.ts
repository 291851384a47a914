import {
  addBalances,
  AddressKind,
  agentIDFromAddress,
  balancesOf,
  blake2b256,
  COLOR_IOTA,
  colorKey,
  compareBytes,
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
  addressEquals,
  bookBalances,
  buildAnchorEssence,
  essenceBytes,
  inChainUtxo,
  REQUEST_TOKEN_IOTA,
  requestIDKey,
  vmChainBalances,
  requestUtxoSurplus,
  straysForAnchor,
  type AnchorChainUtxo,
  type AnchorStray,
  type AnchorRequest,
} from '../../protocol';
import { VirtualState } from '../../state/vstate';
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

/** A request waiting on a Solo chain's address: what the real backlog would hold. */
interface SoloPending {
  readonly vm: VMRequest;
  readonly anchor: AnchorRequest;
}

/** What a contract posted to another chain, with the output the anchor paid to that chain's address. */
export interface SoloPosted {
  readonly section: RequestSection;
  readonly id: RequestID;
  readonly sender: AgentID;
  /** The anchor's output to the target chain address (booked colours), shared by its requests there. */
  readonly utxoBalances: Balances;
  readonly requestsInTx: number;
}

export class SoloChain {
  state = VirtualState.origin();
  /**
   * Gas per request instead of governance's gasLimitPerRequest: for tests of the VM's own containment (memory cap,
   * frame budget) with budgets no chain may set (governance caps it at VM_LIMITS.gasLimitPerRequestMax).
   */
  gasLimitOverride: bigint | undefined = undefined;
  readonly chainId: Address;
  readonly chainColor: Color;
  readonly owner: SoloWallet;
  /** Unix ns; advanced 1 s per batch and by advanceClock. */
  clock = 1_700_000_000n * SEC;
  /** L1 balances of wallets and of every other address the anchors paid (foreign chains included). */
  private readonly l1 = new Map<string, Balances>();
  /** The chain-token UTXO: the origin, then each anchor's output to the chain address. */
  private chainUtxo: AnchorChainUtxo;
  private readonly rng: SeededRng;
  private txCounter = 0;
  private lastAnchor: Uint8Array = new Uint8Array(32);
  /** Requests on the chain address not processed yet (time-locked ones, delivered ones, ones posted to itself). */
  private pending: SoloPending[] = [];
  /**
   * Outputs in the chain address with no request in them (tokens sent without a request, request tokens another
   * chain sent back), sorted by tx ID: the next batches sweep them, as a committee's leader does.
   */
  private strays: AnchorStray[] = [];
  /** Requests the chain's contracts posted to other chains: `deliverOutbox(target)` hands them over. */
  readonly outbox: SoloPosted[] = [];
  readonly lastResults: VMResult[] = [];

  constructor(
    seed: number,
    description: string,
    readonly registry: ProcessorRegistry,
  ) {
    this.rng = new SeededRng(seed);
    this.chainId = { kind: AddressKind.BLS, digest: this.rng.bytes(32) };
    this.chainColor = this.rng.bytes(32);
    // The origin transaction's ID is the chain colour; its output to the chain address holds the chain token.
    this.chainUtxo = { txId: this.chainColor, balances: balancesOf([[this.chainColor, 1n]]) };
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
    if (addressEquals(addr, this.chainId)) return this.chainBalances;
    return this.l1.get(addressKey(addr)) ?? new Map();
  }
  l1Iotas(a: Address | SoloWallet): bigint {
    return this.l1Balances(a).get(colorKey(COLOR_IOTA)) ?? 0n;
  }

  /**
   * The chain UTXO's tokens without the chain token and without the requests waiting in it: what the on-chain
   * accounts must add up to (the accounts invariant). Strays not swept yet are not in it.
   */
  get chainBalances(): Balances {
    return vmChainBalances(this.chainUtxo, this.chainColor, this.inChainUtxo());
  }

  /** Outputs in the chain address that no batch has swept yet. */
  get strayOutputs(): readonly AnchorStray[] {
    return this.strays;
  }

  /**
   * An L1 payment from a wallet to the chain address without a request: a stray output, which the next batch
   * sweeps into the chain owner's account (docs/decisions/vm-request-semantics.md "Tokens nobody claims").
   */
  sendWithoutRequest(from: SoloWallet, transfer: Balances | bigint): void {
    const b = typeof transfer === 'bigint' ? balancesOf([[COLOR_IOTA, transfer]]) : transfer;
    const left = subBalances(this.l1Balances(from), b);
    if (!left) throw new Error(`solo: ${from.name} cannot pay that`);
    this.l1.set(addressKey(from.address), left);
    this.addStray({ txId: this.rng.bytes(32), balances: b });
  }

  private addStray(s: AnchorStray): void {
    this.strays.push(s);
    this.strays.sort((a, b) => compareBytes(a.txId, b.txId));
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

  /**
   * One batch with these requests, after the requests waiting on the chain (posted to itself, delivered from
   * another chain, time-locked until now), as a committee would batch them; returns the receipts of `reqs`.
   */
  postRequests(reqs: readonly SoloRequest[]): RequestReceipt[] {
    const fresh = reqs.map((r) => this.makeRequest(r));
    const receipts = this.runPending(fresh);
    const mine = new Set(fresh.map((p) => requestIDKey(p.vm.id)));
    return receipts.filter((r) => mine.has(requestIDKey(r.requestId)));
  }

  /**
   * Hands what this chain's contracts posted to `target` (this chain by default: requests it posted to itself)
   * over to it, with the tokens the anchors paid to its address, and runs one batch there. Returns its receipts.
   */
  deliverOutbox(target: SoloChain = this): RequestReceipt[] {
    if (target !== this) {
      const mine = this.outbox.filter((p) => addressEquals(p.section.targetContractID.chainId, target.chainId));
      for (let i = this.outbox.length - 1; i >= 0; i--) if (mine.includes(this.outbox[i] as SoloPosted)) this.outbox.splice(i, 1);
      const paid = new Set<string>();
      for (const p of mine) {
        const tk = toHex(p.id.txId);
        if (!paid.has(tk)) {
          // The anchor's output to the target address moves from this harness's L1 view to the target's.
          paid.add(tk);
          const left = subBalances(this.l1Balances(target.chainId), p.utxoBalances);
          if (!left) throw new Error('solo: the outbox output is missing from L1');
          this.l1.set(addressKey(target.chainId), left);
        }
        target.pending.push({
          vm: { id: p.id, sender: p.sender, section: p.section },
          anchor: { id: p.id, section: p.section, senderAddress: this.chainId, utxoBalances: p.utxoBalances, requestsInTx: p.requestsInTx },
        });
      }
    }
    const got = target.runPending([]);
    // The target's anchor sent our request tokens back uncoloured: strays in this chain's address.
    // (Those in an output that also carries its requests to us stay with them: requestUtxoSurplus credits them.)
    if (target !== this) {
      const k = addressKey(this.chainId);
      const carrying = new Map(target.outbox.filter((p) => addressEquals(p.section.targetContractID.chainId, this.chainId)).map((p) => [toHex(p.id.txId), p.utxoBalances]));
      const held = [...carrying.values()].reduce((sum, b) => addBalances(sum, b), new Map() as Balances);
      const back = subBalances(target.l1.get(k) ?? new Map(), held);
      if (back && back.size > 0) {
        target.l1.set(k, held);
        this.addStray({ txId: target.lastAnchor, balances: back });
      }
    }
    return got;
  }

  /** Requests waiting in the chain UTXO (posted by the chain to itself): the next batch must take them all. */
  private inChainUtxo(): AnchorRequest[] {
    return this.pending.filter((p) => inChainUtxo(p.anchor, this.chainUtxo)).map((p) => p.anchor);
  }

  private runPending(fresh: readonly SoloPending[]): RequestReceipt[] {
    this.clock += SEC;
    // Like a leader, batch only what is not time-locked: the others stay on the chain address.
    const due = (p: SoloPending): boolean => BigInt(p.vm.section.timelock) * SEC <= this.clock;
    const all = [...this.pending, ...fresh];
    const batch = all.filter(due);
    const anchors = batch.map((p) => p.anchor);
    const surplus = requestUtxoSurplus(this.chainUtxo, anchors);
    // Strays ride along with requests (a batch without requests makes no block, as with a committee).
    const strays = batch.length > 0 ? straysForAnchor(this.strays, this.chainUtxo, anchors) : [];
    const res = runBatch({
      chainId: this.chainId,
      chainColor: this.chainColor,
      state: this.state,
      requests: batch.map((p, i) => (surplus[i] ? { ...p.vm, utxoSurplus: surplus[i] } : p.vm)),
      timestamp: this.clock,
      entropy: blake2b256(this.lastAnchor),
      chainBalances: vmChainBalances(this.chainUtxo, this.chainColor, anchors, strays),
      chainUtxoTxKey: toHex(this.chainUtxo.txId),
      ...(this.state.blockIndex === 0 ? { chainOriginator: this.owner.address } : {}),
      programs: this.registry,
      ...(this.gasLimitOverride !== undefined ? { gasLimitPerRequest: this.gasLimitOverride } : {}),
    });
    this.lastResults.push(res);
    if (this.lastResults.length > 8) this.lastResults.shift();
    const skipped = new Map(res.skipped.map((s) => [requestIDKey(s.requestId), s.reason]));
    const deferred = new Set(res.deferred.map((id) => requestIDKey(id)));
    this.pending = all.filter((p) => !due(p) || deferred.has(requestIDKey(p.vm.id)));
    if (res.block) {
      this.anchor(res, batch.filter((p) => !skipped.has(requestIDKey(p.vm.id)) && !deferred.has(requestIDKey(p.vm.id))), strays);
      this.strays = this.strays.filter((x) => !strays.includes(x));
    }
    return res.receipts;
  }

  /** The anchor transaction, built by the same function as the committee's, and its effect on L1. */
  private anchor(res: VMResult, processed: readonly SoloPending[], strays: readonly AnchorStray[]): void {
    const block = res.block as NonNullable<VMResult['block']>;
    const essence = buildAnchorEssence({
      chainAddress: this.chainId,
      chainColor: this.chainColor,
      chainUtxo: this.chainUtxo,
      requests: processed.map((p) => p.anchor),
      blockIndex: block.blockIndex,
      timestamp: block.timestamp,
      stateHash: res.stateHash as Uint8Array,
      withdrawals: res.withdrawals,
      outgoingRequests: res.outgoingRequests,
      strays,
    });
    const anchorId = blake2b256(essenceBytes(essence));
    this.state.applyBlock({ ...block, anchorTxId: anchorId });
    this.lastAnchor = anchorId;
    this.clock = block.timestamp;
    // The outputs as L1 books them: MINT becomes the anchor's colour.
    const booked = (b: Balances): Balances => bookBalances(b, anchorId);
    const toTarget = new Map<string, number>();
    for (const o of essence.outputs) {
      const b = booked(o.balances);
      if (addressEquals(o.address, this.chainId)) this.chainUtxo = { txId: anchorId, balances: b };
      else this.l1.set(addressKey(o.address), addBalances(this.l1.get(addressKey(o.address)) ?? new Map(), b));
    }
    for (const q of res.outgoingRequests) toTarget.set(addressKey(q.targetContractID.chainId), (toTarget.get(addressKey(q.targetContractID.chainId)) ?? 0) + 1);
    res.outgoingRequests.forEach((section, index) => {
      const id: RequestID = { txId: anchorId, index };
      const sender: AgentID = { chainId: this.chainId, hname: section.senderContractHname };
      const target = section.targetContractID.chainId;
      const requestsInTx = toTarget.get(addressKey(target)) as number;
      const out = essence.outputs.find((o) => addressEquals(o.address, target));
      const utxoBalances = out ? booked(out.balances) : new Map();
      if (addressEquals(target, this.chainId)) {
        this.pending.push({ vm: { id, sender, section }, anchor: { id, section, senderAddress: this.chainId, utxoBalances, requestsInTx } });
      } else this.outbox.push({ section, id, sender, utxoBalances, requestsInTx });
    });
  }

  /** A wallet's request transaction: it pays the transfer and the IOTA recoloured into the request token. */
  private makeRequest(r: SoloRequest): SoloPending {
    const sender = r.sender ?? this.owner;
    const transfer = typeof r.transfer === 'bigint' ? balancesOf([[COLOR_IOTA, r.transfer]]) : r.transfer ?? new Map();
    const left = subBalances(this.l1Balances(sender), addBalances(transfer, balancesOf([[COLOR_IOTA, REQUEST_TOKEN_IOTA]])));
    if (!left) throw new Error(`solo: wallet ${sender.name} has too few L1 tokens for this transfer and the request token`);
    this.l1.set(addressKey(sender.address), left);
    const id: RequestID = { txId: blake2b256(new Writer().u32(++this.txCounter).finish(), this.chainId.digest), index: 0 };
    const section: RequestSection = {
      senderContractHname: 0,
      targetContractID: { chainId: this.chainId, hname: toHname(r.contract) },
      entryPoint: cachedHname(r.entryPoint),
      transfer,
      timelock: r.timelock ?? 0,
      args: toDict(r.params).toArgs(),
    };
    return {
      vm: { id, sender: sender.agentId, section },
      anchor: { id, section, senderAddress: sender.address, utxoBalances: addBalances(transfer, balancesOf([[id.txId, 1n]])), requestsInTx: 1 },
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
