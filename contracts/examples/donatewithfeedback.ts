// Donate with feedback (after Wasp's example): donate IOTAs with a message; the owner withdraws; views list them.
import { caller, event, incomingIotas, isAddress, addressOf, params, require, results, state, timestamp, transfer, transferToAddress, balance, IOTA, u64Bytes, equal, concat, str, strOf } from "iscp-browser-committee/sdk";

/** Longest feedback kept. */
const FEEDBACK_BYTES_MAX = 1000;

export function init(): void {
  const owner = params.get("owner");
  state.set("owner", owner != null ? owner : caller());
}

export function donate(): void {
  const amount = incomingIotas();
  require(amount > 0, "a donation needs IOTAs");
  const feedback = params.getString("f", "");
  require(str(feedback).length <= FEEDBACK_BYTES_MAX, "feedback too long");
  const n = state.getU64("count");
  // record: timestamp (8) ‖ amount (8) ‖ donor (37) ‖ feedback
  state.set("d." + n.toString(), concat(concat(concat(u64Bytes(<u64>timestamp()), u64Bytes(amount)), caller()), str(feedback)));
  state.setU64("count", n + 1);
  state.setU64("total", state.getU64("total") + amount);
  if (amount > state.getU64("max")) state.setU64("max", amount);
  event("donation " + amount.toString() + ": " + feedback);
}

/** Owner only. Param "s": amount (default: everything). Paid to the owner's L1 address, or on-chain for a contract owner. */
export function withdraw(): void {
  const owner = state.get("owner")!;
  require(equal(caller(), owner), "only the owner may withdraw");
  const have = balance(IOTA);
  const amount = params.getU64("s", have);
  require(amount > 0 && amount <= have, "nothing to withdraw or amount too large");
  if (isAddress(owner)) transferToAddress(addressOf(owner), IOTA, amount);
  else transfer(owner, IOTA, amount);
  event("withdrawn " + amount.toString());
}

export function view_donations(): void {
  results.setU64("count", state.getU64("count"));
  results.setU64("total", state.getU64("total"));
  results.setU64("max", state.getU64("max"));
}

/** Param "i": index. Results: timestamp, amount, donor, feedback. */
export function view_donation(): void {
  const i = params.mustU64("i");
  const r = state.get("d." + i.toString());
  require(r != null, "no such donation");
  const b = r!;
  results.set("timestamp", b.slice(0, 8));
  results.set("amount", b.slice(8, 16));
  results.set("donor", b.slice(16, 53));
  results.setString("feedback", strOf(b.slice(53)));
}
