// Package domains is the management plane's domain registry: the
// governance records of domains.yaml (reference §4, §8.2), with CRUD that
// writes through to the file.
//
// Every mutation (Create, Update, Delete) is saved at once with
// yamlfile.SaveKeyed: only the changed domain's entry is replaced, every other
// byte of the file (comments, other entries, their formatting) is kept, and
// the change is refused with a *moniker.ConflictError (409) when that
// domain's entry changed on disk since this registry read it. After each
// save, and after a conflict, the registry re-bases on the file as it is
// on disk, so changes other writers made to other domains show up.
//
// Reads (List, Get) take an immutable snapshot and never block on writers.
// Reload parses the whole file before it replaces the snapshot: a broken
// file leaves the registry as it was.
package domains
