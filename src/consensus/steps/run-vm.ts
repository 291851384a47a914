import { AddressKind, blake2b256, toHex, utf8, ValidationError, type TransactionID, type ValueTransaction } from '../../protocol';
import { randomnessFromSignature } from '../../crypto/threshold';
import { requestUtxoSurplus, vmChainBalances } from '../anchor';
import type { ComputationContext } from '../round';
import type { VmTask } from '../vm-port';
import type { StepView } from './view';

/**
 * Consensus randomness for the VM: derived from the previous anchor's signature (a BLS master signature, which
 * no fewer than T members can predict); the origin anchor is signed by a wallet, so its ID is used instead.
 */
export function entropyOf(anchorTx: ValueTransaction, anchorTxId: TransactionID): Uint8Array {
  const sig = anchorTx.signatures.find((s) => s.kind === AddressKind.BLS);
  return sig ? randomnessFromSignature(sig.signature) : blake2b256(utf8('iscp/origin-entropy'), anchorTxId);
}

/**
 * Step 6b (leader) / 7 (every member): the VM task for an accepted context — the batch with each request's
 * unclaimed UTXO tokens, the chain's balance with the strays' tokens, the context's timestamp and the consensus
 * randomness. `problem` when the chain and request UTXOs do not hold what the batch needs (no run: the round
 * waits for its timeout).
 */
export function vmTaskFor(context: ComputationContext, view: StepView): { readonly task: VmTask } | { readonly problem: string } {
  const { base } = view;
  const { batch, strays } = context;
  let chainBalances;
  let surplus;
  try {
    chainBalances = vmChainBalances(base.chainUtxo, view.chainColor, batch, strays);
    surplus = requestUtxoSurplus(base.chainUtxo, batch);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { problem: e.message };
  }
  return {
    task: {
      chainId: view.chainAddress,
      chainColor: view.chainColor,
      state: base.state,
      requests: batch.map((q, i) => {
        const extra = surplus[i];
        return extra ? { id: q.id, section: q.section, sender: q.sender, utxoSurplus: extra } : { id: q.id, section: q.section, sender: q.sender };
      }),
      timestamp: context.msg.timestamp,
      entropy: entropyOf(base.anchorTx, base.anchorTxId),
      chainBalances,
      chainUtxoTxKey: toHex(base.chainUtxo.txId),
      // At the origin state the anchor is the origin transaction: its signer alone may init the chain.
      ...(base.state.blockIndex === 0 && base.anchorTx.inputs[0] ? { chainOriginator: base.anchorTx.inputs[0].address } : {}),
    },
  };
}
