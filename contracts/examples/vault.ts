// Vault: parks IOTA in its own account on another chain and brings them home — the cross-chain accounts path
// (accounts.deposit there, accounts.withdrawToChain back). Param "chain": the other chain's ID (33 bytes).
import { params, event, hname, postRequest } from "iscp-browser-committee/sdk";

// stash: deposits "n" IOTA (default 10) into this contract's account on "chain". Costs n + 1 IOTA (the request
// token is 1 IOTA), taken from what the request sends: send at least that.
export function stash(): void {
  const n = params.getU64("n", 10);
  postRequest(params.mustGet("chain"), hname("accounts"), hname("deposit"), null, n);
  event("stashed " + n.toString() + " IOTA on another chain");
}

// recall: asks "chain" to send everything this contract holds there home (withdrawToChain pays the answer's
// request token from it). Costs 2 IOTA: 1 sent along, 1 for the request token.
export function recall(): void {
  postRequest(params.mustGet("chain"), hname("accounts"), hname("withdrawToChain"), null, 1);
  event("recalled its IOTA from another chain");
}
