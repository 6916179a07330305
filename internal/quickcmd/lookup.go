package quickcmd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/doctor"
)

// configName is wg-quick's rule for a config path, (^|/)(NAME)\.conf$
// with NAME a valid interface name: the interface name, if path follows
// it. (Compiling the expression cost more than a reload's lookup.)
func configName(path string) (string, bool) {
	base := path[strings.LastIndexByte(path, '/')+1:]
	name, ok := strings.CutSuffix(base, ".conf")
	if !ok || !config.ValidInterfaceName(name) {
		return "", false
	}
	return name, true
}

// Source is a config file found from a wg-quick operand.
type Source struct {
	// Path is the resolved path (readlink -f); Interface the name it gives.
	Path, Interface string
}

// Lookup finds the config file of an operand as wg-quick does: a bare
// interface name means /etc/wireguard/NAME.conf; a path must end in a valid
// interface name followed by .conf. It warns on warn when both the file and
// its directory let others in.
func Lookup(operand string, warn io.Writer) (*Source, error) {
	path := operand
	if config.ValidInterfaceName(path) {
		path = inConfigDirs(operand)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, hinted(fmt.Sprintf("`%s' does not exist", path), missingHint(operand, path))
	}
	name, ok := configName(path)
	if !ok {
		return nil, hinted("The config file must be a valid interface name, followed by .conf", nameHint(path))
	}
	resolved, err := readlinkF(path)
	if err != nil {
		return nil, fmt.Errorf("`%s' does not exist", path)
	}
	fi, err1 := os.Stat(resolved)
	di, err2 := os.Stat(filepath.Dir(resolved))
	if err1 == nil && err2 == nil && fi.Mode().Perm()&di.Mode().Perm()&0o007 != 0 {
		fmt.Fprintf(warn, "Warning: `%s' is world accessible\n", resolved)
	}
	return &Source{Path: resolved, Interface: name}, nil
}

// hinted is upstream's message, then a line saying what to do.
func hinted(msg, hint string) error {
	if hint == "" {
		return message(msg)
	}
	return message(msg + "\n  hint: " + hint)
}

// missingHint explains a config that was not found.
func missingHint(operand, path string) string {
	switch {
	case path != operand && strings.HasSuffix(operand, ".conf") && exists(operand):
		return fmt.Sprintf("`%s' was read as an interface name; to use the file in this directory, say ./%s", operand, operand)
	case len(operand) > config.InterfaceNameMax && config.OnlyInterfaceNameChars(operand):
		return fmt.Sprintf("`%s' was read as a path, since interface names have at most %d characters (it has %d)", operand, config.InterfaceNameMax, len(operand))
	case path != operand && exists(operand):
		return fmt.Sprintf("`%s' was read as an interface name; to use the file in this directory, say ./%s", operand, operand)
	}
	return ""
}

// nameHint explains a path that does not end in NAME.conf.
func nameHint(path string) string {
	base := filepath.Base(path)
	name, ok := strings.CutSuffix(base, ".conf")
	if !ok {
		return fmt.Sprintf("the file name must be the interface name followed by .conf, as in wg0.conf (not `%s')", base)
	}
	return doctor.NameProblem(name)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// message is an error whose text is upstream's, capital letter included.
type message string

// readlinkF is readlink -f: absolute, every symbolic link followed.
func readlinkF(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// inConfigDirs is NAME.conf in the first of configDirs that has it, or in
// the last one.
func inConfigDirs(name string) string {
	var path string
	for _, dir := range configDirs(runtime.GOOS) {
		path = filepath.Join(dir, name+".conf")
		if exists(path) {
			break
		}
	}
	return path
}

// configDirs are where each system's upstream script looks for NAME.conf,
// in order (the last one is named when none has it); on macOS also
// Homebrew's on Apple silicon, on OpenBSD also the packages' prefix, as
// on FreeBSD (openbsd.bash looks in /etc/wireguard only).
func configDirs(goos string) []string {
	switch goos {
	case "darwin":
		return []string{"/etc/wireguard", "/usr/local/etc/wireguard", "/opt/homebrew/etc/wireguard"}
	case "freebsd", "openbsd":
		return []string{"/etc/wireguard", "/usr/local/etc/wireguard"}
	}
	return []string{"/etc/wireguard"}
}
