/**
 * Kinds of protocol events the node reports (the dashboard and the classroom narrate them). In the shared
 * vocabulary layer because the state manager, the consensus operator and the committee all report them.
 */
export type ProtocolEventKind =
  | 'requestNotification'
  | 'computationContext'
  | 'resultAndPartialSig'
  | 'anchorPosted'
  | 'anchorConfirmed'
  | 'anchorRejected'
  | 'stateTransition'
  | 'syncRequest'
  | 'syncBlock'
  | 'leaderRotation'
  | 'evidence'
  | 'vmRun'
  | 'backlog'
  | 'dkg'
  | 'deploy'
  | 'l1';

/** One protocol event with a plain-language sentence (what the node hands its host, the dashboard shows). */
export interface ProtocolEvent {
  readonly timeMs: number;
  readonly nodeId: string;
  /** Chain address (base58), or '' for node-wide events (DKG, L1 connection). */
  readonly chain: string;
  readonly kind: ProtocolEventKind;
  readonly direction?: 'sent' | 'received' | 'local';
  /** Peer node ID for sent/received messages. */
  readonly peer?: string;
  readonly text: string;
}
