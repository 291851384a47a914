import { addressKey, type Address, type RequestID } from '../protocol';
import type { BootupRecord } from '../state/store';
import type { ChainView } from './bridge';
import { RUNTIME_LIMITS } from './limits';
import type { MetaStore } from './meta-store';

/**
 * The runtime's own bookkeeping beside the node: what the node does not keep but the dashboard shows (chain
 * descriptions, blocks seen between snapshots, which peers are up, the requests this tab posted). Plain data,
 * read by dashboard-view.ts and written by the wiring and the command handlers.
 */
export type BlockSeen = ChainView['blocks'][number];

export interface BlocksSeen {
  readonly blocks: readonly BlockSeen[];
  /** The block index of the last snapshot (-1: none yet). */
  readonly lastIndex: number;
}

export interface ChainBook {
  readonly record: BootupRecord;
  description: string;
  seen: BlocksSeen;
}

export interface PeerUp {
  readonly name: string;
  readonly up: boolean;
}

export interface PostedRequest {
  readonly chain: Address;
  readonly id: RequestID;
  /** contract.entryPoint, shown with its error. */
  readonly label: string;
}

export class RuntimeBook {
  /** By addressKey, in the order the chains became known (the dashboard lists them so). */
  readonly chains = new Map<string, ChainBook>();
  readonly peers = new Map<string, PeerUp>();
  /** Requests this tab posted (bounded, oldest dropped), for the errors list. */
  readonly posted: PostedRequest[] = [];

  chain(a: Address): ChainBook | undefined {
    return this.chains.get(addressKey(a));
  }

  isUp(nodeId: string): boolean {
    return this.peers.get(nodeId)?.up ?? false;
  }

  track(chain: Address, ids: readonly RequestID[], label: string): void {
    for (const id of ids) {
      if (this.posted.length >= RUNTIME_LIMITS.trackedRequestsMax) this.posted.shift();
      this.posted.push({ chain, id, label });
    }
  }

  /** Adds a chain the node runs, with the description saved when it was created here. False if already known. */
  async remember(record: BootupRecord, meta: MetaStore): Promise<boolean> {
    const key = addressKey(record.chainAddress);
    if (this.chains.has(key)) return false;
    const description = (await meta.description(key)) ?? '';
    // Another caller may have added it while the description was read.
    if (this.chains.has(key)) return false;
    this.chains.set(key, { record, description, seen: { blocks: [], lastIndex: -1 } });
    return true;
  }
}
