// Package manpages tests man/wg.8 and man/wg-quick.8: they must lint clean
// under mandoc and groff, render with man(1), and document every keyword,
// option, environment variable and file that the code accepts or uses.
package manpages

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wgtools/wgtools/internal/testenv"
)

// Pages are the man pages, relative to the repository root.
var pages = []string{"man/wg.8", "man/wg-quick.8"}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found from the test's directory: %v", err)
	}
	return root
}

// needTool returns the path of a program the test needs. Without it the
// test skips, except under CI (CI set), where .ci/run installs it and its
// absence is a failure.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	testenv.Require(t, testenv.Command(name, pkg))
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs a command in the repository root and returns its output.
func run(t *testing.T, env []string, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func TestMandocLint(t *testing.T) {
	mandoc := needTool(t, "mandoc", "mandoc")
	for _, page := range pages {
		out, errOut, err := run(t, nil, mandoc, "-Tlint", "-Wstyle", page)
		if msg := strings.TrimSpace(out + errOut); msg != "" || err != nil {
			t.Errorf("mandoc -Tlint %s: %v\n%s", page, err, msg)
		}
	}
}

func TestGroffWarnings(t *testing.T) {
	groff := needTool(t, "groff", "groff-base")
	for _, page := range pages {
		out, errOut, err := run(t, nil, groff, "-ww", "-man", "-Tutf8", "-z", page)
		if msg := strings.TrimSpace(out + errOut); msg != "" || err != nil {
			t.Errorf("groff -ww -man -Tutf8 -z %s: %v\n%s", page, err, msg)
		}
	}
}

func TestManRenders(t *testing.T) {
	man := needTool(t, "man", "man-db")
	needTool(t, "groff", "groff-base")
	env := []string{"MANPAGER=cat", "PAGER=cat", "MANWIDTH=80", "MAN_KEEP_FORMATTING="}
	for _, page := range pages {
		out, errOut, err := run(t, env, man, "-l", page)
		if err != nil || strings.TrimSpace(errOut) != "" {
			t.Errorf("man -l %s: %v\n%s", page, err, errOut)
		}
		for _, want := range []string{"NAME", "SYNOPSIS", "SEE ALSO"} {
			if !strings.Contains(out, want) {
				t.Errorf("man -l %s: no %s in the output:\n%s", page, want, out)
			}
		}
	}
}

// rendered is a page as text: whole and by section.
type rendered struct {
	name     string
	text     string
	sections map[string]string
}

var (
	renderMu    sync.Mutex
	renderCache = map[string]*rendered{}
)

var (
	overstrike = regexp.MustCompile(".\b")
	sgr        = regexp.MustCompile("\x1b\\[[0-9;]*m")
	heading    = regexp.MustCompile(`^[A-Z][A-Z0-9 ,/()-]*$`)
)

// render formats a page as plain ASCII on lines so long that nothing is
// broken or hyphenated, with mandoc, or groff where mandoc is missing.
func render(t *testing.T, page string) *rendered {
	t.Helper()
	renderMu.Lock()
	defer renderMu.Unlock()
	if r := renderCache[page]; r != nil {
		return r
	}
	var out, errOut string
	var err error
	mandoc, merr := exec.LookPath("mandoc")
	groff, gerr := exec.LookPath("groff")
	switch {
	case merr == nil:
		out, errOut, err = run(t, nil, mandoc, "-Tascii", "-Owidth=1000", page)
	case gerr == nil:
		out, errOut, err = run(t, []string{"GROFF_NO_SGR=1"}, groff, "-man", "-Tascii", "-rLL=1000n", "-P-c", page)
	default:
		needTool(t, "mandoc", "mandoc") // skips, or fails under CI
	}
	if err != nil {
		t.Fatalf("render %s: %v\n%s", page, err, errOut)
	}
	out = sgr.ReplaceAllString(overstrike.ReplaceAllString(out, ""), "")
	r := &rendered{name: page, text: out, sections: map[string]string{}}
	cur := ""
	for _, line := range strings.Split(out, "\n") {
		if heading.MatchString(line) {
			cur = line
			continue
		}
		r.sections[cur] += line + "\n"
	}
	renderCache[page] = r
	return r
}

// section returns the text of a section ("" for the whole page).
func (r *rendered) section(t *testing.T, name string) string {
	t.Helper()
	if name == "" {
		return r.text
	}
	s, ok := r.sections[name]
	if !ok {
		t.Fatalf("%s has no section %s", r.name, name)
	}
	return s
}

// hasWord reports whether text contains w, not as part of a longer word or
// option.
func hasWord(text, w string) bool {
	re := regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])` + regexp.QuoteMeta(w) + `(?:$|[^A-Za-z0-9_-])`)
	return re.MatchString(text)
}

func TestSections(t *testing.T) {
	common := []string{"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "ENVIRONMENT", "FILES",
		"EXIT STATUS", "EXAMPLES", "DIFFERENCES FROM WIREGUARD-TOOLS", "SEE ALSO", "SHELL COMPLETION"}
	want := map[string][]string{
		"man/wg.8":       append([]string{"CONFIGURATION FILE FORMAT", "JSON OUTPUT", "USERSPACE DAEMON"}, common...),
		"man/wg-quick.8": append([]string{"CONFIGURATION", "ROUTING", "DNS", "STATE, LOCKING AND ROLLBACK"}, common...),
	}
	for _, page := range pages {
		r := render(t, page)
		for _, s := range want[page] {
			if _, ok := r.sections[s]; !ok {
				t.Errorf("%s has no section %s", page, s)
			}
		}
	}
}
