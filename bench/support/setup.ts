import WS from 'ws'

// react-use-websocket has no WebSocket option: it constructs the global one. Under jsdom that is a WebSocket whose
// events Node's EventTarget refuses; `ws` is what every other peer is given in Node.
globalThis.WebSocket = WS as unknown as typeof WebSocket
