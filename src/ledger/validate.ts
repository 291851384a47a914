import { ValidationError } from '../protocol/errors';
import { LIMITS } from '../protocol/limits';
import { blake2b256 } from '../protocol/hash';
import { AddressKind, addressKey, COLOR_IOTA, COLOR_MINT, colorKey, outputIDKey, addressToString, txIdToString, type Address, type OutputID, type TransactionID } from '../protocol/ids';
import { U64_MAX, type Balances } from '../protocol/balances';
import { encodeTransaction, essenceBytes, transactionId, type SignatureVerifier, type ValueTransaction } from '../protocol/transaction';

/** Rule names carried by ValidationError.rule when the ledger refuses a transaction. */
export const LEDGER_RULES = {
  malformed: 'ledger.malformed',
  tooLarge: 'ledger.tooLarge',
  noInputs: 'ledger.noInputs',
  noOutputs: 'ledger.noOutputs',
  emptyOutput: 'ledger.emptyOutput',
  badAmount: 'ledger.badAmount',
  inputUnknown: 'ledger.inputUnknown',
  inputNotSigned: 'ledger.inputNotSigned',
  signatureInvalid: 'ledger.signatureInvalid',
  signatureUnused: 'ledger.signatureUnused',
  colorInsufficient: 'ledger.colorInsufficient',
  balanceNotConserved: 'ledger.balanceNotConserved',
  conflict: 'ledger.conflict',
} as const;
export type LedgerRule = (typeof LEDGER_RULES)[keyof typeof LEDGER_RULES];

const IOTA_KEY = colorKey(COLOR_IOTA);
const MINT_KEY = colorKey(COLOR_MINT);

/** What validation needs from the ledger: the balances of an existing output, or undefined. */
export type OutputLookup = (id: OutputID) => Balances | undefined;

/**
 * Stateless validity of a value transaction against the outputs it spends (everything except the
 * double-spend check, which needs the ledger's spent set). Order: structure, inputs exist, signatures,
 * balances — so a conflict is only ever reported for an otherwise valid transaction.
 *
 * Balance rule (Pollen's): a non-IOTA color may appear in outputs only up to its amount in the inputs; every
 * remaining input token may be output as IOTA (uncoloring: how a chain removes a request token from its
 * backlog) or as COLOR_MINT (coloring: the new color = this tx's ID); the total is conserved exactly.
 */
export function validateValueTransaction(tx: ValueTransaction, lookup: OutputLookup, verifier: SignatureVerifier): TransactionID {
  checkWellFormed(tx);

  // Inputs exist; collect their addresses and balances.
  let inTotal = 0n;
  const inByColor = new Map<string, bigint>();
  const inputAddresses = new Map<string, Address>();
  for (const i of tx.inputs) {
    const b = lookup(i);
    if (!b) fail('inputUnknown', `output ${txIdToString(i.txId)}/${addressToString(i.address)} does not exist`);
    inputAddresses.set(addressKey(i.address), i.address);
    for (const [c, v] of b) {
      inTotal += v;
      inByColor.set(c, (inByColor.get(c) ?? 0n) + v);
    }
  }

  // Signatures: exactly one per distinct input address, each over the essence, no spares.
  const essence = essenceBytes(tx);
  const signed = new Set<string>();
  for (const s of tx.signatures) {
    const a: Address = { kind: s.kind, digest: blake2b256(s.publicKey) };
    const k = addressKey(a);
    if (!inputAddresses.has(k) || signed.has(k)) fail('signatureUnused', `signature by ${addressToString(a)} does not match an unsigned input address`);
    const ok = s.kind === AddressKind.Ed25519 ? verifier.ed25519(s.publicKey, essence, s.signature) : verifier.bls(s.publicKey, essence, s.signature);
    if (!ok) fail('signatureInvalid', `signature by ${addressToString(a)} does not verify`);
    signed.add(k);
  }
  for (const [k, a] of inputAddresses) if (!signed.has(k)) fail('inputNotSigned', `input address ${addressToString(a)} has no signature`);

  // Balances.
  const outByColor = new Map<string, bigint>();
  let outTotal = 0n;
  for (const o of tx.outputs)
    for (const [c, v] of o.balances) {
      outTotal += v;
      outByColor.set(c, (outByColor.get(c) ?? 0n) + v);
    }
  for (const [c, v] of outByColor) {
    if (c === IOTA_KEY || c === MINT_KEY) continue;
    const have = inByColor.get(c) ?? 0n;
    if (v > have) fail('colorInsufficient', `outputs hold ${v} of color ${c.slice(0, 8)}…, inputs only ${have}`);
  }
  if (inTotal !== outTotal) fail('balanceNotConserved', `inputs hold ${inTotal} tokens, outputs ${outTotal}`);
  return transactionId(tx);
}

/**
 * The checks without which a transaction has no canonical encoding and so no ID: at least one input and output,
 * one output per address, no input twice, no empty output, amounts in 1..2^64−1, encoded size within limits.
 * A decoded transaction always passes the encoding part; an in-memory one may not.
 */
export function checkWellFormed(tx: ValueTransaction): void {
  if (tx.inputs.length === 0) fail('noInputs', 'a transaction must spend at least one output');
  if (tx.outputs.length === 0) fail('noOutputs', 'a transaction must have at least one output');
  // One output per address and no input twice: otherwise the canonical encoding would not decode back.
  const outAddrs = new Set(tx.outputs.map((o) => addressKey(o.address)));
  if (outAddrs.size !== tx.outputs.length) fail('malformed', 'two outputs to the same address');
  if (new Set(tx.inputs.map(outputIDKey)).size !== tx.inputs.length) fail('malformed', 'the same input twice');

  // Outputs: positive amounts, none empty, sums within u64.
  for (const o of tx.outputs) {
    if (o.balances.size === 0) fail('emptyOutput', `output to ${addressToString(o.address)} holds no tokens`);
    for (const [c, v] of o.balances) {
      if (v <= 0n || v > U64_MAX) fail('badAmount', `amount ${v} of ${c.slice(0, 8)}… to ${addressToString(o.address)}`);
    }
  }

  // Only now can it be encoded (the codec refuses zero amounts); a value the codec refuses is malformed.
  let size: number;
  try {
    size = encodeTransaction(tx).length;
  } catch (e) {
    fail('malformed', (e as Error).message);
  }
  if (size > LIMITS.transactionBytesMax) fail('tooLarge', `${size} bytes > ${LIMITS.transactionBytesMax}`);
}

function fail(rule: keyof typeof LEDGER_RULES, detail: string): never {
  throw new ValidationError(LEDGER_RULES[rule], detail);
}

