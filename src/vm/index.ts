/**
 * The VM layer: processors (native, wasm), the sandbox, core contracts and the batch runner.
 * Consensus calls runBatch; dashboards and the CLI call callView.
 */
export { runBatch, callView, describeContracts, type ContractDescription, type VMRequest, type VMTask, type VMResult, type SkippedRequest } from './runner';
export { VMError, VMTaskError, type VMErrorKind } from './errors';
export { Dict, encU64, encI64, encU32, encHname, encString, encBool, encAgentID, encAddress, encBalances, decU64, decI64, decU32, decString, decAgentID, decAddress, decBalances } from './dict';
export type { Sandbox, SandboxView, SandboxUtils, StateRW, StateView } from './sandbox';
export { NativeProcessor, ProcessorRegistry, nativeProgramHash, VM_NATIVE, VM_WASM, type Processor, type EntryPoint, type VMType, type NativeFunc } from './processor';
export { createRegistry, defaultRegistry } from './registry-default';
export { VM_LIMITS, GAS } from './params';
export type { Withdrawal } from './context';
export { partitionPrefix, partitionKey } from './partition';
export {
  CORE,
  H as CORE_HNAMES,
  EP as CORE_EP,
  P as CORE_PARAMS,
  accountBalances,
  totalAssets,
  listAccounts,
  findContractRecord,
  listContractRecords,
  feeInfo,
  readReceipt,
  isRequestProcessed,
  eventRecords,
  numEventRecords,
  blobHash,
  loadBlobField,
  GOV_P,
  GOV_DEFAULTS,
  type ContractRecord,
  type FeeInfo,
  type RequestReceipt,
  type EventRecord,
} from './core/index';
