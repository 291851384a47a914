import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync, existsSync } from 'node:fs';
import { encodeRecord, parseLog, type LedgerRecord } from './log';
import type { RecordSink } from './persistent';

/**
 * Append-only file log (Node only). open() reads and checks the whole file, cuts a torn tail off, and hands back
 * the records for replay; append() writes records in one write and fsyncs before returning.
 */
export class FileLog implements RecordSink {
  private constructor(
    private fd: number | undefined,
    readonly path: string,
  ) {}

  static open(path: string): { log: FileLog; records: LedgerRecord[]; droppedTailBytes: number } {
    const bytes = existsSync(path) ? readFileSync(path) : new Uint8Array(0);
    const { records, validBytes } = parseLog(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const fd = openSync(path, 'a+');
    const dropped = fstatSync(fd).size - validBytes;
    if (dropped > 0) {
      ftruncateSync(fd, validBytes);
      fsyncSync(fd);
    }
    return { log: new FileLog(fd, path), records, droppedTailBytes: dropped };
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
