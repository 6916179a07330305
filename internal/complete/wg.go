package complete

// WGCommands are wg's subcommands, in upstream's order.
var WGCommands = []string{"help", "show", "showconf", "set", "setconf", "addconf", "syncconf", "genkey", "genpsk", "pubkey"}

// ShowFields are the fields of `wg show IF FIELD`, and our json.
var ShowFields = []string{"public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys", "endpoints", "allowed-ips", "latest-handshakes", "persistent-keepalive", "transfer", "dump", "json"}

// SetDevice and SetPeer are `wg set` keywords outside and inside a peer.
var (
	SetDevice = []string{"listen-port", "fwmark", "private-key", "peer"}
	SetPeer   = []string{"preshared-key", "endpoint", "allowed-ips", "persistent-keepalive", "remove", "peer"}
)

// WG completes `wg WORDS... CUR`: words are the arguments before the one
// being completed.
func WG(words []string, cur string, s Sources) ([]string, Directive) {
	if len(words) == 0 {
		return WGCommands, NoFileComp | KeepOrder
	}
	cmd := words[0]
	switch {
	case len(words) == 1 && cmd == "show":
		return append(call(s.Interfaces), "all", "interfaces"), NoFileComp
	case len(words) == 1 && (cmd == "showconf" || cmd == "set" || cmd == "setconf" || cmd == "addconf" || cmd == "syncconf"):
		return call(s.Interfaces), NoFileComp
	case len(words) == 2 && cmd == "show" && words[1] != "interfaces":
		return ShowFields, NoFileComp | KeepOrder
	case len(words) == 2 && (cmd == "setconf" || cmd == "addconf" || cmd == "syncconf"):
		return files(s, cur, "")
	case len(words) >= 2 && cmd == "set":
		return set(words[1], words[2:], cur, s)
	}
	return nil, NoFileComp
}

// set completes the options of `wg set IF OPTIONS...`: the keywords of the
// current scope not used in it yet, key files after *-key, the
// interface's peers after `peer`, only `peer` after `remove`.
func set(iface string, opts []string, cur string, s Sources) ([]string, Directive) {
	scope := SetDevice
	start := 0
	for i, w := range opts {
		if w == "peer" {
			scope, start = SetPeer, min(i+2, len(opts)) // after its key
		}
	}
	if n := len(opts); n > 0 {
		switch opts[n-1] {
		case "private-key", "preshared-key":
			return files(s, cur, "")
		case "peer":
			if s.Peers == nil {
				return nil, NoFileComp
			}
			return s.Peers(iface), NoFileComp
		case "listen-port", "fwmark", "endpoint", "allowed-ips", "persistent-keepalive":
			return nil, NoFileComp
		}
	}
	used := opts[start:]
	// Values are words too; skip those that follow a keyword.
	var keywords []string
	for i := 0; i < len(used); i++ {
		keywords = append(keywords, used[i])
		if used[i] != "remove" && used[i] != "peer" {
			i++
		}
	}
	for _, w := range keywords {
		if w == "remove" {
			return []string{"peer"}, NoFileComp
		}
	}
	return unused(scope, keywords), NoFileComp | KeepOrder
}
