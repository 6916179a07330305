# wgtools: build, test, demo, benchmarks.
GO      ?= go
VERSION ?= $(shell git describe --tags --match "v*" 2>/dev/null || echo 0.0.0-dev)
LDFLAGS := -X github.com/wgtools/wgtools/internal/version.Version=$(VERSION)
export CGO_ENABLED := 0

.PHONY: all build demo test fuzz bench lint completions release-check clean

all: build

# Static binaries in bin/.
build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/ ./cmd/wg ./cmd/wg-quick
	ln -sf wg bin/wireguard-go

# The main job: two throwaway network namespaces, wg-quick up in each on the
# embedded tunnel, a ping across, wg show, and everything torn down. Needs root.
demo: build
	if [ "$$(id -u)" = 0 ]; then ./scripts/demo.sh; else sudo ./scripts/demo.sh; fi

# All tests. The network, wg-quick and packaging tests need root: sudo make test.
test:
	$(GO) test -count=1 ./...

# Each fuzz target for FUZZTIME (default 60s).
FUZZTIME ?= 60s
fuzz:
	for f in FuzzConfig FuzzSetArgs FuzzKey; do \
	  $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./internal/config || exit 1; done
	$(GO) test -run '^$$' -fuzz '^FuzzParseGet$$' -fuzztime $(FUZZTIME) ./internal/wgctl

# Side-by-side benchmarks against the reference tools; they update BENCHMARKS.md.
bench:
	$(GO) run ./bench/keys
	$(GO) run ./bench/conf
	$(GO) run ./bench/tunnel
	$(GO) run ./bench/quick

# Regenerate the shell completion scripts in completions/.
completions:
	$(GO) run ./tools/completions

# goreleaser check, a two-target snapshot and its contents (as CI).
release-check:
	./scripts/release-check.sh

lint:
	test -z "$$(gofmt -l $$(git ls-files '*.go'))"
	for os in linux darwin windows freebsd openbsd; do GOOS=$$os $(GO) vet ./... || exit 1; done
	staticcheck ./...

clean:
	rm -rf bin
