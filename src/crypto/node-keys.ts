import { toHex } from '../protocol/bytes';

type NodeCrypto = typeof import('node:crypto');
type KeyObject = import('node:crypto').KeyObject;

/**
 * node:crypto when this runs in Node (≥ 20.16), else null. Reached through process.getBuiltinModule, so the files
 * that use it stay importable in the browser (which keeps @noble).
 */
export function nodeCrypto(): NodeCrypto | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined) ?? null;
}

/**
 * Raw 32-byte ed25519 keys as node:crypto KeyObjects, the recent `max` kept (oldest dropped first): importing a key
 * costs about as much as signing or verifying with it, and wallets and senders repeat. `derPrefix` is the RFC 8410
 * DER header of the key kind (SPKI for public keys, PKCS#8 for seeds).
 */
export function ed25519KeyCache(crypto: NodeCrypto, kind: 'public' | 'private', max: number): (raw: Uint8Array) => KeyObject {
  const prefix = kind === 'public' ? SPKI_ED25519_PREFIX : PKCS8_ED25519_PREFIX;
  const keys = new Map<string, KeyObject>();
  return (raw) => {
    const hex = toHex(raw);
    let key = keys.get(hex);
    if (!key) {
      const der = new Uint8Array(prefix.length + 32);
      der.set(prefix);
      der.set(raw, prefix.length);
      const spec = { key: Buffer.from(der), format: 'der' as const };
      key = kind === 'public' ? crypto.createPublicKey({ ...spec, type: 'spki' }) : crypto.createPrivateKey({ ...spec, type: 'pkcs8' });
      if (keys.size >= max) keys.delete(keys.keys().next().value as string);
      keys.set(hex, key);
    }
    return key;
  };
}

// DER headers for raw 32-byte Ed25519 keys (RFC 8410): SubjectPublicKeyInfo and PKCS#8 private key.
const SPKI_ED25519_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);
const PKCS8_ED25519_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);
