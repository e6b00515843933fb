import { cpus, totalmem } from 'node:os'
import { describe, expect, it } from 'vitest'
import {
  cpuSource,
  memorySource,
  parseCpuinfo,
  parseLoadavg,
  parseMeminfo,
  storageSource
} from '../../src/sources/index.ts'
import type { FsStats } from '../../src/sources/index.ts'
import { FakeTree, recordingLog } from '../fixtures/fake-tree.ts'
import { piCpuinfo, piMeminfo } from '../fixtures/pi.ts'

const x86 = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz
cpu cores\t: 4

processor\t: 1
vendor_id\t: GenuineIntel
model name\t: Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz
`

describe('cpu (proc(5): /proc/cpuinfo, /proc/loadavg)', () => {
  it('parses x86, a 64-bit Raspberry Pi and s390 cpuinfo', () => {
    expect(parseCpuinfo(x86)).toEqual({ cores: 2, model: 'Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz' })
    expect(parseCpuinfo(piCpuinfo)).toEqual({
      cores: 4,
      model: 'ARM Cortex-A72',
      board: 'Raspberry Pi 4 Model B Rev 1.4'
    })
    expect(
      parseCpuinfo('# processors    : 2\nprocessor 0: version = FF\nprocessor 1: version = FF\n')
    ).toEqual({
      cores: 2
    })
    expect(parseCpuinfo('garbage')).toBeUndefined()
  })

  it('parses loadavg and rejects garbage', () => {
    expect(parseLoadavg('0.20 0.18 0.12 1/80 11206\n')).toEqual([0.2, 0.18, 0.12])
    expect(parseLoadavg('0.20 oops')).toBeUndefined()
    expect(parseLoadavg('-1 0 0 1/1 1')).toBeUndefined()
  })

  it('advertises cores, model and load rounded to 0.1; reads the exact load', async () => {
    await using tree = await FakeTree.create({
      'proc/cpuinfo': x86,
      'proc/loadavg': '1.26 0.5 0.1 2/300 999\n'
    })
    const source = cpuSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({
      cpu: 2,
      cpuModel: 'Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz',
      load1: 1.3
    })
    expect((await source.read('cpu.load')).value).toBe(1.26)
  })

  it('falls back to node:os only when the files are absent', async () => {
    await using tree = await FakeTree.create({})
    const source = cpuSource({ root: tree.root })
    await source.poll()
    const caps = source.capabilities()
    expect(caps.cpu).toBe(cpus().length)
    expect(caps.load1).toEqual(expect.any(Number))
  })

  it('does not fall back when the files hold garbage: it logs and leaves the values out', async () => {
    await using tree = await FakeTree.create({ 'proc/cpuinfo': 'nonsense\n', 'proc/loadavg': 'x y z\n' })
    const { log, entries } = recordingLog()
    const source = cpuSource({ root: tree.root, log })
    await source.poll()
    await source.poll()
    expect(source.capabilities()).toEqual({})
    expect(source.sensors()).toEqual([])
    expect(entries.map((e) => e.msg)).toEqual(['cpu: no processor entries', 'cpu: not a load average'])
  })
})

describe('memory (proc(5): /proc/meminfo)', () => {
  it('parses MemTotal and MemAvailable, or estimates available on old kernels', () => {
    expect(parseMeminfo(piMeminfo)).toEqual({ totalMb: 3793, availableMb: 3234 })
    expect(parseMeminfo('MemTotal: 2048 kB\nMemFree: 512 kB\nBuffers: 256 kB\nCached: 256 kB\n')).toEqual({
      totalMb: 2,
      availableMb: 1
    })
    expect(parseMeminfo('MemFree: 1 kB\n')).toBeUndefined()
  })

  it('advertises memoryMb and reads memory.available', async () => {
    await using tree = await FakeTree.create({ 'proc/meminfo': piMeminfo })
    const source = memorySource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({ memoryMb: 3793 })
    expect(await source.read('memory.available')).toMatchObject({ value: 3234, unit: 'MB' })
  })

  it('falls back to node:os when /proc/meminfo is absent', async () => {
    await using tree = await FakeTree.create({})
    const source = memorySource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({ memoryMb: Math.round(totalmem() / 1_048_576) })
  })
})

describe('storage (statfs)', () => {
  const mb = 1_048_576

  it('advertises free MB of the real root file system', async () => {
    await using tree = await FakeTree.create({})
    const source = storageSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities().storageMb).toEqual(expect.any(Number))
    expect((await source.read('storage.free')).value).toBeGreaterThanOrEqual(0)
  })

  it('re-advertises only when free space moved by 64 MB or 1 %, but reads are exact', async () => {
    let stats: FsStats = { bsize: 4096, blocks: (1_000 * mb) / 4096, bavail: (500 * mb) / 4096 }
    const calls: string[] = []
    const source = storageSource({
      path: '/data',
      statfs: (path) => {
        calls.push(path)
        return Promise.resolve(stats)
      }
    })
    await source.poll()
    expect(source.capabilities()).toEqual({ storageMb: 500 })
    stats = { ...stats, bavail: (480 * mb) / 4096 }
    expect(await source.poll()).toBe(false)
    expect(source.capabilities()).toEqual({ storageMb: 500 })
    expect((await source.read('storage.free')).value).toBe(480)
    stats = { ...stats, bavail: (430 * mb) / 4096 }
    expect(await source.poll()).toBe(true)
    expect(source.capabilities()).toEqual({ storageMb: 430 })
    expect(new Set(calls)).toEqual(new Set(['/data']))
  })

  it('withdraws storageMb and logs once when statfs fails', async () => {
    const { log, entries } = recordingLog()
    const source = storageSource({ log, statfs: () => Promise.reject(new Error('EIO')) })
    await source.poll()
    await source.poll()
    expect(source.capabilities()).toEqual({})
    expect(entries).toHaveLength(1)
  })
})
