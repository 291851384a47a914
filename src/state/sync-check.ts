import { addressEquals, equalBytes, parseSCTransaction, toHex, ValidationError, type Address, type Color, type SCTransaction, type TransactionID, type ValueTransaction } from '../protocol';
import type { Block } from './types';
import type { VirtualState } from './vstate';

/** What a block from a peer is checked against before it is committed (spec "Synchronizing between nodes"). */
export interface SyncCheck {
  readonly chainAddress: Address;
  readonly chainColor: Color;
  /** The block index this node asked for: its solid state's index + 1. */
  readonly blockIndex: number;
  /** The solid state the block must follow. */
  readonly solid: VirtualState;
  /** The anchor of the solid state (the origin transaction, whose ID is the chain colour, at block 0). */
  readonly prevAnchorTxId: TransactionID;
  /** The confirmed L1 transaction with the ID the block names as its anchor. */
  readonly anchorTx: ValueTransaction;
}

/**
 * Null when `block` is the chain's next block, else why not. A block is only as good as its anchor: the anchor must
 * be a confirmed, valid SC transaction (parseSCTransaction) that spends the chain's previous anchor output (only the committee's BLS address can
 * sign that), carries the chain token on to the chain address and whose state section names this chain, this
 * block index and the state hash the block's mutations give. Without the spending check anyone could post an L1
 * transaction with a made-up state section and serve a forged block that matches it.
 */
export function syncBlockProblem(block: Block, c: SyncCheck): string | null {
  if (block.blockIndex !== c.blockIndex) return `it is block #${block.blockIndex}, not #${c.blockIndex}`;
  let sc: SCTransaction | null;
  try {
    sc = parseSCTransaction(c.anchorTx);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return `its anchor is not a valid SC transaction (${e.message})`;
  }
  const sec = sc?.payload.state;
  if (!sc || !sec) return 'its anchor has no state section';
  if (sec.blockIndex !== c.blockIndex) return `its anchor names block #${sec.blockIndex}`;
  if (!sc.chainColor || !equalBytes(sc.chainColor, c.chainColor)) return 'its anchor names another chain colour';
  if (!sc.chainAddress || !addressEquals(sc.chainAddress, c.chainAddress)) return 'its anchor does not carry the chain token to the chain address';
  const spendsPrev = c.anchorTx.inputs.some((i) => equalBytes(i.txId, c.prevAnchorTxId) && addressEquals(i.address, c.chainAddress));
  if (!spendsPrev) return "its anchor does not spend the chain's previous anchor output";
  let hash: Uint8Array;
  try {
    hash = c.solid.hashAfter(block);
  } catch (e) {
    return `its mutations cannot be applied (${e instanceof Error ? e.message : String(e)})`;
  }
  if (!equalBytes(hash, sec.stateHash)) return `its mutations give state hash ${toHex(hash).slice(0, 12)}…, its anchor says ${toHex(sec.stateHash).slice(0, 12)}…`;
  return null;
}
