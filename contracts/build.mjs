// Builds every contracts/examples/*.ts to contracts/build/<name>.wasm with the AssemblyScript compiler's JS API.
// Flags chosen for determinism and the VM policy: stub runtime (no GC; each call gets a fresh instance),
// no floats in our code, aborts routed to the ISCP panic, no WASI, no exported runtime, memory exported.
import asc from 'assemblyscript/asc';
import { readdirSync, mkdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const only = process.argv.slice(2);
const examples = readdirSync(join(here, 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => basename(f, '.ts'))
  .filter((n) => only.filter((a) => !a.startsWith('--')).length === 0 || only.includes(n))
  .sort();
mkdirSync(join(here, 'build'), { recursive: true });

// Incremental: an output newer than its example and every SDK file is up to date (`--force` rebuilds all).
const force = process.argv.includes('--force');
const sdkMtime = Math.max(...readdirSync(join(here, 'sdk')).map((f) => statSync(join(here, 'sdk', f)).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);
const upToDate = (name) => {
  const out = join(here, 'build', `${name}.wasm`);
  if (force || !existsSync(out)) return false;
  const t = statSync(out).mtimeMs;
  return t > sdkMtime && t > statSync(join(here, 'examples', `${name}.ts`)).mtimeMs;
};

let failed = 0;
for (const name of examples) {
  if (upToDate(name)) {
    console.log(`= ${name} (up to date)`);
    continue;
  }
  const t0 = Date.now();
  const { error, stderr } = await asc.main(
    [
      `contracts/examples/${name}.ts`,
      '--outFile', `contracts/build/${name}.wasm`,
      '--runtime', 'stub',
      '--optimizeLevel', '2',
      '--shrinkLevel', '1',
      '--noAssert',
      '--use', 'abort=contracts/sdk/index/iscpAbort',
      '--disable', 'mutable-globals',
      '--disable', 'sign-extension',
      '--disable', 'nontrapping-f2i',
      '--disable', 'bulk-memory',
      '--disable', 'reference-types',
      '--disable', 'simd',
      '--disable', 'threads',
      '--disable', 'gc',
      '--disable', 'exception-handling',
      '--disable', 'tail-calls',
      '--disable', 'multi-value',
      '--disable', 'relaxed-simd',
      '--disable', 'extended-const',
      '--disable', 'stringref',
    ],
    { stdout: process.stdout, stderr: process.stderr, baseDir: root },
  );
  if (error) {
    failed++;
    console.error(`✗ ${name}: ${error.message}\n${stderr.toString()}`);
  } else {
    console.log(`✓ ${name} (${Date.now() - t0} ms)`);
  }
}
if (failed > 0) process.exit(1);
