// Command wg configures WireGuard interfaces; see wg(8).
package main

import (
	"os"

	"github.com/wgtools/wgtools/internal/app"
)

func main() { os.Exit(app.Main(os.Args, "wg")) }
