package config

import (
	"io"
	"net/netip"
	"time"
)

// Resolver answers the name lookups that getaddrinfo(3) makes for wg.
type Resolver interface {
	// LookupPort returns the UDP port of a service name (/etc/services).
	LookupPort(service string) (int, bool)
	// LookupHost resolves a host name to addresses, best first.
	LookupHost(host string) ([]netip.Addr, error)
	// InterfaceIndex returns the index of a network interface by name.
	InterfaceIndex(name string) (int, bool)
}

// LookupError is a failed host lookup, with glibc's gai_strerror text.
type LookupError struct {
	Msg string
	// Permanent errors (EAI_NONAME, EAI_FAIL, EAI_NODATA) are not retried.
	Permanent bool
}

func (e *LookupError) Error() string { return e.Msg }

// Texts of getaddrinfo errors, as glibc's gai_strerror prints them.
const (
	MsgNoName  = "Name or service not known"
	MsgAgain   = "Temporary failure in name resolution"
	MsgService = "Servname not supported for ai_socktype"
)

// Options carries what the parsers need from outside. Zero fields get safe
// defaults: numeric-only resolution, no warnings, no environment, no files.
type Options struct {
	Resolver Resolver
	// Warn receives warnings (such as nonzero host bits) as they occur.
	Warn func(msg string)
	// LookupEnv reads WG_ENDPOINT_RESOLUTION_RETRIES (set but empty means 0).
	LookupEnv func(key string) (string, bool)
	// Sleep waits between endpoint resolution retries.
	Sleep func(time.Duration)
	// OpenFile opens key files named in `wg set`; an open error's errno is
	// reported as fopen's.
	OpenFile func(name string) (io.ReadCloser, error)

	// mem holds a parse's peers' values (each parse sets it on its copy).
	mem *parseMem
}

// withMem is a copy of o with memory for one parse.
func (o *Options) withMem() *Options {
	c := *o
	c.mem = &parseMem{}
	return &c
}

// parseMem is where one parse puts its peers' values: slabs instead of an
// allocation per key, allowed IP and value, and a scratch buffer for the
// AllowedIPs values that white space stands inside.
type parseMem struct {
	keys    Slab[Key]
	addrs   Slab[netip.AddrPort]
	ints    Slab[int]
	allowed Slab[AllowedIP]
	scratch []byte
}

// squeeze is deleteSpace into the scratch buffer: the result is valid
// until the next squeeze, for a value that is parsed, never kept.
func (m *parseMem) squeeze(s string) string {
	m.scratch = appendNoSpace(m.scratch[:0], s)
	return View(m.scratch)
}

func (o *Options) warn(msg string) {
	if o.Warn != nil {
		o.Warn(redactKeys(msg))
	}
}

func (o *Options) resolver() Resolver {
	if o.Resolver == nil {
		return numericResolver{}
	}
	return o.Resolver
}

func (o *Options) lookupEnv(key string) (string, bool) {
	if o.LookupEnv == nil {
		return "", false
	}
	return o.LookupEnv(key)
}

// numericResolver knows no names at all.
type numericResolver struct{}

func (numericResolver) LookupPort(string) (int, bool) { return 0, false }
func (numericResolver) LookupHost(string) ([]netip.Addr, error) {
	return nil, &LookupError{Msg: MsgNoName, Permanent: true}
}
func (numericResolver) InterfaceIndex(string) (int, bool) { return 0, false }
