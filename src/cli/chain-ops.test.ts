import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressToString, agentIDToString, AddressKind, addressFromPublicKey } from '../protocol/ids';
import { hname } from '../protocol/hname';
import { decU64 } from '../vm/dict';
import { parseAgent, parseArgs, parseKeyValues, renderKey } from './chain-ops';
import { CHAINS_FILE_MAX, loadChains, rememberChain, saveChains, selectChain, type KnownChain } from './chains-file';
import { CliError } from './context';

const dir = mkdtempSync(join(tmpdir(), 'iscp-chains-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const addr = (b: number): string => addressToString(addressFromPublicKey(AddressKind.BLS, new Uint8Array(96).fill(b)));
const chain = (b: number): KnownChain => ({ address: addr(b), color: addr(b + 100).slice(0, 20), committee: ['ab'.repeat(32)], names: ['n1'], t: 1, description: '', deployedAtMs: b });

describe('key=value parameters', () => {
  it('encodes the dashboard syntax and refuses the rest in plain words', () => {
    const p = parseKeyValues(['n=5', 'name=str:alice', 's=hello', 'd=hex:00ff', 'x=i64:-3', 'eq=str:a=b']);
    expect(decU64(p.n as Uint8Array)).toBe(5n);
    expect(new TextDecoder().decode(p.name)).toBe('alice');
    expect(new TextDecoder().decode(p.s)).toBe('hello');
    expect([...(p.d as Uint8Array)]).toEqual([0, 255]);
    expect(new TextDecoder().decode(p.eq)).toBe('a=b');
    expect(() => parseKeyValues(['novalue'])).toThrow(/'novalue' is not key=value/);
    expect(() => parseKeyValues(['=5'])).toThrow(CliError);
    expect(() => parseKeyValues(['n=u64:-1'])).toThrow(/bad key=value 'n=u64:-1'/);
    expect(() => parseKeyValues(['d=hex:zz'])).toThrow(/is not hex/);
    expect(() => parseKeyValues(['a=1', 'a=2'])).toThrow(/given twice/);
    expect(() => parseKeyValues(Array.from({ length: 33 }, (_, i) => `k${i}=1`))).toThrow(/at most 32/);
  });

  it('options: --flag value, --flag=value, switches; unknown options are errors', () => {
    const p = parseArgs(['a', '--quorum', '3', '--description=x y', '--no-wait', 'b'], ['--quorum', '--description'], ['--no-wait'], 'u');
    expect(p.positional).toEqual(['a', 'b']);
    expect(p.values.get('--quorum')).toBe('3');
    expect(p.values.get('--description')).toBe('x y');
    expect(p.switches.has('--no-wait')).toBe(true);
    expect(() => parseArgs(['--frob'], [], [], 'u')).toThrow(/unknown option --frob/);
    expect(() => parseArgs(['--quorum'], ['--quorum'], [], 'u')).toThrow(/--quorum needs a value/);
  });

  it('agents: address, A/address, C/chain::name or ::hname', () => {
    const a = addr(1);
    expect(agentIDToString(parseAgent(a))).toBe(`A/${a}`);
    expect(agentIDToString(parseAgent(`A/${a}`))).toBe(`A/${a}`);
    expect(parseAgent(`C/${a}::counter`).hname).toBe(hname('counter'));
    expect(parseAgent(`C/${a}::cebf5908`).hname).toBe(hname('root'));
    expect(() => parseAgent('nonsense!')).toThrow(/is not an agent/);
    expect(() => parseAgent(`C/${a}`)).toThrow(/is not an agent/);
  });

  it('result keys print as text when printable', () => {
    expect(renderKey(new TextEncoder().encode('counter'))).toBe('counter');
    expect(renderKey(Uint8Array.of(0, 1))).toBe('0x0001');
  });
});

describe('chains file', () => {
  it('remembers chains, the last deployed is the default, --chain picks by unique prefix', () => {
    const f = join(dir, 'c1.json');
    expect(() => selectChain(f, undefined)).toThrow(/no chain known/);
    rememberChain(f, chain(1));
    rememberChain(f, chain(2));
    expect(selectChain(f, undefined).address).toBe(addr(2));
    expect(selectChain(f, addr(1).slice(0, 10)).address).toBe(addr(1));
    expect(() => selectChain(f, addr(3))).toThrow(/is not in .*c1.json/);
    expect(() => selectChain(f, 'zz!')).toThrow(/neither a chain address nor the start of a known one/);
    rememberChain(f, chain(1)); // re-deploying the same address replaces, and becomes the default again
    expect(loadChains(f).chains.map((c) => c.address)).toEqual([addr(2), addr(1)]);
    expect(selectChain(f, undefined).address).toBe(addr(1));
  });

  it('is bounded and refuses malformed files with a message', () => {
    const f = join(dir, 'c2.json');
    saveChains(f, { v: 1, default: null, chains: Array.from({ length: CHAINS_FILE_MAX + 5 }, (_, i) => chain(i % 250)) });
    expect(loadChains(f).chains).toHaveLength(CHAINS_FILE_MAX);
    writeFileSync(f, '{');
    expect(() => loadChains(f)).toThrow(/is not valid JSON/);
    writeFileSync(f, JSON.stringify({ v: 1, chains: [{ address: 'x', committee: ['nothex'] }] }));
    expect(() => loadChains(f)).toThrow(/malformed entry/);
    writeFileSync(f, JSON.stringify({ v: 2, chains: [] }));
    expect(() => loadChains(f)).toThrow(/not an iscp chains file/);
  });
});
