#!/usr/bin/env node
// A minimal Mesh driver (docs/DRIVERS.md, protocol 1) in plain Node, no dependencies.
// It serves one polled sensor (`count`), one pushed sensor (`uptime`, every
// --interval-ms) and two tasks (`counter.add`, `counter.reset`).
//
//   drivers: [{ "name": "counter", "command": "node", "args": ["examples/drivers/counter.mjs"] }]
import { createInterface } from 'node:readline'

const intervalArg = process.argv.find((a) => a.startsWith('--interval-ms='))
const intervalMs = intervalArg === undefined ? 1_000 : Number(intervalArg.split('=')[1])
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`)
let count = 0

send({
  type: 'hello',
  protocol: 1,
  name: 'counter',
  capabilities: { counter: true },
  sensors: [
    { id: 'count', kind: 'count' },
    { id: 'uptime', kind: 'duration', unit: 's', push: true }
  ],
  tasks: ['counter.add', 'counter.reset']
})

const started = Date.now()
const timer = setInterval(() => {
  send({ type: 'sample', sensor: 'uptime', value: Math.round((Date.now() - started) / 1_000) })
}, intervalMs)

function answer(request) {
  const result = (value) => send({ id: request.id, type: 'result', value })
  const error = (message, code) => send({ id: request.id, type: 'error', message, ...(code ? { code } : {}) })
  if (request.type === 'read')
    return request.sensor === 'count' ? result(count) : error('no such sensor', 'NOT_FOUND')
  if (request.type !== 'call') return // `cancel`: every answer here is immediate
  if (request.task === 'counter.reset') return result((count = 0))
  if (request.task === 'counter.add') {
    const by = request.args?.by ?? 1
    if (typeof by !== 'number') return error('args.by must be a number', 'BAD_ARGS')
    return result((count += by))
  }
  error(`unknown task ${request.task}`)
}

const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  let request
  try {
    request = JSON.parse(line)
  } catch {
    return send({ type: 'log', level: 'warn', msg: 'ignored a line that is not JSON' })
  }
  answer(request)
})
// The bridge closes stdin to ask us to exit.
lines.on('close', () => {
  clearInterval(timer)
  process.exit(0)
})
