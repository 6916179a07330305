// Package nvlist encodes and decodes FreeBSD's packed name-value lists, the
// format of libnv's nvlist_pack(9) and nvlist_unpack(9), in which the
// kernel's if_wg takes and returns its configuration (SIOCSWG, SIOCGWG). It
// is not meant for end users.
//
// The package is written from the format as libnv defines it
// (sys/contrib/libnv/nvlist.c, nvpair.c, sys/sys/nv.h and nv_impl.h), so that
// wg needs no cgo on FreeBSD.
//
// # Format
//
// A packed list starts with a struct nvlist_header (19 bytes, packed):
//
//	offset 0   nvlh_magic        uint8   'l' (0x6c)
//	offset 1   nvlh_version      uint8   0
//	offset 2   nvlh_flags        uint8   NV_FLAG_BIG_ENDIAN (0x80), IGNORE_CASE (0x01), NO_UNIQUE (0x02)
//	offset 3   nvlh_descriptors  uint64  number of file descriptors (always 0 here)
//	offset 11  nvlh_size         uint64  bytes that follow this header, to the end of the buffer
//
// Then each pair is a struct nvpair_header (19 bytes, packed), its name with
// a terminating NUL, and its data:
//
//	offset 0   nvph_type      uint8   NV_TYPE_*
//	offset 1   nvph_namesize  uint16  length of the name including the NUL (1..2048)
//	offset 3   nvph_datasize  uint64  bytes of data that follow the name
//	offset 11  nvph_nitems    uint64  element count, for array types
//
// Multi-byte fields are in the byte order the flags name. A nested list
// (NV_TYPE_NVLIST) has no data of its own: its nvlist_header follows the
// pair's name, then its pairs, then a pair of type NV_TYPE_NVLIST_UP (255)
// with the name "". An array of lists (NV_TYPE_NVLIST_ARRAY, nvph_nitems
// elements, nvph_datasize 0) is followed by each element's header and pairs,
// each element closed by a pair of type NV_TYPE_NVLIST_ARRAY_NEXT (254).
// Every nvlist_header's nvlh_size counts the bytes from its end to the end of
// the whole buffer, nested headers included.
//
// # Differences from libnv
//
// Decode is stricter than nvlist_unpack where the input is malformed: lists
// must be closed by their own end marker and the buffer must end at the top
// level; the lookup flags (IGNORE_CASE, NO_UNIQUE) are rejected, as the
// kernel unpacks with flags 0; every header must agree on the byte order; and
// descriptor types, which cannot be unpacked without descriptors, are
// rejected. It byte-swaps nvph_nitems of big-endian input, which libnv
// forgets to do. Encode writes what nvlist_pack writes, byte for byte,
// including the datasize libnv gives a nested list (see [Encode]).
package nvlist
