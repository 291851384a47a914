import type { HubInfo } from './types';

/** Fetches GET /api/hub from the page's own origin (the hub serves the app). */
export async function fetchHubInfo(signal?: AbortSignal): Promise<HubInfo> {
  const res = await fetch('/api/hub', signal ? { signal } : {});
  if (!res.ok) throw new Error(`the hub answered ${res.status} to /api/hub`);
  const o = (await res.json()) as Partial<HubInfo>;
  if (typeof o.peerId !== 'string' || !Array.isArray(o.multiaddrs) || o.multiaddrs.length === 0) {
    throw new Error('the hub gave no peer ID or addresses in /api/hub');
  }
  return { peerId: o.peerId, multiaddrs: o.multiaddrs.map(String), confirmDelayMs: Number(o.confirmDelayMs ?? 0) };
}
