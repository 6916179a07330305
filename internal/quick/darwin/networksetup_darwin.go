package darwin

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

const networksetup = "/usr/sbin/networksetup"

func runNetworksetup(args ...string) (string, error) {
	out, err := exec.Command(networksetup, args...).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("** Error")) {
		return "", fmt.Errorf("networksetup %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// Services is `networksetup -listallnetworkservices`, the first line (a
// note about asterisks) skipped, disabled services' * taken off.
func (s *System) Services() ([]string, error) {
	out, err := runNetworksetup("-listallnetworkservices")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var names []string
	for _, l := range lines[1:] {
		if l = strings.TrimPrefix(l, "*"); l != "" {
			names = append(names, l)
		}
	}
	return names, nil
}

// values reads a networksetup list: one per line, or a sentence (with
// spaces) saying there is none.
func values(out string) []string {
	var vs []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(l, " ") {
			return nil
		}
		if l != "" {
			vs = append(vs, l)
		}
	}
	return vs
}

func (s *System) DNSServers(service string) ([]string, error) {
	out, err := runNetworksetup("-getdnsservers", service)
	return values(out), err
}

func (s *System) SearchDomains(service string) ([]string, error) {
	out, err := runNetworksetup("-getsearchdomains", service)
	return values(out), err
}

// emptyArgs is networksetup's arguments for values: Empty for none.
func emptyArgs(vs []string) []string {
	if len(vs) == 0 {
		return []string{"Empty"}
	}
	return vs
}

func (s *System) SetDNSServers(service string, servers []string) error {
	_, err := runNetworksetup(append([]string{"-setdnsservers", service}, emptyArgs(servers)...)...)
	return err
}

func (s *System) SetSearchDomains(service string, domains []string) error {
	_, err := runNetworksetup(append([]string{"-setsearchdomains", service}, emptyArgs(domains)...)...)
	return err
}
