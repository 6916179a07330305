package nvlist

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode: Decode never panics, and what it decodes encodes again (in
// either byte order) to bytes that decode to the same list.
func FuzzDecode(f *testing.F) {
	for _, l := range []List{wgList(), {}, {{"n", List{{"x", Number(7)}}}, {"z", Null{}}}} {
		for _, big := range []bool{false, true} {
			b, err := encode(l, big)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		l, err := Decode(in)
		if err != nil {
			return
		}
		for _, big := range []bool{false, true} {
			b, err := encode(l, big)
			if err != nil {
				t.Fatalf("decoded list does not encode: %v", err)
			}
			again, err := Decode(b)
			if err != nil {
				t.Fatalf("re-encoded list does not decode: %v", err)
			}
			if diff := cmp.Diff(l, again); diff != "" {
				t.Fatalf("round trip (-decoded +again):\n%s", diff)
			}
		}
	})
}
