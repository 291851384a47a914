export * from './types';
export * from './limits';
export * from './binding';
export * from './presence';
export * from './frames';
export * from './peering-frames';
export { fetchHubInfo } from './hub-info';
// browser-net.ts (libp2p, ~700 kB) is NOT re-exported: import it dynamically so the first paint stays fast.
export type { BrowserNet, NetIdentity } from './browser-net';
