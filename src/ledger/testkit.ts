import { SeededRng } from '../protocol/rng';
import { blake2b256 } from '../protocol/hash';
import { equalBytes } from '../protocol/bytes';
import { AddressKind, addressFromPublicKey, COLOR_IOTA, type Address, type OutputID } from '../protocol/ids';
import { balancesOf, type Balances } from '../protocol/balances';
import { essenceBytes, type Essence, type Signature, type ValueTransaction } from '../protocol/transaction';
import { ed25519KeyPairFromSeed, signTransaction, type Ed25519KeyPair } from '../crypto/ed25519';
import { createSignatureVerifier, type Ed25519Impl } from '../crypto/verifier';
import { Ledger, type LedgerOptions } from './ledger';

/**
 * Test helpers for the ledger and its users (hub, nodeconn tests). The fake BLS scheme (signature =
 * blake2b(pk ‖ msg) cut to 48 bytes) lets ledger tests exercise BLS-addressed inputs without the real library.
 */
export function fakeBlsSign(publicKey: Uint8Array, message: Uint8Array): Uint8Array {
  const out = new Uint8Array(48);
  out.set(blake2b256(publicKey, message));
  out.set(blake2b256(message, publicKey).subarray(0, 16), 32);
  return out;
}
export const fakeBlsVerify = (pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean => equalBytes(fakeBlsSign(pk, msg), sig);
export function fakeBlsSignature(publicKey: Uint8Array, essence: Essence): Signature {
  return { kind: AddressKind.BLS, publicKey, signature: fakeBlsSign(publicKey, essenceBytes(essence)) };
}
export const blsAddress = (pk: Uint8Array): Address => addressFromPublicKey(AddressKind.BLS, pk);

export function wallets(n: number, seed = 1): Ed25519KeyPair[] {
  const rng = new SeededRng(seed);
  return Array.from({ length: n }, () => ed25519KeyPairFromSeed(rng.bytes(32)));
}

export function testLedger(genesis: { address: Address; iotas: bigint }[], opts: Partial<LedgerOptions> & { impl?: Ed25519Impl } = {}): Ledger {
  return new Ledger({
    verifier: createSignatureVerifier({ ed25519Impl: opts.impl ?? 'node', bls: fakeBlsVerify }),
    genesis: genesis.map((g) => ({ address: g.address, balances: balancesOf([[COLOR_IOTA, g.iotas]]) })),
    ...opts,
  });
}

export const iotas = (n: bigint): Balances => balancesOf([[COLOR_IOTA, n]]);

/** A signed transfer from `from`'s outputs (listed) to outputs. */
export function transfer(from: Ed25519KeyPair, inputs: OutputID[], outputs: { address: Address; balances: Balances }[], dataPayload = new Uint8Array()): ValueTransaction {
  return signTransaction({ inputs, outputs, dataPayload }, [from]);
}
