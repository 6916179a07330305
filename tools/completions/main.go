// Command completions writes the shell completion scripts in completions/
// for wg and wg-quick, for bash, zsh, fish and PowerShell. The scripts are
// cobra's: they ask the program itself for candidates with
// `PROG __complete WORDS...`, which internal/complete answers; the programs
// do not link cobra, only this generator does.
//
//	go run ./tools/completions [-dir completions]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// Scripts returns the file names and contents of every script.
func Scripts() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, name := range []string{"wg", "wg-quick"} {
		root := &cobra.Command{Use: name}
		for file, gen := range map[string]func(*bytes.Buffer) error{
			name + ".bash": func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, false) },
			"_" + name:     func(b *bytes.Buffer) error { return root.GenZshCompletionNoDesc(b) },
			name + ".fish": func(b *bytes.Buffer) error { return root.GenFishCompletion(b, false) },
			name + ".ps1":  func(b *bytes.Buffer) error { return root.GenPowerShellCompletion(b) },
		} {
			var b bytes.Buffer
			if err := gen(&b); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			out[file] = b.Bytes()
		}
	}
	return out, nil
}

func main() {
	dir := flag.String("dir", "completions", "where to write the scripts")
	flag.Parse()
	scripts, err := Scripts()
	if err == nil {
		err = os.MkdirAll(*dir, 0o755)
	}
	for name, data := range scripts {
		if err != nil {
			break
		}
		err = os.WriteFile(filepath.Join(*dir, name), data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "completions:", err)
		os.Exit(1)
	}
}
