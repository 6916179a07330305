package netcfg

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// TableFiles are where ip(8) reads routing table names, in its order.
var TableFiles = []string{"/etc/iproute2/rt_tables", "/usr/share/iproute2/rt_tables", "/usr/lib/iproute2/rt_tables"}

// TableID resolves a routing table name as ip(8) does: the built-in names,
// then rt_tables and rt_tables.d/*.conf.
func TableID(name string) (int, bool) {
	switch name {
	case "main":
		return 254, true
	case "local":
		return 255, true
	case "default":
		return 253, true
	}
	for _, f := range TableFiles {
		files := []string{f}
		more, _ := filepath.Glob(f + ".d/*.conf")
		files = append(files, more...)
		for _, p := range files {
			if id, ok := tableIn(p, name); ok {
				return id, true
			}
		}
	}
	return 0, false
}

func tableIn(path, name string) (int, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") || fields[1] != name {
			continue
		}
		if id, err := strconv.ParseUint(fields[0], 0, 32); err == nil {
			return int(id), true
		}
	}
	return 0, false
}
