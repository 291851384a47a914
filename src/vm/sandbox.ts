import type { Address, AgentID, Balances, ChainID, ContractID, Hname, RequestID } from '../protocol';
import type { Dict } from './dict';

/** Read access to the calling contract's own state partition (keys are given without the hname prefix). */
export interface StateView {
  get(key: Uint8Array): Uint8Array | undefined;
  has(key: Uint8Array): boolean;
  /** Keys (without the partition prefix) starting with `prefix`, in byte order. */
  keys(prefix: Uint8Array): Uint8Array[];
}

export interface StateRW extends StateView {
  set(key: Uint8Array, value: Uint8Array): void;
  del(key: Uint8Array): void;
}

/** Deterministic helpers; each charges gas. */
export interface SandboxUtils {
  blake2b256(data: Uint8Array): Uint8Array;
  hname(name: string): Hname;
  base58Encode(data: Uint8Array): string;
  base58Decode(s: string): Uint8Array;
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * What a view sees: read-only. It may call only other views. Every method is a deterministic function of the
 * chain state and the call's inputs (the spec's sandbox requirement).
 */
export interface SandboxView {
  readonly params: Dict;
  readonly state: StateView;
  readonly utils: SandboxUtils;
  /** This contract's hname and ID. */
  contract(): Hname;
  contractId(): ContractID;
  chainId(): ChainID;
  chainOwnerId(): AgentID;
  /** Unix ns of the state update being computed (for views: the state's timestamp). */
  timestamp(): bigint;
  /** This contract's on-chain account. */
  balances(): Balances;
  callView(contract: Hname, view: Hname, params?: Dict): Dict;
  /** Charges gas explicitly (native code doing heavy work). */
  chargeGas(units: bigint): void;
  /** Gas left for this request (a wasm processor runs its program with this budget). */
  gasLeft(): bigint;
  log(message: string): void;
  panic(message: string): never;
}

/** What a full entry point sees. */
export interface Sandbox extends SandboxView {
  readonly state: StateRW;
  /** The agent that called this entry point: the request sender, or the calling contract. */
  caller(): AgentID;
  requestId(): RequestID;
  /** Tokens that came with this call; they are already in this contract's account. */
  incoming(): Balances;
  /** 32 bytes derived from the chain's last anchor and this request: same on every committee member. */
  entropy(): Uint8Array;
  /** Synchronous call on the same state; `transfer` moves from this contract's account to the target's. */
  call(contract: Hname, entryPoint: Hname, params?: Dict, transfer?: Balances): Dict;
  /** Moves tokens from this contract's account to another on-chain account. */
  transferToAgent(target: AgentID, balances: Balances): void;
  /** Pays tokens out of this contract's account to an L1 address (an output of the anchor transaction). */
  transferToAddress(target: Address, balances: Balances): void;
  /** A request to a contract on another chain (or this one, asynchronously), sent by the anchor transaction. */
  postRequest(target: ContractID, entryPoint: Hname, params?: Dict, transfer?: Balances, timelock?: number): void;
  /** Mints `amount` new tokens (color = the anchor tx ID) to an L1 address, paid with as many IOTAs from this account. */
  mintToAddress(target: Address, amount: bigint): void;
  /** Appends a record to this contract's event log. */
  event(message: string): void;
  /** Deploys a contract through root (needs deploy permission); extra params go to the new contract's init. */
  deployContract(programHash: Uint8Array, name: string, description: string, initParams?: Dict): void;
}
