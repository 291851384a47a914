/**
 * The anchor builder lives in src/protocol/anchor.ts: the same function computes the chain's outputs for real
 * nodes and for Solo. Consensus types (BacklogRequest, ChainUtxo, VmWithdrawal) satisfy its input types.
 */
export { ANCHOR_LIMITS, buildAnchorEssence, chainUtxoRequestsMissing, requestUtxoSurplus, straysForAnchor, vmChainBalances, inChainUtxo, type AnchorSpec, type AnchorStray } from '../protocol/anchor';
