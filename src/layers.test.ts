import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The layer rules (.dependency-cruiser.cjs) hold on the tree, and a planted upward import fails them by name. */
const cruise = (...files: string[]): { code: number; out: string } => {
  try {
    return { code: 0, out: execFileSync('npx', ['depcruise', ...files, '--config', '.dependency-cruiser.cjs', '--output-type', 'err-long'], { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (e) {
    const x = e as { status: number; stdout: string };
    return { code: x.status, out: x.stdout };
  }
};

describe('layer rules (dependency-cruiser)', () => {
  it('a state module importing the node layer fails with the rule and what the layer may import', { timeout: 60_000 }, () => {
    const planted = 'src/state/planted-upward-import.ts';
    writeFileSync(planted, "import { createNode } from '../node/node';\nexport const planted = createNode;\n");
    try {
      const r = cruise(planted);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('layer-state');
      expect(r.out).toContain('src/state may import only src/protocol');
    } finally {
      rmSync(planted, { force: true });
    }
  });
});
