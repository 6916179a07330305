package config

import "unsafe"

// Slab hands out values from large shared arrays, so that a config or
// device of tens of thousands of peers costs a few allocations instead
// of several per peer: in a process that runs for milliseconds each new
// page is a fault, and the garbage collector is off.
type Slab[T any] struct{ buf []T }

// slabChunk is the size of each array.
const slabChunk = 1024

// New is a pointer to a copy of v, in the slab.
func (s *Slab[T]) New(v T) *T {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]T, 0, slabChunk)
	}
	s.buf = append(s.buf, v)
	return &s.buf[len(s.buf)-1]
}

// Append appends v to cur, which is the last slice Append returned (or
// nil, or any other slice, which is copied into the slab first). The
// result's capacity ends at its length, so that an append outside the
// slab copies instead of overwriting a neighbour.
func (s *Slab[T]) Append(cur []T, v T) []T {
	atEnd := len(cur) == 0 || (len(s.buf) >= len(cur) && unsafe.SliceData(s.buf[len(s.buf)-len(cur):]) == unsafe.SliceData(cur))
	if !atEnd || len(s.buf) == cap(s.buf) {
		next := make([]T, 0, max(slabChunk, 2*(len(cur)+1)))
		s.buf = append(next, cur...)
	}
	s.buf = append(s.buf, v)
	n := len(cur) + 1
	return s.buf[len(s.buf)-n : len(s.buf) : len(s.buf)]
}

// View is b as a string without a copy, for parsers that keep no part of
// their input (netip's, ours on a line): valid while b is unchanged.
func View(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// ReservedLen is how many values Reserved makes room for.
const ReservedLen = 1 << 16

// Reserved is an empty slice with room for ReservedLen values that costs
// address space only: the kernel maps its pages as they are written (a
// fresh large allocation is not zeroed), so a list of unknown length up to
// that is filled with no copy and no page more than it uses.
func Reserved[T any]() []T { return make([]T, 0, ReservedLen) }
