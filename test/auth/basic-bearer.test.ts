import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'

const PASSWORD = 'Pa55-w0rd!xyz'
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.t0k3n-VALUE'

/** Neither the log text nor the JSON of the recorded error contains the secret. */
const assertHidden = (r: H.Request, secret: string): void => {
  assert.ok(!H.getLog(r, true).includes(secret), H.getLog(r, true))
  assert.ok(!JSON.stringify(r.error).includes(secret), JSON.stringify(r.error))
  assert.ok(!JSON.stringify(r.log).includes(secret))
}

describe('addBasicAuthorization', () => {
  test('records the scheme; the log names the user and hides the password', () => {
    const before = base()
    const r = pipe(before, H.addBasicAuthorization('ann', PASSWORD))
    assertOk(before, r, 'addBasicAuthorization')
    assert.deepStrictEqual(r.auth, { _tag: 'Basic', user: 'ann', password: PASSWORD })
    assert.match(lastLine(r), /ann/)
    assert.match(lastLine(r), /\*\*\*/)
    assertHidden(r, PASSWORD)
  })

  test('a password with ":" and non-ASCII, and an empty password, are fine', () => {
    assert.deepStrictEqual(pipe(base(), H.addBasicAuthorization('ann', 'a:b:пароль')).auth, {
      _tag: 'Basic',
      user: 'ann',
      password: 'a:b:пароль',
    })
    assert.deepStrictEqual(pipe(base(), H.addBasicAuthorization('ann', '')).auth, {
      _tag: 'Basic',
      user: 'ann',
      password: '',
    })
  })

  test('does not add a header itself (auth headers are made at send time)', () => {
    assert.deepStrictEqual(pipe(base(), H.addBasicAuthorization('ann', PASSWORD)).headers, [])
  })

  test('a user with ":" is InvalidInput, without leaking the password', () => {
    const before = base()
    const r = pipe(before, H.addBasicAuthorization('ann:x', PASSWORD))
    assertInvalid(before, r, 'addBasicAuthorization', /":"|:/)
    assertHidden(r, PASSWORD)
  })

  test('non-string user or password is InvalidInput, without leaking the password', () => {
    for (const [u, p] of [
      [1, PASSWORD],
      [null, PASSWORD],
      ['ann', 1234],
      ['ann', null],
      ['ann', undefined],
    ] as const) {
      const before = base()
      const r = pipe(before, H.addBasicAuthorization(u as never, p as never))
      assertInvalid(before, r, 'addBasicAuthorization', /string/)
      assertHidden(r, PASSWORD)
    }
  })
})

describe('addBearerAuthorization', () => {
  test('records the token and hides it in the log', () => {
    const before = base()
    const r = pipe(before, H.addBearerAuthorization(TOKEN))
    assertOk(before, r, 'addBearerAuthorization')
    assert.deepStrictEqual(r.auth, { _tag: 'Bearer', token: TOKEN })
    assert.match(lastLine(r), /\*\*\*/)
    assertHidden(r, TOKEN)
  })

  test('an empty or non-string token is InvalidInput', () => {
    for (const t of ['', null, undefined, 42, {}]) {
      const before = base()
      assertInvalid(before, pipe(before, H.addBearerAuthorization(t as never)), 'addBearerAuthorization', /token/)
    }
  })

  test('a token with CR, LF or NUL is InvalidInput, without leaking it', () => {
    for (const t of [`${TOKEN}\r\nX-Evil: 1`, `${TOKEN}\n`, `${TOKEN}\0`]) {
      const before = base()
      const r = pipe(before, H.addBearerAuthorization(t))
      assertInvalid(before, r, 'addBearerAuthorization', /CR, LF or NUL/)
      assertHidden(r, TOKEN)
    }
  })
})

describe('one scheme at a time', () => {
  test('the last one set wins', () => {
    assert.deepStrictEqual(
      pipe(base(), H.addBasicAuthorization('ann', PASSWORD), H.addBearerAuthorization(TOKEN)).auth,
      { _tag: 'Bearer', token: TOKEN },
    )
    assert.deepStrictEqual(
      pipe(base(), H.addBearerAuthorization(TOKEN), H.addBasicAuthorization('ann', PASSWORD)).auth,
      {
        _tag: 'Basic',
        user: 'ann',
        password: PASSWORD,
      },
    )
  })

  test('initialize removes auth', () => {
    assert.deepStrictEqual(pipe(base(), H.addBearerAuthorization(TOKEN), H.initialize()).auth, { _tag: 'None' })
  })

  test('no secret in the whole log of a pipeline that uses them everywhere', () => {
    const r = pipe(
      base(),
      H.addBasicAuthorization('ann', PASSWORD),
      H.addBearerAuthorization(TOKEN),
      H.addHeader('Authorization', `Bearer ${TOKEN}`),
      H.setHeaders({ 'Proxy-Authorization': `Basic ${PASSWORD}` }),
      H.addUrlParameter('password', PASSWORD),
      H.setProxy({ host: '127.0.0.1', port: 3128, user: 'ann', password: PASSWORD }),
      H.setUrl(`http://ann:${PASSWORD}@127.0.0.1/`),
      H.addBearerAuthorization(''),
    )
    assert.equal(r.error?.step, 'addBearerAuthorization')
    assertHidden(r, PASSWORD)
    assertHidden(r, TOKEN)
  })
})
