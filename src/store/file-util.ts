import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Write-temp-and-rename: `path` holds the old bytes or the new ones, never a mix. The temporary file is synced
 * before the rename and the folder after it, so the new name survives a power cut too. Mode 0600: registry files
 * hold key shares.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  await rm(tmp, { force: true }); // a leftover of a crashed write: never the only copy of anything
  const fh = await open(tmp, 'wx', 0o600);
  try {
    for (let done = 0; done < bytes.length; ) done += (await fh.write(bytes, done, bytes.length - done)).bytesWritten;
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** fsync of a folder: makes a rename or a new file in it durable (a no-op where folders cannot be opened). */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await fh.sync();
  } catch {
    // some file systems refuse fsync on a folder; the rename itself is still atomic
  } finally {
    await fh.close();
  }
}
