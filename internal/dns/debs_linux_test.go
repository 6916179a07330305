package dns

import (
	"testing"

	"github.com/wgtools/wgtools/internal/dns/dnstest"
)

func fetchDeb(t *testing.T, spec string) string { return dnstest.FetchDeb(t, spec) }
