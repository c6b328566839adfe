/** A signing key as users pass it: a secret string (at least 32 bytes) or raw bytes. */
export type SigningKey = string | Uint8Array

const MIN_KEY_BYTES = 32
const keyCache = new WeakMap<object, Uint8Array>()
const stringKeyCache = new Map<string, Uint8Array>()

/**
 * Turns a user's signing key into the raw bytes jose signs HS256 with. Short keys are refused: HS256 with a key
 * shorter than the hash is guessable, and jose would refuse it later with a less helpful message.
 */
export function toSecretKey(signingKey: SigningKey): Uint8Array {
  if (typeof signingKey === 'string') {
    let key = stringKeyCache.get(signingKey)
    if (!key) {
      key = checked(Buffer.from(signingKey, 'utf8'))
      stringKeyCache.set(signingKey, key)
    }
    return key
  }
  let key = keyCache.get(signingKey)
  if (!key) {
    key = checked(Buffer.from(signingKey))
    keyCache.set(signingKey, key)
  }
  return key
}

function checked(bytes: Buffer): Uint8Array {
  if (bytes.byteLength < MIN_KEY_BYTES) {
    throw new TypeError(
      `react-durable-iterator: signingKey must be at least ${MIN_KEY_BYTES} bytes for HS256 (got ${bytes.byteLength}). ` +
        'Use a long random secret, e.g. `openssl rand -base64 48`.',
    )
  }
  // A fresh Uint8Array of this realm: jose refuses Buffers and KeyObjects from another realm (e.g. under jsdom).
  return Uint8Array.from(bytes)
}
