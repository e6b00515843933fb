import { describe, expect, it } from 'vitest'
import { MAX_URL_BYTES } from '../src/constants.js'
import { parseRequestTarget } from '../src/http/request-target.js'

describe('parseRequestTarget', () => {
  it('splits a path into decoded segments and drops the query', () => {
    expect(parseRequestTarget('/assets/app%20x.js?v=1#x')).toEqual({
      ok: true,
      pathname: '/assets/app%20x.js',
      segments: ['assets', 'app x.js'],
      directory: false
    })
    expect(parseRequestTarget('/')).toMatchObject({ ok: true, segments: [], directory: true })
  })

  it('accepts the absolute form', () => {
    expect(parseRequestTarget('http://relay.local:8080/healthz')).toMatchObject({
      ok: true,
      pathname: '/healthz'
    })
    expect(parseRequestTarget('http://relay.local')).toMatchObject({ ok: true, pathname: '/' })
  })

  it.each([
    ['/../etc/passwd', 'TRAVERSAL'],
    ['/assets/../../etc/passwd', 'TRAVERSAL'],
    ['/%2e%2e/etc/passwd', 'TRAVERSAL'],
    ['/%2E%2E%2fetc%2fpasswd', 'TRAVERSAL'],
    ['/.%2e/x', 'TRAVERSAL'],
    ['/a/./b', 'TRAVERSAL'],
    ['/..\\..\\windows', 'TRAVERSAL'],
    ['/%5c..%5cx', 'TRAVERSAL'],
    ['/a%2fb', 'TRAVERSAL'],
    ['/index.html%00.js', 'BAD_TARGET'],
    ['/%0d%0aSet-Cookie:x', 'BAD_TARGET'],
    ['*', 'BAD_TARGET'],
    ['index.html', 'BAD_TARGET'],
    ['/%E0%A4%A', 'BAD_ENCODING'],
    ['/%zz', 'BAD_ENCODING'],
    ['/%', 'BAD_ENCODING']
  ])('refuses %s as %s', (url, code) => {
    expect(parseRequestTarget(url)).toMatchObject({ ok: false, code, status: 400 })
  })

  it('refuses a target over the limit with 414, and accepts one at the limit', () => {
    const at = `/${'a'.repeat(MAX_URL_BYTES - 1)}`
    expect(parseRequestTarget(at).ok).toBe(true)
    expect(parseRequestTarget(`${at}a`)).toMatchObject({ ok: false, code: 'URL_TOO_LONG', status: 414 })
  })
})
