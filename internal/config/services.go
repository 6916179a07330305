package config

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// ParseServices reads a services(5) database and returns the ports of the
// given protocol by name and alias. The first entry for a name wins.
func ParseServices(r io.Reader, proto string) map[string]int {
	m := make(map[string]int)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		portStr, p, ok := strings.Cut(f[1], "/")
		if !ok || p != proto {
			continue
		}
		port, err := strconv.ParseUint(portStr, 10, 16)
		if err != nil {
			continue
		}
		for _, name := range append([]string{f[0]}, f[2:]...) {
			if _, dup := m[name]; !dup {
				m[name] = int(port)
			}
		}
	}
	return m
}
