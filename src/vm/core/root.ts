import {
  addressBytes,
  agentIDBytes,
  equalBytes,
  agentIDEquals,
  COLOR_IOTA,
  concatBytes,
  decodeAll,
  contractNameProblem,
  hname,
  isAddressAgent,
  readAgentID,
  toHex,
  utf8,
  type AgentID,
} from '../../protocol';
import { coreAccess } from '../context';
import { Dict, encAddress, encAgentID, encHname, encString, encU64 } from '../dict';
import { VMError } from '../errors';
import { GAS } from '../params';
import { NativeProcessor, nativeProgramHash, VM_NATIVE, type ProcessorRegistry } from '../processor';
import type { Sandbox, SandboxView } from '../sandbox';
import { loadBlobField } from './blob-store';
import { CORE, EP, H, P } from './names';
import { encodeContractRecord, feeInfo, findContractRecord, listContractRecords, ROOT_VAR, writeContractRecord, type ContractRecord } from './registry';

const EMPTY = new Map<string, bigint>();

function owner(ctx: SandboxView): AgentID {
  const v = ctx.state.get(ROOT_VAR.owner);
  if (!v) throw new VMError('NotInitialized', 'root is not initialized');
  return decodeAll(v, 'owner', readAgentID);
}
function requireOwner(ctx: Sandbox): void {
  if (!agentIDEquals(ctx.caller(), owner(ctx))) throw new VMError('Unauthorized', 'only the chain owner may do this');
}
const permKey = (a: AgentID) => concatBytes(ROOT_VAR.deployPermission, agentIDBytes(a));

/** The core contracts root deploys in init, in this order (their hnames are fixed by their names). */
const CORE_DEPLOYED = [CORE.accounts, CORE.blob, CORE.eventlog, CORE.blocklog, CORE.governance] as const;

export const rootContract = new NativeProcessor(CORE.root, {
  /** Block #1 (the init request): chain parameters, owner = init sender, core contracts deployed. */
  [EP.init]: {
    fn: (ctx) => {
      if (ctx.state.has(ROOT_VAR.initialized)) throw new VMError('AlreadyExists', 'the chain is already initialized');
      const { ctx: exec, buf, frame } = coreAccess(ctx);
      // Spec "Origin transaction": the init request comes from the initiator that made the origin transaction.
      const originator = ctx.state.get(ROOT_VAR.originator);
      if (originator && !(isAddressAgent(frame.caller) && equalBytes(addressBytes(frame.caller.chainId), originator))) {
        throw new VMError('Unauthorized', 'init is accepted only from the address that made the origin transaction');
      }
      const color = ctx.params.optBytes(P.chainColor) ?? exec.env.chainColor;
      if (color.length !== 32) throw new VMError('BadParams', 'chain color must be 32 bytes');
      ctx.state.set(ROOT_VAR.initialized, Uint8Array.of(1));
      ctx.state.set(ROOT_VAR.chainId, encAddress(ctx.chainId()));
      ctx.state.set(ROOT_VAR.chainColor, color);
      ctx.state.set(ROOT_VAR.description, encString(ctx.params.optString(P.description, '')));
      ctx.state.set(ROOT_VAR.owner, encAgentID(frame.caller));
      const creator = frame.caller;
      const rec = (name: string, description: string): ContractRecord => ({
        hname: hname(name),
        name,
        description,
        vmType: VM_NATIVE,
        programHash: nativeProgramHash(name),
        creator,
      });
      writeContractRecord(buf, rec(CORE.root, 'Root contract'));
      for (const name of CORE_DEPLOYED) {
        writeContractRecord(buf, rec(name, `Core contract ${name}`));
        const proc = exec.processorFor(rec(name, ''));
        if (proc.getEntryPoint(hname(EP.init))) exec.callInit(frame.caller, hname(name), new Dict());
      }
      ctx.event(`[init] chain initialized, owner ${toHex(agentIDBytes(creator)).slice(0, 16)}…`);
    },
  },

  [EP.root.deployContract]: {
    fn: (ctx) => {
      const { ctx: exec, buf, frame } = coreAccess(ctx);
      const deployer = frame.caller;
      if (!agentIDEquals(deployer, owner(ctx)) && !ctx.state.has(permKey(deployer))) {
        throw new VMError('Unauthorized', 'deployer has no deploy permission');
      }
      const programHash = ctx.params.hash(P.programHash);
      const name = ctx.params.string(P.name);
      const nameProblem = contractNameProblem(name);
      if (nameProblem) throw new VMError('BadParams', nameProblem);
      const description = ctx.params.optString(P.description, '');
      const h = hname(name);
      if (findContractRecord(buf, h)) throw new VMError('AlreadyExists', `contract '${name}' (hname ${h.toString(16)}) already exists`);
      let vmType: string;
      if (exec.env.registry.native(programHash)) {
        vmType = VM_NATIVE;
      } else {
        const vt = loadBlobField(buf, programHash, P.blobVMType);
        const bin = loadBlobField(buf, programHash, P.blobProgram);
        if (!vt || !bin) throw new VMError('BadParams', `no program blob with hash ${toHex(programHash).slice(0, 16)}… (fields 'v' and 'p' needed)`);
        vmType = new TextDecoder().decode(vt);
        ctx.chargeGas(GAS.deploy + BigInt(bin.length) * GAS.perByte * 10n);
        // Validate and instrument now, so an unusable program is refused at deployment with a specific error.
        exec.env.registry.prepare(vmType, bin);
      }
      writeContractRecord(buf, { hname: h, name, description, vmType, programHash, creator: deployer });
      const proc = exec.processorFor({ hname: h, name, description, vmType, programHash, creator: deployer });
      if (proc.getEntryPoint(hname(EP.init))) {
        const init = ctx.params.clone();
        init.delete(P.programHash);
        init.delete(P.name);
        init.delete(P.description);
        exec.callInit(deployer, h, init);
      }
      ctx.event(`[deploy] ${name} (${h.toString(16).padStart(8, '0')}) vm=${vmType}`);
      return new Dict().set(P.hname, encHname(h));
    },
  },

  [EP.root.grantDeployPermission]: {
    fn: (ctx) => {
      requireOwner(ctx);
      ctx.state.set(permKey(ctx.params.agentID(P.deployer)), Uint8Array.of(1));
    },
  },
  [EP.root.revokeDeployPermission]: {
    fn: (ctx) => {
      requireOwner(ctx);
      ctx.state.del(permKey(ctx.params.agentID(P.deployer)));
    },
  },
  [EP.root.delegateChainOwnership]: {
    fn: (ctx) => {
      requireOwner(ctx);
      ctx.state.set(ROOT_VAR.ownerDelegated, encAgentID(ctx.params.agentID(P.chainOwner)));
    },
  },
  [EP.root.claimChainOwnership]: {
    fn: (ctx) => {
      const d = ctx.state.get(ROOT_VAR.ownerDelegated);
      if (!d || !agentIDEquals(decodeAll(d, 'delegated owner', readAgentID), ctx.caller())) {
        throw new VMError('Unauthorized', 'ownership was not delegated to the caller');
      }
      ctx.state.set(ROOT_VAR.owner, d);
      ctx.state.del(ROOT_VAR.ownerDelegated);
      ctx.event('[owner] chain ownership claimed');
    },
  },
  [EP.root.setDefaultFee]: {
    fn: (ctx) => {
      requireOwner(ctx);
      setFees(ctx, ROOT_VAR.defaultOwnerFee, ROOT_VAR.defaultValidatorFee);
    },
  },
  [EP.root.setContractFee]: {
    fn: (ctx) => {
      requireOwner(ctx);
      const h = ctx.params.hname(P.hname);
      if (!findContractRecord(coreAccess(ctx).buf, h)) throw new VMError('NoSuchContract', `no contract ${h.toString(16)}`);
      setFees(ctx, concatBytes(ROOT_VAR.contractOwnerFee, encHname(h)), concatBytes(ROOT_VAR.contractValidatorFee, encHname(h)));
    },
  },

  [EP.root.findContract]: {
    view: true,
    fn: (ctx) => {
      const h = ctx.params.hname(P.hname);
      const rec = findContractRecord(coreAccess(ctx).buf, h);
      if (!rec) throw new VMError('NoSuchContract', `no contract ${h.toString(16)}`);
      return contractRecordDict(rec);
    },
  },
  [EP.root.getChainInfo]: {
    view: true,
    fn: (ctx) => {
      const { buf } = coreAccess(ctx);
      const d = new Dict()
        .set(P.chainId, ctx.state.get(ROOT_VAR.chainId) ?? encAddress(ctx.chainId()))
        .set(P.chainAddress, encAddress(ctx.chainId()))
        .set(P.chainColor, ctx.state.get(ROOT_VAR.chainColor) ?? new Uint8Array(32))
        .set(P.chainOwner, encAgentID(owner(ctx)))
        .set(P.description, ctx.state.get(ROOT_VAR.description) ?? new Uint8Array())
        .set(P.ownerFee, ctx.state.get(ROOT_VAR.defaultOwnerFee) ?? encU64(0n))
        .set(P.validatorFee, ctx.state.get(ROOT_VAR.defaultValidatorFee) ?? encU64(0n));
      // Contract registry: 'c' ‖ hname → record (the dashboard's contract list).
      for (const rec of listContractRecords(buf)) d.set(concatBytes(utf8('c'), encHname(rec.hname)), encodeContractRecord(rec));
      return d;
    },
  },
  [EP.root.getFeeInfo]: {
    view: true,
    fn: (ctx) => {
      const f = feeInfo(coreAccess(ctx).buf, ctx.params.hname(P.hname));
      return new Dict().set(P.feeColor, COLOR_IOTA).set(P.ownerFee, encU64(f.ownerFee)).set(P.validatorFee, encU64(f.validatorFee));
    },
  },
});

function setFees(ctx: Sandbox, ownerKey: Uint8Array, validatorKey: Uint8Array): void {
  const of = ctx.params.optBytes(P.ownerFee);
  const vf = ctx.params.optBytes(P.validatorFee);
  if (!of && !vf) throw new VMError('BadParams', `need '${P.ownerFee}' and/or '${P.validatorFee}'`);
  if (of) ctx.state.set(ownerKey, encU64(ctx.params.u64(P.ownerFee)));
  if (vf) ctx.state.set(validatorKey, encU64(ctx.params.u64(P.validatorFee)));
}

export function contractRecordDict(rec: ContractRecord): Dict {
  return new Dict()
    .set(P.hname, encHname(rec.hname))
    .set(P.name, encString(rec.name))
    .set(P.description, encString(rec.description))
    .set(P.vmType, encString(rec.vmType))
    .set(P.programHash, rec.programHash)
    .set(P.creator, encAgentID(rec.creator));
}

export const isAddressOwner = isAddressAgent;
export type { ProcessorRegistry };
