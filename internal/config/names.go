package config

import "strings"

// EndpointText is a peer's Endpoint value as the config wrote it (white
// space removed, as wg reads it).
type EndpointText struct {
	Peer Key
	Text string
	// Literal is set when the host is an IP address (any form getaddrinfo
	// takes as numeric), not a name to look up.
	Literal bool
}

// EndpointTexts lists the Endpoint values of the [Peer] sections of lines
// that ParseLines accepts, in order (a peer given twice may appear twice;
// the last one is what wg sets). Lines it would reject are skipped.
func EndpointTexts(lines []Line) []EndpointText {
	var out []EndpointText
	sec := sectionNone
	var key Key
	hasKey, endpoint := false, ""
	flush := func() {
		if sec == sectionPeer && hasKey && endpoint != "" {
			out = append(out, EndpointText{Peer: key, Text: endpoint, Literal: literalHost(endpoint)})
		}
		hasKey, endpoint = false, ""
	}
	for _, l := range lines {
		raw := visible(l.Text)
		k, v, hasEq := strings.Cut(raw, "=")
		if !hasEq {
			switch text := deleteSpace(raw); {
			case equalFold(text, "[Interface]"):
				flush()
				sec = sectionInterface
			case equalFold(text, "[Peer]"):
				flush()
				sec = sectionPeer
			}
			continue
		}
		name, value, ok := matchKey(deleteSpace(k), deleteSpace(v), sec)
		if !ok || sec != sectionPeer {
			continue
		}
		switch name {
		case "PublicKey":
			key, hasKey = ParseKey(value)
		case "Endpoint":
			endpoint = value
		}
	}
	flush()
	return out
}

// literalHost reports whether the host of an endpoint (`host:port` or
// `[host]:port`) is an IP address: an IPv4 address in any inet_aton form,
// or anything with a colon (host names have none).
func literalHost(s string) bool {
	host := s
	if strings.HasPrefix(s, "[") {
		if end := strings.IndexByte(s, ']'); end >= 0 {
			host = s[1:end]
		}
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 {
		host = s[:i]
	}
	if strings.Contains(host, ":") {
		return true
	}
	_, ok := inetAton(host)
	return ok
}
