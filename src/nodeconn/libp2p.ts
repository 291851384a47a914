import type { Libp2p, Stream } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { toHex } from '../protocol/bytes';
import { addressEquals, addressKey, type Address, type TransactionID } from '../protocol/ids';
import { transactionId as transactionIdOf, type ValueTransaction } from '../protocol/transaction';
import { decodeWaspFromNode, decodeWaspToNode, encodeNodeConnMessage, MalformedTransactionError } from './codec';
import { NODECONN_STREAM_LIMITS, type NodeConnStreamLimits } from './limits';
import { streamVerdict, sweepIntervalMs, type StreamActivity } from './stream-guard';
import { encodeFrame, FrameReader } from './frames';
import { NodeConnClientCore, NodeConnClientError, pullKeys, type PullKey } from './client';
import type { AddressOutput, InclusionState, NodeConnMessage, WaspFromNode, WaspToNode } from './messages';
import type { NodeConnServer, NodeConnSession } from './server';

/** The libp2p protocol: one long-lived stream per client, length-prefixed frames, either side sends any time. */
export const NODECONN_PROTOCOL = '/iscp/nodeconn/1.0.0';
/** Streams per connection: one is normal; a few allow a reconnect racing the old stream's close. */
export const NODECONN_STREAMS_PER_CONNECTION_MAX = 4;

/**
 * Wires a stream to frame callbacks. Any bad frame closes the stream (the peer is broken or hostile), and so does
 * anything a callback throws: nothing that arrives on a stream can escape as an uncaught exception (an event
 * listener's throw would take the whole process down). `onBuffered` hears how many bytes the reader holds for a
 * partial frame after each chunk (and how many frames that chunk completed); returning false stops the chunk.
 */
function frameStream(
  stream: Stream,
  onFrame: (bytes: Uint8Array) => void,
  onBad: (err: Error) => void,
  onBuffered?: (bufferedBytes: number, framesCompleted: number) => boolean,
): (m: NodeConnMessage) => void {
  const reader = new FrameReader();
  stream.addEventListener('message', (ev) => {
    try {
      const data = ev.data instanceof Uint8Array ? ev.data : ev.data.subarray();
      const frames = reader.push(data);
      if (onBuffered && !onBuffered(reader.buffered, frames.length)) return;
      for (const f of frames) {
        if (stream.status !== 'open') return;
        onFrame(f);
      }
    } catch (e) {
      onBad(e instanceof Error ? e : new Error(String(e)));
    }
  });
  return (m) => {
    if (stream.status !== 'open' || stream.writeStatus !== 'writable') return;
    try {
      stream.send(encodeFrame(encodeNodeConnMessage(m)));
    } catch (e) {
      onBad(e as Error);
    }
  };
}

/* ------------------------------------------------------------------ hub side */

export class NodeConnStreamError extends Error {
  override readonly name = 'NodeConnStreamError';
}

export interface NodeConnServerBinding {
  /** Sends routed ledger events (NodeConnServer.route) to their sessions' streams. */
  deliver(routed: readonly { session: NodeConnSession; message: WaspFromNode }[]): void;
  readonly openSessions: number;
  /** Bytes held for partial frames over all streams (bounded by partialFrameBytesTotalMax). */
  readonly partialFrameBytes: number;
  /** Stops the sweep that applies the stream time limits (the streams themselves close with the node). */
  stop(): void;
}

interface ServedStream {
  readonly stream: Stream;
  readonly activity: StreamActivity;
  /** This stream's share of partialFrameBytes. */
  heldBytes: number;
  readonly reset: (why: string) => void;
}

export async function serveNodeConn(
  node: Libp2p,
  server: NodeConnServer,
  opts: { nowMs: () => number; log: (line: string) => void; afterMessage?: () => void; limits?: Partial<NodeConnStreamLimits> },
): Promise<NodeConnServerBinding> {
  const limits: NodeConnStreamLimits = { ...NODECONN_STREAM_LIMITS, ...opts.limits };
  const senders = new Map<number, (m: WaspFromNode) => void>();
  const served = new Map<number, ServedStream>();
  let partialFrameBytes = 0;

  // The binding's one timer: applies the time limits (pure verdicts in stream-guard.ts).
  const sweep = setInterval(() => {
    const now = opts.nowMs();
    for (const s of served.values()) {
      const v = streamVerdict(s.activity, now, limits);
      if (v === 'partialFrameTimeout') s.reset(`a partial frame was not completed within ${limits.partialFrameMs} ms`);
      else if (v === 'halfClosedTimeout') s.reset(`the client closed its side and the hub could not finish closing within ${limits.halfClosedMs} ms`);
      else if (v === 'idle') s.reset(`idle for ${limits.idleMs} ms without a subscription`);
    }
  }, sweepIntervalMs(limits));
  (sweep as { unref?: () => void }).unref?.();

  await node.handle(
    NODECONN_PROTOCOL,
    (stream, connection) => {
      const session = server.openSession();
      const peer = connection.remotePeer.toString();
      const where = () => `${peer} (session ${session.sessionId}${session.label ? ` '${session.label}'` : ''})`;
      // A client that does not read: libp2p resets the stream once this much is queued for it (logged on close).
      stream.maxWriteBufferLength = limits.writeBufferBytesMax;
      const entry: ServedStream = {
        stream,
        activity: { lastFrameAtMs: opts.nowMs(), partialSinceMs: undefined, halfClosedAtMs: undefined, subscribed: false },
        heldBytes: 0,
        reset: (why) => {
          if (stream.status === 'closed' || stream.status === 'aborted' || stream.status === 'reset') return;
          opts.log(`nodeconn: ${why}: ${where()}; resetting the stream`);
          stream.abort(new NodeConnStreamError(why));
        },
      };
      const sendFrame = frameStream(
        stream,
        (bytes) => {
          const now = opts.nowMs();
          entry.activity.lastFrameAtMs = now;
          let m: WaspToNode;
          try {
            m = decodeWaspToNode(bytes);
          } catch (e) {
            if (e instanceof MalformedTransactionError) {
              // A good frame carrying a bad transaction: answer it with the reason, keep the stream.
              send(server.malformedTransaction(session, e.txId, e.reason));
              return;
            }
            opts.log(`nodeconn: garbage from ${where()}: ${(e as Error).message}; closing the stream`);
            stream.abort(e as Error);
            return;
          }
          const { replies, reset } = server.handleGuarded(session, m, now);
          for (const reply of replies) send(reply);
          entry.activity.subscribed = session.subscriptions.size > 0;
          if (reset) return entry.reset(`the hub failed on a ${m.kind}`);
          opts.afterMessage?.();
        },
        (err) => {
          opts.log(`nodeconn: bad stream from ${where()}: ${err.message}; closing it`);
          stream.abort(err);
        },
        (buffered, completed) => {
          partialFrameBytes += buffered - entry.heldBytes;
          entry.heldBytes = buffered;
          if (buffered === 0) entry.activity.partialSinceMs = undefined;
          else if (completed > 0 || entry.activity.partialSinceMs === undefined) entry.activity.partialSinceMs = opts.nowMs();
          if (partialFrameBytes <= limits.partialFrameBytesTotalMax) return true;
          entry.reset(`partial frames of all clients would hold more than ${limits.partialFrameBytesTotalMax} bytes`);
          return false;
        },
      );
      const send = (m: WaspFromNode): void => {
        entry.activity.lastFrameAtMs = opts.nowMs();
        sendFrame(m);
      };
      senders.set(session.sessionId, send);
      served.set(session.sessionId, entry);
      // The client is done asking: finish our side too (flushing what is queued), or reset after halfClosedMs.
      stream.addEventListener('remoteCloseWrite', () => {
        entry.activity.halfClosedAtMs = opts.nowMs();
        stream.close().catch((e: Error) => stream.abort(e));
      });
      stream.addEventListener('close', (ev) => {
        if (ev.error?.name === 'StreamBufferError') opts.log(`nodeconn: ${where()} does not read: more than ${limits.writeBufferBytesMax} bytes queued; stream reset`);
        partialFrameBytes -= entry.heldBytes;
        entry.heldBytes = 0;
        senders.delete(session.sessionId);
        served.delete(session.sessionId);
        server.closeSession(session);
      });
    },
    { maxInboundStreams: NODECONN_STREAMS_PER_CONNECTION_MAX, runOnLimitedConnection: false },
  );
  return {
    deliver(routed) {
      for (const r of routed) senders.get(r.session.sessionId)?.(r.message);
    },
    get openSessions() {
      return senders.size;
    },
    get partialFrameBytes() {
      return partialFrameBytes;
    },
    stop() {
      clearInterval(sweep);
    },
  };
}

/* ------------------------------------------------------------------ client side (browser-safe: no node: imports) */

export interface CallOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}
export const CALL_TIMEOUT_MS_DEFAULT = 10_000;

export interface InclusionAnswer {
  readonly txId: TransactionID;
  readonly state: InclusionState;
  readonly reason: string;
}

export interface NodeConnConnection {
  readonly core: NodeConnClientCore;
  /** Every message from the hub (address updates included). Returns an unsubscribe function. */
  onMessage(handler: (m: WaspFromNode) => void): () => void;
  setId(id: string): void;
  subscribe(address: Address): void;
  getOutputs(address: Address, opts?: CallOptions): Promise<AddressOutput[]>;
  getConfirmedTransaction(txId: TransactionID, opts?: CallOptions): Promise<ValueTransaction>;
  getInclusionState(txId: TransactionID, address: Address, opts?: CallOptions): Promise<InclusionAnswer>;
  /** Posts (re-posting until the hub answers) and returns the first inclusion state: booked or rejected. */
  postTransaction(tx: ValueTransaction, opts?: CallOptions): Promise<InclusionAnswer>;
  /** Pulls the inclusion state until it is final: confirmed or rejected. */
  waitFinal(txId: TransactionID, address: Address, opts?: CallOptions): Promise<InclusionAnswer>;
  /** Faucet. Not retried (a retry would fund twice): one request, one answer or a timeout. */
  requestFunds(address: Address, opts?: CallOptions): Promise<InclusionAnswer>;
  close(): Promise<void>;
  readonly closed: boolean;
}

/** Dials the hub's nodeconn protocol. `hubAddr` is one of the multiaddrs from GET /api/hub. */
export async function connectNodeConn(node: Libp2p, hubAddr: string | Multiaddr, opts: { retryAfterMs?: number; signal?: AbortSignal } = {}): Promise<NodeConnConnection> {
  const ma = typeof hubAddr === 'string' ? multiaddr(hubAddr) : hubAddr;
  const stream = await node.dialProtocol(ma, NODECONN_PROTOCOL, { signal: opts.signal });
  const handlers = new Set<(m: WaspFromNode) => void>();
  const waiters = new Map<PullKey, Set<(m: WaspFromNode) => void>>();
  let closed = false;
  let closeError: Error | undefined;
  const failAll = (err: Error) => {
    closed = true;
    closeError = err;
    for (const h of rejecters) h(err);
    rejecters.clear();
  };
  const rejecters = new Set<(e: Error) => void>();

  const send = frameStream(
    stream,
    (bytes) => {
      let m: WaspFromNode;
      try {
        m = decodeWaspFromNode(bytes);
      } catch (e) {
        stream.abort(e as Error);
        failAll(new NodeConnClientError(`hub sent garbage: ${(e as Error).message}`));
        return;
      }
      for (const k of core.receive(m)) {
        const ws = waiters.get(k);
        if (ws) for (const w of [...ws]) w(m);
      }
      for (const h of handlers) h(m);
    },
    (err) => {
      stream.abort(err);
      failAll(new NodeConnClientError(`nodeconn stream failed: ${err.message}`));
    },
  );
  const core = new NodeConnClientCore((m) => send(m), opts.retryAfterMs);
  stream.addEventListener('close', () => failAll(closeError ?? new NodeConnClientError('nodeconn stream closed')));
  // The only timer: drives re-sends. Edges own clocks; the core above is pure.
  const timer = setInterval(() => core.tick(Date.now()), Math.max(20, Math.floor(core.retryAfterMs / 4)));

  /** Waits for the first message answering `key` that `accept` takes; `start` sends the question. */
  function await_<T>(key: PullKey, start: () => void, accept: (m: WaspFromNode) => T | undefined, co: CallOptions = {}): Promise<T> {
    if (closed) return Promise.reject(closeError ?? new NodeConnClientError('closed'));
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = co.timeoutMs ?? CALL_TIMEOUT_MS_DEFAULT;
      let ws = waiters.get(key);
      if (!ws) waiters.set(key, (ws = new Set()));
      const mine = ws;
      const done = () => {
        clearTimeout(t);
        mine.delete(onMsg);
        if (mine.size === 0) {
          waiters.delete(key);
          core.cancel(key);
        }
        rejecters.delete(onErr);
        co.signal?.removeEventListener('abort', onAbort);
      };
      const onMsg = (m: WaspFromNode) => {
        const v = accept(m);
        if (v === undefined) return;
        done();
        resolve(v);
      };
      const onErr = (e: Error) => {
        done();
        reject(e);
      };
      const onAbort = () => onErr(new NodeConnClientError('aborted'));
      const t = setTimeout(() => onErr(new NodeConnClientError(`no answer from the hub within ${timeoutMs} ms (${key})`)), timeoutMs);
      mine.add(onMsg);
      rejecters.add(onErr);
      co.signal?.addEventListener('abort', onAbort);
      start();
    });
  }

  const inclusion = (m: WaspFromNode): InclusionAnswer | undefined =>
    m.kind === 'waspFromNodeTransactionInclusionState' ? { txId: m.txId, state: m.state, reason: m.reason } : undefined;

  const conn: NodeConnConnection = {
    core,
    onMessage(h) {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    setId(id) {
      send({ kind: 'waspToNodeSetId', id });
    },
    subscribe(address) {
      core.subscribe(address, Date.now());
    },
    getOutputs(address, co) {
      return await_(pullKeys.outputs(address), () => core.ask(pullKeys.outputs(address), { kind: 'waspToNodeGetOutputs', address }, Date.now()), (m) => (m.kind === 'waspFromNodeAddressOutputs' || m.kind === 'waspFromNodeAddressUpdate' ? [...m.outputs] : undefined), co);
    },
    getConfirmedTransaction(txId, co) {
      const key = pullKeys.confirmedTx(txId);
      return await_(key, () => core.ask(key, { kind: 'waspToNodeGetConfirmedTransaction', txId }, Date.now()), (m) => (m.kind === 'waspFromNodeConfirmedTransaction' ? m.tx : undefined), co);
    },
    getInclusionState(txId, address, co) {
      const key = pullKeys.inclusion(txId);
      return await_(key, () => core.ask(key, { kind: 'waspToNodeGetTxInclusionLevel', txId, address }, Date.now()), inclusion, co);
    },
    postTransaction(tx, co) {
      let key = '';
      return await_(
        (key = pullKeys.inclusion(transactionIdOf(tx))),
        () => core.postTransaction(tx, Date.now()),
        inclusion,
        co,
      ).finally(() => core.cancel(key));
    },
    async waitFinal(txId, address, co = {}) {
      const deadline = Date.now() + (co.timeoutMs ?? CALL_TIMEOUT_MS_DEFAULT);
      for (let attempt = 0; attempt < 10_000; attempt++) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const a = await conn.getInclusionState(txId, address, { ...co, timeoutMs: left });
        if (a.state !== 'booked') return a;
        await sleep(Math.min(core.retryAfterMs / 4, Math.max(1, deadline - Date.now())), co.signal);
      }
      throw new NodeConnClientError(`transaction ${toHex(txId).slice(0, 16)}… not final in time`);
    },
    requestFunds(address, co) {
      const key = `funds:${addressKey(address)}`;
      return await_(
        key,
        () => send({ kind: 'waspToNodeRequestFunds', address }),
        (m) => (m.kind === 'waspFromNodeTransactionInclusionState' && addressEquals(m.address, address) ? inclusion(m) : undefined),
        co,
      );
    },
    async close() {
      clearInterval(timer);
      closed = true;
      await stream.close().catch(() => stream.abort(new NodeConnClientError('closed')));
    },
    get closed() {
      return closed;
    },
  };
  // requestFunds answers carry no question key: let every inclusion state reach the funds waiters too.
  handlers.add((m) => {
    if (m.kind !== 'waspFromNodeTransactionInclusionState') return;
    const ws = waiters.get(`funds:${addressKey(m.address)}`);
    if (ws) for (const w of [...ws]) w(m);
  });
  stream.addEventListener('close', () => clearInterval(timer));
  return conn;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new NodeConnClientError('aborted'));
    });
  });
}
