import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join, dirname } from 'node:path';
import { blake2b256 } from '../../protocol/hash';
import { toHex } from '../../protocol/bytes';
import { buildContract } from '../contract-build';
import { parseArgs } from '../chain-ops';
import { CliError, UsageError, type Command } from '../context';

const USAGE = 'contract build FILE.ts [-o OUT.wasm]   compile an AssemblyScript contract against the ISCP SDK';

/** `iscp contract build`: any AssemblyScript file, anywhere, with the flags and checks the examples get. */
export const contractCommand: Command = {
  name: 'contract',
  usage: USAGE,
  async run(args, ctx) {
    const normalized = args.map((a) => (a === '-o' ? '--out' : a));
    const p = parseArgs(normalized, ['--out'], [], USAGE);
    const [sub, source, ...more] = p.positional;
    if (sub !== 'build' || source === undefined || more.length > 0) throw new UsageError(`usage: iscp ${USAGE}`);
    const out = p.values.get('--out') ?? join(dirname(source), `${basename(source, extname(source))}.wasm`);
    const t0 = performance.now();
    const built = await buildContract(source);
    try {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, built.wasm);
    } catch (e) {
      throw new CliError(`cannot write ${out}: ${(e as Error).message}`);
    }
    const ms = Math.round(performance.now() - t0);
    ctx.out(`${out}: ${built.wasm.length} bytes, blake2b ${toHex(blake2b256(built.wasm))} (${ms} ms)`);
    const eps = built.entryPoints;
    ctx.out(`  entry points: ${eps.filter((e) => !e.isView).map((e) => e.name).join(', ') || '(none)'}`);
    ctx.out(`  views: ${eps.filter((e) => e.isView).map((e) => e.name).join(', ') || '(none)'}`);
  },
};
