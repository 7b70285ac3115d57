// Package models is the business-model registry (reference §5): governed
// definitions of measures, metrics and fields (DV01, Sharpe ratio, mid
// price) kept in models.yaml, their own "/"-separated hierarchy, and the
// monikers each appears in, given as glob patterns (Pattern).
//
// Like the domain registry, every mutation writes through to the file
// with yamlfile.SaveKeyed: only the changed model's entry is replaced, and
// the change is refused with a *moniker.ConflictError (409) when that entry
// changed on disk since the registry read it. After each save, and after
// a conflict, the registry re-bases on the file as it is on disk. Reads
// take an immutable snapshot; Reload parses the whole file before it
// replaces the snapshot.
package models
