import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { PeerFaultStats } from '../src/net/peer-faults.ts';
import type { CommandResult } from '../src/worker/bridge.ts';
import type { PageChain } from '../src/worker/page-api.ts';
import { FaultPlan, type KitByzantineKind } from './fault-plan.ts';
import { startPrivateHub, type HubOptions, type PrivateHub } from './hub.ts';
import { KIT_PAGE_API_VERSION, pageByzantine, pageChain, pageCommand, pageDeployWasm, pageFaultStats, pageSetFaults, pageStatus, until } from './page.ts';

export interface CommitteeOptions {
  /** Committee size: one tab per member. */
  readonly n: number;
  /** Quorum (signatures per block); the committee tolerates n - t silent members. */
  readonly t: number;
  /** Tab node names are `${namePrefix}${i + 1}` (default 'm'). */
  readonly namePrefix?: string;
  readonly description?: string;
  /** Budget for each wait the kit does (tabs up, mesh, chain, convergence); default 90 s. */
  readonly timeoutMs?: number;
  /** Also wait until every link is a direct WebRTC connection (not relayed through the hub) before the chain is created. */
  readonly directMesh?: boolean;
  readonly hub?: HubOptions;
}

export type { KitByzantineKind } from './fault-plan.ts';

export interface Member {
  readonly index: number;
  /** The tab's node name (`?node=`): the same name after restart() means the same key and IndexedDB. */
  readonly name: string;
  readonly nodeId: string;
  /** The tab of this member; a new Page after restart(). Throws while the member is killed. */
  readonly page: Page;
  readonly alive: boolean;
}

export interface ChainFacts {
  readonly blockIndex: number;
  readonly stateHash: string;
  readonly backlog: number;
}

export interface PostOptions {
  /** Requests to post (default 1). */
  readonly count?: number;
  /** iotas sent with each request (default 0). */
  readonly transfer?: number;
  /** Member whose wallet posts (default: the first live member). */
  readonly from?: number;
}

export interface Audit {
  readonly blockIndex: number;
  readonly stateHash: string;
  /** Requests in this member's stored blocks, and how many of them appeared more than once. */
  readonly requests: number;
  readonly duplicates: number;
}

interface Slot {
  readonly index: number;
  readonly name: string;
  nodeId: string;
  page: Page | undefined;
}

/**
 * N tabs in one browser context (as a user's tabs are: shared origin storage, separate pages), each a member,
 * on a private hub; the chain is created once the mesh is up. Everything is read through the page API.
 */
export class Committee {
  private readonly slots: Slot[] = [];
  private readonly plan = new FaultPlan();
  private chain = '';
  readonly timeoutMs: number;

  private constructor(
    private readonly hub: PrivateHub,
    private readonly context: BrowserContext,
    readonly n: number,
    readonly t: number,
    timeoutMs: number,
    private readonly directMesh: boolean,
  ) {
    this.timeoutMs = timeoutMs;
  }

  static async open(browser: Browser, opts: CommitteeOptions): Promise<Committee> {
    if (!(Number.isInteger(opts.n) && opts.n >= 1 && Number.isInteger(opts.t) && opts.t >= 1 && opts.t <= opts.n)) throw new Error(`need whole numbers 1 ≤ t ≤ n (got n=${opts.n}, t=${opts.t})`);
    const hub = await startPrivateHub(opts.hub);
    let context: BrowserContext | undefined;
    try {
      context = await browser.newContext({ baseURL: hub.baseURL, permissions: ['camera', 'microphone'] });
      const c = new Committee(hub, context, opts.n, opts.t, opts.timeoutMs ?? 90_000, opts.directMesh ?? false);
      const prefix = opts.namePrefix ?? 'm';
      for (let i = 0; i < opts.n; i++) c.slots.push({ index: i, name: `${prefix}${i + 1}`, nodeId: '', page: undefined });
      // Concurrently: the mesh forms while the later tabs still load.
      await Promise.all(c.slots.map((s) => c.openTab(s)));
      await c.waitMesh();
      await c.createChain(opts.description ?? `kit committee ${opts.n}/${opts.t}`);
      return c;
    } catch (e) {
      await context?.close().catch(() => undefined);
      await hub.stop();
      throw e;
    }
  }

  /** The chain's address (as the dashboard and the page API name it). */
  get chainId(): string {
    return this.chain;
  }

  get hubURL(): string {
    return this.hub.baseURL;
  }

  get members(): readonly Member[] {
    return this.slots.map((s) => this.member(s.index));
  }

  member(i: number): Member {
    const s = this.slot(i);
    return {
      index: s.index,
      name: s.name,
      nodeId: s.nodeId,
      alive: s.page !== undefined,
      get page(): Page {
        if (!s.page) throw new Error(`member ${i} (${s.name}) is killed: restart(${i}) first`);
        return s.page;
      },
    };
  }

  /** Indexes of the members whose tab is open. */
  live(): number[] {
    return this.slots.filter((s) => s.page).map((s) => s.index);
  }

  /* ------------------------------------------------------------------ contracts and requests */

  /** Uploads a wasm program and deploys it under `name`; resolves when the posting member has processed both requests. */
  async deployContract(pathOrBytes: string | Uint8Array, name: string, opts: { readonly from?: number; readonly description?: string } = {}): Promise<void> {
    const program = typeof pathOrBytes === 'string' ? new Uint8Array(readFileSync(pathOrBytes)) : pathOrBytes;
    const page = this.livePage(opts.from);
    expectKind(await pageDeployWasm(page, this.chain, name, opts.description ?? name, program), 'ok');
  }

  /** Posts requests to `contract.entryPoint`; returns their request IDs (once the L1 took the transactions). */
  async post(contract: string, entryPoint: string, params: Readonly<Record<string, string>> = {}, opts: PostOptions = {}): Promise<string[]> {
    const count = opts.count ?? 1;
    const transfer = opts.transfer ?? 0;
    const page = this.livePage(opts.from);
    if (count > 1 && transfer === 0) return [...expectKind(await pageCommand(page, { kind: 'postMany', chain: this.chain, contract, entryPoint, params, count }), 'requests').requestIds];
    const ids: string[] = [];
    for (let k = 0; k < count; k++) ids.push(...expectKind(await pageCommand(page, { kind: 'postRequest', chain: this.chain, contract, entryPoint, params, transfer }), 'requests').requestIds);
    return ids;
  }

  /** Calls a view on one member's solid state (default: the first live member). */
  async callView(contract: string, view: string, params: Readonly<Record<string, string>> = {}, opts: { readonly member?: number } = {}): Promise<Readonly<Record<string, string>>> {
    return expectKind(await pageCommand(this.livePage(opts.member), { kind: 'callView', chain: this.chain, contract, view, params }), 'view').result;
  }

  /** Resolves when every given member (default: every live one) holds a receipt for each request. */
  async waitProcessed(requestIds: readonly string[], opts: { readonly members?: readonly number[] } = {}): Promise<void> {
    const members = opts.members ?? this.live();
    await Promise.all(members.map(async (i) => expectKind(await pageCommand(this.livePage(i), { kind: 'waitProcessed', chain: this.chain, requestIds }), 'processed')));
  }

  /** This member's committed blocks read back from its own store. */
  async audit(i: number): Promise<Audit> {
    const a = expectKind(await pageCommand(this.livePage(i), { kind: 'audit', chain: this.chain }), 'audit');
    return { blockIndex: a.blockIndex, stateHash: a.stateHash, requests: a.requests, duplicates: a.duplicates };
  }

  /** What member i's node says about the chain now (undefined if it does not run it yet). */
  chainView(i: number): Promise<PageChain | undefined> {
    return pageChain(this.livePage(i), this.chain);
  }

  /** The member index of the leader the first live member knows (undefined between rounds). */
  async leader(): Promise<number | undefined> {
    const v = await this.chainView(this.firstLive());
    const id = v?.leader !== undefined ? v.committee[v.leader] : undefined;
    return id === undefined ? undefined : this.slots.find((s) => s.nodeId === id)?.index;
  }

  /** Waits until the first live member knows a leader; returns its member index. */
  async waitLeader(opts: { readonly timeoutMs?: number } = {}): Promise<number> {
    return until('a known leader', opts.timeoutMs ?? this.timeoutMs, () => this.leader());
  }

  /**
   * Waits until every given member (default: every live one) has the chain at one block index (≥ minBlockIndex,
   * default 1) and one state hash, with an empty backlog. Throws with where each member stood.
   */
  async expectConverged(opts: { readonly minBlockIndex?: number; readonly members?: readonly number[]; readonly timeoutMs?: number } = {}): Promise<ChainFacts> {
    const members = opts.members ?? this.live();
    const min = opts.minBlockIndex ?? 1;
    let seen: (PageChain | undefined)[] = [];
    const where = (): string => members.map((i, k) => `${this.slot(i).name}: ${seen[k] ? `#${seen[k]?.blockIndex} ${seen[k]?.stateHash.slice(0, 8)} backlog ${seen[k]?.backlog}` : 'no chain'}`).join('; ');
    return until(
      `chain ${this.chain.slice(0, 10)}… converged at block ≥ ${min} in members ${members.join(',')}`,
      opts.timeoutMs ?? this.timeoutMs,
      async () => {
        seen = await Promise.all(members.map((i) => this.chainView(i)));
        const f = seen[0];
        if (!f || f.blockIndex < min) return undefined;
        const same = seen.every((s) => s && s.blockIndex === f.blockIndex && s.stateHash === f.stateHash && s.backlog === 0);
        return same ? { blockIndex: f.blockIndex, stateHash: f.stateHash, backlog: 0 } : undefined;
      },
      where,
    );
  }

  /* ------------------------------------------------------------------ tab faults */

  /** Closes member i's tab (its node stops; its IndexedDB stays). */
  async kill(i: number): Promise<void> {
    const s = this.slot(i);
    if (!s.page) throw new Error(`member ${i} is already killed`);
    const page = s.page;
    s.page = undefined;
    await page.close();
  }

  /** Reopens a killed member with the same node name: it restores the chain from IndexedDB and syncs. Waits for its links. */
  async restart(i: number): Promise<void> {
    const s = this.slot(i);
    if (s.page) throw new Error(`member ${i} is alive: kill(${i}) first, or reload(${i})`);
    await this.openTab(s);
    await this.reapplyFaults(i);
    await this.waitMesh();
  }

  /** Reloads member i's tab (the node restarts from IndexedDB, as after a crash); waits for its links. */
  async reload(i: number): Promise<void> {
    const page = this.livePage(i);
    await page.reload();
    await this.waitRunning(this.slot(i), page);
    await this.reapplyFaults(i);
    await this.waitMesh();
  }

  /* ------------------------------------------------------------------ network faults (src/net/peer-faults.ts) */

  /** Node envelopes between the two groups are dropped both ways (links stay open, as in a lossy network). */
  async partition(a: readonly number[], b: readonly number[]): Promise<void> {
    await this.pushFaults(this.plan.partition(a, b));
  }

  /** Every envelope between i and j leaves `ms` late, both ways (0 removes the delay). */
  async slowLink(i: number, j: number, ms: number): Promise<void> {
    await this.pushFaults(this.plan.slowLink(i, j, ms));
  }

  /** Removes every partition and slow link (Byzantine behaviours stay until byzantine(i, null)). */
  async heal(): Promise<void> {
    this.plan.heal();
    await this.pushFaults(this.live());
  }

  /**
   * Turns member i Byzantine: 'silent' (sends no envelope), 'wrongResult' (its VM results differ), 'badPartialSig'
   * (signs the wrong bytes); null makes it honest again.
   */
  async byzantine(i: number, kind: KitByzantineKind | null): Promise<void> {
    const page = this.livePage(i);
    this.plan.byzantine(i, kind);
    await this.pushFaults([i]);
    await pageByzantine(page, this.plan.workerKind(i));
  }

  /** How many envelopes member i's fault filter dropped or delayed (to assert a fault acted). */
  faultStats(i: number): Promise<PeerFaultStats> {
    return pageFaultStats(this.livePage(i));
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.hub.stop();
  }

  /* ------------------------------------------------------------------ internals */

  private slot(i: number): Slot {
    const s = this.slots[i];
    if (!s) throw new Error(`no member ${i} (the committee has ${this.slots.length})`);
    return s;
  }

  private firstLive(): number {
    const i = this.live()[0];
    if (i === undefined) throw new Error('every member is killed');
    return i;
  }

  private livePage(i: number = this.firstLive()): Page {
    return this.member(i).page;
  }

  private async openTab(s: Slot): Promise<void> {
    const page = await this.context.newPage();
    page.on('pageerror', (e) => console.log(`[${s.name}] page error: ${e.message}`));
    await page.goto(`/?node=${encodeURIComponent(s.name)}`);
    await this.waitRunning(s, page);
    s.page = page;
  }

  private async waitRunning(s: Slot, page: Page): Promise<void> {
    let phase = 'loading';
    const st = await until(
      `${s.name}'s node running`,
      this.timeoutMs,
      async () => {
        const x = await pageStatus(page);
        phase = x ? `${x.phase}${x.error ? `: ${x.error}` : ''}` : 'no window.iscp';
        if (x?.phase === 'failed' || x?.phase === 'locked-elsewhere') throw new Error(`${s.name} did not start: ${phase}`);
        return x?.phase === 'running' ? x : undefined;
      },
      () => phase,
    );
    if (st.version !== KIT_PAGE_API_VERSION) throw new Error(`${s.name} speaks page API v${st.version}; this kit speaks v${KIT_PAGE_API_VERSION}`);
    if (s.nodeId && st.nodeId !== s.nodeId) throw new Error(`${s.name} came back with another node ID (its IndexedDB was lost)`);
    s.nodeId = st.nodeId as string;
  }

  /** Every live member sees every other live member with the peering link up (and direct, if asked for). */
  private async waitMesh(): Promise<void> {
    const live = this.slots.filter((s) => s.page);
    const missing: string[] = [];
    await until(
      `every live member linked${this.directMesh ? ' directly' : ''} to every other`,
      this.timeoutMs,
      async () => {
        missing.length = 0;
        for (const s of live) {
          const st = await pageStatus(s.page as Page);
          const up = new Set(st?.peers.filter((p) => p.up && (!this.directMesh || p.kind === 'direct')).map((p) => p.nodeId));
          for (const o of live) if (o !== s && !up.has(o.nodeId)) missing.push(`${s.name}→${o.name}`);
        }
        return missing.length === 0 ? true : undefined;
      },
      () => `links down: ${missing.join(', ')}`,
    );
  }

  private async createChain(description: string): Promise<void> {
    const creator = this.livePage(0);
    const r = expectKind(await pageCommand(creator, { kind: 'createChain', memberNodeIds: this.slots.map((s) => s.nodeId), t: this.t, description }), 'chainCreated');
    this.chain = r.chain;
    // root.init processed everywhere: block #1 in every tab.
    await this.expectConverged({ minBlockIndex: 1 });
  }

  private async pushFaults(members: readonly number[]): Promise<void> {
    const all = this.slots.map((s) => s.index);
    for (const i of new Set(members)) if (this.slot(i).page) await pageSetFaults(this.livePage(i), this.plan.configFor(i, all, (j) => this.slot(j).nodeId));
  }

  /** A reopened page starts honest and without faults; the committee's plan for it is set again. */
  private async reapplyFaults(i: number): Promise<void> {
    await this.pushFaults([i]);
    const kind = this.plan.workerKind(i);
    if (kind) await pageByzantine(this.livePage(i), kind);
  }
}

function expectKind<K extends CommandResult['kind']>(r: CommandResult, kind: K): Extract<CommandResult, { kind: K }> {
  if (r.kind !== kind) throw new Error(`expected a '${kind}' result, got ${JSON.stringify(r)}`);
  return r as Extract<CommandResult, { kind: K }>;
}
