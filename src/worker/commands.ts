import { validateCommittee, type RequestSpec } from '../chain/deploy';
import {
  addressFromString,
  addressKey,
  addressToString,
  argsOf,
  balancesOf,
  COLOR_IOTA,
  contractNameProblem,
  hname,
  requestIDFromString,
  requestIDToString,
  type Address,
  type Args,
  type RequestID,
} from '../protocol';
import { toHex } from '../protocol/bytes';
import { Dict } from '../vm/dict';
import { EP, H } from '../vm/core/names';
import { readReceipt } from '../vm/core/blocklog';
import type { WaspNode } from '../node/node';
import type { WalletSpender } from '../node/l1-wallet';
import { NotProcessedError, waitProcessed, type PollClock } from '../node/wait-processed';
import type { SolidStateStore } from '../state/store';
import type { CommandResult, NodeCommand } from './bridge';
import type { RuntimeBook } from './book';
import type { MetaStore } from './meta-store';
import { RUNTIME_LIMITS } from './limits';
import { decodeParams, renderValue } from './params';

/**
 * The dashboard's commands (bridge.ts NodeCommand), one function each. Everything a handler touches is in
 * CommandDeps, so tests run them against a real node without a worker. Inputs are typed by a user: every check
 * says what is wrong in plain words before anything is paid.
 */
export interface CommandDeps {
  readonly node: WaspNode;
  readonly nodeId: string;
  /** The tab's one spender: the node serializes its spends. */
  readonly wallet: WalletSpender;
  /** The wallet's iotas as the hub last reported them. */
  walletIotas(): bigint;
  readonly book: RuntimeBook;
  readonly meta: MetaStore;
  /** The node's own store (audit reads its blocks back). */
  readonly store: SolidStateStore;
  readonly clock: PollClock;
  /** Something the dashboard shows changed (a request posted, a chain added). */
  changed(): void;
}

type Cmd<K extends NodeCommand['kind']> = Extract<NodeCommand, { kind: K }>;

export function runCommand(c: NodeCommand, d: CommandDeps): Promise<CommandResult> {
  switch (c.kind) {
    case 'createChain':
      return createChain(c, d);
    case 'faucet':
      return faucet(c, d);
    case 'deposit':
      return deposit(c, d);
    case 'postRequest':
      return postRequest(c, d);
    case 'postMany':
      return postMany(c, d);
    case 'callView':
      return callView(c, d);
    case 'deployWasm':
      return deployWasm(c, d);
    case 'waitProcessed':
      return waitProcessedCommand(c, d);
    case 'audit':
      return audit(c, d);
  }
}

export async function createChain(c: Cmd<'createChain'>, d: CommandDeps): Promise<CommandResult> {
  const t = validateCommittee(c.memberNodeIds, c.t);
  if (!c.memberNodeIds.includes(d.nodeId)) throw new Error('this node must be a member of the committee it creates');
  const down = c.memberNodeIds.filter((id) => id !== d.nodeId && !d.book.isUp(id));
  if (down.length > 0) throw new Error(`not connected to ${down.map((id) => d.book.peers.get(id)?.name ?? id.slice(0, 8)).join(', ')}: wait until every member shows 'up'`);
  await ensureFunds(d);
  const r = await d.node.deployChain({ committeeNodeIds: c.memberNodeIds, t, description: c.description, initiatorWallet: d.wallet, phaseTimeoutMs: RUNTIME_LIMITS.dkgPhaseTimeoutMs });
  await d.meta.putDescription(addressKey(r.chainAddress), c.description);
  await remember(d, r.record);
  // Known already if the wiring picked the activation up first (it read no description then).
  const meta = d.book.chain(r.chainAddress);
  if (meta) meta.description = c.description;
  track(d, r.chainAddress, [r.initRequestId], 'root.init');
  return { kind: 'chainCreated', chain: addressToString(r.chainAddress) };
}

export async function faucet(_c: Cmd<'faucet'>, d: CommandDeps): Promise<CommandResult> {
  await d.node.requestFunds(d.wallet.keyPair.address);
  return { kind: 'ok', text: 'asked the hub faucet for funds' };
}

export async function deposit(c: Cmd<'deposit'>, d: CommandDeps): Promise<CommandResult> {
  const chain = chainOf(d, c.chain);
  if (!(Number.isInteger(c.amount) && c.amount > 0)) throw new Error('the amount must be a whole number of iotas above 0');
  const ids = await postRequests(d, chain, [{ target: { chainId: chain, hname: H.accounts }, entryPoint: hname(EP.accounts.deposit), transfer: balancesOf([[COLOR_IOTA, BigInt(c.amount)]]) }], 'deposit');
  return { kind: 'requests', requestIds: ids.map(requestIDToString) };
}

export async function postRequest(c: Cmd<'postRequest'>, d: CommandDeps): Promise<CommandResult> {
  const chain = chainOf(d, c.chain);
  const args = toArgs(c.params);
  const transfer = c.transfer > 0 ? balancesOf([[COLOR_IOTA, BigInt(c.transfer)]]) : undefined;
  const ids = await postRequests(d, chain, [{ target: { chainId: chain, hname: hname(c.contract) }, entryPoint: hname(c.entryPoint), args, ...(transfer ? { transfer } : {}) }], `${c.contract}.${c.entryPoint}`);
  return { kind: 'requests', requestIds: ids.map(requestIDToString) };
}

export async function postMany(c: Cmd<'postMany'>, d: CommandDeps): Promise<CommandResult> {
  const chain = chainOf(d, c.chain);
  if (!(Number.isInteger(c.count) && c.count > 0 && c.count <= RUNTIME_LIMITS.postManyMax)) throw new Error(`count must be 1..${RUNTIME_LIMITS.postManyMax}`);
  const args = toArgs(c.params);
  const all: RequestID[] = [];
  for (let done = 0; done < c.count; ) {
    const k = Math.min(RUNTIME_LIMITS.requestsPerTxMax, c.count - done);
    const specs = Array.from({ length: k }, () => ({ target: { chainId: chain, hname: hname(c.contract) }, entryPoint: hname(c.entryPoint), args }));
    all.push(...(await postRequests(d, chain, specs, `${c.contract}.${c.entryPoint}`)));
    done += k;
  }
  return { kind: 'requests', requestIds: all.map(requestIDToString) };
}

export async function callView(c: Cmd<'callView'>, d: CommandDeps): Promise<CommandResult> {
  const chain = chainOf(d, c.chain);
  if (!d.node.solidState(chain)) throw new Error('the chain has no state yet');
  const dict = d.node.callView(chain, c.contract, c.view, Dict.fromArgs(toArgs(c.params)));
  const result: Record<string, string> = {};
  for (const [k, v] of dict.entries()) result[new TextDecoder().decode(k)] = renderValue(v);
  return { kind: 'view', result };
}

export async function deployWasm(c: Cmd<'deployWasm'>, d: CommandDeps): Promise<CommandResult> {
  const chain = chainOf(d, c.chain);
  const nameProblem = contractNameProblem(c.name);
  if (nameProblem) throw new Error(nameProblem);
  await ensureFunds(d);
  // blob.storeBlob and root.deployContract in one transaction, processed in that order.
  const r = await d.node.deployContract(d.wallet, chain, { name: c.name, program: c.program, description: c.description || c.name });
  const [stored, deployed] = r.requestIds as [RequestID, RequestID];
  track(d, chain, [stored], 'blob.storeBlob');
  track(d, chain, [deployed], 'root.deployContract');
  await waitAll(d, chain, r.requestIds);
  const storeErr = receiptError(d, chain, stored);
  if (storeErr) throw new Error(`storing the program failed: ${storeErr}`);
  const deployErr = receiptError(d, chain, deployed);
  if (deployErr) throw new Error(`deploying the contract failed: ${deployErr}`);
  return { kind: 'ok', text: `contract '${c.name}' deployed (program ${toHex(r.programHash).slice(0, 12)}…)` };
}

export async function waitProcessedCommand(c: Cmd<'waitProcessed'>, d: CommandDeps): Promise<CommandResult> {
  const chain = chainOf(d, c.chain);
  let ids: RequestID[];
  try {
    ids = c.requestIds.map((x) => requestIDFromString(x));
  } catch {
    throw new Error('a request ID must look like [index]transactionID');
  }
  await waitAll(d, chain, ids);
  return { kind: 'processed', atMs: d.clock.nowMs() };
}

export async function audit(c: Cmd<'audit'>, d: CommandDeps): Promise<CommandResult> {
  const chain = chainOf(d, c.chain);
  const snap = d.node.snapshot(chain);
  await d.node.idle();
  const seen = new Set<string>();
  let requests = 0;
  let duplicates = 0;
  const last = snap?.blockIndex ?? 0;
  for (let i = 1; i <= last; i++) {
    const b = await d.store.getBlock(chain, i);
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

/* ------------------------------------------------------------------ shared steps */

/** A chain address typed by a user, of a chain this node runs. */
export function chainOf(d: Pick<CommandDeps, 'book'>, s: string): Address {
  let a: Address;
  try {
    a = addressFromString(s.trim());
  } catch {
    throw new Error(`'${s}' is not a chain address`);
  }
  if (!d.book.chain(a)) throw new Error(`this node does not run chain ${s.slice(0, 12)}…`);
  return a;
}

/** Adds a chain to the book (with its saved description) and refreshes the dashboard if it was new. */
export async function remember(d: Pick<CommandDeps, 'book' | 'meta' | 'changed'>, record: Parameters<RuntimeBook['remember']>[0]): Promise<void> {
  if (await d.book.remember(record, d.meta)) d.changed();
}

/** Faucet first when the wallet is (nearly) empty: the dashboard's "just works" path. */
async function ensureFunds(d: CommandDeps): Promise<void> {
  if (d.walletIotas() >= RUNTIME_LIMITS.ensureFundsMinIotas) return;
  await d.node.requestFunds(d.wallet.keyPair.address);
}

function track(d: CommandDeps, chain: Address, ids: readonly RequestID[], label: string): void {
  d.book.track(chain, ids, label);
  d.changed();
}

async function postRequests(d: CommandDeps, chain: Address, specs: RequestSpec[], label: string): Promise<readonly RequestID[]> {
  await ensureFunds(d);
  const { requestIds } = await d.node.postRequest(d.wallet, specs);
  track(d, chain, requestIds, label);
  return requestIds;
}

async function waitAll(d: CommandDeps, chain: Address, ids: readonly RequestID[]): Promise<void> {
  try {
    await waitProcessed(d.node, chain, ids, { clock: d.clock, timeoutMs: RUNTIME_LIMITS.waitProcessedMs, pollMs: RUNTIME_LIMITS.waitProcessedPollMs });
  } catch (e) {
    // The dashboard shows the message as is: say what did not happen, not which request IDs.
    if (e instanceof NotProcessedError) throw new Error(`the chain did not process the request within ${RUNTIME_LIMITS.waitProcessedMs / 1000} s`);
    throw e;
  }
}

function receiptError(d: CommandDeps, chain: Address, id: RequestID): string | undefined {
  const st = d.node.solidState(chain);
  const r = st ? readReceipt(st, id) : undefined;
  return r?.error?.message;
}

function toArgs(params: Readonly<Record<string, string>>): Args {
  return argsOf(Object.entries(decodeParams(params)));
}
