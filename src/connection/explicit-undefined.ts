import {
  STANDARD_RPC_JSON_SERIALIZER_BUILT_IN_TYPES,
  type StandardRPCCustomJsonSerializer,
} from '@orpc/client/standard'

/**
 * Stands for a remote method called without input. JSON drops `input: undefined`, and oRPC's own server refuses a
 * `call` frame without an `input` key (BAD_REQUEST). This marker is written as `null` with oRPC's "undefined" meta,
 * which every oRPC server reads back as `input: undefined`, key present.
 */
export const NO_INPUT: unique symbol = Symbol('react-durable-iterator: no input')

export const noInputSerializer: StandardRPCCustomJsonSerializer = {
  type: STANDARD_RPC_JSON_SERIALIZER_BUILT_IN_TYPES.UNDEFINED,
  condition: (data) => data === NO_INPUT,
  serialize: () => null,
  // The same reading as oRPC's built-in one for this type (which this serializer now stands in for).
  deserialize: (serialized) => {
    if (serialized !== null) throw new TypeError('Invalid RPC serialized data: undefined is written as null.')
    return undefined
  },
}
