// Fair roulette (after Wasp's example): players bet IOTAs on a color 1..5; after the round period anyone may
// call playPeriod, which picks the winning color from the chain's entropy and splits the pot among the
// winners in proportion to their bets (paid to their on-chain accounts). No winner: the pot carries over.
import { caller, entropy, event, incomingIotas, params, require, results, state, timestamp, transfer, IOTA, u64Bytes, u64Of, concat, str } from "iscp-browser-committee/sdk";

const NUM_COLORS: u64 = 5;
/** Bets per round: bounds playPeriod's work. */
const BETS_MAX: u64 = 100;
/** Keeps amount * pot inside u64. */
const BET_MAX: u64 = 1 << 31;
const DEFAULT_PERIOD_NS: i64 = 60 * 1_000_000_000;

function betKey(i: u64): string {
  return "bet." + i.toString();
}

export function init(): void {
  state.set("period", u64Bytes(<u64>params.getU64("period", <u64>DEFAULT_PERIOD_NS)));
}

export function placeBet(): void {
  const amount = incomingIotas();
  require(amount > 0, "a bet needs IOTAs");
  require(amount < BET_MAX, "bet too large");
  const color = params.mustU64("color");
  require(color >= 1 && color <= NUM_COLORS, "color must be 1..5");
  const n = state.getU64("bets");
  require(n < BETS_MAX, "too many bets in this round");
  if (n == 0) state.set("roundStart", u64Bytes(<u64>timestamp()));
  // bet record: agent ID (37) ‖ amount (8) ‖ color (8)
  state.set(betKey(n), concat(concat(caller(), u64Bytes(amount)), u64Bytes(color)));
  state.setU64("bets", n + 1);
  state.setU64("pot", state.getU64("pot") + amount);
  event("bet " + amount.toString() + " on " + color.toString());
}

export function playPeriod(): void {
  const n = state.getU64("bets");
  require(n > 0, "no bets");
  const start = <i64>state.getU64("roundStart");
  const period = <i64>state.getU64("period");
  require(timestamp() >= start + period, "the round is still open");
  const winning: u64 = (<u64>entropy()[0]) % NUM_COLORS + 1;
  const pot = state.getU64("pot");
  let winningTotal: u64 = 0;
  for (let i: u64 = 0; i < n; i++) {
    const b = state.get(betKey(i))!;
    if (u64Of(b.slice(45, 53)) == winning) winningTotal += u64Of(b.slice(37, 45));
  }
  let paid: u64 = 0;
  if (winningTotal > 0) {
    for (let i: u64 = 0; i < n; i++) {
      const b = state.get(betKey(i))!;
      const amount = u64Of(b.slice(37, 45));
      if (u64Of(b.slice(45, 53)) != winning) continue;
      const share = (pot * amount) / winningTotal;
      if (share > 0) transfer(b.slice(0, 37), IOTA, share);
      paid += share;
    }
  }
  for (let i: u64 = 0; i < n; i++) state.del(betKey(i));
  state.setU64("bets", 0);
  state.setU64("pot", pot - paid); // rounding dust and unwon pots carry over
  state.setU64("lastWinningColor", winning);
  event("winning color " + winning.toString() + ", paid " + paid.toString());
}

export function view_lastWinningColor(): void {
  results.setU64("color", state.getU64("lastWinningColor"));
}

export function view_roundInfo(): void {
  results.setU64("bets", state.getU64("bets"));
  results.setU64("pot", state.getU64("pot"));
  results.setU64("roundStart", state.getU64("roundStart"));
  results.set("period", u64Bytes(state.getU64("period")));
  results.set("name", str("fairroulette"));
}
