package manpages

import (
	"go/ast"
	"go/token"
	"slices"
	"testing"
)

// variable is the declaration of the package-level variable name.
func (s *source) variable(t *testing.T, name string) *ast.ValueSpec {
	t.Helper()
	for _, f := range s.files {
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, spec := range gd.Specs {
					if vs := spec.(*ast.ValueSpec); slices.ContainsFunc(vs.Names, func(id *ast.Ident) bool { return id.Name == name }) {
						return vs
					}
				}
			}
		}
	}
	t.Fatalf("scan: no var %s in %s; it moved or was renamed, so update internal/manpages/keywords_test.go", name, s.dir)
	return nil
}

// mapKeys are the string keys of the map literals in n, nested ones too.
func mapKeys(n ast.Node) []string {
	var out []string
	ast.Inspect(n, func(n ast.Node) bool {
		if kv, ok := n.(*ast.KeyValueExpr); ok {
			if v, ok := str(kv.Key); ok {
				out = append(out, v)
			}
		}
		return true
	})
	return out
}
