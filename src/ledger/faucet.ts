import { blake2b256 } from '../protocol/hash';
import { toHex, utf8 } from '../protocol/bytes';
import { addressEquals, addressKey, addressToString, COLOR_IOTA, colorKey, type Address } from '../protocol/ids';
import { balancesOf, subBalances, type Balances } from '../protocol/balances';
import type { ValueTransaction } from '../protocol/transaction';
import { ed25519KeyPairFromSeed, signTransaction, type Ed25519KeyPair } from '../crypto/ed25519';
import type { GenesisOutput, Ledger } from './ledger';

export const FAUCET_AMOUNT_DEFAULT = 1_000_000n;
/** Addresses one faucet transaction pays (plus the faucet's own remainder: within LIMITS.outputsMax). */
export const FAUCET_BATCH_MAX = 128;
/** 2^62 iotas: far more than any test run hands out, and well inside u64 for every sum. */
export const FAUCET_SUPPLY_DEFAULT = 1n << 62n;

/**
 * What one faucet may hand out. Payouts are ledger-log bytes (~350 bytes for a transaction paying one address,
 * ~90 per address in a batch — the hub pays what arrives within `faucetBatchWindowMs` in one transaction), so
 * the rate limit is also what bounds how fast faucet traffic can grow the log: at most `burst` payouts at once,
 * then one per `refillMs`.
 */
export interface FaucetLimits {
  /** Most IOTA one address may receive from the faucet, over the ledger's whole history (restarts included). */
  readonly perAddressMax: bigint;
  /** Payouts that may follow each other without waiting (a classroom's tabs all asking at once). */
  readonly burst: number;
  /** One more payout becomes available per this many ms, up to `burst` saved up. */
  readonly refillMs: number;
}

/**
 * The hub's limits. A tab asks for funds only when its wallet is nearly empty, and 1 Mi lasts a session, so
 * ten payouts per address is generous. 256 at once covers a class (or a Playwright suite sharing one hub) opening
 * its tabs together (one transaction); one per 2 s after that caps an attacker with fresh addresses at 1,800
 * payouts an hour (≈ 160–640 KB of log, batched or not) instead of thousands a second.
 */
export const HUB_FAUCET_LIMITS: FaucetLimits = { perAddressMax: 10n * FAUCET_AMOUNT_DEFAULT, burst: 256, refillMs: 2_000 };

/**
 * A faucet key derived from a public label: anyone can rebuild it and spend the faucet's supply. Only for
 * simulations and tests that need the same faucet on every run; the hub uses a random key kept in its data
 * folder (faucetkey.ts).
 */
export function faucetKeyPair(label = 'iscp faucet'): Ed25519KeyPair {
  return ed25519KeyPairFromSeed(blake2b256(utf8(label)));
}

export function faucetGenesis(kp: Ed25519KeyPair, supply = FAUCET_SUPPLY_DEFAULT): GenesisOutput {
  return { address: kp.address, balances: balancesOf([[COLOR_IOTA, supply]]) };
}

export class FaucetError extends Error {
  override readonly name: string = 'FaucetError';
}

/** A request refused by the faucet's limits; the caller may tell the client when to try again. */
export class FaucetLimitError extends FaucetError {
  override readonly name = 'FaucetLimitError';
  constructor(
    readonly limit: 'per-address' | 'rate',
    message: string,
    /** When a retry can succeed (rate limit); undefined when it never will (the address had its share). */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

export interface FaucetOptions {
  /** No limits when absent: simulations and tests that drive the faucet themselves. The hub passes HUB_FAUCET_LIMITS. */
  readonly limits?: FaucetLimits;
  /** The clock the rate limit runs on (injected so tests need not sleep). Required with `limits`. */
  readonly nowMs?: () => number;
}

/**
 * Builds signed transactions that move `amount` iotas from the faucet's largest unspent output to an address;
 * the remainder goes back to the faucet. Each one spends the previous (booked) one's remainder, so requests
 * chain without waiting for confirmation. The caller submits what `request` returns.
 */
export class Faucet {
  private readonly limits: FaucetLimits | undefined;
  private readonly nowMs: () => number;
  /** address key → IOTA paid so far (only kept with limits). Grows with payouts, which the rate limit bounds. */
  private readonly paid = new Map<string, bigint>();
  private tokens = 0;
  private tokensAtMs = 0;

  constructor(
    private readonly ledger: Ledger,
    private readonly kp: Ed25519KeyPair,
    readonly amount: bigint = FAUCET_AMOUNT_DEFAULT,
    opts: FaucetOptions = {},
  ) {
    if (amount <= 0n) throw new RangeError(`faucet amount must be positive, got ${amount}`);
    this.limits = opts.limits;
    const l = opts.limits;
    if (l) {
      if (!opts.nowMs) throw new RangeError('a faucet with limits needs a clock (nowMs)');
      if (!Number.isSafeInteger(l.burst) || l.burst < 1) throw new RangeError(`faucet burst must be a positive integer, got ${l.burst}`);
      if (!Number.isSafeInteger(l.refillMs) || l.refillMs < 1) throw new RangeError(`faucet refillMs must be a positive integer, got ${l.refillMs}`);
      if (l.perAddressMax < amount) throw new RangeError(`faucet perAddressMax ${l.perAddressMax} is below one payout (${amount})`);
    }
    this.nowMs = opts.nowMs ?? (() => 0);
    if (l) {
      this.tokens = l.burst;
      this.tokensAtMs = this.nowMs();
      this.restorePaid();
    }
  }

  get address(): Address {
    return this.kp.address;
  }

  /** IOTA this faucet has paid to `address` (counted only when the faucet has limits). */
  paidTo(address: Address): bigint {
    return this.paid.get(addressKey(address)) ?? 0n;
  }

  /** One payout, now. Throws FaucetError (self, empty) or FaucetLimitError (per-address cap, rate limit). */
  request(address: Address): ValueTransaction {
    this.reserve(address);
    try {
      return this.build([address]);
    } catch (e) {
      this.release(address);
      throw e;
    }
  }

  /**
   * Checks the limits for one more payout to `address` and counts it against them (its slot and its allowance),
   * so queued payouts cannot exceed what paying at once would allow. Throws FaucetError (self) or FaucetLimitError.
   * A payout that then cannot be made is given back with `release`.
   */
  reserve(address: Address): void {
    if (addressEquals(address, this.kp.address)) throw new FaucetError('the faucet does not fund itself');
    const l = this.limits;
    if (!l) return;
    const had = this.paidTo(address);
    if (had + this.amount > l.perAddressMax)
      throw new FaucetLimitError('per-address', `address ${addressToString(address)} already received ${had} of the ${l.perAddressMax} iotas the faucet gives one address`, undefined);
    this.refill(this.nowMs(), l);
    if (this.tokens < 1)
      throw new FaucetLimitError('rate', `the faucet is busy (at most ${l.burst} payouts at once, then one per ${l.refillMs} ms): try again in ${Math.ceil((1 - this.tokens) * l.refillMs)} ms`, Math.ceil((1 - this.tokens) * l.refillMs));
    this.tokens -= 1;
    this.addPaid(address, this.amount);
  }

  /** Gives back what `reserve` counted (an empty faucet costs nobody their allowance or a slot). */
  release(address: Address): void {
    const l = this.limits;
    if (!l) return;
    this.tokens = Math.min(l.burst, this.tokens + 1);
    this.addPaid(address, -this.amount);
  }

  /**
   * ONE transaction paying `amount` to each reserved address (an address listed k times gets k × amount, in one
   * output): a batch costs the ledger log one input, one signature and ~80 bytes per payout instead of a 403-byte
   * transaction each. At most FAUCET_BATCH_MAX addresses. Throws FaucetError when the faucet cannot pay them all.
   */
  build(addresses: readonly Address[]): ValueTransaction {
    if (addresses.length === 0 || addresses.length > FAUCET_BATCH_MAX) throw new RangeError(`a faucet batch pays 1..${FAUCET_BATCH_MAX} addresses, not ${addresses.length}`);
    const per = new Map<string, { address: Address; n: bigint }>();
    for (const a of addresses) {
      const e = per.get(addressKey(a)) ?? { address: a, n: 0n };
      e.n += 1n;
      per.set(addressKey(a), e);
    }
    const total = this.amount * BigInt(addresses.length);
    const outs = this.ledger.getUnspentOutputs(this.kp.address);
    // The faucet holds only IOTA (nobody else can sign for it) but anyone may send it tokens; pick the largest.
    const iota = colorKey(COLOR_IOTA);
    const src = outs.filter((o) => o.balances.size === 1 && (o.balances.get(iota) ?? 0n) > total).sort((a, b) => ((b.balances.get(iota) as bigint) > (a.balances.get(iota) as bigint) ? 1 : -1))[0];
    if (!src) throw new FaucetError(`faucet ${addressToString(this.kp.address)} is empty`);
    const rest = subBalances(src.balances, balancesOf([[COLOR_IOTA, total]])) as Balances;
    return signTransaction(
      {
        inputs: [src.id],
        outputs: [...[...per.values()].map((e) => ({ address: e.address, balances: balancesOf([[COLOR_IOTA, this.amount * e.n]]) })), { address: this.kp.address, balances: rest }],
        dataPayload: new Uint8Array(),
      },
      [this.kp],
    );
  }

  private refill(now: number, l: FaucetLimits): void {
    // A clock that steps back (NTP) refills nothing rather than draining the bucket.
    if (now > this.tokensAtMs) {
      this.tokens = Math.min(l.burst, this.tokens + (now - this.tokensAtMs) / l.refillMs);
      this.tokensAtMs = now;
    }
  }

  private addPaid(address: Address, iotas: bigint): void {
    const k = addressKey(address);
    this.paid.set(k, (this.paid.get(k) ?? 0n) + iotas);
  }

  /**
   * Recounts what the faucet paid each address from the (replayed) ledger, so a restart does not reset the
   * per-address cap. Every faucet transaction leaves a remainder with the faucet (it only pays from an output
   * larger than the amount), and only the faucet can spend its outputs, so every faucet transaction is an
   * ancestor, through faucet-owned inputs, of one of the faucet's unspent outputs: walking back from those finds all.
   */
  private restorePaid(): void {
    const me = this.kp.address;
    const iota = colorKey(COLOR_IOTA);
    const seen = new Set<string>();
    const todo = this.ledger.getUnspentOutputs(me).map((o) => o.id.txId);
    for (let txId = todo.pop(); txId !== undefined; txId = todo.pop()) {
      const k = toHex(txId);
      if (seen.has(k)) continue;
      seen.add(k);
      const tx = this.ledger.getTransaction(txId); // undefined for the genesis output
      if (!tx || tx.inputs.length === 0 || !tx.inputs.every((i) => addressEquals(i.address, me))) continue;
      for (const o of tx.outputs) if (!addressEquals(o.address, me)) this.addPaid(o.address, o.balances.get(iota) ?? 0n);
      for (const i of tx.inputs) todo.push(i.txId);
    }
  }
}
