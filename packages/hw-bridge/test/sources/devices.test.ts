import { describe, expect, it } from 'vitest'
import { cameraSource, gpuSource, serialSource } from '../../src/sources/index.ts'
import { FakeTree, dir } from '../fixtures/fake-tree.ts'

describe('gpu (/dev/nvidia*, /dev/dri)', () => {
  it('counts NVIDIA GPUs and render nodes, not control nodes, and not nvidia-drm twice', async () => {
    await using tree = await FakeTree.create({
      'dev/nvidia0': '',
      'dev/nvidia1': '',
      'dev/nvidiactl': '',
      'dev/nvidia-uvm': '',
      'dev/nvidia-modeset': '',
      'dev/dri/card0': '',
      'dev/dri/card1': '',
      'dev/dri/renderD128': '',
      'dev/dri/renderD129': '',
      'sys/bus/pci/drivers/nvidia': dir,
      'sys/bus/pci/drivers/i915': dir,
      'sys/class/drm/renderD128/device/driver': { link: '../../../bus/pci/drivers/nvidia' },
      'sys/class/drm/renderD129/device/driver': { link: '../../../bus/pci/drivers/i915' }
    })
    const source = gpuSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({ gpu: 3, gpuKinds: ['nvidia', 'dri'] })
    expect(source.sensors()).toEqual([])
  })

  it('counts display-only cards when there is no render node, and nothing when there is no GPU', async () => {
    await using tree = await FakeTree.create({ 'dev/dri/card0': '' })
    const source = gpuSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({ gpu: 1, gpuKinds: ['dri'] })
    await tree.remove('dev/dri')
    expect(await source.poll()).toBe(true)
    expect(source.capabilities()).toEqual({})
  })
})

describe('camera (/dev/video*)', () => {
  it('lists capture nodes, leaving out codecs, ISPs and UVC metadata nodes when sysfs says so', async () => {
    await using tree = await FakeTree.create({
      'dev/video0': '',
      'dev/video1': '',
      'dev/video2': '',
      'dev/video10': '',
      'dev/video19': '',
      'sys/class/video4linux/video0/name': 'HD Pro Webcam C920\n',
      'sys/class/video4linux/video0/index': '0\n',
      'sys/class/video4linux/video1/name': 'HD Pro Webcam C920\n',
      'sys/class/video4linux/video1/index': '1\n',
      'sys/class/video4linux/video10/name': 'bcm2835-codec-decode\n',
      'sys/class/video4linux/video19/name': 'bcm2835-isp\n'
    })
    const source = cameraSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({ camera: 2, cameras: ['video0', 'video2'] })
    await expect(source.read('camera.video0')).rejects.toMatchObject({
      name: 'SensorError',
      code: 'NOT_FOUND'
    })
  })

  it('has no camera capability without /dev/video*', async () => {
    await using tree = await FakeTree.create({ 'dev/null': '' })
    const source = cameraSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({})
  })
})

describe('serial', () => {
  it('lists USB, ACM, AMA and serialN ports, and ttyS ports only with a device behind them', async () => {
    await using tree = await FakeTree.create({
      'dev/ttyUSB0': '',
      'dev/ttyUSB10': '',
      'dev/ttyUSB2': '',
      'dev/ttyACM0': '',
      'dev/ttyAMA0': '',
      'dev/serial0': '',
      'dev/ttyS0': '',
      'dev/ttyS1': '',
      'dev/tty0': '',
      'dev/ttyprintk': '',
      'sys/class/tty/ttyS0/device': dir,
      'sys/class/tty/ttyS1/dev': '4:65\n'
    })
    const source = serialSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({
      serial: ['serial0', 'ttyACM0', 'ttyAMA0', 'ttyS0', 'ttyUSB0', 'ttyUSB2', 'ttyUSB10']
    })
  })

  it('notices a USB adapter being plugged in', async () => {
    await using tree = await FakeTree.create({ dev: dir })
    const source = serialSource({ root: tree.root })
    await source.poll()
    expect(source.capabilities()).toEqual({})
    await tree.write({ 'dev/ttyACM0': '' })
    expect(await source.poll()).toBe(true)
    expect(source.capabilities()).toEqual({ serial: ['ttyACM0'] })
  })
})
