import type { Command } from '../context';
import { hnameCommand } from './hname';
import { walletCommand } from './wallet';
import { requestFundsCommand, sendFundsCommand } from './funds';
import { txCommand } from './tx';
import { chainCommand } from './chain';
import { contractCommand } from './contract';
import { nodeCommand } from './node-run';

/** Every command; a new one (e.g. `chain …`) is a new file here plus one line in this list. */
export const COMMANDS: readonly Command[] = [hnameCommand, walletCommand, requestFundsCommand, sendFundsCommand, txCommand, chainCommand, contractCommand, nodeCommand];
