import { readFileSync } from 'node:fs';

/** A contract built by `npm run build:contracts` (the .wasm files are committed, so tests need no build step). */
export const contractWasm = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../contracts/build/${name}.wasm`, import.meta.url)));
