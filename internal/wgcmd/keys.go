package wgcmd

import (
	"fmt"
	"io"
	"os"

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
	warnWorldAccessible(env)
	var k config.Key
	if _, err := io.ReadFull(env.Rand, k[:]); err != nil {
		return cli.Fail("getrandom: " + errno.Text(err))
	}
	if args[0] == "genkey" {
		k[0] &= 248
		k[31] = (k[31] & 127) | 64
	}
	_, err := fmt.Fprintln(env.Stdout, config.FormatKey(k))
	return err
}

// warnWorldAccessible warns when stdout is a regular file that others may
// read, write or run.
func warnWorldAccessible(env *cli.Env) {
	f, ok := env.Stdout.(*os.File)
	if !ok {
		return
	}
	st, err := f.Stat()
	if err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o007 != 0 {
		fmt.Fprint(env.Stderr, "Warning: writing to world accessible file.\nConsider setting the umask to 077 and trying again.\n")
	}
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
	_, err = fmt.Fprintln(env.Stdout, config.FormatKey(config.Key(pub)))
	return err
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
