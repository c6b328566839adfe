import { expect, within } from 'storybook/test'
import preview from '../.storybook/preview'
import { type ScenarioArgs, scenario } from './scenario'

const meta = preview.type<{ args: ScenarioArgs }>().meta({ title: 'Shared connection', ...scenario })

/** Three components on the same stream share one token fetch, one socket and one event buffer. */
export const ThreeComponentsOneSocket = meta.story({
  args: { consumers: 3 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    for (const label of ['Lobby 1', 'Lobby 2', 'Lobby 3']) {
      const panel = within(canvas.getByRole('region', { name: label }))
      await panel.findByText('Status: open')
      await panel.findAllByText(/ticker: tick \d+/)
    }
    await expect(await canvas.findByText('Sockets open: 1')).toBeVisible()
    await expect(await canvas.findByText('Sockets accepted: 1')).toBeVisible()
    await expect(await canvas.findByText('Tokens fetched: 1')).toBeVisible()
  },
})
