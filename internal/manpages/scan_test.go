package manpages

// The scanner reads the parsers' Go source and lists the words they accept,
// so that the keyword test follows the code instead of a list kept by hand.
// It parses source only (no type checking) and knows where each grammar
// lives: a function that moves makes the scan fail loudly, not pass empty.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// source is the non-test Go files of one directory, build tags ignored.
type source struct {
	dir   string
	fset  *token.FileSet
	files []*ast.File
}

func parseDir(t *testing.T, rel string) *source {
	t.Helper()
	dir := filepath.Join(repoRoot(t), rel)
	s := &source{dir: rel, fset: token.NewFileSet()}
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(s.fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		s.files = append(s.files, f)
	}
	if len(s.files) == 0 {
		t.Fatalf("scan: no Go files in %s", rel)
	}
	return s
}

// parseTree parses every non-test Go file under rel, one source per
// directory, leaving out test-support packages (named *test or test*, as
// internal/dns/dnstest and internal/testenv) and internal/xplan, the
// simulation tools/xplan runs: neither is part of the programs.
func parseTree(t *testing.T, rel string) []*source {
	t.Helper()
	var out []*source
	root := filepath.Join(repoRoot(t), rel)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, "test") || strings.HasPrefix(name, "test") || name == "xplan") {
			return filepath.SkipDir
		}
		files, _ := filepath.Glob(filepath.Join(path, "*.go"))
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				r, _ := filepath.Rel(repoRoot(t), path)
				out = append(out, parseDir(t, r))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fn returns the function or method called name; it fails the test when
// there is none, since the scan would otherwise find nothing.
func (s *source) fn(t *testing.T, name string) *ast.FuncDecl {
	t.Helper()
	for _, f := range s.files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == name {
				return fd
			}
		}
	}
	t.Fatalf("scan: no func %s in %s; it moved or was renamed, so update internal/manpages/keywords_test.go", name, s.dir)
	return nil
}

// str returns the value of a string literal, or of a sum of them.
func str(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		v, err := strconv.Unquote(e.Value)
		return v, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := str(e.X)
		b, ok2 := str(e.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return str(e.X)
	}
	return "", false
}

// caseStrings lists the string literals of switch cases (and literal switch
// tags) inside n.
func caseStrings(n ast.Node) []string {
	var out []string
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CaseClause:
			for _, e := range n.List {
				if v, ok := str(e); ok {
					out = append(out, v)
				}
			}
		case *ast.SwitchStmt:
			if v, ok := str(n.Tag); ok {
				out = append(out, v)
			}
		}
		return true
	})
	return out
}

// comparedStrings lists the string literals compared with == or != to a
// variable or an element of one (tok == "peer", a[1] == "json"); with
// names, only to a variable of one of those names.
func comparedStrings(n ast.Node, names ...string) []string {
	var out []string
	operand := func(e ast.Expr) bool {
		if ix, ok := e.(*ast.IndexExpr); ok {
			e = ix.X
		}
		id, ok := e.(*ast.Ident)
		return ok && (len(names) == 0 || slices.Contains(names, id.Name))
	}
	ast.Inspect(n, func(n ast.Node) bool {
		b, ok := n.(*ast.BinaryExpr)
		if !ok || (b.Op != token.EQL && b.Op != token.NEQ) {
			return true
		}
		if v, ok := str(b.Y); ok && operand(b.X) {
			out = append(out, v)
		}
		if v, ok := str(b.X); ok && operand(b.Y) {
			out = append(out, v)
		}
		return true
	})
	return out
}

// calleeName is the name of the function a call calls: f or x.f.
func calleeName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// callStrings lists the string literal at argument arg of calls to funcs
// called name whose first argument is the variable first ("" for any).
func callStrings(n ast.Node, name string, arg int, first string) []string {
	var out []string
	ast.Inspect(n, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || calleeName(c) != name || len(c.Args) <= arg {
			return true
		}
		if first != "" {
			if id, ok := c.Args[0].(*ast.Ident); !ok || id.Name != first {
				return true
			}
		}
		if v, ok := str(c.Args[arg]); ok {
			out = append(out, v)
		}
		return true
	})
	return out
}

// compositeHeads lists the first element of each composite literal in n
// that starts with a string literal and has want elements, such as the
// {"show", "Shows …", runShow} entries of wg's command table.
func compositeHeads(n ast.Node, want int) []string {
	var out []string
	ast.Inspect(n, func(n ast.Node) bool {
		cl, ok := n.(*ast.CompositeLit)
		if !ok || len(cl.Elts) != want {
			return true
		}
		if v, ok := str(cl.Elts[0]); ok {
			out = append(out, v)
		}
		return true
	})
	return out
}

// flagArg is where each flag.FlagSet method takes the flag's name.
var flagArg = map[string]int{
	"Var": 1, "StringVar": 1, "IntVar": 1, "BoolVar": 1, "UintVar": 1, "Int64Var": 1,
	"Uint64Var": 1, "Float64Var": 1, "DurationVar": 1, "TextVar": 1, "Func": 0, "BoolFunc": 0,
	"String": 0, "Int": 0, "Bool": 0, "Uint": 0, "Int64": 0, "Uint64": 0, "Float64": 0, "Duration": 0,
}

// flagNames lists the names of the flags defined on a flag.FlagSet
// variable (fs.String("png", …), fs.Var(&v, "address", …)) in the files of
// s that import "flag" or make their flag sets with newFlagSet.
func (s *source) flagNames() []string {
	var out []string
	for _, f := range s.files {
		if !imports(f, "flag") && !mentions(f, "newFlagSet") {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if _, ok := sel.X.(*ast.Ident); !ok {
				return true
			}
			i, ok := flagArg[sel.Sel.Name]
			if !ok || len(c.Args) <= i {
				return true
			}
			if v, ok := str(c.Args[i]); ok {
				out = append(out, v)
			}
			return true
		})
	}
	return out
}

// mentions reports whether f uses the identifier name.
func mentions(f *ast.File, name string) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}

func imports(f *ast.File, path string) bool {
	for _, im := range f.Imports {
		if v, _ := strconv.Unquote(im.Path.Value); v == path {
			return true
		}
	}
	return false
}

// constStrings returns the string constants of s by name.
func (s *source) constStrings() map[string]string {
	out := map[string]string{}
	for _, f := range s.files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if v, ok := str(vs.Values[i]); ok {
							out[name.Name] = v
						}
					}
				}
			}
		}
	}
	return out
}

var longOption = regexp.MustCompile(`(?:^|[\s\[(,|])(--[a-z][a-z0-9-]*)`)

// helpOptions lists the --options that the help texts (string constants
// whose names end in Help or Text) of s mention.
func (s *source) helpOptions() []string {
	var out []string
	for name, text := range s.constStrings() {
		if !strings.HasSuffix(name, "Help") && !strings.HasSuffix(name, "Text") {
			continue
		}
		for _, m := range longOption.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// jsonTags lists the JSON member names of the struct types of s.
func (s *source) jsonTags() []string {
	var out []string
	for _, f := range s.files {
		ast.Inspect(f, func(n ast.Node) bool {
			st, ok := n.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fld := range st.Fields.List {
				if fld.Tag == nil {
					continue
				}
				tag, _ := strconv.Unquote(fld.Tag.Value)
				name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
				if name != "" && name != "-" {
					out = append(out, name)
				}
			}
			return true
		})
	}
	return out
}

var envName = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)

// envReads are the functions through which the code reads the environment.
var envReads = []string{"Getenv", "LookupEnv", "lookupEnv"}

// envVars lists the environment variables that s reads: the literal
// argument of each Getenv/LookupEnv call, or, where the name is a
// variable, the upper-case string literals of the enclosing function (such
// as the list a loop reads one by one). A read it cannot name is reported.
func (s *source) envVars(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, f := range s.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || slices.Contains(envReads, fd.Name.Name) {
				continue // the wrappers themselves pass their argument on
			}
			var candidates []string
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if v, ok := str(asExpr(n)); ok && envName.MatchString(v) {
					candidates = append(candidates, v)
				}
				return true
			})
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				c, ok := n.(*ast.CallExpr)
				if !ok || !slices.Contains(envReads, calleeName(c)) || len(c.Args) != 1 {
					return true
				}
				if v, ok := str(c.Args[0]); ok {
					out = append(out, v)
					return true
				}
				if len(candidates) == 0 {
					t.Errorf("scan: %s reads an environment variable whose name the scan cannot tell; "+
						"use a string literal there or list the names in %s", s.fset.Position(c.Pos()), fd.Name.Name)
				}
				out = append(out, candidates...)
				return true
			})
		}
	}
	return out
}

func asExpr(n ast.Node) ast.Expr {
	if e, ok := n.(*ast.BasicLit); ok {
		return e
	}
	return nil
}

var pathLiteral = regexp.MustCompile(`^/(etc|run|var/run|dev|sys)/[A-Za-z0-9._/-]+$`)

// paths lists the string literals of s that are absolute paths of system
// files under /etc, /run, /var/run, /dev and /sys.
func (s *source) paths() []string {
	var out []string
	for _, f := range s.files {
		ast.Inspect(f, func(n ast.Node) bool {
			if v, ok := str(asExpr(n)); ok && pathLiteral.MatchString(v) {
				out = append(out, strings.TrimSuffix(v, "/"))
			}
			return true
		})
	}
	return out
}

// constsNamed returns the string constants whose names start with prefix.
func (s *source) constsNamed(prefix string) []string {
	var out []string
	for name, v := range s.constStrings() {
		if strings.HasPrefix(name, prefix) {
			out = append(out, v)
		}
	}
	return out
}
