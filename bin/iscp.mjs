#!/usr/bin/env node
// `npx iscp ...` from the repo: runs src/cli/main.ts through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
