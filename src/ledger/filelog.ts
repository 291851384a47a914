import { closeSync, constants as fsConstants, copyFileSync, existsSync, fstatSync, fsyncSync, ftruncateSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeRecord, LedgerLogCorruptError, scanLog, type LedgerRecord, type LogDamage } from './log';
import type { RecordSink } from './persistent';

/** The log's name inside a data folder (the faucet key checks for it too). */
export const LEDGER_LOG_FILE = 'ledger.log';
/** Names tried for the set-aside copy of a repaired log: <log>.corrupt-1 … -N. */
export const CORRUPT_COPIES_MAX = 1000;

export interface FileLogOptions {
  /**
   * On corruption, keep the valid prefix instead of refusing: the damaged file is kept as <path>.corrupt-<n>
   * and <path> is replaced by its valid prefix. Without it, corruption throws LedgerLogCorruptError.
   */
  readonly repair?: boolean;
}

export interface RepairReport {
  /** Where the valid prefix ended in the damaged file. */
  readonly offset: number;
  readonly reason: string;
  /** Bytes of the damaged file not kept. */
  readonly droppedBytes: number;
  /** The damaged file, whole. */
  readonly movedTo: string;
}

export interface OpenedFileLog {
  readonly log: FileLog;
  readonly records: LedgerRecord[];
  /** Bytes of a torn last append cut off (0 if none). */
  readonly droppedTailBytes: number;
  /** The torn tail that was cut off, if any. */
  readonly torn: LogDamage | undefined;
  /** Set when --repair replaced a corrupt log by its valid prefix. */
  readonly repaired: RepairReport | undefined;
}

export class LedgerRepairError extends Error {
  override readonly name = 'LedgerRepairError';
}

/**
 * Append-only file log (Node only). open() reads and checks the whole file: a torn tail (a crash during the last
 * append) is cut off, corruption anywhere else refuses to open unless repair was asked for. append() writes
 * records in one write and fsyncs before returning.
 */
export class FileLog implements RecordSink {
  private constructor(
    private fd: number | undefined,
    readonly path: string,
  ) {}

  static open(path: string, opts: FileLogOptions = {}): OpenedFileLog {
    const raw = existsSync(path) ? readFileSync(path) : new Uint8Array(0);
    const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    const scan = scanLog(bytes);
    if (scan.damage?.kind === 'corrupt') {
      if (!opts.repair) throw new LedgerLogCorruptError(path, scan.damage.offset, scan.damage.reason, scan.records.length);
      const movedTo = replaceWithPrefix(path, bytes.subarray(0, scan.validBytes));
      const repaired: RepairReport = { offset: scan.damage.offset, reason: scan.damage.reason, droppedBytes: bytes.length - scan.validBytes, movedTo };
      return { log: new FileLog(openSync(path, 'a+'), path), records: scan.records, droppedTailBytes: 0, torn: undefined, repaired };
    }
    const fd = openSync(path, 'a+');
    const dropped = fstatSync(fd).size - scan.validBytes;
    if (dropped > 0) {
      ftruncateSync(fd, scan.validBytes);
      fsyncSync(fd);
    }
    return { log: new FileLog(fd, path), records: scan.records, droppedTailBytes: dropped, torn: scan.damage, repaired: undefined };
  }

  append(records: readonly LedgerRecord[]): void {
    if (this.fd === undefined) throw new Error(`ledger log ${this.path} is closed`);
    if (records.length === 0) return;
    const parts = records.map(encodeRecord);
    const total = parts.reduce((n, p) => n + p.length, 0);
    const buf = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      buf.set(p, off);
      off += p.length;
    }
    for (let written = 0; written < buf.length; ) written += writeSync(this.fd, buf, written, buf.length - written);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** One line for the hub's start-up log: what open() had to drop or repair, or '' when nothing. */
export function describeOpenedLog(o: OpenedFileLog): string {
  if (o.repaired)
    return `; REPAIRED: dropped ${o.repaired.droppedBytes} bytes from byte ${o.repaired.offset} on (${o.repaired.reason}); the damaged file is kept as ${o.repaired.movedTo}`;
  if (o.torn) return `; dropped a torn last record (${o.droppedTailBytes} bytes at byte ${o.torn.offset}: ${o.torn.reason})`;
  return '';
}

/**
 * Keeps the damaged file under a new name and puts its valid prefix in its place. The order makes every crash
 * point safe: the prefix is written and synced to a temporary file first, the original gets its second name
 * (a hard link, so it is never copied half-way), then the prefix is renamed over the original name — at every
 * moment `path` holds either the original or the whole prefix, never nothing (which would start a new ledger).
 */
function replaceWithPrefix(path: string, prefix: Uint8Array): string {
  const movedTo = freeCopyName(path);
  const tmp = `${path}.repair-tmp`;
  rmSync(tmp, { force: true }); // a leftover from a repair that crashed: never the only copy of anything
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    for (let written = 0; written < prefix.length; ) written += writeSync(fd, prefix, written, prefix.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(path, movedTo);
  } catch (e) {
    // Filesystems without hard links: a copy (COPYFILE_EXCL never overwrites), synced before the rename below.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    copyFileSync(path, movedTo, fsConstants.COPYFILE_EXCL);
    const cfd = openSync(movedTo, 'r');
    fsyncSync(cfd);
    closeSync(cfd);
  }
  renameSync(tmp, path);
  syncDir(dirname(path));
  return movedTo;
}

function freeCopyName(path: string): string {
  for (let n = 1; n <= CORRUPT_COPIES_MAX; n++) if (!existsSync(`${path}.corrupt-${n}`)) return `${path}.corrupt-${n}`;
  throw new LedgerRepairError(`${path}.corrupt-1 … -${CORRUPT_COPIES_MAX} all exist: move old copies away before repairing again`);
}

/** Makes renames in `dir` durable (POSIX). Platforms that cannot open a directory for fsync have nothing to do. */
export function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR' || (e as NodeJS.ErrnoException).code === 'EPERM') return; // Windows
    throw e;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
