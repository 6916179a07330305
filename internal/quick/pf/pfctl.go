package pf

import (
	"bytes"
	"errors"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
)

// Pfctl is Ctl through the system's pfctl(8), part of the base system of
// macOS, FreeBSD and OpenBSD (pf's ioctls take rules compiled by pfctl's
// own parser, which is what a ruleset's text needs).
type Pfctl struct {
	// OS is the system (pf.Darwin, freebsd, openbsd; "": this one).
	OS string
	// Path is pfctl's path ("": /sbin/pfctl).
	Path string
}

var _ Ctl = Pfctl{}

// run runs pfctl with args and stdin, returning what it printed on
// stdout and stderr; its error is stderr's message (without the notices
// pfctl prints about ALTQ).
func (p Pfctl) run(stdin string, args ...string) (string, string, error) {
	path := p.Path
	if path == "" {
		path = "/sbin/pfctl"
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		if msg := message(errOut.String()); msg != "" {
			err = errors.New(msg)
		}
	}
	return out.String(), errOut.String(), err
}

// message is pfctl's stderr without its ALTQ notices, on one line.
func message(stderr string) string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.Contains(l, "ALTQ") {
			continue
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "; ")
}

func anchorArgs(anchor string, args ...string) []string {
	if anchor == "" {
		return args
	}
	return append([]string{"-a", anchor}, args...)
}

func (p Pfctl) Rules(anchor string) (string, error) {
	out, _, err := p.run("", anchorArgs(anchor, "-s", "rules")...)
	return out, err
}

func (p Pfctl) Load(anchor, rules string) error {
	_, _, err := p.run(rules, anchorArgs(anchor, "-f", "-")...)
	return err
}

func (p Pfctl) Flush(anchor string) error {
	if anchor == "" {
		_, _, err := p.run("", "-F", "rules")
		return err
	}
	_, _, err := p.run("", "-a", anchor, "-F", "all")
	return err
}

func (p Pfctl) Enabled() (bool, error) {
	out, _, err := p.run("", "-s", "info")
	if err != nil {
		return false, err
	}
	return StatusEnabled(out), nil
}

func (p Pfctl) darwin() bool { return p.OS == Darwin || (p.OS == "" && runtime.GOOS == Darwin) }

func (p Pfctl) Enable() (string, error) {
	if !p.darwin() {
		_, _, err := p.run("", "-e")
		return "", err
	}
	out, errOut, err := p.run("", "-E")
	if err != nil {
		return "", err
	}
	token, ok := Token(errOut + "\n" + out)
	if !ok {
		return "", errors.New("pfctl -E printed no token: " + message(errOut+out))
	}
	return token, nil
}

func (p Pfctl) Release(token string) error {
	if !p.darwin() {
		_, _, err := p.run("", "-d")
		return err
	}
	_, _, err := p.run("", "-X", token)
	return err
}

var tokenLine = regexp.MustCompile(`(?m)^Token\s*:\s*([0-9]+)\s*$`)

// Token is the reference `pfctl -E` prints ("Token : 1234").
func Token(output string) (string, bool) {
	m := tokenLine.FindStringSubmatch(output)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// StatusEnabled reads `pfctl -s info`'s first line, "Status: Enabled for
// …" or "Status: Disabled …".
func StatusEnabled(info string) bool {
	for _, l := range strings.Split(info, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "Status:"); ok {
			return strings.HasPrefix(strings.TrimSpace(rest), "Enabled")
		}
	}
	return false
}
