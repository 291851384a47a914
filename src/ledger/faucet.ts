import { blake2b256 } from '../protocol/hash';
import { utf8 } from '../protocol/bytes';
import { addressEquals, addressToString, COLOR_IOTA, colorKey, type Address } from '../protocol/ids';
import { balancesOf, subBalances, type Balances } from '../protocol/balances';
import type { ValueTransaction } from '../protocol/transaction';
import { ed25519KeyPairFromSeed, signTransaction, type Ed25519KeyPair } from '../crypto/ed25519';
import type { GenesisOutput, Ledger } from './ledger';

export const FAUCET_AMOUNT_DEFAULT = 1_000_000n;
/** 2^62 iotas: far more than any test run hands out, and well inside u64 for every sum. */
export const FAUCET_SUPPLY_DEFAULT = 1n << 62n;

/** The faucet's key is derived from a public label: it is a test-network faucet, anyone could rebuild it. */
export function faucetKeyPair(label = 'iscp faucet'): Ed25519KeyPair {
  return ed25519KeyPairFromSeed(blake2b256(utf8(label)));
}

export function faucetGenesis(kp: Ed25519KeyPair = faucetKeyPair(), supply = FAUCET_SUPPLY_DEFAULT): GenesisOutput {
  return { address: kp.address, balances: balancesOf([[COLOR_IOTA, supply]]) };
}

export class FaucetError extends Error {
  override readonly name = 'FaucetError';
}

/**
 * Builds signed transactions that move `amount` iotas from the faucet's single unspent output to an address;
 * the remainder goes back to the faucet. Each one spends the previous (booked) one's remainder, so requests
 * chain without waiting for confirmation. The caller submits what `request` returns.
 */
export class Faucet {
  constructor(
    private readonly ledger: Ledger,
    private readonly kp: Ed25519KeyPair = faucetKeyPair(),
    readonly amount: bigint = FAUCET_AMOUNT_DEFAULT,
  ) {}

  get address(): Address {
    return this.kp.address;
  }

  request(address: Address): ValueTransaction {
    if (addressEquals(address, this.kp.address)) throw new FaucetError('the faucet does not fund itself');
    const outs = this.ledger.getUnspentOutputs(this.kp.address);
    // The faucet holds only IOTA (nobody else can sign for it) but anyone may send it tokens; pick the largest.
    const iota = colorKey(COLOR_IOTA);
    const src = outs.filter((o) => o.balances.size === 1 && (o.balances.get(iota) ?? 0n) > this.amount).sort((a, b) => ((b.balances.get(iota) as bigint) > (a.balances.get(iota) as bigint) ? 1 : -1))[0];
    if (!src) throw new FaucetError(`faucet ${addressToString(this.kp.address)} is empty`);
    const rest = subBalances(src.balances, balancesOf([[COLOR_IOTA, this.amount]])) as Balances;
    return signTransaction(
      {
        inputs: [src.id],
        outputs: [
          { address, balances: balancesOf([[COLOR_IOTA, this.amount]]) },
          { address: this.kp.address, balances: rest },
        ],
        dataPayload: new Uint8Array(),
      },
      [this.kp],
    );
  }
}
