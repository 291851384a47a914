// Builds every contracts/examples/*.ts to contracts/build/<name>.wasm (`npm run build:contracts [name…] [--force]`)
// through the same builder as `iscp contract build` (src/cli/contract-build.ts): the examples are built the way
// a contract author's own file is, SDK import by package name included.
import { readdirSync, mkdirSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildContract } from '../src/cli/contract-build';
import { CliError } from '../src/cli/errors';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const force = args.includes('--force');
const examples = readdirSync(join(here, 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => basename(f, '.ts'))
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();
mkdirSync(join(here, 'build'), { recursive: true });

// Incremental: an output newer than its example, every SDK file and the builder is up to date.
const inputs = [...readdirSync(join(here, 'sdk')).map((f) => join(here, 'sdk', f)), fileURLToPath(import.meta.url), join(here, '../src/cli/contract-build.ts')];
const toolMtime = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
const upToDate = (name: string): boolean => {
  const out = join(here, 'build', `${name}.wasm`);
  if (force || !existsSync(out)) return false;
  const t = statSync(out).mtimeMs;
  return t > toolMtime && t > statSync(join(here, 'examples', `${name}.ts`)).mtimeMs;
};

let failed = 0;
for (const name of examples) {
  if (upToDate(name)) {
    console.log(`= ${name} (up to date)`);
    continue;
  }
  const t0 = performance.now();
  try {
    const built = await buildContract(join(here, 'examples', `${name}.ts`));
    writeFileSync(join(here, 'build', `${name}.wasm`), built.wasm);
    console.log(`✓ ${name} (${Math.round(performance.now() - t0)} ms, ${built.wasm.length} bytes)`);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    failed++;
    console.error(`✗ ${name}: ${e.message}`);
  }
}
if (failed > 0) process.exit(1);
