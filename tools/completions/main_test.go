package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestUpToDate fails when completions/ is not what the generator writes
// (run `go run ./tools/completions`).
func TestUpToDate(t *testing.T) {
	scripts, err := Scripts()
	if err != nil {
		t.Fatal(err)
	}
	have, _ := filepath.Glob("../../completions/*")
	if len(have) != len(scripts) {
		t.Errorf("completions/ has %d files, the generator writes %d", len(have), len(scripts))
	}
	for name, want := range scripts {
		got, err := os.ReadFile(filepath.Join("../../completions", name))
		if err != nil {
			t.Errorf("%v (run go run ./tools/completions)", err)
			continue
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("completions/%s is stale (run go run ./tools/completions):\n%s", name, diff)
		}
	}
}
