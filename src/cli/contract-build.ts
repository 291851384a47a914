import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmVMType } from '../vm/wasm-processor';
import { VMError } from '../vm/errors';
import { CliError } from './errors';

/**
 * Builds one AssemblyScript contract against the ISCP SDK, from any folder: the examples build
 * (contracts/build.ts) and `iscp contract build FILE.ts` both come here, so a contract written outside this
 * repository gets exactly the flags, SDK and checks the examples get.
 *
 * A contract imports the SDK by this package's name (`import { state } from "iscp-browser-committee/sdk"`).
 * AssemblyScript resolves a package import by looking for node_modules/<name>/… upwards from the importing
 * file; the compiler's file reader is ours, so any such lookup is answered from this package's contracts/sdk,
 * wherever the source lives and whether or not the package is installed beside it.
 */
export const SDK_IMPORT = 'iscp-browser-committee/sdk';
const SDK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../contracts/sdk');
const SDK_LOOKUP = /(?:^|[\\/])node_modules[\\/]iscp-browser-committee[\\/]sdk[\\/](.+)$/;

/**
 * Flags chosen for determinism and the VM policy (docs/decisions/vm-host-abi.md): stub runtime (no GC; each call
 * gets a fresh instance), aborts routed to the ISCP panic, no post-MVP features the policy refuses.
 */
const FLAGS = [
  '--runtime', 'stub',
  '--optimizeLevel', '2',
  '--shrinkLevel', '1',
  '--noAssert',
  '--use', `abort=~lib/${SDK_IMPORT}/index/iscpAbort`,
  ...['mutable-globals', 'sign-extension', 'nontrapping-f2i', 'bulk-memory', 'reference-types', 'simd', 'threads', 'gc',
    'exception-handling', 'tail-calls', 'multi-value', 'relaxed-simd', 'extended-const', 'stringref'].flatMap((f) => ['--disable', f]),
];

export interface ContractEntryPoint {
  readonly name: string;
  readonly isView: boolean;
}

export interface BuiltContract {
  readonly wasm: Uint8Array;
  /** What the chain will see at deployment (the VM's own reading of the module). */
  readonly entryPoints: readonly ContractEntryPoint[];
}

/** Compiles `source` (a .ts path) and checks the result the way root.deployContract will. */
export async function buildContract(source: string): Promise<BuiltContract> {
  const file = resolve(source);
  const baseDir = dirname(file);
  let sdkUsed = false;
  let wasm: Uint8Array | undefined;
  const stderr: string[] = [];
  // Loaded on use: the compiler (binaryen included) is megabytes, and every other command starts without it.
  const asc = (await import('assemblyscript/asc')).default;
  const { error } = await asc.main([relative(baseDir, file), '--baseDir', baseDir, '--outFile', 'out.wasm', ...FLAGS], {
    stdout: { write: () => true },
    stderr: { write: (s: string | Uint8Array) => (stderr.push(typeof s === 'string' ? s : new TextDecoder().decode(s)), true) },
    readFile: (name: string, dir: string) => {
      // An asconfig.json beside the source would change the flags: the build must not depend on the folder.
      if (basename(name) === 'asconfig.json') return null;
      const sdk = SDK_LOOKUP.exec(name);
      if (sdk) sdkUsed = true;
      const path = sdk ? join(SDK_DIR, sdk[1] as string) : isAbsolute(name) ? name : join(dir === '.' ? baseDir : resolve(baseDir, dir), name);
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    },
    writeFile: (name: string, contents: string | Uint8Array) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') wasm = contents;
    },
  });
  if (!sdkUsed && error) {
    // The only way the abort alias fails is a program that never loaded the SDK; say that instead of AS111.
    const rest = stderr.join('').split(/\n\n/).filter((d) => !d.includes('AS111') && !/^FAILURE/.test(d.trim()));
    throw new CliError([`${source} does not import the ISCP SDK: add  import { state, params } from "${SDK_IMPORT}"  (the SDK routes AssemblyScript aborts to ISCP panics)`, ...rest].join('\n').trimEnd());
  }
  if (error || !wasm) throw new CliError(`${source} does not compile:\n${stderr.join('').trimEnd()}`);
  return { wasm, entryPoints: checkDeployable(source, wasm) };
}

/** The deploy-time checks (instrumentation against the chain's wasm policy), run before anything is paid. */
function checkDeployable(source: string, wasm: Uint8Array): ContractEntryPoint[] {
  try {
    const processor = wasmVMType.create(wasmVMType.prepare(wasm));
    return processor.entryPoints().map((e) => ({ name: e.name, isView: e.isView })).sort((a, b) => a.name.localeCompare(b.name));
  } catch (e) {
    if (e instanceof VMError) throw new CliError(`${source} compiles but the chain would refuse it: ${e.message}`);
    throw e;
  }
}
