import type { NativeProcessor } from '../processor';
import { accountsContract } from './accounts';
import { blobContract } from './blob';
import { blocklogContract } from './blocklog';
import { eventlogContract } from './eventlog';
import { governanceContract } from './governance';
import { rootContract } from './root';

export const CORE_CONTRACTS: readonly NativeProcessor[] = [rootContract, accountsContract, blobContract, eventlogContract, blocklogContract, governanceContract];

export * from './names';
export { accountBalances, totalAssets, listAccounts } from './ledger';
export { findContractRecord, listContractRecords, feeInfo, type ContractRecord, type FeeInfo } from './registry';
export { readReceipt, isRequestProcessed, type RequestReceipt } from './blocklog';
export { eventRecords, numEventRecords, type EventRecord } from './eventlog-store';
export { blobHash, loadBlobField } from './blob-store';
export { GOV_P, GOV_DEFAULTS } from './governance';
