import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's executable, started as `node bin/iscp.mjs …` (what `npx iscp` runs). */
export const ISCP_BIN = fileURLToPath(new URL('../bin/iscp.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * One `iscp node run` process, started the way a user starts it, with its output kept line by line so tests
 * wait for what it prints (src/cli/node-run.test.ts, e2e/mixed-committee.spec.ts).
 */
export class NodeProcess {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<number | null>;
  constructor(readonly name: string, hubUrl: string, dataRoot: string, extraArgs: readonly string[] = []) {
    this.child = spawn(process.execPath, [ISCP_BIN, '--hub', hubUrl, 'node', 'run', '--name', name, '--data', join(dataRoot, name), ...extraArgs], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    const take = (d: Buffer): void => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const w of [...this.waiters]) w();
    };
    this.child.stdout?.on('data', take);
    this.child.stderr?.on('data', take);
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }
  /** The first line matching `re` (already printed or still to come), or a failure naming what was seen. */
  waitFor(re: RegExp, timeoutMs: number, after = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (const l of this.lines.slice(after)) {
          const m = l.match(re);
          if (m) {
            done();
            resolve(m);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no line matching ${re} within ${timeoutMs} ms; it printed:\n${this.lines.join('\n')}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => void check();
      this.waiters.add(waiter);
      check();
    });
  }
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

const BLOCK_LINE = /^chain \S+ block #(\d+)(?: \(from #\d+\))? state ([0-9a-f]{16})$/;

/** The last block line a node printed: [index, state hash prefix]. */
export function lastBlock(p: NodeProcess): [number, string] | null {
  for (let i = p.lines.length - 1; i >= 0; i--) {
    const m = (p.lines[i] as string).match(BLOCK_LINE);
    if (m) return [Number(m[1]), m[2] as string];
  }
  return null;
}
