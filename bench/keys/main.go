// Command keys benchmarks whole-process `wg genkey` and `wg pubkey`, ours
// against a static Go program that only prints (the floor of any Go
// program here) and the reference C wg, interleaved in one run, and writes
// the medians and their ratios into BENCHMARKS.md.
//
// The target (decided in issue 11): ours at most 1.3× the Go floor measured
// in the same run. The C tool is shown for context; it is not the bound for
// a Go program, whose runtime start alone costs about twice a C exec here.
//
//	go run ./bench/keys [-runs 51] [-ref /usr/bin/wg] [-out BENCHMARKS.md]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wgtools/wgtools/bench/benchmd"
)

func main() {
	runs := flag.Int("runs", 51, "measured runs of each command and binary")
	ref := flag.String("ref", "/usr/bin/wg", "the reference wg")
	out := flag.String("out", "BENCHMARKS.md", "file to update; empty prints only")
	flag.Parse()
	log.SetFlags(0)

	benchmd.ExitOnSignals("keys")
	dir, ours := benchmd.Workspace("wgtools-bench-")

	// A static Go program that only prints: the least any Go binary costs
	// to start here, and the measure of the target.
	floor := filepath.Join(dir, "hello")
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hi\\n\") }\n"), 0o644)
	hb := exec.Command("go", "build", "-o", floor, ".")
	hb.Dir = dir
	hb.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := hb.CombinedOutput(); err != nil {
		benchmd.Fatalf("build floor: %v\n%s", err, b)
	}

	// The dependency set alone: a program that imports every package our
	// binary links, except our own (and those internal to another module),
	// and prints. Their initialisation and the runtime's start with them is
	// what ours pays before any code of its own runs. Built inside our
	// module (through an overlay) so that it links the versions ours does.
	deps := filepath.Join(dir, "deps")
	buildDeps(dir, deps)

	key := []byte("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n")
	type job struct {
		name  string
		bin   string
		args  []string
		stdin []byte
	}
	jobs := []job{
		{"genkey ours", ours, []string{"genkey"}, nil},
		{"genkey reference", *ref, []string{"genkey"}, nil},
		{"pubkey ours", ours, []string{"pubkey"}, key},
		{"pubkey reference", *ref, []string{"pubkey"}, key},
		{"floor", floor, nil, nil},
		{"deps", deps, nil, nil},
	}
	times := make(map[string][]time.Duration)
	for round := -5; round < *runs; round++ { // 5 warm-up rounds
		for i := range jobs {
			// Alternate the order each round so neither binary always goes first.
			j := jobs[i]
			if round%2 == 1 {
				j = jobs[len(jobs)-1-i]
			}
			d := timeRun(j.bin, j.args, j.stdin)
			if round >= 0 {
				times[j.name] = append(times[j.name], d)
			}
		}
	}

	const target = 1.3
	var b strings.Builder
	fmt.Fprintf(&b, "### `wg genkey` and `wg pubkey`, whole process (issues 2, 11)\n\n")
	fmt.Fprintf(&b, "Median wall time of %d interleaved runs each (after 5 warm-up rounds), `go run ./bench/keys`, %s.\n", *runs, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "Machine: %s. Target: ours ≤ %.1f× the Go floor, a static Go program that only prints, in the same run. ", benchmd.Machine(), target)
	fmt.Fprintf(&b, "Debian's C `wg` (%s) for context.\n\n", refVersion(*ref))
	fmt.Fprintf(&b, "| command | ours | Go floor | ours / floor | target | C `wg` | ours / C |\n|---|---|---|---|---|---|---|\n")
	fl := benchmd.Median(times["floor"])
	for _, c := range []string{"genkey", "pubkey"} {
		o, r := benchmd.Median(times[c+" ours"]), benchmd.Median(times[c+" reference"])
		ratio := float64(o) / float64(fl)
		verdict := "met"
		if ratio > target {
			verdict = "not met"
		}
		fmt.Fprintf(&b, "| `wg %s` | %.2f ms | %.2f ms | %.2f× | ≤ %.1f×: %s | %.2f ms | %.2f× |\n", c, ms(o), ms(fl), ratio, target, verdict, ms(r), float64(o)/float64(r))
	}
	d := benchmd.Median(times["deps"])
	fmt.Fprintf(&b, "\nThe dependency set alone (a program that imports every package ours links but its own, and prints; in the same run): %.2f ms, %.2f× the floor. ", ms(d), float64(d)/float64(fl))
	fmt.Fprintf(&b, "What it costs above the floor is package initialisation and the runtime's start with those packages, before any code of ours runs.\n")
	fmt.Print(b.String())
	if *out != "" {
		if err := benchmd.Update(*out, "keys", b.String()); err != nil {
			benchmd.Fatalf("%v", err)
		}
	}
	benchmd.Exit(0)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func timeRun(bin string, args []string, stdin []byte) time.Duration {
	cmd := exec.Command(bin, args...)
	cmd.Args[0] = "wg"
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Stdout = io.Discard
	start := time.Now()
	if err := cmd.Run(); err != nil {
		benchmd.Fatalf("%s %v: %v", bin, args, err)
	}
	return time.Since(start)
}

func refVersion(ref string) string {
	out, err := exec.Command(ref, "--version").Output()
	if err != nil {
		return "unknown version"
	}
	f := strings.Fields(string(out))
	if len(f) >= 2 {
		return f[1]
	}
	return strings.TrimSpace(string(out))
}

// buildDeps builds the dependency-set program into out.
func buildDeps(dir, out string) {
	ls := exec.Command("go", "list", "-deps", "./cmd/wg")
	ls.Env = append(os.Environ(), "CGO_ENABLED=0") // as ours is built
	list, err := ls.Output()
	if err != nil {
		benchmd.Fatalf("go list -deps ./cmd/wg: %v", err)
	}
	var src strings.Builder
	src.WriteString("package main\n\nimport (\n\t\"os\"\n")
	for _, pkg := range strings.Fields(string(list)) {
		if strings.HasPrefix(pkg, "github.com/wgtools/wgtools") || pkg == "unsafe" || pkg == "os" ||
			strings.HasPrefix(pkg, "internal/") || strings.HasPrefix(pkg, "vendor/") ||
			strings.Contains(pkg, "/internal/") || strings.HasSuffix(pkg, "/internal") {
			continue
		}
		fmt.Fprintf(&src, "\t_ %q\n", pkg)
	}
	src.WriteString(")\n\nfunc main() { os.Stdout.WriteString(\"hi\\n\") }\n")
	file := filepath.Join(dir, "deps.go")
	os.WriteFile(file, []byte(src.String()), 0o644)
	wd, _ := os.Getwd()
	fake := filepath.Join(wd, "bench", "keys", "depsonly", "main.go")
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {fake: file}})
	os.WriteFile(filepath.Join(dir, "overlay.json"), overlay, 0o644)
	cmd := exec.Command("go", "build", "-trimpath", "-overlay", filepath.Join(dir, "overlay.json"), "-o", out, "./bench/keys/depsonly")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		benchmd.Fatalf("build the dependency set: %v\n%s", err, b)
	}
}
