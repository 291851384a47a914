import { addressToString } from '../../protocol/ids';
import type { WaspNode } from '../../node/node';

/**
 * What `iscp node run` prints while it runs: one short line per chain setup phase, chain activation, new block
 * (a catch-up of many blocks is one line) and refused store — not the per-message protocol chatter the dashboard
 * narrates. Polls the node's own views, so it adds nothing to the node.
 */
export class NodeWatch {
  private readonly blocks = new Map<string, number>();
  private readonly phases = new Map<string, string>();

  constructor(
    private readonly node: WaspNode,
    private readonly out: (line: string) => void,
  ) {
    node.subscribe((e) => {
      if (e.type !== 'protocol') return;
      const ev = e.event;
      if (ev.kind === 'deploy' || ev.text.startsWith('Stored state refused')) out(`chain ${short(ev.chain)}: ${ev.text}`);
    });
  }

  poll(): void {
    for (const d of this.node.deployments()) {
      const line = `${d.phase}${d.qual ? ` (QUAL ${d.qual.join(',')})` : ''}${d.error ? `: ${d.error}` : ''}`;
      if (this.phases.get(d.sessionId) === line) continue;
      this.phases.set(d.sessionId, line);
      this.out(`setup ${d.sessionId.slice(0, 8)} (member ${d.myIndex ?? '-'} of ${d.members.length}, quorum ${d.t}): ${line}`);
    }
    for (const chain of this.node.chains()) {
      const s = this.node.snapshot(chain);
      if (!s) continue;
      const key = addressToString(chain);
      const before = this.blocks.get(key);
      if (before === s.blockIndex) continue;
      this.blocks.set(key, s.blockIndex);
      if (before === undefined && s.blockIndex === 0) continue;
      const from = before === undefined || s.blockIndex === before + 1 ? '' : ` (from #${before})`;
      this.out(`chain ${short(key)} block #${s.blockIndex}${from} state ${s.stateHash.slice(0, 16)}`);
    }
  }
}

const short = (address: string): string => (address.length > 12 ? `${address.slice(0, 10)}…` : address || '-');
