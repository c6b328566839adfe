import type { AnyRouter, RouterClient } from '@orpc/server'

/** What a token's `rpc` claim may name: the methods' names, or any string where the methods are not known. */
export type GrantableMethodName<TMethods> = [keyof TMethods] extends [never] ? string : keyof TMethods & string

/**
 * The remote methods a token with the `rpc` claim `TRpc` may call, as a client: what `useDurableEventIterator(…).rpc`
 * offers for it. A method the claim does not name is not there, since the hub would refuse it (FORBIDDEN).
 */
export type GrantedMethods<TMethods extends AnyRouter, TRpc extends readonly string[]> = Pick<
  RouterClient<TMethods>,
  TRpc[number] & keyof RouterClient<TMethods>
>
