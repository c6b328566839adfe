import { useDurableEventIterator } from 'react-durable-iterator'
import { ConnectionPanel } from './ConnectionPanel'
import { orpc, TICKER_SYMBOL } from './config'
import { useStreamHealth } from './useStreamHealth'

function LastPrice() {
  const { lastEvent } = useDurableEventIterator(orpc.ticker.onTick, TICKER_SYMBOL)
  return (
    <p className="price" data-testid="price">
      {lastEvent ? lastEvent.price.toFixed(2) : '–'}
    </p>
  )
}

function Sparkline() {
  const { events } = useDurableEventIterator(orpc.ticker.onTick, TICKER_SYMBOL, { maxEvents: 60 })
  if (events.length < 2) return <svg className="sparkline" aria-hidden="true" />
  const prices = events.map((tick) => tick.price)
  const low = Math.min(...prices)
  const span = Math.max(...prices) - low || 1
  const points = prices.map(
    (price, index) => `${(index / (prices.length - 1)) * 300},${60 - ((price - low) / span) * 56 - 2}`,
  )
  return (
    <svg className="sparkline" viewBox="0 0 300 60" role="img" aria-label="Recent prices">
      <polyline points={points.join(' ')} fill="none" stroke="currentColor" strokeWidth="2" />
    </svg>
  )
}

function TickTape() {
  const { events } = useDurableEventIterator(orpc.ticker.onTick, TICKER_SYMBOL, { maxEvents: 6 })
  return (
    <ol className="tape">
      {events.map((tick) => (
        <li key={tick.seq}>
          #{tick.seq} {tick.price.toFixed(2)}
        </li>
      ))}
    </ol>
  )
}

export function Ticker() {
  const { stream, health, tokensFetched, now } = useStreamHealth(orpc.ticker.onTick, TICKER_SYMBOL)
  return (
    <article className="card">
      <header>
        <h2>Ticker “ACME”</h2>
        <LastPrice />
      </header>
      <ConnectionPanel name="ticker" {...stream} health={health} tokensFetched={tokensFetched} now={now} />
      <Sparkline />
      <TickTape />
    </article>
  )
}
