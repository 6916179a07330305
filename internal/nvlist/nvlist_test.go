package nvlist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// u64 and u16 spell header fields in little-endian order.
func u64(n uint64) []byte { return binary.LittleEndian.AppendUint64(nil, n) }
func u16(n uint16) []byte { return binary.LittleEndian.AppendUint16(nil, n) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// listHeader is a little-endian struct nvlist_header: nvlh_magic (offset 0),
// nvlh_version (1), nvlh_flags (2), nvlh_descriptors (3..10), nvlh_size
// (11..18, the bytes from the end of this header to the end of the buffer).
func listHeader(size uint64) []byte { return cat([]byte{0x6c, 0, 0}, u64(0), u64(size)) }

// pairHeader is a little-endian struct nvpair_header and the name: nvph_type
// (offset 0), nvph_namesize (1..2, with the NUL), nvph_datasize (3..10),
// nvph_nitems (11..18), then the name and its NUL.
func pairHeader(t byte, name string, datasize, nitems uint64) []byte {
	return cat([]byte{t}, u16(uint16(len(name)+1)), u64(datasize), u64(nitems), []byte(name), []byte{0})
}

// The markers closing nested lists: nvpair_pack_nvlist_up and
// nvpair_pack_nvlist_array_next write type 255 or 254, namesize 1, datasize 0,
// nitems 0 and the name "".
var (
	upMarker   = pairHeader(255, "", 0, 0)
	nextMarker = pairHeader(254, "", 0, 0)
)

func TestLayout(t *testing.T) {
	tests := []struct {
		name string
		l    List
		want []byte
	}{
		{"empty", List{}, listHeader(0)},
		{
			"number",
			List{{"a", Number(0x0102)}},
			// 19-byte header, 19-byte pair header, "a\0", 8 bytes of data.
			cat(listHeader(19+2+8), pairHeader(3, "a", 8, 0), []byte{2, 1, 0, 0, 0, 0, 0, 0}),
		},
		{
			"scalars",
			List{{"n", Null{}}, {"t", Bool(true)}, {"s", String("wg")}, {"b", Binary{0xde, 0xad}}},
			cat(listHeader(21+22+24+23),
				pairHeader(1, "n", 0, 0),
				pairHeader(2, "t", 1, 0), []byte{1},
				pairHeader(4, "s", 3, 0), []byte("wg\x00"),
				pairHeader(7, "b", 2, 0), []byte{0xde, 0xad}),
		},
		{
			"arrays of values",
			List{{"ba", BoolArray{true, false}}, {"na", NumberArray{7}}, {"sa", StringArray{"x", ""}}},
			cat(listHeader(22+2+22+8+22+3),
				pairHeader(8, "ba", 2, 2), []byte{1, 0},
				pairHeader(9, "na", 8, 1), u64(7),
				pairHeader(10, "sa", 3, 2), []byte("x\x00\x00")),
		},
		{
			// An array of lists has nvph_datasize 0 and nvph_nitems elements;
			// each element is a header, its pairs and an ARRAY_NEXT marker,
			// and every header's nvlh_size runs to the end of the buffer.
			"list array",
			List{{"peers", ListArray{{{"k", Bool(true)}}, {}}}},
			cat(listHeader(144-19),
				pairHeader(11, "peers", 0, 2),
				listHeader(144-19-25-19), pairHeader(2, "k", 1, 0), []byte{1}, nextMarker,
				listHeader(20), nextMarker),
		},
		{
			// A nested list is a pair with no data, the list's header, its
			// pairs and an UP marker. Its nvph_datasize is libnv's
			// nvlist_size of the nested list, which climbs into the parent:
			// 19 (its header) + 29 (pair x) + 21 (pair z, after it) = 69.
			"nested list",
			List{{"n", List{{"x", Number(7)}}}, {"z", Null{}}},
			cat(listHeader(129-19),
				pairHeader(5, "n", 69, 0),
				listHeader(129-19-21-19), pairHeader(3, "x", 8, 0), u64(7), upMarker,
				pairHeader(1, "z", 0, 0)),
		},
		{
			// An empty nested list: nvlist_size stops at once, so 19.
			"empty nested list",
			List{{"e", List{}}, {"z", Null{}}},
			cat(listHeader(21+19+20+21), pairHeader(5, "e", 19, 0), listHeader(20+21), upMarker, pairHeader(1, "z", 0, 0)),
		},
		{
			// A nested list inside an array element also counts the later
			// elements' pairs and the pairs after the array: 19 + 29 (x) +
			// 22 (pair k of the second element) + 21 (pair z) = 91.
			"nested list in array",
			List{{"a", ListArray{{{"n", List{{"x", Number(7)}}}}, {{"k", Bool(false)}}}}, {"z", Null{}}},
			cat(listHeader(21+(19+(21+19+29+20)+20)+(19+22+20)+21),
				pairHeader(11, "a", 0, 2),
				listHeader(21+19+29+20+20+19+22+20+21), pairHeader(5, "n", 91, 0),
				listHeader(29+20+20+19+22+20+21), pairHeader(3, "x", 8, 0), u64(7), upMarker, nextMarker,
				listHeader(22+20+21), pairHeader(2, "k", 1, 0), []byte{0}, nextMarker,
				pairHeader(1, "z", 0, 0)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := encode(tt.l, false)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("encode (-want +got):\n%s", diff)
			}
			back, err := Decode(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.l, back); diff != "" {
				t.Errorf("decode (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBigEndian: nvlh_flags carries NV_FLAG_BIG_ENDIAN (0x80) and every
// multi-byte field, nvph_nitems too, is big-endian.
func TestBigEndian(t *testing.T) {
	be := func(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }
	want := cat(
		[]byte{0x6c, 0, 0x80}, be(0), be(22+19+29+20+23),
		[]byte{11, 0, 3}, be(0), be(1), []byte("ps\x00"),
		[]byte{0x6c, 0, 0x80}, be(0), be(29+20+23),
		[]byte{3, 0, 2}, be(8), be(0), []byte("x\x00"), be(0x0102030405060708),
		[]byte{254, 0, 1}, be(0), be(0), []byte{0},
		[]byte{7, 0, 2}, be(2), be(0), []byte("b\x00"), []byte{1, 2},
	)
	l := List{{"ps", ListArray{{{"x", Number(0x0102030405060708)}}}}, {"b", Binary{1, 2}}}
	got, err := encode(l, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("encode (-want +got):\n%s", diff)
	}
	back, err := Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l, back); diff != "" {
		t.Errorf("decode (-want +got):\n%s", diff)
	}
}

// wgList is the shape of what if_wg's wgc_get returns.
func wgList() List {
	key := bytes.Repeat([]byte{0x11}, 32)
	return List{
		{"listen-port", Number(51820)},
		{"public-key", Binary(key)},
		{"private-key", Binary(key)},
		{"peers", ListArray{
			{
				{"public-key", Binary(key)},
				{"preshared-key", Binary(make([]byte, 32))},
				{"endpoint", Binary{16, 2, 0xca, 0x6c, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0}},
				{"last-handshake-time", Binary(make([]byte, 16))},
				{"persistent-keepalive-interval", Number(25)},
				{"rx-bytes", Number(1 << 40)},
				{"tx-bytes", Number(0)},
				{"allowed-ips", ListArray{
					{{"ipv4", Binary{10, 0, 0, 0}}, {"cidr", Number(8)}},
					{{"ipv6", Binary(make([]byte, 16))}, {"cidr", Number(0)}},
				}},
			},
			{{"public-key", Binary(key)}},
		}},
		{"meta", List{{"name", String("wg0")}, {"up", Bool(true)}, {"none", Null{}}, {"ids", NumberArray{1, 2}}}},
		{"tags", StringArray{"a", "b"}},
		{"bits", BoolArray{true}},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, big := range []bool{false, true} {
		b, err := encode(wgList(), big)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("big=%v: %v", big, err)
		}
		if diff := cmp.Diff(wgList(), got); diff != "" {
			t.Errorf("big=%v (-want +got):\n%s", big, diff)
		}
	}
	native, err := Encode(wgList())
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := encode(wgList(), nativeBig()); !bytes.Equal(native, want) {
		t.Error("Encode does not use the host's byte order")
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		l    List
	}{
		{"duplicate", List{{"a", Null{}}, {"a", Number(1)}}},
		{"duplicate in element", List{{"l", ListArray{{{"a", Null{}}, {"a", Null{}}}}}}},
		{"name with NUL", List{{"a\x00", Null{}}}},
		{"long name", List{{string(make([]byte, 2048)), Null{}}}},
		{"empty binary", List{{"b", Binary{}}}},
		{"empty list array", List{{"l", ListArray{}}}},
		{"empty number array", List{{"l", NumberArray{}}}},
		{"empty string array", List{{"l", StringArray{}}}},
		{"string with NUL", List{{"s", String("a\x00b")}}},
		{"nil value", List{{"v", nil}}},
	}
	for _, tt := range tests {
		if _, err := Encode(tt.l); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	ok := func(pairs ...[]byte) []byte {
		body := cat(pairs...)
		return cat(listHeader(uint64(len(body))), body)
	}
	num := cat(pairHeader(3, "a", 8, 0), u64(1))
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty input", nil},
		{"short header", listHeader(0)[:18]},
		{"bad magic", cat([]byte{0x6d, 0, 0}, u64(0), u64(0))},
		{"bad version", cat([]byte{0x6c, 1, 0}, u64(0), u64(0))},
		{"ignore case flag", cat([]byte{0x6c, 0, 1}, u64(0), u64(0))},
		{"no unique flag", cat([]byte{0x6c, 0, 2}, u64(0), u64(0))},
		{"unknown flag", cat([]byte{0x6c, 0, 0x10}, u64(0), u64(0))},
		{"descriptors", cat([]byte{0x6c, 0, 0}, u64(1), u64(0))},
		{"size too small", cat(listHeader(0), num)},
		{"size too large", cat(listHeader(30), num)},
		{"trailing byte", append(ok(num), 0)},
		{"short pair header", ok(num[:10])},
		{"type 0", ok(pairHeader(0, "a", 0, 0))},
		{"type 13", ok(pairHeader(13, "a", 0, 0))},
		{"namesize 0", ok(cat([]byte{1}, u16(0), u64(0), u64(0)))},
		{"namesize past end", ok(cat([]byte{1}, u16(9), u64(0), u64(0), []byte("a\x00")))},
		{"name without NUL", ok(cat([]byte{1}, u16(2), u64(0), u64(0), []byte("ab")))},
		{"name with inner NUL", ok(cat([]byte{1}, u16(3), u64(0), u64(0), []byte("a\x00\x00")))},
		{"datasize past end", ok(pairHeader(7, "b", 9, 0), []byte{1})},
		{"null with data", ok(pairHeader(1, "n", 1, 0), []byte{0})},
		{"bool 2", ok(pairHeader(2, "t", 1, 0), []byte{2})},
		{"bool of 2 bytes", ok(pairHeader(2, "t", 2, 0), []byte{1, 0})},
		{"number of 4 bytes", ok(pairHeader(3, "a", 4, 0), []byte{1, 0, 0, 0})},
		{"string without NUL", ok(pairHeader(4, "s", 2, 0), []byte("ab"))},
		{"string with inner NUL", ok(pairHeader(4, "s", 3, 0), []byte("a\x00\x00"))},
		{"empty binary", ok(pairHeader(7, "b", 0, 0))},
		{"duplicate name", ok(num, num)},
		{"descriptor", ok(pairHeader(6, "d", 8, 0), u64(0))},
		{"descriptor array", ok(pairHeader(12, "d", 8, 1), u64(0))},
		{"up at top level", ok(upMarker)},
		{"next at top level", ok(nextMarker)},
		{"nested list unclosed", ok(pairHeader(5, "n", 19, 0), listHeader(0))},
		{"nested list closed by next", ok(pairHeader(5, "n", 19, 0), listHeader(20), nextMarker)},
		{"nested list datasize 0", ok(pairHeader(5, "n", 0, 0), listHeader(20), upMarker)},
		{"nested big-endian header", ok(pairHeader(5, "n", 19, 0), cat([]byte{0x6c, 0, 0x80}, u64(0), binary.BigEndian.AppendUint64(nil, 20)), upMarker)},
		{"array element closed by up", ok(pairHeader(11, "l", 0, 1), listHeader(20), upMarker)},
		{"array element unclosed", ok(pairHeader(11, "l", 0, 1), listHeader(0))},
		{"array of 0", ok(pairHeader(11, "l", 0, 0))},
		{"array longer than input", ok(pairHeader(11, "l", 0, 2), listHeader(20), nextMarker)},
		{"array of 2^63", ok(pairHeader(11, "l", 0, 1<<63), listHeader(20), nextMarker)},
		{"bool array count", ok(pairHeader(8, "b", 2, 1), []byte{1, 0})},
		{"number array count", ok(pairHeader(9, "n", 8, 2), u64(1))},
		{"number array of 2^61", ok(pairHeader(9, "n", 8, 1<<61), u64(1))},
		{"string array count", ok(pairHeader(10, "s", 2, 2), []byte("a\x00"))},
		{"string array unterminated", ok(pairHeader(10, "s", 2, 1), []byte("ab"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Decode(tt.in)
			if !errors.Is(err, ErrFormat) {
				t.Errorf("Decode = %v, %v; want ErrFormat", l, err)
			}
		})
	}
}

func TestDecodeDeepNesting(t *testing.T) {
	l := List{}
	for range maxDepth + 1 {
		l = List{{"n", l}}
	}
	if _, err := Encode(l); err == nil {
		t.Error("Encode accepted nesting deeper than maxDepth")
	}
	b, err := encode(l[0].Value.(List), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(b); err != nil {
		t.Fatalf("nesting of maxDepth: %v", err)
	}
}

func TestAccessors(t *testing.T) {
	l := wgList()
	if n, ok := l.Number("listen-port"); !ok || n != 51820 {
		t.Errorf("Number = %d, %v", n, ok)
	}
	if _, ok := l.Number("public-key"); ok {
		t.Error("Number of a binary")
	}
	if b, ok := l.Binary("public-key"); !ok || len(b) != 32 {
		t.Errorf("Binary = %x, %v", b, ok)
	}
	if p, ok := l.Lists("peers"); !ok || len(p) != 2 {
		t.Errorf("Lists = %v, %v", p, ok)
	}
	m, _ := l.Lookup("meta")
	if b, ok := m.(List).Bool("up"); !ok || !b {
		t.Errorf("Bool = %v, %v", b, ok)
	}
	if _, ok := l.Lookup("missing"); ok {
		t.Error("Lookup of a missing name")
	}
}
