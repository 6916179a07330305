package nvlist

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Encode packs l in the host's byte order, as nvlist_pack(3) does, so that
// the kernel of this machine reads it. The result is what libnv would
// produce for the same list, byte for byte; in particular a nested list's
// nvph_datasize is what libnv's nvlist_size gives when called on a list
// inside another: the nested list's header and pairs plus the pairs that
// follow it in its ancestors (19 for an empty nested list). Decoders ignore
// it beyond checking that it is not 0.
//
// Encode fails where libnv would: a name that is too long or holds a NUL, a
// name used twice in one list, an empty Binary or array, a String holding a
// NUL, a nil Value; and for nesting deeper than Decode accepts.
func Encode(l List) ([]byte, error) {
	return encode(l, nativeBig())
}

func nativeBig() bool {
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], 1)
	return b[0] == 0
}

type encoder struct {
	b     []byte
	order binary.AppendByteOrder
	flags byte
}

// encode packs l in the given byte order.
func encode(l List, big bool) ([]byte, error) {
	if err := check(l, 0); err != nil {
		return nil, err
	}
	e := &encoder{order: binary.LittleEndian}
	if big {
		e.order, e.flags = binary.BigEndian, flagBig
	}
	total := headerSize + contentSize(l)
	e.b = make([]byte, 0, total)
	e.header(total)
	e.list(l, 0, total)
	return e.b, nil
}

// check reports the first reason libnv would refuse to pack l.
func check(l List, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("nvlist: lists nested deeper than %d", maxDepth)
	}
	for i, p := range l {
		if len(p.Name) >= nameMax || strings.IndexByte(p.Name, 0) >= 0 {
			return fmt.Errorf("nvlist: bad name %q", p.Name)
		}
		for _, q := range l[:i] {
			if q.Name == p.Name {
				return fmt.Errorf("nvlist: name %q used twice", p.Name)
			}
		}
		var err error
		switch v := p.Value.(type) {
		case Null, Bool, Number:
		case String:
			if strings.IndexByte(string(v), 0) >= 0 {
				err = fmt.Errorf("nvlist: string %q holds a NUL", p.Name)
			}
		case List:
			err = check(v, depth+1)
		case ListArray:
			for _, e := range v {
				if err = check(e, depth+1); err != nil {
					break
				}
			}
			if len(v) == 0 {
				err = fmt.Errorf("nvlist: empty array %q", p.Name)
			}
		case StringArray:
			for _, s := range v {
				if strings.IndexByte(s, 0) >= 0 {
					err = fmt.Errorf("nvlist: string in %q holds a NUL", p.Name)
				}
			}
			if len(v) == 0 {
				err = fmt.Errorf("nvlist: empty array %q", p.Name)
			}
		case Binary, BoolArray, NumberArray:
			if dataSize(v) == 0 {
				err = fmt.Errorf("nvlist: empty %q", p.Name)
			}
		default:
			err = fmt.Errorf("nvlist: %q has no value of a known type (%T)", p.Name, p.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dataSize is nvph_datasize of a value that is not a list.
func dataSize(v Value) int {
	switch v := v.(type) {
	case Bool:
		return 1
	case Number:
		return 8
	case String:
		return len(v) + 1
	case Binary:
		return len(v)
	case BoolArray:
		return len(v)
	case NumberArray:
		return 8 * len(v)
	case StringArray:
		n := 0
		for _, s := range v {
			n += len(s) + 1
		}
		return n
	}
	return 0
}

// contentSize is the packed size of l's pairs, without l's own header and
// end marker.
func contentSize(l List) int {
	n := 0
	for _, p := range l {
		n += pairSize(p)
	}
	return n
}

// pairSize is the packed size of p with everything nested in it.
func pairSize(p Pair) int {
	n := headerSize + len(p.Name) + 1
	switch v := p.Value.(type) {
	case List:
		n += headerSize + contentSize(v) + markerSize
	case ListArray:
		for _, e := range v {
			n += headerSize + contentSize(e) + markerSize
		}
	default:
		n += dataSize(v)
	}
	return n
}

// header appends a struct nvlist_header; total is the whole buffer's size.
func (e *encoder) header(total int) {
	e.b = append(e.b, headerMagic, 0, e.flags)
	e.b = e.order.AppendUint64(e.b, 0)                        // nvlh_descriptors
	e.b = e.order.AppendUint64(e.b, uint64(total-len(e.b)-8)) // nvlh_size
}

func (e *encoder) pairHeader(t Type, name string, size, nitems int) {
	e.b = append(e.b, byte(t))
	e.b = e.order.AppendUint16(e.b, uint16(len(name)+1))
	e.b = e.order.AppendUint64(e.b, uint64(size))
	e.b = e.order.AppendUint64(e.b, uint64(nitems))
	e.b = append(append(e.b, name...), 0)
}

// list appends l's pairs. rest is what libnv's nvlist_size counts after l
// when it climbs out of l: the pairs that follow l in its ancestors.
func (e *encoder) list(l List, rest, total int) {
	after := contentSize(l) // the size of l's pairs from the current one on
	for _, p := range l {
		after -= pairSize(p)
		switch v := p.Value.(type) {
		case List:
			size := headerSize
			if len(v) > 0 {
				size += contentSize(v) + after + rest
			}
			e.pairHeader(TypeList, p.Name, size, 0)
			e.header(total)
			e.list(v, after+rest, total)
			e.pairHeader(typeUp, "", 0, 0)
		case ListArray:
			e.pairHeader(TypeListArray, p.Name, 0, len(v))
			later := 0
			for _, el := range v {
				later += contentSize(el)
			}
			for _, el := range v {
				later -= contentSize(el)
				e.header(total)
				e.list(el, later+after+rest, total)
				e.pairHeader(typeArrayNext, "", 0, 0)
			}
		default:
			e.pairHeader(v.Type(), p.Name, dataSize(v), arrayLen(v))
			e.data(v)
		}
	}
}

func arrayLen(v Value) int {
	switch v := v.(type) {
	case BoolArray:
		return len(v)
	case NumberArray:
		return len(v)
	case StringArray:
		return len(v)
	}
	return 0
}

func (e *encoder) data(v Value) {
	switch v := v.(type) {
	case Bool:
		if v {
			e.b = append(e.b, 1)
		} else {
			e.b = append(e.b, 0)
		}
	case Number:
		e.b = e.order.AppendUint64(e.b, uint64(v))
	case String:
		e.b = append(append(e.b, v...), 0)
	case Binary:
		e.b = append(e.b, v...)
	case BoolArray:
		for _, x := range v {
			e.data(Bool(x))
		}
	case NumberArray:
		for _, x := range v {
			e.b = e.order.AppendUint64(e.b, x)
		}
	case StringArray:
		for _, s := range v {
			e.b = append(append(e.b, s...), 0)
		}
	}
}
