import { useEffect, useMemo, useState } from 'react';
import type { HostState } from '../../worker/host';
import type { ChainView } from '../../worker/bridge';
import { Picture } from '../classroom/Picture';
import { inFlight, justArrived } from '../classroom/view';
import { lineRoute, liveModel, type LiveModel } from './live-model';
import '../classroom/classroom.css';

/** Frame period of the packet animation (only while a message is in flight; idle panels do not tick). */
const FRAME_MS = 80;
/** Narration lines shown (newest first); the model keeps LIVE_LINES_MAX. */
const LINES_SHOWN = 40;

/** One "Live consensus" card per chain this node is a member of: the classroom picture, from this tab's node. */
export function LiveConsensusPanels({ state }: { state: HostState }) {
  const chains = (state.node?.chains ?? []).filter((c) => c.myIndex !== null);
  return (
    <>
      {chains.map((c) => (
        <LiveConsensus key={c.chain} state={state} chain={c} />
      ))}
    </>
  );
}

export function LiveConsensus({ state, chain }: { state: HostState; chain: ChainView }) {
  const [open, setOpen] = useState(true);
  const model = useMemo(() => liveModel({ chain, events: state.events, myNodeId: state.nodeId, peers: state.net?.peers ?? [] }), [chain, state.events, state.nodeId, state.net]);
  return (
    <section className="card wide" data-testid="live-consensus" data-chain={chain.chain} data-my-index={model.myIndex ?? ''} data-leader={model.leader ?? ''}>
      <h2>
        Live consensus <code className="muted">{chain.chain.slice(0, 10)}…</code>{' '}
        <button type="button" data-testid="live-toggle" onClick={() => setOpen(!open)}>
          {open ? 'hide' : 'show'}
        </button>
      </h2>
      {open && <LiveBody model={model} stage={chain.stage} />}
    </section>
  );
}

function LiveBody({ model, stage }: { model: LiveModel; stage: string }) {
  const now = useNowWhileFlying(model);
  const flights = inFlight(model.messages, now, false);
  const arrived = justArrived(model.messages, now, 400);
  const me = model.myIndex;
  return (
    <div className="grid">
      <div>
        <p className="muted">
          Seen from member <b data-testid="live-me">#{me}</b> (this tab) · leader <b data-testid="live-leader">{model.leader === null ? '—' : `#${model.leader}`}</b>
          {model.leader !== null && model.leader === me ? ' (me)' : ''} · stage <b data-testid="live-stage">{stage}</b>. Links: solid = direct (WebRTC), dashed = relayed via the hub.
        </p>
        <Picture snap={model.snap} n={model.n} flights={flights} arrived={arrived} selectedMember={null} selectedMessage={null} onMember={noop} onMessage={noop} onL1={noop} self={me} leader={model.leader} links={model.links} />
      </div>
      <div>
        <h3>What this node sent and received</h3>
        <ol className="scroll" style={{ maxHeight: 480, fontSize: 12, paddingLeft: 30 }} data-testid="live-narration" reversed>
          {[...model.lines]
            .reverse()
            .slice(0, LINES_SHOWN)
            .map((l) => (
              <li key={`${l.timeMs}-${l.seq}-${l.kind}`} data-testid="live-line" data-kind={l.kind} data-direction={l.direction} data-step={l.step ?? ''} data-via={l.via}>
                <span className="muted">{new Date(l.timeMs).toLocaleTimeString()}</span>{' '}
                {l.step !== null && (
                  <b title={l.stepTitle}>
                    step {l.step}: {l.stepTitle} ·{' '}
                  </b>
                )}
                <span>{lineRoute(l, model)}</span> {l.direction !== 'local' && <i>{l.label}</i>}
                {l.direction !== 'local' && l.via !== 'self' && <span className={`kind-${l.via}`}> ({l.via === 'relayed' ? 'relayed via hub' : l.via})</span>} — {l.text}
              </li>
            ))}
        </ol>
      </div>
    </div>
  );
}

function noop(): void {}

/** Wall clock for the packet animation; ticks only while some message is within its flight window. */
function useNowWhileFlying(model: LiveModel): number {
  const [now, setNow] = useState(() => Date.now());
  const last = model.messages.reduce((a, m) => Math.max(a, m.deliverAtMs), 0);
  useEffect(() => {
    if (last <= Date.now()) return;
    const id = setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t > last) clearInterval(id);
    }, FRAME_MS);
    return () => clearInterval(id);
  }, [last]);
  return now;
}
