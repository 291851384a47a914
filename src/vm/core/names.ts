import { hname } from '../../protocol';

/** Core contract names and entry points as in Wasp v0.1.0 (blocklog and governance as in later Wasp). */
export const CORE = {
  root: 'root',
  accounts: 'accounts',
  blob: 'blob',
  eventlog: 'eventlog',
  blocklog: 'blocklog',
  governance: 'governance',
} as const;

export const H = {
  root: hname(CORE.root),
  accounts: hname(CORE.accounts),
  blob: hname(CORE.blob),
  eventlog: hname(CORE.eventlog),
  blocklog: hname(CORE.blocklog),
  governance: hname(CORE.governance),
} as const;

export const EP = {
  init: 'init',
  root: {
    deployContract: 'deployContract',
    grantDeployPermission: 'grantDeployPermission',
    revokeDeployPermission: 'revokeDeployPermission',
    delegateChainOwnership: 'delegateChainOwnership',
    claimChainOwnership: 'claimChainOwnership',
    setDefaultFee: 'setDefaultFee',
    setContractFee: 'setContractFee',
    findContract: 'findContract',
    getChainInfo: 'getChainInfo',
    getFeeInfo: 'getFeeInfo',
  },
  accounts: {
    deposit: 'deposit',
    withdrawToAddress: 'withdrawToAddress',
    withdrawToChain: 'withdrawToChain',
    balance: 'balance',
    accounts: 'accounts',
    totalAssets: 'totalAssets',
  },
  blob: { storeBlob: 'storeBlob', getBlobInfo: 'getBlobInfo', getBlobField: 'getBlobField', listBlobs: 'listBlobs' },
  eventlog: { getRecords: 'getRecords', getNumRecords: 'getNumRecords' },
  blocklog: { getRequestReceipt: 'getRequestReceipt', isRequestProcessed: 'isRequestProcessed' },
  governance: {
    setChainParams: 'setChainParams',
    addCandidateCommittee: 'addCandidateCommittee',
    removeCandidateCommittee: 'removeCandidateCommittee',
    rotateCommittee: 'rotateCommittee',
    getChainParams: 'getChainParams',
    getCandidateCommittees: 'getCandidateCommittees',
    getPendingRotation: 'getPendingRotation',
  },
} as const;

/** Parameter and result keys (Wasp v0.1.0 spellings where it had them). */
export const P = {
  chainId: '$$chainid$$',
  chainColor: '$$color$$',
  chainAddress: '$$address$$',
  chainOwner: '$$owner$$',
  description: '$$description$$',
  programHash: '$$proghash$$',
  name: '$$name$$',
  hname: '$$hname$$',
  deployer: '$$deployer$$',
  ownerFee: '$$ownerfee$$',
  validatorFee: '$$validatorfee$$',
  feeColor: '$$feecolor$$',
  vmType: '$$vmtype$$',
  creator: '$$creator$$',
  agentID: 'a',
  address: 'addr',
  blobHash: 'hash',
  blobField: 'field',
  blobVMType: 'v',
  blobProgram: 'p',
  blobDescription: 'd',
  contractHname: 'contractHname',
  fromTs: 'fromTs',
  toTs: 'toTs',
  maxLastRecords: 'maxLastRecords',
  numRecords: 'numRecords',
  requestId: 'requestID',
  error: 'error',
  gasUsed: 'gasUsed',
  processed: 'processed',
} as const;
