import { addressEquals, COLOR_MINT, colorKey, type Address, type TransactionID } from './ids';
import { balancesOf, type Balances } from './balances';
import { fromHex } from './bytes';
import type { ValueTransaction } from './transaction';

/**
 * An output in an address as L1 reports it (Pollen names an output by its transaction and address): what
 * nodeconn carries, what the backlog reads and what the chain UTXO is.
 */
export interface AddressOutput {
  readonly txId: TransactionID;
  readonly balances: Balances;
}

/** Balances of a transaction's output to `address` as L1 books them (COLOR_MINT becomes the tx ID). */
export function bookedOutputBalances(tx: ValueTransaction, txId: TransactionID, address: Address): Balances | null {
  const o = tx.outputs.find((x) => addressEquals(x.address, address));
  if (!o) return null;
  const mint = colorKey(COLOR_MINT);
  return balancesOf([...o.balances].map(([k, v]) => [k === mint ? txId : fromHex(k), v] as const));
}
