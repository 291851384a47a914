import type { SimConfig } from './config';

/** The command line that runs this config again (printed with every failure: the seed reproduces the run). */
export function reproduceLine(c: SimConfig): string {
  const f: string[] = [];
  if (c.network && c.network.dropRate > 0) f.push(`drop=${c.network.dropRate}`);
  if (c.network && c.network.duplicateRate > 0) f.push(`dup=${c.network.duplicateRate}`);
  if (c.network && c.network.delayMaxMs > 0) f.push(`delay=${c.network.delayMinMs}-${c.network.delayMaxMs}`);
  for (const b of c.byzantine ?? []) f.push(`${b.kind}@${b.index}`);
  for (const k of c.crashes ?? []) f.push(`crash@${k.index}:${k.atMs}-${k.restartAtMs}`);
  if (c.partition) f.push(`partition@${c.partition.fromMs}-${c.partition.toMs}`);
  if (c.clockSkewMs?.some((s) => s !== 0)) f.push(`skew=${c.clockSkewMs.join('/')}`);
  for (const b of c.rejectAnchorBlocks ?? []) f.push(`rejectAnchor@${b}`);
  const extra = `${c.dkg ? ' --dkg' : ''}${c.workload && c.workload !== 'deposit' ? ` --workload ${c.workload}` : ''}${c.chains && c.chains > 1 ? ` --chains ${c.chains}` : ''}${c.requestIntervalMs !== undefined ? ` --interval ${c.requestIntervalMs}` : ''}`;
  return `npm run sim -- --seed ${c.seed} --n ${c.n} --t ${c.t} --requests ${c.requests}${extra}${f.length ? ` --faults ${f.join(',')}` : ''}`;
}
