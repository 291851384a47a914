#!/usr/bin/env node
// `npx iscp ...` from the repo: runs src/cli/main.ts through tsx (no build step). npx starts this file through a
// symlink (node_modules/.bin/iscp), so the CLI is started explicitly here, not by a check of the script path.
import { register } from 'tsx/esm/api';

register();
const { runAsProcess } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
runAsProcess(process.argv.slice(2));
