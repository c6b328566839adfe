/** A signing key as users pass it: a secret string (at least 32 bytes) or raw bytes. */
export type SigningKey = string | Uint8Array

const MIN_KEY_BYTES = 32
const bytesCache = new WeakMap<Uint8Array, Uint8Array>()
const stringCache = new Map<string, Uint8Array>()

/**
 * The raw bytes HS256 signs and verifies with, for every host (Node, workerd, browsers: no Buffer). Short keys are
 * refused: HS256 with a key shorter than the hash is guessable, and jose would refuse it later with a less helpful
 * message. The bytes are a fresh Uint8Array of this realm, since jose refuses one from another realm (e.g. jsdom's).
 */
export function toKeyBytes(signingKey: SigningKey): Uint8Array {
  if (typeof signingKey === 'string') {
    let key = stringCache.get(signingKey)
    if (!key) {
      key = checked(new TextEncoder().encode(signingKey))
      stringCache.set(signingKey, key)
    }
    return key
  }
  let key = bytesCache.get(signingKey)
  if (!key) {
    key = checked(signingKey)
    bytesCache.set(signingKey, key)
  }
  return key
}

function checked(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength < MIN_KEY_BYTES) {
    throw new TypeError(
      `react-durable-iterator: signingKey must be at least ${MIN_KEY_BYTES} bytes for HS256 (got ${bytes.byteLength}). ` +
        'Use a long random secret, e.g. `openssl rand -base64 48`.',
    )
  }
  return Uint8Array.from(bytes)
}
