import { describe, expect, it } from 'vitest';
import { runCli } from './main';

/** Runs a command line that must not reach the hub (parsing only): the hub URL points at a closed port. */
async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--hub', 'http://127.0.0.1:1', '--wallet', '/nonexistent/w.json', ...argv], (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

describe('iscp usage rules', () => {
  it('--help, -h and help print the whole usage on stdout and exit 0', async () => {
    for (const a of ['--help', '-h', 'help']) {
      const r = await cli(a);
      expect(r.code).toBe(0);
      expect(r.err).toEqual([]);
      expect(r.out.join('\n')).toMatch(/^usage: iscp .*COMMAND/);
      expect(r.out.join('\n')).toContain('chain post-request');
    }
  });

  it('--help on every command prints that command’s usage and runs nothing', async () => {
    for (const cmd of [['hname'], ['wallet', 'new'], ['request-funds'], ['send-funds'], ['tx', 'show'], ['chain'], ['node', 'run']]) {
      const r = await cli(...cmd, '--help');
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.out[0], cmd.join(' ')).toMatch(new RegExp(`^usage: iscp ${cmd[0]}`));
    }
    const sub = await cli('chain', 'post-request', '--help');
    expect(sub.out).toEqual(['usage: iscp chain post-request CONTRACT FUNC [key=value ...] [--transfer IOTAS] [--no-wait]']);
  });

  it('no command, an unknown command, unknown options and missing arguments are exit code 2 with a usage line', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^usage: iscp/],
      [['frobnicate'], /^unknown command 'frobnicate'\nusage: iscp/],
      [['hname'], /^error: usage: iscp hname NAME/],
      [['hname', 'root', '--bogus'], /^error: unknown option --bogus\nusage: iscp hname/],
      [['wallet', 'new', '--frce'], /^error: unknown option --frce\nusage: iscp wallet/],
      [['wallet', 'address', '--force'], /^error: usage: iscp wallet/],
      [['request-funds', 'extra'], /^error: usage: iscp request-funds/],
      [['send-funds', 'a', 'IOTA'], /^error: usage: iscp send-funds/],
      [['tx', 'show'], /^error: usage: iscp tx show TXID/],
      [['chain'], /^error: chain needs a subcommand\nusage: iscp chain/],
      [['chain', 'frobnicate'], /^error: unknown chain subcommand 'frobnicate'/],
      [['chain', 'post-request', 'counter'], /^error: usage: iscp chain post-request/],
      [['chain', 'post-request', 'counter', 'increment', '--transfer'], /^error: --transfer needs a value/],
      [['chain', 'deploy'], /^error: --committee is required/],
      [['--hub'], /^--hub needs a value/],
      [['node'], /^error: node needs a subcommand\nusage: iscp node/],
      [['node', 'start'], /^error: unknown node subcommand 'start'/],
      [['node', 'run'], /^error: --name is required\nusage: iscp node run --name NAME/],
      [['node', 'run', '--name', 'a b'], /^error: node name 'a b' is not allowed/],
      [['node', 'run', '--name', 'h1', '--bogus'], /^error: unknown option --bogus/],
      [['node', 'run', '--name', 'h1', 'extra'], /^error: unexpected 'extra'/],
    ];
    for (const [argv, msg] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.out, argv.join(' ')).toEqual([]);
      expect(r.err.join('\n'), argv.join(' ')).toMatch(msg);
    }
  });

  it('tx show with a non-base58 ID says IDs are base58', async () => {
    const r = await cli('tx', 'show', '0xdeadbeef');
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/^error: '0xdeadbeef' is not a transaction ID: IDs are base58/);
  });
});
