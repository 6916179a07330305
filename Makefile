# wgtools: build, test, demo, benchmarks.
GO      ?= go
VERSION ?= $(shell git describe --tags --match "v*" 2>/dev/null || echo 0.0.0-dev)
LDFLAGS := -X github.com/wgtools/wgtools/internal/version.Version=$(VERSION)
export CGO_ENABLED := 0

.PHONY: all build demo test test-arch newcomer fuzz bench lint completions release-check clean

all: build

# Static binaries in bin/.
build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/ ./cmd/wg ./cmd/wg-quick
	ln -sf wg bin/wireguard-go

# The main job: two throwaway network namespaces, wg-quick up in each on the
# embedded tunnel, datagrams exchanged through it (bin/demo/udpecho), the
# counters of wg show, everything torn down, and a summary. Needs root (it
# uses sudo when there is one), iproute2's ip and /dev/net/tun.
demo: build
	$(GO) build -trimpath -o bin/demo/ ./tools/udpecho
	./scripts/demo.sh

# All tests (go test -count=1 ./...), then a list of the tests skipped for lack
# of root, a device or a reference tool, and how to get each. The network,
# wg-quick and packaging tests need root: sudo make test.
test:
	GO=$(GO) ./scripts/test.sh

# The other Linux architectures we release (arm64, arm/7, 386, riscv64) under
# qemu-user: go test of the packages that need neither root nor namespaces,
# and wg/wg-quick output compared byte for byte with amd64's. ARCHES picks some.
test-arch:
	GO=$(GO) ./scripts/test-arch.sh $(ARCHES)

# A newcomer's machine (a minimal Debian 12 root with Go, make, git, iproute2):
# make demo and make test there as root, make test as an ordinary user. Root.
newcomer:
	./scripts/newcomer.sh

# Each fuzz target for FUZZTIME (default 60s).
FUZZTIME ?= 60s
fuzz:
	for f in FuzzConfig FuzzSetArgs FuzzKey; do \
	  $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./internal/config || exit 1; done
	$(GO) test -run '^$$' -fuzz '^FuzzParseGet$$' -fuzztime $(FUZZTIME) ./internal/wgctl
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./internal/nvlist

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
	for os in linux darwin windows freebsd openbsd; do GOOS=$$os staticcheck ./... || exit 1; done

clean:
	rm -rf bin
