import { capabilitiesProblem } from 'mesh-core'
import { describe, expect, it } from 'vitest'
import { sourceFactories } from '../../src/sources/index.ts'
import { FakeTree, recordingLog } from '../fixtures/fake-tree.ts'
import type { Entry } from '../fixtures/fake-tree.ts'
import { piTree } from '../fixtures/pi.ts'

/*
 * The same checks for every built-in source, on a realistic tree, an empty one and one where
 * every file holds garbage: the contract the bridge relies on.
 */

const garbage = Object.fromEntries(
  Object.entries(piTree).map(([k, v]) => [
    k,
    typeof v === 'string' && !k.startsWith('dev/') ? 'zz\u0000 -- 1 2\n' : v
  ])
)

const trees: Record<string, Record<string, Entry>> = { pi: piTree, empty: {}, garbage }

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/

describe.each(Object.entries(sourceFactories))('source contract: %s', (name, factory) => {
  it.each(Object.entries(trees))('on the %s tree', async (treeName, entries) => {
    await using tree = await FakeTree.create(entries)
    const { log, entries: logged } = recordingLog()
    const source = factory({ root: tree.root, log })
    expect(source.name).toBe(name)
    let changes = 0
    await source.start(() => changes++)
    await source.start(() => changes++)

    const caps = source.capabilities()
    expect(capabilitiesProblem(caps)).toBeUndefined()
    const sensors = source.sensors()
    expect(new Set(sensors.map((s) => s.id)).size).toBe(sensors.length)
    for (const sensor of sensors) {
      expect(sensor.id).toMatch(idPattern)
      expect(sensor.id.startsWith(`${name}.`)).toBe(true)
      const r = await source.read(sensor.id)
      expect(r.sensor).toBe(sensor.id)
      expect(r.unit).toBe(sensor.unit)
      expect(r.at).toBeGreaterThan(0)
    }
    await expect(source.read(`${name}.no-such-sensor`)).rejects.toMatchObject({
      name: 'SensorError',
      code: 'NOT_FOUND'
    })
    const aborted = AbortSignal.abort()
    if (sensors[0] !== undefined) await expect(source.read(sensors[0].id, aborted)).rejects.toThrow()

    // Polling a tree that does not change says nothing and logs nothing new.
    const before = logged.length
    expect(await source.poll()).toBe(false)
    expect(await source.poll()).toBe(false)
    expect(logged.length).toBe(before)
    expect(changes).toBe(0)
    if (treeName === 'garbage' && ['thermal', 'iio', 'power'].includes(name)) {
      expect(sensors).toEqual([])
      expect(logged.length).toBeGreaterThan(0)
    }
    if (treeName === 'pi') expect(logged).toEqual([])

    await source.stop()
    await source.stop()
  })
})
