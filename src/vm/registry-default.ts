import { ProcessorRegistry, type VMType } from './processor';
import { CORE_CONTRACTS } from './core/index';
import { wasmVMType } from './wasm-processor';

/** Core contracts plus the 'wasm' VM type. The registry only caches, so sharing one is safe. */
let shared: ProcessorRegistry | undefined;
const extraVMTypes: VMType[] = [wasmVMType];

export function createRegistry(): ProcessorRegistry {
  const r = new ProcessorRegistry();
  for (const c of CORE_CONTRACTS) r.registerNative(c);
  for (const t of extraVMTypes) r.registerVMType(t);
  return r;
}

export function defaultRegistry(): ProcessorRegistry {
  shared ??= createRegistry();
  return shared;
}
