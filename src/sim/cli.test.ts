import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { usageProblem } from './cli';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function npmRunSim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'sim', '--', ...args], { cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('npm run sim command line', () => {
  it('knows its flags: unknown options, stray words and flags without values are problems', () => {
    expect(usageProblem(['--seed', '3', '--n', '7', '--dkg', '--faults', 'drop=0.1,silent@2'])).toBeNull();
    expect(usageProblem(['--sed', '3'])).toBe('unknown option --sed');
    expect(usageProblem(['3'])).toBe("unexpected argument '3'");
    expect(usageProblem(['--seeds'])).toBe('--seeds needs a value');
    expect(usageProblem(['--seed', '--dkg'])).toBe('--seed needs a value');
  });

  it('`npm run sim -- --help` prints the usage and runs no simulation; a bad flag is exit code 2', async () => {
    const help = await npmRunSim('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run sim -- \[options\]/);
    expect(help.stdout).not.toMatch(/seed=\d/);
    const bad = await npmRunSim('--bogus');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^unknown option --bogus\nusage: npm run sim/);
  });
});
