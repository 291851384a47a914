import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import type { Libp2p } from 'libp2p';
import { fromHex, toHex } from '../protocol/bytes';
import { cryptoRng } from '../protocol/rng';
import { ed25519KeyPairFromSeed, type Ed25519KeyPair } from '../crypto/ed25519';
import { connectNodeConn, type NodeConnConnection } from '../nodeconn/libp2p';
import { createNodeConnClientNode } from '../nodeconn/client-node';
import { fetchHubInfoFrom, HubUnreachableError, NODE_NET_LIMITS, preferHubHost } from '../net/node-net';
import { startNodeHost, type NodeHost } from './node-host';
import { acquireNodeIdentity, type CliNodeIdentity } from './node-identity';
import { dirname, join } from 'node:path';

import { CliError, UsageError } from './errors';

export { CliError, UsageError };

export interface CliContext {
  readonly walletFile: string;
  readonly hubUrl: string;
  /** Chains known to this CLI (see chains-file.ts). */
  readonly chainsFile: string;
  /** `--chain ADDRESS`: the chain a `chain …` command acts on (default: the file's default chain). */
  readonly chainFlag: string | undefined;
  /** The CLI node's identity file (node-identity.ts). */
  readonly nodeIdentityFile: string;
  readonly out: (line: string) => void;
  /**
   * A whole node in this process (src/cli/node-host.ts), started on first use and stopped by main: peering with
   * the tabs through the hub's relay, L1 through the hub's nodeconn.
   */
  nodeHost(): Promise<NodeHost>;
  /** Opens the nodeconn connection on first use; closed by main when the command ends. */
  hub(): Promise<NodeConnConnection>;
  loadWallet(): Ed25519KeyPair;
  saveWallet(seed: Uint8Array, force: boolean): Ed25519KeyPair;
  close(): Promise<void>;
}

export interface Command {
  readonly name: string;
  readonly usage: string;
  /** Usage for `iscp NAME … --help` when it depends on the subcommand (default: `usage`). */
  helpFor?(args: readonly string[]): string;
  run(args: readonly string[], ctx: CliContext): Promise<void>;
}

export interface ContextOptions {
  readonly walletFile: string;
  readonly hubUrl: string;
  readonly chainsFile: string;
  readonly chainFlag?: string | undefined;
  /** Default: `.iscp-node.json` next to the wallet file. */
  readonly nodeIdentityFile?: string | undefined;
  readonly out: (l: string) => void;
}

export function createContext(o: ContextOptions): CliContext {
  const { walletFile, hubUrl, out } = o;
  let node: Libp2p | undefined;
  let conn: NodeConnConnection | undefined;
  let host: Promise<NodeHost> | undefined;
  let identity: CliNodeIdentity | undefined;
  const nodeIdentityFile = o.nodeIdentityFile ?? join(dirname(walletFile), '.iscp-node.json');
  return {
    nodeIdentityFile,
    walletFile,
    hubUrl,
    chainsFile: o.chainsFile,
    chainFlag: o.chainFlag,
    out,
    nodeHost() {
      host ??= (async () => {
        let info;
        try {
          info = await fetchHubInfoFrom(hubUrl);
        } catch (e) {
          throw e instanceof HubUnreachableError ? new CliError(e.message) : e;
        }
        // The CLI initiates and reads; it holds no key share. Its identity is kept across runs (node-identity.ts).
        identity = await acquireNodeIdentity(nodeIdentityFile);
        const name = identity.persistent ? 'cli' : `cli-${process.pid}-${toHex(cryptoRng.bytes(2))}`;
        try {
          return await startNodeHost({ hub: info, name, secretKey: identity.secretKey, peerKey: identity.peerKey });
        } catch (e) {
          throw e instanceof HubUnreachableError ? new CliError(e.message) : e;
        }
      })();
      return host;
    },
    async hub() {
      if (conn) return conn;
      let info: { multiaddrs?: string[] };
      try {
        const res = await fetch(new URL('/api/hub', hubUrl), { signal: AbortSignal.timeout(5000) });
        info = (await res.json()) as { multiaddrs?: string[] };
      } catch (e) {
        throw new CliError(`cannot reach the hub at ${hubUrl} (${(e as Error).message}); start it with \`npm run hub\` or pass --hub URL`);
      }
      const addr = preferHubHost(info.multiaddrs ?? [], hubUrl)[0];
      if (!addr) throw new CliError(`${hubUrl}/api/hub lists no multiaddr`);
      node = await createNodeConnClientNode();
      // A few tries: the hub caps new connections per second per host (see NODE_NET_LIMITS.hubDialAttempts).
      for (let attempt = 1; !conn; attempt++) {
        try {
          conn = await connectNodeConn(node, addr);
        } catch (e) {
          if (attempt >= NODE_NET_LIMITS.hubDialAttempts) throw new CliError(`cannot open a libp2p connection to the hub at ${addr}: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, NODE_NET_LIMITS.hubDialRetryMs));
        }
      }
      conn.setId('iscp-cli');
      return conn;
    },
    loadWallet() {
      if (!existsSync(walletFile)) throw new CliError(`no wallet at ${walletFile}: run \`iscp wallet new\` first (or pass --wallet FILE)`);
      let seedHex: unknown;
      try {
        seedHex = (JSON.parse(readFileSync(walletFile, 'utf8')) as { seed?: unknown }).seed;
      } catch (e) {
        throw new CliError(`wallet file ${walletFile} is not valid JSON: ${(e as Error).message}`);
      }
      if (typeof seedHex !== 'string' || !/^[0-9a-f]{64}$/.test(seedHex)) throw new CliError(`wallet file ${walletFile} has no 32-byte hex "seed"`);
      return ed25519KeyPairFromSeed(fromHex(seedHex));
    },
    saveWallet(seed, force) {
      if (existsSync(walletFile) && !force) throw new CliError(`${walletFile} exists; pass --force to replace it (its funds become unreachable)`);
      writeFileSync(`${walletFile}.tmp`, JSON.stringify({ seed: toHex(seed) }, null, 2) + '\n', { mode: 0o600 });
      renameSync(`${walletFile}.tmp`, walletFile);
      return ed25519KeyPairFromSeed(seed);
    },
    async close() {
      if (host) await (await host.catch(() => undefined))?.stop().catch(() => undefined);
      identity?.release();
      await conn?.close().catch(() => undefined);
      if (node) await Promise.resolve(node.stop()).catch(() => undefined);
    },
  };
}
