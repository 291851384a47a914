/**
 * silent: sends nothing on peering; wrongResult: computes a different state; badPartialSig: signs the wrong bytes;
 * equivocate: as leader, sends a different computation context the first time to each member, the real one on
 * re-sends (members see two contexts in one round).
 * Issue #12 (an omniscient adversary: it reads every honest node's round from its snapshot):
 * hijack: withholds all its real consensus traffic and, every tick, sends each honest member a context for its
 *   own next leader slot after that member's position, with an empty / unordered / unknown / processed batch;
 * hijackValid: the same with a valid batch (the requests pending on the member's state), then never finalises;
 * flood: every frame it sends goes out FLOOD_COPIES more times, and every tick each member gets FLOOD_PER_TICK
 *   forged messages (contexts and notifications for random later positions, results, anchorPosted, garbage);
 * replay: keeps the consensus frames it sent and received (old rounds and states) and re-sends random ones.
 * forgedSync (issue #11): takes part in consensus honestly, but every block it serves to a syncing member is
 *   forged, in turn: other mutations under the real anchor; other mutations under an L1 transaction it posts
 *   itself whose state section matches them (names this chain, the block index and the forged state hash, but
 *   does not spend the chain's anchor output); a made-up anchor ID L1 never confirms.
 */
export type ByzantineKind = 'silent' | 'wrongResult' | 'badPartialSig' | 'equivocate' | 'hijack' | 'hijackValid' | 'flood' | 'replay' | 'forgedSync';

/**
 * Every Byzantine behaviour (random scenarios draw from it; the CLI accepts `kind@index` for each; the classroom
 * offers each). In its own small module so the classroom page can list them without loading the simulator.
 */
export const BYZANTINE_KINDS: readonly ByzantineKind[] = ['silent', 'wrongResult', 'badPartialSig', 'equivocate', 'hijack', 'hijackValid', 'flood', 'replay', 'forgedSync'];
export const isByzantineKind = (s: string): s is ByzantineKind => (BYZANTINE_KINDS as readonly string[]).includes(s);
