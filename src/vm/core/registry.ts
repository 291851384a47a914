import {
  decodeAll,
  readAgentID,
  utf8,
  Writer,
  writeAgentID,
  type AgentID,
  type Hname,
} from '../../protocol';
import type { StateReader } from '../../state/types';
import type { VirtualStateBuffer } from '../../state/vstate';
import { decU64, encU32 } from '../dict';
import { VMError } from '../errors';
import { partitionKey, partitionKeyOf } from '../partition';
import { H } from './names';

/** One deployed contract, as root keeps it: 'c' ‖ hname(LE) → record. */
export interface ContractRecord {
  readonly hname: Hname;
  readonly name: string;
  readonly description: string;
  readonly vmType: string;
  readonly programHash: Uint8Array;
  readonly creator: AgentID;
}

/** Upper-case 'C' so no other root variable (all lower-case) shares the prefix. */
const CONTRACT = utf8('C');

export function encodeContractRecord(r: ContractRecord): Uint8Array {
  const w = new Writer();
  w.u32(r.hname).string(r.name).string(r.description).string(r.vmType).fixed(r.programHash, 32);
  writeAgentID(w, r.creator);
  return w.finish();
}

export function decodeContractRecord(b: Uint8Array): ContractRecord {
  return decodeAll(b, 'contract record', (r) => ({
    hname: r.u32(),
    name: r.string(),
    description: r.string(),
    vmType: r.string(),
    programHash: r.fixed(32),
    creator: readAgentID(r),
  }));
}

export const contractRecordKey = (h: Hname): Uint8Array => partitionKeyOf(H.root, CONTRACT, encU32(h));

export function findContractRecord(st: StateReader, h: Hname): ContractRecord | undefined {
  const v = st.get(contractRecordKey(h));
  return v === undefined ? undefined : decodeContractRecord(v);
}

export function listContractRecords(st: StateReader): ContractRecord[] {
  return st.keys(partitionKey(H.root, CONTRACT)).map((k) => decodeContractRecord(st.get(k) as Uint8Array));
}

export function writeContractRecord(st: VirtualStateBuffer, r: ContractRecord): void {
  if (st.has(contractRecordKey(r.hname))) throw new VMError('AlreadyExists', `a contract with hname ${r.hname.toString(16)} ('${r.name}') is already deployed`);
  st.set(contractRecordKey(r.hname), encodeContractRecord(r));
}

/* root's chain-level variables (read by the sandbox for chainOwnerId and by the runner for fees) */
export const ROOT_VAR = {
  initialized: utf8('i'),
  chainId: utf8('ci'),
  chainColor: utf8('cc'),
  description: utf8('ds'),
  owner: utf8('o'),
  /** The address that signed the origin transaction: the only one whose init is accepted (written in block #1). */
  originator: utf8('or'),
  ownerDelegated: utf8('od'),
  defaultOwnerFee: utf8('fo'),
  defaultValidatorFee: utf8('fv'),
  /** 'fc' ‖ hname → owner fee u64, 'fw' ‖ hname → validator fee u64 */
  contractOwnerFee: utf8('fc'),
  contractValidatorFee: utf8('fw'),
  /** 'p' ‖ agentID → 1 */
  deployPermission: utf8('p'),
} as const;

export const rootKey = (k: Uint8Array): Uint8Array => partitionKey(H.root, k);

/** The chain's description as root.init recorded it: the same on every member (and access node) of the chain. */
export function chainDescription(st: StateReader): string {
  const v = st.get(rootKey(ROOT_VAR.description));
  return v ? new TextDecoder().decode(v) : '';
}

export interface FeeInfo {
  readonly ownerFee: bigint;
  readonly validatorFee: bigint;
}

function u64At(st: StateReader, key: Uint8Array): bigint | undefined {
  const v = st.get(key);
  return v === undefined ? undefined : decU64(v);
}

/** Fees for calling contract `h`: its own setting, else the chain default, else 0. Fee color is IOTA. */
export function feeInfo(st: StateReader, h: Hname): FeeInfo {
  const hk = encU32(h);
  return {
    ownerFee: u64At(st, rootKey(new Uint8Array([...ROOT_VAR.contractOwnerFee, ...hk]))) ?? u64At(st, rootKey(ROOT_VAR.defaultOwnerFee)) ?? 0n,
    validatorFee: u64At(st, rootKey(new Uint8Array([...ROOT_VAR.contractValidatorFee, ...hk]))) ?? u64At(st, rootKey(ROOT_VAR.defaultValidatorFee)) ?? 0n,
  };
}
