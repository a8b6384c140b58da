/**
 * Templates: a request saved to share, with no literal secret and no build log, and loaded back.
 * Secrets given as `secretFromEnv` are saved as the name of their variable; a literal secret is
 * withheld (saved as a marker that fails with a clear `InvalidInput` when the request runs).
 * `RequestCodec` stays the lossless codec: it carries every secret.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidInput, type ClientError } from '../model/errors.js'
import { RequestCodec } from '../model/codec.js'
import type { Auth, Json, Request } from '../model/request.js'
import { isSecretParam } from '../encoding/redact.js'
import { isRequest } from './step.js'
import type { TemplateTrust } from './template-trust.js'
import { templateLoader } from './template-loader.js'
import {
  withholdAuth,
  withholdBody,
  withholdHeaders,
  withholdPairs,
  withholdTls,
  withoutQuerySecrets,
  withoutUserInfo,
} from './template-withhold.js'

/**
 * The version of the template format written by {@link toTemplate}.
 * @example
 * TEMPLATE_VERSION // 1
 * @category request
 * @since 0.2.0
 */
export const TEMPLATE_VERSION = 1

/**
 * A request as a shareable template (JSON data): every literal secret withheld and no log.
 * Withheld: the auth credentials, the proxy password, the TLS passphrase and a private key given
 * as PEM text, the value of every header named like a secret (`Authorization`, `X-Authorization`,
 * `Authentication`, `X-Api-Key`, …), every query param and body field named like one (JSON
 * members at any depth, form fields, multipart text fields: `password`, `client_secret`,
 * `token`, `api_key`, …) and any PEM private key text; the URL's user info (user name and
 * password), a fragment that carries a secret (`#access_token=…`) and the values of secret-named
 * path params (`{token}`) are dropped. Running the
 * loaded request is an `InvalidInput` naming each withheld field until it is set again.
 * `secretFromEnv` references are kept as the names of their variables. Load it with
 * {@link fromTemplate}.
 * @example
 * const saved = JSON.stringify(H.toTemplate(pipe(req, H.addBearerAuthorization(H.secretFromEnv('API_TOKEN')))))
 * @category request
 * @since 0.2.0
 */
export const toTemplate = (req: Request): Json => {
  if (!isRequest(req)) return { httpipeTemplate: TEMPLATE_VERSION, request: null }
  const url = withoutUserInfo(req.url)
  const baseUrl = withoutUserInfo(req.baseUrl)
  const query = withoutQuerySecrets(url.url)
  // a base's query is sent only when the request has no URL of its own (setBaseUrl refuses one)
  const baseQuery = withoutQuerySecrets(baseUrl.url)
  const userInfo = url.userInfo || baseUrl.userInfo
  const auth: Auth =
    userInfo && req.auth._tag === 'None'
      ? // user info becomes Basic authorization when the request runs: withheld, it is refused until set again
        {
          _tag: 'Basic',
          user: '',
          password: {
            _tag: 'Withheld',
            field: `${url.userInfo ? 'url' : 'baseUrl'} user info (addBasicAuthorization sets it)`,
          },
        }
      : withholdAuth(req.auth)
  const safe: Request = {
    ...req,
    url: query.url,
    params: [...query.moved, ...(req.url === null ? baseQuery.moved : []), ...withholdPairs(req.params, 'params')],
    baseUrl: baseQuery.url,
    auth,
    body: withholdBody(req.body),
    proxy:
      req.proxy === null
        ? null
        : {
            ...req.proxy,
            password:
              typeof req.proxy.password === 'string'
                ? { _tag: 'Withheld', field: 'proxy.password' }
                : req.proxy.password,
          },
    tls: withholdTls(req.tls),
    headers: withholdHeaders(req.headers),
    // a secret-named path param (`/bot{token}/…`) is left out: its placeholder, without a value,
    // is an InvalidInput naming it until setPathParam sets it again
    pathParams: Array.isArray(req.pathParams)
      ? req.pathParams.filter(([name, value]) => typeof value === 'boolean' || !isSecretParam(name))
      : [],
    log: [],
  }
  return { httpipeTemplate: TEMPLATE_VERSION, request: RequestCodec.encode(safe) as unknown as Json }
}

/**
 * Loads a template saved by {@link toTemplate} (for example `JSON.parse` of a file): a Right
 * Request, or an `InvalidInput`. A template is data from someone else: it may describe a
 * request but not act on this machine. Unless `trust` allows it, a template that would read a
 * secret from the environment (a `secretFromEnv` reference anywhere), read or write a local file
 * (a body, a multipart part, TLS files, the response file), use a proxy or turn TLS certificate
 * checks off is refused, the `InvalidInput` naming every such field and the option that allows
 * it (`headers[2] (X-Trace) reads env GITHUB_TOKEN: allow with trust.secrets.GITHUB_TOKEN`). A
 * trusted secret is bound to the origins given for it: read only for a request to one of them,
 * never after a redirect to another. A template that is not valid is an `InvalidInput` naming
 * the first field that is not as a template has it; a `trust` that is not valid, one naming what
 * is wrong with it.
 * @example
 * const saved = JSON.stringify(H.toTemplate(pipe(H.newRequest(), H.setBaseUrl('https://api.github.com'), H.addBearerAuthorization(H.secretFromEnv('GITHUB_TOKEN')))))
 * H.fromTemplate(JSON.parse(saved))._tag // 'Left': auth.token reads env GITHUB_TOKEN: allow with trust.secrets.GITHUB_TOKEN
 * const loaded = H.fromTemplate(JSON.parse(saved), { secrets: { GITHUB_TOKEN: 'https://api.github.com' } }) // a Right
 * H.fromTemplate({ httpipeTemplate: 99 })._tag // 'Left'
 * @category request
 * @since 0.2.0
 */
export const fromTemplate = (json: unknown, trust?: TemplateTrust): E.Either<ClientError, Request> => {
  let loader: ReturnType<typeof templateLoader>
  try {
    loader = templateLoader()
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''
    return E.left(invalidInput('fromTemplate', `fromTemplate: the template reader cannot be loaded: ${why}`, []))
  }
  return loader.loadTemplate(json, trust, TEMPLATE_VERSION)
}
