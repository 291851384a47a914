import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hname, hnameToString } from '../../protocol';
import { CORE, CORE_CONTRACTS, EP, P } from './index';

/**
 * docs/contracts.md must not fall behind the code: every core contract and entry point is documented under its
 * contract's section with the right kind and hname, every hname and `$$key$$` the doc prints is real, and the
 * SDK table names every export of contracts/sdk/index.ts.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const DOC = readFileSync(join(ROOT, 'docs/contracts.md'), 'utf8');
const SDK = readFileSync(join(ROOT, 'contracts/sdk/index.ts'), 'utf8');

/** The text between a `## N.` heading and the next `## ` heading. */
function section(prefix: string): string {
  const start = DOC.indexOf(`\n## ${prefix}`);
  expect(start, `docs/contracts.md has no section '## ${prefix}'`).toBeGreaterThanOrEqual(0);
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
}

interface DocContract {
  readonly hname: string;
  readonly eps: Map<string, { kind: 'full' | 'view'; hname: string }>;
}

/** `### \`name\` — hname \`xxxxxxxx\`` sections with their `#### \`ep\` — full entry point|view, hname \`xxxxxxxx\`` headings. */
function documentedContracts(): Map<string, DocContract> {
  const out = new Map<string, DocContract>();
  let cur: DocContract | undefined;
  for (const line of section('4.').split('\n')) {
    const c = /^### `(\w+)` — hname `([0-9a-f]{8})`$/.exec(line);
    if (c) {
      expect(out.has(c[1] as string), `contract ${c[1]} documented twice`).toBe(false);
      cur = { hname: c[2] as string, eps: new Map() };
      out.set(c[1] as string, cur);
      continue;
    }
    if (line.startsWith('### ')) throw new Error(`contract heading not in the form "### \`name\` — hname \`xxxxxxxx\`": ${line}`);
    const e = /^#### `(\w+)` — (full entry point|view), hname `([0-9a-f]{8})`$/.exec(line);
    if (e) {
      expect(cur, `entry point heading before any contract: ${line}`).toBeDefined();
      expect(cur?.eps.has(e[1] as string), `entry point ${e[1]} documented twice`).toBe(false);
      cur?.eps.set(e[1] as string, { kind: e[2] === 'view' ? 'view' : 'full', hname: e[3] as string });
      continue;
    }
    if (line.startsWith('#### ')) throw new Error(`entry point heading not in the form "#### \`ep\` — full entry point|view, hname \`xxxxxxxx\`": ${line}`);
  }
  return out;
}

const hex = (name: string): string => hnameToString(hname(name));

describe('docs/contracts.md', () => {
  const docs = documentedContracts();

  it('documents every core contract and exactly its entry points, with kind and hname', () => {
    expect([...docs.keys()].sort()).toEqual(Object.values(CORE).sort());
    for (const proc of CORE_CONTRACTS) {
      const d = docs.get(proc.name);
      expect(d, `no section for ${proc.name}`).toBeDefined();
      if (!d) continue;
      expect(d.hname, `hname of ${proc.name}`).toBe(hex(proc.name));
      const code = proc.entryPoints().map((e) => e.name).sort();
      expect([...d.eps.keys()].sort(), `entry points of ${proc.name}`).toEqual(code);
      for (const ep of proc.entryPoints()) {
        const doc = d.eps.get(ep.name);
        expect(doc?.kind, `${proc.name}.${ep.name} kind`).toBe(ep.isView ? 'view' : 'full');
        expect(doc?.hname, `${proc.name}.${ep.name} hname`).toBe(hex(ep.name));
      }
    }
  });

  it('names every entry point of EP under its contract', () => {
    for (const [contract, eps] of Object.entries(EP)) {
      if (typeof eps === 'string') continue; // EP.init: checked through the processors that have it
      const d = docs.get(contract);
      for (const name of Object.values(eps)) expect(d?.eps.has(name), `${contract}.${name} missing`).toBe(true);
    }
    expect(docs.get(CORE.root)?.eps.has(EP.init)).toBe(true);
  });

  it('has a summary table that matches the headings and the hnames', () => {
    const rows = [...section('4.').matchAll(/^\| `(\w+)` \| (?:`(\w+)`|\(contract\)) \| (full|view|) \| `([0-9a-f]{8})` \|$/gm)];
    const seen = new Set<string>();
    for (const [, contract, ep, kind, h] of rows) {
      const d = docs.get(contract as string);
      expect(d, `summary row for unknown contract ${contract}`).toBeDefined();
      if (ep === undefined) {
        expect(h, `summary hname of ${contract}`).toBe(hex(contract as string));
        continue;
      }
      expect(h, `summary hname of ${contract}.${ep}`).toBe(hex(ep));
      expect(kind, `summary kind of ${contract}.${ep}`).toBe(d?.eps.get(ep)?.kind);
      seen.add(`${contract}.${ep}`);
    }
    const all = [...docs].flatMap(([c, d]) => [...d.eps.keys()].map((e) => `${c}.${e}`));
    expect([...seen].sort()).toEqual(all.sort());
  });

  it('prints only real hnames and parameter keys', () => {
    const names = [EP.init, ...Object.values(CORE), ...Object.values(EP).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
    const known = new Set(names.map(hex));
    for (const [, h] of DOC.matchAll(/`([0-9a-f]{8})`/g)) expect(known.has(h as string), `hname ${h} is not the hname of a core name`).toBe(true);
    // CLI examples write hnames as 4 little-endian bytes
    for (const [, le] of DOC.matchAll(/(?:\$\$hname\$\$|contractHname)=hex:([0-9a-f]{8})/g)) {
      const v = new DataView(Uint8Array.from((le as string).match(/../g) ?? [], (b) => parseInt(b, 16)).buffer).getUint32(0, true);
      expect(known.has(hnameToString(v)), `hex:${le} is not a core hname in little-endian`).toBe(true);
    }
    const keys = new Set<string>(Object.values(P));
    for (const [k] of DOC.matchAll(/\$\$\w+\$\$/g)) expect(keys.has(k), `${k} is not a key in P`).toBe(true);
  });

  it('lists every export of the SDK', () => {
    const table = section('2.');
    const spans = [...table.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    const mentioned = (name: string) => spans.some((s) => new RegExp(`^(?:class )?${name.replace('.', '\\.')}\\b`).test(s));
    let ns = '';
    const exports: string[] = [];
    for (const line of SDK.split('\n')) {
      const top = /^export (?:function|class|const|namespace) (\w+)/.exec(line);
      if (top) {
        if (line.startsWith('export namespace')) ns = top[1] as string;
        else exports.push(top[1] as string);
        continue;
      }
      const member = /^ {2}export function (\w+)/.exec(line);
      if (member && ns) exports.push(`${ns}.${member[1]}`);
      if (line === '}') ns = '';
    }
    expect(exports.length).toBeGreaterThan(40);
    for (const e of exports) expect(mentioned(e), `SDK export ${e} is not in the SDK table`).toBe(true);
  });
});
