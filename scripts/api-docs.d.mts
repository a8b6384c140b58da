// Types of scripts/api-docs.mjs, for the tests that import it.
export interface ApiTag {
  readonly name: string
  readonly text: string
}
export interface ApiExport {
  readonly module: string
  readonly name: string
  readonly kind: 'value' | 'type' | 'both'
  readonly file: string
  readonly line: number
  readonly tags: ReadonlyArray<ApiTag>
}
export declare const ENTRIES: ReadonlyArray<{ readonly module: string; readonly file: string }>
export declare const CATEGORIES: Readonly<Record<string, ReadonlyArray<string>>>
export declare const publicApi: (root?: string) => ReadonlyArray<ApiExport>
export declare const docProblems: (api: ReadonlyArray<ApiExport>) => ReadonlyArray<string>
export declare const moduleExamples: (
  root?: string,
) => ReadonlyArray<{ readonly module: string; readonly file: string; readonly examples: ReadonlyArray<string> }>
