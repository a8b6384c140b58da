/**
 * Secrets kept apart from a request: a credential can be a reference to an environment variable
 * (`secretFromEnv`), resolved only when the request runs, so that a saved template holds the
 * name of the variable and never its value.
 * @module
 */

/**
 * A reference to a secret in the environment the request runs in (`env.secrets`, by default the
 * process environment), resolved when the request is prepared. `origins`, when present, binds
 * it: the variable is read only for a request to one of these origins (`https://api.github.com`;
 * for the proxy password, the proxy's origin), and running the request anywhere else is an
 * `InvalidInput` naming the field and the origin, before anything is sent. `fromTemplate` binds
 * every reference a template holds to the origins its trust names; a reference made by code has
 * none and is read for any origin.
 * @example
 * const r: SecretRef = { _tag: 'SecretRef', env: 'API_TOKEN' }
 * const bound: SecretRef = { _tag: 'SecretRef', env: 'GITHUB_TOKEN', origins: ['https://api.github.com'] }
 * @category auth
 * @since 0.2.0
 */
export interface SecretRef {
  readonly _tag: 'SecretRef'
  readonly env: string
  readonly origins?: ReadonlyArray<string>
}

/**
 * A literal secret that `toTemplate` did not save: running a request that still holds one is an
 * `InvalidInput` naming the field, until the secret is set again.
 * @example
 * const w: Withheld = { _tag: 'Withheld', field: 'auth.password' }
 * @category auth
 * @since 0.2.0
 */
export interface Withheld {
  readonly _tag: 'Withheld'
  readonly field: string
}

/**
 * A credential: its value, a reference to the environment, or a value a template withheld.
 * @example
 * const s: Secret = H.secretFromEnv('GITHUB_TOKEN')
 * @category auth
 * @since 0.2.0
 */
export type Secret = string | SecretRef | Withheld

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * A reference to the environment variable `name`, for any credential argument (password, token,
 * AWS and OAuth secrets, proxy password, TLS passphrase) and any header value. The request stores
 * the reference; the executor reads the variable through `env.secrets` when the request runs.
 * @example
 * pipe(req, H.addBearerAuthorization(H.secretFromEnv('API_TOKEN')))
 * @category auth
 * @since 0.2.0
 */
export const secretFromEnv = (name: string): SecretRef => ({ _tag: 'SecretRef', env: name })

/**
 * Whether a value is a reference made by `secretFromEnv` with a valid variable name.
 * @example
 * isSecretRef(secretFromEnv('A')) // true
 * @category auth
 * @since 0.2.0
 */
export const isSecretRef = (x: unknown): x is SecretRef =>
  typeof x === 'object' &&
  x !== null &&
  (x as { _tag?: unknown })._tag === 'SecretRef' &&
  typeof (x as { env?: unknown }).env === 'string' &&
  isEnvName((x as { env: string }).env) &&
  isOrigins((x as { origins?: unknown }).origins)

const isOrigins = (o: unknown): boolean =>
  o === undefined || (Array.isArray(o) && o.every((s) => typeof s === 'string'))

/**
 * Whether a text is a valid environment variable name (`A-Z a-z 0-9 _`, not starting with a digit).
 * @example
 * isEnvName('API_TOKEN') // true
 * isEnvName('API-TOKEN') // false
 * @internal
 */
export const isEnvName = (name: unknown): name is string => typeof name === 'string' && ENV_NAME.test(name)

/**
 * Whether a step may take a value as a credential: a string or a valid reference.
 * @example
 * isSecretInput('s3cret') // true
 * @internal
 */
export const isSecretInput = (x: unknown): x is string | SecretRef => typeof x === 'string' || isSecretRef(x)

/**
 * How a credential is shown in a log line: a reference by its variable, a value as `***`.
 * @example
 * showSecret(secretFromEnv('TOKEN')) // 'env:TOKEN'
 * @internal
 */
export const showSecret = (s: Secret): string =>
  typeof s === 'string'
    ? '***'
    : s._tag === 'SecretRef'
      ? `env:${s.env}${s.origins === undefined ? '' : ` (for ${s.origins.join(', ')})`}`
      : `withheld (${s.field})`
