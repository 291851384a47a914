import { addressToString, argsOf, fromHex, hname, toHex, utf8, type Address, type Color } from '../protocol';
import { blsAddress } from '../crypto/threshold';
import { buildOriginTx, buildRequestTx, validateCommittee } from '../chain/deploy';
import { SETUP_WIRE_LIMITS, type SetupMsg } from '../chain/setup-wire';
import type { BootupRecord } from '../state/store';
import { H, EP, P } from '../vm/core/names';
import { NodeApiError } from './l1-wallet';
import { SETUP_LIMITS, type DeployChainOptions, type Initiation, type Session, type SetupPorts } from './setup-types';

/**
 * The initiator's workflow (spec "Deployment of the contract chain"): it invites the committee, collects the
 * members' reports (master key, QUAL), and once all agree (or T do and the DKG window passed) posts the origin
 * transaction, tells every member to activate and posts the root `init` request. What it needs of the session
 * machinery (setup.ts) is this small interface.
 */
export interface SetupFlow {
  readonly p: SetupPorts;
  fail(s: Session, reason: string): void;
  changed(s: Session): void;
  activateMember(s: Session, chainAddress: Address, chainColor: Color): Promise<void>;
}

/** Checks a deployment's arguments and builds its invite. Throws DeployError / NodeApiError synchronously. */
export function inviteFor(p: SetupPorts, opts: DeployChainOptions, sessionsOpen: number): Extract<SetupMsg, { type: 'invite' }> {
  const t = validateCommittee(opts.committeeNodeIds, opts.t);
  for (const id of opts.committeeNodeIds) if (!/^[0-9a-f]{64}$/.test(id)) throw new NodeApiError('bad-argument', `committee node ID '${id.slice(0, 16)}' is not a hex ed25519 public key`);
  const description = opts.description ?? '';
  if (utf8(description).length > SETUP_WIRE_LIMITS.descriptionBytesMax) throw new NodeApiError('bad-argument', `description longer than ${SETUP_WIRE_LIMITS.descriptionBytesMax} bytes`);
  const phaseTimeoutMs = opts.phaseTimeoutMs ?? SETUP_LIMITS.phaseTimeoutMsDefault;
  if (!(phaseTimeoutMs >= SETUP_LIMITS.phaseTimeoutMsMin && phaseTimeoutMs <= SETUP_LIMITS.phaseTimeoutMsMax)) throw new NodeApiError('bad-argument', `phase timeout ${phaseTimeoutMs} ms outside ${SETUP_LIMITS.phaseTimeoutMsMin}..${SETUP_LIMITS.phaseTimeoutMsMax}`);
  if (sessionsOpen >= SETUP_LIMITS.sessionsMax) throw new NodeApiError('busy', `${SETUP_LIMITS.sessionsMax} chain setups already running on this node`);
  const requestId = p.rng.bytes(32);
  const memberKeys = opts.committeeNodeIds.map(fromHex);
  return { type: 'invite', requestId, t, members: memberKeys, phaseTimeoutMs, description };
}

/** A member's report to the initiator: its finished DKG, its failed DKG, or its activated chain. */
export function onReport(f: SetupFlow, s: Session, ini: Initiation, idx: number, from: string, msg: Extract<SetupMsg, { type: 'done' | 'failed' | 'activated' }>): void {
  switch (msg.type) {
    case 'done':
      if (ini.reports.has(idx)) return;
      ini.reports.set(idx, { mpk: toHex(msg.masterPublicKey), qual: msg.qual });
      f.p.event('dkg', `Member ${idx} finished the DKG (${ini.reports.size} of ${s.members.length} reported).`, from);
      maybeOrigin(f, s);
      f.changed(s);
      return;
    case 'failed':
      if (ini.failures.has(idx)) return;
      ini.failures.set(idx, msg.reason);
      f.p.event('dkg', `Member ${idx} reports the DKG failed: ${msg.reason}.`, from);
      if (s.members.length - ini.failures.size < s.t) f.fail(s, `DKG failed on ${ini.failures.size} members (first: ${msg.reason})`);
      f.changed(s);
      return;
    case 'activated':
      if (ini.activatedBy.has(idx)) return;
      ini.activatedBy.add(idx);
      f.p.event('deploy', `Member ${idx} activated the chain (${ini.activatedBy.size} of ${s.members.length}).`, from);
      f.changed(s);
      return;
  }
}

/** Initiator: all members agree (or T do and the DKG window passed) → origin, activation, init. */
export function maybeOrigin(f: SetupFlow, s: Session): void {
  const ini = s.initiation as Initiation;
  if (ini.stage !== 'dkg' || ini.reports.size === 0) return;
  const counts = new Map<string, number>();
  for (const r of ini.reports.values()) counts.set(r.mpk, (counts.get(r.mpk) ?? 0) + 1);
  if (counts.size > 1) return f.fail(s, 'members report different master public keys');
  const [mpk, agree] = [...counts][0] as [string, number];
  const windowOver = f.p.nowMs() >= s.startedMs + 5 * s.phaseTimeoutMs;
  if (agree < s.members.length && !(agree >= s.t && windowOver)) return;
  ini.stage = 'postingOrigin';
  ini.chainAddress = blsAddress(fromHex(mpk));
  ini.qual = [...ini.reports.values()][0]?.qual ?? [];
  f.changed(s);
  void deployOnL1(f, s, ini).catch((e: unknown) => f.fail(s, e instanceof Error ? e.message : String(e)));
}

async function deployOnL1(f: SetupFlow, s: Session, ini: Initiation): Promise<void> {
  const p = f.p;
  const chainAddress = ini.chainAddress as Address;
  const wallet = ini.opts.initiatorWallet;
  const originTxId = await wallet.spend((funds) => buildOriginTx(wallet.keyPair, funds, chainAddress, BigInt(p.nowMs()) * 1_000_000n));
  ini.chainColor = originTxId;
  ini.stage = 'activating';
  p.event('deploy', `Origin transaction ${toHex(originTxId).slice(0, 10)}… confirmed: chain token minted into ${addressToString(chainAddress).slice(0, 12)}….`);
  for (const m of s.members) if (m !== p.myNodeId) p.send(m, s.id, { type: 'activate', chainAddress, chainColor: originTxId });
  if (s.myIndex !== null) await f.activateMember(s, chainAddress, originTxId);
  f.changed(s);
  const initTxId = await wallet.spend((funds) =>
    buildRequestTx(wallet.keyPair, funds, [{ target: { chainId: chainAddress, hname: H.root }, entryPoint: hname(EP.init), args: argsOf([[P.chainColor, originTxId], [P.description, utf8(s.description)]]) }]),
  );
  ini.stage = 'initializing';
  p.event('deploy', `Root init request ${toHex(initTxId).slice(0, 10)}… confirmed on L1; the committee will produce block #1.`);
  // The record every member builds (identical but for myIndex).
  const record: BootupRecord = s.record ?? { chainAddress, chainColor: originTxId, committeeNodeIds: s.members, n: s.members.length, t: s.t, myIndex: null };
  ini.stage = 'done';
  f.changed(s);
  ini.resolve({ chainAddress, chainColor: originTxId, sessionId: s.key, qual: ini.qual ?? [], originTxId, initRequestId: { txId: initTxId, index: 0 }, record });
}

/** The initiator re-sends the invite to members that have not reported, and `activate` to those not activated. */
export function resendInitiator(p: SetupPorts, s: Session, ini: Initiation, now: number): void {
  for (const [i, m] of s.members.entries()) {
    if (m === p.myNodeId) continue;
    if (ini.stage === 'dkg' && !ini.reports.has(i) && !ini.failures.has(i)) p.send(m, s.id, s.invite);
    if ((ini.stage === 'activating' || ini.stage === 'initializing' || ini.stage === 'done') && !ini.activatedBy.has(i) && ini.chainAddress && ini.chainColor)
      p.send(m, s.id, { type: 'activate', chainAddress: ini.chainAddress, chainColor: ini.chainColor });
  }
  if (ini.stage === 'done' && ini.activatedBy.size + 1 >= s.members.length) s.endedMs ??= now;
}
