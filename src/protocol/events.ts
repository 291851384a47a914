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

