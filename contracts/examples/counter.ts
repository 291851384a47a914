// Counter: the smallest ISCP contract. increment adds 1 (or param "n"); the view getCounter returns "counter".
import { params, results, state, event } from "../sdk/index";

export function init(): void {
  state.setU64("counter", params.getU64("counter", 0));
}

export function increment(): void {
  const c = state.getU64("counter") + params.getU64("n", 1);
  state.setU64("counter", c);
  event("counter = " + c.toString());
}

export function view_getCounter(): void {
  results.setU64("counter", state.getU64("counter"));
}
