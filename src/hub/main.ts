import './polyfill';
import { HubConfigError, parseHubArgs } from './config';
import { HubStartError, startHub } from './hub';
import { LedgerLogCorruptError } from '../ledger/log';
import { FaucetKeyError } from '../ledger/faucetkey';

/** `npx tsx src/hub/main.ts [flags]` — see HUB_USAGE in config.ts. */
async function main(): Promise<void> {
  const config = parseHubArgs(process.argv.slice(2), process.env);
  const hub = await startHub(config);
  const info = hub.info();
  console.log(`hub peer ${info.peerId}`);
  for (const m of info.multiaddrs) console.log(`  libp2p ${m}`);
  console.log(`ledger: ${config.dataDir ? `persisted in ${config.dataDir}` : 'in memory'}, confirmation delay ${config.confirmDelayMs} ms`);
  console.log(`Open http://127.0.0.1:${hub.httpPort} in several tabs`);
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${sig}: stopping hub`);
    hub.stop().then(
      () => process.exit(0),
      (e: Error) => {
        console.error(`error while stopping: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: Error) => {
  // Errors that explain themselves (what is wrong, where, what to do) print without a stack trace.
  if (e instanceof HubConfigError || e instanceof HubStartError || e instanceof LedgerLogCorruptError || e instanceof FaucetKeyError) console.error(e.message);
  else console.error(e);
  process.exit(e instanceof HubConfigError ? 2 : 1);
});
