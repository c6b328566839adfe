/** Refuses a publish whose payload is not an object or array: events carry their id as metadata on an object. */
export function checkPayload(payload: unknown, channel?: string): asserts payload is object {
  if (typeof payload === 'object' && payload !== null) return
  const where = channel === undefined ? 'publish' : `publish(${JSON.stringify(channel)}, …)`
  throw new TypeError(
    `react-durable-iterator: ${where} needs an object or array payload, got ${payload === null ? 'null' : typeof payload}. ` +
      'Wrap values, e.g. { value }.',
  )
}
