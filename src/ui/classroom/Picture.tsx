import { memo } from 'react';
import type { Actor, ClassMessage, L1View, MemberView, Snapshot } from '../../sim/classroom-model';
import type { Flight } from './view';

/**
 * The SVG picture. It only reads: a snapshot, the messages in flight (with progress 0..1) and the selection.
 * Fixed geometry (viewBox) so nothing moves but the packets while animating.
 */
export const PIC = { w: 860, h: 600, cx: 300, cy: 262, r: 185, nodeR: 32 } as const;
const L1_BOX = { x: 600, y: 26, w: 250, h: 330 } as const;
const CHAIN_Y = 520;
const BLOCKS_SHOWN = 9;

export const KIND_COLOR: Record<string, string> = {
  requestNotification: '#3b6fe0',
  computationContext: '#9b4fd0',
  resultAndPartialSig: '#e07b00',
  anchorPosted: '#2a9d5b',
  anchorTx: '#1f8a4c',
  anchorConfirmed: '#0f6b39',
  syncRequest: '#d64545',
  syncBlock: '#b53030',
  waspFromNodeAddressUpdate: '#5f7d95',
  waspFromNodeTransactionInclusionState: '#c0392b',
  dkg: '#8e44ad',
  nodeTx: '#5f7d95',
};
const STAGE_FILL: Record<string, string> = {
  idle: '#f2f4f7',
  collecting: '#e6eefc',
  computing: '#fff1cc',
  waitingResults: '#fde3d3',
  waitingAnchor: '#dff3e5',
  booting: '#eeeeee',
  down: '#d9d9d9',
};

export function memberPos(i: number, n: number): { x: number; y: number } {
  const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
  return { x: PIC.cx + PIC.r * Math.cos(a), y: PIC.cy + PIC.r * Math.sin(a) };
}

function actorPos(a: Actor, n: number): { x: number; y: number } {
  return a === 'L1' ? { x: L1_BOX.x, y: L1_BOX.y + 150 } : memberPos(a, n);
}

/** The committee's leader as the most advanced running honest member sees it. */
export function consensusView(s: Snapshot | null): { leader: number | null; next: number | null; blockIndex: number } {
  const ms = (s?.members ?? []).filter((m) => m.up && m.byzantine === null);
  const best = ms.reduce<MemberView | null>((a, m) => (!a || m.blockIndex > a.blockIndex || (m.blockIndex === a.blockIndex && m.leaderPos > a.leaderPos) ? m : a), null);
  if (!best || best.leader === null) return { leader: null, next: null, blockIndex: best?.blockIndex ?? 0 };
  const next = best.permutation.length > 0 ? (best.permutation[(best.leaderPos + 1) % best.permutation.length] ?? null) : null;
  return { leader: best.leader, next, blockIndex: best.blockIndex };
}

export interface PictureProps {
  readonly snap: Snapshot | null;
  readonly n: number;
  readonly flights: readonly Flight[];
  readonly arrived: readonly ClassMessage[];
  readonly selectedMember: number | null;
  readonly selectedMessage: number | null;
  readonly onMember: (i: number | null) => void;
  readonly onMessage: (seq: number) => void;
  readonly onL1: () => void;
  /** Live mode (src/ui/live): the member this picture is seen from; the others show no stage/block of their own. */
  readonly self?: number | null;
  /** Live mode: the leader as the `self` member's node knows it (instead of consensusView's). */
  readonly leader?: number | null;
  /** Live mode: the link from `self` to each other member ('direct' solid, 'relayed' dashed, 'none' dotted). */
  readonly links?: readonly { readonly index: number; readonly kind: string }[];
}

export function Picture(p: PictureProps) {
  const view = consensusView(p.snap);
  const live = p.self !== undefined;
  const leader = live ? (p.leader ?? null) : view.leader;
  const next = live ? null : view.next;
  const flash = new Set(p.arrived.map((m) => m.to));
  return (
    <svg className="cr-picture" viewBox={`0 0 ${PIC.w} ${PIC.h}`} role="img" aria-label="committee, L1 and messages" data-testid="picture" onClick={() => p.onMember(null)}>
      <defs>
        <marker id="cr-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#8a96a3" />
        </marker>
      </defs>
      <circle cx={PIC.cx} cy={PIC.cy} r={PIC.r} fill="none" stroke="#e3e8ef" strokeDasharray="4 6" />
      <text x={16} y={24} className="cr-caption">
        committee (N = {p.n})
      </text>
      <text x={16} y={40} className="cr-node-small">
        ring = leader · gold flash = message arrived · click a member, a message or L1
      </text>
      {live && p.self !== null && p.self !== undefined && <Links self={p.self} n={p.n} links={p.links ?? []} />}
      <L1Box l1={p.snap?.l1} flash={flash.has('L1')} onClick={p.onL1} />
      {p.flights.map((f) => (
        <Packet key={f.msg.seq} f={f} n={p.n} selected={p.selectedMessage === f.msg.seq} onClick={p.onMessage} />
      ))}
      {(p.snap?.members ?? []).map((m) => (
        <Member key={m.index} m={m} n={p.n} remote={live && p.self !== m.index} me={live && p.self === m.index} leader={leader === m.index} next={next === m.index} selected={p.selectedMember === m.index} flash={flash.has(m.index)} onClick={p.onMember} />
      ))}
      <Chain all={p.snap?.blocks} />
    </svg>
  );
}

// memo: between snapshots a member's props keep their identity, so only the packets re-render each frame.
const Member = memo(function Member({ m, n, leader, next, selected, flash, onClick, remote = false, me = false }: { m: MemberView; n: number; leader: boolean; next: boolean; selected: boolean; flash: boolean; onClick: (i: number) => void; remote?: boolean; me?: boolean }) {
  const { x, y } = memberPos(m.index, n);
  const fill = STAGE_FILL[m.stage] ?? '#f2f4f7';
  const role = leader ? 'LEADER' : next ? 'next' : '';
  return (
    <g
      className="cr-member"
      data-testid={`member-${m.index}`}
      data-stage={m.stage}
      data-role={role || 'member'}
      data-self={me ? 'true' : undefined}
      transform={`translate(${x.toFixed(1)} ${y.toFixed(1)})`}
      onClick={(e) => {
        e.stopPropagation();
        onClick(m.index);
      }}
    >
      {selected && <circle r={PIC.nodeR + 8} fill="none" stroke="#3b6fe0" strokeWidth={2} strokeDasharray="3 3" />}
      {flash && <circle r={PIC.nodeR + 4} fill="none" stroke="#f0b400" strokeWidth={3} opacity={0.8} />}
      <circle r={PIC.nodeR} fill={fill} stroke={leader ? '#c99700' : m.byzantine ? '#c0392b' : '#7d8a99'} strokeWidth={leader ? 4 : 2} strokeDasharray={m.up ? undefined : '5 4'} />
      <text y={-4} textAnchor="middle" className="cr-node-index">#{m.index}{me ? ' (me)' : ''}</text>
      <text y={12} textAnchor="middle" className="cr-node-small">{m.up && !remote ? `blk ${m.blockIndex}` : 'blk ?'}</text>
      {role && (
        <text y={-PIC.nodeR - 8} textAnchor="middle" className={leader ? 'cr-role-leader' : 'cr-role-next'}>
          {role}
        </text>
      )}
      <text y={PIC.nodeR + 14} textAnchor="middle" className="cr-node-small">{m.up ? m.stage : 'DOWN'}</text>
      {!remote && <text y={PIC.nodeR + 27} textAnchor="middle" className="cr-node-small">backlog {m.backlog.length}</text>}
      {m.byzantine && (
        <text y={PIC.nodeR + 40} textAnchor="middle" className="cr-byz">
          ⚠ {m.byzantine}
        </text>
      )}
      {m.skewMs !== 0 && (
        <text y={-PIC.nodeR - (role ? 22 : 8)} textAnchor="middle" className="cr-node-small">
          clock {m.skewMs > 0 ? '+' : ''}
          {m.skewMs} ms
        </text>
      )}
    </g>
  );
});

/** Live mode: the peering link from this tab to each other member, drawn under everything else. */
function Links({ self, n, links }: { self: number; n: number; links: readonly { readonly index: number; readonly kind: string }[] }) {
  const a = memberPos(self, n);
  return (
    <g className="cr-links">
      {links
        .filter((l) => l.index !== self)
        .map((l) => {
          const b = memberPos(l.index, n);
          const dash = l.kind === 'direct' ? undefined : l.kind === 'relayed' ? '8 5' : '2 6';
          return (
            <g key={l.index} data-testid="link" data-to={l.index} data-kind={l.kind}>
              <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke={l.kind === 'direct' ? '#2a9d5b' : l.kind === 'relayed' ? '#e07b00' : '#c0392b'} strokeOpacity={0.45} strokeWidth={2} strokeDasharray={dash} />
              <text x={(a.x + b.x) / 2 + 4} y={(a.y + b.y) / 2 - 4} className="cr-node-small">
                {l.kind === 'relayed' ? 'relayed via hub' : l.kind}
              </text>
            </g>
          );
        })}
    </g>
  );
}

function Packet({ f, n, selected, onClick }: { f: Flight; n: number; selected: boolean; onClick: (seq: number) => void }) {
  const a = actorPos(f.msg.from, n);
  const b = actorPos(f.msg.to, n);
  // Offset both directions of a pair so a request and its answer do not overlap.
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.max(1, Math.hypot(dx, dy));
  const off = 5;
  const ox = (-dy / len) * off;
  const oy = (dx / len) * off;
  const trim = PIC.nodeR + 2;
  const ax = a.x + (dx / len) * trim + ox;
  const ay = a.y + (dy / len) * trim + oy;
  const bx = b.x - (dx / len) * (f.msg.to === 'L1' ? 2 : trim) + ox;
  const by = b.y - (dy / len) * (f.msg.to === 'L1' ? 2 : trim) + oy;
  const dropped = f.msg.fate !== 'delivered';
  const t = dropped ? Math.min(f.progress, 1) * 0.5 : f.progress;
  const px = ax + (bx - ax) * t;
  const py = ay + (by - ay) * t;
  const color = KIND_COLOR[f.msg.kind] ?? '#8a96a3';
  // fill-opacity rather than group opacity: a group opacity makes Chromium paint the group offscreen.
  const opacity = dropped ? Math.max(0.15, 1 - f.progress) : f.msg.minor ? 0.5 : 1;
  return (
    <g
      className="cr-packet"
      data-kind={f.msg.kind}
      fillOpacity={opacity}
      strokeOpacity={opacity}
      onClick={(e) => {
        e.stopPropagation();
        onClick(f.msg.seq);
      }}
    >
      <line x1={ax} y1={ay} x2={bx} y2={by} stroke={color} strokeOpacity={0.25} strokeWidth={1.5} strokeDasharray={dropped ? '4 3' : undefined} markerEnd="url(#cr-arrow)" />
      <circle cx={px} cy={py} r={selected ? 7 : 5} fill={color} stroke={selected ? '#111' : 'white'} strokeWidth={1.5} />
      {!f.msg.minor && (
        <text x={px + 8} y={py - 6} className="cr-packet-label" fill={color}>
          {dropped ? `✕ ${f.msg.label}` : f.msg.label}
        </text>
      )}
    </g>
  );
}

const L1Box = memo(function L1Box({ l1, flash, onClick }: { l1: L1View | undefined; flash: boolean; onClick: () => void }) {
  return (
    <g
      className="cr-l1"
      data-testid="l1"
      onClick={(e) => {
        e.stopPropagation();
        onClick();
      }}
    >
      <rect x={L1_BOX.x} y={L1_BOX.y} width={L1_BOX.w} height={L1_BOX.h} rx={10} fill="#f7faf7" stroke={flash ? '#f0b400' : '#6b8f71'} strokeWidth={flash ? 3 : 1.5} />
      <text x={L1_BOX.x + 12} y={L1_BOX.y + 22} className="cr-caption">
        L1 ledger (Tangle)
      </text>
      <text x={L1_BOX.x + 12} y={L1_BOX.y + 44} className="cr-node-small">
        chain UTXO {l1?.chainUtxo ? `${l1.chainUtxo.txId.slice(0, 10)}…` : '—'}
      </text>
      {(l1?.chainUtxo?.balances ?? []).slice(0, 3).map(([c, v], i) => (
        <text key={c} x={L1_BOX.x + 24} y={L1_BOX.y + 60 + i * 14} className="cr-node-small">
          {c}: {v}
        </text>
      ))}
      <text x={L1_BOX.x + 12} y={L1_BOX.y + 112} className="cr-node-small">
        request UTXOs (backlog on L1): {l1?.requestUtxos ?? 0}
      </text>
      <text x={L1_BOX.x + 12} y={L1_BOX.y + 138} className="cr-caption">
        anchor transactions
      </text>
      {(l1?.anchors ?? []).map((a, i) => (
        <g key={a.txId} transform={`translate(${L1_BOX.x + 12} ${L1_BOX.y + 156 + i * 26})`} data-testid="anchor" data-state={a.state}>
          <rect width={L1_BOX.w - 24} height={22} rx={4} fill={a.state === 'confirmed' ? '#dff3e5' : a.state === 'rejected' ? '#fbdada' : '#fff1cc'} />
          <text x={6} y={15} className="cr-node-small">
            #{a.blockIndex} {a.txId.slice(0, 10)}… {a.state}
          </text>
        </g>
      ))}
    </g>
  );
});

const Chain = memo(function Chain({ all }: { all: Snapshot['blocks'] | undefined }) {
  const blocks = (all ?? []).slice(-BLOCKS_SHOWN);
  return (
    <g className="cr-chain" data-testid="chain">
      <text x={16} y={CHAIN_Y - 14} className="cr-caption">
        chain (committed blocks)
      </text>
      {blocks.map((b, i) => {
        const x = 16 + i * 92;
        return (
          <g key={b.blockIndex} transform={`translate(${x} ${CHAIN_Y})`} data-testid="block" data-index={b.blockIndex}>
            {i > 0 && <line x1={-14} y1={24} x2={0} y2={24} stroke="#7d8a99" strokeWidth={2} />}
            <rect width={78} height={48} rx={6} fill="#eef3fb" stroke="#7d8a99" />
            <text x={39} y={19} textAnchor="middle" className="cr-node-index">
              #{b.blockIndex}
            </text>
            <text x={39} y={36} textAnchor="middle" className="cr-node-small">
              {b.requests} req · {b.anchorTxId.slice(0, 5)}
            </text>
          </g>
        );
      })}
    </g>
  );
});
