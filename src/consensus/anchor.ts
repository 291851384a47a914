/**
 * The anchor builder lives in src/protocol/anchor.ts: the same function computes the chain's outputs for real
 * nodes and for Solo. Consensus types (BacklogRequest, ChainUtxo, VmWithdrawal) satisfy its input types.
 */
export { buildAnchorEssence, chainUtxoRequestsMissing, requestUtxoSurplus, vmChainBalances, inChainUtxo, type AnchorSpec } from '../protocol/anchor';
