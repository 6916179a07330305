package config

import "testing"

func TestKeyIndex(t *testing.T) {
	keys := []Key{{5}, {1}, {5}, {3}, {9}, {5}}
	x := newKeyIndex(len(keys), func(i int) *Key { return &keys[i] })
	for _, tt := range []struct {
		k           byte
		first, last int
	}{{5, 0, 5}, {1, 1, 1}, {3, 3, 3}, {9, 4, 4}, {0, -1, -1}, {4, -1, -1}, {10, -1, -1}} {
		k := Key{tt.k}
		if f, l := x.first(&k), x.last(&k); f != tt.first || l != tt.last {
			t.Errorf("key %d: first %d last %d, want %d %d", tt.k, f, l, tt.first, tt.last)
		}
	}
	empty := newKeyIndex(0, nil)
	if empty.first(&Key{1}) != -1 || empty.last(&Key{1}) != -1 {
		t.Error("an empty index finds a key")
	}
}
