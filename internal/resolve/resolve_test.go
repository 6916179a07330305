package resolve

import (
	"os"
	"testing"
)

func TestSystem(t *testing.T) {
	r := System()
	if _, err := os.Stat("/etc/services"); err == nil {
		if p, ok := r.LookupPort("domain"); !ok || p != 53 {
			t.Errorf("LookupPort(domain) = %d, %v; want 53", p, ok)
		}
	}
	if _, ok := r.LookupPort("no-such-service-xyz"); ok {
		t.Error("unknown service resolved")
	}
	if _, ok := r.InterfaceIndex("lo"); !ok {
		t.Log("no loopback interface here")
	}
	if _, ok := r.InterfaceIndex("no-such-if0"); ok {
		t.Error("unknown interface resolved")
	}
}
