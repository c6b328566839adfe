import { ChatRoom } from './ChatRoom'
import { demoConfig } from './config'
import { FaultControls } from './FaultControls'
import { Ticker } from './Ticker'

export function App() {
  return (
    <main>
      <h1>react-durable-iterator</h1>
      <p className="lede">
        Two streams, each used by several components through one socket. Tokens live {demoConfig.tokenTtlSeconds} s and
        are refreshed over the live socket before they expire. Break things below and watch the counters: no reconnect
        for a token, no gap after a drop or an outage.
      </p>
      <p className="lede" data-testid="engine">
        engine: {demoConfig.engine}
      </p>
      <FaultControls />
      <div className="streams">
        <ChatRoom />
        <Ticker />
      </div>
    </main>
  )
}
