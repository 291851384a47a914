import { addressEquals, COLOR_MINT, colorKey, type Address, type TransactionID } from './ids';
import type { Balances } from './balances';
import type { ValueTransaction } from './transaction';

/**
 * An output in an address as L1 reports it (Pollen names an output by its transaction and address): what
 * nodeconn carries, what the backlog reads and what the chain UTXO is.
 */
export interface AddressOutput {
  readonly txId: TransactionID;
  readonly balances: Balances;
}

/**
 * An output's balances as L1 books them: COLOR_MINT tokens get the colour of the transaction that mints them (its
 * ID). The one rule, for the ledger, the backlog, the state manager and Solo.
 */
export function bookBalances(b: Balances, txId: TransactionID): Balances {
  const mintKey = colorKey(COLOR_MINT);
  const minted = b.get(mintKey);
  if (minted === undefined) return b;
  const m = new Map(b);
  m.delete(mintKey);
  const newColor = colorKey(txId);
  m.set(newColor, (m.get(newColor) ?? 0n) + minted);
  return m;
}

/** Balances of a transaction's output to `address` as L1 books them (COLOR_MINT becomes the tx ID). */
export function bookedOutputBalances(tx: ValueTransaction, txId: TransactionID, address: Address): Balances | null {
  const o = tx.outputs.find((x) => addressEquals(x.address, address));
  return o ? bookBalances(o.balances, txId) : null;
}
