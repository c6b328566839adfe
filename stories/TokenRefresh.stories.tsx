import { expect, within } from 'storybook/test'
import preview from '../.storybook/preview'
import { type ScenarioArgs, scenario } from './scenario'

const meta = preview.type<{ args: ScenarioArgs }>().meta({ title: 'Token refresh', ...scenario })

/**
 * Tokens live 3 s. A second before one expires, the client fetches the next and hands it to the live socket
 * (`updateToken`): the countdown starts over, tokens keep coming, events keep flowing, one socket throughout.
 * (The mock closes a socket whose token expires without an update: it runs the hubs' own protocol.)
 */
export const ExpiresEveryThreeSeconds = meta.story({
  args: { mock: { tokenTtlSeconds: 3 }, refreshBeforeExpirySeconds: 1 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await canvas.findByText('Status: open')
    await canvas.findByText(/^Token expires in: \d\.\d s$/)
    await canvas.findByText('Token updates: 2', {}, { timeout: 15_000 })
    await expect(await canvas.findByText('Tokens fetched: 3')).toBeVisible()
    await expect(canvas.getByText('Status: open')).toBeVisible()
    await expect(await canvas.findByText('Sockets accepted: 1')).toBeVisible()
    await expect(canvas.getByText('Event ids in order: yes')).toBeVisible()
  },
})
