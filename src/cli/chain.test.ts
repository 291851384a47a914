import '../hub/polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type Hub } from '../hub/hub';
import { parseHubArgs } from '../hub/config';
import { fetchHubInfoFrom, nodeIdOf } from '../net/node-net';
import { fromHex } from '../protocol/bytes';
import { PEERING_PROTOCOL } from '../net/browser-net';
import { addressFromPublicKey, addressFromString, addressToString, AddressKind } from '../protocol/ids';
import { decU64 } from '../vm/dict';
import { hname, hnameToString } from '../protocol/hname';
import { runCli } from './main';
import { ed25519KeyPairFromSeed } from '../crypto/ed25519';
import { startNodeHost, type NodeHost } from './node-host';
import { loadChains } from './chains-file';

/**
 * The `chain …` commands end to end, in one process: an in-process hub (ledger + relay + gossipsub) and four real
 * nodes (createNode + the tabs' own peering code over the relay) standing in for tabs. Every `runCli` call starts
 * its own CLI node, as the real command does; nothing is mocked.
 */
let hub: Hub;
let hubUrl: string;
let dir: string;
const tabs: NodeHost[] = [];

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--hub', hubUrl, '--wallet', join(dir, 'wallet.json'), '--chains', join(dir, 'chains.json'), ...argv], (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iscp-cli-'));
  const cfg = { ...parseHubArgs(['--port', '0', '--ws-port', '0', '--memory', '--confirm-delay-ms', '20'], {}), distDir: '/nonexistent' };
  hub = await startHub(cfg, () => undefined);
  hubUrl = `http://127.0.0.1:${hub.httpPort}`;
  const info = await fetchHubInfoFrom(hubUrl);
  tabs.push(...(await Promise.all(['t1', 't2', 't3', 't4'].map((name) => startNodeHost({ hub: info, name })))));
});

afterAll(async () => {
  await Promise.all(tabs.map((t) => t.stop()));
  await hub?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('iscp chain against nodes reached through the hub relay', () => {
  it('deploys a chain of 4 (CLI = non-member initiator), deploys the counter, posts requests, reads views', { timeout: 180_000 }, async () => {
    expect((await cli('wallet', 'new')).code).toBe(0);
    const funded = await cli('request-funds');
    expect(funded.err).toEqual([]);

    // Members by name and one by node ID prefix, in committee order.
    const deploy = await cli('chain', 'deploy', '--committee', `t1,t2,t3,${tabs[3]?.nodeId.slice(0, 12)}`, '--quorum', '3', '--description', 'cli test chain', '--peer-wait-ms', '90000');
    expect(deploy.err).toEqual([]);
    expect(deploy.code).toBe(0);
    expect(deploy.out.at(-1)).toMatch(/block #1 committed/);
    const known = loadChains(join(dir, 'chains.json'));
    expect(known.chains).toHaveLength(1);
    const c = known.chains[0];
    if (!c) throw new Error('no chain saved');
    expect(known.default).toBe(c.address);
    expect(c.committee).toEqual(tabs.map((t) => t.nodeId));
    expect(c.names).toEqual(['t1', 't2', 't3', 't4']);
    const chain = addressFromString(c.address);
    // Every member activated the chain with its own committee index.
    for (const t of tabs) expect(t.node.chains().map(addressToString)).toContain(c.address);

    const list = await cli('chain', 'list');
    expect(list.out).toEqual([expect.stringMatching(new RegExp(`^\\* ${c.address}\\s+N=4 T=3\\s+t1,t2,t3,t4\\s+"cli test chain"$`))]);

    const wasm = join(process.cwd(), 'contracts/build/counter.wasm');
    const dc = await cli('chain', 'deploy-contract', 'counter', wasm);
    expect(dc.err).toEqual([]);
    expect(dc.out.at(-1)).toMatch(/contract 'counter' deployed in block #\d+: hname [0-9a-f]{8}/);

    const p1 = await cli('chain', 'post-request', 'counter', 'increment', '--no-wait');
    expect(p1.err).toEqual([]);
    expect(p1.out).toEqual([expect.stringMatching(/^request \[0\]\w+ confirmed on L1: counter.increment$/)]);
    const p2 = await cli('chain', 'post-request', 'counter', 'increment');
    expect(p2.err).toEqual([]);
    expect(p2.out.at(-1)).toMatch(/^processed in block #\d+ \(gas \d+\)$/);

    // Sequential runs are one node to the tabs: the identity kept next to the wallet (one peer 'cli', same node ID).
    const kept = JSON.parse(readFileSync(join(dir, '.iscp-node.json'), 'utf8')) as { seed: string };
    expect(kept.seed).toMatch(/^[0-9a-f]{64}$/);
    for (const t of tabs) expect(t.peers().filter((p) => p.name === 'cli').map((p) => p.nodeId)).toEqual([nodeIdOf(fromHex(kept.seed))]);

    // The first request may land in a later block than the second: wait on the members, then read through the CLI.
    const deadline = Date.now() + 30_000;
    const counterOn = (t: NodeHost): bigint => {
      try {
        const v = t.node.callView(chain, 'counter', 'getCounter').get('counter');
        return v ? decU64(v) : 0n;
      } catch {
        return -1n;
      }
    };
    while (!tabs.every((t) => counterOn(t) === 2n) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(tabs.map(counterOn)).toEqual([2n, 2n, 2n, 2n]);
    // Reads are independent: four CLI runs at once, each its own access node syncing from the members.
    const wallet = (await cli('wallet', 'address')).out[0] as string;
    const [view, info, lc, bal, accounts] = await Promise.all([
      cli('chain', 'call-view', 'counter', 'getCounter'),
      cli('chain', 'info'),
      cli('chain', 'list-contracts'),
      cli('chain', 'balance', wallet),
      cli('chain', 'list-accounts'),
    ]);
    expect(view.err).toEqual([]);
    expect(view.out).toEqual(['counter: 2']);

    expect(info.err).toEqual([]);
    expect(info.out[0]).toBe(`chain       ${c.address}`);
    expect(info.out).toContain('description cli test chain');
    expect(info.out).toContain(`owner       A/${wallet}`); // the deployer owns the chain
    // Each member's link as this run saw it (the sync needs only one; the others may still be coming up).
    const committeeLine = info.out.find((l) => l.startsWith('committee')) ?? '';
    expect(committeeLine).toMatch(/^committee {3}N=4 T=3: t1 \(\w{8}\) (up|down), t2 \(\w{8}\) (up|down), t3 \(\w{8}\) (up|down), t4 \(\w{8}\) (up|down)$/);
    expect(committeeLine).toMatch(/ up/);
    expect(info.out.find((l) => l.startsWith('contracts'))).toMatch(/counter/);

    expect(lc.out.some((l) => /^\s+counter\s+[0-9a-f]{8}\s+wasm/.test(l))).toBe(true);
    expect(lc.out.some((l) => /^\s+root\s/.test(l))).toBe(true);

    // accounts.balance of the owner's on-chain account (a valid agent; what it holds depends on fees).
    expect(bal.err).toEqual([]);
    expect(bal.out[0]).toBe(`account A/${wallet}:`);
    expect(accounts.err).toEqual([]);
    expect(accounts.out[0]).toMatch(/^\d+ accounts:$/);
    expect(accounts.out.slice(1).every((l) => /^ {2}[AC]\//.test(l))).toBe(true);
  });

  it('a chain made elsewhere is used by its ID alone: the CLI learns its record from the nodes that run it', { timeout: 120_000 }, async () => {
    const c = loadChains(join(dir, 'chains.json')).chains[0];
    if (!c) throw new Error('the first test deploys the chain');
    const other = join(dir, 'other-chains.json');
    const view = await cli('--chains', other, '--chain', c.address, 'chain', 'call-view', 'counter', 'getCounter');
    expect(view.err).toEqual([]);
    expect(view.out[0]).toMatch(/is not in .*other-chains.json: asking the nodes that run it/);
    expect(view.out[1]).toMatch(new RegExp(`^learned chain ${c.address}: N=4 T=3 t1,t2,t3,t4 `));
    expect(view.out.at(-1)).toBe('counter: 2');
    const learned = loadChains(other);
    expect(learned.chains.map((k) => [k.address, k.color, k.committee, k.t])).toEqual([[c.address, c.color, c.committee, c.t]]);
    // Now it is known: the next command asks nobody.
    const again = await cli('--chains', other, '--chain', c.address.slice(0, 12), 'chain', 'call-view', 'counter', 'getCounter');
    expect(again.out).toEqual(['counter: 2']);

    const nowhere = addressToString(addressFromPublicKey(AddressKind.Ed25519, new Uint8Array(32).fill(7)));
    const none = await cli('--chains', other, '--chain', nowhere, 'chain', 'info');
    expect(none.code).toBe(1);
    expect(none.err).toEqual([`error: chain ${nowhere}: L1 holds nothing at that address — no chain was deployed there (check the ID)`]);
  });

  it('governance.maxBatchSize takes effect on the committee: no block holds more; a bigger request transaction is a block of its own', { timeout: 150_000 }, async () => {
    const c = loadChains(join(dir, 'chains.json')).chains[0];
    if (!c) throw new Error('the first test deploys the chain');
    const chain = addressFromString(c.address);
    const set = await cli('chain', 'post-request', 'governance', 'setChainParams', 'maxBatchSize=u32:1');
    expect(set.err).toEqual([]);
    const from = Number((set.out.at(-1)?.match(/^processed in block #(\d+)/) as RegExpMatchArray)[1]);
    const member = tabs[0] as NodeHost;
    const wallets = [41, 42, 43].map((b) => ed25519KeyPairFromSeed(new Uint8Array(32).fill(b)));
    await Promise.all(wallets.map((w) => member.node.requestFunds(w.address)));
    const increment = { target: { chainId: chain, hname: hname('counter') }, entryPoint: hname('increment') };
    // Three one-request transactions at once (one batch each now), then one transaction of three requests.
    const singles = await Promise.all(wallets.map((w) => member.node.postRequest(w, [increment])));
    const triple = await member.node.postRequest(wallets[0] as (typeof wallets)[number], [increment, increment, increment]);
    const ids = [...singles.flatMap((p) => p.requestIds), ...triple.requestIds];
    const deadline = Date.now() + 90_000;
    while (!tabs.every((t) => ids.every((id) => t.node.isRequestProcessed(chain, id))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(tabs.map((t) => ids.filter((id) => t.node.isRequestProcessed(chain, id)).length)).toEqual([6, 6, 6, 6]);
    const blocks = (member.node.snapshot(chain)?.recentBlocks ?? []).filter((b) => b.blockIndex > from);
    expect(blocks.map((b) => b.requests).sort()).toEqual([1, 1, 1, 3]);
    const params = await cli('chain', 'call-view', 'governance', 'getChainParams');
    expect(params.out).toContain('maxBatchSize: 0x01000000');
    // Back to the default for the tests after this one.
    expect((await cli('chain', 'post-request', 'governance', 'setChainParams', 'maxBatchSize=u32:256')).err).toEqual([]);
  });

  it('says in plain words what is wrong', { timeout: 180_000 }, async () => {
    // t5 is heard (presence) but refuses the peering protocol: present, never reachable. Both waits run at once.
    const t5 = await startNodeHost({ hub: await fetchHubInfoFrom(hubUrl), name: 't5' });
    try {
      await t5.net.node.unhandle(PEERING_PROTOCOL);
      const [unknown, short, noContract] = await Promise.all([
        cli('chain', 'deploy', '--committee', 't1,t2,nobody', '--peer-wait-ms', '90000'),
        cli('chain', 'deploy', '--committee', 't1,t2,t5', '--quorum', '3', '--peer-wait-ms', '10000'),
        cli('chain', 'call-view', 'nosuch', 'getX'),
      ]);
      expect(noContract.code).toBe(1);
      expect(noContract.err).toEqual([expect.stringMatching(/^error: no contract 'nosuch' on chain \w+…; its contracts: accounts, .*counter, .*root/)]);
      expect(unknown.code).toBe(1);
      expect(unknown.err[0]).toMatch(/^error: unknown node name nobody: online now: .*t1/);
      expect(short.code).toBe(1);
      // t5 is never reachable; t1/t2 normally are within the wait (on a loaded machine one may still be coming up).
      expect(short.err[0]).toMatch(/^error: not enough members online: [0-2] of 3 reachable \(not: (t1, )?(t2, )?t5\); quorum 3 needs at least 3$/);
    } finally {
      await t5.stop();
    }

    // Names are checked against the synced chain before anything is paid, and the message lists what exists.
    const balanceBefore = (await cli('wallet', 'balance')).out;
    const [noTarget, typo, viewAsRequest, requestAsView, takenName] = await Promise.all([
      cli('chain', 'post-request', 'nosuch', 'increment'),
      cli('chain', 'post-request', 'counter', 'incremnt'),
      cli('chain', 'post-request', 'counter', 'getCounter'),
      cli('chain', 'call-view', 'counter', 'increment'),
      cli('chain', 'deploy-contract', 'counter', join(process.cwd(), 'contracts/build/counter.wasm')),
    ]);
    expect(noTarget.err).toEqual([expect.stringMatching(/^error: no contract 'nosuch' on chain \w+…; its contracts: accounts, .*counter, .*root$/)]);
    expect(typo.err).toEqual([expect.stringMatching(/^error: contract 'counter' has no entry point 'incremnt'; its entry points: .*increment.*; its views: .*getCounter/)]);
    expect(viewAsRequest.err).toEqual([expect.stringMatching(/^error: 'counter.getCounter' is a view: read it with `iscp chain call-view counter getCounter`/)]);
    expect(requestAsView.err).toEqual([expect.stringMatching(/^error: 'counter.increment' is a full entry point: post it with `iscp chain post-request counter increment`/)]);
    expect(takenName.err).toEqual([expect.stringMatching(/^error: chain \w+… already has a contract 'counter': pick another name$/)]);
    for (const r of [noTarget, typo, viewAsRequest, requestAsView, takenName]) expect(r.code).toBe(1);
    expect((await cli('wallet', 'balance')).out).toEqual(balanceBefore);
    // One contract-name rule everywhere: root, the dashboard and the CLI all take a hyphenated name.
    const hyphen = await cli('chain', 'deploy-contract', 'escrow-auction', join(process.cwd(), 'contracts/build/counter.wasm'));
    expect(hyphen.err).toEqual([]);
    expect(hyphen.out.at(-1)).toMatch(/contract 'escrow-auction' deployed in block #\d+/);

    const badKv = await cli('chain', 'call-view', 'counter', 'getCounter', 'novalue');
    expect(badKv.code).toBe(1);
    expect(badKv.err[0]).toMatch(/'novalue' is not key=value/);
    const badU64 = await cli('chain', 'post-request', 'counter', 'increment', 'n=u64:-1');
    expect(badU64.err[0]).toMatch(/bad key=value 'n=u64:-1'/);

    const badQuorum = await cli('chain', 'deploy', '--committee', 't1,t2,t3,t4', '--quorum', '2');
    expect(badQuorum.err[0]).toMatch(/quorum T = 2 must satisfy N\/2 < T ≤ N/);
    const dup = await cli('chain', 'deploy', '--committee', 't1,t1');
    expect(dup.err[0]).toMatch(/'t1' is listed twice/);

    const noHub: string[] = [];
    expect(await runCli(['--hub', 'http://127.0.0.1:1', '--chains', join(dir, 'chains.json'), 'chain', 'info'], () => undefined, (l) => noHub.push(l))).toBe(1);
    expect(noHub[0]).toMatch(/^error: cannot reach the hub at http:\/\/127.0.0.1:1/);

    const noChain = await cli('--chains', join(dir, 'none.json'), 'chain', 'info');
    expect(noChain.err[0]).toMatch(/no chain known in .*none.json/);
    const sub = await cli('chain', 'frobnicate');
    expect(sub.err[0]).toMatch(/unknown chain subcommand 'frobnicate'/);
  });
});
