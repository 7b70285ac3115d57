# Thin targets; the README explains each. Tool versions are pinned here and
# in .ci/run.
STATICCHECK_VERSION := v0.8.2
GOBIN ?= $(shell go env GOPATH)/bin

.PHONY: test test-short lint fmt bench fuzz build loadtest tools clean

# The whole test suite: unit, end-to-end (real monikerd processes) and
# fuzz seed corpora. This is the README's test command.
test:
	go test -race -count=1 ./...

test-short:
	go test -short ./...

lint: tools
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	go vet ./...
	$(GOBIN)/staticcheck ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

tools:
	@test -x $(GOBIN)/staticcheck && $(GOBIN)/staticcheck -version | grep -q "($(STATICCHECK_VERSION:v%=%))" || go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# Hot-path and scale benchmarks (compare runs with benchstat).
bench:
	go test -run='^$$' -bench=. -benchmem ./internal/moniker/ ./internal/query/ ./internal/resolve/ ./internal/resolverapi/ ./internal/catalog/ ./internal/governance/ ./internal/telemetry/ ./internal/auth/

# Short fuzzing runs of every fuzz target; new corpus entries land in testdata/fuzz.
FUZZTIME ?= 30s
fuzz:
	go test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./internal/moniker/
	go test -run='^$$' -fuzz='^FuzzRender$$' -fuzztime=$(FUZZTIME) ./internal/query/
	go test -run='^$$' -fuzz='^FuzzLoadBytes$$' -fuzztime=$(FUZZTIME) ./internal/catalog/
	go test -run='^$$' -fuzz='^FuzzFastParser$$' -fuzztime=$(FUZZTIME) ./internal/catalog/
	go test -run='^$$' -fuzz='^FuzzSplitAgreement$$' -fuzztime=$(FUZZTIME) ./internal/catalog/
	go test -run='^$$' -fuzz='^FuzzKeyedApply$$' -fuzztime=$(FUZZTIME) ./internal/yamlfile/
	go test -run='^$$' -fuzz='^FuzzMarshalNode$$' -fuzztime=$(FUZZTIME) ./internal/catalog/
	go test -run='^$$' -fuzz='^FuzzSearch$$' -fuzztime=$(FUZZTIME) ./internal/catalog/
	go test -run='^$$' -fuzz='^FuzzAppendJSONString$$' -fuzztime=$(FUZZTIME) ./internal/resolve/
	go test -run='^$$' -fuzz='^FuzzAppendJSON$$' -fuzztime=$(FUZZTIME) ./internal/telemetry/
	go test -run='^$$' -fuzz='^FuzzMarshalDomain$$' -fuzztime=$(FUZZTIME) ./internal/domains/
	go test -run='^$$' -fuzz='^FuzzLoadRoundTrip$$' -fuzztime=$(FUZZTIME) ./internal/models/
	go test -run='^$$' -fuzz='^FuzzCheckSQLite$$' -fuzztime=$(FUZZTIME) ./internal/sqldb/
	go test -run='^$$' -fuzz='^FuzzCheckGenerated$$' -fuzztime=$(FUZZTIME) ./internal/sqldb/

build:
	mkdir -p bin
	go build -o bin/ ./cmd/...

# Throughput against a bare net/http handler, numbers as in the README.
loadtest:
	scripts/loadtest.sh

clean:
	rm -rf bin
