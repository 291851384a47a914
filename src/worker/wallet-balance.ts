import { addressEquals, COLOR_IOTA, colorKey, transactionId, type Address } from '../protocol';
import type { AddressOutput, WaspFromNode, WaspToNode } from '../nodeconn/messages';

/**
 * The dashboard's view of the tab's wallet, beside the node's own L1 client (src/node/l1-wallet.ts, which does
 * the spending): the node API has no balance query, so the outputs of the wallet address are followed here from
 * the address updates the hub pushes (the runtime subscribes to the address).
 *
 * It also nudges the node's L1 client: that client learns a posted transaction is confirmed only from an
 * inclusion-state answer, which it polls for every 300 ms. An address update of ours is pushed the moment L1
 * confirms a transaction paying us change, so asking for that transaction's inclusion state at once settles the
 * spend ~one poll interval sooner (it matters for many transactions in a row, e.g. postMany).
 */
export class WalletBalance {
  private outputs: readonly AddressOutput[] = [];

  constructor(readonly address: Address) {}

  iotas(): bigint {
    let sum = 0n;
    for (const o of this.outputs) sum += o.balances.get(colorKey(COLOR_IOTA)) ?? 0n;
    return sum;
  }

  /** Follows the wallet's outputs; returns the inclusion query to send for the transaction that just paid us, if any. */
  onL1(m: WaspFromNode): WaspToNode | undefined {
    if (m.kind !== 'waspFromNodeAddressUpdate' && m.kind !== 'waspFromNodeAddressOutputs') return undefined;
    if (!addressEquals(m.address, this.address)) return undefined;
    this.outputs = m.outputs;
    if (m.kind !== 'waspFromNodeAddressUpdate') return undefined;
    return { kind: 'waspToNodeGetTxInclusionLevel', txId: transactionId(m.tx), address: this.address };
  }
}
