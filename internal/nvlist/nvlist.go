package nvlist

// Type is an nvpair type, NV_TYPE_* in sys/sys/nv.h.
type Type uint8

// The value types (sys/sys/nv.h) and the markers that close nested lists
// (nv_impl.h).
const (
	TypeNull            Type = 1
	TypeBool            Type = 2
	TypeNumber          Type = 3
	TypeString          Type = 4
	TypeList            Type = 5
	typeDescriptor      Type = 6
	TypeBinary          Type = 7
	TypeBoolArray       Type = 8
	TypeNumberArray     Type = 9
	TypeStringArray     Type = 10
	TypeListArray       Type = 11
	typeDescriptorArray Type = 12
	typeArrayNext       Type = 254 // NV_TYPE_NVLIST_ARRAY_NEXT
	typeUp              Type = 255 // NV_TYPE_NVLIST_UP
)

// Value is the value of a pair: one of Null, Bool, Number, String, Binary,
// List, ListArray, BoolArray, NumberArray or StringArray.
type Value interface {
	// Type is the value's NV_TYPE_*.
	Type() Type
}

// Null is a value of type NV_TYPE_NULL.
type Null struct{}

// Bool is a value of type NV_TYPE_BOOL.
type Bool bool

// Number is a value of type NV_TYPE_NUMBER.
type Number uint64

// String is a value of type NV_TYPE_STRING; it holds no NUL.
type String string

// Binary is a value of type NV_TYPE_BINARY; it is never empty.
type Binary []byte

// ListArray is a value of type NV_TYPE_NVLIST_ARRAY; it is never empty.
type ListArray []List

// BoolArray is a value of type NV_TYPE_BOOL_ARRAY; it is never empty.
type BoolArray []bool

// NumberArray is a value of type NV_TYPE_NUMBER_ARRAY; it is never empty.
type NumberArray []uint64

// StringArray is a value of type NV_TYPE_STRING_ARRAY; it is never empty.
type StringArray []string

// Pair is one named value.
type Pair struct {
	Name  string
	Value Value
}

// List is a name-value list in order. Names are unique within a list, as in
// a list libnv creates without NV_FLAG_NO_UNIQUE. A List is also the value
// of a nested list (NV_TYPE_NVLIST).
type List []Pair

// Type implements Value.
func (Null) Type() Type { return TypeNull }

// Type implements Value.
func (Bool) Type() Type { return TypeBool }

// Type implements Value.
func (Number) Type() Type { return TypeNumber }

// Type implements Value.
func (String) Type() Type { return TypeString }

// Type implements Value.
func (Binary) Type() Type { return TypeBinary }

// Type implements Value.
func (List) Type() Type { return TypeList }

// Type implements Value.
func (ListArray) Type() Type { return TypeListArray }

// Type implements Value.
func (BoolArray) Type() Type { return TypeBoolArray }

// Type implements Value.
func (NumberArray) Type() Type { return TypeNumberArray }

// Type implements Value.
func (StringArray) Type() Type { return TypeStringArray }

// Lookup returns the value named name.
func (l List) Lookup(name string) (Value, bool) {
	for _, p := range l {
		if p.Name == name {
			return p.Value, true
		}
	}
	return nil, false
}

// Number returns the number named name; ok is false when there is none or
// it has another type, as nvlist_exists_number(3) decides.
func (l List) Number(name string) (n uint64, ok bool) {
	v, _ := l.Lookup(name)
	x, ok := v.(Number)
	return uint64(x), ok
}

// Bool returns the bool named name (see Number for ok).
func (l List) Bool(name string) (b, ok bool) {
	v, _ := l.Lookup(name)
	x, ok := v.(Bool)
	return bool(x), ok
}

// Binary returns the binary named name (see Number for ok).
func (l List) Binary(name string) ([]byte, bool) {
	v, _ := l.Lookup(name)
	x, ok := v.(Binary)
	return x, ok
}

// Lists returns the array of lists named name (see Number for ok).
func (l List) Lists(name string) ([]List, bool) {
	v, _ := l.Lookup(name)
	x, ok := v.(ListArray)
	return x, ok
}
