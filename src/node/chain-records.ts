import { addressKey, type Address } from '../protocol/ids';
import type { ChainRecordMsg } from '../chain/wire';

/** A chain record one peer gave, as asked by askChainRecord. */
export interface ChainRecordAnswer {
  readonly from: string;
  readonly record: ChainRecordMsg;
}

export const CHAIN_RECORD_LIMITS = {
  /** Chains asked about at once (a CLI asks about one; a dashboard a handful). The oldest ask is forgotten. */
  asksMax: 16,
} as const;

/**
 * The asks of a client that knows a chain only by its ID (src/cli: "a chain usable by ID alone"): which peers
 * were asked about which chain, and what each answered. Only asked peers' first answers are kept, so an
 * unasked or repeating peer cannot grow this; deciding which answer to believe is the caller's (it checks the
 * colour against L1, and sync checks every block against its anchor).
 */
export class ChainRecordAsks {
  private readonly asks = new Map<string, { readonly asked: Set<string>; readonly answers: Map<string, ChainRecordMsg> }>();

  ask(chain: Address, peers: readonly string[]): void {
    const key = addressKey(chain);
    const a = this.asks.get(key) ?? { asked: new Set<string>(), answers: new Map<string, ChainRecordMsg>() };
    for (const p of peers) a.asked.add(p);
    this.asks.delete(key);
    this.asks.set(key, a);
    if (this.asks.size > CHAIN_RECORD_LIMITS.asksMax) this.asks.delete(this.asks.keys().next().value as string);
  }

  /** An answer arrived; false when nobody asked that peer about that chain (the frame is dropped). */
  onAnswer(from: string, chain: Address, record: ChainRecordMsg): boolean {
    const a = this.asks.get(addressKey(chain));
    if (!a || !a.asked.has(from) || a.answers.has(from)) return false;
    a.answers.set(from, record);
    return true;
  }

  answers(chain: Address): ChainRecordAnswer[] {
    const a = this.asks.get(addressKey(chain));
    return a ? [...a.answers].map(([from, record]) => ({ from, record })) : [];
  }
}
