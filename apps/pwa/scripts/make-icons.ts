// Draws the Mesh logo (dots joined by lines on a dark background) into the PWA icons.
// Run once with `node scripts/make-icons.ts`; the PNGs it writes are committed. It needs
// nothing beyond Node: shapes are signed distance fields, PNGs are encoded with node:zlib.
import { writeFileSync } from 'node:fs'
import { crc32, deflateSync } from 'node:zlib'

type Rgb = readonly [number, number, number]
interface Point {
  x: number
  y: number
}

const background: Rgb = [0x0b, 0x10, 0x20]
const edgeColour: Rgb = [0x38, 0xbd, 0xf8]
const nodeColour: Rgb = [0x7d, 0xd3, 0xfc]
const hubColour: Rgb = [0xf0, 0xf9, 0xff]
const edgeAlpha = 0.8

/** Geometry in a unit square: a hub and a ring of five peers, the ring's bounding box centred. */
const ringRadius = 0.29
const hub: Point = { x: 0.5, y: 0.5 + (ringRadius * (1 - Math.cos(Math.PI / 5))) / 2 }
const ring: Point[] = Array.from({ length: 5 }, (_, i) => {
  const angle = -Math.PI / 2 + (i * 2 * Math.PI) / 5
  return { x: hub.x + ringRadius * Math.cos(angle), y: hub.y + ringRadius * Math.sin(angle) }
})
const edges: [Point, Point][] = ring.flatMap((p, i): [Point, Point][] => [
  [hub, p],
  [p, ring[(i + 1) % ring.length] ?? p]
])
const edgeWidth = 0.034
const nodeRadius = 0.066
const hubRadius = 0.088
/** Corner radius of the plain icons; maskable icons fill the square. */
const cornerRadius = 0.22

interface IconSpec {
  file: string
  size: number
  /** Maskable icons are cropped by the OS: fill the square and keep the logo in the safe zone. */
  maskable: boolean
}

const icons: IconSpec[] = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'maskable-512.png', size: 512, maskable: true }
]

const outDir = new URL('../public/', import.meta.url)

function segmentDistance(p: Point, a: Point, b: Point): number {
  const abx = b.x - a.x
  const aby = b.y - a.y
  const t = Math.max(0, Math.min(1, ((p.x - a.x) * abx + (p.y - a.y) * aby) / (abx * abx + aby * aby)))
  return Math.hypot(p.x - a.x - t * abx, p.y - a.y - t * aby)
}

function roundedSquareDistance(p: Point, radius: number): number {
  const qx = Math.abs(p.x - 0.5) - (0.5 - radius)
  const qy = Math.abs(p.y - 0.5) - (0.5 - radius)
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius
}

/** Pixel coverage of a shape from its signed distance in pixels: a one-pixel antialiased edge. */
function coverage(distancePx: number): number {
  return Math.max(0, Math.min(1, 0.5 - distancePx))
}

function render(spec: IconSpec): Uint8Array {
  const { size, maskable } = spec
  // The maskable safe zone is a centred circle of radius 0.4; the logo reaches 0.38 at scale 1.
  const scale = maskable ? 0.82 : 1
  const rgba = new Uint8Array(size * size * 4)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = (x + 0.5) / size
      const py = (y + 0.5) / size
      // Logo space: undo the scale about the centre.
      const p = { x: 0.5 + (px - 0.5) / scale, y: 0.5 + (py - 0.5) / scale }
      const logoPx = size * scale
      let [r, g, b] = background
      let a = maskable ? 1 : coverage(roundedSquareDistance({ x: px, y: py }, cornerRadius) * size)
      const paint = (colour: Rgb, alpha: number): void => {
        if (alpha <= 0) return
        r = r * (1 - alpha) + colour[0] * alpha
        g = g * (1 - alpha) + colour[1] * alpha
        b = b * (1 - alpha) + colour[2] * alpha
        a = a + (1 - a) * alpha
      }
      const edge = Math.min(...edges.map(([from, to]) => segmentDistance(p, from, to)))
      paint(edgeColour, edgeAlpha * coverage((edge - edgeWidth / 2) * logoPx))
      const node = Math.min(...ring.map((n) => Math.hypot(p.x - n.x, p.y - n.y)))
      paint(nodeColour, coverage((node - nodeRadius) * logoPx))
      paint(hubColour, coverage((Math.hypot(p.x - hub.x, p.y - hub.y) - hubRadius) * logoPx))
      const i = (y * size + x) * 4
      rgba[i] = Math.round(r)
      rgba[i + 1] = Math.round(g)
      rgba[i + 2] = Math.round(b)
      rgba[i + 3] = Math.round(a * 255)
    }
  }
  return rgba
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const out = Buffer.alloc(body.length + 8)
  out.writeUInt32BE(data.length, 0)
  body.copy(out, 4)
  out.writeUInt32BE(crc32(body), body.length + 4)
  return out
}

/** Encodes 8-bit RGBA pixels as a PNG: filter type 0 on every row, one IDAT. */
function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // colour type: RGBA
  const stride = width * 4
  const raw = Buffer.alloc((stride + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0))
  ])
}

function svg(): string {
  const n = (v: number): string => (v * 64).toFixed(2)
  const lines = edges
    .map(([a, b]) => `<line x1="${n(a.x)}" y1="${n(a.y)}" x2="${n(b.x)}" y2="${n(b.y)}"/>`)
    .join('')
  const dots = ring.map((p) => `<circle cx="${n(p.x)}" cy="${n(p.y)}" r="${n(nodeRadius)}"/>`).join('')
  const hex = (c: Rgb): string => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">',
    `<rect width="64" height="64" rx="${n(cornerRadius)}" fill="${hex(background)}"/>`,
    `<g stroke="${hex(edgeColour)}" stroke-opacity="${edgeAlpha}" stroke-width="${n(edgeWidth)}">${lines}</g>`,
    `<g fill="${hex(nodeColour)}">${dots}</g>`,
    `<circle cx="${n(hub.x)}" cy="${n(hub.y)}" r="${n(hubRadius)}" fill="${hex(hubColour)}"/>`,
    '</svg>',
    ''
  ].join('\n')
}

for (const spec of icons) {
  writeFileSync(new URL(spec.file, outDir), encodePng(spec.size, spec.size, render(spec)))
}
writeFileSync(new URL('favicon.svg', outDir), svg())
