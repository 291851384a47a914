// Counter: the smallest ISCP contract. increment adds 1 (or param "n"); the view getCounter returns "counter".
import { params, results, state, event, Dict, str, u64Bytes, hname, contractHname, postRequest } from "iscp-browser-committee/sdk";

export function init(): void {
  state.setU64("counter", params.getU64("counter", 0));
}

export function increment(): void {
  const c = state.getU64("counter") + params.getU64("n", 1);
  state.setU64("counter", c);
  event("counter = " + c.toString());
}

// incrementOn asks the counter on another chain (param "chain": its chain ID, 33 bytes; this chain works too) to
// add "n". With param "back" (a chain ID) it asks that counter to run incrementOn itself, aimed at "back": the
// other chain answers. A request costs 1 IOTA for its request token (2 with "back": the answer's token is sent
// along), so send that much with this request.
export function incrementOn(): void {
  const p = new Dict();
  p.set(str("n"), u64Bytes(params.getU64("n", 1)));
  if (params.has("back")) {
    p.set(str("chain"), params.mustGet("back"));
    postRequest(params.mustGet("chain"), contractHname(), hname("incrementOn"), p, 1);
  } else {
    postRequest(params.mustGet("chain"), contractHname(), hname("increment"), p);
  }
  event("posted a request to a counter on another chain");
}

export function view_getCounter(): void {
  results.setU64("counter", state.getU64("counter"));
}
