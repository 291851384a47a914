import {
  addBalances,
  argsOf,
  balancesOf,
  COLOR_IOTA,
  COLOR_MINT,
  COLOR_SIZE,
  encodeSCPayload,
  subBalances,
  addressKey,
  type Address,
  type Args,
  type Balances,
  type ContractID,
  type Hname,
  type OutputID,
  type ValueTransaction,
} from '../protocol';
import { signTransaction, type Ed25519KeyPair } from '../crypto/ed25519';
import { ORIGIN_STATE_HASH } from '../state/block';

/** Spec "Deployment of the contract chain". Typed error for bad deployment input. */
export class DeployError extends Error {
  override readonly name = 'DeployError';
  constructor(
    readonly code: 'bad-committee' | 'insufficient-funds' | 'bad-request',
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/** Largest committee a deployment accepts (DKG and consensus cost grow with N²). */
export const COMMITTEE_SIZE_MAX = 64;

/** Default quorum: floor(2N/3)+1 (tolerates ⌊(N−1)/3⌋ Byzantine members). */
export const defaultQuorum = (n: number): number => Math.floor((2 * n) / 3) + 1;

/** Committee selection rules: unique node IDs, 1 ≤ N ≤ max, N/2 < T ≤ N. Returns T (defaulted). */
export function validateCommittee(nodeIds: readonly string[], t?: number): number {
  const n = nodeIds.length;
  if (n < 1 || n > COMMITTEE_SIZE_MAX) throw new DeployError('bad-committee', `committee size N = ${n} must be in 1..${COMMITTEE_SIZE_MAX}`);
  if (new Set(nodeIds).size !== n) throw new DeployError('bad-committee', 'committee node IDs must be unique');
  const q = t ?? defaultQuorum(n);
  if (!Number.isInteger(q) || !(q > n / 2 && q <= n)) throw new DeployError('bad-committee', `quorum T = ${q} must satisfy N/2 < T ≤ N (N = ${n})`);
  return q;
}

/** One unspent output of the wallet, as L1 reports it. */
export interface WalletOutput {
  readonly id: OutputID;
  readonly balances: Balances;
}

/**
 * Origin transaction: mints 1 chain token into the chain address, with a state section: block 0, chain color
 * nil, the empty state's hash. Its ID becomes the chain color. Signed by the initiator's wallet.
 */
export function buildOriginTx(wallet: Ed25519KeyPair, funds: readonly WalletOutput[], chainAddress: Address, timestampNs: bigint): ValueTransaction {
  const mint = balancesOf([[COLOR_MINT, 1n]]);
  const { inputs, change } = spend(funds, balancesOf([[COLOR_IOTA, 1n]]));
  const outputs = [{ address: chainAddress, balances: mint }, ...(change.size > 0 ? [{ address: wallet.address, balances: change }] : [])];
  const dataPayload = encodeSCPayload({ state: { chainColor: new Uint8Array(COLOR_SIZE), blockIndex: 0, timestamp: timestampNs, stateHash: ORIGIN_STATE_HASH }, requests: [] });
  return signTransaction({ inputs, outputs, dataPayload }, [wallet]);
}

export interface RequestSpec {
  readonly target: ContractID;
  readonly entryPoint: Hname;
  readonly transfer?: Balances;
  readonly args?: Args;
  readonly timelock?: number;
}

/**
 * A request transaction (spec "Backlog"): the request sections, and per target chain one request token per
 * request (COLOR_MINT) plus the transfers; change goes back to the wallet.
 */
export function buildRequestTx(wallet: Ed25519KeyPair, funds: readonly WalletOutput[], requests: readonly RequestSpec[]): ValueTransaction {
  if (requests.length === 0) throw new DeployError('bad-request', 'a request transaction needs at least one request');
  const perChain = new Map<string, { address: Address; balances: Balances }>();
  let need: Balances = new Map();
  for (const q of requests) {
    const transfer = q.transfer ?? new Map();
    const k = addressKey(q.target.chainId);
    const prev = perChain.get(k)?.balances ?? new Map();
    perChain.set(k, { address: q.target.chainId, balances: addBalances(addBalances(prev, transfer), balancesOf([[COLOR_MINT, 1n]])) });
    need = addBalances(addBalances(need, transfer), balancesOf([[COLOR_IOTA, 1n]]));
  }
  const { inputs, change } = spend(funds, need);
  const outputs = [...perChain.values(), ...(change.size > 0 ? [{ address: wallet.address, balances: change }] : [])];
  const dataPayload = encodeSCPayload({
    requests: requests.map((q) => ({ senderContractHname: 0, targetContractID: q.target, entryPoint: q.entryPoint, transfer: q.transfer ?? new Map(), timelock: q.timelock ?? 0, args: q.args ?? argsOf([]) })),
  });
  return signTransaction({ inputs, outputs, dataPayload }, [wallet]);
}

/**
 * A plain L1 transfer (no data payload): `balances` to `to`, change back to the wallet. Sent to a chain address it
 * is a stray output there, which the chain's next anchor sweeps to the chain owner.
 */
export function buildTransferTx(wallet: Ed25519KeyPair, funds: readonly WalletOutput[], to: Address, balances: Balances): ValueTransaction {
  const { inputs, change } = spend(funds, balances);
  const outputs = [{ address: to, balances }, ...(change.size > 0 ? [{ address: wallet.address, balances: change }] : [])];
  return signTransaction({ inputs, outputs, dataPayload: new Uint8Array() }, [wallet]);
}

/** Picks outputs covering `need` (IOTA may pay for minting); all their tokens not needed are change. */
function spend(funds: readonly WalletOutput[], need: Balances): { inputs: OutputID[]; change: Balances } {
  let have: Balances = new Map();
  const inputs: OutputID[] = [];
  for (const o of funds) {
    if (subBalances(have, need)) break;
    inputs.push(o.id);
    have = addBalances(have, o.balances);
  }
  const change = subBalances(have, need);
  if (!change) throw new DeployError('insufficient-funds', 'the wallet outputs do not cover the transfer');
  return { inputs, change };
}
