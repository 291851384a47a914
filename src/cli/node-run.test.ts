import '../hub/polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub, type Hub } from '../hub/hub';
import { lastBlock, NodeProcess } from '../../test/node-process';
import { parseHubArgs } from '../hub/config';

/**
 * `iscp node run` end to end, every part a real process started the way a user starts it: four headless nodes
 * (`node bin/iscp.mjs node run --name hN --hub URL --data DIR`) form a committee through the hub's relay; the
 * CLI (`node bin/iscp.mjs chain …`, each command its own process) deploys a chain on them, deploys the counter
 * and posts requests. One node is SIGKILLed (no chance to close anything), the other three go on; restarted on
 * the same data folder it is the same node, re-activates the chain from its registry, resumes from its block log
 * and catches up to the others' block and state hash. Conditions are waited for (with deadlines), never slept.
 */
const BIN = fileURLToPath(new URL('../../bin/iscp.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const COUNTER_WASM = join(REPO, 'contracts/build/counter.wasm');

let hub: Hub;
let hubUrl: string;
let dir: string;

/** One CLI command as its own process, as a user types it. */
function iscp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, '--hub', hubUrl, '--wallet', join(dir, 'wallet.json'), '--chains', join(dir, 'chains.json'), ...args], { cwd: REPO, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const nodes = new Map<string, NodeProcess>();
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iscp-node-run-'));
  const cfg = { ...parseHubArgs(['--port', '0', '--ws-port', '0', '--memory', '--confirm-delay-ms', '20'], {}), distDir: '/nonexistent' };
  hub = await startHub(cfg, () => undefined);
  hubUrl = `http://127.0.0.1:${hub.httpPort}`;
});

afterAll(async () => {
  for (const p of nodes.values()) p.kill('SIGKILL');
  await Promise.all([...nodes.values()].map((p) => p.exited));
  await hub?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('iscp node run: a committee of four headless node processes', () => {
  it('deploys a chain on them, goes on with 3 of 4 after a SIGKILL, and the restarted node catches up', { timeout: 300_000 }, async () => {
    const t0 = Date.now();
    for (const name of ['h1', 'h2', 'h3', 'h4']) nodes.set(name, new NodeProcess(name, hubUrl, dir));
    const node = (n: string): NodeProcess => nodes.get(n) as NodeProcess;
    const ready = await Promise.all([...nodes.values()].map((p) => p.waitFor(/^node (h\d) ready: node ID ([0-9a-f]{64}), hub (\S+), data (\S+), 0 chains restored$/, 60_000)));
    const ids = ready.map((m) => m[2] as string);
    const tReady = Date.now();

    expect((await iscp('wallet', 'new')).code).toBe(0);
    expect((await iscp('request-funds')).stderr).toBe('');
    const tFunded = Date.now();
    const deploy = await iscp('chain', 'deploy', '--committee', 'h1,h2,h3,h4', '--quorum', '3', '--peer-wait-ms', '60000');
    expect(deploy.stderr).toBe('');
    expect(deploy.stdout).toMatch(/block #1 committed/);
    const address = (deploy.stdout.match(/^chain (\w+) deployed/m) as RegExpMatchArray)[1] as string;
    // Each member took part in the setup and activated the chain with its own index, then committed block #1.
    for (const [i, name] of ['h1', 'h2', 'h3', 'h4'].entries()) {
      await node(name).waitFor(new RegExp(`^chain ${address.slice(0, 10)}…: Chain activated on this node \\(member ${i} of 4, quorum 3\\)`), 30_000);
      await node(name).waitFor(/^chain \S+ block #1 state [0-9a-f]{16}$/, 30_000);
    }
    const tDeployed = Date.now();

    const dc = await iscp('chain', 'deploy-contract', 'counter', COUNTER_WASM);
    expect(dc.stderr).toBe('');
    const p1 = await iscp('chain', 'post-request', 'counter', 'increment');
    expect(p1.stderr).toBe('');
    expect(p1.stdout).toMatch(/processed in block #\d+/);

    // SIGKILL: no close, no lock release; the block logs are whatever the last fsync left.
    const h4 = node('h4');
    const [killedAt] = lastBlock(h4) ?? [0];
    h4.kill('SIGKILL');
    await h4.exited;
    const p2 = await iscp('chain', 'post-request', 'counter', 'increment', '--no-wait');
    expect(p2.stderr).toBe('');
    const p3 = await iscp('chain', 'post-request', 'counter', 'increment');
    expect(p3.stderr).toBe('');
    expect((await iscp('chain', 'call-view', 'counter', 'getCounter')).stdout).toBe('counter: 3\n');
    // The three others agree on the head.
    const heads = ['h1', 'h2', 'h3'].map((n) => lastBlock(node(n)));
    const top = Math.max(...heads.map((h) => h?.[0] ?? 0));
    for (const n of ['h1', 'h2', 'h3']) await node(n).waitFor(new RegExp(`^chain \\S+ block #${top}\\b`), 20_000);
    const topHash = (lastBlock(node('h1')) as [number, string])[1];
    expect(top).toBeGreaterThan(killedAt);

    // Restart on the same data folder: same node ID, the chain re-activated from the registry at the block its log
    // holds, then caught up from the committee to the same block and state hash.
    const tRestart = Date.now();
    const again = new NodeProcess('h4', hubUrl, dir);
    nodes.set('h4', again);
    const r = await again.waitFor(/^node h4 ready: node ID ([0-9a-f]{64}), .* 1 chain restored$/, 60_000);
    expect(r[1]).toBe(ids[3]);
    const restoredAt = Number((await again.waitFor(/^chain \S+: restored from \S+ at block #(\d+) \(member 3 of 4, quorum 3\)$/, 30_000))[1]);
    expect(restoredAt).toBeGreaterThanOrEqual(killedAt);
    await again.waitFor(new RegExp(`^chain \\S+ block #${top}(?: \\(from #\\d+\\))? state ${topHash}$`), 60_000);
    const tCaughtUp = Date.now();
    expect(again.lines.filter((l) => l.includes('Stored state refused'))).toEqual([]);

    // A fifth node follows the chain by its ID alone, as an access node: it learns the committee from the members,
    // syncs every block (checked against L1) and reaches the same block and state hash.
    const follower = new NodeProcess('a1', hubUrl, dir, ['--follow', address]);
    nodes.set('a1', follower);
    await follower.waitFor(/^node a1 ready: /, 60_000);
    await follower.waitFor(new RegExp(`^chain ${address.slice(0, 10)}…: following as an access node \\(committee N=4 T=3: h1, h2, h3, h4\\)$`), 60_000);
    await follower.waitFor(new RegExp(`^chain \\S+ block #${top}(?: \\(from #\\d+\\))? state ${topHash}$`), 60_000);

    // SIGINT stops it cleanly: exit 0, lock released, the log intact for the next start.
    again.kill('SIGINT');
    expect(await again.exited).toBe(0);
    expect(again.lines).toContain('SIGINT: stopping node h4');
    expect(existsSync(join(dir, 'h4', 'node-identity.json.lock'))).toBe(false);
    expect(readdirSync(join(dir, 'h4', 'chains')).filter((f) => f.endsWith('.blocks'))).toHaveLength(1);
    console.log(`node-run e2e: ready ${tReady - t0} ms, funded +${tFunded - tReady} ms, deployed +${tDeployed - tFunded} ms; restart → caught up to #${top} in ${tCaughtUp - tRestart} ms; total ${Date.now() - t0} ms`);
  });
});
