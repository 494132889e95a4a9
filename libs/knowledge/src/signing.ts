import { createHmac, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { KbPatchProposal, KbSigningCutover } from '@warroom/contracts';

/**
 * Ed25519 signatures of `kb.patches` records (issue 17). The api deployment holds the private key; every
 * reader (the api's replicas, every bot) holds the public keys. A record is signed over its canonical JSON
 * without `signature` (keys sorted at every level), so the bytes a reader verifies do not depend on how a
 * writer or a store ordered the fields.
 */

/** The PKCS#8 DER prefix of an Ed25519 private key: the 32-byte seed follows it (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

type Unsigned<T> = Omit<T, 'signature'>;

/** JSON with object keys sorted at every level; `undefined` members left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The bytes a record's signature covers: the record without its signature, canonical. */
export function kbSignedBytes(record: Unsigned<KbPatchProposal> | Unsigned<KbSigningCutover>): Buffer {
  const { signature: _signature, ...unsigned } = record as Unsigned<KbPatchProposal> & { signature?: string };
  return Buffer.from(canonicalJson(unsigned), 'utf8');
}

/** An Ed25519 private key from base64 PKCS#8 DER; throws a message naming what is wrong. */
export function ed25519PrivateKeyFrom(base64: string): KeyObject {
  const key = createPrivateKey({ key: Buffer.from(base64.trim(), 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'an unknown type'}`);
  return key;
}

/** An Ed25519 public key from base64 SPKI DER; throws a message naming what is wrong. */
export function ed25519PublicKeyFrom(base64: string): KeyObject {
  const key = createPublicKey({ key: Buffer.from(base64.trim(), 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'an unknown type'}`);
  return key;
}

/**
 * An Ed25519 private key derived from a secret (HMAC-SHA256 of a fixed label as the seed): what every api
 * process sharing that secret derives alike. For deployments that did not set a key of their own.
 */
export function ed25519PrivateKeyDerivedFrom(secret: string): KeyObject {
  const seed = createHmac('sha256', secret).update('warroom kb.patches signing key v1').digest();
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** A public key as configuration and `GET /api/kb/state` carry it: SPKI DER, base64. */
export function publicKeyText(key: KeyObject): string {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' }).toString('base64');
}

/** Signs a record with the deployment's private key. */
export function signKbRecord<T extends Unsigned<KbPatchProposal> | Unsigned<KbSigningCutover>>(record: T, privateKey: KeyObject): T & { signature: string } {
  return { ...record, signature: sign(null, kbSignedBytes(record), privateKey).toString('base64') };
}

/** Whether one of `publicKeys` signed this record (two during a key rotation). */
export function kbSignatureValid(record: KbPatchProposal | KbSigningCutover, publicKeys: readonly KeyObject[]): boolean {
  if (record.signature === undefined) return false;
  const signature = Buffer.from(record.signature, 'base64');
  const bytes = kbSignedBytes(record);
  return publicKeys.some((key) => verify(null, bytes, key, signature));
}
