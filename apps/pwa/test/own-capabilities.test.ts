import type { Capabilities } from 'mesh-core'
import { describe, expect, it } from 'vitest'
import {
  editableCapabilities,
  parseCapabilityValue,
  removeCapability,
  setCapability
} from '../src/capabilities/own-capabilities'
import type { OwnCapabilitiesComponents } from '../src/capabilities/own-capabilities'

/** Enough of a Mesh for the editor: advertise merges or replaces, and adds `tasks` like mesh-core. */
function fakeMesh(initial: Capabilities) {
  let caps: Capabilities = { ...initial }
  const calls: Array<{ caps: Capabilities; replace: boolean }> = []
  const mesh: OwnCapabilitiesComponents = {
    capabilities: () => ({ ...caps, tasks: ['chat.post'] }),
    advertise: (next, o = {}) => {
      calls.push({ caps: next, replace: o.replace === true })
      caps = o.replace === true ? { ...next } : { ...caps, ...next }
      return Promise.resolve()
    }
  }
  return { mesh, calls, own: () => caps }
}

describe('parseCapabilityValue', () => {
  it.each([
    ['4', 4],
    [' -2.5 ', -2.5],
    ['1e3', 1000],
    ['true', true],
    ['false', false],
    ['opus, aac,', ['opus', 'aac']],
    ['linux', 'linux'],
    ['0x10', '0x10'],
    ['Infinity', 'Infinity'],
    ['1e999', '1e999'],
    ['True', 'True'],
    ['', '']
  ])('reads %j as %j', (text, value) => {
    expect(parseCapabilityValue(text)).toEqual(value)
  })
})

describe('editableCapabilities', () => {
  it('lists in key order and leaves out tasks', () => {
    expect(editableCapabilities({ tasks: ['x'], gpu: 2, camera: true })).toEqual([
      ['camera', true],
      ['gpu', 2]
    ])
  })
})

describe('setCapability', () => {
  it('advertises one parsed capability, merged with the rest', async () => {
    const { mesh, calls, own } = fakeMesh({ cpu: 4 })
    await setCapability(mesh, ' gpu ', '2')
    expect(calls).toEqual([{ caps: { gpu: 2 }, replace: false }])
    expect(own()).toEqual({ cpu: 4, gpu: 2 })
  })

  it('refuses tasks and actors, which mesh-core sets itself', async () => {
    const { mesh, calls } = fakeMesh({})
    for (const key of ['tasks', 'actors'])
      await expect(setCapability(mesh, key, 'a,b')).rejects.toMatchObject({
        name: 'ReservedCapabilityError'
      })
    expect(calls).toEqual([])
  })

  it('passes mesh-core rejections through', async () => {
    const mesh: OwnCapabilitiesComponents = {
      capabilities: () => ({}),
      advertise: () =>
        Promise.reject(Object.assign(new Error('bad key'), { name: 'InvalidCapabilitiesError' }))
    }
    await expect(setCapability(mesh, '', 'x')).rejects.toMatchObject({ name: 'InvalidCapabilitiesError' })
  })
})

describe('removeCapability', () => {
  it('replaces the set with the others, never sending tasks', async () => {
    const { mesh, calls, own } = fakeMesh({ cpu: 4, gpu: 2 })
    await removeCapability(mesh, 'gpu')
    expect(calls).toEqual([{ caps: { cpu: 4 }, replace: true }])
    expect(own()).toEqual({ cpu: 4 })
  })
})
