import { expect, it } from 'vitest';
import { probeStack } from './selftest-stack';

it('worst-case frames at the full depth budget (one instance, and over 16 nested ones) never reach the engine stack limit', () => {
  const r = probeStack();
  console.log(`stack probe (Node ${process.version}): ${JSON.stringify(r)}`);
  expect(r.fullDepth).toBe('ok');
  expect(r.nestedFullDepth).toBe('ok');
  expect(r.contractNestedFullDepth).toBe('ok');
  // The engine would run more worst-case frames than the policy allows (null: more than the probe's ceiling).
  expect(r.engineFramesMax === null || r.engineFramesMax > r.policyFramesMax).toBe(true);
});
