import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, defaultConfig, loadConfig, parseConfig } from '../src/config.ts'
import type { ConfigIssue } from '../src/config.ts'

/** The issues a bad config raises; fails the test if it parses. */
function issues(text: string, file = 'bridge.json'): ConfigIssue[] {
  try {
    parseConfig(text, file)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).name).toBe('ConfigError')
    return (err as ConfigError).issues
  }
  throw new Error('expected a ConfigError')
}

function message(text: string, file = 'bridge.json'): string {
  try {
    parseConfig(text, file)
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('expected a ConfigError')
}

describe('parseConfig: defaults', () => {
  it('gives the defaults for an empty object', () => {
    expect(parseConfig('{}', '/etc/mesh/bridge.json')).toEqual(defaultConfig)
    expect(defaultConfig).toMatchObject({
      root: '/',
      relays: [],
      mdns: true,
      capabilities: {},
      drivers: [],
      http: { enabled: false, port: 9464, host: '127.0.0.1' }
    })
    expect(defaultConfig.sources.thermal).toEqual({ enabled: true, sampleMs: 5_000 })
    expect(defaultConfig.allow).toBeUndefined()
  })

  it('reads a full file with comments and trailing commas, resolving paths against its folder', () => {
    const config = parseConfig(
      `// the kitchen Pi
      {
        "$schema": "./bridge.schema.json",
        "name": "kitchen-pi",
        "capabilities": { "room": "kitchen", "floors": ["0", "1"], "zone": 3, "display": false },
        "root": "fake-root",
        "dataDir": "/var/lib/mesh",
        "relays": ["/dns4/relay.example/tcp/443/wss"],
        "mdns": false,
        "http": { "port": 9100 },
        "sources": {
          "thermal": { "sampleMs": 1000 },
          "camera": false,
          "storage": { "path": "/srv" },
          "iio": true,
        },
        "drivers": [{ "name": "dht22", "command": "dht22-driver", "args": ["--pin", "4"], "cwd": "drivers", "timeoutMs": 2000 }],
        "allow": { "sensor.*": "*", "camera.snapshot": ["12D3KooWAbc"] },
      }`,
      '/etc/mesh/bridge.json'
    )
    expect(config).toMatchObject({
      name: 'kitchen-pi',
      capabilities: { room: 'kitchen', floors: ['0', '1'], zone: 3, display: false },
      root: '/etc/mesh/fake-root',
      dataDir: '/var/lib/mesh',
      relays: ['/dns4/relay.example/tcp/443/wss'],
      mdns: false,
      http: { enabled: true, port: 9100, host: '127.0.0.1' },
      drivers: [
        {
          name: 'dht22',
          command: 'dht22-driver',
          args: ['--pin', '4'],
          cwd: '/etc/mesh/drivers',
          timeoutMs: 2000
        }
      ],
      allow: { 'sensor.*': '*', 'camera.snapshot': ['12D3KooWAbc'] }
    })
    expect(config.sources.thermal).toEqual({ enabled: true, sampleMs: 1000 })
    expect(config.sources.camera).toEqual({ enabled: false, sampleMs: 5_000 })
    expect(config.sources.iio.enabled).toBe(true)
    expect(config.sources.storage).toEqual({ enabled: true, sampleMs: 60_000, path: '/srv' })
  })
})

describe('parseConfig: errors name file:line:column and the field', () => {
  it('reports a JSON syntax error where it is, with the field around it', () => {
    const text = '{\n  "sources": {\n    "cpu": { "sampleMs": 1000 }\n    "memory": false\n  }\n}\n'
    expect(message(text)).toMatch(/^bridge\.json:4:5: sources\.memory: invalid JSON: CommaExpected/)
    expect(issues('{ "name": "a",, }')[0]).toMatchObject({ line: 1, column: 15 })
    expect(message('')).toMatch(/^bridge\.json:1:1: /)
    expect(message('{ "name": ')).toMatch(/^bridge\.json:1:\d+: name: invalid JSON: ValueExpected/)
  })

  it('reports a wrong type at the value, quoting it', () => {
    const text = '{\n  "sources": {\n    "thermal": {\n      "sampleMs": "fast"\n    }\n  }\n}\n'
    expect(message(text)).toBe(
      'bridge.json:4:19: sources.thermal.sampleMs: expected a number ≥ 100, got "fast"'
    )
    expect(message('{ "sources": { "thermal": { "sampleMs": 5 } } }')).toBe(
      'bridge.json:1:41: sources.thermal.sampleMs: expected a number ≥ 100, got 5'
    )
    expect(message('{"mdns": "yes"}', 'conf/b.json')).toBe(
      'conf/b.json:1:10: mdns: expected a boolean, got "yes"'
    )
  })

  it('rejects unknown keys at the key, suggesting the near one', () => {
    expect(message('{\n  "relay": []\n}')).toBe(
      'bridge.json:2:3: relay: unknown key (did you mean "relays"?)'
    )
    const text = '{\n  "sources": {\n    "thermal": { "enabled": true, "sampleMS": 1000 }\n  }\n}'
    expect(message(text)).toBe(
      'bridge.json:3:35: sources.thermal.sampleMS: unknown key (did you mean "sampleMs"?)'
    )
    expect(issues('{ "sources": { "gpio": true } }')).toEqual([
      { line: 1, column: 16, field: 'sources.gpio', message: 'unknown key' }
    ])
  })

  it('reports bad nested fields: drivers, http, allow, capabilities', () => {
    const text = `{
  "drivers": [
    { "name": "ok", "command": "a" },
    { "name": "bme", "command": 42 }
  ]
}`
    expect(message(text)).toBe('bridge.json:4:33: drivers[1].command: expected a string, got 42')
    expect(issues('{ "drivers": [{ "name": "x" }] }')).toEqual([
      { line: 1, column: 15, field: 'drivers[0].command', message: 'missing: expected a string' }
    ])
    expect(
      issues('{ "drivers": [{ "name": "x", "command": "a" }, { "name": "x", "command": "b" }] }')
    ).toEqual([expect.objectContaining({ field: 'drivers[1].name', message: 'another driver is named "x"' })])
    expect(issues('{ "http": { "port": 70000 } }')).toEqual([
      { line: 1, column: 21, field: 'http.port', message: 'expected a port number, 0 to 65535, got 70000' }
    ])
    expect(issues('{ "allow": { "sensor.*": ["peer", 7] } }')[0]).toMatchObject({
      field: 'allow.sensor.*[1]',
      column: 35
    })
    expect(issues('{ "allow": { "sensor.*": "everyone" } }')[0]).toMatchObject({
      field: 'allow.sensor.*',
      message: 'expected "*" or a list of peer ids, got "everyone"'
    })
    expect(issues('{ "capabilities": { "gpu": { "count": 2 } } }')[0]).toMatchObject({
      field: 'capabilities.gpu',
      column: 28
    })
    expect(issues(`{ "capabilities": { "${'k'.repeat(65)}": 1 } }`)[0]?.message).toMatch(/1 to 64 characters/)
    expect(issues('{ "sources": { "serial": "off" } }')[0]).toMatchObject({
      field: 'sources.serial',
      message: 'expected true, false or an object, got "off"'
    })
  })

  it('lists every problem, and catches duplicate keys and __proto__', () => {
    const found = issues(
      '{\n  "mdns": 1,\n  "root": "",\n  "name": "a",\n  "name": "b",\n  "__proto__": {}\n}'
    )
    expect(found.map((i) => [i.line, i.field])).toEqual([
      [2, 'mdns'],
      [3, 'root'],
      [5, 'name'],
      [6, '__proto__']
    ])
  })
})

describe('loadConfig', () => {
  it('reads a file, and names it in errors', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mesh-config-'))
    try {
      const good = join(folder, 'good.json')
      await writeFile(good, '{ "name": "pi", "root": "./tree" }')
      expect(await loadConfig(good)).toMatchObject({ name: 'pi', root: join(folder, 'tree') })
      const bad = join(folder, 'bad.json')
      await writeFile(bad, '{\n  "name": 5\n}')
      await expect(loadConfig(bad)).rejects.toThrow(
        `${bad}:2:11: name: expected a name of 1 to 64 characters, got 5`
      )
      await expect(loadConfig(join(folder, 'missing.json'))).rejects.toMatchObject({
        name: 'ConfigError',
        message: expect.stringMatching(/missing\.json:1:1: \(file\): cannot read the file \(ENOENT\)/)
      })
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})
