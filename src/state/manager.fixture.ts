import { AddressKind, balancesOf, COLOR_IOTA, COLOR_MINT, encodeSCPayload, transactionId, type Address, type Color, type TransactionID, type ValueTransaction } from '../protocol';
import { makeBlock } from './block';
import type { Block } from './types';
import { VirtualState } from './vstate';

/** A chain anchor: the transaction and its ID. */
export interface FixtureAnchor {
  readonly tx: ValueTransaction;
  readonly txId: TransactionID;
}

/** A synthetic chain for state-manager tests and the sync bench: origin, K blocks and their anchors (unsigned). */
export interface SyntheticChain {
  readonly chainAddress: Address;
  readonly chainColor: Color;
  /** anchors[0] is the origin transaction; anchors[i] anchors block #i. */
  readonly anchors: readonly FixtureAnchor[];
  /** blocks[i] is block #i (blocks[0] unused: the origin is implied), anchorTxId filled in. */
  readonly blocks: readonly Block[];
  /** State hash after each block (index 0 = origin). */
  readonly stateHashes: readonly Uint8Array[];
}

/**
 * Builds K blocks of `updatesPerBlock` state updates (one 'set' of `valueBytes` each) over the origin state, and
 * an anchor transaction per block carrying its state hash and holding the chain token. Signatures are not
 * needed: the state manager trusts L1 for them and checks only state sections against blocks.
 */
export function syntheticChain(k: number, opts: { readonly updatesPerBlock?: number; readonly valueBytes?: number } = {}): SyntheticChain {
  const chainAddress: Address = { kind: AddressKind.BLS, digest: new Uint8Array(32).fill(0xc4) };
  const originEssence = { inputs: [{ txId: new Uint8Array(32).fill(1), address: { kind: AddressKind.Ed25519, digest: new Uint8Array(32).fill(2) } }], outputs: [{ address: chainAddress, balances: balancesOf([[COLOR_MINT, 1n]]) }] };
  const state = VirtualState.origin();
  const origin: ValueTransaction = { ...originEssence, dataPayload: encodeSCPayload({ state: { chainColor: new Uint8Array(32), blockIndex: 0, timestamp: 1n, stateHash: state.stateHash }, requests: [] }), signatures: [] };
  const originId = transactionId(origin);
  const chainColor = originId;
  const anchors: FixtureAnchor[] = [{ tx: origin, txId: originId }];
  const blocks: Block[] = [makeBlock(0, [{ timestamp: 1n, mutations: [] }])];
  const hashes: Uint8Array[] = [state.stateHash];
  const per = opts.updatesPerBlock ?? 1;
  const size = opts.valueBytes ?? 64;
  let prev = originId;
  for (let i = 1; i <= k; i++) {
    const ts = BigInt(i) * 1_000_000_000n;
    const updates = Array.from({ length: per }, (_, u) => ({ timestamp: ts + BigInt(u), mutations: [{ kind: 'set' as const, key: Uint8Array.of(0, 0, 0, 1, i & 0xff, (i >> 8) & 0xff, u), value: new Uint8Array(size).fill(i & 0xff) }] }));
    const b = makeBlock(i, updates);
    const stateHash = state.hashAfter(b);
    const tx: ValueTransaction = {
      inputs: [{ txId: prev, address: chainAddress }],
      outputs: [{ address: chainAddress, balances: balancesOf([[chainColor, 1n], [COLOR_IOTA, 1n]]) }],
      dataPayload: encodeSCPayload({ state: { chainColor, blockIndex: i, timestamp: b.timestamp, stateHash }, requests: [] }),
      signatures: [],
    };
    const txId = transactionId(tx);
    const withAnchor: Block = { ...b, anchorTxId: txId };
    state.applyBlock(withAnchor);
    anchors.push({ tx, txId });
    blocks.push(withAnchor);
    hashes.push(state.stateHash);
    prev = txId;
  }
  return { chainAddress, chainColor, anchors, blocks, stateHashes: hashes };
}
