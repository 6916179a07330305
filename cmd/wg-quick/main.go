// Command wg-quick sets up WireGuard interfaces from config files; see wg-quick(8).
package main

import (
	"os"

	"github.com/wgtools/wgtools/internal/app"
)

func main() { os.Exit(app.Main(os.Args, "wg-quick")) }
