//go:build unix

package quickcmd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/wgtools/wgtools/internal/cli"
)

// sudoPrompt is upstream's auto_su prompt.
const sudoPrompt = "%s must be run as root. Please enter the password for %%u to continue: "

// autoSu re-runs the command as root through sudo, as upstream's auto_su.
func autoSu(env *cli.Env, prog string, args ...string) error {
	sudo, err := exec.LookPath("sudo")
	if err != nil {
		return errors.New("must be run as root (and sudo was not found)")
	}
	self := env.Prog
	if !strings.Contains(self, "/") {
		if self, err = exec.LookPath(self); err != nil {
			return errors.New("must be run as root")
		}
	}
	if self, err = filepath.Abs(self); err != nil {
		return errors.New("must be run as root")
	}
	argv := append([]string{"sudo", "-p", fmt.Sprintf(sudoPrompt, prog), "--", self}, args...)
	err = syscall.Exec(sudo, argv, os.Environ())
	return fmt.Errorf("must be run as root (running sudo: %w)", err)
}
