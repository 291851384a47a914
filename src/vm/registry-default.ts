import { ProcessorRegistry } from './processor';
import { CORE_CONTRACTS } from './core/index';

/** A registry with the core contracts (and the wasm VM type once wired). Built once; it only caches. */
let shared: ProcessorRegistry | undefined;

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

import type { VMType } from './processor';
const extraVMTypes: VMType[] = [];
/** Lets the wasm processor module add itself without a cycle. */
export function registerDefaultVMType(t: VMType): void {
  extraVMTypes.push(t);
  shared?.registerVMType(t);
}
