import type { AnyRouter } from '@orpc/server'
import type { SigningKey } from './signing-key.js'

/** The options every host of the protocol takes. */
export interface DurableIteratorHostOptions<TMethods extends AnyRouter> {
  /** HS256 secret, at least 32 bytes: the same key the token procedure signs with. */
  signingKey: SigningKey
  /**
   * How long published events are kept for clients that resume with a last event id.
   * @default 300
   */
  resumeRetentionSeconds?: number
  /**
   * At most this many events per channel are kept for resume.
   * @default 1000
   */
  resumeMaxEvents?: number
  /**
   * Frames larger than this close the socket with 1009.
   * @default 65536
   */
  maxPayloadBytes?: number
  /**
   * Remote methods, an oRPC router whose procedures run with `DurableIteratorMethodContext`. A token may call
   * `methods[name]` only if `name` is in its `rpc` claim.
   */
  methods?: TMethods
}

/** The host options as the protocol core uses them, defaults applied. */
export interface ResolvedHostOptions {
  retentionMs: number
  maxEvents: number
  maxFrameBytes: number
}

export function resolveHostOptions(
  options: Omit<DurableIteratorHostOptions<AnyRouter>, 'signingKey'>,
): ResolvedHostOptions {
  return {
    retentionMs: (options.resumeRetentionSeconds ?? 300) * 1000,
    maxEvents: options.resumeMaxEvents ?? 1000,
    maxFrameBytes: options.maxPayloadBytes ?? 65_536,
  }
}
