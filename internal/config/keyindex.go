package config

import (
	"bytes"
	"slices"
)

// keyIndex finds peers by public key in a list of thousands: their
// positions sorted by key, searched in halves. It takes a sixth of the
// memory of a map of as many keys, which in a process that runs for
// milliseconds is what costs (each new page a fault).
type keyIndex struct {
	pos []int32
	key func(i int) *Key
}

// newKeyIndex indexes the n keys key(0) … key(n-1).
func newKeyIndex(n int, key func(i int) *Key) keyIndex {
	x := keyIndex{pos: make([]int32, n), key: key}
	for i := range x.pos {
		x.pos[i] = int32(i)
	}
	slices.SortStableFunc(x.pos, func(i, j int32) int { return bytes.Compare(key(int(i))[:], key(int(j))[:]) })
	return x
}

// last is the position of the last key equal to k (as a map filled in
// order would keep), or -1.
func (x keyIndex) last(k *Key) int {
	lo, hi := 0, len(x.pos)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(x.key(int(x.pos[m]))[:], k[:]) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 || *x.key(int(x.pos[lo-1])) != *k {
		return -1
	}
	return int(x.pos[lo-1])
}

// first is the position of the first key equal to k, or -1.
func (x keyIndex) first(k *Key) int {
	lo, hi := 0, len(x.pos)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(x.key(int(x.pos[m]))[:], k[:]) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(x.pos) || *x.key(int(x.pos[lo])) != *k {
		return -1
	}
	return int(x.pos[lo])
}
