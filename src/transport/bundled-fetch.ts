/**
 * Loads Node's bundled undici (what `globalThis.fetch` runs on) before the `undici` package is
 * imported. The package, when it finds no global dispatcher, installs its own under the symbol
 * the bundled fetch also reads, and the bundled fetch then runs on a newer core that refuses
 * some of its requests (a caller-set Content-Length: `invalid content-length header`, see
 * nodejs/undici#5500). Reading the lazy `Headers` global loads the bundled undici, which claims
 * the symbol first, so importing httpipe leaves `globalThis.fetch` as it was. httpipe itself
 * always passes its own dispatcher and does not depend on the global one.
 * Import this module for its effect, before `undici`.
 * @module
 * @internal
 */
void globalThis.Headers
