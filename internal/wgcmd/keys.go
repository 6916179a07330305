package wgcmd

import (
	"fmt"
	"io"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/errno"
	"golang.org/x/crypto/curve25519"
)

// runGenKey is `wg genkey` (clamped private key) and `wg genpsk`.
func runGenKey(env *cli.Env, args []string) error {
	if len(args) != 1 {
		return cli.Fail(fmt.Sprintf("Usage: %s %s", env.Prog, args[0]))
	}
	if cli.WorldAccessibleFile(env.Stdout) {
		io.WriteString(env.Stderr, "Warning: writing to world accessible file.\nConsider setting the umask to 077 and trying again.\n")
	}
	newKey := config.NewKey
	if args[0] == "genkey" {
		newKey = config.NewPrivateKey
	}
	k, err := newKey(env.Rand)
	if err != nil {
		return cli.Fail("getrandom: " + errno.Text(err))
	}
	_, err = io.WriteString(env.Stdout, config.FormatKey(k)+"\n")
	return err
}

// runPubKey is `wg pubkey`: exactly 44 bytes of key on stdin, then only
// white space or NUL bytes.
func runPubKey(env *cli.Env, args []string) error {
	if len(args) != 1 {
		return cli.Fail(fmt.Sprintf("Usage: %s %s", env.Prog, args[0]))
	}
	badKey := cli.Fail(env.Prog + ": Key is not the correct length or format")
	buf := make([]byte, 512)
	n, err := io.ReadAtLeast(env.Stdin, buf, config.KeyLen)
	if n < config.KeyLen {
		return badKey
	}
	key := string(buf[:config.KeyLen])
	for rest := buf[config.KeyLen:n]; ; {
		for _, c := range rest {
			if c != 0 && !isSpace(c) {
				return cli.Fail(env.Prog + ": Trailing characters found after key")
			}
		}
		if err != nil {
			break
		}
		var m int
		m, err = env.Stdin.Read(buf)
		rest = buf[:m]
	}
	k, ok := config.ParseKey(key)
	if !ok {
		return badKey
	}
	pub, err := curve25519.X25519(k[:], curve25519.Basepoint)
	if err != nil {
		return badKey
	}
	_, err = io.WriteString(env.Stdout, config.FormatKey(config.Key(pub))+"\n")
	return err
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
