import '../src/hub/polyfill';
import { balancesOf, COLOR_IOTA, type ValueTransaction } from '../src/protocol/index';
import { SeededRng } from '../src/protocol/rng';
import { ed25519KeyPairFromSeed, signTransaction } from '../src/crypto/ed25519';
import { Ledger, GENESIS_TX_ID } from '../src/ledger/ledger';
import { createSignatureVerifier, rejectAllBls, type Ed25519Impl } from '../src/crypto/verifier';
import { transactionId as txIdOf } from '../src/protocol/transaction';
import type { BenchResult } from './types';

/**
 * Validated transactions per second: signed 1-input / 2-output transfers, each spending the previous one's
 * change (a chain of N), submitted to a fresh ledger. Signing happens before timing; the timed part is
 * decode-free validation + booking, dominated by one ed25519 verification per transaction.
 */
const N = 600;

function buildChain(): { genesis: { address: ValueTransaction['outputs'][number]['address']; iotas: bigint }; txs: ValueTransaction[] } {
  const rng = new SeededRng(2024);
  const kp = ed25519KeyPairFromSeed(rng.bytes(32));
  const dest = ed25519KeyPairFromSeed(rng.bytes(32)).address;
  let input = { txId: GENESIS_TX_ID, address: kp.address };
  let left = 10_000_000n;
  const txs: ValueTransaction[] = [];
  for (let i = 0; i < N; i++) {
    left -= 1n;
    const tx = signTransaction({ inputs: [input], outputs: [{ address: dest, balances: balancesOf([[COLOR_IOTA, 1n]]) }, { address: kp.address, balances: balancesOf([[COLOR_IOTA, left]]) }], dataPayload: new Uint8Array() }, [kp]);
    txs.push(tx);
    // The change output's tx ID is only known once signed.
    input = { txId: txIdOf(tx), address: kp.address };
  }
  return { genesis: { address: kp.address, iotas: 10_000_000n }, txs };
}


function run(impl: Ed25519Impl, chain: ReturnType<typeof buildChain>): number {
  const ledger = new Ledger({
    verifier: createSignatureVerifier({ ed25519Impl: impl, bls: rejectAllBls }),
    confirmDelayMs: 0,
    genesis: [{ address: chain.genesis.address, balances: balancesOf([[COLOR_IOTA, chain.genesis.iotas]]) }],
  });
  const t0 = performance.now();
  for (const [i, tx] of chain.txs.entries()) {
    const r = ledger.submit(tx, i);
    if (r.state !== 'booked') throw new Error(`bench tx ${i} not booked: ${r.state === 'rejected' ? r.reason : r.state}`);
  }
  ledger.tick(N);
  return N / ((performance.now() - t0) / 1000);
}

export default async function (): Promise<BenchResult[]> {
  const chain = buildChain();
  run('node', chain); // warm-up
  const node = Math.max(run('node', chain), run('node', chain));
  const noble = Math.max(run('noble', chain), run('noble', chain));
  const parameters = { transactions: N, shape: '1 input, 2 outputs, ed25519', confirmDelayMs: 0 };
  return [
    { name: 'validated tx/s (node:crypto ed25519)', value: node, unit: 'tx/s', parameters },
    { name: 'validated tx/s (@noble ed25519)', value: noble, unit: 'tx/s', parameters },
    { name: 'node:crypto / noble', value: node / noble, unit: 'ratio', parameters },
  ];
}
