// Token registry (after Wasp's example). mintSupply mints `s` tokens of a new color to the caller's L1 address:
// on L1 minting needs the anchor transaction, so the mint is an output with the MINT marker in the block's
// withdrawals, paid with `s` of the IOTAs sent along; the new color is that anchor transaction's ID.
// The registry records each mint by request ID (the anchor tx of the block holding the request gives the color).
import { caller, event, incomingIotas, isAddress, addressOf, mint, params, require, requestId, results, state, timestamp, transfer, IOTA, u64Bytes, concat, str, strOf } from "iscp-browser-committee/sdk";

const DESCRIPTION_BYTES_MAX = 200;

export function mintSupply(): void {
  const who = caller();
  require(isAddress(who), "only L1 addresses can receive minted tokens");
  const supply = params.mustU64("s");
  require(supply > 0, "supply must be positive");
  const paid = incomingIotas();
  require(paid >= supply, "send at least as many IOTAs as the supply (they are recolored)");
  const description = params.getString("dscr", "");
  require(str(description).length <= DESCRIPTION_BYTES_MAX, "description too long");
  mint(addressOf(who), supply);
  if (paid > supply) transfer(who, IOTA, paid - supply);
  const n = state.getU64("count");
  // record: request ID (34) ‖ owner (37) ‖ supply (8) ‖ timestamp (8) ‖ description
  state.set("m." + n.toString(), concat(concat(concat(concat(requestId(), who), u64Bytes(supply)), u64Bytes(<u64>timestamp())), str(description)));
  state.setU64("count", n + 1);
  event("minted " + supply.toString() + ": " + description);
}

export function view_getRegistry(): void {
  results.setU64("count", state.getU64("count"));
}

/** Param "i". Results: requestId, owner, supply, timestamp, description. */
export function view_getMint(): void {
  const r = state.get("m." + params.mustU64("i").toString());
  require(r != null, "no such mint");
  const b = r!;
  results.set("requestId", b.slice(0, 34));
  results.set("owner", b.slice(34, 71));
  results.set("supply", b.slice(71, 79));
  results.set("timestamp", b.slice(79, 87));
  results.setString("description", strOf(b.slice(87)));
}
