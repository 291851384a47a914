import type { GossipsubOpts } from '@libp2p/gossipsub';

/**
 * The gossipsub options of every peer that speaks presence (tabs in browser-net.ts, the CLI and Node stand-ins for
 * tabs in node-net.ts): one definition, so the two cannot drift apart again.
 *
 * No IP-colocation penalty: every tab, the hub and every CLI run connect from 127.0.0.1 (relayed links carry the
 * hub's address), and gossipsub retains a departed peer's score for an hour. With the default penalty (-5 per
 * surplus identity squared above 10) a long-lived peer that has met ~14 identities scores every peer — the hub
 * included — below publishThreshold (-50: it stops sending its presence) and then graylistThreshold (-80: it
 * ignores everything it receives). A fresh CLI run then hears no presence at all and finds no committee member.
 * The hub sets the same for the same reason (src/hub/hub.ts).
 */
export function presenceGossipsubOptions(): Partial<GossipsubOpts> {
  return {
    globalSignaturePolicy: 'StrictSign',
    allowPublishToZeroTopicPeers: true,
    emitSelf: false,
    scoreParams: { IPColocationFactorWeight: 0 },
  };
}
