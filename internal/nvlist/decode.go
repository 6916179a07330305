package nvlist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Sizes and limits of the format (nvlist.c, nvpair.c, sys/sys/nv.h).
const (
	headerSize   = 19   // sizeof(struct nvlist_header), and of struct nvpair_header
	markerSize   = 20   // an NVLIST_UP or NVLIST_ARRAY_NEXT pair: header and the name ""
	nameMax      = 2048 // NV_NAME_MAX, the largest nvph_namesize
	headerMagic  = 0x6c // NVLIST_HEADER_MAGIC
	flagBig      = 0x80 // NV_FLAG_BIG_ENDIAN
	flagLookup   = 0x03 // NV_FLAG_IGNORE_CASE | NV_FLAG_NO_UNIQUE
	maxDepth     = 256  // nesting Decode and Encode accept; libnv has no limit
	scanUniqueMx = 16   // lists up to this long are checked for duplicates by scanning
)

// ErrFormat is the error Decode returns for input that is not a packed list
// it accepts; the error it returns wraps it and says where.
var ErrFormat = errors.New("nvlist: malformed packed list")

type decoder struct {
	buf   []byte
	off   int
	order binary.ByteOrder
	big   bool
}

// end is what closes the list being decoded.
type end int

const (
	endBuffer end = iota // the top level: the end of the input
	endUp                // a nested list: NV_TYPE_NVLIST_UP
	endNext              // an array element: NV_TYPE_NVLIST_ARRAY_NEXT
)

// Decode unpacks a list, as nvlist_unpack(buf, len, 0) does. It never
// panics, and it allocates no more than a small multiple of len(buf).
func Decode(buf []byte) (List, error) {
	d := &decoder{buf: buf}
	if err := d.header(true); err != nil {
		return nil, err
	}
	return d.list(endBuffer, 0)
}

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrFormat, d.off, fmt.Sprintf(format, args...))
}

func (d *decoder) left() int { return len(d.buf) - d.off }

// header reads a struct nvlist_header.
func (d *decoder) header(top bool) error {
	if d.left() < headerSize {
		return d.errorf("truncated list header")
	}
	h := d.buf[d.off : d.off+headerSize]
	if h[0] != headerMagic || h[1] != 0 {
		return d.errorf("bad magic or version %#x %#x", h[0], h[1])
	}
	flags := h[2]
	if flags&^(flagBig|flagLookup) != 0 || flags&flagLookup != 0 {
		return d.errorf("unsupported flags %#x", flags)
	}
	big := flags&flagBig != 0
	if top {
		d.big, d.order = big, binary.ByteOrder(binary.LittleEndian)
		if big {
			d.order = binary.BigEndian
		}
	} else if big != d.big {
		return d.errorf("nested list in another byte order")
	}
	if n := d.order.Uint64(h[3:11]); n != 0 {
		return d.errorf("%d descriptors", n)
	}
	if n := d.order.Uint64(h[11:19]); n != uint64(d.left()-headerSize) {
		return d.errorf("list size %d, %d bytes left", n, d.left()-headerSize)
	}
	d.off += headerSize
	return nil
}

// list reads pairs up to the end marker e.
func (d *decoder) list(e end, depth int) (List, error) {
	if depth > maxDepth {
		return nil, d.errorf("lists nested deeper than %d", maxDepth)
	}
	l := List{}
	var seen map[string]struct{}
	for {
		if d.left() == 0 {
			if e != endBuffer {
				return nil, d.errorf("list not closed")
			}
			return l, nil
		}
		start := d.off
		typ, name, size, nitems, err := d.pairHeader()
		if err != nil {
			return nil, err
		}
		switch {
		case typ == typeUp && e == endUp, typ == typeArrayNext && e == endNext:
			return l, nil
		case typ == typeUp || typ == typeArrayNext:
			d.off = start
			return nil, d.errorf("unexpected end marker %d", typ)
		}
		v, err := d.value(typ, size, nitems, depth)
		if err != nil {
			return nil, err
		}
		if len(l) < scanUniqueMx {
			if _, dup := l.Lookup(name); dup {
				d.off = start
				return nil, d.errorf("duplicate name %q", name)
			}
		} else {
			if seen == nil {
				seen = make(map[string]struct{}, 2*len(l))
				for _, p := range l {
					seen[p.Name] = struct{}{}
				}
			}
			if _, dup := seen[name]; dup {
				d.off = start
				return nil, d.errorf("duplicate name %q", name)
			}
			seen[name] = struct{}{}
		}
		l = append(l, Pair{Name: name, Value: v})
	}
}

// pairHeader reads a struct nvpair_header and the name after it.
func (d *decoder) pairHeader() (typ Type, name string, size, nitems uint64, err error) {
	if d.left() < headerSize {
		return 0, "", 0, 0, d.errorf("truncated pair header")
	}
	h := d.buf[d.off : d.off+headerSize]
	typ = Type(h[0])
	if (typ < TypeNull || typ > typeDescriptorArray) && typ != typeUp && typ != typeArrayNext {
		return 0, "", 0, 0, d.errorf("unknown type %d", typ)
	}
	namesize := int(d.order.Uint16(h[1:3]))
	size, nitems = d.order.Uint64(h[3:11]), d.order.Uint64(h[11:19])
	d.off += headerSize
	if namesize < 1 || namesize > nameMax || namesize > d.left() {
		return 0, "", 0, 0, d.errorf("bad name size %d", namesize)
	}
	raw := d.buf[d.off : d.off+namesize]
	if bytes.IndexByte(raw, 0) != namesize-1 {
		return 0, "", 0, 0, d.errorf("name not terminated at its size")
	}
	d.off += namesize
	if size > uint64(d.left()) {
		return 0, "", 0, 0, d.errorf("data size %d, %d bytes left", size, d.left())
	}
	return typ, string(raw[:namesize-1]), size, nitems, nil
}

// value reads the data of a pair, or the lists it holds.
func (d *decoder) value(typ Type, size, nitems uint64, depth int) (Value, error) {
	n := int(size) // size <= d.left()
	data := d.buf[d.off : d.off+n]
	switch typ {
	case TypeNull:
		if n != 0 {
			return nil, d.errorf("null with %d bytes", n)
		}
		return Null{}, nil
	case TypeBool:
		if n != 1 || data[0] > 1 {
			return nil, d.errorf("bad bool")
		}
		d.off += n
		return Bool(data[0] == 1), nil
	case TypeNumber:
		if n != 8 {
			return nil, d.errorf("number of %d bytes", n)
		}
		d.off += n
		return Number(d.order.Uint64(data)), nil
	case TypeString:
		if n == 0 || bytes.IndexByte(data, 0) != n-1 {
			return nil, d.errorf("string not terminated at its size")
		}
		d.off += n
		return String(data[:n-1]), nil
	case TypeBinary:
		if n == 0 {
			return nil, d.errorf("empty binary")
		}
		d.off += n
		return Binary(bytes.Clone(data)), nil
	case TypeList:
		if n == 0 {
			return nil, d.errorf("nested list with data size 0")
		}
		if err := d.header(false); err != nil {
			return nil, err
		}
		return d.list(endUp, depth+1)
	case TypeListArray:
		// Each element takes a header and an end marker at least.
		if nitems == 0 || nitems > uint64(d.left()/(headerSize+markerSize)) {
			return nil, d.errorf("bad list array length %d", nitems)
		}
		a := make(ListArray, nitems)
		for i := range a {
			if err := d.header(false); err != nil {
				return nil, err
			}
			var err error
			if a[i], err = d.list(endNext, depth+1); err != nil {
				return nil, err
			}
		}
		return a, nil
	case TypeBoolArray:
		if nitems == 0 || size != nitems {
			return nil, d.errorf("bad bool array")
		}
		a := make(BoolArray, n)
		for i, c := range data {
			if c > 1 {
				return nil, d.errorf("bad bool in array")
			}
			a[i] = c == 1
		}
		d.off += n
		return a, nil
	case TypeNumberArray:
		if nitems == 0 || size%8 != 0 || size/8 != nitems {
			return nil, d.errorf("bad number array")
		}
		a := make(NumberArray, nitems)
		for i := range a {
			a[i] = d.order.Uint64(data[8*i:])
		}
		d.off += n
		return a, nil
	case TypeStringArray:
		if nitems == 0 || n == 0 || data[n-1] != 0 || uint64(bytes.Count(data, []byte{0})) != nitems {
			return nil, d.errorf("bad string array")
		}
		a := make(StringArray, 0, nitems)
		for s := range bytes.SplitSeq(data[:n-1], []byte{0}) {
			a = append(a, string(s))
		}
		d.off += n
		return a, nil
	}
	return nil, d.errorf("type %d cannot be unpacked without descriptors", typ)
}
