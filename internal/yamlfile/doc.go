// Package yamlfile is how the service reads and writes its shared YAML
// files (config.yaml, the catalog, domains.yaml, models.yaml,
// requests.yaml; DESIGN §5):
//
//   - Writing: a reader never sees a half-written file (WriteFile: temp
//     file in the same folder, fsync, rename, folder fsync), and writers
//     in different processes take turns through an exclusive lock file
//     beside the data (Acquire; the audit log's JSON lines use it too).
//   - Keyed files: a file whose top level is a block mapping is cut into
//     its top-level entries by one splitter (Splitter, Split), which the
//     catalog loader uses too, so the loader and the writers always agree
//     on where an entry ends. A writer replaces only the entries it
//     changed and keeps every other byte (SplitKeyed, Apply), refusing
//     entries that changed on disk since it read them (SaveKeyed,
//     ConflictError).
//   - Reading: one strict walker for every file's schema (Walker: mapping
//     iteration with merge keys, non-string and optionally duplicate keys
//     refused, unknown keys with a "did you mean" hint, scalar kind checks,
//     line numbers, alias and depth budgets), one document parse
//     (TopMapping) and one error type, LoadError{File, Line, Noun, Entry,
//     Key, Message}, for the config, catalog, domains and models loaders.
package yamlfile
