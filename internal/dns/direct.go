package dns

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/wgtools/wgtools/internal/atomicfile"
)

const resolvConf = "/etc/resolv.conf"

// direct rewrites /etc/resolv.conf itself, for hosts with neither
// resolvconf nor systemd-resolved.
//
// The file is always written in place (truncate and write), never replaced
// by rename: containers and `ip netns exec` bind-mount it, and renaming over
// a mount point fails with EBUSY. A symlink is followed to the file it names
// (inside Root), which is written in place too: that is the file the
// resolver reads, and the link stays as its owner made it. A dangling link is
// refused.
//
// Two files in the state directory carry the state across processes:
// IF.resolv.conf, the file as it was before (mode 0600; absent if there was
// no file), and IF.resolv.conf.ours, the bytes written. Unset restores the
// first only while resolv.conf still holds the second.
type direct struct {
	env      *Env
	announce string // the choice line, when picked by Pick
	// write replaces the content of an existing file (or creates it);
	// nil is writeInPlace. Tests make it fail.
	write func(path string, data []byte, create bool) error
}

// Name implements Backend.
func (d *direct) Name() string { return NameDirect }

// Set implements Backend.
func (d *direct) Set(ifname string, c Config) error {
	if len(c.Servers) == 0 {
		return nil
	}
	if err := validate(c); err != nil {
		return err
	}
	backup, ours, err := d.files(ifname)
	if err != nil {
		return err
	}
	target, shown, err := d.target()
	if err != nil {
		return err
	}
	orig, err := os.ReadFile(target)
	existed := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("dns: reading %s: %w", shown, err)
	}
	content := render(ifname, c)

	if d.announce != "" {
		d.env.logf("[#] # DNS: %s", d.announce)
	}
	// After an `up` without `down`, the backup is still the real original
	// as long as the file holds what that `up` wrote.
	prev, err := os.ReadFile(ours)
	keep := err == nil && existed && bytes.Equal(prev, orig)
	if !keep {
		if existed {
			d.env.logf("[#] # DNS: saving %s to %s", shown, backup)
			err = writeAtomic(backup, orig)
		} else {
			d.env.logf("[#] # DNS: %s does not exist; it is removed again on down", shown)
			err = removeIfExists(backup)
		}
		if err != nil {
			return fmt.Errorf("dns: saving %s: %w", shown, err)
		}
	}
	if err := writeAtomic(ours, content); err != nil {
		if !keep {
			_ = removeIfExists(backup)
		}
		return fmt.Errorf("dns: recording DNS state: %w", err)
	}

	d.env.logf("[#] # DNS: writing %s: %s", shown, summary(c))
	if err := d.writeFile(target, content, !existed); err != nil {
		err = fmt.Errorf("dns: writing %s: %w", shown, err)
		// Put the original back, if the failed write touched it, and the
		// state as it was.
		var rerr error
		cur, cerr := os.ReadFile(target)
		switch {
		case existed && (cerr != nil || !bytes.Equal(cur, orig)):
			rerr = d.writeFile(target, orig, false)
		case !existed && !errors.Is(cerr, fs.ErrNotExist):
			rerr = removeIfExists(target)
		}
		if rerr != nil {
			return errors.Join(err, fmt.Errorf("dns: restoring %s (its old content is in %s): %w", shown, backup, rerr))
		}
		if keep {
			_ = writeAtomic(ours, orig)
		} else {
			_ = removeIfExists(ours)
			_ = removeIfExists(backup)
		}
		return err
	}
	return nil
}

// Unset implements Backend: it restores the saved file, unless resolv.conf
// has changed since Set, which is then left alone with a warning.
func (d *direct) Unset(ifname string) error {
	backup, ours, err := d.files(ifname)
	if err != nil {
		return err
	}
	want, err := os.ReadFile(ours)
	if errors.Is(err, fs.ErrNotExist) {
		// Nothing was written (Set stopped early, or Unset already ran).
		return removeIfExists(backup)
	}
	if err != nil {
		return fmt.Errorf("dns: %w", err)
	}
	orig, err := os.ReadFile(backup)
	hadOrig := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("dns: %w", err)
	}
	target, shown, err := d.target()
	if err != nil {
		return err
	}
	cur, err := os.ReadFile(target)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("dns: reading %s: %w", shown, err)
	}

	switch {
	case exists && bytes.Equal(cur, want):
		if hadOrig {
			d.env.logf("[#] # DNS: restoring %s from %s", shown, backup)
			err = d.writeFile(target, orig, false)
		} else {
			d.env.logf("[#] # DNS: removing %s, which did not exist before", shown)
			err = removeIfExists(target)
		}
		if err != nil {
			return fmt.Errorf("dns: restoring %s (its old content is in %s): %w", shown, backup, err)
		}
	case hadOrig && exists && bytes.Equal(cur, orig), !hadOrig && !exists:
		// Set was interrupted before writing; the file is as it was.
	default:
		if hadOrig {
			d.env.logf("[!] Warning: %s was changed after wg-quick up; leaving it as it is (its content before up is in %s)", shown, backup)
		} else {
			d.env.logf("[!] Warning: %s was changed after wg-quick up; leaving it as it is (there was no such file before up)", shown)
		}
		return nil
	}
	if err := removeIfExists(ours); err != nil {
		return fmt.Errorf("dns: %w", err)
	}
	if err := removeIfExists(backup); err != nil {
		return fmt.Errorf("dns: %w", err)
	}
	return nil
}

// Servers implements Backend: the nameservers written by Set.
func (d *direct) Servers(ifname string) ([]string, error) {
	_, ours, err := d.files(ifname)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(ours)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dns: %w", err)
	}
	var servers []string
	for _, line := range readLines(data) {
		if m := nameserverRE().FindStringSubmatch(line); m != nil {
			servers = append(servers, m[1])
		}
	}
	return servers, nil
}

// RemoveTemps removes what a direct-backend write killed half way left of
// ifname's files in the state directory. The caller holds ifname's lock.
func (e *Env) RemoveTemps(ifname string) {
	d := &direct{env: e}
	if backup, ours, err := d.files(ifname); err == nil {
		atomicfile.RemoveTemps(backup)
		atomicfile.RemoveTemps(ours)
	}
}

// files returns the paths of the backup and of the record of what was written.
func (d *direct) files(ifname string) (backup, ours string, err error) {
	if ifname == "" || ifname == "." || ifname == ".." || strings.ContainsAny(ifname, "/\x00") {
		return "", "", fmt.Errorf("dns: invalid interface name %q", ifname)
	}
	backup = filepath.Join(d.env.stateDir(), ifname+".resolv.conf")
	return backup, backup + ".ours", nil
}

// target follows /etc/resolv.conf's symlinks (absolute ones inside Root)
// and returns the file to read and write, and how to name it in messages.
// A missing /etc/resolv.conf is returned as is; a dangling link is an error.
func (d *direct) target() (path, shown string, err error) {
	file := resolvConf
	if d.env.ResolvConf != "" {
		file = d.env.ResolvConf
	}
	path, shown = d.env.path(file), file
	for range 40 {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) && path != d.env.path(file) {
			return "", "", fmt.Errorf("dns: %s is a dangling symlink; not writing DNS servers through it", shown)
		}
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, shown, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", "", fmt.Errorf("dns: %w", err)
		}
		if filepath.IsAbs(link) {
			path = d.env.path(link)
		} else {
			path = filepath.Join(filepath.Dir(path), link)
		}
		shown = file + " (-> " + strings.TrimPrefix(path, d.env.Root) + ")"
	}
	return "", "", fmt.Errorf("dns: too many levels of symlinks at %s", file)
}

func (d *direct) writeFile(path string, data []byte, create bool) error {
	if d.write != nil {
		return d.write(path, data, create)
	}
	return writeInPlace(path, data, create)
}

// writeInPlace truncates and rewrites path, keeping its inode, mode and
// owner; with create, it makes a new 0644 file instead.
func writeInPlace(path string, data []byte, create bool) error {
	flag := os.O_WRONLY | os.O_TRUNC
	if create {
		flag = os.O_WRONLY | os.O_CREATE | os.O_EXCL
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return err
	}
	if create {
		err = f.Chmod(0o644) // whatever the umask: every user resolves names
	}
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeAtomic writes a 0600 file in our 0700 state directory.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, data)
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// render is the resolv.conf written for c.
func render(ifname string, c Config) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Generated by wgtools for %s (wg-quick up); wg-quick down restores the previous file.\n", ifname)
	for _, s := range c.Servers {
		fmt.Fprintf(&b, "nameserver %s\n", s)
	}
	if len(c.Search) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(c.Search, " "))
	}
	return b.Bytes()
}

// summary is c in one line, for the log.
func summary(c Config) string {
	s := "nameserver " + strings.Join(c.Servers, " ")
	if len(c.Search) > 0 {
		s += "; search " + strings.Join(c.Search, " ")
	}
	return s
}
